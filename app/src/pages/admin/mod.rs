//! The administrator's pages: offices, staff and categories, kinds of help and their forms, consent
//! templates.

pub mod benefits;
pub mod start;
pub mod templates;
