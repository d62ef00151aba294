//! SmartPay's modifications of a payment (capture, refund, cancelOrRefund): each carries a
//! modificationId the ledger holds before the call, is resent unchanged on a retry, and is
//! done only when the answer says so ("Modification APIs" page).

use serde_json::{json, Value};

use super::mapping::documented_refusal;
use super::wire::{
    check_reference, decimal_value, protocol, read_modification, wire_amount, ModificationKind,
    AMOUNT_MARKER,
};
use super::{Smartpay, GATEWAY};
use crate::{check_length, json_with_decimal, Reversal};
use paydesk_domain::error::{Error, Result};
use paydesk_domain::money::Money;

impl Smartpay {
    /// The common body of a modification, checked: transactionId (<= 36), modificationId
    /// (<= 64, our characters), `modifiedAmount` `{amount, currencyCode}` (Capture and Refund
    /// pages: an object, amount Decimal 18.2, currencyCode ISO 4217) and description (<= 127).
    pub(super) fn modification_body(
        &self,
        transaction_id: &str,
        modification_id: &str,
        amount: Option<Money>,
        description: Option<&str>,
    ) -> Result<(Value, Option<String>)> {
        if transaction_id.trim().is_empty() {
            return Err(Error::invalid(
                "transactionId",
                "the order has no SmartPay transactionId",
            ));
        }
        check_length("transactionId", transaction_id, 36)?;
        Self::check_modification(modification_id, amount, description)?;
        let mut body = json!({
            "transactionId": transaction_id,
            "merchantKey": self.config.merchant_key.trim(),
            "modificationId": modification_id,
        });
        if let Some(description) = description {
            body["description"] = json!(description);
        }
        let decimal = match amount {
            Some(amount) => {
                let decimal = wire_amount(amount)?;
                body["modifiedAmount"] = json!({
                    "amount": decimal_value(&decimal)?,
                    "currencyCode": amount.currency().code(),
                });
                Some(decimal)
            }
            None => None,
        };
        Ok((body, decimal))
    }

    /// The checks of a modification that need no transactionId: modificationId (<= 64, our
    /// characters), the amount (two decimals, more than zero) and description (<= 127).
    fn check_modification(
        modification_id: &str,
        amount: Option<Money>,
        description: Option<&str>,
    ) -> Result<()> {
        check_reference("modificationId", modification_id)?;
        if let Some(amount) = amount {
            wire_amount(amount)?;
        }
        if let Some(description) = description {
            check_length("description", description, 127)?;
        }
        Ok(())
    }

    /// Checks a capture before anything is written or sent (the modificationId and, for a
    /// partial capture, the amount).
    pub fn prepare_capture(&self, modification_id: &str, amount: Option<Money>) -> Result<()> {
        Self::check_modification(modification_id, amount, None)
    }

    /// Checks a refund (or a void: cancelOrRefund) before the ledger reserves it: the refund
    /// number that will be its modificationId, and the amount.
    pub fn prepare_refund(&self, modification_id: &str, amount: Money) -> Result<()> {
        Self::check_modification(modification_id, Some(amount), None)
    }

    /// Checks a cancelOrRefund before anything is written or sent.
    pub fn prepare_cancel_or_refund(
        &self,
        modification_id: &str,
        description: Option<&str>,
    ) -> Result<()> {
        Self::check_modification(modification_id, None, description)
    }

    /// Sends a modification and reads its answer ([`read_modification`]): done is `Ok`, a
    /// documented refusal (HTTP 400/403/404, or a failed modification) `GatewayRejected`; any
    /// other answer `GatewayPending` (readable, not done) or `GatewayProtocol` (unreadable),
    /// settled by [`Smartpay::modification_status`] or by resending the same modificationId.
    async fn modify(
        &self,
        kind: ModificationKind,
        transaction_id: &str,
        modification_id: &str,
        amount: Option<Money>,
        description: Option<&str>,
    ) -> Result<Reversal> {
        let call = kind.path();
        let (mut body, decimal) =
            self.modification_body(transaction_id, modification_id, amount, description)?;
        let text = match decimal {
            Some(decimal) => {
                body["modifiedAmount"]["amount"] = json!(AMOUNT_MARKER);
                json_with_decimal(&body, AMOUNT_MARKER, &decimal)?
            }
            None => body.to_string(),
        };
        let (status, answer) = self
            .call(call, reqwest::Method::POST, call, Some(&text))
            .await?;
        if status >= 400 {
            return Err(documented_refusal(call, status, &answer).unwrap_or_else(|| {
                Error::GatewayPending {
                    gateway: GATEWAY,
                    status: format!("HTTP {status}"),
                    message: format!(
                        "{call}: HTTP {status} is not a documented answer: modification {modification_id} may have been made; query the payment status"
                    ),
                }
            }));
        }
        let answer: Value = serde_json::from_str(&answer)
            .map_err(|e| protocol(format!("{call}: not JSON ({e})")))?;
        read_modification(
            call,
            &answer,
            transaction_id,
            modification_id,
            Some(kind),
            amount,
        )
    }

    /// Settles a modification whose outcome was unknown by re-querying the payment status: the
    /// entry of `modifications[]` with this modificationId says done (`Ok`), failed
    /// (`GatewayRejected`) or anything else, or is not there yet (`GatewayPending`). A payment
    /// SmartPay does not know (404) is a refusal: nothing was modified.
    pub async fn modification_status(
        &self,
        transaction_id: &str,
        modification_id: &str,
    ) -> Result<Reversal> {
        let Some((answer, _)) = self.fetch_status(transaction_id).await? else {
            return Err(Error::GatewayRejected {
                gateway: GATEWAY,
                code: "404".into(),
                message: format!("payment/status: SmartPay has no transaction {transaction_id}"),
            });
        };
        read_modification(
            "payment/status",
            &answer,
            transaction_id,
            modification_id,
            None,
            None,
        )
    }

    /// Captures an authorisation (in full when `amount` is None).
    pub async fn capture(
        &self,
        transaction_id: &str,
        modification_id: &str,
        amount: Option<Money>,
    ) -> Result<Reversal> {
        self.modify(
            ModificationKind::Capture,
            transaction_id,
            modification_id,
            amount,
            None,
        )
        .await
    }

    /// Refunds part of a captured payment.
    pub async fn refund(
        &self,
        transaction_id: &str,
        modification_id: &str,
        amount: Money,
    ) -> Result<Reversal> {
        self.modify(
            ModificationKind::Refund,
            transaction_id,
            modification_id,
            Some(amount),
            None,
        )
        .await
    }

    /// Cancels an authorisation, or refunds a captured payment in full.
    pub async fn cancel_or_refund(
        &self,
        transaction_id: &str,
        modification_id: &str,
        description: Option<&str>,
    ) -> Result<Reversal> {
        self.modify(
            ModificationKind::CancelOrRefund,
            transaction_id,
            modification_id,
            None,
            description,
        )
        .await
    }
}
