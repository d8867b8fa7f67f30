//! Building blocks shared by the pages of every role.

pub mod error_summary;
pub mod guarded;
pub mod islands;
pub mod language_switch;
pub mod layout;
pub mod page_title;
pub mod person_switch;
pub mod refusal;
