//! Who is signed in.
//!
//! - [`Principal`]: the signed-in person as a typed value. Only this module tree can construct
//!   one, so a function that takes a principal cannot be called on behalf of nobody.
//! - [`sessions`]: signing in and out, the citizen's list of sessions, idle and absolute limits.
//! - [`oidc`]: OpenID Connect (authorization code with PKCE, state and nonce bound to the
//!   session, the ID token verified).
//! - [`guard`]: what server functions call first: the principal of this request, or 401/403.

mod directory;
pub mod guard;
pub mod oidc;
mod principal;
pub mod sessions;
pub mod sign_in;
pub mod store;

pub use directory::{Directory, SignInRefusal};
pub use principal::{Citizen, Principal, PrincipalKind, Staff, StaffRole};
