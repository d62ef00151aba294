//! The write that keeps the search index (`orders_search`) and the per-day totals summary
//! (`order_day_totals`) in step with the orders: new orders are taken into both in batches,
//! above a watermark (`ledger_fold`, migration 6), by `insert_order` once a batch has piled up
//! and by every search and summary total before it reads.

use rusqlite::Connection;

use paydesk_domain::error::Result;

/// What the search index holds of an order number (SQL over the column `$c`): Paydesk's own
/// numbers ("PD" then only 0-9 and A-Z) without their "PD", every other number whole. The
/// trigrams of that "PD" ("PD2", "D26") are in nearly every order, so a day-prefix search read
/// the whole index; a term reaching into the "PD" is matched on the number's own index instead
/// (`queries::search::number_prefix`). Migration 7 spells it out in its view and triggers (a
/// test checks that they index a number the same way).
macro_rules! search_number {
    ($c:literal) => {
        concat!(
            "(CASE WHEN ",
            $c,
            " GLOB 'PD*' AND NOT substr(",
            $c,
            ", 3) GLOB '*[^0-9A-Z]*' THEN substr(",
            $c,
            ", 3) ELSE ",
            $c,
            " END)"
        )
    };
}

/// Orders above the fold mark (`ledger_fold`, migration 6) are taken into the search index
/// and the totals summary once this many have piled up, by the insert that reaches it: one
/// FTS5 segment and one pass over the summary per batch instead of per sale.
pub(crate) const FOLD_BATCH: i64 = 256;

/// The UTC day of a `created_at` in ms (days since 1970, floored), as migration 6 computes it.
macro_rules! day_sql {
    ($c:literal) => {
        concat!(
            "((",
            $c,
            " - ((",
            $c,
            " % 86400000) + 86400000) % 86400000) / 86400000)"
        )
    };
}
#[cfg(test)]
pub(crate) use day_sql;

/// Takes every order above the fold mark into the search index `orders_search` and the totals
/// summary `order_day_totals`, then moves the mark past them, in one write (the caller's
/// transaction if it has one). Searches and summary totals call it first, so they see an
/// order the moment it is written. Returns how many orders were taken in.
pub(crate) fn fold(conn: &Connection) -> Result<usize> {
    let behind: bool = conn
        .prepare_cached(
            "SELECT (SELECT coalesce(max(id), 0) FROM orders) > folded FROM ledger_fold",
        )?
        .query_row([], |r| r.get(0))?;
    if !behind {
        return Ok(0);
    }
    let take = |c: &Connection| -> Result<usize> {
        let mark: i64 = c
            .prepare_cached("SELECT folded FROM ledger_fold")?
            .query_row([], |r| r.get(0))?;
        let n = c
            .prepare_cached(concat!(
                "INSERT INTO orders_search (rowid, merchant_order_no, gateway_order_id, customer)
                 SELECT id, ",
                search_number!("merchant_order_no"),
                ", gateway_order_id, customer FROM orders WHERE id > ?1"
            ))?
            .execute([mark])?;
        c.prepare_cached(concat!(
            "INSERT INTO order_day_totals (day, status, gateway, method, currency, count, amount_minor, refunded_minor,
                                          tip_minor, tip_refunded_minor)
             SELECT ",
            day_sql!("created_at"),
            ", status, gateway, method, currency, count(*), sum(amount_minor), sum(refunded_minor),
                    sum(tip_minor), sum(tip_refunded_minor)
             FROM orders WHERE id > ?1 GROUP BY 1, 2, 3, 4, 5
             ON CONFLICT DO UPDATE SET count = count + excluded.count,
                 amount_minor = amount_minor + excluded.amount_minor,
                 refunded_minor = refunded_minor + excluded.refunded_minor,
                 tip_minor = tip_minor + excluded.tip_minor,
                 tip_refunded_minor = tip_refunded_minor + excluded.tip_refunded_minor"
        ))?
        .execute([mark])?;
        c.prepare_cached(
            "UPDATE ledger_fold SET folded = max(folded, (SELECT coalesce(max(id), 0) FROM orders))",
        )?
        .execute([])?;
        Ok(n)
    };
    if !conn.is_autocommit() {
        return take(conn);
    }
    conn.execute_batch("BEGIN IMMEDIATE")?;
    match take(conn) {
        Ok(n) => {
            conn.execute_batch("COMMIT")?;
            Ok(n)
        }
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::migrations::migrations;

    /// `fold` indexes a number through `search_number!`; migration 7's view and triggers
    /// spell the same expression out. A search must find an order whichever wrote it.
    #[test]
    fn migration_7_indexes_a_number_as_search_number_does() {
        let sql = migrations()[6];
        for column in [
            search_number!("merchant_order_no"),
            search_number!("new.merchant_order_no"),
            search_number!("old.merchant_order_no"),
        ] {
            assert_eq!(sql.matches(column).count(), 2, "{column}");
        }
        assert_eq!(sql.matches("GLOB 'PD*'").count(), 6, "no other spelling");
    }
}
