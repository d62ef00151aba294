//! IOTPay v1 refunds: `refund_order` and Query Refund, and the refund's state the sandbox
//! keeps between them (a `pending` refund settles when it is first queried).

use axum::body::Bytes;
use axum::extract::State;
use axum::Json;
use rusqlite::{params, OptionalExtension};
use serde_json::{json, Map, Value};

use super::wire::{
    authenticated_params, code_description, fail, fault_code, success, text_field, UNCERTAIN_CODES,
};
use crate::faults::{FaultKind, HandlerFault};
use crate::SandboxState;

/// How the sandbox keeps a refund's state in `iotpay_refunds.kind`.
const REFUND_DONE: &str = "refund";
const REFUND_PENDING_SUCCEEDS: &str = "refund-pending-succeeds";
const REFUND_PENDING_FAILS: &str = "refund-pending-fails";
const REFUND_FAILED: &str = "refund-failed";

/// A refund's status in a Query Refund answer. The stored copy of guide page "query_refund"
/// could not be read past its menu; these are the refund statuses the vendor documents on
/// its refund page (guide page "creditCard/v3/refund": 0 pending, 1 unknown, 2 success, 9
/// fail).
const REFUND_STATUS_PROCESSING: i64 = 1;
const REFUND_STATUS_SUCCESS: i64 = 2;
const REFUND_STATUS_FAIL: i64 = 9;

/// One refund as the sandbox keeps it.
struct RefundRow {
    mch_id: String,
    pay_order_id: String,
    amount: i64,
    kind: String,
    created_at: i64,
}

fn find_refund(state: &SandboxState, mch_refund_no: &str) -> rusqlite::Result<Option<RefundRow>> {
    state
        .store
        .conn()
        .query_row(
            "SELECT mch_id, pay_order_id, amount, kind, created_at FROM iotpay_refunds WHERE mch_refund_no = ?1",
            [mch_refund_no],
            |r| {
                Ok(RefundRow {
                    mch_id: r.get(0)?,
                    pay_order_id: r.get(1)?,
                    amount: r.get(2)?,
                    kind: r.get(3)?,
                    created_at: r.get(4)?,
                })
            },
        )
        .optional()
}

/// The wallet's word on a pending refund arrives: done, or failed (its amount refundable
/// again at the gateway). Returns the refund's new kind.
fn settle_refund(state: &SandboxState, mch_refund_no: &str) -> rusqlite::Result<()> {
    let mut conn = state.store.conn();
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let row: Option<(String, String, i64)> = tx
        .query_row(
            "SELECT kind, pay_order_id, amount FROM iotpay_refunds WHERE mch_refund_no = ?1",
            [mch_refund_no],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    match row {
        Some((kind, _, _)) if kind == REFUND_PENDING_SUCCEEDS => {
            tx.execute(
                "UPDATE iotpay_refunds SET kind = ?2 WHERE mch_refund_no = ?1",
                params![mch_refund_no, REFUND_DONE],
            )?;
        }
        Some((kind, pay_order_id, amount)) if kind == REFUND_PENDING_FAILS => {
            tx.execute(
                "UPDATE iotpay_refunds SET kind = ?2 WHERE mch_refund_no = ?1",
                params![mch_refund_no, REFUND_FAILED],
            )?;
            tx.execute(
                "UPDATE iotpay_orders SET refunded = refunded - ?2 WHERE pay_order_id = ?1",
                params![pay_order_id, amount],
            )?;
        }
        _ => {}
    }
    tx.commit()
}

/// `refund_order` (guide page "refund"): mchId, mchRefundNo String(30), refundAmount (int
/// cents, at most what was paid), clientIp String(32), device (n), loginName String(32),
/// payOrderId String(64), sign.
pub(super) async fn refund_order(
    State(state): State<SandboxState>,
    fault: HandlerFault,
    body: Bytes,
) -> Json<Value> {
    let (fields, key) = match authenticated_params(&state, &body) {
        Ok(ok) => ok,
        Err(answer) => return answer,
    };
    for (name, max) in [
        ("mchRefundNo", 30),
        ("payOrderId", 64),
        ("clientIp", 32),
        ("loginName", 32),
    ] {
        match text_field(&fields, name) {
            Some(v) if v.chars().count() <= max => {}
            Some(_) => {
                return fail(
                    "0014",
                    format!("parameter error: {name} is longer than {max}"),
                )
            }
            None => return fail("0014", format!("parameter error: {name} is required")),
        }
    }
    let Some(amount) = fields.get("refundAmount").and_then(Value::as_i64) else {
        return fail(
            "0014",
            "parameter error: refundAmount must be an integer number of cents",
        );
    };
    let code = fault_code(&fault, FaultKind::Code);
    if let Some(code) = code.as_deref().filter(|c| !UNCERTAIN_CODES.contains(c)) {
        return fail(code, code_description(code));
    }
    let pending = fault
        .as_ref()
        .filter(|f| f.kind == FaultKind::Pending)
        .map(|f| f.value.unwrap_or(1) != 0);
    let mch_id = text_field(&fields, "mchId").unwrap_or_default();
    let pay_order_id = text_field(&fields, "payOrderId").unwrap_or_default();
    match state.store.find(pay_order_id) {
        Ok(Some(o)) if o.mch_id == mch_id && o.pay_order_id == pay_order_id => {}
        Ok(_) => return fail("0112", "merchant order id does not exist"),
        Err(e) => return fail("0118", format!("database error: {e}")),
    }
    let refund_no = text_field(&fields, "mchRefundNo").unwrap_or_default();
    let kind = match pending {
        Some(true) => REFUND_PENDING_SUCCEEDS,
        Some(false) => REFUND_PENDING_FAILS,
        None => REFUND_DONE,
    };
    let order = match state.store.refund(pay_order_id, refund_no, amount, kind) {
        Ok(Ok(order)) => order,
        Ok(Err(problem)) => return fail("0014", format!("parameter error: {problem}")),
        Err(e) => return fail("0118", format!("database error: {e}")),
    };
    // A resend under the same number is answered as the refund now stands.
    let stands = match find_refund(&state, refund_no) {
        Ok(Some(row)) => row.kind,
        Ok(None) => return fail("0118", "database error: the refund vanished"),
        Err(e) => return fail("0118", format!("database error: {e}")),
    };
    if let Some(code) = code {
        return fail(&code, code_description(&code));
    }
    match stands.as_str() {
        REFUND_PENDING_SUCCEEDS | REFUND_PENDING_FAILS => fail(
            "0110",
            "third-party timeout: the wallet has not confirmed the refund yet",
        ),
        REFUND_FAILED => fail(
            "0014",
            "parameter error: this mchRefundNo was declined by the wallet; use a new one",
        ),
        _ => {
            let mut answer = Map::new();
            answer.insert("mchId".into(), json!(order.mch_id));
            answer.insert("payOrderId".into(), json!(order.pay_order_id));
            answer.insert("mchRefundNo".into(), json!(refund_no));
            answer.insert("refundOrderId".into(), json!(format!("R{refund_no}")));
            answer.insert("refundAmount".into(), json!(amount));
            success(answer, key.expose())
        }
    }
}

/// Query Refund (guide page "query_refund"; reference §6). The stored copy of the page could
/// not be read past its menu, so the request is the v1 query's shape with the refund's
/// number (mchId, mchRefundNo, sign) and the answer the v1 envelope with the refund: mchId,
/// mchRefundNo, refundOrderId, payOrderId, refundAmount, currency, status (see
/// `REFUND_STATUS_*`), refundSuccTime (ms, once done). An unknown refund number is 0112.
pub(super) async fn query_refund(State(state): State<SandboxState>, body: Bytes) -> Json<Value> {
    let (fields, key) = match authenticated_params(&state, &body) {
        Ok(ok) => ok,
        Err(answer) => return answer,
    };
    let Some(refund_no) = text_field(&fields, "mchRefundNo") else {
        return fail("0014", "parameter error: mchRefundNo is required");
    };
    let mch_id = text_field(&fields, "mchId").unwrap_or_default();
    let row = match find_refund(&state, refund_no) {
        Ok(Some(row)) if row.mch_id == mch_id => row,
        Ok(_) => return fail("0112", "refund order does not exist"),
        Err(e) => return fail("0118", format!("database error: {e}")),
    };
    let status = match row.kind.as_str() {
        REFUND_PENDING_SUCCEEDS | REFUND_PENDING_FAILS => {
            // Asked while the wallet works on it: processing now, decided for the next ask.
            if let Err(e) = settle_refund(&state, refund_no) {
                return fail("0118", format!("database error: {e}"));
            }
            REFUND_STATUS_PROCESSING
        }
        REFUND_FAILED => REFUND_STATUS_FAIL,
        _ => REFUND_STATUS_SUCCESS,
    };
    let currency = match state.store.find(&row.pay_order_id) {
        Ok(Some(order)) => order.currency,
        Ok(None) => return fail("0118", "database error: the refunded order vanished"),
        Err(e) => return fail("0118", format!("database error: {e}")),
    };
    let mut answer = Map::new();
    answer.insert("mchId".into(), json!(row.mch_id));
    answer.insert("mchRefundNo".into(), json!(refund_no));
    answer.insert("refundOrderId".into(), json!(format!("R{refund_no}")));
    answer.insert("payOrderId".into(), json!(row.pay_order_id));
    answer.insert("refundAmount".into(), json!(row.amount));
    answer.insert("currency".into(), json!(currency));
    answer.insert("status".into(), json!(status));
    answer.insert(
        "refundSuccTime".into(),
        if status == REFUND_STATUS_SUCCESS {
            json!(row.created_at)
        } else {
            Value::Null
        },
    );
    success(answer, key.expose())
}
