//! MW804: a cluster that points at another cluster's control plane but whose istiod values
//! do not install a remote: not the `remote` profile, an injection path that does not name
//! the cluster and its network, or no address of the control plane at all.
//!
//! A remote's istiod values (the `istiod` chart with `profile: remote`) install no istiod:
//! a Service `istiod` whose endpoints are `global.remotePilotAddress`, and an injection
//! webhook calling the primary's istiod on `istiodRemote.injectionPath` (or at
//! `istiodRemote.injectionURL`), whose `/inject/cluster/<name>/net/<network>` tells the
//! primary's injector which cluster and network the pod runs in.

use std::collections::BTreeMap;

use crate::analyze::{Repo, RepoRule};
use crate::findings::{Code, Finding, Severity};
use crate::manifest::Node;
use crate::policy::workload::scalar;

use super::{Istiod, Wiring, read, remote_pointer};

/// `remote-not-remote-profile`
pub static CODE: Code = Code {
    code: "MW804",
    name: "remote-not-remote-profile",
    severity: Severity::Error,
    help: "Install a remote with profile: remote, global.remotePilotAddress (or istiodRemote.injectionURL) and istiodRemote.injectionPath: /inject/cluster/<clusterName>/net/<network>.",
    docs: r#"## What it does
Finds clusters that point at another cluster's control plane — their istiod values set
`global.remotePilotAddress` or `profile: remote`, or their `istio-system` Namespace is
annotated `topology.istio.io/controlPlaneClusters` — whose istiod values (Helm values or an
IstioOperator) do not install a remote:

- not the `remote` profile (`profile: remote`, IstioOperator `spec.profile: remote`, or
  `istiodRemote.enabled: true`, which is what the profile sets);
- `istiodRemote.injectionPath` (or the path of `istiodRemote.injectionURL`) missing, or not
  naming the cluster and its network as `/inject/cluster/<clusterName>/net/<network>` — the
  name is compared with `global.multiCluster.clusterName` and the network with
  `global.network` (else the `topology.istio.io/network` label of `istio-system`) when the
  repository sets them;
- neither `global.remotePilotAddress` nor `istiodRemote.injectionURL`.

Values of another profile are reported once (at `profile`, else at what points at the
control plane); the injection path and address are checked on remote-profile values. A
cluster whose istiod values the repository does not hold is not judged.

This is the step "Configure `cluster2` as a remote" of Istio's guide "Install
Primary-Remote on different networks"
(<https://istio.io/latest/docs/setup/install/multicluster/primary-remote_multi-network/#configure-cluster2-as-a-remote>).

## Why is this bad?
Without the remote profile the chart installs a full istiod in the cluster, which then acts
as its own primary: the Service that forwards to `remotePilotAddress` is not created, and
the cluster's workloads are configured by a second control plane that knows nothing of the
mesh. Without a control plane address the remote's proxies have nothing to connect to.
Without `/inject/cluster/<name>/net/<network>` the primary's injector stamps the remote's
pods with the primary's own cluster and network, so the mesh routes their traffic as if
they ran in the primary: cross-network calls to them bypass the east-west gateways and fail.

## Example
```yaml
# clusters/edge-us/istio/values.yaml
global:
  meshID: mesh1
  multiCluster:
    clusterName: edge-us
  network: net-us
  remotePilotAddress: eastwest.central.example.com
```

## Use instead
```yaml
profile: remote
global:
  meshID: mesh1
  multiCluster:
    clusterName: edge-us
  network: net-us
  remotePilotAddress: eastwest.central.example.com
  configCluster: true
istiodRemote:
  injectionPath: /inject/cluster/edge-us/net/net-us
pilot:
  enabled: false
```
"#,
};

pub static RULE: RepoRule = RepoRule { code: &CODE, check };

fn check(repo: &Repo) -> Vec<Finding> {
    read(repo)
        .iter()
        .filter(|wiring| wiring.is_remote())
        .flat_map(|wiring| {
            let Some(istiod) = &wiring.istiod else {
                return Vec::new();
            };
            // Values of another profile are no remote's at all: that one finding says so.
            let found = match profile_problem(wiring, istiod) {
                Some(problem) => vec![problem],
                None => [
                    injection_problem(wiring, istiod),
                    address_problem(wiring, istiod),
                ]
                .into_iter()
                .flatten()
                .collect(),
            };
            found
                .into_iter()
                .map(|(message, node)| Finding::new(&CODE, message, Some(node.origin.clone())))
                .collect()
        })
        .collect()
}

/// A problem found, and the value to edit.
type Problem<'a> = Option<(String, &'a Node)>;

/// Whether the values install the remote profile (`istiodRemote.enabled` is what it sets).
fn has_remote_profile(istiod: &Istiod) -> bool {
    istiod.profile.and_then(scalar).as_deref() == Some("remote")
        || istiod.text(&["istiodRemote", "enabled"]).as_deref() == Some("true")
}

fn profile_problem<'a>(wiring: &Wiring<'a>, istiod: &Istiod<'a>) -> Problem<'a> {
    if has_remote_profile(istiod) {
        return None;
    }
    let profile = istiod.profile.and_then(scalar);
    let node = istiod.profile.or_else(|| remote_pointer(wiring))?;
    Some((
        format!(
            "cluster {} points at another control plane, but its istiod values install {}: a full istiod runs in the cluster instead of a remote's Service forwarding to the primary; set profile: remote, with global.remotePilotAddress and istiodRemote.injectionPath: /inject/cluster/<clusterName>/net/<network>",
            wiring.name(),
            profile.map_or("the default profile".to_string(), |p| format!(
                "profile {p}"
            )),
        ),
        node,
    ))
}

fn injection_problem<'a>(wiring: &Wiring<'a>, istiod: &Istiod<'a>) -> Problem<'a> {
    let url = istiod.value(&["istiodRemote", "injectionURL"]);
    let path = istiod.value(&["istiodRemote", "injectionPath"]);
    let cluster = istiod.cluster_name();
    let network = istiod.network().or_else(|| {
        wiring
            .namespace_network()
            .and_then(scalar)
            .filter(|n| !n.is_empty())
    });
    let wanted = format!(
        "/inject/cluster/{}/net/{}",
        cluster.as_deref().unwrap_or("<clusterName>"),
        network.as_deref().unwrap_or("<network>")
    );
    let Some((field, node)) = url
        .filter(|u| scalar(u).is_some_and(|u| !u.is_empty()))
        .map(|u| ("injectionURL", u))
        .or(path.map(|p| ("injectionPath", p)))
    else {
        let node = istiod
            .value(&["istiodRemote"])
            .or_else(|| remote_pointer(wiring))?;
        return Some((
            format!(
                "remote cluster {} sets no istiodRemote.injectionPath: the primary's injector gives its pods the primary's cluster and network; set injectionPath: {wanted}",
                wiring.name()
            ),
            node,
        ));
    };
    let text = scalar(node).unwrap_or_default();
    let path = if field == "injectionURL" {
        url_path(&text)
    } else {
        &text
    };
    let envs = inject_envs(path);
    let named = |key: &str, expected: &Option<String>| {
        envs.get(key)
            .is_some_and(|v| expected.as_ref().is_none_or(|e| e == v))
    };
    if named("cluster", &cluster) && named("net", &network) {
        return None;
    }
    Some((
        format!(
            "remote cluster {}'s istiodRemote.{field} is {text}, which does not name the cluster and its network: the primary's injector gives its pods the wrong cluster or network; use {wanted}",
            wiring.name()
        ),
        node,
    ))
}

fn address_problem<'a>(wiring: &Wiring<'a>, istiod: &Istiod<'a>) -> Problem<'a> {
    if istiod.text(&["global", "remotePilotAddress"]).is_some()
        || istiod.text(&["istiodRemote", "injectionURL"]).is_some()
    {
        return None;
    }
    Some((
        format!(
            "remote cluster {} sets neither global.remotePilotAddress nor istiodRemote.injectionURL: its proxies and injection webhook have no control plane to reach; set remotePilotAddress to the primary's east-west gateway",
            wiring.name()
        ),
        remote_pointer(wiring)?,
    ))
}

/// The path of a URL (`https://host:15017/inject/...` → `/inject/...`).
fn url_path(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.find('/').map_or("", |at| &rest[at..])
}

/// The variables an injection path passes to the injector, as istiod reads them
/// (`/inject/cluster/c2/net/n2`, or the deprecated `/inject/:ENV:cluster=c2:ENV:net=n2`).
fn inject_envs(path: &str) -> BTreeMap<String, String> {
    let path = path.trim_end_matches('/');
    let Some(rest) = path.strip_prefix("/inject/") else {
        return BTreeMap::new();
    };
    if rest.starts_with(":ENV:") {
        return rest
            .split(":ENV:")
            .filter_map(|pair| pair.split_once('='))
            .filter(|(key, _)| !key.is_empty())
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect();
    }
    let parts: Vec<&str> = rest.split('/').collect();
    parts
        .chunks_exact(2)
        .map(|pair| (pair[0].to_string(), pair[1].replace("--slash--", "/")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn injection_paths_are_read_as_istiod_reads_them() {
        let envs = inject_envs("/inject/cluster/edge-us/net/net-us/");
        assert_eq!(envs.get("cluster").map(String::as_str), Some("edge-us"));
        assert_eq!(envs.get("net").map(String::as_str), Some("net-us"));
        let deprecated = inject_envs("/inject/:ENV:cluster=c2:ENV:net=n2");
        assert_eq!(deprecated.get("net").map(String::as_str), Some("n2"));
        assert!(inject_envs("/inject").is_empty());
        // A key without a value is ignored.
        assert!(!inject_envs("/inject/cluster/c2/net").contains_key("net"));
        assert_eq!(
            url_path("https://istiod.example.com:15017/inject/cluster/c2/net/n2"),
            "/inject/cluster/c2/net/n2"
        );
        assert_eq!(url_path("https://istiod.example.com"), "");
    }
}
