//! A remote endpoint (Selenium Grid, Appium): nothing to start, only checked that it answers.

use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::super::config::DriverConfig;
use super::super::session::DriverResult;
use super::super::webdriver_session::Registry;
use super::{Launcher, http_client, launch_err};

/// Whether a WebDriver endpoint URL points at this machine (a Grid or Appium there is never reached
/// through a proxy from the environment: reqwest does not skip loopback by itself).
pub(super) fn is_loopback(endpoint: &str) -> bool {
    match url::Url::parse(endpoint)
        .ok()
        .and_then(|u| u.host().map(|h| h.to_owned()))
    {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

impl Launcher {
    pub(super) async fn start_remote(config: DriverConfig, url: String) -> DriverResult<Launcher> {
        let mut endpoint = url.trim().to_string();
        if !endpoint.ends_with('/') {
            endpoint.push('/');
        }
        let parsed = url::Url::parse(&endpoint).map_err(|e| {
            launch_err(
                format!("remote WebDriver endpoint `{url}`"),
                format!("not a URL: {e}"),
            )
        })?;
        let status = parsed
            .join("status")
            .map_err(|e| launch_err("remote WebDriver endpoint", e.to_string()))?;
        // Any HTTP answer proves the endpoint is there; only a connection failure is fatal.
        let client = http_client(Duration::from_secs(10), is_loopback(&endpoint));
        if let Err(e) = client.get(status.clone()).send().await {
            return Err(launch_err(
                format!("remote WebDriver endpoint {endpoint}"),
                format!("{status} did not answer: {e}"),
            ));
        }
        Ok(Launcher {
            config,
            endpoint,
            local: None,
            browser: None,
            full_browser: None,
            driver_version: None,
            browser_version: Mutex::new(None),
            version_from: None,
            registry: Arc::new(Registry::default()),
            next_id: AtomicU64::new(1),
            shut_down: AtomicBool::new(false),
        })
    }
}
