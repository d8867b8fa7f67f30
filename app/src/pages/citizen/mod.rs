//! The citizen's pages: their start page and sessions, applying, an application's file, consents,
//! their data, and who read it.

pub mod application;
pub mod apply;
pub mod consents;
pub mod my_data;
pub mod start;
pub mod transparency;
