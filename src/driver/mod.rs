//! WebDriver/Appium sessions behind one small trait, and the local driver processes behind them.
//!
//! - [`Launcher`] starts one local chromedriver (or reaches a remote Grid/Appium endpoint) from a
//!   [`DriverConfig`] and hands out isolated [`Session`]s.
//! - [`WebDriverSession`] is the thirtyfour-backed session; network capture reads chromedriver's
//!   performance log (works the same through a Selenium Grid, needs no extra WebSocket); Firefox
//!   sessions (one geckodriver each) use WebDriver BiDi network events instead.

mod appium_context;
mod appium_file;
mod appium_timeouts;
mod bidi_network;
mod capabilities;
mod config;
mod launcher;
mod locator;
mod network;
mod process;
mod session;
mod settle;
pub mod shadow;
mod webdriver_session;

pub use appium_context::is_native_app;
pub use config::DriverConfig;
pub use launcher::{BackForwardCache, Launcher};
pub use session::{
    BrowserCookie, BrowserKind, DriverError, DriverResult, Locator, Look, NetEvent, Session, Settle,
};
pub use webdriver_session::WebDriverSession;

// `usher doctor` looks for exactly what the launcher would start.
pub(crate) use launcher::{BROWSER_NAMES, FIREFOX_NAMES, HEADLESS_SHELL_NAMES};
pub(crate) use process::{find_on_path, version_token};
