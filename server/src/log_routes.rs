//! The access log's public face (C2SP tlog-tiles): the newest signed checkpoint, the key that
//! checks its signature, and the tree's hash tiles. Anyone may read them, without signing in,
//! and keep copies: they say nothing about anybody (each leaf is salted), and the leaves
//! themselves are never served here.

use std::sync::Arc;

use app::server::{access_log::tree::parse_tile_path, services::Services};
use axum::{
    Router,
    extract::{Path, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};

use crate::state::AppState;

/// A checkpoint is replaced within a second or two while entries come in.
const CHECKPOINT_CACHING: &str = "public, max-age=1";
/// A tile of a given width never changes, nor does the key.
const FOREVER: &str = "public, max-age=31536000, immutable";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/log/checkpoint", get(checkpoint))
        .route("/log/key", get(key))
        .route("/log/tile/{*path}", get(tile))
}

fn public(status: StatusCode, caching: &'static str, content_type: &'static str, body: impl IntoResponse) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(caching));
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    response
}

fn not_here(reason: &'static str) -> Response {
    let mut response = (StatusCode::NOT_FOUND, reason).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn unavailable(error: &dyn std::fmt::Display) -> Response {
    tracing::error!(%error, "the access log's public data could not be read");
    let mut response = (StatusCode::SERVICE_UNAVAILABLE, "the access log cannot be read just now; try again shortly\n").into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `GET /log/checkpoint`: the newest checkpoint, signed by the portal (C2SP tlog-checkpoint).
async fn checkpoint(State(services): State<Arc<Services>>) -> Response {
    match services.log_tree.checkpoint().await {
        Ok(Some(note)) => public(StatusCode::OK, CHECKPOINT_CACHING, "text/plain; charset=utf-8", note),
        Ok(None) => not_here("the access log has no checkpoint yet\n"),
        Err(error) => unavailable(&error),
    }
}

/// `GET /log/key`: the verifier key of the checkpoints' signatures (C2SP signed-note).
async fn key(State(services): State<Arc<Services>>) -> Response {
    let key = format!("{}\n", services.log_tree.verifier_key());
    public(StatusCode::OK, FOREVER, "text/plain; charset=utf-8", key)
}

/// `GET /log/tile/<L>/<N>[.p/<W>]`: a hash tile (C2SP tlog-tiles). Leaves (`data` tiles) are
/// not public.
async fn tile(State(services): State<Arc<Services>>, Path(path): Path<String>) -> Response {
    let Some((level, index, width)) = parse_tile_path(&path) else {
        return not_here("no such tile: the access log serves hash tiles, tile/<L>/<N>[.p/<W>]\n");
    };
    match services.log_tree.tile(level, index, width).await {
        Ok(Some(hashes)) => public(StatusCode::OK, FOREVER, "application/octet-stream", hashes),
        Ok(None) => not_here("no such tile yet\n"),
        Err(error) => unavailable(&error),
    }
}
