//! The text of a patch: a file next to the kustomization, or a string written inline in the
//! kustomization. Inline patches are parsed on their own and their origins are moved onto
//! the kustomization file's lines, so a value set by `patch: |` points into
//! kustomization.yaml at the line and column where it is written.

use std::path::Path;

use crate::kustomize::error::KustomizeError;
use crate::kustomize::restrict::confined;
use crate::manifest::{LoadError, Node, Origin, Value, load_file, parse_documents};

/// The documents of the patch file `entry` (relative to `dir`), named by `node`.
pub fn from_file(dir: &Path, entry: &str, node: &Node) -> Result<Vec<Node>, KustomizeError> {
    if entry.contains("://") {
        return Err(KustomizeError::at(
            &node.origin,
            format!("patch {entry}: remote patches are not supported"),
        ));
    }
    let path = dir.join(entry);
    confined(dir, &path)
        .map_err(|why| KustomizeError::at(&node.origin, format!("patch file {entry}: {why}")))?;
    Ok(load_file(&path)?)
}

/// The documents of the inline patch string `node`, with origins in the file it is written in.
pub fn inline(node: &Node) -> Result<Vec<Node>, KustomizeError> {
    let text = node
        .as_str()
        .ok_or_else(|| KustomizeError::at(&node.origin, "an inline patch must be a string"))?;
    let placement = Placement::of(node);
    match parse_documents(&node.origin.file, text.as_bytes()) {
        Ok(mut documents) => {
            for document in &mut documents {
                placement.relocate(document);
            }
            Ok(documents)
        }
        Err(LoadError {
            line,
            column,
            message,
            ..
        }) => Err(KustomizeError::at(
            &placement.origin(&node.origin, line, column),
            format!("inline patch is not valid YAML: {message}"),
        )),
    }
}

/// Where the first character of an inline string's text is in its file.
struct Placement {
    first_line: u32,
    /// Columns to add on the first line and on the others.
    first_shift: u32,
    other_shift: u32,
}

impl Placement {
    /// The parser places a string where its text starts: after the quote of a quoted
    /// scalar, and at the first content line of a block scalar (`|`, `>`), whose later lines
    /// share that line's indentation.
    fn of(node: &Node) -> Placement {
        let text = std::fs::read_to_string(&node.origin.file).unwrap_or_default();
        let line = text
            .lines()
            .nth(node.origin.line.saturating_sub(1) as usize)
            .unwrap_or_default();
        // Columns count characters; the split needs the byte where that character starts.
        let column = node.origin.column.saturating_sub(1) as usize;
        let byte = line
            .char_indices()
            .nth(column)
            .map_or(line.len(), |(byte, _)| byte);
        let (before, start) = line.split_at(byte);
        let quoted = start.starts_with(['"', '\'']);
        let block = !quoted && before.trim().is_empty();
        Placement {
            first_line: node.origin.line,
            first_shift: column as u32 + u32::from(quoted),
            other_shift: if block { column as u32 } else { 0 },
        }
    }

    fn origin(&self, origin: &Origin, line: u32, column: u32) -> Origin {
        let shift = if line <= 1 {
            self.first_shift
        } else {
            self.other_shift
        };
        Origin::new(
            origin.file.clone(),
            self.first_line + line.saturating_sub(1),
            column + shift,
        )
    }

    fn relocate(&self, node: &mut Node) {
        node.origin = self.origin(&node.origin, node.origin.line, node.origin.column);
        match &mut node.value {
            Value::Seq(items) => items.iter_mut().for_each(|item| self.relocate(item)),
            Value::Map(entries) => entries.iter_mut().for_each(|(_, v)| self.relocate(v)),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_block_patches_point_into_the_kustomization() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("kustomization.yaml");
        let text = "patches:\n- patch: |-\n    kind: Deployment\n    spec:\n      replicas: 3\n- patch: '[{op: remove, path: /a}]'\n- {name: \"€€€€€€€\", patch: '[{op: remove, path: /a}]'}\n";
        std::fs::write(&file, text).unwrap();
        let root = load_file(&file).unwrap().remove(0);
        let entries = root.get("patches").unwrap().as_seq().unwrap();
        let block = inline(entries[0].get("patch").unwrap()).unwrap();
        let replicas = block[0].pointer("/spec/replicas").unwrap();
        assert_eq!((replicas.origin.line, replicas.origin.column), (5, 17));
        let flow = inline(entries[1].get("patch").unwrap()).unwrap();
        let multibyte = inline(entries[2].get("patch").unwrap()).unwrap();
        let op = multibyte[0].pointer("/0/op").unwrap();
        assert_eq!(
            (op.origin.line, op.origin.column),
            (7, 35),
            "after multi-byte text"
        );
        let op = flow[0].pointer("/0/op").unwrap();
        assert_eq!((op.origin.line, op.origin.column), (6, 17));
    }
}
