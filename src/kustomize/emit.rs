//! Printing objects as YAML byte for byte as `kubectl kustomize` prints them: kustomize
//! marshals each object to JSON and prints it with go-yaml v2 (sigs.k8s.io/yaml), so this
//! is a port of that emitter's block style — documents separated by `---`, mapping keys in
//! go-yaml's natural order, sequences not indented under their key, empty collections as
//! `{}`/`[]`. How one string is quoted or folded lives in `scalar`; which strings need
//! quotes and how numbers print, in `resolve`.

mod resolve;
mod scalar;

use std::cmp::Ordering;

use crate::manifest::{Node, Value};

/// All objects as one multi-document YAML stream.
pub fn to_yaml(objects: &[Node]) -> String {
    let mut out = String::new();
    for (index, object) in objects.iter().enumerate() {
        if index > 0 {
            out.push_str("---\n");
        }
        let mut printer = Printer {
            out: &mut out,
            column: 0,
            whitespace: true,
            indention: true,
        };
        printer.node(object, ROOT_INDENT, false);
        printer.write_indent(0);
    }
    out
}

/// One string as go-yaml writes it as a top-level mapping value (plain, quoted or folded),
/// for text that embeds YAML lines, such as kustomize's origin annotation.
pub fn scalar_string(s: &str) -> String {
    let mut out = String::new();
    let mut printer = Printer {
        out: &mut out,
        column: 0,
        whitespace: true,
        indention: true,
    };
    scalar::write_string(&mut printer, s, 0, false);
    out
}

/// The indentation level above the document's root node (go-yaml's `-1`).
const ROOT_INDENT: isize = -1;

/// go-yaml's emitter state while writing one document: the column of the cursor, whether
/// the last thing written was whitespace, and whether the line holds only indentation and
/// indicators so far.
struct Printer<'a> {
    out: &'a mut String,
    column: usize,
    whitespace: bool,
    indention: bool,
}

impl Printer<'_> {
    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    /// A line break inside a scalar: `\n` as itself, other break characters written
    /// verbatim and counted as a new line.
    fn write_break(&mut self, c: char) {
        if c == '\n' {
            self.put_break();
        } else {
            self.out.push(c);
            self.column = 0;
        }
    }

    /// Moves to column `indent`, on a new line unless the line so far is only indentation.
    fn write_indent(&mut self, indent: usize) {
        if !self.indention || self.column > indent || self.column == indent && !self.whitespace {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn write_indicator(
        &mut self,
        indicator: &str,
        need_whitespace: bool,
        is_whitespace: bool,
        is_indention: bool,
    ) {
        if need_whitespace && !self.whitespace {
            self.put(' ');
        }
        indicator.chars().for_each(|c| self.put(c));
        self.whitespace = is_whitespace;
        self.indention = self.indention && is_indention;
    }

    /// A node below a collection indented at `parent_indent`; `in_mapping` when it is a
    /// mapping's value (a sequence there is not indented further).
    fn node(&mut self, node: &Node, parent_indent: isize, in_mapping: bool) {
        match &node.value {
            Value::Map(entries) if !entries.is_empty() => {
                self.block_mapping(entries, increase_indent(parent_indent, false))
            }
            Value::Seq(items) if !items.is_empty() => {
                let indentless = in_mapping && !self.indention;
                let indent = if indentless {
                    parent_indent.max(0)
                } else {
                    increase_indent(parent_indent, false)
                };
                self.block_sequence(items, indent);
            }
            Value::Map(_) => self.empty_flow("{", "}"),
            Value::Seq(_) => self.empty_flow("[", "]"),
            Value::String(s) => scalar::write_string(
                self,
                s,
                to_column(increase_indent(parent_indent, true)),
                false,
            ),
            Value::Null => self.plain_word("null"),
            Value::Bool(b) => self.plain_word(if *b { "true" } else { "false" }),
            Value::Number(n) => self.plain_word(&resolve::go_number(n)),
        }
    }

    fn block_mapping(&mut self, entries: &[(String, Node)], indent: isize) {
        let column = to_column(indent);
        for (key, value) in sorted_entries(entries) {
            self.write_indent(column);
            if scalar::is_simple_key(key) {
                scalar::write_string(self, key, column + 2, true);
                self.write_indicator(":", false, false, false);
            } else {
                self.write_indicator("?", true, false, true);
                scalar::write_string(self, key, column + 2, false);
                self.write_indent(column);
                self.write_indicator(":", true, false, true);
            }
            self.node(value, indent, true);
        }
    }

    fn block_sequence(&mut self, items: &[Node], indent: isize) {
        for item in items {
            self.write_indent(to_column(indent));
            self.write_indicator("-", true, false, true);
            self.node(item, indent, false);
        }
    }

    fn empty_flow(&mut self, open: &str, close: &str) {
        self.write_indicator(open, true, true, false);
        self.write_indicator(close, false, false, false);
    }

    /// null, booleans and numbers: plain words that never need quotes or folding.
    fn plain_word(&mut self, word: &str) {
        if !self.whitespace {
            self.put(' ');
        }
        word.chars().for_each(|c| self.put(c));
        self.whitespace = false;
        self.indention = false;
    }
}

/// go-yaml's `increase_indent` (best indent 2): a block at the root starts at column 0, a
/// flow node or scalar at the root at 2.
fn increase_indent(indent: isize, flow: bool) -> isize {
    match (indent < 0, flow) {
        (true, true) => 2,
        (true, false) => 0,
        (false, _) => indent + 2,
    }
}

fn to_column(indent: isize) -> usize {
    usize::try_from(indent).unwrap_or(0)
}

/// Mapping entries in go-yaml v2's key order (see [`key_order`]), by a merge sort, which
/// cannot panic whatever the comparison does.
fn sorted_entries(entries: &[(String, Node)]) -> Vec<&(String, Node)> {
    let mut sorted: Vec<&(String, Node)> = entries.iter().collect();
    let mut scratch = sorted.clone();
    merge_sort(&mut sorted, &mut scratch, &|a, b| key_order(&a.0, &b.0));
    sorted
}

fn merge_sort<T: Copy>(items: &mut [T], scratch: &mut [T], order: &dyn Fn(&T, &T) -> Ordering) {
    if items.len() < 2 {
        return;
    }
    let middle = items.len() / 2;
    merge_sort(&mut items[..middle], &mut scratch[..middle], order);
    merge_sort(&mut items[middle..], &mut scratch[middle..], order);
    let (mut left, mut right) = (0, middle);
    for slot in scratch[..items.len()].iter_mut() {
        let take_right = left == middle
            || right < items.len() && order(&items[right], &items[left]) == Ordering::Less;
        if take_right {
            *slot = items[right];
            right += 1;
        } else {
            *slot = items[left];
            left += 1;
        }
    }
    items.copy_from_slice(&scratch[..items.len()]);
}

/// go-yaml v2's `keyList.Less` for string keys: letters after other characters, runs of
/// digits compared as numbers (`a2` before `a10`).
fn key_order(a: &str, b: &str) -> Ordering {
    if key_less(a, b) {
        Ordering::Less
    } else if key_less(b, a) {
        Ordering::Greater
    } else {
        Ordering::Equal
    }
}

fn key_less(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    for i in 0..a.len().min(b.len()) {
        if a[i] == b[i] {
            continue;
        }
        let (a_letter, b_letter) = (a[i].is_alphabetic(), b[i].is_alphabetic());
        if a_letter && b_letter {
            return a[i] < b[i];
        }
        if a_letter || b_letter {
            return b_letter;
        }
        let (mut a_number, mut b_number) = (0i64, 0i64);
        if a[i] == '0' || b[i] == '0' {
            let nonzero_digit_before = a[..i]
                .iter()
                .rev()
                .take_while(|c| c.is_ascii_digit())
                .any(|&c| c != '0');
            if nonzero_digit_before {
                (a_number, b_number) = (1, 1);
            }
        }
        let a_end = digit_run(&a, i, &mut a_number);
        let b_end = digit_run(&b, i, &mut b_number);
        if a_number != b_number {
            return a_number < b_number;
        }
        if a_end != b_end {
            return a_end < b_end;
        }
        return a[i] < b[i];
    }
    a.len() < b.len()
}

/// Accumulates the digits of `text` from `start` into `number` (wrapping like Go's int64);
/// returns where the run ends.
fn digit_run(text: &[char], start: usize, number: &mut i64) -> usize {
    let mut end = start;
    while let Some(digit) = text.get(end).and_then(|c| c.to_digit(10)) {
        *number = number.wrapping_mul(10).wrapping_add(i64::from(digit));
        end += 1;
    }
    end
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
