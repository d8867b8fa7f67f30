//! Correcting one's data in place, one category at a time. The questions are those every form
//! asks of the category, merged; answers are checked as in the application flow. What a form
//! needs and is kept may be corrected but not emptied; anything else may be left empty, which
//! removes it. A change counts everywhere at once: offices read the person's data, not a copy.

use std::collections::{BTreeMap, BTreeSet};

use sqlx::types::Json;

use super::{
    SelfService,
    applying::QUESTIONS,
    flow::{Answers, QuestionRow, Step, kept_answers, question_views, steps},
};
use crate::{
    applying::DataEdit,
    consent::NamedCode,
    localized::Localized,
    server::{
        auth::ActingFor,
        db::{BeginWrite, CitizenId, DatabaseError, Timestamp, on_backend},
        error::ServiceError,
    },
};

/// The category's name, its page of questions, and what the person's data holds of it.
type Loaded = (NamedCode, Step, Answers);

impl SelfService {
    /// The questions of `category` for `person` and what is kept, or `NotFound`.
    async fn load_data_category(&self, person: CitizenId, category: &str) -> Result<Loaded, ServiceError> {
        type Rows = (Vec<QuestionRow>, Option<(String, String)>, Option<Json<Answers>>);
        let (rows, name, kept): Rows =
            on_backend!(self.database, pool => {
                let rows = sqlx::query_as(QUESTIONS).fetch_all(pool).await?;
                let name = sqlx::query_as("SELECT name_de, name_en FROM data_categories WHERE code = $1")
                    .bind(category)
                    .fetch_optional(pool)
                    .await?;
                let kept = sqlx::query_scalar("SELECT data FROM citizen_data WHERE citizen_id = $1 AND category_code = $2")
                    .bind(person)
                    .bind(category)
                    .fetch_optional(pool)
                    .await?;
                Ok::<_, sqlx::Error>((rows, name, kept))
            })
            .map_err(DatabaseError::from)?;
        let every_form: BTreeSet<String> = rows.iter().map(|row| row.0.clone()).collect();
        let (Some((name_de, name_en)), Some(mut step)) =
            (name, steps(rows, &every_form).into_iter().find(|step| step.name.category == category))
        else {
            return Err(ServiceError::NotFound);
        };
        let kept = kept.map(|Json(kept)| kept).unwrap_or_default();
        // What a form needs may be corrected but not emptied once it is kept.
        for question in &mut step.questions {
            question.required &= kept.get(&question.key).is_some_and(|value| !value.is_null());
        }
        Ok((NamedCode { code: category.to_owned(), name: Localized::new(name_de, name_en) }, step, kept))
    }

    /// The page to correct `person`'s data of `category`: what is kept, or `written` (answers
    /// that did not fit) with their problems.
    pub async fn data_edit(
        &self,
        acting: &ActingFor,
        category: &str,
        written: Option<&BTreeMap<String, String>>,
    ) -> Result<DataEdit, ServiceError> {
        let (citizen, person) = (acting.citizen(), acting.person());
        let (person_view, _) = self.person(citizen, person).await?;
        let (category, step, kept) = self.load_data_category(person, category).await?;
        let questions = match written {
            Some(written) => {
                let written: Answers =
                    written.iter().map(|(key, value)| (key.clone(), serde_json::Value::String(value.clone()))).collect();
                question_views(&step, Some(&written), true)
            }
            None => question_views(&step, Some(&kept), false),
        };
        Ok(DataEdit { person: person_view, category, questions })
    }

    /// Keeps `given` as `person`'s data of `category` when every answer fits (`true`); keeps
    /// nothing otherwise (`false`). An empty answer removes what was kept.
    pub async fn save_data(
        &self,
        acting: &ActingFor,
        category: &str,
        given: &BTreeMap<String, String>,
    ) -> Result<bool, ServiceError> {
        let person = acting.person();
        let (category, step, mut data) = self.load_data_category(person, category).await?;
        let (answers, complete) = kept_answers(&step, given);
        if !complete {
            return Ok(false);
        }
        for (key, value) in answers {
            match value {
                serde_json::Value::Null => data.remove(&key),
                value => data.insert(key, value),
            };
        }
        let now = Timestamp::now();
        on_backend!(self.database, pool => {
            let mut transaction = pool.begin_write().await?;
            if data.is_empty() {
                sqlx::query("DELETE FROM citizen_data WHERE citizen_id = $1 AND category_code = $2")
                    .bind(person)
                    .bind(&category.code)
                    .execute(&mut *transaction)
                    .await?;
            } else {
                sqlx::query(
                    "INSERT INTO citizen_data (citizen_id, category_code, data, updated_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (citizen_id, category_code) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
                )
                .bind(person)
                .bind(&category.code)
                .bind(Json(&data))
                .bind(now)
                .execute(&mut *transaction)
                .await?;
            }
            transaction.commit().await
        })
        .map_err(DatabaseError::from)?;
        Ok(true)
    }
}
