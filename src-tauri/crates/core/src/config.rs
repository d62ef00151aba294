//! Where Paydesk keeps its files and which money mode it runs in.

use std::path::PathBuf;

use serde::Serialize;

use paydesk_domain::error::{Error, Result};
use paydesk_secrets::vault::Environment;

/// Tauri's bundle identifier; the data directory is named after it, as Tauri's
/// `app_data_dir` is, so the window and the CLI find the same ledger.
pub const APP_IDENTIFIER: &str = "app.paydesk.console";

/// The OS app-data directory (`~/.local/share/app.paydesk.console` on Linux,
/// `~/Library/Application Support/...` on macOS, `%APPDATA%\...` on Windows).
pub fn default_data_dir() -> Result<PathBuf> {
    dirs::data_dir()
        .map(|d| d.join(APP_IDENTIFIER))
        .ok_or_else(|| {
            Error::Internal(
                "this system has no app-data directory: pass --data-dir or set PAYDESK_DATA_DIR"
                    .into(),
            )
        })
}

/// `--data-dir` (or PAYDESK_DATA_DIR, which clap folds into the flag) wins over the default.
pub fn resolve_data_dir(explicit: Option<PathBuf>) -> Result<PathBuf> {
    match explicit {
        Some(dir) => Ok(dir),
        None => default_data_dir(),
    }
}

/// Which gateways Paydesk talks to: its embedded sandbox (no credentials, no real money),
/// or the gateways' test or live hosts with the keychain's credentials for that environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Sandbox,
    Test,
    Live,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Sandbox => "sandbox",
            Mode::Test => "test",
            Mode::Live => "live",
        }
    }

    pub fn parse(text: &str) -> Result<Mode> {
        match text.trim().to_ascii_lowercase().as_str() {
            "sandbox" => Ok(Mode::Sandbox),
            "test" => Ok(Mode::Test),
            "live" => Ok(Mode::Live),
            _ => Err(Error::invalid(
                "mode",
                format!("unknown mode {text:?}: use sandbox, test or live"),
            )),
        }
    }

    /// The keychain environment whose credentials this mode uses.
    pub fn environment(self) -> Option<Environment> {
        match self {
            Mode::Sandbox => None,
            Mode::Test => Some(Environment::Test),
            Mode::Live => Some(Environment::Live),
        }
    }
}
