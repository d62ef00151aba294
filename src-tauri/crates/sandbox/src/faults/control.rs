//! The control endpoint `/sandbox/faults`: what the CLI and the tests switch faults with.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use super::Fault;
use crate::SandboxState;

/// The control endpoint: GET lists, POST switches one on, DELETE clears (`?gateway=` narrows).
pub(crate) fn control_routes() -> Router<SandboxState> {
    Router::new().route("/sandbox/faults", get(list).post(add).delete(clear))
}

async fn list(State(state): State<SandboxState>) -> Response {
    match state.faults.list() {
        Ok(faults) => Json(faults).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

async fn add(State(state): State<SandboxState>, Json(fault): Json<Fault>) -> Response {
    match state.faults.set(&fault) {
        Ok(()) => (StatusCode::CREATED, Json(fault)).into_response(),
        Err(e) => (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
    }
}

#[derive(Deserialize)]
struct ClearQuery {
    gateway: Option<String>,
}

async fn clear(
    State(state): State<SandboxState>,
    axum::extract::Query(q): axum::extract::Query<ClearQuery>,
) -> Response {
    match state.faults.clear(q.gateway.as_deref()) {
        Ok(n) => Json(serde_json::json!({ "cleared": n })).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}
