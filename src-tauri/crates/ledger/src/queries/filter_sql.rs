//! The order filter as a WHERE clause over `orders`, with its arguments.

use rusqlite::types::Value;

use crate::ledger::OrderFilter;

use super::search::{index_select, search_term, SearchPlan};

/// The filter as a WHERE clause (empty or starting with "WHERE") and its arguments. Paging
/// (`before`) is included; `limit` and `offset` are the caller's.
pub(super) fn filter_sql(filter: &OrderFilter, plan: SearchPlan) -> (String, Vec<Value>) {
    let mut clauses = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    fn push(
        clauses: &mut Vec<String>,
        args: &mut Vec<Value>,
        value: Value,
        clause: impl FnOnce(usize) -> String,
    ) {
        args.push(value);
        clauses.push(clause(args.len()));
    }
    if let Some(status) = filter.status {
        push(
            &mut clauses,
            &mut args,
            Value::Text(status.as_str().into()),
            |n| format!("status = ?{n}"),
        );
    }
    if let Some(gateway) = filter.gateway {
        push(
            &mut clauses,
            &mut args,
            Value::Text(gateway.as_str().into()),
            |n| format!("gateway = ?{n}"),
        );
    }
    if let Some(method) = filter.method {
        push(
            &mut clauses,
            &mut args,
            Value::Text(method.as_str().into()),
            |n| format!("method = ?{n}"),
        );
    }
    if let Some(currency) = filter.currency {
        push(
            &mut clauses,
            &mut args,
            Value::Text(currency.code().into()),
            |n| format!("currency = ?{n}"),
        );
    }
    if let Some(counter) = &filter.counter {
        push(&mut clauses, &mut args, Value::Text(counter.clone()), |n| {
            format!("counter = ?{n}")
        });
    }
    if let Some(staff) = &filter.staff {
        push(&mut clauses, &mut args, Value::Text(staff.clone()), |n| {
            format!("staff = ?{n} COLLATE NOCASE")
        });
    }
    if let Some(min) = filter.min_amount_minor {
        push(&mut clauses, &mut args, Value::Integer(min), |n| {
            format!("amount_minor >= ?{n}")
        });
    }
    if let Some(max) = filter.max_amount_minor {
        push(&mut clauses, &mut args, Value::Integer(max), |n| {
            format!("amount_minor <= ?{n}")
        });
    }
    if let Some(from) = filter.from_ms {
        push(&mut clauses, &mut args, Value::Integer(from), |n| {
            format!("created_at >= ?{n}")
        });
    }
    if let Some(to) = filter.to_ms {
        push(&mut clauses, &mut args, Value::Integer(to), |n| {
            format!("created_at < ?{n}")
        });
    }
    if let Some(cursor) = filter.before {
        // Keyset paging: strictly after the cursor's order in list order (created_at DESC, id DESC).
        push(
            &mut clauses,
            &mut args,
            Value::Integer(cursor.created_at_ms),
            |n| {
                format!(
                    "(created_at < ?{n} OR (created_at = ?{n} AND id < ?{}))",
                    n + 1
                )
            },
        );
        args.push(Value::Integer(cursor.id));
    }
    if let Some(term) = search_term(filter) {
        match plan {
            SearchPlan::Index | SearchPlan::Probe => {
                let (select, more) = index_select(term, args.len() + 1);
                args.extend(more);
                // "+id" keeps SQLite from driving the query by the matches' ids.
                let id = if plan == SearchPlan::Probe {
                    "+id"
                } else {
                    "id"
                };
                clauses.push(format!("{id} IN ({select})"));
            }
            SearchPlan::Scan => {
                let escaped = term
                    .replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_");
                push(
                    &mut clauses,
                    &mut args,
                    Value::Text(format!("%{escaped}%")),
                    |n| {
                        format!(
                        "(merchant_order_no LIKE ?{n} ESCAPE '\\' OR gateway_order_id LIKE ?{n} ESCAPE '\\' \
                         OR customer LIKE ?{n} ESCAPE '\\')"
                    )
                    },
                )
            }
        }
    }
    let where_sql = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    (where_sql, args)
}
