//! The screens of the app as a person uses them, each a thin type over the [`Window`]: a
//! test says `counter.type_amount("12.50")`, `counter.pick_method("wechat-qr")`,
//! `counter.create()`, `counter.wait_for_qr()`.

mod counter;
mod detail;
mod orders;
mod pin;
mod settings;
mod setup;
mod shift;
mod till;
mod updates;

pub(crate) use counter::Counter;
pub(crate) use detail::Detail;
pub(crate) use orders::{Orders, Sums};
pub(crate) use pin::Pin;
pub(crate) use settings::Settings;
pub(crate) use setup::Setup;
pub(crate) use updates::Updates;

use super::window::Window;

impl Window {
    pub(crate) fn counter(&self) -> Counter<'_> {
        Counter(self)
    }

    pub(crate) fn orders(&self) -> Orders<'_> {
        Orders(self)
    }

    pub(crate) fn detail(&self) -> Detail<'_> {
        Detail(self)
    }

    pub(crate) fn pin(&self) -> Pin<'_> {
        Pin(self)
    }

    pub(crate) fn settings(&self) -> Settings<'_> {
        Settings(self)
    }

    pub(crate) fn setup(&self) -> Setup<'_> {
        Setup(self)
    }

    pub(crate) fn updates(&self) -> Updates<'_> {
        Updates(self)
    }
}
