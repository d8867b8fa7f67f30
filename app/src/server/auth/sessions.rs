//! Signing in and out, and the sessions a citizen can see and end.
//!
//! The session itself (its id and cookie) is tower-sessions' with its sqlx store in our
//! database. What it holds after sign-in is a [`SignedIn`] naming a row of `session_records`;
//! every request checks that row, so ending a session (from another device, or by deactivating
//! a staff member) takes effect on the next request.

use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::{
    auth::SessionView,
    server::db::{AccountId, Database, DatabaseError, Office, SessionRecordId, Tables, Timestamp, on_backend},
};

use super::{
    directory::Directory,
    oidc::PendingSignIn,
    principal::{Citizen, Principal, PrincipalKind},
};

const SIGNED_IN_KEY: &str = "klarsicht.signed_in";
const PENDING_KEY: &str = "klarsicht.pending_sign_in";

/// `last_seen_at` is written at most this often per session.
const LAST_SEEN_RESOLUTION: time::Duration = time::Duration::minutes(1);

/// What the session holds once someone signed in.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct SignedIn {
    record: String,
    kind: PrincipalKind,
    principal: AccountId,
    /// The provider's ID token, for signing out at the provider too. Never sent to the browser.
    id_token: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("session store: {0}")]
    Store(#[from] tower_sessions::session::Error),
    #[error(transparent)]
    Database(#[from] DatabaseError),
}

impl From<sqlx::Error> for SessionError {
    fn from(error: sqlx::Error) -> Self {
        Self::Database(DatabaseError::Query(error))
    }
}

/// How long a session may live.
#[derive(Clone, Copy, Debug)]
pub struct SessionLimits {
    /// Without a request for this long, the session ends (tower-sessions' expiry).
    pub idle: time::Duration,
    /// However active, a session ends this long after sign-in.
    pub lifetime: time::Duration,
}

#[derive(Clone)]
pub struct Sessions {
    database: Tables<Office>,
    directory: Directory,
    limits: SessionLimits,
}

impl Sessions {
    pub fn new(database: Database, directory: Directory, limits: SessionLimits) -> Self {
        Self { database: database.office(), directory, limits }
    }

    pub fn limits(&self) -> SessionLimits {
        self.limits
    }

    /// Signs `principal` in on this session: a new session id (an id known before sign-in is
    /// worth nothing after it), and a record the person can see and end.
    pub(super) async fn sign_in(
        &self,
        session: &Session,
        principal: &Principal,
        device: Option<&str>,
        id_token: Option<String>,
    ) -> Result<(), SessionError> {
        session.cycle_id().await?;
        let record = SessionRecordId::new().to_string();
        let now = Timestamp::now();
        let device = device.map(|agent| agent.chars().take(300).collect::<String>());
        on_backend!(self.database, pool => sqlx::query(
            "INSERT INTO session_records (session_id, principal_kind, principal_id, created_at, last_seen_at, user_agent) \
             VALUES ($1, $2, $3, $4, $4, $5)",
        )
        .bind(&record)
        .bind(principal.kind().as_str())
        .bind(principal.id())
        .bind(now)
        .bind(device)
        .execute(pool)
        .await
        .map(|_| ()))?;
        session.remove_value(PENDING_KEY).await?;
        session
            .insert(SIGNED_IN_KEY, SignedIn { record, kind: principal.kind(), principal: principal.id(), id_token })
            .await?;
        Ok(())
    }

    /// The principal of this session, or `None` when nobody is signed in, the session was
    /// ended, outlived its lifetime, or the person may no longer act.
    pub async fn current(&self, session: &Session) -> Result<Option<Principal>, SessionError> {
        let Some(signed_in) = session.get::<SignedIn>(SIGNED_IN_KEY).await? else { return Ok(None) };
        let found = self.directory.load_for_session(signed_in.kind, signed_in.principal, &signed_in.record).await?;
        let now = Timestamp::now();
        let Some(((created_at, last_seen_at, None), principal)) = found else {
            session.flush().await?;
            return Ok(None);
        };
        if now - created_at > self.limits.lifetime {
            self.end_record(&signed_in.record, now).await?;
            session.flush().await?;
            return Ok(None);
        }
        let Some(principal) = principal else {
            self.end_record(&signed_in.record, now).await?;
            session.flush().await?;
            return Ok(None);
        };
        if now - last_seen_at > LAST_SEEN_RESOLUTION {
            on_backend!(self.database, pool => sqlx::query("UPDATE session_records SET last_seen_at = $1 WHERE session_id = $2")
                .bind(now)
                .bind(&signed_in.record)
                .execute(pool)
                .await
                .map(|_| ()))?;
        }
        Ok(Some(principal))
    }

    /// Ends this session. Returns the provider's ID token, to end the provider session too.
    pub async fn sign_out(&self, session: &Session) -> Result<Option<String>, SessionError> {
        let signed_in = session.get::<SignedIn>(SIGNED_IN_KEY).await?;
        session.flush().await?;
        match signed_in {
            Some(signed_in) => {
                self.end_record(&signed_in.record, Timestamp::now()).await?;
                Ok(signed_in.id_token)
            }
            None => Ok(None),
        }
    }

    /// The citizen's sessions that still count: not ended, within lifetime and idle limits.
    pub async fn list(&self, citizen: &Citizen, session: &Session) -> Result<Vec<SessionView>, SessionError> {
        let this_one = session.get::<SignedIn>(SIGNED_IN_KEY).await?.map(|signed_in| signed_in.record);
        let now = Timestamp::now();
        let rows: Vec<(String, Timestamp, Timestamp, Option<String>)> = on_backend!(self.database, pool => sqlx::query_as(
            "SELECT session_id, created_at, last_seen_at, user_agent FROM session_records \
             WHERE principal_kind = 'citizen' AND principal_id = $1 AND ended_at IS NULL \
             AND created_at > $2 AND last_seen_at > $3 ORDER BY last_seen_at DESC",
        )
        .bind(citizen.id())
        .bind(now + -self.limits.lifetime)
        .bind(now + -self.limits.idle)
        .fetch_all(pool)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|(id, created_at, last_seen_at, device)| SessionView {
                this_device: this_one.as_deref() == Some(id.as_str()),
                id,
                signed_in_at: created_at.to_rfc3339(),
                last_seen_at: last_seen_at.to_rfc3339(),
                device,
            })
            .collect())
    }

    /// Ends one of the citizen's own sessions. `false` when they have no such session.
    pub async fn end(&self, citizen: &Citizen, session_id: &str) -> Result<bool, SessionError> {
        let ended = on_backend!(self.database, pool => sqlx::query(
            "UPDATE session_records SET ended_at = $1 \
             WHERE session_id = $2 AND principal_kind = 'citizen' AND principal_id = $3 AND ended_at IS NULL",
        )
        .bind(Timestamp::now())
        .bind(session_id)
        .bind(citizen.id())
        .execute(pool)
        .await
        .map(|result| result.rows_affected()))?;
        Ok(ended > 0)
    }

    /// Ends all of the citizen's sessions but this one; returns how many.
    pub async fn end_others(&self, citizen: &Citizen, session: &Session) -> Result<u64, SessionError> {
        let this_one =
            session.get::<SignedIn>(SIGNED_IN_KEY).await?.map(|signed_in| signed_in.record).unwrap_or_default();
        let ended = on_backend!(self.database, pool => sqlx::query(
            "UPDATE session_records SET ended_at = $1 \
             WHERE principal_kind = 'citizen' AND principal_id = $2 AND ended_at IS NULL AND session_id <> $3",
        )
        .bind(Timestamp::now())
        .bind(citizen.id())
        .bind(this_one)
        .execute(pool)
        .await
        .map(|result| result.rows_affected()))?;
        Ok(ended)
    }

    async fn end_record(&self, record: &str, now: Timestamp) -> Result<(), SessionError> {
        on_backend!(self.database, pool => sqlx::query("UPDATE session_records SET ended_at = $1 WHERE session_id = $2 AND ended_at IS NULL")
            .bind(now)
            .bind(record)
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    /// Remembers a sign-in that went to the provider (state, nonce, PKCE verifier).
    pub(super) async fn remember_pending(
        &self,
        session: &Session,
        pending: &PendingSignIn,
    ) -> Result<(), SessionError> {
        session.insert(PENDING_KEY, pending).await?;
        Ok(())
    }

    /// Takes the pending sign-in out of the session: it can be completed once only.
    pub(super) async fn take_pending(&self, session: &Session) -> Result<Option<PendingSignIn>, SessionError> {
        Ok(session.remove::<PendingSignIn>(PENDING_KEY).await?)
    }
}
