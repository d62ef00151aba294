//! End to end: the real Paydesk window, driven through tauri-driver and WebKitWebDriver (W3C
//! WebDriver, through the fantoccini client) under a display. `make test` runs these under
//! Xvfb with tauri-driver from `.tools/bin`.
//!
//! The layers, so a test reads as the steps a person takes:
//! - `harness`: tauri-driver, the app and the session ([`harness::App`]);
//! - `window`: the WebDriver steps any screen takes (find, click, type, press, wait, read,
//!   screenshot), and `layout`: the window at a till's size and the rule a screen fits by;
//! - `pages`: the screens as a person uses them (the counter, Orders, an order's detail, the
//!   PIN dialog, Settings and its Updates, the first-start setup);
//! - `shop`: the shop behind the window through the `paydesk` binary (set up, orders made and
//!   paid before the window opens, what the ledger holds after).

pub(crate) mod harness;
pub(crate) mod layout;
pub(crate) mod pages;
pub(crate) mod shop;
pub(crate) mod window;

/// A sale at the counter, each method the way the customer pays; the customer display.
mod counter;
/// The counter never loses a sale: Enter/Esc, the waiting strip, Cancel sale, 1024x768.
mod counter_sale;
/// The owner's desk: the Orders list at scale, its CSV export, a card void.
mod desk;
/// Each language (issue 17): the shop's language in Settings, a sale in French, the customer
/// display's language per sale (Chinese for Alipay, L cycles), nothing cut off; screenshots.
mod languages;
/// The owner's actions with the PIN: a refund, a credential, Settings.
mod owner;
/// The owner's screens (issue 12): totals that mean money, Cancel from Orders, words.
mod owner_screens;
/// Receipts (issue 16): Print, "Not printed — Reprint", a reprint to a fake printer; receipt.png.
mod receipt;
/// The first start, and every screen at a till's 1024 x 768.
mod setup;
/// One shop, many counters (issue 14): the owner's window over a real PostgreSQL shop ledger.
mod shop_ledger;
/// Settings' "Shop ledger": joining and leaving a real PostgreSQL shop ledger with the PIN.
mod shop_settings;
/// A staff day (issue 15): a cashier signs in, opens the shift, sells; a refund approved by a
/// manager's PIN; F6 switches person; the shift closes with its sealed Z report.
mod staff_day;
/// A card-terminal sale (IOTPay CC_PAX, issue 16): the terminal's panel, approved to Paid.
mod terminal;
/// Tips (issue 16): the tip step after the amount, a 15% tip paid, the detail shows it apart.
mod tips;
/// Signed updates (issue 18): only the app's key installs, and never during a sale.
mod updates;
