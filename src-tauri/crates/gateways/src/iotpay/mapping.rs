//! IOTPay v1's documented words: one table of order statuses, one of refund statuses, one of
//! error codes, and the outcome a code stands for. Everything that reads a status or a code
//! reads these. Then the channel that serves each method.

use super::GATEWAY;
use crate::{CodeMeaning, CodeWord, StatusWord};
use paydesk_domain::error::{Error, Result};
use paydesk_domain::order::{Method, OrderStatus};

/// v1 order `status` (guide page "order_query", "Order Status"): 0 created but not paid, 1
/// the customer is paying (typing a password), 2 paid, 3 paid and the merchant notified, 4
/// cancelled by the system, 9 cancelled by the user. Paid = 2 or 3.
pub const STATUS_WORDS: &[StatusWord] = &[
    StatusWord {
        word: "0",
        status: OrderStatus::Pending,
        label: "waiting for the customer",
        key: "gateway_word.iotpay.status_0",
    },
    StatusWord {
        word: "1",
        status: OrderStatus::Pending,
        label: "the customer is paying on their phone",
        key: "gateway_word.iotpay.status_1",
    },
    StatusWord {
        word: "2",
        status: OrderStatus::Paid,
        label: "paid",
        key: "gateway_word.iotpay.status_2",
    },
    StatusWord {
        word: "3",
        status: OrderStatus::Paid,
        label: "paid (IOTPay has told the shop)",
        key: "gateway_word.iotpay.status_3",
    },
    StatusWord {
        word: "4",
        status: OrderStatus::Cancelled,
        label: "closed by the wallet",
        key: "gateway_word.iotpay.status_4",
    },
    StatusWord {
        word: "9",
        status: OrderStatus::Cancelled,
        label: "cancelled by the customer",
        key: "gateway_word.iotpay.status_9",
    },
];

/// A refund's `status` in a Query Refund answer. The stored copy of guide page
/// "query_refund" could not be read past its menu, so these are the refund statuses the
/// vendor documents on its refund page (guide page "creditCard/v3/refund": 0 pending, 1
/// unknown, 2 success, 9 fail). Only 2 is done and only 9 is failed; 0, 1 and any other
/// word are unknown (query again), so a different reading of the v1 page can never turn
/// into a wrong "refunded".
pub const REFUND_STATUS_WORDS: &[StatusWord] = &[
    StatusWord {
        word: "0",
        status: OrderStatus::Pending,
        label: "refund waiting at the wallet",
        key: "gateway_word.iotpay.refund_0",
    },
    StatusWord {
        word: "1",
        status: OrderStatus::Pending,
        label: "refund being processed by the wallet",
        key: "gateway_word.iotpay.refund_1",
    },
    StatusWord {
        word: "2",
        status: OrderStatus::Refunded,
        label: "refunded to the customer",
        key: "gateway_word.iotpay.refund_2",
    },
    StatusWord {
        word: "9",
        status: OrderStatus::Failed,
        label: "refund declined by the wallet",
        key: "gateway_word.iotpay.refund_9",
    },
];

/// The documented v1 error codes (reference §1.9, read as §6 says): 0011-0015 refuse the
/// request as sent; 0010, 0110, 0111, 0118 say nothing certain about the payment; 0113 says
/// the order number is already paid (query it); 0112 says there is no such order. A code not
/// in this table is unknown.
pub const ERROR_CODES: &[CodeWord] = &[
    CodeWord {
        code: "0010",
        meaning: CodeMeaning::Unknown,
        label: "IOTPay had a system error: the payment may still go through",
        key: "gateway_word.iotpay.code_0010",
    },
    CodeWord {
        code: "0011",
        meaning: CodeMeaning::Refused,
        label: "IOTPay refused the request (it must be a POST)",
        key: "gateway_word.iotpay.code_0011",
    },
    CodeWord {
        code: "0012",
        meaning: CodeMeaning::Refused,
        label: "IOTPay received an empty request",
        key: "gateway_word.iotpay.code_0012",
    },
    CodeWord {
        code: "0013",
        meaning: CodeMeaning::Refused,
        label: "IOTPay refused the signature: check the merchant key",
        key: "gateway_word.iotpay.code_0013",
    },
    CodeWord {
        code: "0014",
        meaning: CodeMeaning::Refused,
        label: "IOTPay refused a value of the request",
        key: "gateway_word.iotpay.code_0014",
    },
    CodeWord {
        code: "0015",
        meaning: CodeMeaning::Refused,
        label: "IOTPay does not know this merchant: check the merchant ID",
        key: "gateway_word.iotpay.code_0015",
    },
    CodeWord {
        code: "0110",
        meaning: CodeMeaning::Unknown,
        label: "the wallet did not answer IOTPay in time: the customer may still confirm",
        key: "gateway_word.iotpay.code_0110",
    },
    CodeWord {
        code: "0111",
        meaning: CodeMeaning::Unknown,
        label: "the wallet reported a problem to IOTPay: the outcome is not known yet",
        key: "gateway_word.iotpay.code_0111",
    },
    CodeWord {
        code: "0112",
        meaning: CodeMeaning::NoSuchOrder,
        label: "IOTPay has no order under this number",
        key: "gateway_word.iotpay.code_0112",
    },
    CodeWord {
        code: "0113",
        meaning: CodeMeaning::AlreadyPaid,
        label: "IOTPay says this order number is already paid",
        key: "gateway_word.iotpay.code_0113",
    },
    CodeWord {
        code: "0118",
        meaning: CodeMeaning::Unknown,
        label: "IOTPay had a database error: the payment may still go through",
        key: "gateway_word.iotpay.code_0118",
    },
];

/// The table row of a documented error code.
pub fn code_word(code: &str) -> Option<&'static CodeWord> {
    ERROR_CODES.iter().find(|c| c.code == code.trim())
}

/// How a code is to be read: an undocumented one is unknown, never a refusal.
pub fn code_meaning(code: &str) -> CodeMeaning {
    code_word(code).map_or(CodeMeaning::Unknown, |c| c.meaning)
}

/// The table row of an order status word.
pub fn status_word(word: &str) -> Option<&'static StatusWord> {
    STATUS_WORDS.iter().find(|s| s.word == word.trim())
}

/// v1 `status` into the unified model, from `STATUS_WORDS`; anything else is Pending.
pub fn map_status(code: i64) -> OrderStatus {
    map_status_word(&code.to_string())
}

/// `map_status` for the word as it arrived (a number or its text).
pub fn map_status_word(word: &str) -> OrderStatus {
    status_word(word).map_or(OrderStatus::Pending, |s| s.status)
}

/// What the counter shows for a status word.
pub fn status_label(word: &str) -> Option<&'static str> {
    status_word(word).map(|s| s.label)
}

/// Status 4 of an order whose customer's code was scanned (a `*_MICROPAY` channel): the
/// wallet declined the payment. The order ended without money: Failed, not cancelled (a QR
/// order's 4 is the system closing an unpaid order: cancelled).
pub const MICROPAY_DECLINED: StatusWord = StatusWord {
    word: "4",
    status: OrderStatus::Failed,
    label: "declined by the customer's wallet",
    key: "gateway_word.iotpay.micropay_declined",
};

/// Whether a v1 channel is one where the shop scans the customer's code.
pub fn is_micropay(channel: &str) -> bool {
    channel.ends_with("_MICROPAY")
}

/// The card terminal's channel (guide page "pos_semi_integration": "you can still use our
/// unified create order API with the channel: CC_PAX").
pub const TERMINAL_CHANNEL: &str = "CC_PAX";

/// The `notifyUrl` a CC_PAX order must carry (guide page "pos_semi_integration": "use
/// 'http://localhost' when channel='CC_PAX'"): IOTPay tells no one, the order is followed by
/// query ("Asynchronous Notify": "for some merchant without backend system, eg. some pos
/// machine, no notifyUrl can be used. Merchant can get order status by polling").
pub const TERMINAL_NOTIFY_URL: &str = "http://localhost";

/// A CC_PAX order's status, read before `STATUS_WORDS`. The v1 query (guide page
/// "order_query") is the only status list IOTPay gives for it, so the numbers are v1's; on a
/// card terminal they are told as the terminal tells them. A 4 ("cancelled by system") or a 9
/// ("cancelled by user"; IOTPay's card API, guide page "creditCard/v3/query_transaction",
/// uses 9 for "fail") is a card sale that ended at the terminal without the money: Failed,
/// as a declined scanned code is, never a sale someone can still pay.
pub const TERMINAL_WORDS: &[StatusWord] = &[
    StatusWord {
        word: "0",
        status: OrderStatus::Pending,
        label: "waiting for the card on the terminal",
        key: "gateway_word.iotpay.terminal_0",
    },
    StatusWord {
        word: "1",
        status: OrderStatus::Pending,
        label: "the customer is paying on the terminal",
        key: "gateway_word.iotpay.terminal_1",
    },
    StatusWord {
        word: "4",
        status: OrderStatus::Failed,
        label: "closed at the terminal without payment",
        key: "gateway_word.iotpay.terminal_4",
    },
    StatusWord {
        word: "9",
        status: OrderStatus::Failed,
        label: "declined at the terminal",
        key: "gateway_word.iotpay.terminal_9",
    },
];

/// Whether a v1 channel is the card terminal's.
pub fn is_terminal(channel: &str) -> bool {
    channel == TERMINAL_CHANNEL
}

/// The table row of a status word on a channel: `MICROPAY_DECLINED` for 4 on a scanned code,
/// `TERMINAL_WORDS` on the card terminal, else `STATUS_WORDS`.
pub fn channel_status_word(word: &str, channel: &str) -> Option<&'static StatusWord> {
    if is_micropay(channel) && word.trim() == MICROPAY_DECLINED.word {
        return Some(&MICROPAY_DECLINED);
    }
    if is_terminal(channel) {
        if let Some(found) = TERMINAL_WORDS.iter().find(|s| s.word == word.trim()) {
            return Some(found);
        }
    }
    status_word(word)
}

/// The table row of a refund status word.
pub fn refund_status_word(word: &str) -> Option<&'static StatusWord> {
    REFUND_STATUS_WORDS.iter().find(|s| s.word == word.trim())
}

/// The outcome a failed answer (`code`, the gateway's words) stands for at `endpoint`,
/// from `ERROR_CODES`: only a documented refusal is `GatewayRejected`.
pub fn failure(endpoint: &str, code: &str, message: &str) -> Error {
    let label = code_word(code).map(|c| c.label);
    let words = match (label, message.is_empty()) {
        (Some(label), true) => label.to_string(),
        (Some(label), false) if label != message => format!("{label} ({message})"),
        (Some(label), false) => label.to_string(),
        (None, _) => message.to_string(),
    };
    let meaning = code_meaning(code);
    let pending = |words: String| Error::GatewayPending {
        gateway: GATEWAY,
        status: if code.is_empty() {
            "FAIL".to_string()
        } else {
            code.to_string()
        },
        message: format!("{endpoint}: {words}"),
    };
    match meaning {
        CodeMeaning::Refused => Error::GatewayRejected {
            gateway: GATEWAY,
            code: code.to_string(),
            message: words,
        },
        // "No such order" is definite where an order is named (a query, a refund of a
        // payOrderId); on a create it makes no sense and proves nothing.
        CodeMeaning::NoSuchOrder if endpoint != "create_order" => Error::GatewayRejected {
            gateway: GATEWAY,
            code: code.to_string(),
            message: words,
        },
        CodeMeaning::AlreadyPaid => pending(format!("{words}: query the order")),
        CodeMeaning::NoSuchOrder | CodeMeaning::Unknown => pending(if label.is_none() {
            format!("undocumented answer {code:?}: {words}")
        } else {
            words
        }),
    }
}

// ---------------------------------------------------------------------------------------
// Channels
// ---------------------------------------------------------------------------------------

/// The v1 channel for a method; a scanned payment code tells its own wallet.
pub fn channel_id(method: Method, payment_code: Option<&str>) -> Result<&'static str> {
    Ok(match method {
        Method::WechatQr => "WX_NATIVE",
        Method::AlipayQr => "ALIPAY_QR",
        Method::UnionpayQr => "UPI_QR",
        Method::Barcode => micropay_channel(payment_code.unwrap_or_default())?,
        Method::AlipayWeb => "ALIPAY_WAP",
        Method::UnionpayWeb => "UPI_SEQ",
        Method::WechatApp => "WX_APP",
        Method::AlipayApp => "ALIPAY_MOBILE",
        Method::UnionpayApp => "UPI_APP",
        Method::CardTerminal => TERMINAL_CHANNEL,
        Method::CardLink | Method::Card | Method::CardToken => {
            return Err(Error::UnsupportedMethod(format!(
                "{} goes through IOTPay's card API, not v1",
                method.as_str()
            )))
        }
        other => {
            return Err(Error::UnsupportedMethod(format!(
                "{} is not an IOTPay method",
                other.as_str()
            )))
        }
    })
}

/// Channels whose create needs `returnUrl` (guide page "online_secure_pay": "ALIPAY_PC,
/// ALIPAY_WAP need this").
pub fn needs_return_url(channel: &str) -> bool {
    matches!(channel, "ALIPAY_PC" | "ALIPAY_WAP")
}

/// Channels whose create needs `osType` (guide page "order": "ALIPAY_MOBILE and ALIPAY_WAP
/// are required! Possible values: IOS, ANDROID").
pub fn needs_os_type(channel: &str) -> bool {
    matches!(channel, "ALIPAY_MOBILE" | "ALIPAY_WAP")
}

/// The wallet a customer's payment code belongs to, by the wallets' published code ranges:
/// WeChat 18 digits starting 10-15, Alipay 16-24 digits starting 25-30, UnionPay 19 digits
/// starting 62.
pub fn micropay_channel(code: &str) -> Result<&'static str> {
    let code = code.trim();
    if code.is_empty() {
        return Err(Error::invalid(
            "code",
            "scan the customer's payment code first",
        ));
    }
    if !code.chars().all(|c| c.is_ascii_digit()) {
        return Err(Error::invalid(
            "code",
            format!("{code:?} is not a payment code: payment codes are digits only"),
        ));
    }
    let prefix: u32 = code[..2.min(code.len())].parse().unwrap_or(0);
    match (prefix, code.len()) {
        (10..=15, 18) => Ok("WX_MICROPAY"),
        (25..=30, 16..=24) => Ok("ALIPAY_MICROPAY"),
        (62, 19) => Ok("UPI_MICROPAY"),
        _ => Err(Error::invalid(
            "code",
            format!("{code} is not a WeChat, Alipay or UnionPay payment code (ask the customer to refresh it)"),
        )),
    }
}
