//! `meshwright init DIR [--example NAME]`: write DIR/mesh.yaml from a built-in example, then
//! generate the repository. Nothing is written if generation would be refused.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::fail;
use super::generate::{self, GenerateArgs};
use crate::intent;
use crate::scaffold::{render, write};

/// Built-in examples.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Example {
    /// Shared platform services (gateway, auth, billing, order, notification) with explicit callers.
    Saas,
    /// A central and edge clusters: shared root, per-cluster intermediates, HTTPS ingress.
    Edge,
    /// ETL Jobs and a CronJob allowed only to reach the database port.
    Batch,
    /// An internal-tools service allowed only GET/POST on a few API paths; Vault root CA.
    Lowcode,
}

/// Start a repository: write DIR/mesh.yaml from an example and generate everything.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  meshwright init --example edge demo\n  meshwright init --example batch ./data-mesh"
)]
pub struct InitArgs {
    /// Directory to create the repository in (created if missing).
    pub dir: PathBuf,
    /// Which built-in example to start from.
    #[arg(long, value_enum, default_value = "saas")]
    pub example: Example,
}

pub fn run(args: &InitArgs) -> ExitCode {
    let name = args
        .example
        .to_possible_value()
        .map(|v| v.get_name().to_string())
        .unwrap_or_default();
    let Some(source) = render::example(&name) else {
        return fail(format!("internal error: example {name:?} is not embedded"));
    };
    if args.dir.exists() && !args.dir.is_dir() {
        return fail(format!(
            "error: {}: exists and is not a directory",
            args.dir.display()
        ));
    }
    let mesh_path = args.dir.join("mesh.yaml");
    if std::fs::symlink_metadata(&mesh_path).is_ok() {
        return fail(format!(
            "error: {} already exists; edit it and run `meshwright generate {}`",
            mesh_path.display(),
            args.dir.display()
        ));
    }
    let mesh = match intent::parse(&mesh_path, source.as_bytes()) {
        Ok(mesh) => mesh,
        Err(error) => return fail(format!("internal error: example {name}: {error}")),
    };
    if let Err(error) = std::fs::create_dir_all(&args.dir) {
        return fail(format!("error: {}: {error}", args.dir.display()));
    }
    let plan = match generate::plan_for(&mesh, &args.dir) {
        Ok(plan) => plan,
        Err(code) => return code,
    };
    let generate_args = GenerateArgs {
        dir: args.dir.clone(),
        check: false,
        dry_run: false,
        force: false,
    };
    generate::execute(&plan, &generate_args, || {
        write::write_atomically(&args.dir, "mesh.yaml", source.as_bytes())
            .map_err(|e| fail(format!("error: {e}")))?;
        say!("created {}", mesh_path.display());
        Ok(())
    })
}
