//! How to reach (or start) a WebDriver endpoint: [`DriverConfig`].

use std::path::PathBuf;
use std::time::Duration;

use super::session::BrowserKind;

/// Everything the [`Launcher`](super::Launcher) needs to start or reach a WebDriver endpoint.
#[derive(Debug, Clone)]
pub struct DriverConfig {
    /// Which browser to drive. `Chrome` is launched locally through one shared chromedriver;
    /// `Firefox` works only through a remote endpoint for now; `Remote` passes `capabilities`
    /// through untouched to `webdriver_url` (Appium, a Grid with a browser we did not pick).
    pub browser: BrowserKind,
    /// chromedriver / geckodriver; default: found on `PATH`.
    pub driver_path: Option<PathBuf>,
    /// The browser binary; default: `chromium`, `chromium-browser`, `google-chrome` or
    /// `google-chrome-stable` on `PATH`.
    pub browser_path: Option<PathBuf>,
    /// A remote endpoint (Selenium Grid, Appium). No local driver process is started.
    pub webdriver_url: Option<String>,
    /// Merged over our defaults. `goog:chromeOptions` / `moz:firefoxOptions` are merged key by key
    /// (their `args` lists are concatenated: ours, then yours, so yours win); every other key
    /// (`appium:*`, `platformName`, ...) is passed through untouched and replaces ours.
    pub capabilities: serde_json::Map<String, serde_json::Value>,
    /// Run the browser without a window. Default `true`.
    pub headless: bool,
    /// Upper bound for every single WebDriver call. Default 30 s.
    pub command_timeout: Duration,
}

impl Default for DriverConfig {
    fn default() -> Self {
        Self {
            browser: BrowserKind::Chrome,
            driver_path: None,
            browser_path: None,
            webdriver_url: None,
            capabilities: serde_json::Map::new(),
            headless: true,
            command_timeout: Duration::from_secs(30),
        }
    }
}
