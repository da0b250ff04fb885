//! YAML (and JSON) text into trees that remember where every node was written.
//!
//! The parser's events are assembled here, not by a YAML library's own tree
//! builder, so that every node keeps its line and column and so that hostile
//! input stays cheap: nesting is limited to [`MAX_DEPTH`] levels and alias
//! expansion to [`MAX_NODES`] nodes per file (a "billion laughs" document is
//! a problem, not an out-of-memory). Scalars are resolved as the API server's
//! YAML reader resolves them (YAML 1.1: `yes`/`no`/`on`/`off` are booleans,
//! `0755` is octal). This module knows nothing about Kubernetes.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::TScalarStyle;

/// Deepest nesting of mappings and sequences accepted.
pub const MAX_DEPTH: usize = 200;
/// Most nodes a file may expand to, aliases included.
pub const MAX_NODES: usize = 250_000;

/// A node with the 1-based line and column where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

/// One entry of a mapping, with where its key was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The key, as a string (JSON object keys are strings).
    pub key: String,
    /// 1-based line of the key.
    pub line: usize,
    /// 1-based column of the key.
    pub column: usize,
    /// The value.
    pub value: Node,
}

/// A resolved YAML value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`, `~` or nothing.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer that fits in i64.
    Int(i64),
    /// A non-negative integer above i64::MAX.
    UInt(u64),
    /// A finite float.
    Float(f64),
    /// A string (any quoted scalar, or a plain one that is nothing else).
    Str(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in written order.
    Map(Vec<Entry>),
}

impl Value {
    /// What the value is, for messages: "a mapping", "a string", ...
    pub fn describe(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) | Value::UInt(_) | Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

impl Node {
    /// The JSON value of this tree.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::UInt(u) => J::from(*u),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map(J::Number)
                .unwrap_or(J::Null),
            Value::Str(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|e| (e.key.clone(), e.value.to_json()))
                    .collect(),
            ),
        }
    }

    /// The entry `key` of a mapping.
    pub fn get(&self, key: &str) -> Option<&Entry> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|e| e.key == key),
            _ => None,
        }
    }

    /// A tree without positions, from JSON (used when JSON is not also valid YAML).
    pub fn from_json(v: &serde_json::Value, line: usize) -> Node {
        use serde_json::Value as J;
        let value = match v {
            J::Null => Value::Null,
            J::Bool(b) => Value::Bool(*b),
            J::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
                (Some(i), _, _) => Value::Int(i),
                (None, Some(u), _) => Value::UInt(u),
                (None, None, Some(f)) => Value::Float(f),
                _ => Value::Null,
            },
            J::String(s) => Value::Str(s.clone()),
            J::Array(a) => Value::Seq(a.iter().map(|x| Node::from_json(x, line)).collect()),
            J::Object(o) => Value::Map(
                o.iter()
                    .map(|(k, x)| Entry {
                        key: k.clone(),
                        line,
                        column: 1,
                        value: Node::from_json(x, line),
                    })
                    .collect(),
            ),
        };
        Node {
            value,
            line,
            column: 1,
        }
    }
}

/// Why a file could not be read, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// What is wrong.
    pub message: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

/// The documents of a YAML stream: every complete document read before the
/// first error, then the error if there is one. Empty documents are `None`.
pub fn parse(text: &str) -> (Vec<Option<Node>>, Option<SyntaxError>) {
    let mut b = Builder::default();
    let mut parser = Parser::new_from_str(text);
    loop {
        let (event, mark) = match parser.next_token() {
            Ok(x) => x,
            Err(e) => {
                let m = e.marker();
                let err = SyntaxError {
                    message: format!("YAML syntax error: {}", e.info()),
                    line: m.line().max(1),
                    column: m.col() + 1,
                };
                return (b.docs, Some(err));
            }
        };
        // The scanner counts columns from 0.
        let (line, column) = (mark.line().max(1), mark.col() + 1);
        if event == Event::StreamEnd {
            break;
        }
        if let Err(message) = b.event(event, line, column) {
            return (
                b.docs,
                Some(SyntaxError {
                    message,
                    line,
                    column,
                }),
            );
        }
    }
    (b.docs, None)
}

enum Frame {
    Seq {
        anchor: usize,
        node: Node,
        items: Vec<Node>,
    },
    Map {
        anchor: usize,
        node: Node,
        entries: Vec<Entry>,
        key: Option<(String, usize, usize)>,
        /// Keys already written, with their lines (a linear search would make
        /// a mapping of many keys quadratic).
        seen: HashMap<String, usize>,
    },
}

#[derive(Default)]
struct Builder {
    docs: Vec<Option<Node>>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Node, usize)>,
    nodes: usize,
    root: Option<Node>,
    in_doc: bool,
}

impl Builder {
    fn event(&mut self, event: Event, line: usize, column: usize) -> Result<(), String> {
        let at = |value| Node {
            value,
            line,
            column,
        };
        match event {
            Event::DocumentStart => {
                self.in_doc = true;
                self.root = None;
                self.anchors.clear();
            }
            Event::DocumentEnd => {
                if self.in_doc {
                    self.docs.push(self.root.take());
                }
                self.in_doc = false;
            }
            Event::Scalar(text, style, anchor, tag) => {
                // A key keeps its text as written: `on:` is the key "on", not "true".
                if let Some(Frame::Map {
                    key: key @ None,
                    seen,
                    ..
                }) = self.stack.last_mut()
                {
                    if let Some(prev) = seen.insert(text.clone(), line) {
                        return Err(format!(
                            "mapping key {text:?} already defined at line {prev}"
                        ));
                    }
                    if anchor > 0 {
                        self.anchors
                            .insert(anchor, (at(Value::Str(text.clone())), 1));
                    }
                    *key = Some((text, line, column));
                    return self.count(1);
                }
                let tag = tag.map(|t| t.suffix);
                let node = at(resolve(text, style, tag.as_deref()));
                self.count(1)?;
                self.push(node, anchor, 1)?;
            }
            Event::Alias(id) => {
                let size = match self.anchors.get(&id) {
                    Some((_, size)) => *size,
                    None => return Err("alias to an unknown anchor".to_string()),
                };
                self.count(size)?;
                let mut node = self.anchors[&id].0.clone();
                node.line = line;
                node.column = column;
                self.push(node, 0, size)?;
            }
            Event::SequenceStart(anchor, _) => {
                self.open()?;
                self.stack.push(Frame::Seq {
                    anchor,
                    node: at(Value::Null),
                    items: Vec::new(),
                });
            }
            Event::MappingStart(anchor, _) => {
                self.open()?;
                self.stack.push(Frame::Map {
                    anchor,
                    node: at(Value::Null),
                    entries: Vec::new(),
                    key: None,
                    seen: HashMap::new(),
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (anchor, node) = match self.stack.pop() {
                    Some(Frame::Seq {
                        anchor,
                        mut node,
                        items,
                    }) => {
                        node.value = Value::Seq(items);
                        (anchor, node)
                    }
                    Some(Frame::Map {
                        anchor,
                        mut node,
                        entries,
                        ..
                    }) => {
                        node.value = Value::Map(merge(entries));
                        (anchor, node)
                    }
                    None => return Err("unbalanced YAML collection".into()),
                };
                self.count(1)?;
                let size = if anchor > 0 { size_of(&node) } else { 0 };
                self.push(node, anchor, size)?;
            }
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
        }
        Ok(())
    }

    fn open(&mut self) -> Result<(), String> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(format!(
                "nested deeper than {MAX_DEPTH} levels; no Kubernetes object needs that"
            ));
        }
        Ok(())
    }

    fn count(&mut self, n: usize) -> Result<(), String> {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > MAX_NODES {
            return Err(format!(
                "the file expands to more than {MAX_NODES} values (aliases that repeat \
                 aliases?); write the values out or split the file"
            ));
        }
        Ok(())
    }

    /// Places a finished node in its parent (or as the document root).
    fn push(&mut self, node: Node, anchor: usize, size: usize) -> Result<(), String> {
        if anchor > 0 {
            self.anchors.insert(anchor, (node.clone(), size.max(1)));
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries, key, seen, ..
            }) => match key.take() {
                None => {
                    let k = match node.value {
                        Value::Str(s) => s,
                        Value::Null => "null".to_string(),
                        Value::Bool(b) => b.to_string(),
                        Value::Int(i) => i.to_string(),
                        Value::UInt(u) => u.to_string(),
                        Value::Float(f) => f.to_string(),
                        Value::Seq(_) | Value::Map(_) => {
                            return Err(
                                "a mapping key must be a string, not a list or mapping".to_string()
                            )
                        }
                    };
                    if let Some(prev) = seen.insert(k.clone(), node.line) {
                        return Err(format!("mapping key {k:?} already defined at line {prev}"));
                    }
                    *key = Some((k, node.line, node.column));
                }
                Some((k, line, column)) => entries.push(Entry {
                    key: k,
                    line,
                    column,
                    value: node,
                }),
            },
        }
        Ok(())
    }
}

/// Applies YAML merge keys (`<<: *base`): the merged entries come after the
/// written ones and never replace them.
fn merge(entries: Vec<Entry>) -> Vec<Entry> {
    if !entries.iter().any(|e| e.key == "<<") {
        return entries;
    }
    let mut out: Vec<Entry> = Vec::with_capacity(entries.len());
    let mut merged = Vec::new();
    for e in entries {
        if e.key == "<<" {
            match e.value.value {
                Value::Map(m) => merged.extend(m),
                Value::Seq(items) => {
                    for item in items {
                        if let Value::Map(m) = item.value {
                            merged.extend(m);
                        }
                    }
                }
                _ => {}
            }
        } else {
            out.push(e);
        }
    }
    let mut seen: std::collections::HashSet<String> = out.iter().map(|e| e.key.clone()).collect();
    for m in merged {
        if seen.insert(m.key.clone()) {
            out.push(m);
        }
    }
    out
}

fn size_of(node: &Node) -> usize {
    // Iterative: the tree is at most MAX_DEPTH deep, but no recursion is needed.
    let mut n = 0usize;
    let mut todo = vec![node];
    while let Some(x) = todo.pop() {
        n += 1;
        match &x.value {
            Value::Seq(items) => todo.extend(items.iter()),
            Value::Map(entries) => todo.extend(entries.iter().map(|e| &e.value)),
            _ => {}
        }
    }
    n
}

/// Resolves a scalar as sigs.k8s.io/yaml (go-yaml v2) does.
fn resolve(text: String, style: TScalarStyle, tag: Option<&str>) -> Value {
    match tag {
        Some("str") => return Value::Str(text),
        Some("null") => return Value::Null,
        _ => {}
    }
    if style != TScalarStyle::Plain {
        return Value::Str(text);
    }
    match text.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "y" | "Y" => {
            return Value::Bool(true)
        }
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "n" | "N" => {
            return Value::Bool(false)
        }
        _ => {}
    }
    if let Some(v) = resolve_int(&text) {
        return v;
    }
    if is_float(&text) {
        if let Ok(f) = text.replace('_', "").parse::<f64>() {
            if f.is_finite() {
                return Value::Float(f);
            }
        }
    }
    Value::Str(text)
}

fn resolve_int(text: &str) -> Option<Value> {
    let plain = text.replace('_', "");
    let (neg, digits) = match plain.as_bytes().first()? {
        b'-' => (true, &plain[1..]),
        b'+' => (false, &plain[1..]),
        _ => (false, &plain[..]),
    };
    if digits.is_empty() {
        return None;
    }
    let (radix, body) = if let Some(h) = digits.strip_prefix("0x") {
        (16, h)
    } else if let Some(b) = digits.strip_prefix("0b") {
        (2, b)
    } else if digits.len() > 1 && digits.starts_with('0') {
        (8, &digits[1..])
    } else {
        (10, digits)
    };
    if body.is_empty() || !body.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u64::from_str_radix(body, radix).ok();
    match (neg, magnitude) {
        (false, Some(m)) => Some(match i64::try_from(m) {
            Ok(i) => Value::Int(i),
            Err(_) => Value::UInt(m),
        }),
        (true, Some(m)) if m <= i64::MAX as u64 + 1 => {
            Some(Value::Int((m as i128).wrapping_neg() as i64))
        }
        // Too large for an integer: go-yaml reads it as a float.
        _ => digits
            .parse::<f64>()
            .ok()
            .map(|f| Value::Float(if neg { -f } else { f })),
    }
}

/// go-yaml v2's float syntax: `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`.
fn is_float(text: &str) -> bool {
    let s = text.replace('_', "");
    let s = s.strip_prefix(['-', '+']).unwrap_or(&s);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", frac)) => !frac.is_empty() && frac.bytes().all(|b| b.is_ascii_digit()),
        Some((int, frac)) => {
            !int.is_empty()
                && int.bytes().all(|b| b.is_ascii_digit())
                && frac.bytes().all(|b| b.is_ascii_digit())
        }
        None => !mantissa.is_empty() && mantissa.bytes().all(|b| b.is_ascii_digit()),
    };
    let exponent_ok = match exponent {
        None => true,
        Some(e) => {
            let e = e.strip_prefix(['-', '+']).unwrap_or(e);
            !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit())
        }
    };
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn scalar(text: &str, want: Value) {
        let (docs, err) = parse(&format!("v: {text}\n"));
        assert_eq!(err, None, "{text}");
        let root = docs[0].as_ref().unwrap();
        assert_eq!(root.get("v").unwrap().value.value, want, "{text}");
    }

    #[test]
    fn scalars_resolve_as_go_yaml_v2() {
        scalar("6", Value::Int(6));
        scalar("-6", Value::Int(-6));
        scalar("0x1F", Value::Int(31));
        scalar("0755", Value::Int(493));
        scalar("1_000", Value::Int(1000));
        scalar("0.5", Value::Float(0.5));
        scalar("1e3", Value::Float(1000.0));
        scalar("yes", Value::Bool(true));
        scalar("Off", Value::Bool(false));
        scalar("~", Value::Null);
        scalar("", Value::Null);
        scalar("\"6\"", Value::Str("6".into()));
        scalar("!!str 6", Value::Str("6".into()));
        scalar("six", Value::Str("six".into()));
        scalar("1.2.3", Value::Str("1.2.3".into()));
        scalar("99999999999999999999", Value::Float(1e20));
        scalar(".inf", Value::Str(".inf".into()));
    }

    #[test]
    fn positions_are_one_based() {
        let (docs, err) = parse("a:\n  b: [1, 2]\n---\nc: 1\n");
        assert_eq!(err, None);
        let a = docs[0].as_ref().unwrap().get("a").unwrap();
        assert_eq!((a.line, a.column), (1, 1));
        let b = a.value.get("b").unwrap();
        assert_eq!((b.line, b.column), (2, 3));
        let c = docs[1].as_ref().unwrap().get("c").unwrap();
        assert_eq!((c.line, c.column), (4, 1));
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let (_, err) = parse(&text);
        assert!(err.unwrap().message.contains("expands to more than"));
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = format!("{}{}", "[".repeat(220), "]".repeat(220));
        let (_, err) = parse(&text);
        let err = err.unwrap();
        assert!(err.message.contains("nested deeper"), "{err:?}");
        // Far deeper input stops in the scanner, which has a limit of its own.
        let (_, err) = parse(&"[".repeat(100_000));
        assert!(err.is_some());
        let block: String = (0..1000)
            .map(|i| format!("{}k:\n", " ".repeat(i)))
            .collect();
        let (_, err) = parse(&block);
        assert!(err.unwrap().message.contains("nested deeper"));
    }

    #[test]
    fn duplicate_keys_are_refused() {
        let (_, err) = parse("a: 1\nb: 2\na: 3\n");
        let err = err.unwrap();
        assert!(err.message.contains("already defined at line 1"), "{err:?}");
    }

    #[test]
    fn merge_keys_fill_missing_entries() {
        let (docs, _) = parse("base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n");
        let m = &docs[0].as_ref().unwrap().get("m").unwrap().value;
        assert_eq!(m.to_json(), serde_json::json!({"y": 3, "x": 1}),);
    }
}
