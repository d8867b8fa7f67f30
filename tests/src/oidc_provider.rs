//! A small OpenID provider on loopback for the black-box sign-in tests. It behaves like a
//! provider (discovery, keys, authorization with PKCE, token endpoint, end-session) and can be
//! told to misbehave in exactly one way, so each check of the portal can be shown to refuse.
//! (The browser tests sign in against a certified provider, `oidc-provider` from npm.)

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{Arc, Mutex},
};

use axum::{
    Form, Json, Router,
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use base64::Engine;
use chrono::{Duration, Utc};
use openidconnect::{
    AccessToken, Audience, AuthUrl, EmptyAdditionalClaims, EmptyAdditionalProviderMetadata, EmptyExtraTokenFields,
    EndUserEmail, EndUserFamilyName, EndUserGivenName, IssuerUrl, JsonWebKeyId, JsonWebKeySetUrl, LocalizedClaim,
    Nonce, PrivateSigningKey, ResponseTypes, StandardClaims, SubjectIdentifier, TokenUrl,
    core::{
        CoreIdToken, CoreIdTokenClaims, CoreIdTokenFields, CoreJsonWebKeySet, CoreJwsSigningAlgorithm,
        CoreProviderMetadata, CoreResponseType, CoreRsaPrivateSigningKey, CoreSubjectIdentifierType, CoreTokenResponse,
        CoreTokenType,
    },
};
use serde::Deserialize;
use sha2::Digest;

const SIGNING_KEY: &str = include_str!("../fixtures/oidc-signing-key.pem");
const FOREIGN_KEY: &str = include_str!("../fixtures/oidc-foreign-key.pem");

/// The one way the provider misbehaves in a test.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Defect {
    #[default]
    None,
    WrongNonce,
    WrongIssuer,
    WrongAudience,
    ExpiredIdToken,
    ForeignSignature,
    NoIdToken,
}

/// The person who "logs in" at the provider next.
#[derive(Clone, Debug)]
pub struct Person {
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub given_name: String,
    pub family_name: String,
}

impl Person {
    pub fn new(subject: &str, given_name: &str, family_name: &str) -> Self {
        Self {
            subject: subject.to_owned(),
            email: None,
            email_verified: false,
            given_name: given_name.to_owned(),
            family_name: family_name.to_owned(),
        }
    }

    pub fn with_verified_email(mut self, email: &str) -> Self {
        self.email = Some(email.to_owned());
        self.email_verified = true;
        self
    }
}

struct Issued {
    client_id: String,
    nonce: Option<String>,
    code_challenge: String,
    person: Person,
}

#[derive(Default)]
struct ProviderState {
    defect: Defect,
    person: Option<Person>,
    codes: HashMap<String, Issued>,
    next_code: u64,
}

#[derive(Clone)]
struct Shared {
    issuer: String,
    state: Arc<Mutex<ProviderState>>,
}

/// A running provider; stops when dropped.
pub struct MockProvider {
    pub issuer: String,
    state: Arc<Mutex<ProviderState>>,
    task: tokio::task::JoinHandle<()>,
}

impl MockProvider {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let address: SocketAddr = listener.local_addr().expect("its address");
        let issuer = format!("http://{address}");
        let state = Arc::new(Mutex::new(ProviderState::default()));
        let shared = Shared { issuer: issuer.clone(), state: state.clone() };
        let router = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/jwks", get(jwks))
            .route("/authorize", get(authorize))
            .route("/token", post(token))
            .route("/logout", get(|| async { "signed out at the provider" }))
            .with_state(shared);
        let task = tokio::spawn(async move {
            let _stopped = axum::serve(listener, router).await;
        });
        Self { issuer, state, task }
    }

    /// Who logs in next.
    pub fn will_sign_in(&self, person: Person) {
        self.state.lock().expect("not poisoned").person = Some(person);
    }

    pub fn misbehave(&self, defect: Defect) {
        self.state.lock().expect("not poisoned").defect = defect;
    }
}

impl Drop for MockProvider {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn signing_key(pem: &str) -> CoreRsaPrivateSigningKey {
    CoreRsaPrivateSigningKey::from_pem(pem, Some(JsonWebKeyId::new("test-key".to_owned()))).expect("a valid test key")
}

async fn discovery(State(shared): State<Shared>) -> Json<serde_json::Value> {
    let url = |path: &str| format!("{}{path}", shared.issuer);
    let metadata = CoreProviderMetadata::new(
        IssuerUrl::new(shared.issuer.clone()).expect("a URL"),
        AuthUrl::new(url("/authorize")).expect("a URL"),
        JsonWebKeySetUrl::new(url("/jwks")).expect("a URL"),
        vec![ResponseTypes::new(vec![CoreResponseType::Code])],
        vec![CoreSubjectIdentifierType::Public],
        vec![CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256],
        EmptyAdditionalProviderMetadata {},
    )
    .set_token_endpoint(Some(TokenUrl::new(url("/token")).expect("a URL")));
    let mut json = serde_json::to_value(&metadata).expect("serialisable");
    json["end_session_endpoint"] = serde_json::Value::String(url("/logout"));
    Json(json)
}

async fn jwks() -> Json<CoreJsonWebKeySet> {
    Json(CoreJsonWebKeySet::new(vec![signing_key(SIGNING_KEY).as_verification_key()]))
}

#[derive(Deserialize)]
struct AuthorizeQuery {
    client_id: String,
    redirect_uri: String,
    state: String,
    nonce: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
}

/// "Logs in" the person set with `will_sign_in` and sends them back with a code.
async fn authorize(State(shared): State<Shared>, Query(query): Query<AuthorizeQuery>) -> Response {
    if query.code_challenge_method.as_deref() != Some("S256") {
        return (StatusCode::BAD_REQUEST, "PKCE with S256 is required").into_response();
    }
    let mut state = shared.state.lock().expect("not poisoned");
    let Some(person) = state.person.clone() else {
        return (StatusCode::BAD_REQUEST, "the test did not say who signs in").into_response();
    };
    state.next_code += 1;
    let code = format!("code-{}", state.next_code);
    state.codes.insert(
        code.clone(),
        Issued {
            client_id: query.client_id,
            nonce: query.nonce,
            code_challenge: query.code_challenge.unwrap_or_default(),
            person,
        },
    );
    Redirect::to(&format!("{}?code={code}&state={}", query.redirect_uri, query.state)).into_response()
}

#[derive(Deserialize)]
struct TokenForm {
    code: String,
    code_verifier: Option<String>,
}

/// Exchanges a code once, after checking the PKCE verifier.
async fn token(State(shared): State<Shared>, Form(form): Form<TokenForm>) -> Response {
    let (issued, defect) = {
        let mut state = shared.state.lock().expect("not poisoned");
        let defect = state.defect;
        // A code works once: a replay finds nothing.
        (state.codes.remove(&form.code), defect)
    };
    let Some(issued) = issued else {
        return (StatusCode::BAD_REQUEST, Json(serde_json::json!({ "error": "invalid_grant" }))).into_response();
    };
    let verifier = form.code_verifier.unwrap_or_default();
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()));
    if challenge != issued.code_challenge {
        return (
            StatusCode::BAD_REQUEST,
            Json(serde_json::json!({ "error": "invalid_grant", "error_description": "PKCE" })),
        )
            .into_response();
    }

    let now = Utc::now();
    let issuer =
        if defect == Defect::WrongIssuer { "https://other-provider.example".to_owned() } else { shared.issuer.clone() };
    let audience = if defect == Defect::WrongAudience { "another-client".to_owned() } else { issued.client_id.clone() };
    let (issued_at, expires) = if defect == Defect::ExpiredIdToken {
        (now - Duration::hours(2), now - Duration::hours(1))
    } else {
        (now, now + Duration::minutes(5))
    };
    let nonce =
        if defect == Defect::WrongNonce { Some("a-nonce-of-another-sign-in".to_owned()) } else { issued.nonce.clone() };
    let person = issued.person;
    let standard = StandardClaims::new(SubjectIdentifier::new(person.subject))
        .set_email(person.email.map(EndUserEmail::new))
        .set_email_verified(Some(person.email_verified))
        .set_given_name(Some(LocalizedClaim::from(EndUserGivenName::new(person.given_name))))
        .set_family_name(Some(LocalizedClaim::from(EndUserFamilyName::new(person.family_name))));
    let claims = CoreIdTokenClaims::new(
        IssuerUrl::new(issuer).expect("a URL"),
        vec![Audience::new(audience)],
        expires,
        issued_at,
        standard,
        EmptyAdditionalClaims {},
    )
    .set_nonce(nonce.map(Nonce::new));
    let key = if defect == Defect::ForeignSignature { signing_key(FOREIGN_KEY) } else { signing_key(SIGNING_KEY) };
    let access_token = AccessToken::new("an-access-token".to_owned());
    let id_token =
        CoreIdToken::new(claims, &key, CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256, Some(&access_token), None)
            .expect("the token is signed");
    let id_token = if defect == Defect::NoIdToken { None } else { Some(id_token) };
    let response = CoreTokenResponse::new(
        access_token,
        CoreTokenType::Bearer,
        CoreIdTokenFields::new(id_token, EmptyExtraTokenFields {}),
    );
    Json(response).into_response()
}
