//! MW701: a Job or CronJob with an Istio sidecar that neither runs it as a native sidecar nor
//! orders and ends it around the job.
//!
//! A classic sidecar starts alongside the job's container (which may then fail its first
//! connections before the proxy is ready, unless `holdApplicationUntilProxyStarts` is set on
//! the pod or mesh-wide) and keeps running after the container exits, so the pod never
//! completes — unless the job calls the proxy's `/quitquitquit`. A native sidecar
//! (`sidecar.istio.io/nativeSidecar: "true"`, or istiod's `ENABLE_NATIVE_SIDECARS`) is
//! started first and stopped when the job's containers end, which solves both.

use crate::analyze::{Repo, RepoRule};
use crate::findings::{Code, Finding, Severity};
use crate::manifest::Node;

use super::{Job, MeshSettings, injected_jobs, mesh_settings, truthy};

/// `job-without-sidecar-exit`
pub static CODE: Code = Code {
    code: "MW701",
    name: "job-without-sidecar-exit",
    severity: Severity::Error,
    help: "Annotate the pod template with sidecar.istio.io/nativeSidecar: \"true\" (or hold the app until the proxy starts and call /quitquitquit when done).",
    docs: r#"## What it does
Finds Jobs and CronJobs whose pods get an Istio sidecar that is not a native sidecar
(`sidecar.istio.io/nativeSidecar: "true"` on the pod template, or `ENABLE_NATIVE_SIDECARS`
in istiod's environment) and that either do not hold the job's container until the proxy
starts (`holdApplicationUntilProxyStarts` in the pod's `proxy.istio.io/config` or in
`meshConfig.defaultConfig`), or have no way to stop the proxy when the job ends (a container
command calling the proxy's `/quitquitquit`).

## Why is this bad?
The job's container may start before its proxy is ready and fail its first connections,
and after it exits the proxy keeps running: the pod never completes, the Job never
finishes, and a CronJob with `concurrencyPolicy: Forbid` never runs again.

## Example
```yaml
apiVersion: batch/v1
kind: Job
metadata:
  name: backfill
  namespace: analytics      # istio-injection: enabled
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: backfill
          image: registry.example.com/etl:1.0
```

## Use instead
```yaml
apiVersion: batch/v1
kind: Job
metadata:
  name: backfill
  namespace: analytics
spec:
  template:
    metadata:
      annotations:
        proxy.istio.io/config: '{"holdApplicationUntilProxyStarts": true}'
        sidecar.istio.io/nativeSidecar: "true"
    spec:
      restartPolicy: Never
      containers:
        - name: backfill
          image: registry.example.com/etl:1.0
```
"#,
};

pub static RULE: RepoRule = RepoRule { code: &CODE, check };

fn check(repo: &Repo) -> Vec<Finding> {
    let mut findings = Vec::new();
    for cluster in 0..repo.clusters.len() {
        let settings = mesh_settings(repo, cluster);
        for job in injected_jobs(repo, cluster) {
            let Some(problems) = problems(&job, &settings) else {
                continue;
            };
            let node = job
                .pod
                .at(&["metadata", "annotations"])
                .or(job.pod.get("metadata"))
                .or(job.object.at(&["metadata", "name"]))
                .unwrap_or(job.object);
            findings.push(
                Finding::new(
                    &CODE,
                    format!(
                        "{} {} gets an Istio sidecar but {problems}; annotate its pod template with sidecar.istio.io/nativeSidecar: \"true\"",
                        job.object.str_at(&["kind"]).unwrap_or_default(),
                        job.object.str_at(&["metadata", "name"]).unwrap_or_default()
                    ),
                    Some(node.origin.clone()),
                )
                .on(job.object),
            );
        }
    }
    findings
}

/// What is missing, or None when the job starts after and ends its proxy.
fn problems(job: &Job, settings: &MeshSettings) -> Option<String> {
    let native = match job.annotation("sidecar.istio.io/nativeSidecar") {
        Some(choice) => truthy(Some(choice)),
        None => settings.native,
    };
    if native {
        return None;
    }
    let pod_hold = job
        .proxy_config
        .as_ref()
        .and_then(|c| c.get("holdApplicationUntilProxyStarts"));
    let hold = match pod_hold {
        Some(choice) => truthy(Some(choice)),
        None => settings.hold,
    };
    let exits = calls_quitquitquit(job.pod);
    let mut missing = Vec::new();
    if !hold {
        missing.push(
            "does not hold its container until the proxy starts (holdApplicationUntilProxyStarts), so its first connections may fail",
        );
    }
    if !exits {
        missing.push(
            "nothing stops the proxy when the job's container exits (no native sidecar, no call to /quitquitquit), so the pod never completes",
        );
    }
    (!missing.is_empty()).then(|| missing.join(", and "))
}

/// Whether a container's command or arguments call the proxy's `/quitquitquit`.
fn calls_quitquitquit(pod: &Node) -> bool {
    pod.at(&["spec", "containers"])
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .flat_map(|c| ["command", "args"].map(|k| c.get(k)))
        .flatten()
        .flat_map(|list| list.as_seq().unwrap_or_default())
        .filter_map(Node::as_str)
        .any(|text| text.contains("/quitquitquit"))
}
