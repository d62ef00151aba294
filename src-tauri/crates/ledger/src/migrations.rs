//! The ledger's schema: the numbered `.sql` files of `migrations/`, embedded at build time and
//! run in order by `db::open`, each once; `PRAGMA user_version` records how many ran.
//! Never edit a released one: append a new file (`NNNN_what.sql`, the next number) and name it
//! in `embed!` below; a test checks that the list is exactly the folder's files, in order.

/// Declares `FILES` (the names) and `MIGRATIONS` (their text) from one list of file names,
/// so the two cannot drift apart.
macro_rules! embed {
    ($($file:literal),+ $(,)?) => {
        /// The migration files, in the order they run.
        #[cfg(test)]
        const FILES: &[&str] = &[$($file),+];
        /// Their SQL, in the same order (what `db::open` runs).
        const MIGRATIONS: &[&str] = &[$(include_str!(concat!("../migrations/", $file))),+];
    };
}

embed![
    "0001_orders_events_refunds_settings.sql",
    "0002_payment_payload_refund_kind_notifications.sql",
    "0003_order_text_list_indexes_and_search.sql",
    "0004_search_merge_policy.sql",
    "0005_search_pending_queue.sql",
    "0006_fold_mark_and_day_totals.sql",
    "0007_search_numbers_without_pd.sql",
    "0008_owner_lockout.sql",
    "0009_shop_membership_and_outbox.sql",
    "0010_staff_shifts_audit.sql",
    "0011_shop_wide_staff_shifts_audit.sql",
    "0012_receipt_prints.sql",
    "0013_tips.sql",
    "0014_staff_language.sql",
];

/// The schema version this build brings a ledger to: how many migrations it has.
pub fn schema_version() -> usize {
    MIGRATIONS.len()
}

/// The migrations, in order (tests build a ledger of an older version with the first few).
pub fn migrations() -> &'static [&'static str] {
    MIGRATIONS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_list_is_every_file_of_the_migrations_folder_in_order() {
        let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        let mut on_disk: Vec<String> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        on_disk.sort();
        assert_eq!(
            on_disk,
            FILES,
            "every file in {} is embedded",
            folder.display()
        );
        for (i, (file, sql)) in FILES.iter().zip(MIGRATIONS).enumerate() {
            assert!(
                file.starts_with(&format!("{:04}_", i + 1)) && file.ends_with(".sql"),
                "{file}: numbered from 0001, one after another, NNNN_what.sql"
            );
            assert_eq!(
                std::fs::read_to_string(folder.join(file)).unwrap(),
                *sql,
                "{file}"
            );
        }
        assert_eq!(schema_version(), FILES.len());
    }
}
