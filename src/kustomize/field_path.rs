//! kustomize's dotted field paths (`spec.template.spec.containers.[name=app].image`), as
//! replacements read them: `.` separates segments (`\.` escapes one), `[key=regex]` selects
//! list items whose `key` matches the (unanchored) regular expression, `[=regex]` selects
//! scalar items, a number indexes a list, `*` is every list item, and `[a.b/c]` is a map key
//! holding dots.

use regex::Regex;

use crate::manifest::{Node, Value};

#[derive(Debug, Clone)]
enum Segment {
    Field(String),
    Index(usize),
    /// `[field=regex]`; an empty field matches scalar items.
    Match {
        field: String,
        pattern: Regex,
        value: String,
    },
    Every,
}

/// A parsed field path.
#[derive(Debug, Clone)]
pub struct FieldPath {
    pub text: String,
    segments: Vec<Segment>,
}

/// The most segments a field path may have: no document nests deeper
/// (`manifest::events::MAX_DEPTH`), so a longer path matches nothing, and with `create` it
/// would build an object too deep to walk.
pub const MAX_SEGMENTS: usize = 64;

impl FieldPath {
    /// Parses `text`; the error says what is wrong with the syntax.
    pub fn parse(text: &str) -> Result<FieldPath, String> {
        let segments = split(text)
            .into_iter()
            .map(|part| parse_segment(&part))
            .collect::<Result<Vec<_>, _>>()?;
        if segments.is_empty() {
            return Err("a field path cannot be empty".to_string());
        }
        if segments.len() > MAX_SEGMENTS {
            return Err(format!(
                "a field path has at most {MAX_SEGMENTS} segments, as deep as documents may nest"
            ));
        }
        Ok(FieldPath {
            text: text.to_string(),
            segments,
        })
    }

    /// Calls `visit` on every node the path reaches below `root`, creating what is missing
    /// when `create` is set; `visit` is told whether the node was just created (an untyped
    /// `Value::Null` placeholder). Returns how many nodes were reached.
    pub fn visit(
        &self,
        root: &mut Node,
        create: bool,
        visit: &mut dyn FnMut(&mut Node, bool),
    ) -> usize {
        let mut walk = Walk {
            create,
            exact: false,
            visit,
        };
        walk.walk(root, &self.segments, false)
    }

    /// The first node the path reaches below `root`, reading `[field=value]` as an exact
    /// match (kustomize reads a replacement source's path so).
    pub fn lookup(&self, root: &Node) -> Option<Node> {
        let mut found = None;
        let mut visit = |node: &mut Node, _: bool| {
            found.get_or_insert_with(|| node.clone());
        };
        let mut walk = Walk {
            create: false,
            exact: true,
            visit: &mut visit,
        };
        walk.walk(&mut root.clone(), &self.segments, false);
        found
    }
}

/// kustomize's `SmarterPathSplitter`: splits on unescaped dots, keeps `[...]` whole, and
/// unwraps bracketed map keys that hold no `=`.
fn split(path: &str) -> Vec<String> {
    let mut pieces: Vec<String> = Vec::new();
    for piece in path.split('.') {
        match pieces.last_mut() {
            Some(last) if last.ends_with('\\') => {
                last.pop();
                last.push('.');
                last.push_str(piece);
            }
            _ => pieces.push(piece.to_string()),
        }
    }
    let mut joined: Vec<String> = Vec::new();
    let mut open = false;
    for piece in pieces {
        if open {
            let last = joined.last_mut().expect("an open bracket was pushed");
            last.push('.');
            last.push_str(&piece);
            open = !piece.ends_with(']');
        } else {
            open = piece.starts_with('[') && !piece.ends_with(']');
            joined.push(piece);
        }
    }
    joined
        .into_iter()
        .map(
            |part| match part.strip_prefix('[').and_then(|p| p.strip_suffix(']')) {
                Some(key) if !key.contains('=') => key.to_string(),
                _ => part,
            },
        )
        .collect()
}

fn parse_segment(part: &str) -> Result<Segment, String> {
    if part.is_empty() {
        return Err("empty segment (two dots in a row, or a leading or trailing dot)".to_string());
    }
    if part == "*" {
        return Ok(Segment::Every);
    }
    if part.bytes().all(|b| b.is_ascii_digit()) {
        return part
            .parse()
            .map(Segment::Index)
            .map_err(|_| format!("index `{part}` is too large"));
    }
    if part.starts_with('[') {
        let inner = part
            .strip_prefix('[')
            .and_then(|p| p.strip_suffix(']'))
            .ok_or_else(|| format!("`{part}` has no closing `]`"))?;
        let (field, value) = inner
            .split_once('=')
            .ok_or_else(|| format!("`{part}` must be [field=value]"))?;
        let pattern = Regex::new(value).map_err(|e| format!("`{part}`: bad pattern: {e}"))?;
        return Ok(Segment::Match {
            field: field.to_string(),
            pattern,
            value: value.to_string(),
        });
    }
    Ok(Segment::Field(part.to_string()))
}

/// The text of a scalar, as list item matching compares it.
pub fn scalar_text(node: &Node) -> Option<String> {
    match &node.value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null => Some(String::new()),
        Value::Seq(_) | Value::Map(_) => None,
    }
}

struct Walk<'v> {
    create: bool,
    /// `[field=value]` compares text instead of matching a pattern.
    exact: bool,
    visit: &'v mut dyn FnMut(&mut Node, bool),
}

impl Walk<'_> {
    /// Follows `segments` below `node`; `fresh` says `node` was just created.
    fn walk(&mut self, node: &mut Node, segments: &[Segment], fresh: bool) -> usize {
        let Some((segment, rest)) = segments.split_first() else {
            (self.visit)(node, fresh);
            return 1;
        };
        let origin = node.origin.clone();
        match (segment, &mut node.value) {
            (Segment::Field(key), Value::Map(_)) => {
                let missing = node.get(key).is_none();
                if missing {
                    if !self.create {
                        return 0;
                    }
                    node.set(key, Node::new(container_for(rest), origin));
                }
                self.walk(node.get_mut(key).expect("present"), rest, missing)
            }
            (Segment::Index(index), Value::Seq(items)) => {
                let append = *index == items.len() && self.create;
                if append {
                    items.push(Node::new(container_for(rest), origin));
                }
                match items.get_mut(*index) {
                    Some(item) => self.walk(item, rest, append),
                    None => 0,
                }
            }
            (Segment::Every, Value::Seq(items)) => items
                .iter_mut()
                .map(|item| self.walk(item, rest, false))
                .sum(),
            (
                Segment::Match {
                    field,
                    pattern,
                    value,
                },
                Value::Seq(items),
            ) => {
                let exact = self.exact;
                let matches = |item: &Node| {
                    let subject = if field.is_empty() {
                        Some(item)
                    } else {
                        item.get(field)
                    };
                    subject.and_then(scalar_text).is_some_and(|text| {
                        if exact {
                            text == *value
                        } else {
                            pattern.is_match(text.trim())
                        }
                    })
                };
                if self.create && !items.iter().any(matches) {
                    let text = Node::string(value.clone(), origin.clone());
                    items.push(if field.is_empty() {
                        text
                    } else {
                        let mut item = Node::empty_map(origin);
                        item.set(field, text);
                        item
                    });
                }
                items
                    .iter_mut()
                    .filter(|item| matches(item))
                    .map(|item| self.walk(item, rest, false))
                    .sum()
            }
            _ => 0,
        }
    }
}

/// What a missing segment is created as: a list before a list segment, a mapping before a
/// field, and a null placeholder for the leaf.
fn container_for(rest: &[Segment]) -> Value {
    match rest.first() {
        None => Value::Null,
        Some(Segment::Field(_)) => Value::Map(Vec::new()),
        Some(_) => Value::Seq(Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_deeper_than_documents_nest_are_refused() {
        assert!(FieldPath::parse(&vec!["a"; 64].join(".")).is_ok());
        let error = FieldPath::parse(&vec!["a"; 8000].join(".")).unwrap_err();
        assert!(error.contains("at most 64 segments"), "{error}");
    }

    #[test]
    fn splits_like_kustomize() {
        assert_eq!(
            split("spec.containers.[name=a.b].image"),
            ["spec", "containers", "[name=a.b]", "image"]
        );
        assert_eq!(
            split("metadata.annotations.[a.b/c]"),
            ["metadata", "annotations", "a.b/c"]
        );
        assert_eq!(split(r"data.app\.conf"), ["data", "app.conf"]);
        assert_eq!(split("spec.[name]"), ["spec", "name"]);
    }

    #[test]
    fn targets_match_patterns_and_sources_match_exactly() {
        let origin = crate::manifest::Origin::new(
            std::sync::Arc::from(std::path::Path::new("a.yaml")),
            1,
            1,
        );
        let json = serde_json::json!({"containers": [{"name": "app"}, {"name": "myapp-sidecar"}]});
        let mut root = Node::from_json(&json, &origin);
        let path = FieldPath::parse("containers.[name=app].name").unwrap();
        let mut seen = Vec::new();
        path.visit(&mut root, false, &mut |node, _| {
            seen.push(node.as_str().unwrap().to_string())
        });
        assert_eq!(seen, ["app", "myapp-sidecar"]);
        let partial = FieldPath::parse("containers.[name=ap].name").unwrap();
        assert!(partial.lookup(&root).is_none());
        assert_eq!(
            path.lookup(&root)
                .and_then(|n| n.as_str().map(String::from))
                .as_deref(),
            Some("app")
        );
    }

    #[test]
    fn bad_syntax_is_reported() {
        assert!(FieldPath::parse("spec..x").is_err());
        assert!(FieldPath::parse("spec.[=").is_err());
        assert!(FieldPath::parse("spec.[name=(]").is_err());
        assert!(FieldPath::parse("spec.[name=a").is_err());
        assert!(FieldPath::parse("spec.*.x").is_ok());
    }
}
