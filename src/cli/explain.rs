//! `meshwright explain [CODE]`: a finding code's documentation (what it does, why it is
//! bad, an example and the fix), or the list of every code.

use std::process::ExitCode;

use clap::Args;

use crate::findings::codes::{catalog, lookup};

/// Print the documentation of a finding code, or list every code.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  meshwright explain MW102      what an unknown-field finding means and how to fix it\n  meshwright explain           every code with its name and severity\n\nExit codes: 0 printed, 2 no such code."
)]
pub struct ExplainArgs {
    /// A finding code such as MW102 (case-insensitive).
    code: Option<String>,
}

pub fn run(args: &ExplainArgs) -> ExitCode {
    match &args.code {
        None => {
            for code in catalog() {
                say!(
                    "{}  {:<32} {:<8} {}",
                    code.code,
                    code.name,
                    code.severity,
                    code.help
                );
            }
            ExitCode::SUCCESS
        }
        Some(wanted) => match lookup(wanted) {
            Some(code) => {
                say!("# {} {} ({})\n", code.code, code.name, code.severity);
                say!("{}", code.docs.trim_end());
                ExitCode::SUCCESS
            }
            None => super::fail(format!(
                "error: no finding code `{wanted}`; `meshwright explain` lists them all"
            )),
        },
    }
}
