//! `server witness`: the witness as a process of its own, with its own key and state, for the
//! data protection officer or the state's data protection authority to run (C2SP tlog-witness:
//! `POST /add-checkpoint`). It knows only the log's verifier key and what it last cosigned.

use std::{net::SocketAddr, path::Path, sync::Arc};

use app::server::access_log::{cosignature::Cosigner, witness::Witness};
use axum::{
    Router,
    body::Bytes,
    extract::{DefaultBodyLimit, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use tokio::net::TcpListener;

/// Why the witness cannot start; each says how to fix it.
#[derive(Debug, thiserror::Error)]
pub enum WitnessStartError {
    #[error("KLARSICHT_WITNESS_SIGNING_KEY is missing or no witness key: make one with `server witness-key --name <your host>/zeuge`")]
    Key,
    #[error(transparent)]
    State(#[from] app::server::access_log::witness::WitnessError),
    #[error("cannot listen on {0} ({1}): choose another address with --listen")]
    Bind(SocketAddr, std::io::Error),
}

/// The router of a witness: `POST /add-checkpoint`, and `GET /` saying what it is.
pub fn router(witness: Arc<Witness>) -> Router {
    Router::new()
        .route("/add-checkpoint", post(add_checkpoint))
        .route("/", get(about))
        .layer(DefaultBodyLimit::max(app::server::access_log::witness::MOST_REQUEST_BYTES))
        .with_state(witness)
}

async fn add_checkpoint(State(witness): State<Arc<Witness>>, body: Bytes) -> Response {
    let answer = witness.add_checkpoint(&body).await;
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, answer.body).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(answer.content_type));
    response
}

async fn about(State(witness): State<Arc<Witness>>) -> String {
    match witness.cosigned().await {
        Some(cosigned) => format!("a Klarsicht access-log witness; last cosigned: size {}\n", cosigned.size),
        None => "a Klarsicht access-log witness; nothing cosigned yet\n".to_owned(),
    }
}

/// Opens the witness's state (a new one with `init`) and binds `listen`; answers the bound address and the server to
/// run.
pub async fn bind(
    signing_key: Option<&str>,
    log_key: &str,
    state: &Path,
    init: bool,
    listen: SocketAddr,
) -> Result<(SocketAddr, impl std::future::Future<Output = std::io::Result<()>> + use<>), WitnessStartError> {
    let cosigner = Cosigner::parse(signing_key.unwrap_or_default().trim()).map_err(|_| WitnessStartError::Key)?;
    let witness = Arc::new(Witness::open(cosigner, log_key.trim(), state, init)?);
    let listener = TcpListener::bind(listen).await.map_err(|error| WitnessStartError::Bind(listen, error))?;
    let address = listener.local_addr().map_err(|error| WitnessStartError::Bind(listen, error))?;
    Ok((address, async move { axum::serve(listener, router(witness)).await }))
}
