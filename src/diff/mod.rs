//! `diff` between git revisions: render every kustomize root and loose manifest of two
//! states of a repository (two revisions, or a revision and the working tree), then report
//! the objects added, removed and modified and the policy edges that got weaker or
//! stronger.
//!
//! A revision is read straight from git ([`git`]): its tree is written into a private
//! temporary directory, never into the repository. Each state is rendered by `validate`'s
//! discovery ([`state`]); [`objects`] and [`policy`] compare them; [`report`] prints.

pub mod git;
pub mod objects;
pub mod policy;
pub mod report;
pub mod state;

use std::path::Path;

use serde::Serialize;

use crate::cluster::Unread;

pub use objects::{ChangeKind, ObjectChange};
pub use policy::{PolicyChange, Risk};
pub use state::{ObjectKey, State};

/// Why a diff could not be computed (not a repository, unknown revision, unreadable path).
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct DiffError {
    pub message: String,
}

impl DiffError {
    pub fn new(message: impl Into<String>) -> DiffError {
        DiffError {
            message: message.into(),
        }
    }
}

/// What to compare.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// A directory of the repository's working tree; the diff covers what lies under it.
    /// `None`: the whole repository holding the current directory.
    pub path: Option<&'a Path>,
    /// The base revision (anything `git rev-parse` understands).
    pub base: &'a str,
    /// The head revision; `None` compares against the working tree as it is on disk.
    pub head: Option<&'a str>,
}

/// The differences between two states.
#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    pub base: String,
    /// The head revision, or `working tree`.
    pub head: String,
    pub objects: Vec<ObjectChange>,
    pub policy: Vec<PolicyChange>,
    /// Error-level input problems (invalid YAML, failed kustomize builds) in each state,
    /// which left objects out; `meshwright validate` shows them.
    pub problems: Problems,
    /// Objects the live cluster has in the repository's scope but the repository does not
    /// (`diff --cluster` only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub drift: Vec<ObjectKey>,
    /// What could not be read from the live cluster: the diff is partial.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unread: Vec<Unread>,
    /// How the comparison was made where it matters (fallbacks, refused dry-runs).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Problems {
    pub base: usize,
    pub head: usize,
}

impl Diff {
    /// Whether the states differ at all (exit code 1).
    pub fn has_differences(&self) -> bool {
        !self.objects.is_empty() || !self.policy.is_empty() || !self.drift.is_empty()
    }

    /// Whether some of the live state could not be read (the differences are a lower bound).
    pub fn is_partial(&self) -> bool {
        !self.unread.is_empty()
    }
}

/// Computes the differences `request` asks for.
pub fn diff(request: &Request<'_>) -> Result<Diff, DiffError> {
    let checkout = match request.path {
        Some(path) => git::Checkout::open(path)?,
        None => git::Checkout::open(Path::new("."))?.at_root(),
    };
    let base_dir = checkout.materialize(request.base)?;
    let head_dir = match request.head {
        Some(revision) => Some(checkout.materialize(revision)?),
        None => None,
    };
    let working = checkout.workdir.join(&checkout.relative);
    let found = |root: &Path| root.join(&checkout.relative).is_dir();
    let anywhere = found(base_dir.path())
        || head_dir
            .as_ref()
            .map_or(working.is_dir(), |dir| found(dir.path()));
    if !anywhere {
        let revisions = match request.head {
            Some(head) => format!("{} or {head}", request.base),
            None => format!("{} or in the working tree", request.base),
        };
        return Err(DiffError::new(format!(
            "{}: cannot read: no such directory at {revisions}",
            request.path.unwrap_or(Path::new(".")).display()
        )));
    }
    let base = state_in(base_dir.path(), &checkout.relative)?;
    let head = match &head_dir {
        Some(dir) => state_in(dir.path(), &checkout.relative)?,
        None if working.is_dir() => State::load(&checkout.workdir, &working)?,
        None => State::empty(),
    };
    Ok(Diff {
        base: request.base.to_string(),
        head: request.head.unwrap_or("working tree").to_string(),
        objects: objects::changes(&base.objects, &head.objects),
        policy: policy::changes(&base.policy, &head.policy),
        problems: Problems {
            base: base.problems,
            head: head.problems,
        },
        drift: Vec::new(),
        unread: Vec::new(),
        notes: Vec::new(),
    })
}

/// The state of `relative` inside a revision written to `root`.
fn state_in(root: &Path, relative: &Path) -> Result<State, DiffError> {
    let dir = root.join(relative);
    if !dir.is_dir() {
        // The directory does not exist at that revision.
        return Ok(State::empty());
    }
    State::load(root, &dir)
}
