//! The citizen's own self-service: applying (the flow's logic in `flow`, its storage in
//! `applying`), consents and their renewals, editing and exporting their data, what they see of
//! the reads of it, and their start page.
//!
//! Every entry point takes what the guard minted for a signed-in citizen (`Citizen`, or
//! `ActingFor` a person: themselves or a minor child in their custody), so nothing here can be
//! called for staff. Staff reach citizen data through the gate only.

mod applying;
mod consents;
mod correspondence;
mod data_edit;
mod export;
mod flow;
mod my_data;
mod renewals;
mod start;
mod transparency;

pub use applying::Submission;
pub use flow::APPLY_PATH;
pub(in crate::server) use renewals::{adopt_published_version, open_status_codes, open_statuses};

use std::sync::Arc;

use crate::{
    consent::PersonView,
    server::{
        auth::Citizen,
        db::{CitizenId, Database, DatabaseError, Records, Tables, Timestamp, on_backend},
        error::ServiceError,
        gate::{Gate, VocabularyCache},
    },
};

/// The citizen's services' key to the citizens' records ([`Tables<Records>`]): only this module
/// can make one.
pub(in crate::server) struct Keeper(());

/// The citizen's services.
#[derive(Clone)]
pub struct SelfService {
    database: Tables<Records>,
    /// The category names and field labels, the same copy the gate keeps.
    vocabulary: Arc<VocabularyCache>,
}

impl SelfService {
    pub fn new(database: Database, gate: &Gate) -> Self {
        Self { database: database.records(Keeper(())), vocabulary: gate.vocabulary_cache() }
    }

    /// The signed-in citizen and the minor children in their custody, by name.
    pub async fn people_acted_for(&self, citizen: &Citizen) -> Result<Vec<PersonView>, DatabaseError> {
        let rows: Vec<(CitizenId, String, String)> = on_backend!(self.database, pool => sqlx::query_as(
            "SELECT c.id, c.given_name, c.family_name FROM citizens c WHERE c.id = $1 \
             UNION ALL SELECT c.id, c.given_name, c.family_name FROM guardianships g JOIN citizens c ON c.id = g.child_citizen_id \
             WHERE g.guardian_citizen_id = $1 AND g.ended_on IS NULL AND c.birth_date IS NOT NULL AND c.birth_date > $2",
        )
        .bind(citizen.id())
        .bind(adult_born_by(Timestamp::now()))
        .fetch_all(pool)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|(id, given, family)| PersonView {
                id: id.to_string(),
                name: format!("{given} {family}"),
                is_self: id == citizen.id(),
            })
            .collect())
    }

    /// Whether `citizen` may act for `person`: themselves, or a minor child in their custody.
    pub async fn acts_for(&self, citizen: &Citizen, person: CitizenId) -> Result<bool, DatabaseError> {
        if citizen.id() == person {
            return Ok(true);
        }
        let adult_born_by = adult_born_by(Timestamp::now());
        let found: Option<i64> = on_backend!(self.database, pool => sqlx::query_scalar(
            "SELECT CAST(1 AS BIGINT) FROM guardianships g JOIN citizens c ON c.id = g.child_citizen_id \
             WHERE g.guardian_citizen_id = $1 AND g.child_citizen_id = $2 AND g.ended_on IS NULL \
             AND c.birth_date IS NOT NULL AND c.birth_date > $3",
        )
        .bind(citizen.id())
        .bind(person)
        .bind(&adult_born_by)
        .fetch_optional(pool)
        .await)?;
        Ok(found.is_some())
    }

    /// The person `citizen` acts for, by name, with everyone they act for; `NotFound` when they
    /// do not act for `person`.
    pub(super) async fn person(&self, citizen: &Citizen, person: CitizenId) -> Result<(PersonView, Vec<PersonView>), ServiceError> {
        let people = self.people_acted_for(citizen).await?;
        let found = people.iter().find(|candidate| candidate.id == person.to_string()).cloned();
        found.map(|found| (found, people)).ok_or(ServiceError::NotFound)
    }

    /// Passes when `citizen` acts for `person`, whom a record they name belongs to; `NotFound`
    /// otherwise, as for a record that does not exist.
    pub(super) async fn require_acts_for(&self, citizen: &Citizen, person: CitizenId) -> Result<(), ServiceError> {
        match self.acts_for(citizen, person).await? {
            true => Ok(()),
            false => Err(ServiceError::NotFound),
        }
    }
}

/// The birth date (`YYYY-MM-DD`) of someone who turns 18 on the day of `now`: anyone born
/// after it is a minor.
fn adult_born_by(now: Timestamp) -> String {
    let date = now.as_offset_date_time().date();
    let year = date.year() - 18;
    // 29 February of a leap year becomes 28 February when the year 18 years back is not one.
    let day = date.replace_year(year).unwrap_or_else(|_| date.replace_day(28).unwrap_or(date));
    format!("{:04}-{:02}-{:02}", year, u8::from(day.month()), day.day())
}

