//! The data protection officer's pages: the review of reads, emergency accesses and protection
//! flags.

pub mod start;
