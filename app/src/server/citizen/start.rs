//! The citizen's start page: their applications and their minor children's, what the offices
//! are waiting for, and the newest reads of their data, so the next step is plain.

use super::SelfService;
use crate::{
    applying::{ApplicationSummary, CitizenOverview, ToDo},
    consent::{NamedCode, PersonView},
    localized::Localized,
    server::{
        auth::Citizen,
        db::{ApplicationId, CitizenId, Timestamp, on_backend},
        error::ServiceError,
    },
    status::ApplicationStatus,
};

/// How many reads of their data the start page shows; the access log has all.
const RECENT_READS: usize = 3;

/// id, reference, kind of help (code, names), office (code, names), status, submitted, updated.
type ApplicationRow =
    (ApplicationId, String, String, String, String, String, String, String, ApplicationStatus, Option<Timestamp>, Timestamp);
/// application, reference, office (code, names), description, since.
type RequestRow = (ApplicationId, String, String, String, String, String, Timestamp);

impl SelfService {
    /// The start page of `citizen`: for themselves and every minor child they act for. Drafts
    /// are listed only to whoever fills them in.
    pub async fn citizen_overview(&self, citizen: &Citizen) -> Result<CitizenOverview, ServiceError> {
        let people = self.people_acted_for(citizen).await?;
        let mut applications = Vec::new();
        let mut to_dos = Vec::new();
        let mut renewals = Vec::new();
        let mut recent_reads = Vec::new();
        let (mut offices, mut categories) = (Vec::new(), Vec::new());
        for person in &people {
            let Some(id) = CitizenId::parse(&person.id) else { continue };
            let (rows, requests): (Vec<ApplicationRow>, Vec<RequestRow>) = on_backend!(self.database, pool => {
                let rows = sqlx::query_as(
                    "SELECT a.id, a.reference, b.code, b.name_de, b.name_en, o.code, o.name_de, o.name_en, a.status, a.submitted_at, a.updated_at \
                     FROM applications a JOIN benefit_types b ON b.code = a.benefit_type_code JOIN offices o ON o.code = a.office_code \
                     WHERE a.citizen_id = $1 AND (a.status <> 'draft' OR a.submitted_by_citizen_id = $2) ORDER BY a.updated_at DESC",
                )
                .bind(id)
                .bind(citizen.id())
                .fetch_all(pool)
                .await?;
                let requests = sqlx::query_as(
                    "SELECT a.id, a.reference, o.code, o.name_de, o.name_en, r.description, r.created_at FROM document_requests r \
                     JOIN applications a ON a.id = r.application_id JOIN offices o ON o.code = a.office_code \
                     WHERE a.citizen_id = $1 AND r.status = 'open' ORDER BY r.created_at",
                )
                .bind(id)
                .fetch_all(pool)
                .await?;
                Ok::<_, sqlx::Error>((rows, requests))
            })
            .map_err(crate::server::db::DatabaseError::from)?;
            applications.extend(rows.into_iter().map(
                |(id, reference, benefit, benefit_de, benefit_en, office, office_de, office_en, status, submitted_at, updated_at)| {
                    ApplicationSummary {
                        id: id.to_string(),
                        reference,
                        person: person.clone(),
                        benefit: NamedCode { code: benefit, name: Localized::new(benefit_de, benefit_en) },
                        office: NamedCode { code: office, name: Localized::new(office_de, office_en) },
                        status,
                        submitted_at: submitted_at.map(Timestamp::to_rfc3339),
                        updated_at: updated_at.to_rfc3339(),
                    }
                },
            ));
            to_dos.extend(requests.into_iter().map(|(application, reference, office, office_de, office_en, description, since)| ToDo {
                application: application.to_string(),
                reference,
                person: person.clone(),
                office: NamedCode { code: office, name: Localized::new(office_de, office_en) },
                description,
                since: since.to_rfc3339(),
            }));
            renewals.extend(self.renewals_of(id).await?.into_iter().map(|renewal| (person.clone(), renewal)));
            let log = self.access_log_of(id, RECENT_READS as i64).await?;
            recent_reads.extend(log.entries.into_iter().take(RECENT_READS).map(|entry| (person.clone(), entry)));
            offices = log.offices;
            categories = log.categories;
        }
        // RFC 3339 in UTC sorts as time does.
        recent_reads.sort_by(|a, b| b.1.occurred_at.cmp(&a.1.occurred_at));
        recent_reads.truncate(RECENT_READS);
        let name = people.iter().find(|person| person.is_self).map(|me: &PersonView| me.name.clone()).unwrap_or_default();
        Ok(CitizenOverview { name, people, applications, to_dos, renewals, recent_reads, offices, categories })
    }
}
