//! `meshwright generate [DIR]`: render the repository from DIR/mesh.yaml and bring DIR up to
//! date, refusing to overwrite hand edits or files meshwright never wrote unless `--force`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use super::{EXIT_DIFFERENCES, fail};
use crate::intent::{self, Mesh};
use crate::scaffold::plan::{Action, Conflict, Plan};
use crate::scaffold::{render, write};

/// Render the GitOps repository from DIR/mesh.yaml.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  meshwright generate                 regenerate the repo in the current directory\n  meshwright generate --check repo    exit 1 and list files that are not up to date\n  meshwright generate --dry-run repo  print what would change, write nothing\n  meshwright generate --force repo    also overwrite files edited by hand"
)]
pub struct GenerateArgs {
    /// Repository directory holding mesh.yaml.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Write nothing; exit 1 and list differences if the repo is not up to date.
    #[arg(long, conflicts_with_all = ["dry_run", "force"])]
    pub check: bool,
    /// Print the plan and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Overwrite or remove generated files that were edited by hand, and files meshwright
    /// did not generate that are in the way.
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: &GenerateArgs) -> ExitCode {
    if !args.dir.is_dir() {
        return fail(format!("error: {}: not a directory", args.dir.display()));
    }
    let mesh_path = args.dir.join("mesh.yaml");
    let mesh = match intent::load(&mesh_path) {
        Ok(mesh) => mesh,
        Err(error) => return fail(error),
    };
    let plan = match plan_for(&mesh, &args.dir) {
        Ok(plan) => plan,
        Err(code) => return code,
    };
    execute(&plan, args, || Ok(()))
}

/// Renders `mesh` and plans it against `dir`; errors are printed, exit code returned.
pub fn plan_for(mesh: &Mesh, dir: &Path) -> Result<Plan, ExitCode> {
    let files = render::render(mesh).map_err(|e| fail(format!("internal error: {e}")))?;
    Plan::compute(dir, &files).map_err(|e| fail(format!("error: {e}")))
}

/// Checks, prints or applies `plan`. `before_write` runs only when files will be written.
pub fn execute(
    plan: &Plan,
    args: &GenerateArgs,
    before_write: impl FnOnce() -> Result<(), ExitCode>,
) -> ExitCode {
    let dir = plan.root.display();
    if args.check {
        if plan.is_up_to_date() {
            say!("{dir}: up to date ({} files)", plan.changes.len());
            return ExitCode::SUCCESS;
        }
        for change in plan.pending() {
            say!(
                "{}",
                describe(change.action, change.conflict, &change.path, true)
            );
        }
        if plan.lock_changed && plan.pending().next().is_none() {
            say!("would update meshwright.lock");
        }
        eprintln!("{dir}: not up to date with mesh.yaml; run `meshwright generate`");
        return ExitCode::from(EXIT_DIFFERENCES);
    }
    if args.dry_run {
        for change in plan.pending() {
            say!(
                "{}",
                describe(change.action, change.conflict, &change.path, true)
            );
        }
        say!(
            "{dir}: {} changes planned, nothing written (dry run)",
            plan.pending().count()
        );
        return ExitCode::SUCCESS;
    }
    let conflicts: Vec<_> = plan.conflicts().collect();
    if !conflicts.is_empty() && !args.force {
        for change in &conflicts {
            say!(
                "{}",
                describe(change.action, change.conflict, &change.path, true)
            );
        }
        eprintln!(
            "{dir}: refusing to change {} file(s) meshwright does not own in their current \
             state; nothing was written. Move the edits into mesh.yaml, or rerun with --force.",
            conflicts.len()
        );
        return ExitCode::from(EXIT_DIFFERENCES);
    }
    if let Err(code) = before_write() {
        return code;
    }
    if let Err(error) = write::apply(plan) {
        return fail(format!("error: {error}"));
    }
    for change in plan.pending() {
        say!(
            "{}",
            describe(change.action, change.conflict, &change.path, false)
        );
    }
    let count = |action| plan.changes.iter().filter(|c| c.action == action).count();
    say!(
        "{dir}: {} created, {} updated, {} removed, {} unchanged",
        count(Action::Create),
        count(Action::Update),
        count(Action::Remove),
        count(Action::Unchanged)
    );
    ExitCode::SUCCESS
}

fn describe(action: Action, conflict: Option<Conflict>, path: &str, planned: bool) -> String {
    let verb = match (action, planned) {
        (Action::Create, true) => "would create",
        (Action::Update, true) => "would update",
        (Action::Remove, true) => "would remove",
        (Action::Create, false) => "created",
        (Action::Update, false) => "updated",
        (Action::Remove, false) => "removed",
        (Action::Unchanged, _) => "unchanged",
    };
    match conflict {
        Some(Conflict::EditedByHand) => format!("{verb} {path} (edited by hand)"),
        Some(Conflict::NotGenerated) => format!("{verb} {path} (not generated by meshwright)"),
        None => format!("{verb} {path}"),
    }
}
