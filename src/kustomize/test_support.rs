//! Helpers the renderer's unit tests share.

use std::path::Path;

use crate::manifest::{Node, parse_documents};

/// The first document of `text`, as read from a file `t.yaml`.
pub fn yaml(text: &str) -> Node {
    document("t.yaml", text)
}

/// The first document of `text`, named `file` in origins.
pub fn document(file: &str, text: &str) -> Node {
    parse_documents(Path::new(file), text.as_bytes())
        .expect("test YAML parses")
        .remove(0)
}
