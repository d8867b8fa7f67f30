//! Where an application, an emergency access or a protection flag stands, in plain words:
//! the same words on every page that shows it.

use leptos_i18n::I18nContext;

use crate::{i18n::*, status::ApplicationStatus};

/// An application's status in the staff's words (a draft never reaches them).
pub fn staff_status(i18n: I18nContext<Locale>, status: ApplicationStatus) -> &'static str {
    match status {
        ApplicationStatus::Submitted => t_string!(i18n, queue.status_submitted),
        ApplicationStatus::InReview => t_string!(i18n, queue.status_in_review),
        ApplicationStatus::WaitingForCitizen => t_string!(i18n, queue.status_waiting),
        ApplicationStatus::Approved => t_string!(i18n, queue.status_approved),
        ApplicationStatus::Rejected => t_string!(i18n, queue.status_rejected),
        ApplicationStatus::Withdrawn => t_string!(i18n, queue.status_withdrawn),
        ApplicationStatus::Closed | ApplicationStatus::Draft => t_string!(i18n, queue.status_closed),
    }
}

/// A status named by its code (in a history line, in a count), in the staff's words.
pub fn staff_status_code(i18n: I18nContext<Locale>, code: &str) -> &'static str {
    staff_status(i18n, ApplicationStatus::from_code(code).unwrap_or(ApplicationStatus::Closed))
}

/// An application's status in the citizen's words.
pub fn status_text(i18n: I18nContext<Locale>, status: ApplicationStatus) -> &'static str {
    match status {
        ApplicationStatus::Draft => t_string!(i18n, overview.status_draft),
        ApplicationStatus::Submitted => t_string!(i18n, overview.status_submitted),
        ApplicationStatus::InReview => t_string!(i18n, overview.status_in_review),
        ApplicationStatus::WaitingForCitizen => t_string!(i18n, overview.status_waiting),
        ApplicationStatus::Approved => t_string!(i18n, overview.status_approved),
        ApplicationStatus::Rejected => t_string!(i18n, overview.status_rejected),
        ApplicationStatus::Withdrawn => t_string!(i18n, overview.status_withdrawn),
        ApplicationStatus::Closed => t_string!(i18n, overview.status_closed),
    }
}

/// A status named by its code (in a history line), in the citizen's words.
pub fn status_text_code(i18n: I18nContext<Locale>, code: &str) -> &'static str {
    status_text(i18n, ApplicationStatus::from_code(code).unwrap_or(ApplicationStatus::Closed))
}

/// The tag's look for a status: waiting, decided either way, new, or done.
pub fn status_class(status: ApplicationStatus) -> &'static str {
    match status {
        ApplicationStatus::Draft | ApplicationStatus::WaitingForCitizen => "tag tag--waiting",
        ApplicationStatus::Approved => "tag tag--approved",
        ApplicationStatus::Rejected => "tag tag--rejected",
        ApplicationStatus::Submitted | ApplicationStatus::InReview => "tag tag--new",
        ApplicationStatus::Closed | ApplicationStatus::Withdrawn => "tag",
    }
}

pub fn emergency_status(i18n: I18nContext<Locale>, status: &str) -> &'static str {
    match status {
        "pending" => t_string!(i18n, emergency.status_pending),
        "confirmed" => t_string!(i18n, emergency.status_confirmed),
        "expired" => t_string!(i18n, emergency.status_expired),
        "ended" => t_string!(i18n, emergency.status_ended),
        _ => t_string!(i18n, emergency.status_rejected),
    }
}

pub fn flag_kind_text(i18n: I18nContext<Locale>, kind: &str) -> &'static str {
    match kind {
        "address_block" => t_string!(i18n, case.flag_address_block),
        "domestic_violence" => t_string!(i18n, case.flag_domestic_violence),
        _ => t_string!(i18n, case.flag_other),
    }
}
