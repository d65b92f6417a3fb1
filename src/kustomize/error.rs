//! Errors of a kustomize build: what went wrong and the file:line a person must look at.

use std::fmt;

use crate::manifest::{LoadError, Origin};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KustomizeError {
    /// Where the problem is written, when known.
    pub origin: Option<Origin>,
    pub message: String,
}

impl KustomizeError {
    pub fn at(origin: &Origin, message: impl Into<String>) -> Self {
        KustomizeError {
            origin: Some(origin.clone()),
            message: message.into(),
        }
    }
}

impl fmt::Display for KustomizeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.origin {
            Some(origin) => write!(f, "{origin}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for KustomizeError {}

impl From<LoadError> for KustomizeError {
    fn from(error: LoadError) -> Self {
        KustomizeError {
            origin: Some(Origin::new(
                std::sync::Arc::from(error.file.as_path()),
                error.line,
                error.column,
            )),
            message: error.message,
        }
    }
}
