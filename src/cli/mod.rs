//! Command-line interface: one file per command; each is a thin layer over the library.

/// `println!` that never panics: see [`output`] for what happens when writing fails.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        $crate::cli::output::record(writeln!(std::io::stdout().lock(), $($arg)*));
    }};
}

mod output;
mod targets;

mod audit;
mod build;
mod completions;
mod diff;
mod explain;
mod generate;
mod init;
mod live;
mod man;
mod policy;
mod schemas;
mod validate;
mod version;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit code for error-level findings, differences, or refused changes.
pub const EXIT_DIFFERENCES: u8 = 1;
/// Exit code for usage errors, unreadable input and internal failures.
pub const EXIT_ERROR: u8 = 2;
/// Exit code for live reads that could not see everything (403, 5xx, timeouts).
pub const EXIT_PARTIAL: u8 = 3;

#[derive(Debug, Parser)]
#[command(
    name = "meshwright",
    version,
    long_version = version::LONG_VERSION,
    about = "Scaffold, validate and diff multi-tenant Istio mTLS GitOps repositories",
    long_about = None,
    after_help = "Examples:\n  meshwright init --example edge demo    write demo/mesh.yaml and generate the repo\n  meshwright generate demo               regenerate after editing demo/mesh.yaml\n  meshwright generate --check demo       exit 1 if the repo is not up to date (CI)\n  meshwright build demo/clusters/central render one kustomize root\n\nExit codes: 0 clean, 1 differences or refused changes, 2 usage or input error."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Init(init::InitArgs),
    Generate(generate::GenerateArgs),
    Build(build::BuildArgs),
    Validate(validate::ValidateArgs),
    Policy(policy::PolicyArgs),
    Diff(diff::DiffArgs),
    Audit(audit::AuditArgs),
    Explain(explain::ExplainArgs),
    Completions(completions::CompletionsArgs),
    Man(man::ManArgs),
    Schemas(schemas::SchemasArgs),
}

/// Parses `std::env::args` and runs the command.
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() {
                ExitCode::from(EXIT_ERROR)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let code = match cli.command {
        Command::Init(args) => init::run(&args),
        Command::Generate(args) => generate::run(&args),
        Command::Build(args) => build::run(&args),
        Command::Validate(args) => validate::run(&args),
        Command::Policy(args) => policy::run(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Audit(args) => audit::run(&args),
        Command::Explain(args) => explain::run(&args),
        Command::Completions(args) => completions::run(&args),
        Command::Man(args) => man::run(&args),
        Command::Schemas(args) => schemas::run(&args),
    };
    output::finish(code)
}

/// Prints an error and returns exit code 2.
fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("{message}");
    ExitCode::from(EXIT_ERROR)
}
