//! Who is signed in.
//!
//! - [`Principal`]: the signed-in person as a typed value. Only this module tree can construct
//!   one, so a function that takes a principal cannot be called on behalf of nobody.
//! - [`sessions`]: signing in and out, the citizen's list of sessions, idle and absolute limits.
//! - [`oidc`]: OpenID Connect (authorization code with PKCE, state and nonce bound to the
//!   session, the ID token verified).
//! - [`guard`]: what server functions call first: the principal of this request, or 401/403,
//!   and the capabilities minted from it ([`CaseAccess`], [`ActingFor`], …), which services
//!   take instead of checking roles again.

mod capability;
mod directory;
pub mod guard;
pub mod oidc;
mod principal;
pub mod sessions;
pub mod sign_in;
pub mod store;

pub use capability::{
    ActingFor, Administrator, CaseAccess, Caseworker, CaseworkerAt, DataProtectionOfficer, OfficeEmergency, Overseer,
};
pub use directory::{Directory, SignInRefusal};
pub use principal::{Citizen, Principal, PrincipalKind, Staff, StaffRole};
