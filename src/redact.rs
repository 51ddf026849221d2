//! Redaction: every session token, password and secret is shown as a short fingerprint (`tok:3f9a1c`),
//! the same value always the same fingerprint so a reader can follow a token across steps.
//!
//! One `Redactor` is shared by the whole run; everything that leaves the process (console, logs,
//! reports, artifact names, page sources) goes through [`Redactor::redact`].

use sha2::{Digest, Sha256};
use std::sync::{Arc, RwLock};

/// Values shorter than this are not registered: redacting `1` or `ab` everywhere would garble reports,
/// and no real session id or password is that short.
pub const MIN_SECRET_LEN: usize = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Token,
    Secret,
}

impl Kind {
    fn prefix(self) -> &'static str {
        match self {
            Kind::Token => "tok",
            Kind::Secret => "secret",
        }
    }
}

/// The fingerprint of a value: kind prefix and the first six hex digits of its SHA-256.
pub fn fingerprint(kind: Kind, value: &str) -> String {
    let digest = Sha256::digest(value.as_bytes());
    format!("{}:{}", kind.prefix(), &hex::encode(digest)[..6])
}

#[derive(Debug, Default, Clone)]
pub struct Redactor {
    inner: Arc<RwLock<Vec<(String, String)>>>,
}

impl Redactor {
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a value to hide from now on; returns its fingerprint.
    pub fn register(&self, kind: Kind, value: &str) -> String {
        let fp = fingerprint(kind, value);
        if value.len() < MIN_SECRET_LEN {
            return fp;
        }
        let mut list = self.inner.write().expect("redactor lock");
        let mut variants = vec![value.to_string()];
        // Values travel URL-encoded in queries and Referers too.
        let encoded = url::form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>();
        if encoded != value {
            variants.push(encoded);
        }
        for v in variants {
            if !list.iter().any(|(known, _)| *known == v) {
                list.push((v, fp.clone()));
            }
        }
        // Longest first, so a value that contains another is replaced whole.
        list.sort_by_key(|(v, _)| std::cmp::Reverse(v.len()));
        fp
    }

    /// The text with every registered value replaced by its fingerprint.
    pub fn redact(&self, text: &str) -> String {
        let list = self.inner.read().expect("redactor lock");
        let mut out = text.to_string();
        for (value, fp) in list.iter() {
            if out.contains(value.as_str()) {
                out = out.replace(value.as_str(), fp);
            }
        }
        out
    }

    /// Redacts every string inside a JSON value.
    pub fn redact_json(&self, v: &serde_json::Value) -> serde_json::Value {
        use serde_json::Value as J;
        match v {
            J::String(s) => J::String(self.redact(s)),
            J::Array(a) => J::Array(a.iter().map(|x| self.redact_json(x)).collect()),
            J::Object(m) => J::Object(
                m.iter()
                    .map(|(k, x)| (self.redact(k), self.redact_json(x)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.inner.read().expect("redactor lock").is_empty()
    }
}

/// A `tracing` writer that redacts each log line before it reaches stderr (thirtyfour logs request
/// bodies, with tokens, at debug level).
#[derive(Clone)]
pub struct RedactingWriter {
    pub redactor: Redactor,
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for RedactingWriter {
    type Writer = LineWriter;
    fn make_writer(&'a self) -> Self::Writer {
        LineWriter {
            redactor: self.redactor.clone(),
            buf: Vec::new(),
        }
    }
}

pub struct LineWriter {
    redactor: Redactor,
    buf: Vec<u8>,
}

impl std::io::Write for LineWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for LineWriter {
    fn drop(&mut self) {
        use std::io::Write;
        let text = String::from_utf8_lossy(&self.buf);
        let _ = std::io::stderr().write_all(self.redactor.redact(&text).as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_value_same_fingerprint_and_no_clear_text() {
        let r = Redactor::new();
        let fp = r.register(Kind::Token, "s3cr3t-token-value");
        assert_eq!(fp, fingerprint(Kind::Token, "s3cr3t-token-value"));
        let out = r.redact("cookie=s3cr3t-token-value; again s3cr3t-token-value");
        assert!(!out.contains("s3cr3t"));
        assert_eq!(out.matches(&fp).count(), 2);
    }

    #[test]
    fn url_encoded_form_is_hidden_too() {
        let r = Redactor::new();
        r.register(Kind::Secret, "p@ss word/+");
        let out = r.redact("q=p%40ss+word%2F%2B");
        assert!(!out.contains("p%40ss"), "{out}");
    }

    #[test]
    fn longer_values_win_over_their_substrings() {
        let r = Redactor::new();
        r.register(Kind::Token, "abcd");
        let long = r.register(Kind::Token, "abcdefgh");
        assert_eq!(r.redact("abcdefgh"), long);
    }
}
