//! The middleware in front of every gateway API: takes the fault switched on for the call, if
//! any, and acts it out (a late or missing answer, a broken body or signature), or hands a
//! gateway's own outcomes to its handler.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;

use super::{FaultKind, Faults};

/// Applies a fault, if one is switched on for this gateway call, around the real handler.
pub(crate) async fn inject(
    State(faults): State<Arc<Faults>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_string();
    let mut segments = path.trim_matches('/').split('/');
    let gateway = segments.next().unwrap_or_default().to_string();
    let call = path.rsplit('/').next().unwrap_or_default().to_string();
    let fault = match faults.take(&gateway, &call) {
        Ok(Some(f)) => f,
        Ok(None) => return next.run(request).await,
        Err(e) => {
            tracing::warn!("sandbox faults: {e}");
            return next.run(request).await;
        }
    };
    tracing::info!(
        gateway,
        call,
        kind = fault.kind.as_str(),
        "sandbox fault injected"
    );
    match fault.kind {
        FaultKind::Latency => {
            tokio::time::sleep(Duration::from_millis(
                fault.value.unwrap_or(1000).max(0) as u64
            ))
            .await;
            next.run(request).await
        }
        FaultKind::Timeout => {
            tokio::time::sleep(Duration::from_millis(
                fault.value.unwrap_or(60_000).max(0) as u64
            ))
            .await;
            (StatusCode::GATEWAY_TIMEOUT, "timeout").into_response()
        }
        FaultKind::Http500 => {
            (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error").into_response()
        }
        FaultKind::Malformed => (
            StatusCode::OK,
            [("content-type", "text/html")],
            "<html><body>502 Bad Gateway</body></html>",
        )
            .into_response(),
        FaultKind::RejectToken => (
            StatusCode::UNAUTHORIZED,
            Json(serde_json::json!({ "error": "token expired" })),
        )
            .into_response(),
        FaultKind::LateAnswer => {
            let response = next.run(request).await;
            tokio::time::sleep(Duration::from_millis(
                fault.value.unwrap_or(60_000).max(0) as u64
            ))
            .await;
            response
        }
        FaultKind::Truncated | FaultKind::BadSignature | FaultKind::Unsigned => {
            let response = next.run(request).await;
            let (parts, body) = response.into_parts();
            let bytes = axum::body::to_bytes(body, 4 << 20)
                .await
                .unwrap_or_default();
            let altered = match fault.kind {
                FaultKind::Truncated => bytes.slice(..bytes.len() / 2).to_vec(),
                FaultKind::Unsigned => strip_signature(&bytes),
                _ => corrupt_signature(&bytes),
            };
            let mut response = Response::from_parts(parts, Body::from(altered));
            response.headers_mut().remove("content-length");
            response
        }
        // Notification faults act in the notifier, not on API calls.
        FaultKind::DuplicateNotify | FaultKind::OutOfOrderNotify | FaultKind::DropNotify => {
            next.run(request).await
        }
        // A gateway's own outcomes: its handler answers them (see each handler).
        FaultKind::Code
        | FaultKind::Pending
        | FaultKind::Refuse
        | FaultKind::ClaimSuccess
        | FaultKind::WrongOrder => {
            let mut request = request;
            request.extensions_mut().insert(fault);
            next.run(request).await
        }
    }
}

/// Removes every `sign` from a JSON answer (top level and `retData`).
fn strip_signature(body: &[u8]) -> Vec<u8> {
    let Ok(mut value) = serde_json::from_slice::<Value>(body) else {
        return body.to_vec();
    };
    if let Some(object) = value.as_object_mut() {
        object.remove("sign");
        if let Some(Value::Object(data)) = object.get_mut("retData") {
            data.remove("sign");
        }
    }
    value.to_string().into_bytes()
}

/// Replaces every `sign` in a JSON answer (top level and `retData`) with a wrong one.
fn corrupt_signature(body: &[u8]) -> Vec<u8> {
    let Ok(mut value) = serde_json::from_slice::<Value>(body) else {
        return body.to_vec();
    };
    let wrong = Value::String("0".repeat(32));
    if let Some(object) = value.as_object_mut() {
        if object.contains_key("sign") {
            object.insert("sign".into(), wrong.clone());
        }
        if let Some(Value::Object(data)) = object.get_mut("retData") {
            if data.contains_key("sign") {
                data.insert("sign".into(), wrong);
            }
        }
    }
    value.to_string().into_bytes()
}
