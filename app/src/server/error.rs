//! Why a service did not do what was asked: one error for the gate and the administration.
//! The server functions (`crate::api`) turn it into the caller's answer with `?`.
//!
//! A unique constraint is the only guard against two writers at the same moment (a check read
//! before the write sees neither the other's row nor its lock), so the constraints a person can
//! run into are named here once, each with the field it belongs to and how to fix it.

use crate::server::db::DatabaseError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// Nothing of that name exists for the caller (whether it exists for others is not said).
    #[error("not found")]
    NotFound,
    /// An input does not fit; `message` says how to fix it.
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
    #[error(transparent)]
    Database(DatabaseError),
}

/// `field` does not fit; `message` says how to fix it.
pub fn invalid(field: &'static str, message: impl Into<String>) -> ServiceError {
    ServiceError::Invalid { field, message: message.into() }
}

/// The unique constraints a person can run into: PostgreSQL's name for it, the columns SQLite
/// names in its message instead, and the field and fix the person is told.
const TAKEN: &[Taken] = &[
    Taken {
        postgres: "offices_pkey",
        sqlite: &["offices.code"],
        field: "code",
        message: "an office with this code exists already: choose another code, or change that office in the list",
    },
    Taken {
        postgres: "benefit_types_pkey",
        sqlite: &["benefit_types.code"],
        field: "code",
        message: "a benefit type with this code exists already: choose another code, or change that one in the list",
    },
    Taken {
        postgres: "staff_members_oidc_subject_key",
        sqlite: &["staff_members.oidc_subject"],
        field: "subject",
        message: "another staff member signs in with this subject already",
    },
    Taken {
        postgres: "staff_members_email",
        sqlite: &["staff_members.email", "staff_members_email"],
        field: "email",
        message: "a staff member with this e-mail address exists already: two accounts are two people",
    },
    Taken {
        postgres: "form_questions_section_id_key_key",
        sqlite: &["form_questions.section_id, form_questions.key"],
        field: "key",
        message: "this section asks a question with this key already",
    },
    Taken {
        postgres: "form_questions_section_id_position_key",
        sqlite: &["form_questions.section_id, form_questions.position"],
        field: "key",
        message: "somebody changed this section at the same moment: reload the page and add the question again",
    },
    Taken {
        postgres: "form_sections_benefit_type_code_position_key",
        sqlite: &["form_sections.benefit_type_code, form_sections.position"],
        field: "category",
        message: "somebody changed this form at the same moment: reload the page and add the section again",
    },
    Taken {
        postgres: "consent_template",
        sqlite: &["consent_template"],
        field: "benefit",
        message: "somebody started a new version of this template at the same moment: reload the page and edit that one",
    },
];

struct Taken {
    postgres: &'static str,
    sqlite: &'static [&'static str],
    field: &'static str,
    message: &'static str,
}

impl Taken {
    /// The constraint `error` names, if it is one a person can run into. PostgreSQL names the
    /// constraint or index; SQLite names the columns (or an expression index) in its message.
    fn of(error: &dyn sqlx::error::DatabaseError) -> Option<&'static Self> {
        if !error.is_unique_violation() {
            return None;
        }
        let message = error.message();
        TAKEN.iter().find(|taken| match error.constraint() {
            Some(constraint) => constraint.starts_with(taken.postgres),
            None => taken.sqlite.iter().any(|columns| message.contains(columns)),
        })
    }
}

impl From<DatabaseError> for ServiceError {
    fn from(error: DatabaseError) -> Self {
        if let DatabaseError::Query(sqlx::Error::Database(database)) = &error
            && let Some(taken) = Taken::of(database.as_ref())
        {
            return invalid(taken.field, taken.message);
        }
        Self::Database(error)
    }
}

impl From<sqlx::Error> for ServiceError {
    fn from(error: sqlx::Error) -> Self {
        Self::from(DatabaseError::from(error))
    }
}
