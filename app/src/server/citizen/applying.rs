//! Applying for help. A citizen's draft is one application per chosen kind of help, status
//! `draft`, for one person (the citizen or their minor child); its answers are kept per topic
//! (data category) in `application_answers` as they are given, so a reload, an expired session
//! or a restart loses nothing. The pages of the flow are the topics of the chosen forms, merged:
//! a topic two forms share is asked once. Submitting turns every draft into a submitted
//! application in one transaction, keeps the answers as the person's data (kept once, reused
//! everywhere) and grants the sharings the citizen added.
//!
//! A draft is no basis for reading: the policy lets an office see nothing of a draft.

use std::collections::{BTreeMap, BTreeSet};

use sqlx::types::Json;

use super::{
    SelfService,
    consents::{OFFERS, OfferRow, grant_in, offer},
    flow::{Answers, DraftRow, Flow, QuestionRow, Step, answers_for, flow_path, kept_answers, question_views, steps},
};
use crate::{
    applying::{
        AnswerSection, ApplyStart, BenefitOption, CheckAnswers, DraftStep, OfficePreview, Receipt, ReceiptConsent,
        ReceiptItem, StepSaved,
    },
    consent::{NamedCode, PersonView, RequiredCategory},
    localized::Localized,
    server::{
        auth::{ActingFor, Citizen},
        db::{ApplicationEventId, ApplicationId, BeginWrite, CitizenId, SharingId, TemplateVersionId, Timestamp, on_backend},
        error::{ServiceError, invalid},
    },
};

/// Kind of help (code, names, descriptions), office (code, names).
type BenefitRow = (String, String, String, String, String, String, String, String, String);

/// The questions of the forms of the chosen kinds of help; the SQL is the same for all.
pub(super) const QUESTIONS: &str = "SELECT s.benefit_type_code, s.category_code, c.sort_order, s.title_de, s.title_en, q.position, q.key, \
     q.label_de, q.label_en, q.help_de, q.help_en, q.kind, q.options, q.required FROM form_sections s \
     JOIN data_categories c ON c.code = s.category_code JOIN form_questions q ON q.section_id = s.id \
     ORDER BY c.sort_order, s.benefit_type_code, q.position";
const DRAFTS: &str = "SELECT id, benefit_type_code, template_version_id FROM applications \
     WHERE citizen_id = $1 AND submitted_by_citizen_id = $2 AND status = 'draft' ORDER BY benefit_type_code";
const DRAFT_ANSWERS: &str = "SELECT aa.application_id, aa.category_code, aa.answers FROM application_answers aa \
     JOIN applications a ON a.id = aa.application_id \
     WHERE a.citizen_id = $1 AND a.submitted_by_citizen_id = $2 AND a.status = 'draft'";
/// The newest published consent template version of each kind of help.
const NEWEST_VERSIONS: &str = "SELECT t.benefit_type_code, v.id FROM consent_template_versions v \
     JOIN consent_templates t ON t.id = v.template_id WHERE v.status = 'published' AND v.version = \
       (SELECT MAX(newest.version) FROM consent_template_versions newest \
        WHERE newest.template_id = v.template_id AND newest.status = 'published')";
const BENEFITS: &str = "SELECT b.code, b.name_de, b.name_en, b.description_de, b.description_en, o.code, o.name_de, o.name_en, o.kind \
     FROM benefit_types b JOIN offices o ON o.code = b.office_code WHERE b.active AND o.active ORDER BY b.name_de";

/// Loads the flow of `$person` filled in by `$citizen` on `$connection`. Evaluates to
/// `Result<Flow, sqlx::Error>`.
macro_rules! load_flow {
    ($connection:expr, $person:expr, $citizen:expr) => {
        async {
            let connection = $connection;
            let drafts: Vec<DraftRow> =
                sqlx::query_as(DRAFTS).bind($person).bind($citizen).fetch_all(&mut *connection).await?;
            let rows: Vec<QuestionRow> = sqlx::query_as(QUESTIONS).fetch_all(&mut *connection).await?;
            let kept: Vec<(ApplicationId, String, Json<Answers>)> =
                sqlx::query_as(DRAFT_ANSWERS).bind($person).bind($citizen).fetch_all(&mut *connection).await?;
            let mut answers: BTreeMap<String, Answers> = BTreeMap::new();
            for (_, category, Json(values)) in kept {
                answers.entry(category).or_default().extend(values);
            }
            let benefits: BTreeSet<String> = drafts.iter().map(|(_, benefit, _)| benefit.clone()).collect();
            Ok::<Flow, sqlx::Error>(Flow { drafts, steps: steps(rows, &benefits), answers })
        }
        .await
    };
}

/// Keeps `answers` of `step` in every draft whose form asks that topic.
macro_rules! store_answers {
    ($connection:expr, $flow:expr, $step:expr, $answers:expr, $now:expr) => {
        async {
            let connection = $connection;
            let (step, answers, now): (&Step, &Answers, Timestamp) = ($step, $answers, $now);
            for (draft, benefit, _) in &$flow.drafts {
                if !step.keys_by_benefit.contains_key(benefit) {
                    continue;
                }
                sqlx::query(
                    "INSERT INTO application_answers (application_id, category_code, answers, updated_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (application_id, category_code) DO UPDATE SET answers = excluded.answers, updated_at = excluded.updated_at",
                )
                .bind(*draft)
                .bind(&step.name.category)
                .bind(Json(answers_for(step, benefit, answers)))
                .bind(now)
                .execute(&mut *connection)
                .await?;
                sqlx::query("UPDATE applications SET updated_at = $1 WHERE id = $2").bind(now).bind(*draft).execute(&mut *connection).await?;
            }
            Ok::<(), sqlx::Error>(())
        }
        .await
    };
}

/// How a submission ended.
#[derive(Debug)]
pub enum Submission {
    /// The applications, submitted.
    Submitted(Vec<ApplicationId>),
    /// Some answer is missing or does not fit; nothing was submitted.
    Incomplete,
    /// A kind of help got a new consent template version since the citizen checked; the drafts
    /// now follow it and the citizen checks again.
    TermsChanged,
}

impl SelfService {
    /// Which help `person` may apply for: a minor child the help of a youth office, an adult
    /// the other kinds.
    async fn benefit_options(&self, person: &PersonView, chosen: &BTreeSet<String>) -> Result<Vec<BenefitOption>, ServiceError> {
        let child = !person.is_self;
        let rows: Vec<BenefitRow> = on_backend!(self.database, pool => sqlx::query_as(BENEFITS).fetch_all(pool).await)
            .map_err(crate::server::db::DatabaseError::from)?;
        Ok(rows
            .into_iter()
            .filter(|row| (row.8 == "youth") == child)
            .map(|(code, name_de, name_en, description_de, description_en, office, office_de, office_en, _)| BenefitOption {
                chosen: chosen.contains(&code),
                benefit: NamedCode { code, name: Localized::new(name_de, name_en) },
                description: Localized::new(description_de, description_en),
                office: NamedCode { code: office, name: Localized::new(office_de, office_en) },
            })
            .collect())
    }

    /// The start of the flow for `person`: the help they may apply for, what is chosen so far.
    pub async fn apply_start(&self, acting: &ActingFor) -> Result<ApplyStart, ServiceError> {
        let (citizen, person) = (acting.citizen(), acting.person());
        let (person_view, people) = self.person(citizen, person).await?;
        let drafts: Vec<DraftRow> = on_backend!(self.database, pool =>
            sqlx::query_as(DRAFTS).bind(person).bind(citizen.id()).fetch_all(pool).await)
        .map_err(crate::server::db::DatabaseError::from)?;
        let chosen = drafts.into_iter().map(|(_, benefit, _)| benefit).collect();
        let benefits = self.benefit_options(&person_view, &chosen).await?;
        Ok(ApplyStart { person: person_view, people, benefits })
    }

    /// Makes the draft of `person` one application for each kind of help in `chosen` (a draft
    /// no longer chosen is dropped), filled in from the person's data where nothing was
    /// answered yet. Answers the address of the first page.
    pub async fn choose_benefits(&self, acting: &ActingFor, chosen: &[String]) -> Result<String, ServiceError> {
        let (citizen, person) = (acting.citizen(), acting.person());
        let (person_view, _) = self.person(citizen, person).await?;
        let chosen: BTreeSet<String> = chosen.iter().map(|code| code.trim().to_owned()).collect();
        let offered = self.benefit_options(&person_view, &BTreeSet::new()).await?;
        if chosen.is_empty() {
            return Err(invalid("benefits", "choose at least one kind of help"));
        }
        if !chosen.iter().all(|code| offered.iter().any(|option| &option.benefit.code == code)) {
            return Err(invalid("benefits", "choose from the kinds of help offered to you"));
        }
        // Two first drafts at once may pick the same next reference number; the loser tries again.
        for attempt in 1..=3 {
            match self.choose_once(citizen, person, &chosen).await {
                Err(ServiceError::Database(error)) if attempt < 3 && error.is_unique_violation() => continue,
                other => return other.map(|first| flow_path(&format!("schritt/{first}"), &person_view)),
            }
        }
        Err(invalid("benefits", "please try again"))
    }

    async fn choose_once(&self, citizen: &Citizen, person: CitizenId, chosen: &BTreeSet<String>) -> Result<String, ServiceError> {
        let now = Timestamp::now();
        let year = now.as_offset_date_time().year();
        let first = on_backend!(self.database, pool => {
            let mut transaction = pool.begin_write().await?;
            let connection = &mut *transaction;
            let drafts: Vec<DraftRow> =
                sqlx::query_as(DRAFTS).bind(person).bind(citizen.id()).fetch_all(&mut *connection).await?;
            for (draft, benefit, _) in &drafts {
                if !chosen.contains(benefit) {
                    sqlx::query("DELETE FROM applications WHERE id = $1 AND status = 'draft'").bind(*draft).execute(&mut *connection).await?;
                }
            }
            let newest: Vec<(String, TemplateVersionId)> = sqlx::query_as(NEWEST_VERSIONS).fetch_all(&mut *connection).await?;
            let benefits: Vec<(String, String)> = sqlx::query_as("SELECT code, office_code FROM benefit_types").fetch_all(&mut *connection).await?;
            for benefit in chosen.iter().filter(|benefit| !drafts.iter().any(|(_, drafted, _)| drafted == *benefit)) {
                let (Some((_, version)), Some((_, office))) =
                    (newest.iter().find(|(code, _)| code == benefit), benefits.iter().find(|(code, _)| code == benefit))
                else {
                    return Err(invalid("benefits", "this kind of help cannot be applied for at the moment"));
                };
                let last: Option<String> = sqlx::query_scalar(
                    "SELECT MAX(reference) FROM applications WHERE reference LIKE $1",
                )
                .bind(format!("KS-{year}-%"))
                .fetch_one(&mut *connection)
                .await?;
                let number = last.and_then(|last| last.rsplit('-').next().and_then(|n| n.parse::<u64>().ok())).unwrap_or(0) + 1;
                let draft = ApplicationId::new();
                sqlx::query(
                    "INSERT INTO applications (id, reference, citizen_id, submitted_by_citizen_id, benefit_type_code, office_code, \
                     template_version_id, status, assigned_staff_id, decision_reason, created_at, updated_at, submitted_at, decided_at, closed_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, 'draft', NULL, NULL, $8, $8, NULL, NULL, NULL)",
                )
                .bind(draft)
                .bind(format!("KS-{year}-{number:06}"))
                .bind(person)
                .bind(citizen.id())
                .bind(benefit)
                .bind(office)
                .bind(*version)
                .bind(now)
                .execute(&mut *connection)
                .await?;
                sqlx::query(
                    "INSERT INTO application_events (id, application_id, occurred_at, actor_kind, actor_id, kind, detail) \
                     VALUES ($1, $2, $3, 'citizen', $4, 'created', NULL)",
                )
                .bind(ApplicationEventId::new())
                .bind(draft)
                .bind(now)
                .bind(citizen.id())
                .execute(&mut *connection)
                .await?;
            }
            let flow = load_flow!(&mut *connection, person, citizen.id())?;
            // Every topic is filled in once: from what was answered in another draft, else from
            // the person's data (the parent's contact details for a child), else their name.
            let kept: Vec<(String, Json<Answers>)> =
                sqlx::query_as("SELECT category_code, data FROM citizen_data WHERE citizen_id = $1").bind(person).fetch_all(&mut *connection).await?;
            let parent_contact: Option<Json<Answers>> = sqlx::query_scalar(
                "SELECT data FROM citizen_data WHERE citizen_id = $1 AND category_code = 'contact'",
            )
            .bind(citizen.id())
            .fetch_optional(&mut *connection)
            .await?;
            let names: Option<(String, String, Option<String>)> =
                sqlx::query_as("SELECT given_name, family_name, birth_date FROM citizens WHERE id = $1").bind(person).fetch_optional(&mut *connection).await?;
            let answered: Vec<(ApplicationId, String)> = sqlx::query_as(
                "SELECT aa.application_id, aa.category_code FROM application_answers aa JOIN applications a ON a.id = aa.application_id \
                 WHERE a.citizen_id = $1 AND a.submitted_by_citizen_id = $2 AND a.status = 'draft'",
            )
            .bind(person)
            .bind(citizen.id())
            .fetch_all(&mut *connection)
            .await?;
            for step in &flow.steps {
                let category = &step.name.category;
                let answers = match flow.answers.get(category) {
                    Some(answers) => answers.clone(),
                    None => match kept.iter().find(|(code, _)| code == category) {
                        Some((_, Json(data))) => data.clone(),
                        None if category == "contact" && person != citizen.id() => {
                            parent_contact.clone().map(|Json(data)| data).unwrap_or_default()
                        }
                        None if category == "identity" => names.clone().map(|(given, family, born)| {
                            let mut data = Answers::new();
                            data.insert("vorname".to_owned(), given.into());
                            data.insert("nachname".to_owned(), family.into());
                            data.insert("geburtsdatum".to_owned(), born.map(Into::into).unwrap_or(serde_json::Value::Null));
                            data
                        }).unwrap_or_default(),
                        None => Answers::new(),
                    },
                };
                for (draft, benefit, _) in &flow.drafts {
                    if !step.keys_by_benefit.contains_key(benefit) || answered.iter().any(|(id, code)| id == draft && code == category) {
                        continue;
                    }
                    sqlx::query(
                        "INSERT INTO application_answers (application_id, category_code, answers, updated_at) VALUES ($1, $2, $3, $4)",
                    )
                    .bind(*draft)
                    .bind(category)
                    .bind(Json(answers_for(step, benefit, &answers)))
                    .bind(now)
                    .execute(&mut *connection)
                    .await?;
                }
            }
            transaction.commit().await?;
            Ok::<String, ServiceError>(flow.steps.first().map(|step| step.name.category.clone()).unwrap_or_default())
        })?;
        Ok(first)
    }

    /// The page of topic `category` of `person`'s draft, with the answers kept so far; their
    /// problems when `judged`.
    pub async fn draft_step(&self, acting: &ActingFor, category: &str, judged: bool) -> Result<DraftStep, ServiceError> {
        let (citizen, person) = (acting.citizen(), acting.person());
        let (person_view, _) = self.person(citizen, person).await?;
        let flow = on_backend!(self.database, pool => {
            let mut connection = pool.acquire().await?;
            load_flow!(&mut *connection, person, citizen.id())
        })
        .map_err(crate::server::db::DatabaseError::from)?;
        let Some(index) = flow.steps.iter().position(|step| step.name.category == category) else {
            return Err(ServiceError::NotFound);
        };
        let step = &flow.steps[index];
        Ok(DraftStep {
            person: person_view,
            steps: flow.steps.iter().map(|step| step.name.clone()).collect(),
            index,
            questions: question_views(step, flow.answers.get(category), judged),
        })
    }

    /// Keeps the answers of topic `category` (even those that do not fit, so nothing written is
    /// lost) and says where to go: the next page when they all fit, this page again otherwise.
    pub async fn save_step(
        &self,
        acting: &ActingFor,
        category: &str,
        given: &BTreeMap<String, String>,
    ) -> Result<StepSaved, ServiceError> {
        let (citizen, person) = (acting.citizen(), acting.person());
        let (person_view, _) = self.person(citizen, person).await?;
        let now = Timestamp::now();
        let saved = on_backend!(self.database, pool => {
            let mut transaction = pool.begin_write().await?;
            let connection = &mut *transaction;
            let flow = load_flow!(&mut *connection, person, citizen.id())?;
            let Some(index) = flow.steps.iter().position(|step| step.name.category == category) else {
                return Err(ServiceError::NotFound);
            };
            let step = &flow.steps[index];
            let (answers, complete) = kept_answers(step, given);
            store_answers!(&mut *connection, flow, step, &answers, now)?;
            transaction.commit().await?;
            let next = match (complete, flow.steps.get(index + 1)) {
                (false, _) => format!("{}{}fehler=1", flow_path(&format!("schritt/{category}"), &person_view), if person_view.is_self { "?" } else { "&" }),
                (true, Some(next)) => flow_path(&format!("schritt/{}", next.name.category), &person_view),
                (true, None) => flow_path("pruefen", &person_view),
            };
            Ok::<StepSaved, ServiceError>(StepSaved { complete, next })
        })?;
        Ok(saved)
    }

    /// The check-your-answers page: every answer, and for each office what it receives with
    /// the application and on which legal basis, and which sharings the citizen may add.
    pub async fn check_answers(&self, acting: &ActingFor) -> Result<CheckAnswers, ServiceError> {
        let (citizen, person) = (acting.citizen(), acting.person());
        let (person_view, _) = self.person(citizen, person).await?;
        type RequiredRow = (TemplateVersionId, String, String, String, String, String, String);
        type IntroRow = (String, TemplateVersionId, String, String);
        let (flow, intros, required, sharings) = on_backend!(self.database, pool => {
            let mut connection = pool.acquire().await?;
            let flow = load_flow!(&mut *connection, person, citizen.id())?;
            let intros: Vec<IntroRow> = sqlx::query_as(
                "SELECT t.benefit_type_code, v.id, v.intro_de, v.intro_en FROM consent_template_versions v \
                 JOIN consent_templates t ON t.id = v.template_id",
            )
            .fetch_all(&mut *connection)
            .await?;
            let required: Vec<RequiredRow> = sqlx::query_as(
                "SELECT r.version_id, r.category_code, c.name_de, c.name_en, r.legal_basis, r.explanation_de, r.explanation_en \
                 FROM template_required_categories r JOIN data_categories c ON c.code = r.category_code ORDER BY c.sort_order",
            )
            .fetch_all(&mut *connection)
            .await?;
            let sharings: Vec<OfferRow> = sqlx::query_as(OFFERS).fetch_all(&mut *connection).await?;
            Ok::<_, sqlx::Error>((flow, intros, required, sharings))
        })
        .map_err(crate::server::db::DatabaseError::from)?;
        let options = self.benefit_options(&person_view, &flow.benefits()).await?;
        let offices = flow
            .drafts
            .iter()
            .filter_map(|(_, benefit, version)| {
                let option = options.iter().find(|option| &option.benefit.code == benefit)?;
                let (_, _, intro_de, intro_en) = intros.iter().find(|(_, id, ..)| id == version)?.clone();
                Some(OfficePreview {
                    version: version.to_string(),
                    benefit: option.benefit.clone(),
                    office: option.office.clone(),
                    intro: Localized::new(intro_de, intro_en),
                    required: required
                        .iter()
                        .filter(|row| row.0 == *version)
                        .map(|(_, code, name_de, name_en, legal_basis, explanation_de, explanation_en)| RequiredCategory {
                            category: NamedCode {
                                code: code.clone(),
                                name: Localized::new(name_de.clone(), name_en.clone()),
                            },
                            legal_basis: legal_basis.clone(),
                            explanation: Localized::new(explanation_de.clone(), explanation_en.clone()),
                        })
                        .collect(),
                    sharings: sharings
                        .iter()
                        .filter(|row| row.0 == *version)
                        .map(offer)
                        .collect(),
                })
            })
            .collect();
        let sections = flow
            .steps
            .iter()
            .map(|step| {
                let answers = question_views(step, flow.answers.get(&step.name.category), true);
                AnswerSection {
                    step: step.name.clone(),
                    incomplete: answers.iter().any(|answer| answer.problem.is_some()),
                    answers,
                }
            })
            .collect();
        Ok(CheckAnswers { person: person_view, sections, offices })
    }

    /// Submits `person`'s draft: every application at once or none, the answers kept as the
    /// person's data, and the chosen `sharings` (of the template versions the citizen saw,
    /// `versions`) granted for their longest validity.
    pub async fn submit_draft(
        &self,
        acting: &ActingFor,
        versions: &BTreeSet<TemplateVersionId>,
        sharings: &BTreeSet<SharingId>,
    ) -> Result<Submission, ServiceError> {
        let (citizen, person) = (acting.citizen(), acting.person());
        self.person(citizen, person).await?;
        let now = Timestamp::now();
        let submission = on_backend!(self.database, pool => {
            let mut transaction = pool.begin_write().await?;
            let connection = &mut *transaction;
            let flow = load_flow!(&mut *connection, person, citizen.id())?;
            if flow.drafts.is_empty() {
                return Err(ServiceError::NotFound);
            }
            if !flow.complete() {
                return Ok(Submission::Incomplete);
            }
            // The citizen confirmed what they saw; a newer template version is shown first.
            let newest: Vec<(String, TemplateVersionId)> = sqlx::query_as(NEWEST_VERSIONS).fetch_all(&mut *connection).await?;
            let mut changed = false;
            for (draft, benefit, version) in &flow.drafts {
                let newest = newest.iter().find(|(code, _)| code == benefit).map(|(_, id)| *id);
                if newest.is_some_and(|newest| newest != *version) {
                    sqlx::query("UPDATE applications SET template_version_id = $1 WHERE id = $2")
                        .bind(newest)
                        .bind(*draft)
                        .execute(&mut *connection)
                        .await?;
                    changed = true;
                }
            }
            let drafted: BTreeSet<TemplateVersionId> = flow.drafts.iter().map(|(_, _, version)| *version).collect();
            if changed || &drafted != versions {
                transaction.commit().await?;
                return Ok(Submission::TermsChanged);
            }
            let offered: Vec<SharingId> = sqlx::query_scalar("SELECT id FROM template_optional_sharings WHERE version_id IN (SELECT template_version_id FROM applications WHERE citizen_id = $1 AND submitted_by_citizen_id = $2 AND status = 'draft')")
                .bind(person)
                .bind(citizen.id())
                .fetch_all(&mut *connection)
                .await?;
            if !sharings.iter().all(|sharing| offered.contains(sharing)) {
                return Err(invalid("sharings", "choose from the sharings offered with this application"));
            }
            for (draft, _, _) in &flow.drafts {
                let submitted = sqlx::query(
                    "UPDATE applications SET status = 'submitted', submitted_at = $1, updated_at = $1 WHERE id = $2 AND status = 'draft'",
                )
                .bind(now)
                .bind(*draft)
                .execute(&mut *connection)
                .await?
                .rows_affected();
                if submitted != 1 {
                    return Err(invalid("application", "this application was submitted meanwhile"));
                }
                sqlx::query(
                    "INSERT INTO application_events (id, application_id, occurred_at, actor_kind, actor_id, kind, detail) \
                     VALUES ($1, $2, $3, 'citizen', $4, 'submitted', NULL)",
                )
                .bind(ApplicationEventId::new())
                .bind(*draft)
                .bind(now)
                .bind(citizen.id())
                .execute(&mut *connection)
                .await?;
            }
            // Kept once, reused everywhere: the answers become the person's data.
            for step in &flow.steps {
                let category = &step.name.category;
                let existing: Option<Json<Answers>> =
                    sqlx::query_scalar("SELECT data FROM citizen_data WHERE citizen_id = $1 AND category_code = $2")
                        .bind(person)
                        .bind(category)
                        .fetch_optional(&mut *connection)
                        .await?;
                let mut data = existing.map(|Json(data)| data).unwrap_or_default();
                for (key, value) in flow.answers.get(category).into_iter().flatten() {
                    match value {
                        serde_json::Value::Null => data.remove(key),
                        value => data.insert(key.clone(), value.clone()),
                    };
                }
                sqlx::query(
                    "INSERT INTO citizen_data (citizen_id, category_code, data, updated_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (citizen_id, category_code) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
                )
                .bind(person)
                .bind(category)
                .bind(Json(&data))
                .bind(now)
                .execute(&mut *connection)
                .await?;
            }
            for sharing in sharings {
                grant_in!(&mut *connection, citizen.id(), person, *sharing, None, now)?;
            }
            transaction.commit().await?;
            Ok::<Submission, ServiceError>(Submission::Submitted(flow.drafts.iter().map(|(id, ..)| *id).collect()))
        })?;
        Ok(submission)
    }

    /// The receipt of submitted applications of a person `citizen` acts for; `NotFound` when
    /// any of them is not.
    pub async fn receipt(&self, citizen: &Citizen, applications: &[ApplicationId]) -> Result<Receipt, ServiceError> {
        type ItemRow = (CitizenId, TemplateVersionId, String, Option<Timestamp>, String, String, String, String, String, String, String);
        type ConsentRow = (String, String, String, String, String, String, String, Option<Timestamp>);
        let people = self.people_acted_for(citizen).await?;
        let mut items: Vec<ItemRow> = Vec::new();
        let (items, required, consents) = on_backend!(self.database, pool => {
            let mut connection = pool.acquire().await?;
            for application in applications {
                let row: Option<ItemRow> = sqlx::query_as(
                    "SELECT a.citizen_id, a.template_version_id, a.reference, a.submitted_at, b.code, b.name_de, b.name_en, \
                     o.code, o.name_de, o.name_en, a.status FROM applications a JOIN benefit_types b ON b.code = a.benefit_type_code \
                     JOIN offices o ON o.code = a.office_code WHERE a.id = $1 AND a.status <> 'draft'",
                )
                .bind(*application)
                .fetch_optional(&mut *connection)
                .await?;
                match row {
                    Some(row) => items.push(row),
                    None => return Err(ServiceError::NotFound),
                }
            }
            let required: Vec<(TemplateVersionId, String, String, String)> = sqlx::query_as(
                "SELECT r.version_id, c.code, c.name_de, c.name_en FROM template_required_categories r \
                 JOIN data_categories c ON c.code = r.category_code ORDER BY c.sort_order",
            )
            .fetch_all(&mut *connection)
            .await?;
            let submitted_at = items.first().and_then(|item| item.3);
            let consents: Vec<ConsentRow> = match (items.first(), submitted_at) {
                (Some(item), Some(at)) => sqlx::query_as(
                    "SELECT c.category_code, k.name_de, k.name_en, c.recipient_office_code, o.name_de, o.name_en, c.purpose, c.expires_at \
                     FROM consent_events e JOIN consents c ON c.id = e.consent_id JOIN data_categories k ON k.code = c.category_code \
                     JOIN offices o ON o.code = c.recipient_office_code \
                     WHERE c.citizen_id = $1 AND e.occurred_at = $2 AND e.kind IN ('granted', 'renewed') ORDER BY k.sort_order",
                )
                .bind(item.0)
                .bind(at)
                .fetch_all(&mut *connection)
                .await?,
                _ => Vec::new(),
            };
            Ok::<_, ServiceError>((items, required, consents))
        })?;
        let Some(first) = items.first() else { return Err(ServiceError::NotFound) };
        let person = first.0;
        // All of one person, one the citizen acts for.
        if items.iter().any(|item| item.0 != person) {
            return Err(ServiceError::NotFound);
        }
        let Some(person) = people.iter().find(|candidate| candidate.id == person.to_string()).cloned() else {
            return Err(ServiceError::NotFound);
        };
        let submitted_by = people.iter().find(|candidate| candidate.is_self).map(|me| me.name.clone()).unwrap_or_default();
        Ok(Receipt {
            person,
            submitted_by,
            submitted_at: first.3.map(Timestamp::to_rfc3339).unwrap_or_default(),
            applications: items
                .iter()
                .map(|(_, version, reference, _, benefit, benefit_de, benefit_en, office, office_de, office_en, _)| {
                    ReceiptItem {
                        reference: reference.clone(),
                        benefit: NamedCode {
                            code: benefit.clone(),
                            name: Localized::new(benefit_de.clone(), benefit_en.clone()),
                        },
                        office: NamedCode {
                            code: office.clone(),
                            name: Localized::new(office_de.clone(), office_en.clone()),
                        },
                        categories: required
                            .iter()
                            .filter(|row| row.0 == *version)
                            .map(|(_, code, name_de, name_en)| NamedCode {
                                code: code.clone(),
                                name: Localized::new(name_de.clone(), name_en.clone()),
                            })
                            .collect(),
                    }
                })
                .collect(),
            consents: consents
                .into_iter()
                .map(|(category, category_de, category_en, office, office_de, office_en, purpose, until)| ReceiptConsent {
                    category: NamedCode { code: category, name: Localized::new(category_de, category_en) },
                    recipient: NamedCode { code: office, name: Localized::new(office_de, office_en) },
                    purpose,
                    until: until.map(Timestamp::to_rfc3339),
                })
                .collect(),
        })
    }
}
