//! Secret values kept out of findings: messages about a Secret never quote a value from it
//! (only its identity: apiVersion, kind, type, name and namespace may appear).

use crate::findings::Finding;
use crate::manifest::{Node, Value};

/// What a message shows instead of a Secret's value.
pub const PLACEHOLDER: &str = "***";

/// Replaces, in the messages of `findings` (about the Secret `secret`), every occurrence of a
/// value the Secret holds outside its identity with [`PLACEHOLDER`]. Messages are built not
/// to quote values in the first place; this catches every other way one could slip in.
pub fn secret_values(secret: &Node, findings: &mut [Finding]) {
    let mut values = Vec::new();
    for (field, value) in secret.as_map().unwrap_or_default() {
        match field.as_str() {
            "apiVersion" | "kind" | "type" if value.as_str().is_some() => {}
            "metadata" => {
                for (key, meta) in value.as_map().unwrap_or_default() {
                    if !matches!(key.as_str(), "name" | "namespace") || meta.as_str().is_none() {
                        scalars(meta, &mut values);
                    }
                }
            }
            _ => scalars(value, &mut values),
        }
    }
    // Longest first, so that a value containing another is replaced whole.
    values.sort_by_key(|v| std::cmp::Reverse(v.len()));
    values.dedup();
    for finding in findings {
        for value in &values {
            finding.message = replace_tokens(&finding.message, value);
        }
    }
}

/// The text of every string and number in `node`.
fn scalars(node: &Node, out: &mut Vec<String>) {
    match &node.value {
        Value::String(s) if !s.is_empty() => out.push(s.clone()),
        Value::Number(n) => out.push(n.to_string()),
        Value::Seq(items) => items.iter().for_each(|i| scalars(i, out)),
        Value::Map(entries) => entries.iter().for_each(|(_, v)| scalars(v, out)),
        _ => {}
    }
}

/// `text` with each occurrence of `value` that is not part of a longer word replaced.
fn replace_tokens(text: &str, value: &str) -> String {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(value) {
        let (before, after) = (&rest[..at], &rest[at + value.len()..]);
        let joined = word(before.chars().next_back()) || word(after.chars().next());
        out.push_str(before);
        out.push_str(if joined { value } else { PLACEHOLDER });
        rest = after;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::findings::codes;
    use crate::manifest::parse_documents;

    #[test]
    fn values_are_replaced_but_identity_and_words_stay() {
        let secret = parse_documents(
            Path::new("s.yaml"),
            b"kind: Secret\napiVersion: v1\nmetadata: {name: db, namespace: pay, labels: {a: gold}}\ndata: {password: 12345, list: [hunter2]}\n",
        )
        .unwrap()
        .remove(0);
        let mut findings = [Finding::new(
            &codes::SCHEMA_VIOLATION,
            "Secret pay/db: 12345 and \"hunter2\" and gold, not golden",
            None,
        )];
        secret_values(&secret, &mut findings);
        assert_eq!(
            findings[0].message,
            "Secret pay/db: *** and \"***\" and ***, not golden"
        );
    }
}
