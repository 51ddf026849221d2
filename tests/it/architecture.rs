//! The layering of `src/`, checked from the source text: which top-level module may use which
//! (docs/ARCHITECTURE.md is the prose of the same table), and no import cycle between the files of a
//! folder. Read from the text, not the compiler: a `crate::`/`super::` path anywhere outside comments
//! and `#[cfg(test)]` code counts.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each top-level module and the modules it may use. Lower layers first; a module may only name
/// modules listed before it (the test checks that too, so the table cannot hide a cycle).
const LAYERS: &[(&str, &[&str])] = &[
    ("duration", &[]),
    ("redact", &[]),
    ("exit", &[]),
    ("analysis", &["redact"]),
    ("jwt", &["redact"]),
    ("demo", &["duration"]),
    ("driver", &["duration", "redact"]),
    ("sampling", &["analysis", "duration", "redact"]),
    ("scenario", &["duration", "redact"]),
    ("record", &["duration", "redact", "scenario"]),
    (
        "report",
        &["duration", "exit", "record", "redact", "scenario"],
    ),
    ("suite", &["demo", "report", "scenario"]),
    (
        "engine",
        &[
            "analysis", "driver", "duration", "exit", "jwt", "record", "redact", "report",
            "sampling", "scenario",
        ],
    ),
    (
        "discover",
        &["driver", "duration", "engine", "redact", "scenario"],
    ),
    (
        "logs",
        &["duration", "exit", "record", "redact", "report", "scenario"],
    ),
    ("cli", &["demo", "duration", "scenario"]),
    (
        "commands",
        &[
            "analysis", "cli", "demo", "discover", "driver", "duration", "engine", "exit", "logs",
            "record", "redact", "report", "sampling", "scenario", "suite",
        ],
    ),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file that counts: comments and everything from the first `#[cfg(test)]` are cut.
fn code_of(text: &str) -> String {
    let mut code = String::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("#[cfg(test)]") {
            break;
        }
        if trimmed.starts_with("//") {
            continue;
        }
        code.push_str(line.split(" // ").next().unwrap_or(line));
        code.push('\n');
    }
    code
}

fn ident_at(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The top-level modules a file's code names through `crate::`.
fn modules_named(code: &str) -> BTreeSet<String> {
    let mut named = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // `crate::{a::X, b}`: the first name of each item at depth one.
            let mut depth = 0;
            let mut start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start = true,
                    c if start && !c.is_whitespace() => {
                        named.insert(ident_at(&group[i..]).to_string());
                        start = false;
                    }
                    _ => {}
                }
            }
        } else {
            named.insert(ident_at(rest).to_string());
        }
    }
    named
}

/// Which top-level module a source file belongs to (`src/engine/flow.rs` → `engine`).
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    Some(first.trim_end_matches(".rs").to_string())
}

fn uses_by_module() -> BTreeMap<String, BTreeMap<String, Vec<String>>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let macros = ["out", "outln"];
    let mut uses: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    for file in files {
        let Some(module) = module_of(&src, &file) else {
            continue;
        };
        if module == "lib" || module == "main" {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("a source file is readable");
        for named in modules_named(&code_of(&text)) {
            if named == module || macros.contains(&named.as_str()) {
                continue;
            }
            let rel = file.strip_prefix(&src).unwrap().display().to_string();
            uses.entry(module.clone())
                .or_default()
                .entry(named)
                .or_default()
                .push(rel);
        }
    }
    uses
}

#[test]
fn the_layer_table_lists_lower_layers_only() {
    let mut seen = BTreeSet::new();
    for (module, allowed) in LAYERS {
        for lower in *allowed {
            assert!(
                seen.contains(lower),
                "{module} may use {lower}, which the table lists later: that would allow a cycle"
            );
        }
        seen.insert(*module);
    }
}

#[test]
fn every_module_uses_only_lower_layers() {
    let table: BTreeMap<&str, &[&str]> = LAYERS.iter().copied().collect();
    let mut wrong = Vec::new();
    for (module, named) in uses_by_module() {
        let Some(allowed) = table.get(module.as_str()) else {
            wrong.push(format!(
                "{module}: not in the layer table (tests/it/architecture.rs)"
            ));
            continue;
        };
        for (other, files) in named {
            if !allowed.contains(&other.as_str()) {
                wrong.push(format!("{module} uses {other} in {}", files.join(", ")));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layers:\n{}",
        wrong.join("\n")
    );
}

/// A file's module path: `src/engine/flow.rs` → `engine::flow`, `src/driver/launcher/chrome.rs` →
/// `driver::launcher::chrome`, `src/scenario/mod.rs` → `scenario`.
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).expect("under src");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| {
            c.as_os_str()
                .to_string_lossy()
                .trim_end_matches(".rs")
                .to_string()
        })
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// The module paths a file's code names: `crate::a::b::X` and `super::b::X` (resolved against the
/// file's own module), each cut to the longest prefix that is a module of the crate.
fn files_named(
    code: &str,
    own: &[String],
    modules: &BTreeSet<Vec<String>>,
) -> BTreeSet<Vec<String>> {
    let mut named = BTreeSet::new();
    let mut add = |base: Vec<String>, rest: &str| {
        let mut path = base;
        let mut best = None;
        for segment in rest.split("::") {
            let name = ident_at(segment.trim_start_matches('{'));
            if name.is_empty() {
                break;
            }
            path.push(name.to_string());
            if modules.contains(&path) {
                best = Some(path.clone());
            }
            if segment.len() != name.len() {
                break;
            }
        }
        if let Some(found) = best {
            named.insert(found);
        }
    };
    for (at, _) in code.match_indices("crate::") {
        add(Vec::new(), &code[at + "crate::".len()..]);
    }
    for (at, _) in code.match_indices("super::") {
        if at > 0 && code[..at].ends_with("super::") {
            continue; // the tail of a `super::super::` chain: counted from its head
        }
        let mut rest = &code[at..];
        let mut base = own.to_vec();
        while let Some(r) = rest.strip_prefix("super::") {
            base.pop();
            rest = r;
        }
        add(base, rest);
    }
    named
}

#[test]
fn no_two_files_import_each_other() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| module_path(&src, f)).collect();
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for file in &files {
        let own = module_path(&src, file);
        let text = std::fs::read_to_string(file).expect("a source file is readable");
        for target in files_named(&code_of(&text), &own, &modules) {
            // A module names its own children and its ancestors (the items it is part of) freely.
            if target.starts_with(&own) || own.starts_with(&target) {
                continue;
            }
            edges.entry(own.clone()).or_default().insert(target);
        }
    }
    // Strongly connected groups (Tarjan): every group of more than one file is a cycle.
    let mut groups = Vec::new();
    let mut tarjan = Tarjan::default();
    for start in edges.keys() {
        if !tarjan.index.contains_key(start) {
            tarjan.visit(start, &edges, &mut groups);
        }
    }
    let cycles: Vec<String> = groups
        .into_iter()
        .filter(|g: &Vec<Vec<String>>| g.len() > 1)
        .map(|g| {
            g.iter()
                .map(|m| m.join("::"))
                .collect::<Vec<_>>()
                .join(" <-> ")
        })
        .collect();
    assert!(
        cycles.is_empty(),
        "files that import each other:\n{}",
        cycles.join("\n")
    );
}

#[derive(Default)]
struct Tarjan {
    next: usize,
    index: BTreeMap<Vec<String>, usize>,
    low: BTreeMap<Vec<String>, usize>,
    stack: Vec<Vec<String>>,
    on_stack: BTreeSet<Vec<String>>,
}

impl Tarjan {
    fn visit(
        &mut self,
        at: &Vec<String>,
        edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        groups: &mut Vec<Vec<Vec<String>>>,
    ) {
        self.index.insert(at.clone(), self.next);
        self.low.insert(at.clone(), self.next);
        self.next += 1;
        self.stack.push(at.clone());
        self.on_stack.insert(at.clone());
        for next in edges.get(at).into_iter().flatten() {
            if !self.index.contains_key(next) {
                self.visit(next, edges, groups);
                let low = self.low[at].min(self.low[next]);
                self.low.insert(at.clone(), low);
            } else if self.on_stack.contains(next) {
                let low = self.low[at].min(self.index[next]);
                self.low.insert(at.clone(), low);
            }
        }
        if self.low[at] == self.index[at] {
            let mut group = Vec::new();
            while let Some(top) = self.stack.pop() {
                self.on_stack.remove(&top);
                let done = &top == at;
                group.push(top);
                if done {
                    break;
                }
            }
            group.sort();
            groups.push(group);
        }
    }
}
