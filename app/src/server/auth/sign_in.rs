//! Signing in and out, end to end: the provider's answer checked, the person found, the
//! session renewed. Every refusal leaves no session behind.

use tower_sessions::Session;

use crate::{auth::Me, server::db::AccountId};

use super::{
    directory::{Directory, SignInRefusal},
    oidc::{Entrance, OidcProvider, SignInError},
    principal::Principal,
    sessions::{SessionError, Sessions},
};

/// Why a sign-in did not happen. Each has its own page; none leaves a session.
#[derive(Debug, thiserror::Error)]
pub enum SignInFailure {
    #[error("no sign-in provider is configured for this entrance")]
    NotConfigured,
    #[error(transparent)]
    Provider(#[from] SignInError),
    #[error("the person may not sign in here: {0:?}")]
    Refused(SignInRefusal),
    #[error("the callback belongs to the other entrance")]
    WrongEntrance,
    #[error("the demo sign-in is switched off")]
    DemoSwitchedOff,
    #[error("no demo person has that id")]
    UnknownDemoPerson,
    #[error(transparent)]
    Session(#[from] SessionError),
}

impl From<crate::server::db::DatabaseError> for SignInFailure {
    fn from(error: crate::server::db::DatabaseError) -> Self {
        Self::Session(SessionError::Database(error))
    }
}

/// What the provider sent back to the callback.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Callback {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

#[derive(Clone)]
pub struct SignIn {
    sessions: Sessions,
    directory: Directory,
    citizen_provider: Option<OidcProvider>,
    staff_provider: Option<OidcProvider>,
    demo_enabled: bool,
}

impl SignIn {
    pub fn new(
        sessions: Sessions,
        directory: Directory,
        citizen_provider: Option<OidcProvider>,
        staff_provider: Option<OidcProvider>,
        demo_enabled: bool,
    ) -> Self {
        Self { sessions, directory, citizen_provider, staff_provider, demo_enabled }
    }

    pub fn demo_enabled(&self) -> bool {
        self.demo_enabled
    }

    pub fn has_provider(&self, entrance: Entrance) -> bool {
        self.provider(entrance).is_some()
    }

    fn provider(&self, entrance: Entrance) -> Option<&OidcProvider> {
        match entrance {
            Entrance::Citizen => self.citizen_provider.as_ref(),
            Entrance::Staff => self.staff_provider.as_ref(),
        }
    }

    /// Starts a sign-in: remembers state, nonce and PKCE verifier in the session and returns
    /// the provider's authorization URL.
    pub async fn start(
        &self,
        session: &Session,
        entrance: Entrance,
        return_to: Option<String>,
    ) -> Result<url::Url, SignInFailure> {
        let provider = self.provider(entrance).ok_or(SignInFailure::NotConfigured)?;
        let (url, pending) = provider.start(entrance, return_to).await?;
        self.sessions.remember_pending(session, &pending).await?;
        Ok(url)
    }

    /// Completes a sign-in. Returns the person and where they wanted to go.
    pub async fn finish(
        &self,
        session: &Session,
        entrance: Entrance,
        callback: Callback,
        device: Option<&str>,
    ) -> Result<(Me, Option<String>), SignInFailure> {
        let result = self.finish_inner(session, entrance, callback, device).await;
        if result.is_err() {
            // INVARIANT: a refused sign-in leaves no session, signed in or pending.
            let _already_gone = session.flush().await;
        }
        result
    }

    async fn finish_inner(
        &self,
        session: &Session,
        entrance: Entrance,
        callback: Callback,
        device: Option<&str>,
    ) -> Result<(Me, Option<String>), SignInFailure> {
        let provider = self.provider(entrance).ok_or(SignInFailure::NotConfigured)?;
        let pending = self.sessions.take_pending(session).await?.ok_or(SignInError::NoPendingSignIn)?;
        if pending.entrance != entrance {
            return Err(SignInFailure::WrongEntrance);
        }
        if let Some(error) = callback.error {
            let description = callback.error_description.unwrap_or_default();
            return Err(SignInError::ProviderRefused(format!("{error} {description}").trim().to_owned()).into());
        }
        let (Some(code), Some(state)) = (callback.code, callback.state) else {
            return Err(SignInError::ProviderRefused("the answer has no code or state".to_owned()).into());
        };
        let return_to = pending.return_to.clone();
        let (identity, id_token) = provider.finish(pending, &code, &state).await?;
        let principal = match entrance {
            Entrance::Citizen => Principal::Citizen(self.directory.citizen_signing_in(&identity).await?),
            Entrance::Staff => {
                Principal::Staff(self.directory.staff_signing_in(&identity).await?.map_err(SignInFailure::Refused)?)
            }
        };
        self.sessions.sign_in(session, &principal, device, Some(id_token)).await?;
        Ok((principal.me(), return_to))
    }

    /// Signs in as a person of the demo data, without a provider (development mode only).
    pub async fn demo(&self, session: &Session, person: &str, device: Option<&str>) -> Result<Me, SignInFailure> {
        if !self.demo_enabled {
            return Err(SignInFailure::DemoSwitchedOff);
        }
        let id = AccountId::parse(person).ok_or(SignInFailure::UnknownDemoPerson)?;
        let principal = self.directory.demo_principal(id).await?.ok_or(SignInFailure::UnknownDemoPerson)?;
        self.sessions.sign_in(session, &principal, device, None).await?;
        Ok(principal.me())
    }

    /// Ends the portal session; returns the provider's end-session URL where it has one.
    pub async fn sign_out(&self, session: &Session) -> Result<Option<url::Url>, SignInFailure> {
        let principal = self.sessions.current(session).await?;
        let id_token = self.sessions.sign_out(session).await?;
        let (Some(principal), Some(id_token)) = (principal, id_token) else { return Ok(None) };
        let entrance = match principal {
            Principal::Citizen(_) => Entrance::Citizen,
            Principal::Staff(_) => Entrance::Staff,
        };
        Ok(match self.provider(entrance) {
            Some(provider) => provider.logout_url(&id_token).await,
            None => None,
        })
    }
}
