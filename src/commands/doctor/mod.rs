//! `usher doctor`: what this machine has of what usher can drive, and the exact Debian command for
//! whatever is missing.
//!
//! The exit code answers one question: would `usher run`, invoked the same way, find what it needs?
//! Without `--webdriver-url` that is a local headless Chrome run (Chromium or its headless shell,
//! plus a chromedriver of the same major version); with it, the endpoint answering "ready". Firefox,
//! Appium, Java (Selenium Grid) and xmllint are optional and only ever warn. Every external command
//! runs under a time limit, so doctor answers even when a tool hangs.

mod appium;
mod chrome;
mod command;
mod endpoint;
mod finding;
mod optional;
mod probe;

pub use command::doctor;
