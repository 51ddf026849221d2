//! A YAML document as a tree with a source position on every node.
//!
//! serde stops at the first error, but `usher validate` must report every problem at once with its
//! `file:line:col`. So files are first read into this spanned tree (serde-saphyr's `Spanned` gives each
//! node's position), then converted piece by piece; each piece's failure becomes its own diagnostic.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;
use std::fmt;

/// A 1-based line and column in a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

impl Pos {
    fn of<T>(s: &Spanned<T>) -> Pos {
        Pos {
            line: s.referenced.line() as u32,
            col: s.referenced.column() as u32,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Key, Node)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub pos: Pos,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    pub pos: Pos,
    pub name: String,
}

impl Node {
    /// The YAML type of this node, for messages ("expected a mapping, found a string").
    pub fn kind(&self) -> &'static str {
        match self.value {
            Value::Null => "nothing (null)",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Key, Node)]> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// The value under `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.name == key)
            .map(|(_, v)| v)
    }

    /// Where a key (at any depth below this node) was written, to point at an offending field.
    pub fn find_key(&self, name: &str) -> Option<Pos> {
        match &self.value {
            Value::Map(entries) => entries.iter().find_map(|(k, v)| {
                if k.name == name {
                    Some(k.pos)
                } else {
                    v.find_key(name)
                }
            }),
            Value::Seq(items) => items.iter().find_map(|n| n.find_key(name)),
            _ => None,
        }
    }

    /// Plain JSON for typed conversion with serde (positions are kept here, in the node).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::Str(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.name.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        i64::try_from(v)
            .map(Value::Int)
            .map_err(|_| E::custom("integer too large"))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<SpannedNode>>()? {
            items.push(Node {
                pos: Pos::of(&item),
                value: item.value.0,
            });
        }
        Ok(Value::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries: Vec<(Key, Node)> = Vec::new();
        // A set, not a scan of `entries`: a mapping of 40 000 flows must not cost 800 million compares.
        let mut names: std::collections::HashSet<String> = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<Spanned<KeyText>>()? {
            let value = map.next_value::<Spanned<SpannedNode>>()?;
            let key_pos = Pos::of(&key);
            let name = key.value.0;
            if !names.insert(name.clone()) {
                return Err(de::Error::custom(format!("duplicate key `{name}`")));
            }
            entries.push((
                Key { pos: key_pos, name },
                Node {
                    pos: Pos::of(&value),
                    value: value.value.0,
                },
            ));
        }
        Ok(Value::Map(entries))
    }
}

/// The payload of a `Spanned` node (the wrapper supplies the position).
struct SpannedNode(Value);

impl<'de> Deserialize<'de> for SpannedNode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor).map(SpannedNode)
    }
}

/// Mapping keys are written as text; a number or boolean used as a key is taken by its text.
struct KeyText(String);

impl<'de> Deserialize<'de> for KeyText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match d.deserialize_any(ValueVisitor)? {
            Value::Str(s) => Ok(KeyText(s)),
            Value::Int(i) => Ok(KeyText(i.to_string())),
            Value::Bool(b) => Ok(KeyText(b.to_string())),
            Value::Float(f) => Ok(KeyText(f.to_string())),
            Value::Null => Ok(KeyText("null".into())),
            _ => Err(de::Error::custom("a mapping key must be plain text")),
        }
    }
}

/// A YAML syntax or structure error, with where it happened when known.
#[derive(Debug)]
pub struct ParseError {
    pub message: String,
    pub pos: Option<Pos>,
}

/// Parses one YAML document into a spanned tree.
pub fn parse(text: &str) -> Result<Node, ParseError> {
    match serde_saphyr::from_str::<Spanned<SpannedNode>>(text) {
        Ok(root) => Ok(Node {
            pos: Pos::of(&root),
            value: root.value.0,
        }),
        Err(e) => {
            let pos = e.location().map(|l| Pos {
                line: l.line() as u32,
                col: l.column() as u32,
            });
            Err(ParseError {
                message: first_line(&e.to_string()),
                pos,
            })
        }
    }
}

/// serde-saphyr's Display may append a snippet of its own; ours renders the snippet, so keep line one.
/// The "line N column M: " prefix is dropped too (the diagnostic prints the position), and the
/// library's advice about its own options is replaced by ours.
fn first_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or(text).trim();
    let line = line.strip_prefix("error: ").unwrap_or(line);
    let line = strip_position(line);
    if let Some(rest) = line.strip_prefix("duplicate mapping key: ") {
        let key = rest
            .split(", set DuplicateKeyPolicy")
            .next()
            .unwrap_or(rest);
        return format!("duplicate key `{key}`");
    }
    line.to_string()
}

/// `line 3 column 6: message` → `message`.
fn strip_position(line: &str) -> &str {
    let Some(rest) = line.strip_prefix("line ") else {
        return line;
    };
    let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit());
    let Some(rest) = rest.strip_prefix(" column ") else {
        return line;
    };
    let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit());
    rest.strip_prefix(": ").unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_on_every_node() {
        let n = parse("a: 1\nsteps:\n  - open: /x\n  - click: '#b'\n").unwrap();
        let steps = n.get("steps").unwrap().as_seq().unwrap();
        assert_eq!(steps[1].pos.line, 4);
        let (k, _) = &steps[1].as_map().unwrap()[0];
        assert_eq!((k.pos.line, k.pos.col), (4, 5));
        assert_eq!(n.find_key("click").unwrap().line, 4);
    }

    #[test]
    fn syntax_error_has_position() {
        let e = parse("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(e.pos.is_some(), "{e:?}");
    }

    /// Found with the `load_scenario` fuzz target (docs/fuzzing.md), with a profile of 40 000 flows: each
    /// key was compared with every earlier one. A duplicate is still found after 100 000 keys, in time.
    #[test]
    fn fuzz_regression_many_keys() {
        let mut text: String = (0..100_000).map(|i| format!("k{i}: 1\n")).collect();
        text.push_str("k7: 2\n");
        let start = std::time::Instant::now();
        let e = parse(&text).unwrap_err();
        assert_eq!(e.message, "duplicate key `k7`");
        assert!(start.elapsed() < std::time::Duration::from_secs(30));
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let e = parse("a: 1\na: 2\n").unwrap_err();
        assert_eq!(e.message, "duplicate key `a`");
        assert_eq!(e.pos.map(|p| p.line), Some(2));
    }
}
