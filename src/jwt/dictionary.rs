//! usher's dictionary of weak HMAC secrets: a committed base list (`weak_secrets.txt`, written for
//! usher) expanded by rules here, so the list stays reviewable while the candidates number tens of
//! thousands.

use std::collections::HashSet;
use std::sync::OnceLock;

const BASE: &str = include_str!("weak_secrets.txt");

/// Appended to each word: digits and years people add, and what a secret is called.
const SUFFIXES: &[&str] = &[
    "",
    "1",
    "12",
    "123",
    "1234",
    "12345",
    "!",
    "!!",
    "@123",
    "#1",
    "_secret",
    "-secret",
    "secret",
    "Secret",
    "_key",
    "-key",
    "key",
    "Key",
    "_jwt",
    "-jwt",
    "jwt",
    "Jwt",
    "_token",
    "-token",
    "token",
    "_jwt_secret",
    "-jwt-secret",
    "_secret_key",
    "-secret-key",
    "2015",
    "2016",
    "2017",
    "2018",
    "2019",
    "2020",
    "2021",
    "2022",
    "2023",
    "2024",
    "2025",
    "2026",
    "_2024",
    "_2025",
    "-2025",
];

/// Put before each word.
const PREFIXES: &[&str] = &[
    "jwt_", "jwt-", "secret_", "secret-", "my", "my_", "my-", "super", "the", "app_",
];

fn capitalized(s: &str) -> String {
    let mut out = s.to_string();
    if let Some(first) = out.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    out
}

fn build() -> Vec<String> {
    let mut exact = Vec::new();
    let mut words = Vec::new();
    let mut section = "";
    for line in BASE.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with('[') && line.ends_with(']') {
            section = if line == "[words]" { "words" } else { "exact" };
            continue;
        }
        match section {
            "words" => words.push(line),
            _ => exact.push(line),
        }
    }
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let mut add = |s: String| {
        if seen.insert(s.clone()) {
            out.push(s);
        }
    };
    for e in exact {
        add(e.to_string());
    }
    for w in words {
        for case in [w.to_string(), capitalized(w), w.to_ascii_uppercase()] {
            for suffix in SUFFIXES {
                let suffix = if case.chars().all(|c| !c.is_ascii_lowercase()) {
                    suffix.to_ascii_uppercase()
                } else {
                    (*suffix).to_string()
                };
                add(format!("{case}{suffix}"));
            }
            for prefix in PREFIXES {
                add(format!("{prefix}{case}"));
            }
        }
    }
    out
}

/// The shipped dictionary, most likely first (the exact entries, then the expanded words); built
/// once per process.
pub fn weak_secrets() -> &'static [String] {
    static LIST: OnceLock<Vec<String>> = OnceLock::new();
    LIST.get_or_init(build)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dictionary_is_large_unique_and_holds_the_classics() {
        let list = weak_secrets();
        assert!(list.len() > 20_000, "{}", list.len());
        assert_eq!(list.len(), list.iter().collect::<HashSet<_>>().len());
        for want in [
            "your-256-bit-secret",
            "secret",
            "keyboard cat",
            "tickets2025",
            "Ticketbooth_secret",
            "mysecret",
            "TICKETS_JWT_SECRET",
            "jwt_secret",
            "SECRET_KEY",
            "qwerty123",
        ] {
            assert!(list.iter().any(|s| s == want), "{want} missing");
        }
        assert!(list.iter().all(|s| !s.is_empty() && s.trim() == s));
    }
}
