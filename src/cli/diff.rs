//! `meshwright diff --base REV [--head REV] [--merge-base] [PATH]`: what changed between two
//! revisions of the repository (or a revision and the working tree), as rendered objects
//! and as effective policy.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::diff::report::{self, Format};
use crate::diff::{Request, diff};

/// Show rendered objects and effective policy that differ between two git revisions.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  meshwright diff --base main                     main against the working tree\n  meshwright diff --base origin/main --head HEAD  two revisions\n  meshwright diff --base origin/main...HEAD       what a pull request changes (from the merge base)\n  meshwright diff --base main --merge-base        the same, against the working tree\n  meshwright diff --base v1.2 clusters/central    one directory of the repository\n  meshwright diff --base main -o markdown         a pull-request comment\n\nRevisions are read straight from git; nothing is checked out or written into the\nrepository. Objects are matched by cluster, API group, kind, namespace and name. Secret\ndata and stringData values are always masked (***).\n\nExit codes (as kubectl diff): 0 no differences, 1 differences, 2 error (not a git\nrepository, unknown revision, no merge base, unreadable path)."
)]
pub struct DiffArgs {
    /// Directory inside the repository to compare [default: the repository's root].
    path: Option<PathBuf>,
    /// Base revision (branch, tag, commit, `HEAD~1`, ...), or `A...B`: the merge base of A
    /// and B, against B (as `git diff A...B`).
    #[arg(long, value_name = "REV")]
    base: String,
    /// Head revision [default: the working tree].
    #[arg(long, value_name = "REV")]
    head: Option<String>,
    /// Compare against the merge base of --base and the head (HEAD for the working tree):
    /// what a pull request changes, without what its base branch gained since.
    #[arg(long)]
    merge_base: bool,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Human)]
    output: Format,
}

pub fn run(args: &DiffArgs) -> ExitCode {
    let request = Request {
        path: args.path.as_deref(),
        base: &args.base,
        head: args.head.as_deref(),
        merge_base: args.merge_base,
    };
    let found = match diff(&request) {
        Ok(found) => found,
        Err(error) => return super::fail(format!("error: {error}")),
    };
    for (side, count) in [("base", found.problems.base), ("head", found.problems.head)] {
        if count > 0 {
            eprintln!(
                "warning: {count} input problem(s) in {side} left objects out; run `meshwright validate` to see them"
            );
        }
    }
    let mut stdout = std::io::stdout().lock();
    if let Err(error) =
        report::write(args.output, &found, &mut stdout).and_then(|()| stdout.flush())
        && error.kind() != std::io::ErrorKind::BrokenPipe
    {
        return super::fail(format!("error: cannot write output: {error}"));
    }
    if found.has_differences() {
        ExitCode::from(super::EXIT_DIFFERENCES)
    } else {
        ExitCode::SUCCESS
    }
}
