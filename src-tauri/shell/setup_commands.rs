//! First start: the setup screen's two commands, thin over `paydesk_core::setup`.

use super::{fail, Answer, Desk};

use paydesk_core::setup::{SetupInput, SetupState};

/// What the setup screen starts from, and whether it is needed at all.
#[tauri::command(async)]
pub fn setup_state(desk: Desk<'_>) -> Answer<SetupState> {
    paydesk_core::setup::state(desk.ledger()).map_err(fail)
}

/// Runs setup once: everything is checked before anything is written; a second run is
/// refused with `already_set_up`.
#[tauri::command(async)]
pub fn complete_setup(desk: Desk<'_>, request: SetupInput) -> Answer<()> {
    paydesk_core::setup::complete(desk.ledger(), &request).map_err(fail)
}
