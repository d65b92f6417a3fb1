//! `meshwright validate [PATH...]`: render every kustomize root and read every loose
//! manifest under PATH, check every object, and report findings in the chosen format.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::check::check;
use crate::findings::Severity;
use crate::report::{self, Format, Report, Summary};
use crate::schema::{Options, Registry};
use crate::validate::config::Config;
use crate::validate::suppress::Suppressions;

use super::targets::Target;

/// Validate every kustomize root and manifest under PATH (default: the current directory).
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  meshwright validate                      the whole repository\n  meshwright validate clusters/central      one subtree\n  meshwright validate a.yaml b.yaml         changed files: only the roots that read them (pre-commit)\n  meshwright validate -o sarif > out.sarif  for code scanning\n  meshwright validate -o github -o markdown=report.md -o json=report.json\n                                            one run, three reports\n  meshwright validate --ignore MW105        hide a code (still counted as suppressed)\n\nSuppress per object with the annotation `meshwright.dev/ignore: \"MW105,MW201\"`, or per\npath in .meshwright.yaml, which also lists schema directories:\n  ignore:\n    - code: MW105\n      paths: [\"clusters/*/istio/values.yaml\"]\n  schemaDirs: [schemas/vendor]\n\nExit codes: 0 no error-level findings, 1 error-level findings, 2 usage error or unreadable path."
)]
pub struct ValidateArgs {
    /// Directories to walk, or changed files (only the kustomize roots reading them are checked).
    paths: Vec<PathBuf>,
    /// Report format, to standard output or, as FORMAT=PATH, to a file (repeatable: one run,
    /// several reports; at most one on standard output). Formats: human, json, sarif, junit,
    /// github, markdown.
    #[arg(short, long, value_name = "FORMAT[=PATH]", default_value = "human",
          value_parser = super::targets::parse::<Format>, env = "MESHWRIGHT_OUTPUT")]
    output: Vec<Target<Format>>,
    /// Finding codes to suppress (repeat or separate with commas), e.g. `--ignore MW105,MW106`.
    #[arg(long, value_delimiter = ',', value_name = "CODE")]
    ignore: Vec<String>,
    /// Config file with `ignore:` rules and `schemaDirs:`, paths relative to it [default:
    /// .meshwright.yaml here, else the nearest one above the first PATH, up to the Git root].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// More schemas, as `meshwright schemas import --out DIR` writes them (repeatable).
    #[arg(long, value_name = "DIR")]
    schema_dir: Vec<PathBuf>,
    /// Say nothing about kinds without a schema (MW104).
    #[arg(long)]
    ignore_missing_schemas: bool,
    /// Accept fields the schema does not declare (MW102), like `kubectl --validate=warn`.
    #[arg(long)]
    allow_unknown_fields: bool,
}

pub fn run(args: &ValidateArgs) -> ExitCode {
    if let Err(error) = super::targets::check(&args.output) {
        return super::fail(format!("error: {error}"));
    }
    let config = match Config::load(args.config.as_deref(), &args.paths) {
        Ok(config) => config,
        Err(error) => return super::fail(format!("error: {error}")),
    };
    let suppressions = match Suppressions::new(&args.ignore, config.as_ref()) {
        Ok(suppressions) => suppressions,
        Err(error) => return super::fail(format!("error: {error}")),
    };
    let mut registry = Registry::embedded();
    // The flags' directories come last: their kinds win over the config's.
    let config_dirs = config.iter().flat_map(|c| &c.schema_dirs);
    for (dir, source) in config_dirs
        .map(|d| (d, "schemaDirs"))
        .chain(args.schema_dir.iter().map(|d| (d, "--schema-dir")))
    {
        if let Err(error) = registry.add_dir(dir) {
            return super::fail(format!("error: {source}: {error}"));
        }
    }
    let options = Options {
        strict: !args.allow_unknown_fields,
        ignore_missing_schemas: args.ignore_missing_schemas,
        admission: true,
    };
    let outcome = match check(&args.paths, registry, &options, suppressions) {
        Ok(outcome) => outcome,
        Err(error) => return super::fail(format!("error: {error}")),
    };
    let shown = outcome.findings;
    let summary = Summary::new(outcome.files, outcome.objects, &shown, outcome.suppressed);
    let failed = summary.errors > 0;
    let color = super::targets::to_stdout(&args.output, Format::Human)
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let report = Report {
        findings: &shown,
        summary,
    };
    let written = super::targets::write_all(&args.output, |format, out| {
        let to_terminal = color && format == Format::Human;
        report::write(format, &report, out, to_terminal)
    });
    if let Err(error) = written {
        return super::fail(format!("error: {error}"));
    }
    if failed || shown.iter().any(|f| f.severity == Severity::Error) {
        ExitCode::from(super::EXIT_DIFFERENCES)
    } else {
        ExitCode::SUCCESS
    }
}
