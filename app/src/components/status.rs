//! Where an application, an emergency access or a protection flag stands, in plain words:
//! the same words on every page that shows it.

use leptos_i18n::I18nContext;

use crate::i18n::*;

/// An application's status in the staff's words.
pub fn staff_status(i18n: I18nContext<Locale>, status: &str) -> &'static str {
    match status {
        "submitted" => t_string!(i18n, queue.status_submitted),
        "in_review" => t_string!(i18n, queue.status_in_review),
        "waiting_for_citizen" => t_string!(i18n, queue.status_waiting),
        "approved" => t_string!(i18n, queue.status_approved),
        "rejected" => t_string!(i18n, queue.status_rejected),
        "withdrawn" => t_string!(i18n, queue.status_withdrawn),
        _ => t_string!(i18n, queue.status_closed),
    }
}

pub fn status_text(i18n: I18nContext<Locale>, status: &str) -> &'static str {
    match status {
        "draft" => t_string!(i18n, overview.status_draft),
        "submitted" => t_string!(i18n, overview.status_submitted),
        "in_review" => t_string!(i18n, overview.status_in_review),
        "waiting_for_citizen" => t_string!(i18n, overview.status_waiting),
        "approved" => t_string!(i18n, overview.status_approved),
        "rejected" => t_string!(i18n, overview.status_rejected),
        "withdrawn" => t_string!(i18n, overview.status_withdrawn),
        _ => t_string!(i18n, overview.status_closed),
    }
}

pub fn status_class(status: &str) -> &'static str {
    match status {
        "draft" | "waiting_for_citizen" => "tag tag--waiting",
        "approved" => "tag tag--approved",
        "rejected" => "tag tag--rejected",
        "submitted" | "in_review" => "tag tag--new",
        _ => "tag",
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
