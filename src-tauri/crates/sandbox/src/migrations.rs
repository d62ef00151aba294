//! The sandbox's two schemas, as numbered `.sql` files under `migrations/` embedded at build
//! time. `paydesk_ledger::db::open` applies them in order and keeps how many it applied in the
//! file's `user_version`: a shipped file is never edited, renumbered or removed (an existing
//! `sandbox.db` would skip or repeat a step), only followed by a new one listed here.

/// `sandbox.db`: the gateways' orders, tokens and settings.
pub(crate) const STORE: &[&str] = &[
    include_str!("../migrations/store/0001_iotpay_orders.sql"),
    include_str!("../migrations/store/0002_iotpay_cards_and_refunds.sql"),
    include_str!("../migrations/store/0003_settings_and_smepay.sql"),
    include_str!("../migrations/store/0004_smartexpay.sql"),
    include_str!("../migrations/store/0005_smartpay.sql"),
    include_str!("../migrations/store/0006_iotpay_terminal_tips.sql"),
];

/// `sandbox-faults.db`: the faults switched on.
pub(crate) const FAULTS: &[&str] = &[include_str!("../migrations/faults/0001_faults.sql")];

#[cfg(test)]
mod tests {
    use super::{FAULTS, STORE};

    /// The `.sql` files of `migrations/{schema}`, by name: (name, text).
    fn on_disk(schema: &str) -> Vec<(String, String)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(schema);
        let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|e| e == "sql"))
            .map(|path| {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                (name, std::fs::read_to_string(&path).unwrap())
            })
            .collect();
        files.sort();
        files
    }

    /// Every file on disk is embedded, in its number's place: one added but not listed would
    /// never run, one listed out of order would run at another step than its number says.
    fn assert_embedded(schema: &str, embedded: &[&str]) {
        let files = on_disk(schema);
        let names: Vec<&str> = files.iter().map(|(name, _)| name.as_str()).collect();
        for (i, name) in names.iter().enumerate() {
            assert!(
                name.starts_with(&format!("{:04}_", i + 1)),
                "migrations/{schema}: {name} is not numbered {:04} ({names:?})",
                i + 1
            );
        }
        let texts: Vec<&str> = files.iter().map(|(_, text)| text.as_str()).collect();
        assert_eq!(
            texts, embedded,
            "migrations/{schema} ({names:?}) differ from the embedded list"
        );
    }

    #[test]
    fn the_store_migrations_embedded_are_the_files_on_disk() {
        assert_embedded("store", STORE);
    }

    #[test]
    fn the_faults_migrations_embedded_are_the_files_on_disk() {
        assert_embedded("faults", FAULTS);
    }

    #[test]
    fn a_new_sandbox_opens_at_the_last_schema_version() {
        let dir = tempfile::tempdir().unwrap();
        crate::SandboxStore::open_in(dir.path()).unwrap();
        crate::faults::Faults::open_in(dir.path()).unwrap();
        let version = |file: &str| -> usize {
            rusqlite::Connection::open(dir.path().join(file))
                .unwrap()
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .unwrap()
        };
        assert_eq!(version(crate::store::SANDBOX_FILE), STORE.len());
        assert_eq!(version(crate::faults::FAULTS_FILE), FAULTS.len());
    }
}
