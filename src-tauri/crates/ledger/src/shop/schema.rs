//! The shop ledger's schema: the numbered `.sql` files of `migrations-postgres/`, embedded at
//! build time and run in order, each once, in one transaction per join (PostgreSQL's DDL is
//! transactional: a failed migration leaves the schema as it was). The version is kept in
//! `paydesk_schema`. The role needs no superuser rights, only to own the database (or have
//! CREATE on its `public` schema).

use paydesk_domain::error::{Error, Result};

use super::connect::Shop;
use super::pg_error;

macro_rules! embed {
    ($($file:literal),+ $(,)?) => {
        #[cfg(test)]
        const FILES: &[&str] = &[$($file),+];
        const MIGRATIONS: &[&str] = &[$(include_str!(concat!("../../migrations-postgres/", $file))),+];
    };
}

embed![
    "0001_shop_ledger.sql",
    "0002_pushed_by.sql",
    "0003_staff_shifts_audit.sql",
    "0004_tips.sql",
    "0005_staff_language.sql",
];

/// The schema version this build brings a shop ledger to.
pub fn schema_version() -> usize {
    MIGRATIONS.len()
}

/// Serialises migrations between counters joining at once (a lock of its own: the tables'
/// write lock does not exist before the first migration).
const MIGRATION_LOCK: i64 = 727_384_000;

impl Shop {
    /// Brings the shop ledger to this build's schema. A shop ledger of a newer schema (a
    /// counter with a newer Paydesk migrated it) is refused: this build would not know its
    /// columns.
    pub fn migrate(&mut self) -> Result<usize> {
        let mut tx = self.client.transaction().map_err(pg_error)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .map_err(pg_error)?;
        tx.batch_execute("CREATE TABLE IF NOT EXISTS paydesk_schema (version INTEGER NOT NULL)")
            .map_err(pg_error)?;
        let version: Option<i32> = tx
            .query_opt("SELECT version FROM paydesk_schema", &[])
            .map_err(pg_error)?
            .map(|r| r.get(0));
        let version = match version {
            Some(v) => v as usize,
            None => {
                tx.execute("INSERT INTO paydesk_schema (version) VALUES (0)", &[])
                    .map_err(pg_error)?;
                0
            }
        };
        if version > MIGRATIONS.len() {
            return Err(Error::Shop(format!(
                "the shop ledger's schema is version {version}, newer than this Paydesk knows ({}): update Paydesk on this machine",
                MIGRATIONS.len()
            )));
        }
        for sql in &MIGRATIONS[version..] {
            tx.batch_execute(sql).map_err(pg_error)?;
        }
        tx.execute(
            "UPDATE paydesk_schema SET version = $1",
            &[&(MIGRATIONS.len() as i32)],
        )
        .map_err(pg_error)?;
        tx.commit().map_err(pg_error)?;
        Ok(MIGRATIONS.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_list_is_every_file_of_the_postgres_migrations_folder_in_order() {
        let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations-postgres");
        let mut on_disk: Vec<String> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        on_disk.sort();
        assert_eq!(on_disk, FILES);
        for (i, file) in FILES.iter().enumerate() {
            assert!(file.starts_with(&format!("{:04}_", i + 1)) && file.ends_with(".sql"));
        }
    }
}
