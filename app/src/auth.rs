//! What the browser may know about who is signed in, and the errors server functions answer
//! with. Plain data, shared by server and browser; the capability itself (the principal) lives
//! in `server::auth` and never leaves the server.

use leptos::{
    prelude::{FromServerFnError, ServerFnErrorErr},
    server_fn::codec::JsonEncoding,
};
use serde::{Deserialize, Serialize};

use crate::localized::{Localized, prefix};

/// The signed-in person, as pages show them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub display_name: String,
    pub kind: MeKind,
    /// For staff: how many entries the access log is behind the checkpoint its witness
    /// cosigned, while no operator has declared the gap (every staff page says so).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_behind: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MeKind {
    Citizen,
    Staff { roles: Vec<RoleView> },
}

/// A staff member's role, with the office where it has one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RoleView {
    Caseworker {
        office_code: String,
        #[serde(flatten, with = "prefix::office_name")]
        office_name: Localized,
    },
    DataProtectionOfficer,
    Administrator,
}

impl Me {
    /// Where this person starts after signing in.
    pub fn home(&self) -> &'static str {
        match &self.kind {
            MeKind::Citizen => "/buerger/start",
            MeKind::Staff { roles } => {
                if roles.iter().any(|role| matches!(role, RoleView::Caseworker { .. })) {
                    "/mitarbeitende/start"
                } else if roles.contains(&RoleView::DataProtectionOfficer) {
                    "/datenschutz/start"
                } else {
                    "/verwaltung/start"
                }
            }
        }
    }
}

/// One of the citizen's signed-in sessions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    /// Opaque; names the session when ending it.
    pub id: String,
    pub signed_in_at: String,
    pub last_seen_at: String,
    pub device: Option<String>,
    pub this_device: bool,
}

/// A person of the demo data one can sign in as (development mode only).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoPerson {
    pub id: String,
    pub display_name: String,
    pub kind: DemoKind,
    /// For staff: the offices, comma-separated, in German and English.
    #[serde(flatten, with = "prefix::offices")]
    pub offices: Localized,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DemoKind {
    Citizen,
    Caseworker,
    DataProtectionOfficer,
    Administrator,
}

/// What a server function answers when it does not do what was asked. The UI shows a plain
/// message for each; internals stay in the server's log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ApiError {
    /// 401: nobody is signed in (or the session ended).
    #[error("not signed in")]
    NotSignedIn,
    /// 403: signed in, but this is not for them.
    #[error("not allowed")]
    NotAllowed,
    /// 404: nothing of that name exists for them (whether it exists for others is not said).
    #[error("not found")]
    NotFound,
    /// 422: an input is not acceptable; `field` names it, `message` says how to fix it.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// 503: the access log is behind the checkpoint its witness cosigned (restored from a
    /// backup that lost entries) and no operator has declared the gap yet: no citizen data is
    /// read, since no read could be logged.
    #[error("the access log is behind the checkpoint its witness cosigned: citizens' data cannot be read until an operator declares the gap (`server declare-gap`)")]
    LogBehind,
    /// 500: something broke on the server; it has been logged.
    #[error("server error")]
    Internal,
    /// The request itself failed (network, malformed arguments).
    #[error("request failed: {0}")]
    Request(String),
}

impl FromServerFnError for ApiError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(error: ServerFnErrorErr) -> Self {
        Self::Request(error.to_string())
    }
}

impl ApiError {
    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            Self::NotSignedIn => 401,
            Self::NotAllowed => 403,
            Self::NotFound => 404,
            Self::Invalid { .. } => 422,
            Self::LogBehind => 503,
            Self::Internal => 500,
            Self::Request(_) => 400,
        }
    }
}
