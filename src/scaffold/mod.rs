//! Turning a validated mesh into files: the template context, blueprint rendering, and the
//! write plan that applies them to a target directory safely.

pub mod context;
pub mod lock;
pub mod plan;
pub mod render;
pub mod safe_path;
pub mod wiring;
pub mod write;
