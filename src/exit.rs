//! The one exit-code enum (documented in README.md).

/// What the process tells its caller. A found flaw and a broken harness are never the same code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Every flow passed.
    Passed = 0,
    /// At least one flow FAILED: a flaw was found.
    FlawFound = 1,
    /// Bad input: CLI, profile or scenario.
    BadInput = 2,
    /// Infrastructure error (driver, browser, target unreachable) and no FAIL.
    Infrastructure = 3,
}

impl Exit {
    pub fn code(self) -> i32 {
        self as i32
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(e: Exit) -> Self {
        std::process::ExitCode::from(e as u8)
    }
}
