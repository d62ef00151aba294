//! SmartPay's modification APIs as the sandbox serves them: capture, refund and
//! cancelOrRefund, each idempotent by its modificationId, with the `refuse` and `pending`
//! faults.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rusqlite::{params, OptionalExtension};
use serde_json::Value;

use super::api::{is_fault, merchant_request};
use super::send_webhook;
use super::store::{apply_effect, ensure_states};
use super::wire::{error, modification_json, modified_amount, reference_ok, status_body};
use crate::faults::{FaultKind, HandlerFault};
use crate::{SandboxState, SandboxStore};
use paydesk_domain::clock::now_ms;

/// The answer to a modification: the shared model, with the one asked for as `modification`
/// (Cancel page).
fn modification_answer(
    store: &SandboxStore,
    transaction_id: &str,
    modification_id: &str,
) -> Response {
    let Ok(Some(payment)) = store.smartpay_payment(transaction_id) else {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "DB", "payment vanished");
    };
    let mut body = status_body(store, &payment);
    let records = store
        .smartpay_modification_records(transaction_id)
        .unwrap_or_default();
    if let Some((i, m)) = records
        .iter()
        .enumerate()
        .find(|(_, m)| m.modification_id == modification_id)
    {
        body["modification"] = modification_json(&payment, i, m);
    }
    Json(body).into_response()
}

/// Applies one modification, idempotent by modificationId: a repeat, whatever it carries, is
/// given the first one's result (Modification APIs page), a refused one its refusal.
fn modify(
    state: &SandboxState,
    headers: &HeaderMap,
    fault: &HandlerFault,
    body: &[u8],
    kind: &str,
) -> Response {
    let request = match merchant_request(state, headers, body) {
        Ok(request) => request,
        Err(r) => return r,
    };
    let modification_id = request
        .get("modificationId")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if !reference_ok(&modification_id) {
        return error(
            StatusCode::BAD_REQUEST,
            "INVALID_MODIFICATION_ID",
            "modificationId is at most 64 of [A-Za-z0-9-_.:]",
        );
    }
    let transaction_id = request
        .get("transactionId")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let payment = match state.store.smartpay_payment(&transaction_id) {
        Ok(Some(p)) if p.transaction_id == transaction_id => p,
        _ => {
            return error(
                StatusCode::NOT_FOUND,
                "TRANSACTION_NOT_FOUND",
                "no such transaction",
            )
        }
    };
    if request
        .get("description")
        .and_then(Value::as_str)
        .is_some_and(|d| d.chars().count() > 127)
    {
        return error(
            StatusCode::BAD_REQUEST,
            "INVALID_DESCRIPTION",
            "description is at most 127 characters",
        );
    }
    let requested = match modified_amount(&request, &payment.currency) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let refused = || {
        error(
            StatusCode::BAD_REQUEST,
            "MODIFICATION_REFUSED",
            "the payment provider refused the modification",
        )
    };

    let mut conn = state.store.conn();
    if ensure_states(&conn).is_err() {
        return error(StatusCode::SERVICE_UNAVAILABLE, "BUSY", "try again");
    }
    let Ok(tx) = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate) else {
        return error(StatusCode::SERVICE_UNAVAILABLE, "BUSY", "try again");
    };
    // A repeat: the first one's result.
    let earlier: Option<String> = tx
        .query_row(
            "SELECT transaction_id FROM smartpay_modifications WHERE modification_id = ?1",
            [&modification_id],
            |r| r.get(0),
        )
        .optional()
        .unwrap_or(None);
    if let Some(first) = earlier {
        drop(tx);
        drop(conn);
        return modification_answer(&state.store, &first, &modification_id);
    }
    let was_refused: bool = tx
        .query_row(
            "SELECT 1 FROM smartpay_modification_states WHERE modification_id = ?1 AND state = 'refused'",
            [&modification_id],
            |_| Ok(()),
        )
        .optional()
        .ok()
        .flatten()
        .is_some();
    if was_refused {
        return refused();
    }
    if is_fault(fault, FaultKind::Refuse) {
        let kept = tx
            .execute(
                "INSERT INTO smartpay_modification_states (modification_id, transaction_id, kind, state, updated_at) VALUES (?1, ?2, ?3, 'refused', ?4)",
                params![modification_id, transaction_id, kind, now_ms()],
            )
            .and_then(|_| tx.commit());
        if let Err(e) = kept {
            return error(StatusCode::INTERNAL_SERVER_ERROR, "DB", &e.to_string());
        }
        return refused();
    }

    let pending_refunds: i64 = tx
        .query_row(
            "SELECT COALESCE(SUM(m.amount_minor), 0) FROM smartpay_modifications m
             JOIN smartpay_modification_states s USING (modification_id)
             WHERE m.transaction_id = ?1 AND s.state = 'pending' AND m.kind != 'capture'",
            [&transaction_id],
            |r| r.get(0),
        )
        .unwrap_or(0);
    let refundable = payment.captured_minor - payment.refunded_minor - pending_refunds;
    let invalid = |message: String| error(StatusCode::BAD_REQUEST, "INVALID_STATE", &message);
    let (status_after, amount) = match kind {
        "capture" => {
            if payment.status != "AUTHORIZATION_COMPLETED" {
                return invalid(format!("cannot capture a payment in {}", payment.status));
            }
            let amount = requested.unwrap_or(payment.amount_minor);
            if amount > payment.amount_minor {
                return error(
                    StatusCode::BAD_REQUEST,
                    "AMOUNT_TOO_HIGH",
                    "more than was authorised",
                );
            }
            ("CAPTURED", amount)
        }
        "refund" => {
            if !matches!(payment.status.as_str(), "CAPTURED" | "SETTLED") {
                return invalid(format!("cannot refund a payment in {}", payment.status));
            }
            let amount = requested.unwrap_or(refundable);
            if amount <= 0 || amount > refundable {
                return error(
                    StatusCode::BAD_REQUEST,
                    "AMOUNT_TOO_HIGH",
                    &format!("at most {} can be refunded", refundable.max(0)),
                );
            }
            let after =
                if payment.refunded_minor + pending_refunds + amount >= payment.captured_minor {
                    "REFUNDED"
                } else {
                    payment.status.as_str()
                };
            (after, amount)
        }
        _ => match payment.status.as_str() {
            // "Cancel or Refund" (documentation.jpmmps.com/docs/smartpay-openapi/
            // cancel-or-refund-transaction): "Cancels or fully refunds a transaction depending
            // on the transaction status". A payment the customer has not authorised yet (the
            // checkout is open) is cancelled: its widget can no longer be paid.
            "CREATED" | "AUTORIZATION_INITIALIZED" => ("CANCELLED", payment.amount_minor),
            "AUTHORIZATION_COMPLETED" => ("CANCELLED", payment.amount_minor),
            "CAPTURED" | "SETTLED" if refundable > 0 => ("REFUNDED", refundable),
            other => return invalid(format!("cannot cancel or refund a payment in {other}")),
        },
    };
    let now = now_ms();
    let pending = fault
        .as_ref()
        .filter(|f| f.0.kind == FaultKind::Pending)
        .map(|f| f.0.value.unwrap_or(1) != 0);
    let stored = tx
        .execute(
            "INSERT INTO smartpay_modifications (modification_id, transaction_id, kind, amount_minor, status_after, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![modification_id, transaction_id, kind, amount, status_after, now],
        )
        .and_then(|_| match pending {
            // Taken, not confirmed yet: shows pending once in a status answer, then settles.
            Some(succeeds) => {
                tx.execute(
                    "INSERT INTO smartpay_modification_states (modification_id, transaction_id, kind, state, succeeds, polls_left, before_status, updated_at)
                     VALUES (?1, ?2, ?3, 'pending', ?4, 1, ?5, ?6)",
                    params![modification_id, transaction_id, kind, succeeds, payment.status, now],
                )?;
                if kind == "capture" {
                    tx.execute(
                        "UPDATE smartpay_payments SET status = 'CAPTURE_PENDING' WHERE transaction_id = ?1",
                        [&transaction_id],
                    )?;
                }
                Ok(())
            }
            None => apply_effect(&tx, &transaction_id, kind, amount, status_after),
        })
        .and_then(|_| tx.commit());
    drop(conn);
    if let Err(e) = stored {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "DB", &e.to_string());
    }
    let store = state.store.clone();
    let id = transaction_id.clone();
    tokio::spawn(async move {
        send_webhook(&store, &id).await;
    });
    modification_answer(&state.store, &transaction_id, &modification_id)
}

pub(super) async fn capture(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    fault: HandlerFault,
    body: Bytes,
) -> Response {
    modify(&state, &headers, &fault, &body, "capture")
}

pub(super) async fn refund(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    fault: HandlerFault,
    body: Bytes,
) -> Response {
    modify(&state, &headers, &fault, &body, "refund")
}

pub(super) async fn cancel_or_refund(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    fault: HandlerFault,
    body: Bytes,
) -> Response {
    modify(&state, &headers, &fault, &body, "cancelOrRefund")
}
