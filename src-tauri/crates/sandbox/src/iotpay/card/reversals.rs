//! V3 refunds and voids (guide pages "creditCard/v3/refund" and "creditCard/v3/void"): each
//! is an order of its own, kept in `iotpay_card_reversals`, answered and settled as the
//! module's faults say (`pending`, `code`, `refuse`).

use axum::body::Bytes;
use axum::extract::State;
use axum::Json;
use rusqlite::{params, OptionalExtension};
use serde_json::{json, Map, Value};

use super::find_order;
use super::wire::{answer, authenticated, new_id, refuse, text, STATUS_PENDING, STATUS_UNKNOWN};
use crate::faults::{Fault, FaultKind, HandlerFault};
use crate::iotpay::store::{STATUS_FAILED, STATUS_PAID};
use crate::{SandboxState, SandboxStore};

/// A refund or void as the sandbox keeps it (beside `iotpay_refunds`, which holds what was
/// taken off the order): its own id, its V3 status and, while pending, what it settles to.
#[derive(Debug, Clone)]
pub(super) struct Reversal {
    mch_refund_no: String,
    mch_id: String,
    refund_order_id: String,
    original_order_id: String,
    kind: String,
    amount: i64,
    status: i64,
    settles_to: Option<i64>,
    created_at: i64,
}

fn ensure_reversals(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS iotpay_card_reversals (
            mch_id            TEXT    NOT NULL,
            mch_refund_no     TEXT    NOT NULL,
            refund_order_id   TEXT    NOT NULL UNIQUE,
            original_order_id TEXT    NOT NULL,
            kind              TEXT    NOT NULL,
            amount            INTEGER NOT NULL,
            status            INTEGER NOT NULL,
            settles_to        INTEGER,
            created_at        INTEGER NOT NULL,
            PRIMARY KEY (mch_id, mch_refund_no)
        );",
    )
}

pub(super) fn reversal_by_reference(
    store: &SandboxStore,
    mch_id: &str,
    reference: &str,
) -> paydesk_domain::error::Result<Option<Reversal>> {
    if reference.is_empty() {
        return Ok(None);
    }
    let conn = store.conn();
    ensure_reversals(&conn)?;
    Ok(conn
        .query_row(
            "SELECT mch_refund_no, mch_id, refund_order_id, original_order_id, kind, amount,
                    status, settles_to, created_at
             FROM iotpay_card_reversals
             WHERE mch_id = ?1 AND (mch_refund_no = ?2 OR refund_order_id = ?2)",
            params![mch_id, reference],
            |r| {
                Ok(Reversal {
                    mch_refund_no: r.get(0)?,
                    mch_id: r.get(1)?,
                    refund_order_id: r.get(2)?,
                    original_order_id: r.get(3)?,
                    kind: r.get(4)?,
                    amount: r.get(5)?,
                    status: r.get(6)?,
                    settles_to: r.get(7)?,
                    created_at: r.get(8)?,
                })
            },
        )
        .optional()?)
}

fn insert_reversal(store: &SandboxStore, reversal: &Reversal) -> paydesk_domain::error::Result<()> {
    let conn = store.conn();
    ensure_reversals(&conn)?;
    conn.execute(
        "INSERT INTO iotpay_card_reversals (mch_refund_no, mch_id, refund_order_id,
            original_order_id, kind, amount, status, settles_to, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            reversal.mch_refund_no,
            reversal.mch_id,
            reversal.refund_order_id,
            reversal.original_order_id,
            reversal.kind,
            reversal.amount,
            reversal.status,
            reversal.settles_to,
            reversal.created_at
        ],
    )?;
    Ok(())
}

/// A pending (0) or unknown (1) refund reaches what it was to become; a failed one gives the
/// held amount back to the order (it can be refunded again).
pub(super) fn settle_reversal(
    store: &SandboxStore,
    mut reversal: Reversal,
) -> paydesk_domain::error::Result<Reversal> {
    let Some(to) = reversal.settles_to else {
        return Ok(reversal);
    };
    if reversal.status != STATUS_PENDING && reversal.status != STATUS_UNKNOWN {
        return Ok(reversal);
    }
    let mut conn = store.conn();
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let changed = tx.execute(
        "UPDATE iotpay_card_reversals SET status = ?3, settles_to = NULL
         WHERE mch_id = ?1 AND mch_refund_no = ?2 AND status IN (0, 1)",
        params![reversal.mch_id, reversal.mch_refund_no, to],
    )?;
    if changed == 1 && to == STATUS_FAILED {
        tx.execute(
            "UPDATE iotpay_orders SET refunded = refunded - ?2 WHERE pay_order_id = ?1",
            params![reversal.original_order_id, reversal.amount],
        )?;
        tx.execute(
            "DELETE FROM iotpay_refunds WHERE mch_refund_no = ?1",
            [&reversal.mch_refund_no],
        )?;
    }
    tx.commit()?;
    reversal.status = to;
    reversal.settles_to = None;
    Ok(reversal)
}

/// `retData` of a refund or void (guide pages "creditCard/v3/refund" and "creditCard/v3/void").
pub(super) fn reversal_data(store: &SandboxStore, reversal: &Reversal) -> Map<String, Value> {
    let original = store.find(&reversal.original_order_id).ok().flatten();
    let mut data = Map::new();
    data.insert("payOrderId".into(), json!(reversal.refund_order_id));
    data.insert("mchId".into(), json!(reversal.mch_id));
    data.insert("mchOrderNo".into(), json!(reversal.mch_refund_no));
    data.insert("originalOrderId".into(), json!(reversal.original_order_id));
    data.insert(
        "currency".into(),
        json!(original
            .as_ref()
            .map(|o| o.currency.as_str())
            .unwrap_or("CAD")),
    );
    data.insert("amount".into(), json!(reversal.amount));
    data.insert("payType".into(), json!("refund"));
    data.insert("refundable".into(), json!(0));
    data.insert("status".into(), json!(reversal.status));
    if reversal.status == STATUS_PAID {
        let at = chrono::DateTime::from_timestamp_millis(reversal.created_at)
            .unwrap_or_default()
            .format("%Y-%m-%d %H:%M:%S")
            .to_string();
        data.insert("paySuccTime".into(), json!(at));
    }
    if let Some(card) = original.as_ref().and_then(|o| o.card_num.clone()) {
        data.insert("cardNum".into(), json!(card));
    }
    data.insert(
        "channel".into(),
        json!(original
            .map(|o| o.channel_id)
            .unwrap_or_else(|| "PF_CC".into())),
    );
    data
}

/// What a refund or void answers now, and what it becomes later: (status, settles_to).
fn reversal_plan(fault: Option<&Fault>) -> Result<(i64, Option<i64>), Json<Value>> {
    let Some(fault) = fault else {
        return Ok((STATUS_PAID, None));
    };
    match (fault.kind, fault.value) {
        (FaultKind::Pending, Some(0)) => Ok((STATUS_PENDING, Some(STATUS_FAILED))),
        (FaultKind::Pending, _) => Ok((STATUS_PENDING, Some(STATUS_PAID))),
        (FaultKind::Code, None | Some(1)) => Ok((STATUS_UNKNOWN, Some(STATUS_PAID))),
        (FaultKind::Code, Some(0)) => Ok((STATUS_PENDING, Some(STATUS_PAID))),
        (FaultKind::Code, Some(9)) | (FaultKind::Refuse, _) => Ok((STATUS_FAILED, None)),
        (FaultKind::Code, Some(other)) => Err(refuse(format!(
            "sandbox: the code fault on a V3 refund takes 0, 1 or 9, not {other}"
        ))),
        _ => Ok((STATUS_PAID, None)),
    }
}

async fn reverse(state: SandboxState, fault: HandlerFault, body: Bytes, kind: &str) -> Json<Value> {
    let mut required = vec![
        ("mchId", 30),
        ("mchRefundNo", 30),
        ("loginName", 12),
        ("payOrderId", 30),
    ];
    if kind == "refund" {
        required.push(("refundAmount", 12));
    }
    let (fields, key) = match authenticated(&state, &body, &required) {
        Ok(ok) => ok,
        Err(refusal) => return refusal,
    };
    let order = match find_order(&state, &fields) {
        Ok(order) => order,
        Err(refusal) => return refusal,
    };
    let mch_refund_no = text(&fields, "mchRefundNo");
    let amount = if kind == "void" {
        order.amount - order.refunded
    } else {
        fields
            .get("refundAmount")
            .and_then(Value::as_i64)
            .unwrap_or(0)
    };
    // A resend of the same refund number answers that refund as it now stands.
    match reversal_by_reference(&state.store, &order.mch_id, &mch_refund_no) {
        Ok(Some(earlier))
            if earlier.mch_refund_no == mch_refund_no
                && earlier.original_order_id == order.pay_order_id
                && earlier.kind == kind
                && (kind == "void" || earlier.amount == amount) =>
        {
            return match settle_reversal(&state.store, earlier) {
                Ok(reversal) => answer(reversal_data(&state.store, &reversal), key.expose()),
                Err(e) => refuse(format!("database error: {e}")),
            };
        }
        Ok(Some(_)) => return refuse("mchRefundNo was already used for another refund"),
        Ok(None) => {}
        Err(e) => return refuse(format!("database error: {e}")),
    }
    let fault = fault.map(|axum::Extension(f)| f);
    let (status, settles_to) = match reversal_plan(fault.as_ref()) {
        Ok(plan) => plan,
        Err(refusal) => return refusal,
    };
    if status != STATUS_FAILED {
        // Taken off what can be refunded at once, pending or not: a pending refund is not
        // refundable again (it is given back only if it fails).
        match state
            .store
            .refund(&order.pay_order_id, &mch_refund_no, amount, kind)
        {
            Ok(Ok(_)) => {}
            Ok(Err(problem)) => return refuse(problem),
            Err(e) => return refuse(format!("database error: {e}")),
        }
    } else if order.status != STATUS_PAID && order.status != 3 {
        return refuse("order is not paid");
    }
    let reversal = Reversal {
        mch_refund_no,
        mch_id: order.mch_id.clone(),
        refund_order_id: new_id("RP"),
        original_order_id: order.pay_order_id.clone(),
        kind: kind.to_string(),
        amount,
        status,
        settles_to,
        created_at: paydesk_domain::clock::now_ms(),
    };
    if let Err(e) = insert_reversal(&state.store, &reversal) {
        return refuse(format!("database error: {e}"));
    }
    answer(reversal_data(&state.store, &reversal), key.expose())
}

pub(super) async fn cc_void(
    State(state): State<SandboxState>,
    fault: HandlerFault,
    body: Bytes,
) -> Json<Value> {
    reverse(state, fault, body, "void").await
}

pub(super) async fn cc_refund(
    State(state): State<SandboxState>,
    fault: HandlerFault,
    body: Bytes,
) -> Json<Value> {
    reverse(state, fault, body, "refund").await
}
