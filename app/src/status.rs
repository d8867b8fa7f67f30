//! Where an application stands, in one place: its statuses, which of them the office still
//! works on, and the SQL lists made from them.

use serde::{Deserialize, Serialize};

/// An application's status, as the database keeps it (`code`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    /// Being filled in by the citizen; nothing of it reaches an office.
    Draft,
    Submitted,
    InReview,
    WaitingForCitizen,
    Approved,
    Rejected,
    Closed,
    Withdrawn,
}

impl ApplicationStatus {
    pub const ALL: [Self; 8] = [
        Self::Draft,
        Self::Submitted,
        Self::InReview,
        Self::WaitingForCitizen,
        Self::Approved,
        Self::Rejected,
        Self::Closed,
        Self::Withdrawn,
    ];

    /// The statuses in which the office still works on an application: it takes documents and
    /// messages, asks for more, and decides.
    pub const OPEN: [Self; 3] = [Self::Submitted, Self::InReview, Self::WaitingForCitizen];

    /// The statuses of a decision that may still be withdrawn.
    pub const DECIDED: [Self; 2] = [Self::Approved, Self::Rejected];

    pub fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::InReview => "in_review",
            Self::WaitingForCitizen => "waiting_for_citizen",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Closed => "closed",
            Self::Withdrawn => "withdrawn",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.code() == code)
    }

    pub fn is_open(self) -> bool {
        Self::OPEN.contains(&self)
    }

    pub fn is_decided(self) -> bool {
        Self::DECIDED.contains(&self)
    }

    /// `statuses` as an SQL list, `('submitted', 'in_review')`. Only these fixed codes are
    /// written into SQL text this way, never a value from outside.
    pub fn sql_list(statuses: &[Self]) -> String {
        let codes: Vec<String> = statuses.iter().map(|status| format!("'{}'", status.code())).collect();
        format!("({})", codes.join(", "))
    }
}

/// Read from the `status` column on both databases; the column's check allows only the codes.
#[cfg(feature = "ssr")]
mod column {
    use sqlx::{Database, Decode, Type, error::BoxDynError};

    use super::ApplicationStatus;

    impl<DB: Database> Type<DB> for ApplicationStatus
    where
        str: Type<DB>,
    {
        fn type_info() -> DB::TypeInfo {
            <str as Type<DB>>::type_info()
        }

        fn compatible(info: &DB::TypeInfo) -> bool {
            <str as Type<DB>>::compatible(info)
        }
    }

    impl<'r, DB: Database> Decode<'r, DB> for ApplicationStatus
    where
        &'r str: Decode<'r, DB>,
    {
        fn decode(value: DB::ValueRef<'r>) -> Result<Self, BoxDynError> {
            let code = <&'r str as Decode<'r, DB>>::decode(value)?;
            ApplicationStatus::from_code(code).ok_or_else(|| format!("not an application status: {code:?}").into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ApplicationStatus;

    #[test]
    fn every_status_reads_back_from_its_code_is_its_code_on_the_wire_and_only_the_three_working_ones_are_open() {
        for status in ApplicationStatus::ALL {
            assert_eq!(ApplicationStatus::from_code(status.code()), Some(status));
            // On the wire, in the views, a status is its code.
            assert_eq!(serde_json::to_value(status).expect("a status serializes"), serde_json::json!(status.code()));
        }
        let open: Vec<&str> = ApplicationStatus::ALL.into_iter().filter(|s| s.is_open()).map(|s| s.code()).collect();
        assert_eq!(open, ["submitted", "in_review", "waiting_for_citizen"]);
        assert_eq!(
            ApplicationStatus::sql_list(&ApplicationStatus::OPEN),
            "('submitted', 'in_review', 'waiting_for_citizen')"
        );
    }
}
