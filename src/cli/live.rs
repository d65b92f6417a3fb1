//! What `diff --cluster` and `audit --cluster` share: the flags that pick a cluster
//! (kubeconfig, context, timeout), progress on stderr for long reads, and running the
//! async live reads from the synchronous CLI.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use crate::cluster::connect::Target;

/// How to reach the cluster (only with `--cluster`).
#[derive(Debug, Args)]
pub struct ClusterArgs {
    /// Kubeconfig context [default: the current context].
    #[arg(long, value_name = "CTX")]
    context: Option<String>,
    /// Kubeconfig file [default: $KUBECONFIG, else ~/.kube/config].
    #[arg(long, value_name = "FILE")]
    kubeconfig: Option<PathBuf>,
    /// Seconds one API request may take before it counts as timed out [default: 30].
    #[arg(long, value_name = "SECONDS")]
    request_timeout: Option<u64>,
    /// Accept a kubeconfig context that sets insecure-skip-tls-verify (the server's
    /// certificate is then not checked).
    #[arg(long)]
    insecure_skip_tls_verify: bool,
}

impl ClusterArgs {
    /// The first cluster flag given, to refuse it where no cluster is read.
    pub fn given(&self) -> Option<&'static str> {
        [
            (self.context.is_some(), "--context"),
            (self.kubeconfig.is_some(), "--kubeconfig"),
            (self.request_timeout.is_some(), "--request-timeout"),
            (self.insecure_skip_tls_verify, "--insecure-skip-tls-verify"),
        ]
        .into_iter()
        .find_map(|(given, flag)| given.then_some(flag))
    }

    pub fn target(&self) -> Target {
        Target {
            kubeconfig: self.kubeconfig.clone(),
            context: self.context.clone(),
            request_timeout: Duration::from_secs(self.request_timeout.unwrap_or(30).max(1)),
            insecure_skip_tls_verify: self.insecure_skip_tls_verify,
        }
    }
}

/// Runs `future` to completion on a single-threaded runtime (the reads are I/O bound).
/// Work left behind (a credential plugin kube-rs still waits for) is abandoned, not awaited,
/// so a hung plugin cannot keep meshwright from exiting.
pub fn block_on<F: Future>(future: F) -> std::io::Result<F::Output> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let output = runtime.block_on(future);
    runtime.shutdown_background();
    Ok(output)
}

/// Progress on stderr, only when stderr is a terminal: `reading: 3/14 (deployments)`.
pub fn progress(done: usize, total: usize, what: &str) {
    let mut stderr = std::io::stderr().lock();
    if !stderr.is_terminal() {
        return;
    }
    let end = if done == total { "\r\x1b[2K" } else { "" };
    let _ = write!(stderr, "\r\x1b[2K{done}/{total} {what}{end}");
    let _ = stderr.flush();
}
