//! The black-box tests, one module per capability, linked into one test binary: each of
//! these links the whole application, and one binary instead of one per module saves about
//! 25 GB of disk and most of the link time of a test run.

mod abuse;
mod accessibility;
mod administration;
mod applying;
mod backup;
mod benefit_types;
mod casework;
mod consents;
mod correspondence;
mod demo_data;
mod emergency;
mod gate;
mod gate_properties;
mod health;
mod log_tree;
mod migrations;
mod my_data;
mod no_bypass;
mod pages;
mod policy;
mod policy_combinations;
mod policy_properties;
mod protection_flags;
mod retention;
mod security;
mod settings;
mod sign_in;
mod templates;
mod transparency;
