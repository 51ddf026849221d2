//! One diagnostic renderer, rustc style, for the terminal and the reports (hurl's `DisplaySourceError`).
//!
//! Rendered by hand rather than through miette's graphical handler: the output must be byte-stable for
//! golden tests and CI logs, and rustc's plain layout is what users of such tools already read.

use super::node::Pos;
use serde::Serialize;
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub file: Arc<str>,
    pub pos: Option<Pos>,
    /// How many characters to underline at `pos` (at least one).
    pub len: usize,
    pub message: String,
    pub hint: Option<String>,
    /// Text never shown from the source line (a literal password written in the file).
    #[serde(skip)]
    pub mask: Option<String>,
}

impl Diagnostic {
    pub fn new(file: &Arc<str>, pos: Option<Pos>, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.clone(),
            pos,
            len: 1,
            message: message.into(),
            hint: None,
            mask: None,
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn underline(mut self, len: usize) -> Self {
        self.len = len.max(1);
        self
    }

    /// `file:line:col` (or the file alone when the position is unknown).
    pub fn location(&self) -> String {
        match self.pos {
            Some(p) => format!("{}:{}:{}", self.file, p.line, p.col),
            None => self.file.to_string(),
        }
    }

    /// Renders like rustc: message, arrow with location, the source line with a caret underline, hint.
    pub fn render(&self, source: Option<&str>) -> String {
        self.render_as("error", source)
    }

    /// The same layout under another level (`note`).
    pub fn render_as(&self, level: &str, source: Option<&str>) -> String {
        let mut out = format!("{level}: {}\n", self.message);
        match self.pos {
            Some(p) => {
                let line_no = p.line.to_string();
                let pad = " ".repeat(line_no.len());
                out.push_str(&format!("{pad}--> {}\n", self.location()));
                if let Some(text) =
                    source.and_then(|s| s.lines().nth((p.line as usize).saturating_sub(1)))
                {
                    let text = match self.mask.as_deref().filter(|m| !m.is_empty()) {
                        Some(m) => text.replace(m, &"*".repeat(m.chars().count())),
                        None => text.to_string(),
                    };
                    let shown: String = text.chars().map(printable).collect();
                    let col = (p.col as usize).saturating_sub(1);
                    let width = shown.chars().count().saturating_sub(col).max(1);
                    let carets = "^".repeat(self.len.min(width));
                    out.push_str(&format!("{pad} |\n{line_no} | {shown}\n"));
                    out.push_str(&format!("{pad} | {}{carets}\n", " ".repeat(col)));
                }
                if let Some(h) = &self.hint {
                    out.push_str(&format!("{pad} = help: {h}\n"));
                }
            }
            None => {
                out.push_str(&format!(" --> {}\n", self.file));
                if let Some(h) = &self.hint {
                    out.push_str(&format!("  = help: {h}\n"));
                }
            }
        }
        out
    }
}

/// Control characters (ESC, NUL) from hostile files must not reach the terminal raw.
fn printable(c: char) -> char {
    if c == '\t' {
        ' '
    } else if c.is_control() {
        '\u{FFFD}'
    } else {
        c
    }
}

/// Every problem found while loading, with the sources needed to render them.
#[derive(Debug, Default)]
pub struct Diagnostics {
    pub items: Vec<Diagnostic>,
    pub sources: std::collections::HashMap<Arc<str>, Arc<str>>,
    /// Rendered as `note:`; they fail nothing.
    pub notes: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        for d in &self.items {
            let src = self.sources.get(&d.file).map(|s| &**s);
            out.push_str(&d.render(src));
            out.push('\n');
        }
        out.push_str(&self.render_notes());
        let n = self.items.len();
        out.push_str(&format!(
            "error: {n} problem{} found; nothing was run\n",
            if n == 1 { "" } else { "s" }
        ));
        out
    }

    pub fn render_notes(&self) -> String {
        let mut out = String::new();
        for d in &self.notes {
            let src = self.sources.get(&d.file).map(|s| &**s);
            out.push_str(&d.render_as("note", src));
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_rustc() {
        let file: Arc<str> = "s.yaml".into();
        let d = Diagnostic::new(&file, Some(Pos { line: 2, col: 5 }), "unknown step `clik`")
            .underline(4)
            .hint("did you mean `click`?");
        let out = d.render(Some("steps:\n  - clik: '#a'\n"));
        assert_eq!(
            out,
            "error: unknown step `clik`\n --> s.yaml:2:5\n  |\n2 |   - clik: '#a'\n  |     ^^^^\n  = help: did you mean `click`?\n"
        );
    }

    #[test]
    fn control_characters_are_neutralised() {
        let file: Arc<str> = "s.yaml".into();
        let d = Diagnostic::new(&file, Some(Pos { line: 1, col: 1 }), "bad");
        assert!(!d.render(Some("a\u{1b}[31mb")).contains('\u{1b}'));
    }
}
