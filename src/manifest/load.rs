//! Reading YAML manifests into `Node` documents, with the file, line and column of every
//! value, under Kubernetes' reading of scalars (YAML 1.2 booleans, `0755` as octal).
//!
//! Bad input is an error that names the file and line: binary or non-UTF-8 content, invalid
//! YAML, duplicate keys, alias bombs (serde-saphyr's budgets), files over the size cap.
//!
//! serde-saphyr, configured here, defines the reading. Most files are built by the faster
//! event-driven path in `events.rs`, which reads them identically and hands serde-saphyr
//! everything else (anchors, aliases, `<<`, tags, budgets, errors).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use super::events::{build_documents, has_duplicate_keys, keep_last_of_each_key};
use super::node::{Node, Origin, Value};

/// Largest manifest file read, to keep a stray binary or log from exhausting memory.
pub const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;

/// The most YAML events and nodes (aliases expanded) one file may produce: budgets against
/// alias bombs, far above what an honest file under `MAX_FILE_BYTES` holds (a 10,000-document
/// file of Deployments is about 600,000 nodes). The number of documents is not limited.
pub const MAX_EVENTS: usize = 8_000_000;
pub const MAX_NODES: usize = 4_000_000;

/// A file that could not be read as YAML; `line` and `column` are 1-based (0 if unknown).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}:{line}:{column}: {message}", file.display())]
pub struct LoadError {
    pub file: PathBuf,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

/// What a mapping that repeats a key means.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum DuplicateKeys {
    /// An error naming the second one: manifests (kubectl refuses them too).
    #[default]
    Refuse,
    /// The last one wins: kustomization files, which kustomize reads into Go maps.
    LastWins,
}

/// Reads `path` and parses every YAML document in it. Empty documents are skipped.
pub fn load_file(path: &Path) -> Result<Vec<Node>, LoadError> {
    load_file_with(path, DuplicateKeys::Refuse)
}

/// [`load_file`] with a choice of what repeated keys mean.
pub fn load_file_with(path: &Path, duplicates: DuplicateKeys) -> Result<Vec<Node>, LoadError> {
    let fail = |message: String| LoadError {
        file: path.to_path_buf(),
        line: 0,
        column: 0,
        message,
    };
    let bytes = read_capped(path).map_err(fail)?;
    parse_documents_with(path, &bytes, duplicates)
}

/// The bytes of the manifest file `path`, refusing what is not a regular file (opening a
/// FIFO blocks until a writer comes; a device may never end) and files larger than any
/// manifest.
pub fn read_capped(path: &Path) -> Result<Vec<u8>, String> {
    let metadata = std::fs::metadata(path).map_err(|e| format!("cannot read: {e}"))?;
    if !metadata.is_file() {
        return Err("not a regular file: not read".to_string());
    }
    if metadata.len() > MAX_FILE_BYTES as u64 {
        return Err(format!(
            "file is {} bytes; manifests larger than {MAX_FILE_BYTES} bytes are not read",
            metadata.len()
        ));
    }
    std::fs::read(path).map_err(|e| format!("cannot read: {e}"))
}

/// Parses YAML `bytes` (named `path` in origins and messages) into documents: by the
/// event-driven path when it takes the input, else by serde-saphyr, which words every error.
pub fn parse_documents(path: &Path, bytes: &[u8]) -> Result<Vec<Node>, LoadError> {
    parse_documents_with(path, bytes, DuplicateKeys::Refuse)
}

/// [`parse_documents`] with a choice of what repeated keys mean.
pub fn parse_documents_with(
    path: &Path,
    bytes: &[u8],
    duplicates: DuplicateKeys,
) -> Result<Vec<Node>, LoadError> {
    let text = text_of(bytes).map_err(|(line, column, message)| LoadError {
        file: path.to_path_buf(),
        line,
        column,
        message: message.to_string(),
    })?;
    let file: Arc<Path> = Arc::from(path);
    match build_documents(&file, text, duplicates) {
        Some(documents) => Ok(documents),
        None => parse_with_serde(&file, text, duplicates),
    }
}

/// The serde-saphyr reading of `text`: duplicate keys as `duplicates` says, YAML 1.2
/// booleans, `0755` as octal, serde-saphyr's budgets against alias bombs and deep nesting.
pub(super) fn parse_with_serde(
    file: &Arc<Path>,
    text: &str,
    duplicates: DuplicateKeys,
) -> Result<Vec<Node>, LoadError> {
    let options = serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_documents: usize::MAX,
            max_events: MAX_EVENTS,
            max_nodes: MAX_NODES,
        },
        duplicate_keys: match duplicates {
            DuplicateKeys::Refuse => serde_saphyr::DuplicateKeyPolicy::Error,
            DuplicateKeys::LastWins => serde_saphyr::DuplicateKeyPolicy::LastWins,
        },
        legacy_octal_numbers: true,
        strict_booleans: true,
        with_snippet: false,
    };
    let documents: Vec<Raw> =
        serde_saphyr::from_multiple_with_options(text, options).map_err(|e| {
            let (line, column) = e
                .location()
                .map_or((0, 0), |l| (l.line() as u32, l.column() as u32));
            LoadError {
                file: file.to_path_buf(),
                line,
                column,
                message: yaml_message(&e),
            }
        })?;
    Ok(documents
        .into_iter()
        .filter(|raw| !matches!(raw.value, RawValue::Scalar(Value::Null)))
        .map(|raw| raw.into_node(file))
        .collect())
}

/// The UTF-8 text of `bytes`, or the 1-based line and column of why it is not text.
pub fn text_of(bytes: &[u8]) -> Result<&str, (u32, u32, &'static str)> {
    if let Some(offset) = bytes.iter().position(|&b| b == 0) {
        let (line, column) = line_column(&bytes[..offset]);
        return Err((
            line,
            column,
            "file contains NUL bytes; it is binary, not YAML",
        ));
    }
    std::str::from_utf8(bytes).map_err(|e| {
        let (line, column) = line_column(&bytes[..e.valid_up_to()]);
        (line, column, "file is not valid UTF-8")
    })
}

fn line_column(before: &[u8]) -> (u32, u32) {
    let line = before.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
    let column = before.iter().rev().take_while(|&&b| b != b'\n').count() as u32 + 1;
    (line, column)
}

/// serde-saphyr's message without its own location suffix (callers print theirs in front),
/// with library-facing wording turned into advice for the person editing the file.
pub fn yaml_message(error: &serde_saphyr::Error) -> String {
    let mut original = error;
    while let serde_saphyr::Error::AliasError { error, .. }
    | serde_saphyr::Error::WithSnippet { error, .. } = original
    {
        original = error;
    }
    if let serde_saphyr::Error::Budget { breach, .. } = original {
        return budget_message(breach);
    }
    let rendered = error.without_snippet().to_string();
    let first_line = rendered.lines().next().unwrap_or("invalid YAML").trim();
    let message = match first_line.rfind(" at line ") {
        Some(index) => &first_line[..index],
        None => first_line,
    };
    if let Some(key) = message.strip_prefix("duplicate mapping key: ") {
        let key = key.split(',').next().unwrap_or(key);
        return format!("duplicate key `{key}`: each key may appear once in a mapping");
    }
    match message {
        "invalid u32" | "invalid u16" | "invalid u64" => {
            format!("expected a whole number ({message}), not text")
        }
        "invalid bool" => "expected true or false".to_string(),
        other => other.to_string(),
    }
}

/// A budget breach in plain words: the limit, and what to do about it.
fn budget_message(breach: &serde_saphyr::budget::BudgetBreach) -> String {
    use serde_saphyr::budget::BudgetBreach;
    const HOSTILE: &str = "a limit against YAML that expands without end (alias bombs)";
    match breach {
        BudgetBreach::Depth { depth } => format!(
            "the file nests deeper than 64 levels (reached {depth}), a limit against hostile YAML"
        ),
        BudgetBreach::Events { .. } | BudgetBreach::Nodes { .. } => format!(
            "the file goes over {MAX_NODES} YAML nodes or {MAX_EVENTS} events, {HOSTILE}; an honest file this large can be split into several files"
        ),
        _ => format!("the file's aliases (`*name`) expand past what meshwright reads, {HOSTILE}"),
    }
}

/// A parsed value with its position, before the file is attached.
struct Raw {
    value: RawValue,
    line: u32,
    column: u32,
}

enum RawValue {
    /// Null, a bool, a number or a string.
    Scalar(Value),
    Seq(Vec<Raw>),
    Map(Vec<(String, Raw)>),
}

impl Raw {
    fn into_node(self, file: &Arc<Path>) -> Node {
        let value = match self.value {
            RawValue::Scalar(value) => value,
            RawValue::Seq(items) => {
                Value::Seq(items.into_iter().map(|i| i.into_node(file)).collect())
            }
            RawValue::Map(entries) => Value::Map(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, v.into_node(file)))
                    .collect(),
            ),
        };
        Node::new(value, Origin::new(file.clone(), self.line, self.column))
    }
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = serde_saphyr::Spanned::<RawValue>::deserialize(deserializer)?;
        Ok(Raw {
            value: spanned.value,
            line: spanned.referenced.line() as u32,
            column: spanned.referenced.column() as u32,
        })
    }
}

impl<'de> Deserialize<'de> for RawValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = RawValue;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<RawValue, E> {
        Ok(RawValue::Scalar(Value::Null))
    }
    fn visit_none<E>(self) -> Result<RawValue, E> {
        Ok(RawValue::Scalar(Value::Null))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<RawValue, D::Error> {
        RawValue::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<RawValue, E> {
        Ok(RawValue::Scalar(Value::Bool(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<RawValue, E> {
        Ok(RawValue::Scalar(Value::Number(v.into())))
    }
    fn visit_u64<E>(self, v: u64) -> Result<RawValue, E> {
        Ok(RawValue::Scalar(Value::Number(v.into())))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<RawValue, E> {
        serde_json::Number::from_f64(v)
            .map(|n| RawValue::Scalar(Value::Number(n)))
            .ok_or_else(|| E::custom("infinite or NaN numbers are not valid in manifests"))
    }
    fn visit_str<E>(self, v: &str) -> Result<RawValue, E> {
        Ok(RawValue::Scalar(Value::String(v.to_string())))
    }
    fn visit_string<E>(self, v: String) -> Result<RawValue, E> {
        Ok(RawValue::Scalar(Value::String(v)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawValue, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Raw>()? {
            items.push(item);
        }
        Ok(RawValue::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawValue, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Raw>()? {
            let (line, column) = (key.line, key.column);
            let key = match key.value {
                RawValue::Scalar(value) => value.into_key(),
                RawValue::Seq(_) | RawValue::Map(_) => None,
            }
            .ok_or_else(|| {
                serde::de::Error::custom("mapping keys must be scalars in Kubernetes manifests")
            })?;
            let mut value = map.next_value::<Raw>()?;
            // As `events::at_key`: a block collection is where its key is.
            if matches!(value.value, RawValue::Seq(_) | RawValue::Map(_)) && value.line != line {
                (value.line, value.column) = (line, column);
            }
            entries.push((key, value));
        }
        // serde-saphyr forwards repeated keys only under `DuplicateKeys::LastWins`.
        if has_duplicate_keys(&entries) {
            keep_last_of_each_key(&mut entries);
        }
        Ok(RawValue::Map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(text: &str) -> Result<Vec<Node>, LoadError> {
        parse_documents(Path::new("m.yaml"), text.as_bytes())
    }

    #[test]
    fn values_carry_their_lines_and_columns() {
        let docs = parse(
            "a: 1\n---\n# comment only\n---\nkind: Pod\nspec:\n  containers:\n    - name: x\n",
        )
        .unwrap();
        assert_eq!(docs.len(), 2, "the empty middle document is skipped");
        let name = docs[1]
            .at(&["spec", "containers"])
            .unwrap()
            .as_seq()
            .unwrap()[0]
            .get("name")
            .unwrap();
        assert_eq!((name.origin.line, name.origin.column), (8, 13));
        assert_eq!(name.origin.to_string(), "m.yaml:8:13");
    }

    #[test]
    fn scalars_read_as_kubernetes_reads_them() {
        let docs =
            parse("mode: 0755\nyes: on\nt: true\nv: \"1.0\"\nf: 1.5\nn: ~\n80: x\n").unwrap();
        let json = docs[0].to_json();
        assert_eq!(json["mode"], 493);
        assert_eq!(json["yes"], "on");
        assert_eq!(json["t"], true);
        assert_eq!(json["v"], "1.0");
        assert_eq!(json["f"], 1.5);
        assert!(json["n"].is_null());
        assert_eq!(json["80"], "x");
    }

    #[test]
    fn bad_input_names_the_line() {
        let error = parse("a: 1\na: 2\n").unwrap_err();
        assert_eq!(error.line, 2);
        assert!(error.message.contains("duplicate key `a`"), "{error}");
        let error = parse("a:\n  - [1\n").unwrap_err();
        assert!(error.line >= 2, "{error}");
        let error = parse_documents(Path::new("b.yaml"), b"a: 1\nb: \x00\n").unwrap_err();
        assert_eq!((error.line, error.column), (2, 4));
        assert!(error.message.contains("binary"));
        let error = parse_documents(Path::new("b.yaml"), b"a: \xff\n").unwrap_err();
        assert!(error.message.contains("UTF-8"));
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for level in 0..12 {
            let prev = if level == 0 {
                "a".to_string()
            } else {
                format!("l{}", level - 1)
            };
            bomb.push_str(&format!("l{level}: &l{level} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        assert!(parse(&bomb).is_err());
    }

    #[test]
    fn scalar_resolution_table() {
        let table: &[(&str, serde_json::Value)] = &[
            ("~", json!(null)),
            ("null", json!(null)),
            ("", json!(null)),
            ("true", json!(true)),
            ("False", json!(false)),
            ("yes", json!("yes")),
            ("off", json!("off")),
            ("y", json!("y")),
            ("42", json!(42)),
            ("-42", json!(-42)),
            ("+42", json!(42)),
            ("0755", json!(493)),
            ("08", json!(8.0)),
            ("0x1F", json!(31)),
            ("0o17", json!(15)),
            ("1_000", json!(1000)),
            ("1.5", json!(1.5)),
            ("1e3", json!(1000.0)),
            (".5", json!(0.5)),
            ("inf", json!("inf")),
            ("100Mi", json!("100Mi")),
            ("1.2.3", json!("1.2.3")),
            ("\"1.0\"", json!("1.0")),
            ("'true'", json!("true")),
            ("\"\"", json!("")),
            ("'~'", json!("~")),
            ("!!str 0755", json!("0755")),
            ("!!int \"12\"", json!(12)),
            ("!!float 1", json!(1.0)),
        ];
        for (scalar, expected) in table {
            let docs = parse(&format!("v: {scalar}\n")).unwrap();
            assert_eq!(&docs[0].to_json()["v"], expected, "{scalar}");
        }
        for refused in [".inf", "-.Inf", ".nan", "1e999"] {
            let error = parse(&format!("v: {refused}\n")).unwrap_err();
            assert_eq!((error.line, error.column), (1, 4), "{refused}: {error}");
        }
        let keys = parse("0755: a\n1.50: b\n~: c\ntrue: d\n").unwrap();
        let keys: Vec<&str> = keys[0]
            .as_map()
            .unwrap()
            .iter()
            .map(|(k, _)| k.as_str())
            .collect();
        assert_eq!(keys, ["493", "1.5", "null", "true"]);
    }

    #[test]
    fn duplicate_keys_name_the_second_one() {
        let error = parse("a:\n  b: 1\n  c: 2\n  b: 3\n").unwrap_err();
        assert_eq!((error.line, error.column), (4, 3), "{error}");
        assert!(error.message.contains("duplicate key `b`"), "{error}");
    }

    #[test]
    fn with_last_wins_a_repeated_key_keeps_its_last_value_on_both_paths() {
        // The anchor sends the second text down serde-saphyr's path.
        for text in [
            "a: 1\nb:\n  c: x\n  c: y\na: 2\n",
            "a: 1\nb: &n\n  c: x\n  c: y\na: 2\n",
        ] {
            let docs = parse_documents_with(
                Path::new("k.yaml"),
                text.as_bytes(),
                DuplicateKeys::LastWins,
            )
            .unwrap();
            assert_eq!(
                docs[0].to_json(),
                json!({"b": {"c": "y"}, "a": 2}),
                "{text}"
            );
        }
    }

    #[test]
    fn aliases_and_merge_keys_expand_at_the_reference() {
        let docs = parse("a: &a\n  k: v\nb: *a\n").unwrap();
        let copied = docs[0].at(&["b", "k"]).unwrap();
        assert_eq!(
            (copied.as_str(), copied.origin.line, copied.origin.column),
            (Some("v"), 3, 4)
        );
        // Explicit keys first, then merged ones not already present; earlier sources win.
        let docs = parse("base: &b {x: 1, y: 0}\nm:\n  <<: [*b, {x: 5, z: 6}]\n  y: 2\n").unwrap();
        assert_eq!(docs[0].to_json()["m"], json!({"y": 2, "x": 1, "z": 6}));
        let keys: Vec<&str> = docs[0]
            .get("m")
            .unwrap()
            .as_map()
            .unwrap()
            .iter()
            .map(|(k, _)| k.as_str())
            .collect();
        assert_eq!(keys, ["y", "x", "z"]);
        let merged = docs[0].at(&["m", "x"]).unwrap();
        assert_eq!((merged.origin.line, merged.origin.column), (3, 8));
        assert_eq!(
            parse("'<<': {a: 1}\n").unwrap()[0].to_json(),
            json!({"<<": {"a": 1}})
        );
    }

    #[test]
    fn nesting_deeper_than_64_is_refused() {
        let deep = |depth: usize| "[".repeat(depth) + &"]".repeat(depth) + "\n";
        assert!(parse(&deep(64)).is_ok());
        // serde-saphyr, which words this error, recurses per level: give it stack.
        let error = std::thread::Builder::new()
            .stack_size(64 << 20)
            .spawn(move || parse(&deep(65)).unwrap_err())
            .unwrap()
            .join()
            .unwrap();
        assert_eq!((error.line, error.column), (1, 65), "{error}");
        assert!(error.message.contains("deeper than 64 levels"), "{error}");
    }
}
