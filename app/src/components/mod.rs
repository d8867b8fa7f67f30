//! Building blocks shared by the pages of every role.

pub mod admin_form;
pub mod data_view;
pub mod error_summary;
pub mod guarded;
pub mod islands;
pub mod language_switch;
pub mod layout;
pub mod page_title;
pub mod pagination;
pub mod person_switch;
pub mod questions;
pub mod refusal;
pub mod reviews;
pub mod status;
pub mod text_area;
