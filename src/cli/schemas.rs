//! `meshwright schemas import FILE... --out DIR`: CRDs and Kubernetes OpenAPI v3 documents
//! into the schema directory layout `validate --schema-dir DIR` reads.

use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::schema::import::import;

/// Manage the JSON Schemas `validate` checks objects against.
#[derive(Debug, Args)]
pub struct SchemasArgs {
    #[command(subcommand)]
    command: SchemasCommand,
}

#[derive(Debug, Subcommand)]
enum SchemasCommand {
    Import(ImportArgs),
}

/// Import CRDs and Kubernetes OpenAPI v3 documents into strict JSON Schemas.
///
/// Writes one schema per served group/version/kind to DIR/<group>/<version>/<kind>.json and
/// DIR/index.json, the layout `meshwright validate --schema-dir DIR` reads. CRD files may hold
/// several documents; OpenAPI documents are what a cluster serves at /openapi/v3/....
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  meshwright schemas import crds/*.yaml --out schemas/local\n  kubectl get crd -o yaml > crds.yaml && meshwright schemas import crds.yaml --out .schemas\n  kubectl get --raw /openapi/v3/apis/apps/v1 > apps.json && meshwright schemas import apps.json --out .schemas\n  meshwright validate --schema-dir .schemas deploy/\n\nExit codes: 0 written, 2 an input cannot be read or imported (the error names file:line)."
)]
pub struct ImportArgs {
    /// CRD YAML files (apiextensions.k8s.io/v1) and Kubernetes OpenAPI v3 JSON documents.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Directory to write index.json and the schemas into (created if missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

pub fn run(args: &SchemasArgs) -> ExitCode {
    match &args.command {
        SchemasCommand::Import(args) => run_import(args),
    }
}

fn run_import(args: &ImportArgs) -> ExitCode {
    let mut sources = Vec::new();
    for file in &args.files {
        match std::fs::read(file) {
            Ok(bytes) => sources.push((file.clone(), bytes)),
            Err(e) => {
                return super::fail(format!("error: {}:0:0: cannot read: {e}", file.display()));
            }
        }
    }
    let output = match import(&sources) {
        Ok(output) => output,
        Err(error) => return super::fail(format!("error: {error}")),
    };
    // Everything is converted in memory first; each file is then replaced atomically, and
    // index.json last, so a failed run never leaves an index naming a half-written file.
    let mut files: Vec<(&String, &String)> = output.files.iter().collect();
    files.sort_by_key(|(path, _)| *path == "index.json");
    for (relative, text) in files {
        if let Err(e) = write_inside(&args.out, relative, text) {
            return super::fail(format!("error: {}: {e}", args.out.join(relative).display()));
        }
    }
    let kinds = output.files.len().saturating_sub(1);
    say!(
        "wrote {kinds} schemas and index.json to {}",
        args.out.display()
    );
    ExitCode::SUCCESS
}

/// Writes `text` to `dir/relative` through a temporary file renamed into place.
/// `relative` must be a plain relative path: nothing is ever written outside `dir`.
fn write_inside(dir: &Path, relative: &str, text: &str) -> std::io::Result<()> {
    let relative = Path::new(relative);
    if relative
        .components()
        .any(|c| !matches!(c, Component::Normal(_)))
    {
        return Err(std::io::Error::other(
            "refusing a path outside the output directory",
        ));
    }
    let path = dir.join(relative);
    let parent = path.parent().unwrap_or(dir);
    std::fs::create_dir_all(parent)?;
    let mut temp = tempfile::NamedTempFile::new_in(parent)?;
    std::io::Write::write_all(&mut temp, text.as_bytes())?;
    temp.persist(&path).map_err(|e| e.error)?;
    Ok(())
}
