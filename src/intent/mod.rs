//! mesh.yaml: the intent a repository is generated from — its model, defaults, loading and
//! validation. Nothing here knows about templates or files on disk beyond mesh.yaml itself.

pub mod duration;
pub mod load;
pub mod located;
pub mod model;
pub mod names;
pub mod schema;
pub mod validate;

pub use load::{IntentError, load, parse};
pub use model::Mesh;
