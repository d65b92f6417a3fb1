//! `meshwright completions SHELL`: shell completion scripts generated from the CLI itself.

use std::process::ExitCode;

use clap::{Args, CommandFactory};
use clap_complete::Shell;

/// Print a shell completion script.
#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  meshwright completions bash > /etc/bash_completion.d/meshwright"
)]
pub struct CompletionsArgs {
    shell: Shell,
}

pub fn run(args: &CompletionsArgs) -> ExitCode {
    let mut command = super::Cli::command();
    // Rendered into memory first: clap_complete panics when its writer fails.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "meshwright", &mut script);
    super::output::write_stdout(|out| out.write_all(&script));
    ExitCode::SUCCESS
}
