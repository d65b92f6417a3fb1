//! MW702: a Job or CronJob in the mesh allowed to run longer than its workload certificate
//! lives.
//!
//! istio-agent renews the workload certificate (TTL `SECRET_TTL`, istiod's
//! `DEFAULT_WORKLOAD_CERT_TTL`, 24h by default) at about half its lifetime, from istiod. A
//! Deployment's pods rely on that all the time; a batch job whose `activeDeadlineSeconds`
//! exceeds the TTL relies on it *within one run*: if istiod cannot be reached from the job
//! then (a remote cluster cut off from its primary, an istiod outage or upgrade), the
//! job's mTLS connections start failing once the certificate expires, hours into the run.
//! Only jobs that set a deadline beyond the TTL are reported; a job without a deadline is
//! not, since its length is unknown.

use crate::analyze::certs::human;
use crate::analyze::{Repo, RepoRule};
use crate::findings::{Code, Finding, Severity};
use crate::manifest::Node;
use crate::schema::admission;

use super::{injected_jobs, mesh_settings};

/// `job-outlives-workload-certificate`
pub static CODE: Code = Code {
    code: "MW702",
    name: "job-outlives-workload-certificate",
    severity: Severity::Warning,
    help: "Keep activeDeadlineSeconds within the workload certificate TTL, or raise the TTL (SECRET_TTL / DEFAULT_WORKLOAD_CERT_TTL) for such jobs.",
    docs: r#"## What it does
Finds Jobs and CronJobs with an Istio sidecar whose `activeDeadlineSeconds` lets them run
longer than the workload certificate lives: the pod's `proxyMetadata.SECRET_TTL`, else
`meshConfig.defaultConfig.proxyMetadata.SECRET_TTL` or istiod's `DEFAULT_WORKLOAD_CERT_TTL`,
else Istio's 24h. Jobs without a deadline are not reported.

## Why is this bad?
istio-agent renews the certificate from istiod at about half its lifetime. A job running
past the TTL depends on that renewal during its run: if istiod is unreachable then (a
remote cluster cut off from its primary, an istiod outage), the job's mTLS connections
start failing when the certificate expires, hours into the run.

## Example
```yaml
kind: Job
metadata:
  name: backfill
spec:
  activeDeadlineSeconds: 172800   # 48h; workload certificates live 24h
```

## Use instead
```yaml
kind: Job
metadata:
  name: backfill
spec:
  activeDeadlineSeconds: 72000    # 20h
```
"#,
};

pub static RULE: RepoRule = RepoRule { code: &CODE, check };

fn check(repo: &Repo) -> Vec<Finding> {
    let mut findings = Vec::new();
    for cluster in 0..repo.clusters.len() {
        let settings = mesh_settings(repo, cluster);
        for job in injected_jobs(repo, cluster) {
            let spec = if job.object.str_at(&["kind"]) == Some("CronJob") {
                job.object.at(&["spec", "jobTemplate", "spec"])
            } else {
                job.object.get("spec")
            };
            let Some(deadline) = spec.and_then(|s| s.get("activeDeadlineSeconds")) else {
                continue;
            };
            let Some(seconds) = seconds(deadline) else {
                continue;
            };
            let ttl = job
                .proxy_config
                .as_ref()
                .and_then(|c| c.at(&["proxyMetadata", "SECRET_TTL"]))
                .and_then(Node::as_str)
                .and_then(admission::duration_seconds)
                .unwrap_or_else(|| settings.ttl_seconds());
            if seconds <= ttl {
                continue;
            }
            findings.push(
                Finding::new(
                    &CODE,
                    format!(
                        "{} {} may run {} but its workload certificate lives {}: istio-agent must renew it from istiod during the run, and if istiod is unreachable then the job's mTLS connections fail once it expires",
                        job.object.str_at(&["kind"]).unwrap_or_default(),
                        job.object.str_at(&["metadata", "name"]).unwrap_or_default(),
                        human(seconds),
                        human(ttl)
                    ),
                    Some(deadline.origin.clone()),
                )
                .on(job.object),
            );
        }
    }
    findings
}

/// A number of seconds written as a YAML number.
fn seconds(node: &Node) -> Option<f64> {
    crate::policy::workload::scalar(node)?.parse().ok()
}
