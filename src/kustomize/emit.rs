//! Printing objects as YAML the way `kubectl kustomize` prints them: documents separated by
//! `---`, mapping keys sorted, sequences not indented under their key, and strings quoted
//! only when YAML would read them as something else (go-yaml's style).

use std::fmt::Write;

use crate::manifest::{Node, Value};

/// All objects as one multi-document YAML stream.
pub fn to_yaml(objects: &[Node]) -> String {
    let mut out = String::new();
    for (index, object) in objects.iter().enumerate() {
        if index > 0 {
            out.push_str("---\n");
        }
        emit_block(&mut out, object, 0);
    }
    out
}

/// A node in block context at `indent`, starting on a fresh line.
fn emit_block(out: &mut String, node: &Node, indent: usize) {
    match &node.value {
        Value::Map(entries) if !entries.is_empty() => {
            let mut sorted: Vec<&(String, Node)> = entries.iter().collect();
            sorted.sort_by(|a, b| a.0.cmp(&b.0));
            for (key, value) in sorted {
                pad(out, indent);
                out.push_str(&scalar_string(key));
                out.push(':');
                emit_value_after_key(out, value, indent);
            }
        }
        Value::Seq(items) if !items.is_empty() => {
            for item in items {
                pad(out, indent);
                out.push('-');
                emit_seq_item(out, item, indent);
            }
        }
        _ => {
            pad(out, indent);
            emit_inline(out, node, indent);
            out.push('\n');
        }
    }
}

fn emit_value_after_key(out: &mut String, value: &Node, indent: usize) {
    match &value.value {
        Value::Map(entries) if !entries.is_empty() => {
            out.push('\n');
            emit_block(out, value, indent + 2);
        }
        // Sequences under a key are not indented (go-yaml / kyaml style).
        Value::Seq(items) if !items.is_empty() => {
            out.push('\n');
            emit_block(out, value, indent);
        }
        _ => {
            out.push(' ');
            emit_inline(out, value, indent + 2);
            out.push('\n');
        }
    }
}

fn emit_seq_item(out: &mut String, item: &Node, indent: usize) {
    if is_non_empty_collection(item) {
        // The first line shares the dash's line; the rest align under it.
        let mut block = String::new();
        emit_block(&mut block, item, indent + 2);
        out.push(' ');
        out.push_str(&block[indent + 2..]);
    } else {
        out.push(' ');
        emit_inline(out, item, indent + 2);
        out.push('\n');
    }
}

fn is_non_empty_collection(node: &Node) -> bool {
    match &node.value {
        Value::Map(entries) => !entries.is_empty(),
        Value::Seq(items) => !items.is_empty(),
        _ => false,
    }
}

/// Scalars and empty collections; multi-line strings become literal blocks at `indent`.
fn emit_inline(out: &mut String, node: &Node, indent: usize) {
    match &node.value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::String(s) if is_literal_block(s) => literal_block(out, s, indent),
        Value::String(s) => out.push_str(&scalar_string(s)),
        Value::Map(_) => out.push_str("{}"),
        Value::Seq(_) => out.push_str("[]"),
    }
}

fn pad(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

fn is_literal_block(s: &str) -> bool {
    s.contains('\n')
        && !s.chars().any(|c| c.is_control() && c != '\n')
        && !s.lines().any(|l| l.ends_with(' ') || l.ends_with('\t'))
        && !s.starts_with(' ')
}

fn literal_block(out: &mut String, s: &str, indent: usize) {
    let trailing = s.len() - s.trim_end_matches('\n').len();
    out.push('|');
    match trailing {
        0 => out.push('-'),
        1 => {}
        _ => out.push('+'),
    }
    for line in s.trim_end_matches('\n').split('\n') {
        out.push('\n');
        if !line.is_empty() {
            pad(out, indent);
            out.push_str(line);
        }
    }
    for _ in 1..trailing {
        out.push('\n');
    }
}

/// A string scalar: plain, single-quoted, or double-quoted, as go-yaml chooses.
pub fn scalar_string(s: &str) -> String {
    if reads_as_other_type(s) {
        return format!("\"{s}\"");
    }
    if is_plain_safe(s) {
        return s.to_string();
    }
    if s.chars().all(|c| !c.is_control()) {
        return format!("'{}'", s.replace('\'', "''"));
    }
    serde_json::Value::String(s.to_string()).to_string()
}

/// Strings YAML 1.1 or 1.2 would resolve to null, a boolean or a number.
fn reads_as_other_type(s: &str) -> bool {
    const WORDS: [&str; 22] = [
        "", "~", "null", "Null", "NULL", "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
        "on", "On", "ON", "off", "Off", "OFF", ".inf",
    ];
    const MORE: [&str; 10] = [
        "true", "True", "TRUE", "false", "False", "FALSE", "-.inf", ".nan", ".NaN", ".NAN",
    ];
    if WORDS.contains(&s) || MORE.contains(&s) {
        return true;
    }
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    !body.is_empty()
        && body
            .chars()
            .all(|c| c.is_ascii_hexdigit() || "xXoO._".contains(c) || c == 'e' || c == 'E')
        && (body.starts_with(|c: char| c.is_ascii_digit()) || body.starts_with('.'))
        && body.parse::<f64>().is_ok()
        || body
            .strip_prefix("0x")
            .is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()))
        || body
            .strip_prefix("0o")
            .is_some_and(|o| !o.is_empty() && o.chars().all(|c| c.is_digit(8)))
}

fn is_plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if "-?:,[]{}#&*!|>'\"%@` ".contains(first) {
        // `-`, `?` and `:` may start a plain scalar when followed by a non-space.
        let second = s.chars().nth(1);
        let indicator_ok = matches!(first, '-' | '?' | ':')
            && second.is_some_and(|c| c != ' ')
            && !(first == '-' && s == "---");
        if !indicator_ok {
            return false;
        }
    }
    !(s.ends_with(' ')
        || s.ends_with(':')
        || s.contains(": ")
        || s.contains(" #")
        || s.chars().any(|c| c.is_control() || c == '\u{feff}'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::parse_documents;
    use std::path::Path;

    fn round_trip(yaml: &str) -> String {
        let docs = parse_documents(Path::new("t.yaml"), yaml.as_bytes()).unwrap();
        to_yaml(&docs)
    }

    #[test]
    fn prints_like_kubectl_kustomize() {
        let out = round_trip(
            "kind: ConfigMap\napiVersion: v1\nmetadata: {name: a}\ndata:\n  t: \"yes\"\n  n: \"123\"\n  s: 'a: b'\n  m: \"l1\\nl2\\n\"\n  star: '*.local'\n  e: ''\n  q: \"it's\"\nspec:\n  list:\n  - name: x\n    ports: [{port: 1}]\n  - [1, 2]\n  empty: []\n",
        );
        assert_eq!(
            out,
            "apiVersion: v1\ndata:\n  e: \"\"\n  m: |\n    l1\n    l2\n  \"n\": \"123\"\n  q: it's\n  s: 'a: b'\n  star: '*.local'\n  t: \"yes\"\nkind: ConfigMap\nmetadata:\n  name: a\nspec:\n  empty: []\n  list:\n  - name: x\n    ports:\n    - port: 1\n  - - 1\n    - 2\n"
        );
    }

    #[test]
    fn every_string_reads_back_as_itself() {
        for s in [
            "yes", "0755", "1e3", "- x", "a: b", "x #y", "#c", "line\n", "a\nb", "tab\tx", "~",
            "-1", ".5", "@a", "key:", "café", "",
        ] {
            let node = Node::string(
                s,
                crate::manifest::Origin::new(std::sync::Arc::from(Path::new("t")), 1, 1),
            );
            let mut map = Node::empty_map(node.origin.clone());
            map.set("k", node);
            let text = to_yaml(&[map]);
            let back = parse_documents(Path::new("t"), text.as_bytes()).unwrap();
            assert_eq!(back[0].str_at(&["k"]), Some(s), "{s:?} printed as {text}");
        }
    }
}
