//! The card that paid an order, as the gateway's query reported it, kept with the order: the
//! receipt reads it from there (receipts::card_facts). Recorded by `follow` as the paid status
//! is, so it sits in the payments layer; receipts only read it.

use paydesk_domain::error::Result;
use paydesk_ledger::ledger::Ledger;

/// Keeps the card that paid an order, as the gateway's query reported it (IOTPay V3
/// `cardNum`, `authNum`), in its `payment_payload.card`: the receipt's "Card" and "Auth"
/// lines. Called as the paid status is recorded, before the automatic print reads the order.
/// The facts come masked from the gateways crate (`CardFacts`); nothing is written when the
/// ledger already has them.
pub fn keep_card(ledger: &Ledger, order_id: i64, card: &paydesk_gateways::CardFacts) -> Result<()> {
    let mut payload = ledger
        .get(order_id)?
        .payment_payload
        .filter(serde_json::Value::is_object)
        .unwrap_or_else(|| serde_json::json!({}));
    let mut kept = payload
        .get("card")
        .filter(|c| c.is_object())
        .cloned()
        .unwrap_or_else(|| serde_json::json!({}));
    // A later answer adds what an earlier one lacked and never erases what it gave.
    if let (Some(kept), serde_json::Value::Object(new)) = (kept.as_object_mut(), card.to_payload())
    {
        kept.extend(new);
    }
    if payload.get("card") != Some(&kept) {
        payload["card"] = kept;
        ledger.record_payload(order_id, &payload)?;
    }
    Ok(())
}
