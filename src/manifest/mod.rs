//! Kubernetes manifests as `Node` trees that remember their file, line and column.

mod events;
pub mod lists;
pub mod load;
pub mod node;
pub mod references;

pub use lists::{list_items, unwrap_lists};
pub use load::{
    DuplicateKeys, LoadError, load_file, load_file_with, parse_documents, parse_documents_with,
};
pub use node::{Node, Origin, Value, is_secret_kind};
