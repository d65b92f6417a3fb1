//! Everything that needs a live cluster: connecting through the user's kubeconfig
//! ([`connect`]), reading objects by discovery and paginated lists ([`read`]), server-side
//! apply dry-runs ([`dry_run`]), normalizing server-set fields ([`normalize`]), and the two
//! jobs built on them: `diff --cluster` ([`compare`], with its drift in `drift`) and
//! `audit --cluster` ([`audit`]).
//!
//! Nothing here writes to a cluster: every mutating request carries `dryRun=All`.

pub mod audit;
pub mod compare;
pub mod connect;
mod drift;
pub mod dry_run;
pub mod normalize;
pub mod read;

pub use read::Unread;

/// Why a live read could not start or had to stop (kubeconfig, TLS, discovery).
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct ClusterError {
    pub message: String,
}

impl ClusterError {
    pub fn new(message: impl Into<String>) -> ClusterError {
        ClusterError {
            message: message.into(),
        }
    }
}
