//! "My data": the person's data by category and which offices may see each right now and why,
//! decided by the very policy function the gate enforces (so the citizen's picture and the
//! staff's view cannot drift apart).

use std::collections::{BTreeMap, BTreeSet};

use sqlx::types::Json;

use super::SelfService;
use crate::{
    consent::{CategoryOverview, FieldView, MyData, NamedCode, Visibility},
    localized::Localized,
    office::OfficeCode,
    policy::{Basis, Category, Decision, Purpose, Reader, decide},
    server::{
        auth::ActingFor,
        db::{ApplicationId, EmergencyId, Timestamp, on_backend},
        error::ServiceError,
        gate::{FACTS, FactRow, PROTECTIONS, facts, protection, vocabulary_in},
    },
};

/// code, names, descriptions, special category.
type CategoryRow = (String, String, String, String, String, bool);

fn rfc3339(seconds: i64) -> Option<String> {
    time::OffsetDateTime::from_unix_timestamp(seconds).ok().map(|at| Timestamp::from(at).to_rfc3339())
}

impl SelfService {
    /// The data of the person of `acting` by category, with who may see it now.
    pub async fn my_data(&self, acting: &ActingFor) -> Result<MyData, ServiceError> {
        let (citizen, person) = (acting.citizen(), acting.person());
        let (who, _) = self.person(citizen, person).await?;
        let now = Timestamp::now();
        let mut by_office: Vec<(OfficeCode, crate::policy::Facts)> = Vec::new();
        let (offices, categories, vocabulary, kept, references, deferred, protections) = on_backend!(self.database, pool => {
            let mut connection = pool.acquire().await?;
            let offices: Vec<(OfficeCode, String, String)> =
                sqlx::query_as("SELECT code, name_de, name_en FROM offices ORDER BY code").fetch_all(&mut *connection).await?;
            for (office, ..) in &offices {
                let rows: Vec<FactRow> =
                    sqlx::query_as(FACTS).bind(person).bind(office).fetch_all(&mut *connection).await?;
                by_office.push((office.clone(), facts(now, office, person, &rows)));
            }
            let categories: Vec<CategoryRow> = sqlx::query_as(
                "SELECT code, name_de, name_en, description_de, description_en, special_category FROM data_categories ORDER BY sort_order",
            )
            .fetch_all(&mut *connection)
            .await?;
            let vocabulary = vocabulary_in!(&self.vocabulary, &mut *connection)?;
            let kept: Vec<(String, Json<serde_json::Value>)> =
                sqlx::query_as("SELECT category_code, data FROM citizen_data WHERE citizen_id = $1")
                    .bind(person)
                    .fetch_all(&mut *connection)
                    .await?;
            let references: Vec<(ApplicationId, String, String)> =
                sqlx::query_as("SELECT id, reference, benefit_type_code FROM applications WHERE citizen_id = $1")
                .bind(person)
                .fetch_all(&mut *connection)
                .await?;
            // Emergency accesses a recorded deferral still holds back from the citizen.
            let deferred: Vec<EmergencyId> = sqlx::query_scalar(
                "SELECT d.emergency_access_id FROM access_log_deferrals d JOIN emergency_accesses e ON e.id = d.emergency_access_id \
                 WHERE e.citizen_id = $1 AND d.visible_from > $2",
            )
            .bind(person)
            .bind(now)
            .fetch_all(&mut *connection)
            .await?;
            let protections: Vec<(String, Timestamp)> =
                sqlx::query_as(PROTECTIONS).bind(person).fetch_all(&mut *connection).await?;
            Ok::<_, sqlx::Error>((offices, categories, vocabulary, kept, references, deferred, protections))
        })?;
        let deferred: BTreeSet<String> = deferred.into_iter().map(|id| id.to_string()).collect();
        let references: BTreeMap<String, (String, String)> =
            references.into_iter().map(|(id, reference, benefit)| (id.to_string(), (reference, benefit))).collect();
        let kept: BTreeMap<String, serde_json::Value> =
            kept.into_iter().map(|(code, Json(value))| (code, value)).collect();

        // Every purpose each office could read for, asked of the policy category by category.
        let mut seen: BTreeMap<Category, Vec<Visibility>> = BTreeMap::new();
        for (office, facts) in &by_office {
            let reader = Reader::Caseworker { office: office.clone() };
            let mut purposes: Vec<Purpose> = facts
                .applications
                .iter()
                .map(|application| Purpose::Application { application: application.id.clone() })
                .collect();
            let consented: BTreeSet<&String> = facts.consents.iter().map(|consent| &consent.purpose).collect();
            purposes.extend(consented.into_iter().map(|purpose| Purpose::Consented { purpose: purpose.clone() }));
            // A deferred emergency access stays out of this picture as it stays out of the log.
            purposes.extend(
                facts
                    .emergencies
                    .iter()
                    .filter(|emergency| !deferred.contains(&emergency.id))
                    .map(|emergency| Purpose::Emergency { emergency: emergency.id.clone() }),
            );
            for category in Category::ALL {
                for purpose in &purposes {
                    let Decision::Allow(basis) = decide(&reader, category, purpose, facts) else { continue };
                    let visibility = match basis {
                        Basis::Application { application } => Visibility {
                            office: office.to_string(),
                            basis: "application".to_owned(),
                            reference: references.get(&application).map(|(reference, _)| reference.clone()),
                            purpose: None,
                            until: None,
                            // As the gate reads: only the fields the application's form asks for.
                            fields: Some(
                                references
                                    .get(&application)
                                    .map(|(_, benefit)| vocabulary.keys_asked_by(benefit, category.code()))
                                    .unwrap_or_default(),
                            ),
                        },
                        Basis::Consent { consent } => Visibility {
                            office: office.to_string(),
                            basis: "consent".to_owned(),
                            reference: None,
                            purpose: facts
                                .consents
                                .iter()
                                .find(|fact| fact.id == consent)
                                .map(|fact| fact.purpose.clone()),
                            until: facts
                                .consents
                                .iter()
                                .find(|fact| fact.id == consent)
                                .and_then(|fact| fact.expires_at)
                                .and_then(rfc3339),
                            fields: None,
                        },
                        Basis::Emergency { emergency } => Visibility {
                            office: office.to_string(),
                            basis: "emergency".to_owned(),
                            reference: None,
                            purpose: None,
                            until: facts
                                .emergencies
                                .iter()
                                .find(|fact| fact.id == emergency)
                                .and_then(|fact| fact.expires_at)
                                .and_then(rfc3339),
                            fields: None,
                        },
                        Basis::OwnData | Basis::MinorChild => continue,
                    };
                    seen.entry(category).or_default().push(visibility);
                }
            }
        }

        Ok(MyData {
            citizen: who.id,
            citizen_name: who.name,
            offices: offices
                .into_iter()
                .map(|(code, name_de, name_en)| NamedCode::from((code.to_string(), name_de, name_en)))
                .collect(),
            categories: categories
                .into_iter()
                .map(|(code, name_de, name_en, description_de, description_en, special)| {
                    let fields = match kept.get(&code) {
                        Some(serde_json::Value::Object(values)) => values
                            .iter()
                            .map(|(key, value)| {
                                let label = vocabulary.label(None, &code, key);
                                FieldView {
                                    key: key.clone(),
                                    label: label.map_or_else(
                                        || Localized::new(key.clone(), key.clone()),
                                        |label| label.label.clone(),
                                    ),
                                    value: value.clone(),
                                }
                            })
                            .collect(),
                        _ => Vec::new(),
                    };
                    let seen_by =
                        Category::from_code(&code).and_then(|category| seen.remove(&category)).unwrap_or_default();
                    let editable = vocabulary.asks_for(&code);
                    CategoryOverview {
                        code,
                        name: Localized::new(name_de, name_en),
                        description: Localized::new(description_de, description_en),
                        special,
                        fields,
                        seen_by,
                        editable,
                    }
                })
                .collect(),
            protections: protections.into_iter().map(protection).collect(),
        })
    }
}
