//! The tries to print each receipt on this counter's printer (migration 12): the core's
//! `receipts::auto::PrintLog` writes one row a try and reads the newest per receipt, so "not
//! printed" holds across a restart and between the window and the CLI.
//!
//! Never replicated: no trigger queues these rows for the shop ledger, a print being this
//! counter's affair (see the migration).

use rusqlite::{params, Row};

use paydesk_domain::error::Result;

use super::handle::Ledger;

/// One try to print a receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptPrint {
    pub order_id: i64,
    /// The refund's or void's number for its own receipt; None for the sale's.
    pub refund_no: Option<String>,
    pub at_ms: i64,
    /// The printer's address or device, as set when it was tried.
    pub printer: String,
    pub printed: bool,
    /// Why it did not print, in plain words.
    pub error: Option<String>,
    /// The automatic print on Paid, not a person's Print / Reprint.
    pub auto: bool,
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<ReceiptPrint> {
    Ok(ReceiptPrint {
        order_id: row.get("order_id")?,
        refund_no: row.get("refund_no")?,
        at_ms: row.get("at")?,
        printer: row.get("printer")?,
        printed: row.get("printed")?,
        error: row.get("error")?,
        auto: row.get("auto")?,
    })
}

const COLUMNS: &str = "order_id, refund_no, at, printer, printed, error, auto";

impl Ledger {
    /// Keeps a try's outcome. A try that did not print says why: one without an error is
    /// stored with "not printed" as its reason (the table refuses a silent failure).
    pub fn record_receipt_print(&self, print: &ReceiptPrint) -> Result<()> {
        let error = match (&print.error, print.printed) {
            (Some(e), _) => Some(e.clone()),
            (None, false) => Some("not printed".to_string()),
            (None, true) => None,
        };
        self.write(|tx| {
            tx.execute(
                "INSERT INTO receipt_prints (order_id, refund_no, at, printer, printed, error, auto)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    print.order_id,
                    print.refund_no,
                    print.at_ms,
                    print.printer,
                    print.printed,
                    error,
                    print.auto
                ],
            )?;
            Ok(())
        })
    }

    /// The newest try to print one receipt of an order (`refund_no` None: the sale's).
    pub fn last_receipt_print(
        &self,
        order_id: i64,
        refund_no: Option<&str>,
    ) -> Result<Option<ReceiptPrint>> {
        let conn = self.conn();
        // `IS` matches NULL to NULL: the sale's receipt has no refund number.
        let mut statement = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM receipt_prints WHERE order_id = ?1 AND refund_no IS ?2
             ORDER BY id DESC LIMIT 1"
        ))?;
        let mut rows = statement.query_map(params![order_id, refund_no], from_row)?;
        Ok(rows.next().transpose()?)
    }

    /// The newest try of each receipt of an order that was ever tried: the sale's first,
    /// then the refunds' by number.
    pub fn receipt_prints_of_order(&self, order_id: i64) -> Result<Vec<ReceiptPrint>> {
        let conn = self.conn();
        let mut statement = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM receipt_prints WHERE id IN (
                 SELECT MAX(id) FROM receipt_prints WHERE order_id = ?1 GROUP BY refund_no)
             ORDER BY refund_no IS NOT NULL, refund_no"
        ))?;
        let all = statement
            .query_map(params![order_id], from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(all)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::{NewOrder, Observation};
    use paydesk_domain::money::{Currency, Money};
    use paydesk_domain::order::{EventSource, Method, OrderStatus};

    fn sale() -> NewOrder {
        NewOrder {
            merchant_order_no: "PD2611220001".into(),
            method: Method::Card,
            environment: "sandbox".into(),
            amount: Money::parse("12.50", Currency::CAD).unwrap(),
            expires_at_ms: None,
            by: Default::default(),
        }
    }

    fn paid() -> Observation {
        Observation {
            status: OrderStatus::Paid,
            gateway_status: Some("2".into()),
            source: EventSource::Poll,
            note: None,
        }
    }

    fn try_at(
        order_id: i64,
        refund_no: Option<&str>,
        at_ms: i64,
        error: Option<&str>,
    ) -> ReceiptPrint {
        ReceiptPrint {
            order_id,
            refund_no: refund_no.map(str::to_string),
            at_ms,
            printer: "192.0.2.7:9100".into(),
            printed: error.is_none(),
            error: error.map(str::to_string),
            auto: false,
        }
    }

    #[test]
    fn a_receipts_last_print_is_read_back_after_the_ledger_is_opened_again() {
        let dir = tempfile::tempdir().unwrap();
        let order_id = {
            let ledger = Ledger::open_in(dir.path()).unwrap();
            let order = ledger.insert_order(&sale()).unwrap();
            ledger.apply(order.id, &paid()).unwrap();
            let mut auto = try_at(
                order.id,
                None,
                1_000,
                Some("192.0.2.7:9100: connection refused"),
            );
            auto.auto = true;
            ledger.record_receipt_print(&auto).unwrap();
            ledger
                .record_receipt_print(&try_at(order.id, Some("RF1"), 2_000, None))
                .unwrap();
            assert_eq!(
                ledger.last_receipt_print(order.id, None).unwrap(),
                Some(auto)
            );
            order.id
        };

        let reopened = Ledger::open_in(dir.path()).unwrap();
        let sale_receipt = reopened
            .last_receipt_print(order_id, None)
            .unwrap()
            .unwrap();
        assert!(!sale_receipt.printed && sale_receipt.auto);
        assert_eq!(
            sale_receipt.error.as_deref(),
            Some("192.0.2.7:9100: connection refused")
        );
        assert!(
            reopened
                .last_receipt_print(order_id, Some("RF1"))
                .unwrap()
                .unwrap()
                .printed
        );
        assert_eq!(
            reopened.last_receipt_print(order_id, Some("RF2")).unwrap(),
            None
        );

        // A Reprint that goes through is the receipt's state from then on.
        reopened
            .record_receipt_print(&try_at(order_id, None, 3_000, None))
            .unwrap();
        let now = reopened
            .last_receipt_print(order_id, None)
            .unwrap()
            .unwrap();
        assert!(now.printed && !now.auto && now.at_ms == 3_000 && now.error.is_none());
        let of_order = reopened.receipt_prints_of_order(order_id).unwrap();
        assert_eq!(
            of_order
                .iter()
                .map(|p| (p.refund_no.as_deref(), p.printed))
                .collect::<Vec<_>>(),
            [(None, true), (Some("RF1"), true)]
        );
    }

    #[test]
    fn a_failed_try_always_says_why() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::open_in(dir.path()).unwrap();
        let order = ledger.insert_order(&sale()).unwrap();
        ledger
            .record_receipt_print(&try_at(order.id, None, 1, None))
            .unwrap();
        let mut silent = try_at(order.id, None, 2, None);
        silent.printed = false;
        ledger.record_receipt_print(&silent).unwrap();
        let read = ledger.last_receipt_print(order.id, None).unwrap().unwrap();
        assert_eq!(
            (read.printed, read.error.as_deref()),
            (false, Some("not printed"))
        );
    }

    #[test]
    fn a_print_of_an_order_the_ledger_does_not_have_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::open_in(dir.path()).unwrap();
        assert!(ledger
            .record_receipt_print(&try_at(999, None, 1, None))
            .is_err());
    }
}
