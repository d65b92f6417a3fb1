//! The fast path of YAML loading: `Node` trees built straight from the events of
//! granit-parser (the parser serde-saphyr runs on), without serde's visitor machinery.
//!
//! It owns the everyday shape of Kubernetes manifests — block and flow mappings and
//! sequences, plain, quoted and block scalars — and resolves plain scalars exactly as the
//! serde-saphyr path configured in `load.rs` does (YAML 1.2 booleans, `0755` as octal,
//! `0x`/`0o`/`0b` integers, `_` separators, floats). Anything rarer or wrong is not decided
//! here: on anchors, aliases, tags, `<<` merge keys, `%YAML` directives, non-scalar or
//! duplicate keys, non-finite floats, any budget serde-saphyr would enforce and any syntax
//! error, [`build_documents`] returns `None` and the caller parses with serde-saphyr, so
//! results and error messages stay the same as before.

use std::borrow::Cow;
use std::path::Path;
use std::sync::Arc;

use serde_saphyr::granit_parser::{Event, Options, Parser, ScalarStyle, Span};

use super::load::DuplicateKeys;
use super::load::{MAX_EVENTS, MAX_NODES};
use super::node::{Node, Origin, Value};

/// serde-saphyr's default depth and scalar budgets; reaching one (or a budget of
/// `load.rs`) hands the input to serde-saphyr, which reports the breach.
const MAX_DEPTH: usize = 64;
const MAX_SCALAR_BYTES: usize = 64 * 1024 * 1024;

/// Maps up to this size are checked for duplicate keys pairwise, larger ones by sorting.
const PAIRWISE_KEY_CHECK: usize = 16;

/// The non-null documents of `text` with origins in `file`, or `None` when the input needs
/// serde-saphyr (see the module documentation). With [`DuplicateKeys::LastWins`] a
/// repeated key keeps its last value, at the place of its last occurrence.
pub fn build_documents(
    file: &Arc<Path>,
    text: &str,
    duplicates: DuplicateKeys,
) -> Option<Vec<Node>> {
    let mut builder = Builder {
        file,
        stack: Vec::new(),
        items: Vec::new(),
        entries: Vec::new(),
        documents: Vec::new(),
    };
    let (mut events, mut nodes, mut scalar_bytes) = (0, 0, 0);
    // kube-rs turns on granit-parser's `comments` feature (feature unification): comments
    // are presentation, not data, so their events stay off.
    let mut options = Options::default();
    options.set_emit_comments(false);
    for item in Parser::new_from_str_with_options(text, options) {
        let (event, span) = item.ok()?;
        events += 1;
        match event {
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => {}
            Event::DocumentStart(_, None) => {}
            Event::Scalar(text, style, 0, None) => {
                nodes += 1;
                scalar_bytes += text.len();
                let value = match style {
                    ScalarStyle::Plain => resolve_plain(text)?,
                    _ => Value::String(text.into_owned()),
                };
                let origin = builder.origin(&span);
                builder.complete(Node::new(value, origin))?;
            }
            Event::SequenceStart(_, 0, None) | Event::MappingStart(_, 0, None) => {
                nodes += 1;
                let origin = builder.origin(&span);
                builder.stack.push(match event {
                    Event::SequenceStart(..) => Open::Seq(builder.items.len(), origin),
                    _ => Open::Map(builder.entries.len(), None, origin),
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let node = match builder.stack.pop()? {
                    Open::Seq(start, origin) => {
                        Node::new(Value::Seq(builder.items.drain(start..).collect()), origin)
                    }
                    Open::Map(start, None, origin) => {
                        let mut entries: Vec<(String, Node)> =
                            builder.entries.drain(start..).collect();
                        if has_duplicate_keys(&entries) {
                            if duplicates == DuplicateKeys::Refuse {
                                return None;
                            }
                            keep_last_of_each_key(&mut entries);
                        }
                        Node::new(Value::Map(entries), origin)
                    }
                    Open::Map(..) => return None,
                };
                builder.complete(node)?;
            }
            _ => return None,
        }
        let over_budget = events > MAX_EVENTS
            || nodes > MAX_NODES
            || builder.stack.len() > MAX_DEPTH
            || scalar_bytes > MAX_SCALAR_BYTES;
        if over_budget {
            return None;
        }
    }
    Some(builder.documents)
}

/// A collection whose end event has not come yet, with where its children start in the
/// builder's `items` or `entries`.
enum Open {
    Seq(usize, Origin),
    /// The key waiting for its value, and where the key is, if any.
    Map(usize, Option<(String, Origin)>, Origin),
}

/// Children of all open collections wait on two shared stacks, so each finished collection
/// is one allocation of its exact size (as serde-saphyr's path left them), not a growing
/// vector with up to twice the room.
struct Builder<'a> {
    file: &'a Arc<Path>,
    stack: Vec<Open>,
    items: Vec<Node>,
    entries: Vec<(String, Node)>,
    documents: Vec<Node>,
}

impl Builder<'_> {
    /// Where a node starts: serde-saphyr's 1-based line and column of the event's span.
    fn origin(&self, span: &Span) -> Origin {
        Origin::new(
            self.file.clone(),
            span.start.line() as u32,
            span.start.col() as u32 + 1,
        )
    }

    /// Places a finished node into its parent, or ends a document with it. `None` for a
    /// key serde-saphyr must judge (a collection, or `<<`).
    fn complete(&mut self, node: Node) -> Option<()> {
        match self.stack.last_mut() {
            None if node.is_null() => {}
            None => self.documents.push(node),
            Some(Open::Seq(..)) => self.items.push(node),
            Some(Open::Map(_, pending, _)) => match pending.take() {
                Some((key, key_origin)) => {
                    self.entries.push((key, at_key(node, key_origin)));
                }
                None => {
                    let origin = node.origin;
                    let key = node.value.into_key()?;
                    if key == "<<" {
                        return None;
                    }
                    *pending = Some((key, origin));
                }
            },
        }
        Some(())
    }
}

/// A mapping entry's value as a finding should point at it: a block collection at its key
/// (the line a person edits to add or remove a field, where its first child's line would
/// be another field), a scalar or a flow collection (on its key's line) at itself.
fn at_key(mut value: Node, key_origin: Origin) -> Node {
    let block = matches!(value.value, Value::Map(_) | Value::Seq(_))
        && value.origin.line != key_origin.line;
    if block {
        value.origin = key_origin;
    }
    value
}

/// Drops every entry whose key comes again later in `entries`.
pub(super) fn keep_last_of_each_key<T>(entries: &mut Vec<(String, T)>) {
    let mut seen = std::collections::HashSet::new();
    let mut kept: Vec<(String, T)> = entries
        .drain(..)
        .rev()
        .filter(|(key, _)| seen.insert(key.clone()))
        .collect();
    kept.reverse();
    *entries = kept;
}

pub(super) fn has_duplicate_keys<T>(entries: &[(String, T)]) -> bool {
    if entries.len() <= PAIRWISE_KEY_CHECK {
        return entries
            .iter()
            .enumerate()
            .any(|(i, (key, _))| entries[..i].iter().any(|(k, _)| k == key));
    }
    let mut keys: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
    keys.sort_unstable();
    keys.windows(2).any(|pair| pair[0] == pair[1])
}

/// An untagged plain scalar under serde-saphyr's rules with `strict_booleans` and
/// `legacy_octal_numbers`: null, bool, integer, finite float, else the text. `None` for a
/// non-finite float, which serde-saphyr refuses.
fn resolve_plain(text: Cow<'_, str>) -> Option<Value> {
    if matches!(&*text, "" | "~" | "null" | "Null" | "NULL") {
        return Some(Value::Null);
    }
    let t = text.trim_matches(|c| matches!(c, ' ' | '\t' | '\r' | '\n'));
    match t {
        "true" | "True" | "TRUE" => return Some(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Value::Bool(false)),
        _ => {}
    }
    let may_be_number = t
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.'));
    if may_be_number {
        if let Some(number) = parse_int(t) {
            return Some(Value::Number(number));
        }
        if let Some(float) = parse_float(t) {
            return serde_json::Number::from_f64(float).map(Value::Number);
        }
    }
    Some(Value::String(text.into_owned()))
}

/// Integers: optional sign, `0x`/`0o`/`0b` prefixes, a leading `0` for octal, single `_`
/// between digits; negatives as i64, others as u64.
fn parse_int(t: &str) -> Option<serde_json::Number> {
    let (negative, rest) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let prefixed = |prefix: [&str; 2]| {
        rest.strip_prefix(prefix[0])
            .or_else(|| rest.strip_prefix(prefix[1]))
    };
    let (radix, digits) = if let Some(d) = prefixed(["0x", "0X"]) {
        (16, d)
    } else if let Some(d) = prefixed(["0o", "0O"]) {
        (8, d)
    } else if let Some(d) = prefixed(["0b", "0B"]) {
        (2, d)
    } else if rest == "0" {
        (8, rest)
    } else if let Some(d) = rest.strip_prefix('0') {
        (8, d)
    } else {
        (10, rest)
    };
    let digits = match radix {
        10 => digits,
        _ => digits.strip_prefix('_').unwrap_or(digits),
    };
    let magnitude = parse_digits(digits, radix)?;
    if negative {
        let value = i64::try_from(-i128::try_from(magnitude).ok()?).ok()?;
        Some(value.into())
    } else {
        Some(u64::try_from(magnitude).ok()?.into())
    }
}

/// Digits in `radix` with single `_` separators between them.
fn parse_digits(digits: &str, radix: u32) -> Option<u128> {
    let bytes = digits.as_bytes();
    let mut value: u128 = 0;
    let mut seen = false;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'_' {
            let separated =
                i > 0 && bytes[i - 1] != b'_' && bytes.get(i + 1).is_some_and(|&n| n != b'_');
            if !separated {
                return None;
            }
            continue;
        }
        let digit = (b as char).to_digit(radix)?;
        value = value.checked_mul(radix.into())?.checked_add(digit.into())?;
        seen = true;
    }
    seen.then_some(value)
}

/// A float: YAML's `.inf`/`.nan` spellings, or Rust's syntax where the result is finite or
/// the text starts with a digit (`1e999`). Non-finite results make the caller give up, as
/// serde-saphyr refuses them; `inf` or `nan` without the dot stay text.
fn parse_float(t: &str) -> Option<f64> {
    let unsigned = t.strip_prefix(['+', '-']).unwrap_or(t);
    if matches!(
        unsigned,
        ".nan" | ".NaN" | ".NAN" | ".inf" | ".Inf" | ".INF"
    ) {
        return Some(f64::NAN);
    }
    let value = t.parse::<f64>().ok()?;
    let overflow = unsigned.bytes().next().is_some_and(|b| b.is_ascii_digit());
    (value.is_finite() || overflow).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::load::parse_with_serde;

    fn file() -> Arc<Path> {
        Arc::from(Path::new("m.yaml"))
    }

    /// Values and origins of every node are the same.
    fn same(a: &Node, b: &Node) -> bool {
        let children = match (&a.value, &b.value) {
            (Value::Seq(x), Value::Seq(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y))
            }
            (Value::Map(x), Value::Map(y)) => {
                x.len() == y.len()
                    && x.iter()
                        .zip(y)
                        .all(|((kx, x), (ky, y))| kx == ky && same(x, y))
            }
            (x, y) => x == y,
        };
        children && a.origin == b.origin
    }

    /// The fast path either gives up or builds exactly what serde-saphyr builds.
    fn agrees(text: &str) -> bool {
        let fast = build_documents(&file(), text, DuplicateKeys::Refuse);
        let serde = parse_with_serde(&file(), text, DuplicateKeys::Refuse);
        match (&fast, &serde) {
            (None, _) => false,
            (Some(fast), Ok(serde)) => {
                assert!(
                    fast.len() == serde.len() && fast.iter().zip(serde).all(|(a, b)| same(a, b)),
                    "{text:?}: fast {fast:#?} serde {serde:#?}"
                );
                true
            }
            (Some(fast), Err(e)) => panic!("{text:?}: fast {fast:?}, serde refuses: {e}"),
        }
    }

    #[test]
    fn scalars_resolve_as_serde_saphyr_resolves_them() {
        let plain = [
            "",
            "~",
            "null",
            "Null",
            "NULL",
            "nULL",
            "true",
            "True",
            "TRUE",
            "tRUE",
            "false",
            "False",
            "yes",
            "no",
            "on",
            "off",
            "y",
            "n",
            "0",
            "-0",
            "+0",
            "7",
            "+7",
            "-7",
            "0755",
            "-0755",
            "08",
            "0_7",
            "0x1F",
            "0X1f",
            "-0x10",
            "0x_1F",
            "0o17",
            "0O17",
            "0b101",
            "0b2",
            "1_000",
            "1__000",
            "_1",
            "1_",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775808",
            "-9223372036854775809",
            "340282366920938463463374607431768211456",
            "1.5",
            "-1.5",
            "+1.5",
            ".5",
            "5.",
            "1e3",
            "1E-3",
            "1.0",
            "1.50",
            "1_0.5",
            "inf",
            "nan",
            "NaN",
            "infinity",
            "Infinity",
            "e3",
            ".",
            "-",
            "+",
            "1.2.3",
            "1:2",
            "10m",
            "100Mi",
            "1.5Gi",
            "v1",
            "3.14abc",
            "0.0.0.0",
            "2024-01-01",
            "12:30",
            "0x",
            "0o",
            "0b",
            "--1",
            "+-1",
            "-+1",
            "é",
        ];
        for scalar in plain {
            for text in [
                format!("v: {scalar}\n"),
                format!("- {scalar}\n"),
                format!("{scalar}: v\n"),
                format!("k: [{scalar}]\n"),
            ] {
                // A lone `-` value is a syntax error for granit-parser.
                assert!(agrees(&text) || scalar == "-", "{text:?}");
            }
        }
        for quoted in [
            "'1'",
            "\"true\"",
            "'~'",
            "\"\"",
            "'null'",
            "\"0755\"",
            "\"a\\tb\"",
        ] {
            assert!(agrees(&format!("v: {quoted}\n{quoted}: v\n")), "{quoted}");
        }
        assert!(agrees(
            "a: |\n  x\n  y\nb: >-\n  folded\n  text\nc: |+\n  keep\n\n"
        ));
    }

    #[test]
    fn documents_and_positions_match() {
        for text in [
            "",
            "# only a comment\n",
            "---\n",
            "--- ~\n---\nnull\n---\na: 1\n...\n---\n- x\n",
            "scalar\n",
            "a: 1\n---\n# comment only\n---\nkind: Pod\nspec:\n  containers:\n    - name: x\n",
            "a:\n  b:\n    - c: {d: [1, 2, {e: f}]}\n      g: h\n    -\n    - - nested\n",
            "  indented: 1\n  second: [a,\n    b]\n",
            "a: \"multi\n  line\"\nb: 'it''s'\n",
            "? a\n: b\n",
            "{a: 1, b: [x, y]}\n",
            "[]\n",
            "x: {}\ny: []\nz:\n",
            ": empty key\n",
            "k: v # trailing comment\n# between\nl: w\n",
            "\u{feff}a: 1\n",
            "a: 1\r\nb: 2\r\n",
            "tab:\tvalue\n",
        ] {
            assert!(agrees(text), "{text:?}");
        }
    }

    #[test]
    fn rare_or_wrong_input_is_left_to_serde_saphyr() {
        for text in [
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            "a: !custom x\n",
            "base: &b {x: 1}\nm:\n  <<: *b\n  y: 2\n",
            "<<: {a: 1}\n",
            "%YAML 1.2\n---\na: 1\n",
            "a: 1\na: 2\n",
            "1: a\n\"1\": b\n",
            "? [a]\n: b\n",
            "? {a: 1}\n: b\n",
            "a: .inf\n",
            "a: -.INF\n",
            "a: .nan\n",
            "a: 1e999\n",
            "a: [1\n",
            "a: b: c\n",
            "- a\nb: c\n",
        ] {
            assert!(
                build_documents(&file(), text, DuplicateKeys::Refuse).is_none(),
                "{text:?}"
            );
        }
        let many_keys: String = (0..40).map(|i| format!("k{}: v\n", i % 39)).collect();
        assert!(build_documents(&file(), &many_keys, DuplicateKeys::Refuse).is_none());
    }

    #[test]
    fn budgets_are_left_to_serde_saphyr() {
        let deep = |depth: usize| "[".repeat(depth) + &"]".repeat(depth) + "\n";
        // serde-saphyr recurses per level: more stack than a debug test thread has.
        std::thread::Builder::new()
            .stack_size(64 << 20)
            .spawn(move || {
                assert!(agrees(&deep(64)));
                assert!(build_documents(&file(), &deep(65), DuplicateKeys::Refuse).is_none());
                assert!(parse_with_serde(&file(), &deep(65), DuplicateKeys::Refuse).is_err());
            })
            .unwrap()
            .join()
            .unwrap();
        // The number of documents is not limited: `kustomize build` output is one big file.
        let documents = |n: usize| "---\na: 1\n".repeat(n);
        assert!(agrees(&documents(10_000)));
        assert_eq!(
            build_documents(&file(), &documents(10_000), DuplicateKeys::Refuse)
                .unwrap()
                .len(),
            10_000
        );
        // An alias bomb (ten aliases a level, seven levels) goes over the node budget.
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for level in 1..8 {
            let aliases = vec![format!("*a{}", level - 1); 10].join(", ");
            bomb.push_str(&format!("a{level}: &a{level} [{aliases}]\n"));
        }
        assert!(build_documents(&file(), &bomb, DuplicateKeys::Refuse).is_none());
        let error = parse_with_serde(&file(), &bomb, DuplicateKeys::Refuse).unwrap_err();
        assert!(error.message.contains("alias bombs"), "{}", error.message);
        assert!(!error.message.contains("breach"), "{}", error.message);
    }

    #[test]
    fn repository_yaml_reads_the_same() {
        // The fuzz corpus nests as deep as the loader allows: serde-saphyr needs the stack.
        let checked = std::thread::Builder::new()
            .stack_size(64 << 20)
            .spawn(|| {
                let root = Path::new(env!("CARGO_MANIFEST_DIR"));
                let mut checked = 0;
                for entry in ignore::Walk::new(root).flatten() {
                    let path = entry.path();
                    let yaml = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
                    let Ok(text) = std::fs::read_to_string(path) else {
                        continue;
                    };
                    if yaml && agrees(&text) {
                        checked += 1;
                    }
                }
                checked
            })
            .unwrap()
            .join()
            .unwrap();
        assert!(checked > 20, "only {checked} files read by the fast path");
    }
}
