//! `diff` between git revisions: render every kustomize root and loose manifest of two
//! states of a repository (two revisions, or a revision and the working tree), then report
//! the objects added, removed and modified and the policy edges that got weaker or
//! stronger.
//!
//! A revision is read straight from git ([`git`]): its tree is written into a private
//! temporary directory, never into the repository (a head revision over the base, file by
//! changed file, so the files both share are parsed once). Each state is rendered by `validate`'s
//! discovery ([`state`]); [`objects`] and [`policy`] compare them; [`report`] prints.

pub mod git;
pub mod objects;
pub mod policy;
pub mod report;
pub mod state;

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::cluster::Unread;
use crate::kustomize::Loader;

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
    /// The base revision (anything `git rev-parse` understands), or `A...B`: the merge base
    /// of A and B against B, as `git diff A...B` (an empty side stands for `HEAD`).
    pub base: &'a str,
    /// The head revision; `None` compares against the working tree as it is on disk.
    pub head: Option<&'a str>,
    /// Compare against the merge base of `base` and the head (`HEAD` for the working tree)
    /// instead of `base` itself: what a pull request changes, without what its base
    /// branch gained since.
    pub merge_base: bool,
}

/// The revisions a request stands for.
struct Revisions {
    /// What is written into the temporary directory as the base.
    base: String,
    head: Option<String>,
    /// How the base is named in the report.
    label: String,
    /// The merge base's commit id, when the base is one.
    merge_base: Option<String>,
}

impl Request<'_> {
    /// Resolves `A...B` and `merge_base` into the two revisions to compare.
    fn revisions(&self, checkout: &git::Checkout) -> Result<Revisions, DiffError> {
        let or_head = |side: &str| if side.is_empty() { "HEAD" } else { side }.to_string();
        let (base, head, merge) = match self.base.split_once("...") {
            Some(_) if self.head.is_some() => {
                return Err(DiffError::new(format!(
                    "--base {} already names the head revision (after `...`): drop --head",
                    self.base
                )));
            }
            Some((one, two)) => (or_head(one), Some(or_head(two)), true),
            None => (
                self.base.to_string(),
                self.head.map(str::to_string),
                self.merge_base,
            ),
        };
        if !merge {
            return Ok(Revisions {
                label: base.clone(),
                base,
                head,
                merge_base: None,
            });
        }
        let other = head.clone().unwrap_or_else(|| "HEAD".to_string());
        let commit = checkout.merge_base(&base, &other)?;
        Ok(Revisions {
            base: commit.clone(),
            head,
            label: format!("{base}...{other}"),
            merge_base: Some(commit),
        })
    }
}

/// The differences between two states.
#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    /// The base revision as asked for (`A...B` for a merge base).
    pub base: String,
    /// The merge base's commit id, when the base is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merge_base: Option<String>,
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
///
/// With a head revision, both revisions share one temporary directory: the base is written
/// and rendered, then the files that differ are rewritten, and the head is rendered with
/// every other file's parsed documents kept from the base.
pub fn diff(request: &Request<'_>) -> Result<Diff, DiffError> {
    let checkout = match request.path {
        Some(path) => git::Checkout::open(path)?,
        None => git::Checkout::open(Path::new("."))?.at_root(),
    };
    let relative = checkout.relative.clone();
    let revisions = request.revisions(&checkout)?;
    let mut snapshot = checkout.materialize(&revisions.base)?;
    let in_base = snapshot.path().join(&relative).is_dir();
    let loader = Loader::new();
    let base = state_in(snapshot.path().join(&relative), &loader)?;
    let (head, in_head) = match &revisions.head {
        Some(revision) => {
            let changed = checkout.advance(&mut snapshot, revision)?;
            let dir = snapshot.path().join(&relative);
            let in_head = dir.is_dir();
            if changed.is_empty() {
                // The same tree: nothing can differ.
                (None, in_head)
            } else {
                loader.forget(&changed.into_iter().collect());
                (Some(state_in(dir, &loader)?), in_head)
            }
        }
        None => {
            let workdir = checkout.workdir.as_ref().ok_or_else(|| {
                DiffError::new("a bare repository has no working tree: pass --head REV")
            })?;
            let working = workdir.join(&relative);
            (Some(state_in(working.clone(), &loader)?), working.is_dir())
        }
    };
    if !in_base && !in_head {
        let at = match &revisions.head {
            Some(head) => format!("{} or {head}", revisions.label),
            None => format!("{} or in the working tree", revisions.label),
        };
        return Err(DiffError::new(format!(
            "{}: cannot read: no such directory at {at}",
            request.path.unwrap_or(Path::new(".")).display()
        )));
    }
    let (objects, policy, head_problems) = match &head {
        Some(head) => (
            objects::changes(&base.objects, &head.objects),
            policy::changes(&base.policy, &head.policy),
            head.problems,
        ),
        None => (Vec::new(), Vec::new(), base.problems),
    };
    let base_problems = base.problems;
    // Millions of nodes: freed on another thread while the report is printed (a process
    // that exits first has nothing left to free).
    std::thread::spawn(move || drop((base, head, loader)));
    Ok(Diff {
        base: revisions.label,
        merge_base: revisions.merge_base,
        head: revisions.head.unwrap_or_else(|| "working tree".to_string()),
        objects,
        policy,
        problems: Problems {
            base: base_problems,
            head: head_problems,
        },
        drift: Vec::new(),
        unread: Vec::new(),
        notes: Vec::new(),
    })
}

/// The state of `dir`, or an empty one where the directory does not exist (at that revision).
fn state_in(dir: PathBuf, loader: &Loader) -> Result<State, DiffError> {
    if dir.is_dir() {
        State::load(&dir, loader)
    } else {
        Ok(State::empty())
    }
}
