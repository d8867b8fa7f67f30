//! Everything Klarsicht keeps about one person, for the person: their data, their
//! applications, their consent records (in the structure of ISO/IEC TS 27560) and the reads of
//! their data.

use std::collections::BTreeMap;

use sqlx::types::Json;

use super::SelfService;
use crate::{
    consent::{
        ApplicationRecord, ConsentNotice, ConsentPurpose, ConsentRecord, ConsentRecordEvent, ConsentView, DataExport,
    },
    server::{
        auth::ActingFor,
        db::{ApplicationId, Timestamp, on_backend},
        error::ServiceError,
        gate::{PROTECTIONS, protection},
    },
    status::ApplicationStatus,
};

/// id, reference, benefit type, office, status, created, submitted, decided, decision reason, closed.
type ApplicationRow = (
    ApplicationId,
    String,
    String,
    String,
    ApplicationStatus,
    Timestamp,
    Option<Timestamp>,
    Option<Timestamp>,
    Option<String>,
    Option<Timestamp>,
);

/// category, its data.
type DataRow = (String, Json<serde_json::Value>);

/// The version of the record structure below; raised when a field changes.
const CONSENT_RECORD_SCHEMA: &str = "klarsicht-iso-iec-ts-27560-1";

fn consent_record(consent: ConsentView) -> ConsentRecord {
    let status = match consent.state.as_str() {
        "revoked" => "withdrawn",
        other => other,
    };
    ConsentRecord {
        schema_version: CONSENT_RECORD_SCHEMA.to_owned(),
        record_id: consent.id,
        pii_principal_id: consent.citizen,
        pii_controller: consent.office.clone(),
        notice: ConsentNotice { notice_id: consent.template_version, language: "de".to_owned() },
        purposes: vec![ConsentPurpose {
            purpose: consent.purpose,
            lawful_basis: match consent.legal_basis.as_str() {
                "art_9_2_a" => "GDPR Art. 9(2)(a)".to_owned(),
                _ => "GDPR Art. 6(1)(a)".to_owned(),
            },
            pii_categories: vec![consent.category],
            pii_recipients: vec![consent.office],
        }],
        consent_status: status.to_owned(),
        consent_timestamp: consent.granted_at,
        expiry: consent.expires_at,
        withdrawal_timestamp: consent.revoked_at,
        events: consent
            .events
            .into_iter()
            .map(|event| ConsentRecordEvent {
                event_type: match event.kind.as_str() {
                    "granted" => "given".to_owned(),
                    "revoked" => "withdrawn".to_owned(),
                    other => other.to_owned(),
                },
                event_timestamp: event.occurred_at,
                detail: event.detail,
            })
            .collect(),
    }
}

impl SelfService {
    /// All that is kept about the person of `acting`.
    pub async fn data_export(&self, acting: &ActingFor) -> Result<DataExport, ServiceError> {
        let (citizen, person) = (acting.citizen(), acting.person());
        let (who, _) = self.person(citizen, person).await?;
        type Rows = (Option<Option<String>>, Vec<DataRow>, Vec<ApplicationRow>, Vec<(String, Timestamp)>);
        let (birth_date, data, applications, protections): Rows = on_backend!(self.database, pool => {
            let birth_date = sqlx::query_scalar("SELECT birth_date FROM citizens WHERE id = $1")
                .bind(person)
                .fetch_optional(pool)
                .await?;
            let data = sqlx::query_as("SELECT category_code, data FROM citizen_data WHERE citizen_id = $1 ORDER BY category_code")
                .bind(person)
                .fetch_all(pool)
                .await?;
            let applications = sqlx::query_as(
                "SELECT id, reference, benefit_type_code, office_code, status, created_at, submitted_at, decided_at, \
                 decision_reason, closed_at FROM applications WHERE citizen_id = $1 ORDER BY created_at, id",
            )
            .bind(person)
            .fetch_all(pool)
            .await?;
            let protections = sqlx::query_as(PROTECTIONS).bind(person).fetch_all(pool).await?;
            Ok::<_, sqlx::Error>((birth_date, data, applications, protections))
        })?;
        let consents = self.consents_of(acting).await?;
        // Every read, not only the newest the page shows: the export is the right of access.
        let log = self.access_log_of(person, i64::MAX).await?;
        Ok(DataExport {
            generated_at: Timestamp::now().to_rfc3339(),
            person: who,
            birth_date: birth_date.flatten(),
            data: data.into_iter().map(|(category, Json(value))| (category, value)).collect::<BTreeMap<_, _>>(),
            applications: applications
                .into_iter()
                .map(|(id, reference, benefit_type, office, status, created, submitted, decided, reason, closed)| {
                    ApplicationRecord {
                        id: id.to_string(),
                        reference,
                        benefit_type,
                        office,
                        status,
                        created_at: created.to_rfc3339(),
                        submitted_at: submitted.map(Timestamp::to_rfc3339),
                        decided_at: decided.map(Timestamp::to_rfc3339),
                        decision_reason: reason,
                        closed_at: closed.map(Timestamp::to_rfc3339),
                    }
                })
                .collect(),
            consent_records: consents.into_iter().map(consent_record).collect(),
            access_log: log.entries,
            access_log_gaps: log.gaps,
            protections: protections.into_iter().map(protection).collect(),
        })
    }
}
