//! The pages, by whom they are for: the public ones (start, entrances, sign-in, accessibility)
//! here, each role's in its folder. A part two pages share lives in the page it
//! comes from, or in `components` when it is not any one page's.

pub mod accessibility;
pub mod admin;
pub mod citizen;
pub mod data_protection;
pub mod entrance;
pub mod sign_in;
pub mod staff;
pub mod start;
