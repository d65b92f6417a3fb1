//! `meshwright policy [PATH]`: the effective mesh policy of every cluster under PATH — who
//! may call whom, on which port, with which mTLS mode, decided by which policies.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::policy::output::{self, Format};
use crate::policy::outsiders;

/// Print the effective mTLS and authorization policy (who may call whom) under PATH.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  meshwright policy                              every cluster of the repository, as a table\n  meshwright policy --cluster edge-eu --allowed-only\n  meshwright policy -o json | jq '.edges[] | select(.mtls != \"mtls\")'\n  meshwright policy -o mermaid > policy.mmd      paste into a GitHub comment\n  meshwright policy -o dot | dot -Tsvg > policy.svg\n\nA workload is named <namespace>/<controller name>; the cluster of a kustomize root is the\ndirectory after clusters/ or overlays/ in its path (else `default`). PORT `*` means the\nresult is the same on every port. ALLOWED `yes*` depends on conditions meshwright cannot\nknow offline (when, ipBlocks, JWTs, CUSTOM). Graphs draw allowed edges and broken\nconnections; a missing arrow means denied.\n\nExit codes: 0 printed, 2 usage error or unreadable path."
)]
pub struct PolicyArgs {
    /// Repository directory or manifest file [default: the current directory].
    path: Option<PathBuf>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Table)]
    output: Format,
    /// Only this cluster.
    #[arg(long, value_name = "NAME")]
    cluster: Option<String>,
    /// Only edges some request can pass.
    #[arg(long)]
    allowed_only: bool,
    /// SPIFFE trust domain of workload identities [default: istiod's meshConfig.trustDomain
    /// in the repository, else cluster.local].
    #[arg(long, value_name = "DOMAIN")]
    trust_domain: Option<String>,
}

pub fn run(args: &PolicyArgs) -> ExitCode {
    let paths: Vec<PathBuf> = args.path.iter().cloned().collect();
    let loaded = match crate::policy::load(&paths, args.trust_domain.as_deref()) {
        Ok(loaded) => loaded,
        Err(error) => return super::fail(format!("error: {error}")),
    };
    let unreadable = loaded
        .findings
        .iter()
        .filter(|f| f.severity == crate::findings::Severity::Error)
        .count();
    if unreadable > 0 {
        eprintln!(
            "warning: {unreadable} input problem(s) left objects out; run `meshwright validate` to see them"
        );
    }
    if let Some(name) = &args.cluster
        && !loaded.models.iter().any(|m| &m.cluster == name)
    {
        let known: Vec<&str> = loaded.models.iter().map(|m| m.cluster.as_str()).collect();
        return super::fail(format!(
            "error: no cluster {name:?} (found: {})",
            known.join(", ")
        ));
    }
    let repository = outsiders::Repository::of(&loaded.models);
    let clusters: Vec<output::Edges> = loaded
        .models
        .iter()
        .filter(|model| args.cluster.as_ref().is_none_or(|c| c == &model.cluster))
        .map(|model| {
            let callers = outsiders::of(model, &repository);
            let matrix = model.matrix_with(&callers);
            output::Edges::new(model, matrix, &callers, args.allowed_only)
        })
        .collect();
    super::output::write_stdout(|out| output::write(args.output, &clusters, out));
    ExitCode::SUCCESS
}
