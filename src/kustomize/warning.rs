//! What a build notices that kustomize accepts silently (a patch whose target selects no
//! object): reported beside the rendered objects — `validate` turns them into findings,
//! `meshwright build` prints them on stderr — and never a reason to refuse the build.

use std::fmt;

use crate::manifest::Origin;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildWarning {
    /// Where the suspicious entry is written.
    pub origin: Origin,
    pub message: String,
}

impl BuildWarning {
    pub fn at(origin: &Origin, message: impl Into<String>) -> Self {
        BuildWarning {
            origin: origin.clone(),
            message: message.into(),
        }
    }
}

impl fmt::Display for BuildWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.origin, self.message)
    }
}
