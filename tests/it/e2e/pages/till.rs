//! Who is at the till: the sign-in pad (the staff as numbered buttons, a digit key picks one,
//! then their PIN and Enter), the bar's person (F6 switches) and Sign out.

use std::time::Duration;

use super::super::window::{keys, tid, Window, LONG, SHORT, START};

const PAD: &str = "[data-testid=sign-in-pad]";
const PIN: &str = "[data-testid=pad-pin]";

impl Window {
    pub(crate) fn till(&self) -> Till<'_> {
        Till(self)
    }
}

/// The sign-in pad and the bar's person of `window`.
pub(crate) struct Till<'a>(pub(crate) &'a Window);

impl Till<'_> {
    /// Waits for the pad's list of names (the app just started, or someone signed out).
    pub(crate) async fn wait_for_pad(&self, within: Duration) {
        self.0
            .wait_for(&format!("{PAD}[data-step=who]"), within)
            .await;
    }

    /// Whether the pad is up.
    pub(crate) async fn pad_shown(&self) -> bool {
        self.0.count(PAD).await > 0
    }

    /// The names the pad offers, in its order (the first is key 1).
    pub(crate) async fn names(&self) -> Vec<String> {
        let shown = self
            .0
            .script(
                "return Array.from(document.querySelectorAll('[data-testid=pad-person]'))\
                 .map((e) => e.getAttribute('data-name'));",
            )
            .await;
        shown
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|n| n.as_str().map(str::to_string))
            .collect()
    }

    /// The digit key that picks `name` on the pad (its place in the list, from 1).
    pub(crate) async fn key_of(&self, name: &str) -> char {
        let names = self.names().await;
        let index = names
            .iter()
            .position(|n| n == name)
            .unwrap_or_else(|| panic!("{name} is not on the pad: {names:?}"));
        assert!(index < 9, "{name} is past the ninth name");
        char::from_digit(index as u32 + 1, 10).unwrap()
    }

    /// Picks `name` with their digit key, as a cashier does: the pad then asks their PIN.
    pub(crate) async fn pick(&self, name: &str) {
        let key = self.key_of(name).await;
        self.0.press(key).await;
        self.0.wait_for_text(&tid("pad-name"), name, SHORT).await;
        assert!(
            self.0.has_focus(PIN).await,
            "the PIN box takes the focus once a name is picked"
        );
    }

    /// Types `pin` and Enter into the pad's PIN box.
    pub(crate) async fn enter_pin(&self, pin: &str) {
        self.0
            .type_into(PIN, &format!("{pin}{}", keys::ENTER))
            .await;
    }

    /// Signs `name` in with the keyboard alone: their digit, their PIN, Enter; waits for the
    /// bar to name them.
    pub(crate) async fn sign_in(&self, name: &str, pin: &str) {
        self.pick(name).await;
        self.enter_pin(pin).await;
        self.wait_for_person(name).await;
        self.0.wait_until_gone(PAD).await;
    }

    /// The pad's refusal of a PIN (its words) and the tries it says are left.
    pub(crate) async fn refusal(&self) -> (String, Option<String>) {
        let error = self.0.find_within(&tid("pad-error"), LONG).await;
        let words = self.0.text_of(&error).await;
        let left = self.0.attr_of(&error, "data-tries-left").await;
        (words.trim().to_string(), left)
    }

    /// Waits until the bar names `name` as signed in.
    pub(crate) async fn wait_for_person(&self, name: &str) {
        self.0
            .wait_for_attr(&tid("till-person"), "data-name", name, LONG)
            .await;
    }

    /// The bar's words for who is signed in ("Ann Cashier F6").
    pub(crate) async fn person_words(&self) -> String {
        self.0.text(&tid("till-person")).await
    }

    /// The role the bar shows for who is signed in.
    pub(crate) async fn role(&self) -> Option<String> {
        self.0.attr(&tid("till-person"), "data-role").await
    }

    /// F6: the pad, to switch person.
    pub(crate) async fn press_switch(&self) {
        self.0.press(fantoccini::key::Key::F6).await;
        self.wait_for_pad(SHORT).await;
    }

    /// Sign out in the bar: the pad comes up.
    pub(crate) async fn sign_out(&self) {
        self.0.click(&tid("sign-out")).await;
        self.wait_for_pad(LONG).await;
    }

    /// Waits for the app's first screen: the pad, in a shop with staff accounts.
    pub(crate) async fn wait_for_start(&self) {
        self.wait_for_pad(START).await;
    }
}
