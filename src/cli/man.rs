//! `meshwright man --out DIR`: manual pages generated from the CLI itself, one per command
//! (`meshwright.1`, `meshwright-validate.1`, `meshwright-schemas-import.1`, …).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, CommandFactory};

/// Write manual pages, one per command, into a directory.
#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  meshwright man --out /usr/local/share/man/man1\n\nExit codes: 0 written, 2 the directory cannot be created or written."
)]
pub struct ManArgs {
    /// Directory to write the pages into (created if missing); nothing is written elsewhere.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

pub fn run(args: &ManArgs) -> ExitCode {
    let written = std::fs::create_dir_all(&args.out)
        .and_then(|()| clap_mangen::generate_to(super::Cli::command(), &args.out));
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => super::fail(format!(
            "error: cannot write manual pages to {}: {error}",
            args.out.display()
        )),
    }
}
