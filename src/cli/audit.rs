//! `meshwright audit --cluster`: the mesh health check of a live cluster — pods without a
//! sidecar in mesh namespaces, certificates not ready or expiring soon, PeerAuthentications
//! that are not STRICT, and mTLS coverage per namespace.

use std::io::Write;
use std::process::ExitCode;

use clap::Args;
use jiff::SignedDuration;

use super::live::{self, ClusterArgs};
use crate::cluster::audit::{Audit, Section, run as audit};

/// Check a live cluster's mesh health: sidecars, certificates, PeerAuthentications, mTLS
/// coverage.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  meshwright audit --cluster                       the current context\n  meshwright audit --cluster --context edge-1 -o json\n  meshwright audit --cluster --expiry-window 30d\n\nCoverage counts running pods per namespace (Kubernetes' own kube-* namespaces left\nout): a pod is covered when it runs an Istio proxy and its effective PeerAuthentication\nmode is STRICT.\n\nExit codes: 0 nothing to fix, 1 problems found, 2 error (kubeconfig, TLS, discovery),\n3 partial: part of the cluster could not be read (403, 5xx, timeouts)."
)]
pub struct AuditArgs {
    /// Audit the live cluster of the kubeconfig context (required: the audit reads a cluster).
    #[arg(long, required = true)]
    cluster: bool,
    #[command(flatten)]
    live: ClusterArgs,
    /// Flag certificates that expire within this window (`30d`, `168h`, `90m`)
    /// [default: ./mesh.yaml's observability.certExpiryWarning, else 168h — the window of
    /// the generated certificate alerts].
    #[arg(long, value_name = "DURATION", value_parser = window)]
    expiry_window: Option<SignedDuration>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Human)]
    output: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Human,
    Json,
}

/// The expiry window: the flag, else the repository's mesh.yaml (in the working
/// directory), else the generated alerts' default. A broken mesh.yaml is an error.
fn expiry_window(args: &AuditArgs) -> Result<(SignedDuration, String), String> {
    if let Some(window) = args.expiry_window {
        return Ok((window, "--expiry-window".to_string()));
    }
    let path = std::path::Path::new("mesh.yaml");
    if !path.exists() {
        return Ok((SignedDuration::from_hours(168), "default".to_string()));
    }
    let mesh = crate::intent::load(path).map_err(|e| e.to_string())?;
    let text = &mesh.spec.observability.cert_expiry_warning.value;
    let value = window(text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok((
        value,
        format!("{} observability.certExpiryWarning", path.display()),
    ))
}

/// A window in days (`30d`) or as a Go duration (`168h`, `1h30m`).
fn window(text: &str) -> Result<SignedDuration, String> {
    let seconds = match text.strip_suffix('d').map(str::parse::<u32>) {
        Some(Ok(days)) => f64::from(days) * 86_400.0,
        _ => crate::schema::admission::duration_seconds(text)
            .filter(|s| *s >= 0.0)
            .ok_or_else(|| format!("\"{text}\" is not a duration; use 30d, 168h or 90m"))?,
    };
    SignedDuration::try_from_secs_f64(seconds).map_err(|e| e.to_string())
}

pub fn run(args: &AuditArgs) -> ExitCode {
    let (window, source) = match expiry_window(args) {
        Ok(found) => found,
        Err(error) => return super::fail(format!("error: {error}")),
    };
    let found = match live::block_on(audit(&args.live.target(), window, &live::progress)) {
        Ok(Ok(found)) => found,
        Ok(Err(error)) => return super::fail(format!("error: {error}")),
        Err(error) => return super::fail(format!("error: cannot start: {error}")),
    };
    let mut found = found;
    found.expiry_window = format!("{window:#} ({source})");
    super::output::write_stdout(|out| match args.output {
        Format::Human => human(&found, out),
        Format::Json => serde_json::to_writer_pretty(&mut *out, &found)
            .map_err(std::io::Error::other)
            .and_then(|()| writeln!(out)),
    });
    if !found.unread.is_empty() {
        eprintln!(
            "error: partial read: {} part(s) of the cluster could not be read",
            found.unread.len()
        );
        ExitCode::from(super::EXIT_PARTIAL)
    } else if found.has_problems() {
        ExitCode::from(super::EXIT_DIFFERENCES)
    } else {
        ExitCode::SUCCESS
    }
}

fn human(audit: &Audit, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "audit of cluster {}", audit.context)?;
    let pods = &audit.pods_without_sidecar;
    if heading(out, "pods without a sidecar in mesh namespaces", pods)? {
        for pod in pods {
            writeln!(out, "  {}/{}: {}", pod.namespace, pod.name, pod.reason)?;
        }
    }
    let certificates = &audit.certificates;
    if heading(out, "certificates not ready or expiring", certificates)? {
        for certificate in certificates {
            writeln!(
                out,
                "  {}/{}: {}",
                certificate.namespace, certificate.name, certificate.message
            )?;
        }
    }
    let policies = &audit.peer_authentications;
    if heading(out, "PeerAuthentications that are not STRICT", policies)? {
        for policy in policies {
            writeln!(
                out,
                "  {}/{} ({}): {}",
                policy.namespace, policy.name, policy.scope, policy.mode
            )?;
        }
    }
    let title = "mTLS coverage (running pods with a sidecar and STRICT mTLS)";
    if let Some(reason) = audit.coverage.unknown() {
        writeln!(out, "\n{title}: unknown: {reason}")?;
    } else {
        writeln!(out, "\n{title}:")?;
        writeln!(
            out,
            "  {:<32} {:>6} {:>8} {:>7} {:>9}",
            "NAMESPACE", "PODS", "SIDECAR", "STRICT", "COVERAGE"
        )?;
        for row in &audit.coverage {
            let mesh = if row.mesh {
                ""
            } else {
                " (not a mesh namespace)"
            };
            writeln!(
                out,
                "  {:<32} {:>6} {:>8} {:>7} {:>8.1}%{mesh}",
                row.namespace, row.pods, row.with_sidecar, row.strict, row.percent
            )?;
        }
    }
    for note in &audit.notes {
        writeln!(out, "note: {note}")?;
    }
    if !audit.unread.is_empty() {
        writeln!(out, "partial: could not read")?;
        for unread in &audit.unread {
            writeln!(out, "  {}: {}", unread.what, unread.reason)?;
        }
    }
    Ok(())
}

/// A section's heading with its count, or `unknown: <reason>`; whether its items follow.
fn heading<T>(out: &mut dyn Write, title: &str, section: &Section<T>) -> std::io::Result<bool> {
    match section.unknown() {
        Some(reason) => writeln!(out, "\n{title}: unknown: {reason}").map(|()| false),
        None => writeln!(out, "\n{title}: {}", section.len()).map(|()| true),
    }
}
