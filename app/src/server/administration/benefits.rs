//! Benefit types and their application forms: names and descriptions, the responsible office,
//! whether citizens are offered it, and the form's sections (one data category each) and
//! questions. A question's key is its answer's name in the citizen's data of that category, so
//! it is fixed once created, and the same key is asked as the same kind everywhere.

use sqlx::types::Json;

use super::{ServiceError, Administration, Audit, invalid};
use crate::{
    admin::{BenefitTypeView, ChoiceOption, FormQuestionView, FormSectionView, QUESTION_KINDS},
    localized::{Localized, MaybeLocalized},
    office::OfficeCode,
    server::{
        auth::Administrator,
        db::{BeginWrite, DatabaseError, Id, QuestionId, SectionId, on_backend},
    },
};

/// What a benefit type is to be.
#[derive(Clone, Debug)]
pub struct BenefitInput {
    pub code: String,
    pub name_de: String,
    pub name_en: String,
    pub description_de: String,
    pub description_en: String,
    pub office: OfficeCode,
    pub active: bool,
}

/// What a question is to be.
#[derive(Clone, Debug, serde::Serialize)]
pub struct QuestionInput {
    pub key: String,
    pub label_de: String,
    pub label_en: String,
    pub help_de: Option<String>,
    pub help_en: Option<String>,
    pub kind: String,
    pub options: Vec<ChoiceOption>,
    pub required: bool,
}

/// Where a section or question goes: up, down, or out of the form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    Up,
    Down,
    Remove,
}

/// The answers of a choice question as written, one per line: `value | Deutsch | English`.
pub fn choice_options(text: &str) -> Result<Vec<ChoiceOption>, ServiceError> {
    let problem = || invalid("options", "write one answer per line as: value | Deutsch | English");
    let options = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| {
            let parts: Vec<&str> = line.split('|').map(str::trim).collect();
            let [value, label_de, label_en] = parts.as_slice() else { return Err(problem()) };
            let value = super::code("options", value).map_err(|_| problem())?;
            if label_de.is_empty() || label_en.is_empty() {
                return Err(problem());
            }
            Ok(ChoiceOption { value, label: Localized::new(*label_de, *label_en) })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(options)
}

/// benefit (code, names, descriptions), office, active, has a published template.
type BenefitRow = (String, String, String, String, String, String, bool, bool);
/// id, benefit, position, titles, category.
type SectionRow = (SectionId, String, i64, String, String, String);
/// id, section, position, key, labels, helps, kind, options, required.
type QuestionRow = (QuestionId, SectionId, i64, String, String, String, Option<String>, Option<String>, String, Option<Json<Vec<ChoiceOption>>>, bool);

/// Every benefit type with its form, read on `$connection`.
macro_rules! load_benefits {
    ($connection:expr) => {
        async {
            let benefits: Vec<BenefitRow> = sqlx::query_as(
                "SELECT b.code, b.name_de, b.name_en, b.description_de, b.description_en, b.office_code, b.active, \
                 EXISTS (SELECT 1 FROM consent_templates t JOIN consent_template_versions v ON v.template_id = t.id \
                   WHERE t.benefit_type_code = b.code AND v.status = 'published') FROM benefit_types b ORDER BY b.code",
            )
            .fetch_all(&mut *$connection)
            .await?;
            let sections: Vec<SectionRow> = sqlx::query_as(
                "SELECT id, benefit_type_code, position, title_de, title_en, category_code FROM form_sections ORDER BY position",
            )
            .fetch_all(&mut *$connection)
            .await?;
            let questions: Vec<QuestionRow> = sqlx::query_as(
                "SELECT id, section_id, position, key, label_de, label_en, help_de, help_en, kind, options, required \
                 FROM form_questions ORDER BY position",
            )
            .fetch_all(&mut *$connection)
            .await?;
            Ok::<Vec<BenefitTypeView>, sqlx::Error>(assemble(benefits, sections, questions))
        }
        .await
    };
}

fn assemble(benefits: Vec<BenefitRow>, sections: Vec<SectionRow>, questions: Vec<QuestionRow>) -> Vec<BenefitTypeView> {
    let question = |row: &QuestionRow| FormQuestionView {
        id: row.0.to_string(),
        position: row.2,
        key: row.3.clone(),
        label: Localized::new(row.4.clone(), row.5.clone()),
        help: MaybeLocalized::new(row.6.clone(), row.7.clone()),
        kind: row.8.clone(),
        options: row.9.as_ref().map(|Json(options)| options.clone()).unwrap_or_default(),
        required: row.10,
    };
    benefits
        .into_iter()
        .map(|(code, name_de, name_en, description_de, description_en, office, active, has_published_template)| {
            let sections = sections
                .iter()
                .filter(|section| section.1 == code)
                .map(|(id, _, position, title_de, title_en, category)| FormSectionView {
                    id: id.to_string(),
                    position: *position,
                    title: Localized::new(title_de.clone(), title_en.clone()),
                    category: category.clone(),
                    questions: questions.iter().filter(|row| row.1 == *id).map(question).collect(),
                })
                .collect();
            let name = Localized::new(name_de, name_en);
            let description = Localized::new(description_de, description_en);
            BenefitTypeView { code, name, description, office, active, has_published_template, sections }
        })
        .collect()
}

/// The section `$id` and its benefit type, read on `$connection`; `NotFound` when there is none.
macro_rules! section_in {
    ($connection:expr, $id:expr) => {
        async {
            let id: SectionId = $id;
            let benefits = load_benefits!($connection)?;
            benefits
                .into_iter()
                .find_map(|benefit| {
                    let section = benefit.sections.iter().find(|section| section.id == id.to_string()).cloned()?;
                    Some((benefit, section))
                })
                .ok_or(ServiceError::NotFound)
        }
        .await
    };
}

/// Moves row `$id` of `$table` one place up or down among the rows with the same `$group`
/// column value, swapping positions with its neighbour (through a free position, as positions
/// are unique). Answers whether it moved.
macro_rules! swap_position {
    ($connection:expr, $table:literal, $group:literal, $id:expr, $up:expr) => {
        async {
            // A section's or a question's, and its neighbour of the same kind.
            let id: Id<_> = $id;
            let (group, position): (String, i64) =
                sqlx::query_as(concat!("SELECT CAST(", $group, " AS TEXT), position FROM ", $table, " WHERE id = $1"))
                    .bind(id)
                    .fetch_one(&mut *$connection)
                    .await?;
            let neighbour: Option<(Id<_>, i64)> = sqlx::query_as(if $up {
                concat!("SELECT id, position FROM ", $table, " WHERE CAST(", $group, " AS TEXT) = $1 AND position < $2 ORDER BY position DESC LIMIT 1")
            } else {
                concat!("SELECT id, position FROM ", $table, " WHERE CAST(", $group, " AS TEXT) = $1 AND position > $2 ORDER BY position LIMIT 1")
            })
            .bind(&group)
            .bind(position)
            .fetch_optional(&mut *$connection)
            .await?;
            let Some((other, other_position)) = neighbour else { return Ok::<bool, sqlx::Error>(false) };
            for (row, to) in [(id, -1), (other, position), (id, other_position)] {
                sqlx::query(concat!("UPDATE ", $table, " SET position = $2 WHERE id = $1"))
                    .bind(row)
                    .bind(to)
                    .execute(&mut *$connection)
                    .await?;
            }
            Ok(true)
        }
        .await
    };
}

/// The changes to a form below answer the benefit type whose form it is.
impl Administration {
    /// Every benefit type with its application form, for an administrator.
    pub async fn benefit_types(&self, _admin: &Administrator) -> Result<Vec<BenefitTypeView>, DatabaseError> {
        let benefits = on_backend!(self.database, pool => {
            let mut connection = pool.acquire().await?;
            load_benefits!(connection)
        })?;
        Ok(benefits)
    }

    /// Creates the benefit type `input.code`, or changes it. It is offered to citizens only
    /// once a consent template is published for it and its form asks something.
    pub async fn save_benefit(&self, admin: &Administrator, input: BenefitInput) -> Result<(), ServiceError> {
        on_backend!(self.database, pool => {
            let mut transaction = pool.begin_write().await?;
            let office: Option<bool> = sqlx::query_scalar("SELECT active FROM offices WHERE code = $1")
                .bind(&input.office)
                .fetch_optional(&mut *transaction)
                .await?;
            if office != Some(true) {
                return Err(invalid("office", "choose an active office from the list"));
            }
            let before = load_benefits!(transaction)?.into_iter().find(|benefit| benefit.code == input.code);
            if input.active {
                let ready = before.as_ref().is_some_and(|benefit| {
                    benefit.has_published_template && benefit.sections.iter().any(|section| !section.questions.is_empty())
                });
                if !ready {
                    return Err(invalid("active", "publish a consent template and add questions to the form before citizens are offered it"));
                }
            }
            let action = if before.is_some() {
                sqlx::query(
                    "UPDATE benefit_types SET name_de = $2, name_en = $3, description_de = $4, description_en = $5, office_code = $6, \
                     active = $7 WHERE code = $1",
                )
                .bind(&input.code)
                .bind(&input.name_de)
                .bind(&input.name_en)
                .bind(&input.description_de)
                .bind(&input.description_en)
                .bind(&input.office)
                .bind(input.active)
                .execute(&mut *transaction)
                .await?;
                "benefit_changed"
            } else {
                sqlx::query(
                    "INSERT INTO benefit_types (code, name_de, name_en, description_de, description_en, office_code, active) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(&input.code)
                .bind(&input.name_de)
                .bind(&input.name_en)
                .bind(&input.description_de)
                .bind(&input.description_en)
                .bind(&input.office)
                .bind(input.active)
                .execute(&mut *transaction)
                .await?;
                "benefit_created"
            };
            let detail = serde_json::json!({
                "before": before.map(|b| serde_json::json!({ "name_de": b.name.de, "name_en": b.name.en, "office": b.office, "active": b.active })),
                "after": { "name_de": input.name_de, "name_en": input.name_en, "description_de": input.description_de,
                    "description_en": input.description_en, "office": input.office, "active": input.active },
            });
            audit_in!(transaction, Audit { by: admin.id(), action, target_kind: "benefit_type", target: input.code.clone(), detail })?;
            transaction.commit().await?;
            Ok::<(), ServiceError>(())
        })
    }

    /// Adds a section to `benefit`'s form (at the end), or changes `section`'s titles. Each
    /// section collects one data category, each category once per form; a section's category
    /// is fixed once created (answers were given to it).
    pub async fn save_section(
        &self,
        admin: &Administrator,
        benefit: &str,
        section: Option<SectionId>,
        title_de: String,
        title_en: String,
        category: String,
    ) -> Result<SectionId, ServiceError> {
        on_backend!(self.database, pool => {
            let mut transaction = pool.begin_write().await?;
            let benefits = load_benefits!(transaction)?;
            let Some(found) = benefits.into_iter().find(|candidate| candidate.code == benefit) else {
                return Err(invalid("benefit", "choose a benefit type from the list"));
            };
            let id = match section {
                Some(section) => {
                    let Some(before) = found.sections.iter().find(|candidate| candidate.id == section.to_string()) else {
                        return Err(ServiceError::NotFound);
                    };
                    sqlx::query("UPDATE form_sections SET title_de = $2, title_en = $3 WHERE id = $1")
                        .bind(section)
                        .bind(&title_de)
                        .bind(&title_en)
                        .execute(&mut *transaction)
                        .await?;
                    let detail = serde_json::json!({ "benefit": benefit, "before": { "title_de": before.title.de, "title_en": before.title.en },
                        "after": { "title_de": title_de, "title_en": title_en } });
                    audit_in!(transaction, Audit { by: admin.id(), action: "form_section_changed", target_kind: "form_section", target: section.to_string(), detail })?;
                    section
                }
                None => {
                    let known: Option<String> = sqlx::query_scalar("SELECT code FROM data_categories WHERE code = $1")
                        .bind(&category)
                        .fetch_optional(&mut *transaction)
                        .await?;
                    if known.is_none() {
                        return Err(invalid("category", "choose a data category from the list"));
                    }
                    if found.sections.iter().any(|candidate| candidate.category == category) {
                        return Err(invalid("category", "the form has a section for this category already; add the questions there"));
                    }
                    let id = SectionId::new();
                    let position = found.sections.iter().map(|candidate| candidate.position).max().unwrap_or(0) + 1;
                    sqlx::query(
                        "INSERT INTO form_sections (id, benefit_type_code, position, title_de, title_en, category_code) VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(id)
                    .bind(benefit)
                    .bind(position)
                    .bind(&title_de)
                    .bind(&title_en)
                    .bind(&category)
                    .execute(&mut *transaction)
                    .await?;
                    let detail = serde_json::json!({ "benefit": benefit, "title_de": title_de, "title_en": title_en, "category": category });
                    audit_in!(transaction, Audit { by: admin.id(), action: "form_section_added", target_kind: "form_section", target: id.to_string(), detail })?;
                    id
                }
            };
            transaction.commit().await?;
            Ok::<SectionId, ServiceError>(id)
        })
    }

    /// Moves a section up or down in its form, or takes it out with its questions (the answers
    /// citizens gave stay in their data).
    pub async fn place_section(&self, admin: &Administrator, section: SectionId, placement: Placement) -> Result<String, ServiceError> {
        on_backend!(self.database, pool => {
            let mut transaction = pool.begin_write().await?;
            let (benefit, before) = section_in!(transaction, section)?;
            match placement {
                Placement::Remove => {
                    sqlx::query("DELETE FROM form_questions WHERE section_id = $1").bind(section).execute(&mut *transaction).await?;
                    sqlx::query("DELETE FROM form_sections WHERE id = $1").bind(section).execute(&mut *transaction).await?;
                }
                Placement::Up | Placement::Down => {
                    swap_position!(transaction, "form_sections", "benefit_type_code", section, placement == Placement::Up)?;
                }
            }
            let detail = serde_json::json!({ "benefit": benefit.code, "placement": format!("{placement:?}"), "section": before });
            audit_in!(transaction, Audit { by: admin.id(), action: "form_section_placed", target_kind: "form_section", target: section.to_string(), detail })?;
            transaction.commit().await?;
            Ok::<String, ServiceError>(benefit.code)
        })
    }

    /// Adds a question to `section` (at the end), or changes `question` (its key stays). A key
    /// asked elsewhere for the same category must be asked as the same kind: the answer is one
    /// value in the citizen's data.
    pub async fn save_question(
        &self,
        admin: &Administrator,
        section: SectionId,
        question: Option<QuestionId>,
        input: QuestionInput,
    ) -> Result<(QuestionId, String), ServiceError> {
        if !QUESTION_KINDS.contains(&input.kind.as_str()) {
            return Err(invalid("kind", "choose the kind of answer from the list"));
        }
        if (input.kind == "choice") != !input.options.is_empty() || (input.kind == "choice" && input.options.len() < 2) {
            return Err(invalid("options", "a choice needs at least two answers, other kinds none"));
        }
        on_backend!(self.database, pool => {
            let mut transaction = pool.begin_write().await?;
            let benefits = load_benefits!(transaction)?;
            let Some((benefit, found)) = benefits.iter().find_map(|benefit| {
                let found = benefit.sections.iter().find(|candidate| candidate.id == section.to_string())?;
                Some((benefit.code.clone(), found.clone()))
            }) else {
                return Err(ServiceError::NotFound);
            };
            let before = match question {
                Some(question) => Some(found.questions.iter().find(|candidate| candidate.id == question.to_string()).cloned().ok_or(ServiceError::NotFound)?),
                None => None,
            };
            let key = before.as_ref().map(|before| before.key.clone()).unwrap_or_else(|| input.key.clone());
            if before.is_none() && found.questions.iter().any(|candidate| candidate.key == key) {
                return Err(invalid("key", "this section asks a question with this key already"));
            }
            let elsewhere = benefits
                .iter()
                .flat_map(|benefit| &benefit.sections)
                .filter(|other| other.category == found.category)
                .flat_map(|other| &other.questions)
                .find(|other| other.key == key && Some(&other.id) != before.as_ref().map(|before| &before.id));
            if elsewhere.is_some_and(|other| other.kind != input.kind) {
                return Err(invalid("kind", "this key is asked elsewhere with another kind of answer; use that kind or another key"));
            }
            let options = (!input.options.is_empty()).then_some(Json(&input.options));
            let id = match question {
                Some(question) => {
                    sqlx::query(
                        "UPDATE form_questions SET label_de = $2, label_en = $3, help_de = $4, help_en = $5, kind = $6, options = $7, \
                         required = $8 WHERE id = $1",
                    )
                    .bind(question)
                    .bind(&input.label_de)
                    .bind(&input.label_en)
                    .bind(input.help_de.as_deref())
                    .bind(input.help_en.as_deref())
                    .bind(&input.kind)
                    .bind(options)
                    .bind(input.required)
                    .execute(&mut *transaction)
                    .await?;
                    question
                }
                None => {
                    let id = QuestionId::new();
                    let position = found.questions.iter().map(|candidate| candidate.position).max().unwrap_or(0) + 1;
                    sqlx::query(
                        "INSERT INTO form_questions (id, section_id, position, key, label_de, label_en, help_de, help_en, kind, options, required) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                    )
                    .bind(id)
                    .bind(section)
                    .bind(position)
                    .bind(&key)
                    .bind(&input.label_de)
                    .bind(&input.label_en)
                    .bind(input.help_de.as_deref())
                    .bind(input.help_en.as_deref())
                    .bind(&input.kind)
                    .bind(options)
                    .bind(input.required)
                    .execute(&mut *transaction)
                    .await?;
                    id
                }
            };
            let detail = serde_json::json!({ "section": section.to_string(), "before": before, "after": QuestionInput { key, ..input } });
            audit_in!(transaction, Audit { by: admin.id(), action: "form_question_saved", target_kind: "form_question", target: id.to_string(), detail })?;
            transaction.commit().await?;
            Ok::<(QuestionId, String), ServiceError>((id, benefit))
        })
    }

    /// Moves a question up or down in its section, or takes it out of the form (the answers
    /// citizens gave stay in their data).
    pub async fn place_question(&self, admin: &Administrator, question: QuestionId, placement: Placement) -> Result<String, ServiceError> {
        on_backend!(self.database, pool => {
            let mut transaction = pool.begin_write().await?;
            let benefits = load_benefits!(transaction)?;
            let Some((benefit, before)) = benefits.iter().find_map(|benefit| {
                let found = benefit.sections.iter().flat_map(|section| &section.questions).find(|candidate| candidate.id == question.to_string())?;
                Some((benefit.code.clone(), found.clone()))
            }) else {
                return Err(ServiceError::NotFound);
            };
            match placement {
                Placement::Remove => {
                    sqlx::query("DELETE FROM form_questions WHERE id = $1").bind(question).execute(&mut *transaction).await?;
                }
                Placement::Up | Placement::Down => {
                    swap_position!(transaction, "form_questions", "section_id", question, placement == Placement::Up)?;
                }
            }
            let detail = serde_json::json!({ "placement": format!("{placement:?}"), "question": before });
            audit_in!(transaction, Audit { by: admin.id(), action: "form_question_placed", target_kind: "form_question", target: question.to_string(), detail })?;
            transaction.commit().await?;
            Ok::<String, ServiceError>(benefit)
        })
    }
}
