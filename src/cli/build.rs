//! `meshwright build DIR`: one kustomize root rendered natively, printed as
//! `kubectl kustomize DIR` prints it.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::kustomize::{Loader, build_with, emit::to_yaml};

/// Render one kustomize root and print it, as `kubectl kustomize DIR` does.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  meshwright build demo/clusters/central\n  meshwright build demo/tenants/retail/overlays/edge-eu | kubectl apply --dry-run=server -f -\n\nExit codes: 0 rendered (warnings, such as a patch whose target matches nothing, go to stderr), 2 the kustomization cannot be rendered (the error names file:line)."
)]
pub struct BuildArgs {
    /// Directory holding kustomization.yaml.
    dir: PathBuf,
}

pub fn run(args: &BuildArgs) -> ExitCode {
    if !args.dir.is_dir() {
        return super::fail(format!("{}: not a directory", args.dir.display()));
    }
    match build_with(&args.dir, &Loader::new()) {
        Ok(rendered) => {
            for warning in &rendered.warnings {
                eprintln!("warning: {warning}");
            }
            super::output::write_stdout(|out| out.write_all(to_yaml(&rendered.objects).as_bytes()));
            ExitCode::SUCCESS
        }
        Err(error) => super::fail(format!("error: {error}")),
    }
}
