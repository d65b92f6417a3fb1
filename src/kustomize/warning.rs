//! What a build notices that kustomize accepts silently (a patch whose target selects no
//! object, a patch list element kustomize ignores): reported beside the rendered objects — `validate` turns them into findings,
//! `meshwright build` prints them on stderr — and never a reason to refuse the build.

use std::fmt;

use crate::manifest::Origin;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildWarning {
    pub kind: WarningKind,
    /// Where the suspicious entry is written.
    pub origin: Origin,
    pub message: String,
}

/// What a warning is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WarningKind {
    /// A patch `target` that selects no object.
    PatchMatchesNothing,
    /// A patch's list element kustomize merges nothing from (see `patch::several_keys`).
    PatchElementIgnored,
}

impl BuildWarning {
    pub fn at(kind: WarningKind, origin: &Origin, message: impl Into<String>) -> Self {
        BuildWarning {
            kind,
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
