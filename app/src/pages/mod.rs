//! One module per page. The role areas (citizen, staff, administration) get their own folders
//! as they grow; for now each role has its entrance.

pub mod accessibility;
pub mod admin_benefits;
pub mod admin_templates;
pub mod administration;
pub mod application;
pub mod apply;
pub mod citizen;
pub mod consents;
pub mod data_protection;
pub mod entrance;
pub mod error;
pub mod my_data;
pub mod not_found;
pub mod sign_in;
pub mod staff;
pub mod staff_case;
pub mod staff_emergency;
pub mod staff_queue;
pub mod staff_sharings;
pub mod start;
pub mod transparency;
