//! Helpers the renderer's unit tests share.

use std::path::Path;

use crate::manifest::{Node, parse_documents};

/// The first document of `text`, as read from a file `t.yaml`.
pub fn yaml(text: &str) -> Node {
    parse_documents(Path::new("t.yaml"), text.as_bytes())
        .expect("parses")
        .remove(0)
}
