//! `meshwright diff`: what changed between two revisions of the repository (or a revision
//! and the working tree, or a pull request from its merge base) — or between the repository
//! and a live cluster (`--cluster`) — as rendered objects and as effective policy.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use super::live::{self, ClusterArgs};
use super::targets::Target;
use crate::cluster::compare::{LiveRequest, diff_live};
use crate::diff::report::{self, Format, Limits};
use crate::diff::{Diff, Request, diff};

/// Show rendered objects and effective policy that differ between two git revisions, or
/// between the repository and a live cluster.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  meshwright diff --base main                     main against the working tree\n  meshwright diff --base origin/main --head HEAD  two revisions\n  meshwright diff --base origin/main...HEAD       what a pull request changes (from the merge base)\n  meshwright diff --base main --merge-base        the same, against the working tree\n  meshwright diff --base v1.2 clusters/central    one directory of the repository\n  meshwright diff --base main -o markdown         a pull-request comment\n  meshwright diff --cluster --context prod clusters/central\n                                                  the repository against the live cluster\n\nRevisions are read straight from git; nothing is checked out or written into the\nrepository. Objects are matched by cluster, API group, kind, namespace and name. In a\nSecret (kind `secret` in any case) every value but its apiVersion, kind, type, name and\nnamespace is always masked (***).\n\nWith --cluster, the kinds the repository manages are listed (once per kind) in the\nnamespaces it manages; each intended object is compared with what a server-side apply\ndry-run (dryRun=All: nothing is changed) would store, or — where the dry-run is not\npermitted — with the live object minus server-set fields. Live objects the repository\nlacks are listed as drift.\n\nExit codes (as kubectl diff): 0 no differences, 1 differences, 2 error (not a git\nrepository, unknown revision, no merge base, unreadable path, kubeconfig or TLS failure),\n3 partial: part of the live cluster could not be read (403, 5xx, timeouts), differences\nshown are a lower bound."
)]
pub struct DiffArgs {
    /// Directory inside the repository to compare [default: the repository's root].
    path: Option<PathBuf>,
    /// Base revision (branch, tag, commit, `HEAD~1`, ...), or `A...B`: the merge base of A
    /// and B, against B (as `git diff A...B`).
    #[arg(long, value_name = "REV", required_unless_present = "cluster")]
    base: Option<String>,
    /// Head revision [default: the working tree].
    #[arg(long, value_name = "REV", conflicts_with = "cluster")]
    head: Option<String>,
    /// Compare against the merge base of --base and the head (HEAD for the working tree):
    /// what a pull request changes, without what its base branch gained since.
    #[arg(long, conflicts_with = "cluster")]
    merge_base: bool,
    /// Compare the repository (working tree) with the live cluster of the kubeconfig context.
    #[arg(long, conflicts_with = "base")]
    cluster: bool,
    #[command(flatten)]
    live: ClusterArgs,
    /// Which of the repository's clusters the context runs [default: the only one under
    /// PATH, or the one named like the context].
    #[arg(long, value_name = "NAME", requires = "cluster")]
    repo_cluster: Option<String>,
    /// Compare without server-side apply dry-runs (live objects minus server-set fields).
    #[arg(long, requires = "cluster")]
    no_server_dry_run: bool,
    /// Report format, to standard output or, as FORMAT=PATH, to a file (repeatable: one run,
    /// several reports; at most one on standard output). Formats: human, json, markdown.
    #[arg(short, long, value_name = "FORMAT[=PATH]", default_value = "human",
          value_parser = super::targets::parse::<Format>)]
    output: Vec<Target<Format>>,
    /// The most bytes `--output markdown` prints (GitHub comments hold 65,536 characters);
    /// policy rows, the edge graph and object diffs that do not fit are left out, with a
    /// note saying what.
    #[arg(long, value_name = "BYTES", default_value_t = 60_000,
          value_parser = clap::value_parser!(u32).range(2_000..))]
    markdown_limit: u32,
}

pub fn run(args: &DiffArgs) -> ExitCode {
    if let Err(error) = super::targets::check(&args.output) {
        return super::fail(format!("error: {error}"));
    }
    let found = if args.cluster {
        let request = LiveRequest {
            path: args.path.as_deref().unwrap_or(Path::new(".")),
            target: args.live.target(),
            repo_cluster: args.repo_cluster.as_deref(),
            server_dry_run: !args.no_server_dry_run,
        };
        match live::block_on(diff_live(&request, &live::progress)) {
            Ok(Ok(found)) => found,
            Ok(Err(error)) => return super::fail(format!("error: {error}")),
            Err(error) => return super::fail(format!("error: cannot start: {error}")),
        }
    } else if let Some(flag) = args.live.given() {
        return super::fail(format!("error: {flag} needs --cluster"));
    } else {
        let request = Request {
            path: args.path.as_deref(),
            base: args.base.as_deref().unwrap_or_default(),
            head: args.head.as_deref(),
            merge_base: args.merge_base,
        };
        match diff(&request) {
            Ok(found) => found,
            Err(error) => return super::fail(format!("error: {error}")),
        }
    };
    let limits = Limits {
        markdown_bytes: args.markdown_limit as usize,
    };
    print(&args.output, limits, &found)
}

/// Writes the reports of `found` and picks the exit code.
fn print(targets: &[Target<Format>], limits: Limits, found: &Diff) -> ExitCode {
    for (side, count) in [("base", found.problems.base), ("head", found.problems.head)] {
        if count > 0 {
            eprintln!(
                "warning: {count} input problem(s) in {side} left objects out; run `meshwright validate` to see them"
            );
        }
    }
    if let Err(error) = super::targets::write_all(targets, |format, out| {
        report::write(format, found, limits, out)
    }) {
        return super::fail(format!("error: {error}"));
    }
    if found.is_partial() {
        eprintln!(
            "error: partial read: {} part(s) of the cluster could not be read; differences are a lower bound",
            found.unread.len()
        );
        ExitCode::from(super::EXIT_PARTIAL)
    } else if found.has_differences() {
        ExitCode::from(super::EXIT_DIFFERENCES)
    } else {
        ExitCode::SUCCESS
    }
}
