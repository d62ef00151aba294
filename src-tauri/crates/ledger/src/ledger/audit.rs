//! The audit log (migration 10): one entry per act, each holding the SHA-256 of the entry
//! before it, so that editing an entry by hand breaks the chain from there on. Entries are
//! written in the same transaction as the act they record (a sale, a refund, a staff change),
//! so an act is never without its entry.
//!
//! The newest entry's number and hash (the chain's head) are also kept apart from the ledger
//! file, in `audit.head` beside it: deleting the newest entries leaves a whole but shorter
//! chain, which only a head kept elsewhere can show. The head file is rewritten after each
//! commit that added entries, forward only (under a file lock, as the window and the CLI share
//! the ledger). A crash between the commit and that rewrite leaves the head behind the log,
//! which `verify` reports as a lag, not a break: the next entry moves the head again.
//!
//! What this does not stop: someone who rewrites the whole chain from the edited entry on
//! *and* the head file. A copy of the head elsewhere (the shop ledger, a printed Z report's
//! hash) is what catches that.

use std::collections::BTreeMap;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use rusqlite::{params, OptionalExtension, Transaction};
use sha2::{Digest, Sha256};

use paydesk_domain::clock::now_ms;
use paydesk_domain::error::{Error, Result};

use super::handle::Ledger;

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// The head's file, beside the ledger file.
pub const HEAD_FILE: &str = "audit.head";

/// An act to record: who did it (and who approved it), what, on what.
#[derive(Debug, Clone, Default)]
pub struct AuditEntry {
    pub staff: Option<String>,
    pub approver: Option<String>,
    /// What was done, one word (`sale`, `refund`, `sign_in`, `pin_wrong`, `export`, ...).
    pub action: &'static str,
    /// What it was done to: an order or refund number, a staff name, a setting.
    pub subject: String,
    /// The facts worth keeping (never a secret).
    pub detail: String,
}

/// An entry as the log holds it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AuditRecord {
    pub seq: i64,
    pub at_ms: i64,
    pub counter: String,
    pub staff: Option<String>,
    pub approver: Option<String>,
    pub action: String,
    pub subject: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditRecord {
    /// The entry's hash: SHA-256 over its fields and the previous hash, as one JSON array
    /// (unambiguous: no field can run into the next). Not the counter's name: it says which
    /// chain the entry is in, not what happened, and a counter's entries from before it joined
    /// a shop travel under its name there.
    pub fn compute_hash(&self) -> String {
        let canonical = serde_json::json!([
            self.seq,
            self.at_ms,
            self.staff,
            self.approver,
            self.action,
            self.subject,
            self.detail,
            self.prev_hash
        ]);
        hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
    }
}

/// Appends one entry inside the caller's write transaction and answers it.
pub(crate) fn append_in(tx: &Transaction<'_>, entry: &AuditEntry) -> Result<AuditRecord> {
    let (last_seq, prev_hash): (i64, String) = tx
        .prepare_cached("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .unwrap_or((0, GENESIS.to_string()));
    let counter: String = tx
        .prepare_cached("SELECT COALESCE(counter, '') FROM shop_state")?
        .query_row([], |r| r.get(0))?;
    let mut record = AuditRecord {
        seq: last_seq + 1,
        at_ms: now_ms(),
        counter,
        staff: entry.staff.clone(),
        approver: entry.approver.clone(),
        action: entry.action.to_string(),
        subject: entry.subject.clone(),
        detail: entry.detail.clone(),
        prev_hash,
        hash: String::new(),
    };
    record.hash = record.compute_hash();
    tx.prepare_cached(
        "INSERT INTO audit_log (seq, at, counter, staff, approver, action, subject, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        record.seq,
        record.at_ms,
        record.counter,
        record.staff,
        record.approver,
        record.action,
        record.subject,
        record.detail,
        record.prev_hash,
        record.hash
    ])?;
    Ok(record)
}

pub(super) fn record_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditRecord> {
    Ok(AuditRecord {
        seq: r.get("seq")?,
        at_ms: r.get("at")?,
        counter: r.get("counter")?,
        staff: r.get("staff")?,
        approver: r.get("approver")?,
        action: r.get("action")?,
        subject: r.get("subject")?,
        detail: r.get("detail")?,
        prev_hash: r.get("prev_hash")?,
        hash: r.get("hash")?,
    })
}

/// What the owner's window and `paydesk audit list` ask for: newest first.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub staff: Option<String>,
    pub action: Option<String>,
    /// Entries at or after / before these times (ms).
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    /// Entries older than this sequence number (the next page).
    pub before_seq: Option<i64>,
    pub limit: usize,
}

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", tag = "verdict")]
pub enum AuditVerdict {
    /// Every entry is whole and the head kept apart names the newest (`lag`: entries written
    /// after the head was last moved, e.g. just before a crash).
    Whole { entries: i64, lag: i64 },
    /// The first entry (or ledger row) that is not as it was written.
    Broken { seq: i64, why: String },
}

/// The head kept apart: the newest entry's number and hash, `seq hash\n`.
fn head_path(ledger_path: &Path) -> PathBuf {
    ledger_path.with_file_name(HEAD_FILE)
}

fn read_head(file: &mut std::fs::File) -> Result<Option<(i64, String)>> {
    let mut text = String::new();
    file.seek(std::io::SeekFrom::Start(0))?;
    file.read_to_string(&mut text)?;
    let mut parts = text.split_whitespace();
    match (parts.next(), parts.next()) {
        (Some(seq), Some(hash)) => Ok(Some((
            seq.parse()
                .map_err(|_| Error::Internal(format!("{HEAD_FILE} is unreadable: {text:?}")))?,
            hash.to_string(),
        ))),
        _ => Ok(None),
    }
}

impl Ledger {
    /// Records one act on its own (a sign-in, an export, a settings change).
    pub fn audit(&self, entry: &AuditEntry) -> Result<AuditRecord> {
        let record = self.write(|tx| append_in(tx, entry))?;
        self.advance_audit_head()?;
        Ok(record)
    }

    /// Moves the head kept apart to the log's newest entry, never backwards. Called after a
    /// commit that added entries.
    pub(crate) fn advance_audit_head(&self) -> Result<()> {
        let newest: Option<(i64, String)> = self
            .conn()
            .query_row(
                "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((seq, hash)) = newest else {
            return Ok(());
        };
        let path = head_path(self.path());
        let mut options = std::fs::OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        // The owner's only, as every file of the data folder (db.rs).
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&path)?;
        // The window and the CLI may both be moving it: one at a time, forward only.
        file.lock()?;
        if let Some((kept, _)) = read_head(&mut file)? {
            if kept >= seq {
                return Ok(());
            }
        }
        file.set_len(0)?;
        file.seek(std::io::SeekFrom::Start(0))?;
        // Not synced to the disk: a head that a power cut leaves behind the log is a lag,
        // which `verify` reports and the next entry mends; a sync per sale would double what a
        // sale pays for durability (the entry itself is synced with the sale).
        file.write_all(format!("{seq} {hash}\n").as_bytes())?;
        Ok(())
    }

    /// The log, newest first, as `query` asks.
    pub fn audit_entries(&self, query: &AuditQuery) -> Result<Vec<AuditRecord>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT * FROM audit_log
             WHERE (?1 IS NULL OR staff = ?1 COLLATE NOCASE OR approver = ?1 COLLATE NOCASE)
               AND (?2 IS NULL OR action = ?2)
               AND (?3 IS NULL OR at >= ?3) AND (?4 IS NULL OR at < ?4)
               AND (?5 IS NULL OR seq < ?5)
             ORDER BY seq DESC LIMIT ?6",
        )?;
        let rows = stmt.query_map(
            params![
                query.staff,
                query.action,
                query.from_ms,
                query.to_ms,
                query.before_seq,
                query.limit.clamp(1, 10_000) as i64
            ],
            record_from_row,
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Proves the chain whole, or names the first entry that is not as written: each entry's
    /// number follows the one before, holds its hash, and hashes to what it holds; the head
    /// kept apart is in the log; and every sale and reversal still reads as its entry
    /// recorded it (an order's amount edited by hand, or an order written past the log,
    /// shows here too).
    pub fn verify_audit(&self) -> Result<AuditVerdict> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT * FROM audit_log ORDER BY seq")?;
        let mut rows = stmt.query([])?;
        let mut walk = ChainWalk::default();
        while let Some(row) = rows.next()? {
            if let Err(broken) = walk.step(&record_from_row(row)?) {
                return Ok(broken);
            }
        }
        let (count, newest) = (walk.entries, walk.last);
        drop(rows);
        drop(stmt);

        let path = head_path(self.path());
        let head = match std::fs::File::open(&path) {
            Ok(mut file) => read_head(&mut file)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(e.into()),
        };
        let lag = match (&head, &newest) {
            (None, None) => 0,
            (None, Some(_)) => {
                return Ok(AuditVerdict::Broken {
                    seq: 1,
                    why: format!("the log has entries but its head ({HEAD_FILE}) is gone"),
                })
            }
            (Some((seq, _)), None) => {
                return Ok(AuditVerdict::Broken {
                    seq: 1,
                    why: format!("the log is empty but its head names entry {seq}: entries 1 to {seq} were deleted"),
                })
            }
            (Some((head_seq, head_hash)), Some((last, _))) => {
                if head_seq > last {
                    return Ok(AuditVerdict::Broken {
                        seq: last + 1,
                        why: format!(
                            "entries {} to {head_seq} were deleted: the head kept apart names entry {head_seq}, the log ends at {last}",
                            last + 1
                        ),
                    });
                }
                let kept: String = conn.query_row(
                    "SELECT hash FROM audit_log WHERE seq = ?1",
                    [head_seq],
                    |r| r.get(0),
                )?;
                if &kept != head_hash {
                    return Ok(AuditVerdict::Broken {
                        seq: *head_seq,
                        why: format!(
                            "entry {head_seq} is not the one the head kept apart names: the log was rewritten from there"
                        ),
                    });
                }
                last - head_seq
            }
        };

        if let Some(broken) = check_money_rows(&conn)? {
            return Ok(broken);
        }
        Ok(AuditVerdict::Whole {
            entries: count,
            lag,
        })
    }
}

impl Ledger {
    /// This chain against the copy the shop ledger keeps of it ((entry, hash) in order): an
    /// entry the copy has that differs here, or is gone here, was rewritten or deleted in this
    /// file after it reached the shop, however well the chain and the head were redone.
    pub fn compare_audit_copy(&self, copy: &[(i64, String)]) -> Result<Option<AuditVerdict>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached("SELECT hash FROM audit_log WHERE seq = ?1")?;
        for (entry, hash) in copy {
            let here: Option<String> = stmt.query_row([entry], |r| r.get(0)).optional()?;
            match here {
                None => {
                    return Ok(Some(AuditVerdict::Broken {
                        seq: *entry,
                        why: format!(
                            "entry {entry} is in the shop ledger's copy but gone from this file"
                        ),
                    }))
                }
                Some(here) if &here != hash => {
                    return Ok(Some(AuditVerdict::Broken {
                        seq: *entry,
                        why: format!(
                        "entry {entry} differs from the shop ledger's copy: rewritten in this file"
                    ),
                    }))
                }
                Some(_) => {}
            }
        }
        Ok(None)
    }

    /// The other counters' chains as pulled from the shop (`shop_audit`): each whole, or the
    /// first entry that is not, by counter.
    pub fn verify_pulled_chains(&self) -> Result<Vec<(String, AuditVerdict)>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT counter, entry, at, staff, approver, action, subject, detail, prev_hash, hash
             FROM shop_audit ORDER BY counter, entry",
        )?;
        let mut rows = stmt.query([])?;
        let mut chains: BTreeMap<String, (ChainWalk, Option<AuditVerdict>)> = BTreeMap::new();
        while let Some(row) = rows.next()? {
            let record = AuditRecord {
                counter: row.get(0)?,
                seq: row.get(1)?,
                at_ms: row.get(2)?,
                staff: row.get(3)?,
                approver: row.get(4)?,
                action: row.get(5)?,
                subject: row.get(6)?,
                detail: row.get(7)?,
                prev_hash: row.get(8)?,
                hash: row.get(9)?,
            };
            let (walk, broken) = chains.entry(record.counter.clone()).or_default();
            if broken.is_none() {
                *broken = walk.step(&record).err();
            }
        }
        Ok(chains
            .into_iter()
            .map(|(counter, (walk, broken))| {
                let whole = AuditVerdict::Whole {
                    entries: walk.entries,
                    lag: 0,
                };
                (counter, broken.unwrap_or(whole))
            })
            .collect())
    }
}

/// One chain read in order: each entry numbered after the one before, holding its hash, and
/// hashing to what it holds (this counter's log, and each counter's as pulled from the shop).
#[derive(Default)]
struct ChainWalk {
    entries: i64,
    /// The last whole entry's number and hash.
    last: Option<(i64, String)>,
}

impl ChainWalk {
    /// Takes the next entry, or says where the chain breaks.
    fn step(&mut self, record: &AuditRecord) -> std::result::Result<(), AuditVerdict> {
        self.entries += 1;
        let n = self.entries;
        let broken = |why: String| AuditVerdict::Broken { seq: n, why };
        if record.seq != n {
            return Err(broken(format!(
                "entry {n} is missing (the next is {})",
                record.seq
            )));
        }
        let prev = self
            .last
            .as_ref()
            .map_or(GENESIS, |(_, hash)| hash.as_str());
        if record.prev_hash != prev {
            return Err(broken(format!(
                "entry {n} does not hold the hash of entry {}",
                n - 1
            )));
        }
        if record.compute_hash() != record.hash {
            return Err(broken(format!(
                "entry {n} ({} {}) was changed after it was written",
                record.action, record.subject
            )));
        }
        self.last = Some((n, record.hash.clone()));
        Ok(())
    }
}

/// The detail a sale's entry records, which `verify` reads back against the order.
/// A tipped sale's entry names its tip ("1150 CAD card-terminal tip 150"): the total alone
/// would let the tip be edited unseen.
pub fn sale_detail(amount_minor: i64, currency: &str, method: &str, tip_minor: i64) -> String {
    match tip_minor {
        0 => format!("{amount_minor} {currency} {method}"),
        tip => format!("{amount_minor} {currency} {method} tip {tip}"),
    }
}

/// The detail a refund's or void's entry records, read back against the refund.
/// A refund that gave back tip says how much of it was tip.
pub fn reversal_detail(
    amount_minor: i64,
    currency: &str,
    order_no: &str,
    tip_minor: i64,
) -> String {
    match tip_minor {
        0 => format!("{amount_minor} {currency} of {order_no}"),
        tip => format!("{amount_minor} {currency} of {order_no} tip {tip}"),
    }
}

/// Every sale and reversal this counter made since the log began still reads as its entry
/// recorded it, and none was written past the log.
fn check_money_rows(conn: &rusqlite::Connection) -> Result<Option<AuditVerdict>> {
    let orders = conn.prepare(
        "SELECT a.seq, a.subject, a.detail, o.amount_minor || ' ' || o.currency || ' ' || o.method
                || CASE WHEN o.tip_minor != 0 THEN ' tip ' || o.tip_minor ELSE '' END
         FROM audit_log a LEFT JOIN orders o ON o.merchant_order_no = a.subject
         WHERE a.action = 'sale' ORDER BY a.seq",
    )?;
    if let Some(broken) = compare(orders, "order")? {
        return Ok(Some(broken));
    }
    let refunds = conn.prepare(
        "SELECT a.seq, a.subject, a.detail,
                r.amount_minor || ' ' || o.currency || ' of ' || o.merchant_order_no
                || CASE WHEN r.tip_minor != 0 THEN ' tip ' || r.tip_minor ELSE '' END
         FROM audit_log a LEFT JOIN refunds r ON r.refund_no = a.subject
              LEFT JOIN orders o ON o.id = r.order_id
         WHERE a.action IN ('refund', 'void') ORDER BY a.seq",
    )?;
    if let Some(broken) = compare(refunds, "refund")? {
        return Ok(Some(broken));
    }
    // Rows of this counter written after the log began but never recorded in it.
    let unrecorded: Option<(String, i64)> = conn
        .query_row(
            "SELECT o.merchant_order_no, o.created_at FROM orders o
             WHERE o.counter IS (SELECT counter FROM shop_state)
               AND o.created_at >= (SELECT MIN(at) FROM audit_log WHERE action = 'sale')
               AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.action = 'sale' AND a.subject = o.merchant_order_no)
             LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if let Some((number, _)) = unrecorded {
        return Ok(Some(AuditVerdict::Broken {
            seq: 0,
            why: format!(
                "order {number} is in the ledger but not in the audit log: it was written by hand"
            ),
        }));
    }
    Ok(None)
}

fn compare(mut stmt: rusqlite::Statement<'_>, what: &str) -> Result<Option<AuditVerdict>> {
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let seq: i64 = row.get(0)?;
        let subject: String = row.get(1)?;
        let recorded: String = row.get(2)?;
        let now: Option<String> = row.get(3)?;
        match now {
            None => {
                return Ok(Some(AuditVerdict::Broken {
                    seq,
                    why: format!("{what} {subject} of entry {seq} is gone from the ledger"),
                }))
            }
            Some(now) if now != recorded => {
                return Ok(Some(AuditVerdict::Broken {
                    seq,
                    why: format!(
                        "{what} {subject} reads \"{now}\" but entry {seq} recorded \"{recorded}\": it was edited"
                    ),
                }))
            }
            Some(_) => {}
        }
    }
    Ok(None)
}
