//! OpenID Connect with the openidconnect crate (built on oauth2): the authorization code flow
//! with PKCE (S256); `state` and `nonce` are kept in the server-side session; the ID token's
//! signature (against the provider's published keys), `iss`, `aud`, `exp` and `nonce` are
//! verified. Tokens never reach the browser.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use openidconnect::{
    AccessToken, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EmptyAdditionalClaims, EndSessionUrl,
    EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl, LogoutRequest, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, PkceCodeVerifier, PostLogoutRedirectUrl, ProviderMetadataWithLogout, RedirectUrl, Scope,
    SubjectIdentifier, TokenResponse, UserInfoClaims,
    core::{CoreAuthenticationFlow, CoreClient, CoreGenderClaim, CoreIdToken},
};
use serde::{Deserialize, Serialize};
use tokio::sync::RwLock;

use crate::server::db::Timestamp;

type ProviderClient =
    CoreClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointMaybeSet, EndpointMaybeSet>;

/// How long discovered metadata and keys are reused before they are fetched again.
const DISCOVERY_LIFETIME: Duration = Duration::from_secs(600);
/// How long a person may take at the provider before the sign-in must start over.
const PENDING_LIFETIME: time::Duration = time::Duration::minutes(15);

/// The two doors: citizens (a city's citizen account) and staff (the administration's directory).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Entrance {
    Citizen,
    Staff,
}

impl Entrance {
    pub fn path_segment(self) -> &'static str {
        match self {
            Self::Citizen => "buerger",
            Self::Staff => "mitarbeitende",
        }
    }

    pub fn from_path_segment(segment: &str) -> Option<Self> {
        match segment {
            "buerger" => Some(Self::Citizen),
            "mitarbeitende" => Some(Self::Staff),
            _ => None,
        }
    }
}

/// A provider as configured.
#[derive(Clone, Debug)]
pub struct ProviderSettings {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    pub redirect_url: String,
    pub post_logout_redirect_url: String,
}

/// A sign-in that went to the provider; kept in the session until the provider sends the
/// person back, and usable once.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PendingSignIn {
    pub entrance: Entrance,
    pub return_to: Option<String>,
    state: String,
    nonce: String,
    pkce_verifier: String,
    started_at: Timestamp,
}

/// Who the provider says signed in, after every check passed.
#[derive(Clone, Debug)]
pub struct VerifiedIdentity {
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub name: Option<String>,
    pub birth_date: Option<String>,
}

impl VerifiedIdentity {
    /// Given and family name, from the claims the provider sent.
    pub fn names(&self) -> (String, String) {
        match (&self.given_name, &self.family_name, &self.name) {
            (Some(given), Some(family), _) => (given.clone(), family.clone()),
            (_, _, Some(name)) => match name.rsplit_once(' ') {
                Some((given, family)) => (given.to_owned(), family.to_owned()),
                None => (String::new(), name.clone()),
            },
            (given, family, None) => (given.clone().unwrap_or_default(), family.clone().unwrap_or_default()),
        }
    }

    /// The e-mail address, only if the provider verified it.
    pub fn verified_email(&self) -> Option<&str> {
        self.email.as_deref().filter(|_| self.email_verified)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("the sign-in provider cannot be reached or answers nonsense: {0}")]
    ProviderUnavailable(String),
    #[error("no sign-in is waiting in this session (it was completed already, or never started here)")]
    NoPendingSignIn,
    #[error("the state parameter does not match the sign-in of this session")]
    StateMismatch,
    #[error("the sign-in took longer than 15 minutes")]
    TookTooLong,
    #[error("the provider reports an error: {0}")]
    ProviderRefused(String),
    #[error("the code could not be exchanged for tokens: {0}")]
    CodeExchange(String),
    #[error("the provider sent no ID token")]
    NoIdToken,
    #[error("the ID token is not valid: {0}")]
    InvalidIdToken(String),
}

struct Discovered {
    at: Instant,
    client: ProviderClient,
    end_session: Option<EndSessionUrl>,
}

#[derive(Clone)]
pub struct OidcProvider {
    settings: ProviderSettings,
    issuer: IssuerUrl,
    redirect: RedirectUrl,
    post_logout: PostLogoutRedirectUrl,
    http: openidconnect::reqwest::Client,
    discovered: Arc<RwLock<Option<Discovered>>>,
}

impl OidcProvider {
    /// Checks the URLs now, so a typo stops the server at start, not the first sign-in.
    pub fn new(settings: ProviderSettings) -> Result<Self, String> {
        let issuer = IssuerUrl::new(settings.issuer.clone())
            .map_err(|error| format!("the issuer URL is not a URL ({error})"))?;
        let redirect = RedirectUrl::new(settings.redirect_url.clone())
            .map_err(|error| format!("the redirect URL is not a URL ({error})"))?;
        let post_logout = PostLogoutRedirectUrl::new(settings.post_logout_redirect_url.clone())
            .map_err(|error| format!("the post-logout URL is not a URL ({error})"))?;
        let http = openidconnect::reqwest::ClientBuilder::new()
            // Following redirects from a provider would be a way to make us fetch anything.
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|error| format!("no HTTP client ({error})"))?;
        Ok(Self { settings, issuer, redirect, post_logout, http, discovered: Arc::new(RwLock::new(None)) })
    }

    async fn client(&self) -> Result<(ProviderClient, Option<EndSessionUrl>), SignInError> {
        if let Some(discovered) = self.discovered.read().await.as_ref()
            && discovered.at.elapsed() < DISCOVERY_LIFETIME
        {
            return Ok((discovered.client.clone(), discovered.end_session.clone()));
        }
        let metadata = ProviderMetadataWithLogout::discover_async(self.issuer.clone(), &self.http)
            .await
            .map_err(|error| SignInError::ProviderUnavailable(error_chain(&error)))?;
        let end_session = metadata.additional_metadata().end_session_endpoint.clone();
        let client = CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.settings.client_id.clone()),
            self.settings.client_secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(self.redirect.clone());
        *self.discovered.write().await =
            Some(Discovered { at: Instant::now(), client: client.clone(), end_session: end_session.clone() });
        Ok((client, end_session))
    }

    /// Where to send the person, and what to remember until they come back.
    pub async fn start(
        &self,
        entrance: Entrance,
        return_to: Option<String>,
    ) -> Result<(url::Url, PendingSignIn), SignInError> {
        let (client, _) = self.client().await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .add_scope(Scope::new("email".to_owned()))
            .add_scope(Scope::new("profile".to_owned()))
            .set_pkce_challenge(challenge)
            .url();
        let pending = PendingSignIn {
            entrance,
            return_to,
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
            started_at: Timestamp::now(),
        };
        Ok((url, pending))
    }

    /// Completes the sign-in the provider sent the person back from. Returns who they are and
    /// the raw ID token (kept server-side for signing out at the provider).
    pub async fn finish(
        &self,
        pending: PendingSignIn,
        code: &str,
        state: &str,
    ) -> Result<(VerifiedIdentity, String), SignInError> {
        if !constant_time_eq(state.as_bytes(), pending.state.as_bytes()) {
            return Err(SignInError::StateMismatch);
        }
        if Timestamp::now() - pending.started_at > PENDING_LIFETIME {
            return Err(SignInError::TookTooLong);
        }
        let (client, _) = self.client().await?;
        let tokens = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|error| SignInError::ProviderUnavailable(error.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier))
            .request_async(&self.http)
            .await
            .map_err(|error| SignInError::CodeExchange(error_chain(&error)))?;
        let id_token: &CoreIdToken = tokens.id_token().ok_or(SignInError::NoIdToken)?;
        let claims = id_token
            .claims(&client.id_token_verifier(), &Nonce::new(pending.nonce))
            .map_err(|error| SignInError::InvalidIdToken(error_chain(&error)))?;
        let mut identity = VerifiedIdentity {
            subject: claims.subject().as_str().to_owned(),
            email: claims.email().map(|email| email.as_str().to_owned()),
            email_verified: claims.email_verified().unwrap_or(false),
            given_name: unlocalized(claims.given_name()).map(|name| name.as_str().to_owned()),
            family_name: unlocalized(claims.family_name()).map(|name| name.as_str().to_owned()),
            name: unlocalized(claims.name()).map(|name| name.as_str().to_owned()),
            birth_date: claims.birthdate().map(|date| date.as_str().to_owned()).filter(|date| date.len() == 10),
        };
        // Many providers keep profile and e-mail claims out of the ID token and answer them at
        // the userinfo endpoint, for the same subject only.
        if identity.email.is_none() || (identity.name.is_none() && identity.family_name.is_none()) {
            self.complete_from_userinfo(&client, tokens.access_token().clone(), &mut identity).await;
        }
        Ok((identity, id_token.to_string()))
    }

    /// Adds what the userinfo endpoint says about the same subject; a failure leaves the
    /// identity as the ID token gave it (a staff member without a verified e-mail then simply
    /// does not match by e-mail).
    async fn complete_from_userinfo(
        &self,
        client: &ProviderClient,
        access_token: AccessToken,
        identity: &mut VerifiedIdentity,
    ) {
        let request = match client.user_info(access_token, Some(SubjectIdentifier::new(identity.subject.clone()))) {
            Ok(request) => request,
            Err(_) => return,
        };
        let info: UserInfoClaims<EmptyAdditionalClaims, CoreGenderClaim> = match request.request_async(&self.http).await
        {
            Ok(info) => info,
            Err(error) => {
                tracing::warn!(error = %error_chain(&error), "the userinfo endpoint did not answer");
                return;
            }
        };
        if identity.email.is_none() {
            identity.email = info.email().map(|email| email.as_str().to_owned());
            identity.email_verified = info.email_verified().unwrap_or(false);
        }
        identity.given_name =
            identity.given_name.take().or_else(|| unlocalized(info.given_name()).map(|name| name.as_str().to_owned()));
        identity.family_name = identity
            .family_name
            .take()
            .or_else(|| unlocalized(info.family_name()).map(|name| name.as_str().to_owned()));
        identity.name = identity.name.take().or_else(|| unlocalized(info.name()).map(|name| name.as_str().to_owned()));
    }

    /// The provider's end-session URL for this ID token, where the provider supports it.
    pub async fn logout_url(&self, id_token: &str) -> Option<url::Url> {
        let (_, end_session) = self.client().await.ok()?;
        let id_token: CoreIdToken = id_token.parse().ok()?;
        Some(
            LogoutRequest::from(end_session?)
                .set_id_token_hint(&id_token)
                .set_post_logout_redirect_uri(self.post_logout.clone())
                .http_get_url(),
        )
    }
}

/// A claim's value without a language tag (the one providers send).
fn unlocalized<T>(claim: Option<&openidconnect::LocalizedClaim<T>>) -> Option<&T> {
    claim.and_then(|claim| claim.get(None))
}

/// The error and its causes on one line, for the log.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn constant_time_eq(left: &[u8], right: &[u8]) -> bool {
    left.len() == right.len() && left.iter().zip(right).fold(0u8, |difference, (a, b)| difference | (a ^ b)) == 0
}
