//! The sandbox's own state, in `sandbox.db` beside the ledger (never inside it: the sandbox
//! plays the gateway, and a gateway's books are not the merchant's). Each gateway keeps its
//! tables' queries beside its handlers (`iotpay/store.rs`, `smepay/store.rs`...); here are the
//! file, its one connection, the IOTPay merchants the sandbox accepts and its settings.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, OptionalExtension};

use paydesk_domain::error::Result;
use paydesk_secrets::vault::Sensitive;

pub const SANDBOX_FILE: &str = "sandbox.db";

pub struct SandboxStore {
    conn: Mutex<Connection>,
    /// IOTPay merchants this sandbox accepts, by mchId: the built-in one, and any whose
    /// credentials it was given (`accept_iotpay_merchant`). Keys stay in memory only.
    merchants: std::sync::RwLock<std::collections::BTreeMap<String, Sensitive<String>>>,
}

impl SandboxStore {
    pub fn open_in(data_dir: &Path) -> Result<SandboxStore> {
        let builtin = (
            super::SANDBOX_MCH_ID.to_string(),
            Sensitive::new(super::SANDBOX_MERCHANT_KEY.to_string()),
        );
        Ok(SandboxStore {
            conn: Mutex::new(paydesk_ledger::db::open(
                &data_dir.join(SANDBOX_FILE),
                crate::migrations::STORE,
            )?),
            merchants: std::sync::RwLock::new([builtin].into_iter().collect()),
        })
    }

    /// Accepts an IOTPay merchant: requests from `mch_id` must then be signed with `key`, as
    /// the real gateway would check them, and answers and notifications are signed with it.
    pub fn accept_iotpay_merchant(&self, mch_id: &str, key: Sensitive<String>) {
        self.merchants
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(mch_id.to_string(), key);
    }

    /// The key of an accepted IOTPay merchant.
    pub fn iotpay_key(&self, mch_id: &str) -> Option<Sensitive<String>> {
        self.merchants
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(mch_id)
            .cloned()
    }

    pub(super) fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A sandbox behaviour switch (see each gateway's module for the keys).
    pub fn set_sandbox_setting(&self, key: &str, value: &str) -> Result<()> {
        self.conn().execute(
            "INSERT INTO sandbox_settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, value],
        )?;
        Ok(())
    }

    pub fn sandbox_setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT value FROM sandbox_settings WHERE key = ?1",
                [key],
                |r| r.get(0),
            )
            .optional()?)
    }

    pub(crate) fn sandbox_setting_i64(&self, key: &str, default: i64) -> i64 {
        self.sandbox_setting(key)
            .ok()
            .flatten()
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(default)
    }
}
