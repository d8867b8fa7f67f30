//! Consents: a citizen (or the parent of a minor child) grants an optional sharing a published
//! consent template offers, for its purpose and at most its longest validity; revokes it; and
//! reads the history. The `consents` row holds the current state, `consent_events` the history,
//! which is only ever appended to. The gate reads consents anew on every request, so a
//! revocation counts from the next one.

use super::SelfService;
use crate::{
    applying::SharingOffer,
    consent::{ConsentEventView, ConsentView, NamedCode},
    localized::Localized,
    server::{
        auth::{ActingFor, Citizen},
        db::{BeginWrite, CitizenId, ConsentEventId, ConsentId, DatabaseError, SharingId, TemplateVersionId, Timestamp, on_backend},
        error::{ServiceError, invalid},
    },
};

/// version, category, office, purpose, legal basis, longest validity in days.
pub(super) type SharingRow = (TemplateVersionId, String, String, String, String, i64);
/// consent, kind, occurred at, detail.
type ConsentEventRow = (ConsentId, String, Timestamp, Option<String>);
type ConsentListRow =
    (ConsentId, CitizenId, String, String, String, String, TemplateVersionId, Timestamp, Option<Timestamp>, Option<Timestamp>);

/// Every optional sharing of every consent template version, with its names: version, id,
/// category (code, names), office (code, names), purpose (de, en), longest validity,
/// explanation (de, en), legal basis.
pub(super) const OFFERS: &str = "SELECT s.version_id, s.id, s.category_code, c.name_de, c.name_en, s.recipient_office_code, \
     o.name_de, o.name_en, s.purpose_de, s.purpose_en, s.max_validity_days, s.explanation_de, s.explanation_en, s.legal_basis \
     FROM template_optional_sharings s JOIN data_categories c ON c.code = s.category_code \
     JOIN offices o ON o.code = s.recipient_office_code ORDER BY c.sort_order, o.code";
pub(super) type OfferRow = (TemplateVersionId, SharingId, String, String, String, String, String, String, String, String, i64, String, String, String);

/// A row of `OFFERS` as the citizen sees the offer.
pub(super) fn offer(row: &OfferRow) -> SharingOffer {
    SharingOffer {
        id: row.1.to_string(),
        category: NamedCode { code: row.2.clone(), name: Localized::new(row.3.clone(), row.4.clone()) },
        recipient: NamedCode { code: row.5.clone(), name: Localized::new(row.6.clone(), row.7.clone()) },
        purpose: Localized::new(row.8.clone(), row.9.clone()),
        legal_basis: row.13.clone(),
        max_validity_days: row.10,
        explanation: Localized::new(row.11.clone(), row.12.clone()),
    }
}

/// Grants (or renews) sharing `$sharing` for `$person`, given by `$actor` (the person or their
/// parent), on `$connection` inside the caller's transaction; see [`Gate::grant_consent`].
/// Evaluates to `Result<ConsentId, ServiceError>`.
macro_rules! grant_in {
    ($connection:expr, $actor:expr, $person:expr, $sharing:expr, $days:expr, $now:expr) => {
        async {
            use $crate::server::db::{CitizenId, ConsentEventId, ConsentId, SharingId};
            let connection = $connection;
            let (actor, person, sharing, days, now): (CitizenId, CitizenId, SharingId, Option<i64>, Timestamp) =
                ($actor, $person, $sharing, $days, $now);
            // Only sharings of the newest published version of a template can be granted anew.
            let found: Option<$crate::server::citizen::consents::SharingRow> = sqlx::query_as(
                "SELECT s.version_id, s.category_code, s.recipient_office_code, s.purpose_de, s.legal_basis, s.max_validity_days \
                 FROM template_optional_sharings s JOIN consent_template_versions v ON v.id = s.version_id \
                 WHERE s.id = $1 AND v.status = 'published' AND v.version = \
                   (SELECT MAX(newest.version) FROM consent_template_versions newest \
                    WHERE newest.template_id = v.template_id AND newest.status = 'published')",
            )
            .bind(sharing)
            .fetch_optional(&mut *connection)
            .await?;
            let Some((version, category, office, purpose, legal_basis, max_days)) = found else {
                return Err(invalid("sharing", "choose one of the sharings offered to you"));
            };
            let days = days.unwrap_or(max_days);
            if !(1..=max_days).contains(&days) {
                return Err(invalid("days", format!("choose between 1 and {max_days} days")));
            }
            let expires_at = now + time::Duration::days(days);
            let existing: Option<ConsentId> = sqlx::query_scalar(
                "SELECT id FROM consents WHERE citizen_id = $1 AND recipient_office_code = $2 AND category_code = $3 \
                 AND purpose = $4 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $5)",
            )
            .bind(person)
            .bind(&office)
            .bind(&category)
            .bind(&purpose)
            .bind(now)
            .fetch_optional(&mut *connection)
            .await?;
            let (consent, kind) = match existing {
                Some(consent) => {
                    // Renewed on the offer granted now: its template version and legal basis.
                    let renewed = sqlx::query(
                        "UPDATE consents SET expires_at = $1, sharing_id = $2, template_version_id = $3, legal_basis = $4 \
                         WHERE id = $5 AND revoked_at IS NULL",
                    )
                    .bind(expires_at)
                    .bind(sharing)
                    .bind(version)
                    .bind(&legal_basis)
                    .bind(consent)
                    .execute(&mut *connection)
                    .await?
                    .rows_affected();
                    if renewed != 1 {
                        return Err(invalid("sharing", "this consent changed meanwhile; please try again"));
                    }
                    (consent, "renewed")
                }
                None => {
                    let consent = ConsentId::new();
                    sqlx::query(
                        "INSERT INTO consents (id, citizen_id, recipient_office_code, category_code, purpose, sharing_id, \
                         template_version_id, legal_basis, granted_at, expires_at, revoked_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL)",
                    )
                    .bind(consent)
                    .bind(person)
                    .bind(&office)
                    .bind(&category)
                    .bind(&purpose)
                    .bind(sharing)
                    .bind(version)
                    .bind(&legal_basis)
                    .bind(now)
                    .bind(expires_at)
                    .execute(&mut *connection)
                    .await?;
                    (consent, "granted")
                }
            };
            sqlx::query(
                "INSERT INTO consent_events (id, consent_id, occurred_at, kind, actor_citizen_id, detail) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(ConsentEventId::new())
            .bind(consent)
            .bind(now)
            .bind(kind)
            .bind(actor)
            .bind(format!("valid until {}", expires_at.to_rfc3339()))
            .execute(&mut *connection)
            .await?;
            Ok::<ConsentId, ServiceError>(consent)
        }
        .await
    };
}
pub(super) use grant_in;

impl SelfService {
    /// Grants the optional sharing `sharing` of the newest published version of its template
    /// for `person` (the citizen or their minor child), for `days` (at most the sharing's
    /// longest validity; that when `None`). An active consent to the same office, category and
    /// purpose is renewed instead. Answers the consent's id.
    pub async fn grant_consent(
        &self,
        acting: &ActingFor,
        sharing: SharingId,
        days: Option<i64>,
    ) -> Result<ConsentId, ServiceError> {
        let (citizen, person) = (acting.citizen(), acting.person());
        let now = Timestamp::now();
        let id = on_backend!(self.database, pool => {
            let mut transaction = pool.begin_write().await?;
            let consent = grant_in!(&mut *transaction, citizen.id(), person, sharing, days, now)?;
            transaction.commit().await?;
            Ok::<ConsentId, ServiceError>(consent)
        })?;
        Ok(id)
    }

    /// Revokes an active consent of a person `citizen` acts for, from now on. `NotFound` when
    /// there is no such consent that still counts.
    pub async fn revoke_consent(&self, citizen: &Citizen, consent: ConsentId) -> Result<(), ServiceError> {
        let now = Timestamp::now();
        let person: Option<CitizenId> = on_backend!(self.database, pool => sqlx::query_scalar(
            "SELECT citizen_id FROM consents WHERE id = $1",
        )
        .bind(consent)
        .fetch_optional(pool)
        .await)
        .map_err(DatabaseError::from)?;
        let Some(person) = person else { return Err(ServiceError::NotFound) };
        self.require_acts_for(citizen, person).await?;
        on_backend!(self.database, pool => {
            let mut transaction = pool.begin_write().await?;
            let revoked = sqlx::query(
                "UPDATE consents SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL \
                 AND (expires_at IS NULL OR expires_at > $1)",
            )
            .bind(now)
            .bind(consent)
            .execute(&mut *transaction)
            .await?
            .rows_affected();
            if revoked != 1 {
                return Err(ServiceError::NotFound);
            }
            sqlx::query(
                "INSERT INTO consent_events (id, consent_id, occurred_at, kind, actor_citizen_id, detail) \
                 VALUES ($1, $2, $3, 'revoked', $4, NULL)",
            )
            .bind(ConsentEventId::new())
            .bind(consent)
            .bind(now)
            .bind(citizen.id())
            .execute(&mut *transaction)
            .await?;
            transaction.commit().await?;
            Ok::<(), ServiceError>(())
        })
    }

    /// The sharings the person of `acting` may grant now: those of the newest
    /// published version of each consent template.
    pub async fn sharing_offers(&self, _acting: &ActingFor) -> Result<Vec<SharingOffer>, ServiceError> {
        let (rows, newest): (Vec<OfferRow>, Vec<TemplateVersionId>) = on_backend!(self.database, pool => {
            let rows = sqlx::query_as(OFFERS).fetch_all(pool).await?;
            let newest = sqlx::query_scalar(
                "SELECT v.id FROM consent_template_versions v WHERE v.status = 'published' AND v.version = \
                 (SELECT MAX(newest.version) FROM consent_template_versions newest \
                  WHERE newest.template_id = v.template_id AND newest.status = 'published')",
            )
            .fetch_all(pool)
            .await?;
            Ok::<_, sqlx::Error>((rows, newest))
        })?;
        let mut offers: Vec<SharingOffer> = rows.iter().filter(|row| newest.contains(&row.0)).map(offer).collect();
        // Two templates may offer the same sharing; the citizen sees it once.
        offers.dedup_by(|a, b| a.category.code == b.category.code && a.recipient.code == b.recipient.code && a.purpose.de == b.purpose.de);
        Ok(offers)
    }

    /// Every consent of the person of `acting`, newest first, with its history.
    pub async fn consents_of(&self, acting: &ActingFor) -> Result<Vec<ConsentView>, ServiceError> {
        let person = acting.person();
        let now = Timestamp::now();
        let (rows, events): (Vec<ConsentListRow>, Vec<ConsentEventRow>) = on_backend!(self.database, pool => {
            let rows = sqlx::query_as(
                "SELECT id, citizen_id, recipient_office_code, category_code, purpose, legal_basis, template_version_id, \
                 granted_at, expires_at, revoked_at FROM consents WHERE citizen_id = $1 ORDER BY granted_at DESC, id",
            )
            .bind(person)
            .fetch_all(pool)
            .await?;
            let events = sqlx::query_as(
                "SELECT e.consent_id, e.kind, e.occurred_at, e.detail FROM consent_events e \
                 JOIN consents c ON c.id = e.consent_id WHERE c.citizen_id = $1 ORDER BY e.occurred_at, e.id",
            )
            .bind(person)
            .fetch_all(pool)
            .await?;
            Ok::<_, sqlx::Error>((rows, events))
        })?;
        Ok(rows
            .into_iter()
            .map(|(id, person, office, category, purpose, legal_basis, version, granted_at, expires_at, revoked_at)| {
                let state = if revoked_at.is_some_and(|revoked| revoked <= now) {
                    "revoked"
                } else if expires_at.is_some_and(|expires| expires <= now) {
                    "expired"
                } else {
                    "active"
                };
                ConsentView {
                    id: id.to_string(),
                    citizen: person.to_string(),
                    office,
                    category,
                    purpose,
                    legal_basis,
                    template_version: version.to_string(),
                    granted_at: granted_at.to_rfc3339(),
                    expires_at: expires_at.map(Timestamp::to_rfc3339),
                    revoked_at: revoked_at.map(Timestamp::to_rfc3339),
                    state: state.to_owned(),
                    events: events
                        .iter()
                        .filter(|(consent, ..)| *consent == id)
                        .map(|(_, kind, occurred_at, detail)| ConsentEventView {
                            kind: kind.clone(),
                            occurred_at: occurred_at.to_rfc3339(),
                            detail: detail.clone(),
                        })
                        .collect(),
                }
            })
            .collect())
    }
}
