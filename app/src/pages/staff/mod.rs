//! The caseworker's pages: their start page, the queue, a case, data shared by consent, emergency
//! accesses.

pub mod case;
pub mod emergency;
pub mod queue;
pub mod sharings;
pub mod start;
