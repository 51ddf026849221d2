//! One line of the doctor's answer: a part, whether it is there, and how to get it.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Status {
    Ok,
    Missing,
    /// There, but not as usher needs it (version mismatch, not ready, no drivers, no version).
    Warn,
}

impl Status {
    fn label(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Missing => "missing",
            Status::Warn => "warn",
        }
    }
}

#[derive(Debug, Clone)]
pub(super) struct Finding {
    pub status: Status,
    pub name: String,
    pub detail: String,
    /// "install: <command>" or "fix: <what to do>", printed under the line.
    pub hint: Option<String>,
    /// This alone stops `usher run` as invoked; decides the exit code.
    pub blocking: bool,
}

impl Finding {
    fn new(status: Status, name: impl Into<String>, detail: impl Into<String>) -> Finding {
        Finding {
            status,
            name: name.into(),
            detail: detail.into(),
            hint: None,
            blocking: false,
        }
    }

    pub fn ok(name: impl Into<String>, detail: impl Into<String>) -> Finding {
        Finding::new(Status::Ok, name, detail)
    }

    pub fn missing(name: impl Into<String>, detail: impl Into<String>) -> Finding {
        Finding::new(Status::Missing, name, detail)
    }

    pub fn warn(name: impl Into<String>, detail: impl Into<String>) -> Finding {
        Finding::new(Status::Warn, name, detail)
    }

    pub fn install(mut self, command: &str) -> Finding {
        self.hint = Some(format!("install: {command}"));
        self
    }

    pub fn fix(mut self, what: impl Into<String>) -> Finding {
        self.hint = Some(format!("fix: {}", what.into()));
        self
    }

    pub fn blocking(mut self) -> Finding {
        self.blocking = true;
        self
    }
}

/// The column where details start; hints line up under them.
const DETAIL_COLUMN: usize = 9 + 26;

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:<9}{:<26}{}",
            self.status.label(),
            self.name,
            self.detail
        )?;
        if let Some(hint) = &self.hint {
            write!(f, "\n{:DETAIL_COLUMN$}{hint}", "")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hint_lines_up_under_the_detail() {
        let line = Finding::missing("xmllint", "not on PATH")
            .install("sudo apt-get install libxml2-utils")
            .to_string();
        let mut lines = line.lines();
        let first = lines.next().unwrap();
        let second = lines.next().unwrap();
        assert!(first.starts_with("missing  xmllint"));
        assert_eq!(first.find("not on PATH"), second.find("install:"));
    }
}
