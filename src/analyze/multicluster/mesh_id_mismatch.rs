//! MW805: clusters of one repository wired into one multi-cluster mesh whose istiod values
//! name different mesh IDs (`global.meshID`).
//!
//! Clusters take part in the comparison when their istiod values configure multi-cluster
//! (`global.multiCluster.clusterName` or `global.network`), and remotes with the primaries
//! that control them. A mesh ID several of them share is taken for a mesh of its own (a
//! repository may hold a staging and a production mesh, as MW504 assumes); a remote must
//! name its primary's (or none: it inherits it).

use std::collections::BTreeMap;

use crate::analyze::certs::inconsistent_root::reference;
use crate::analyze::{Repo, RepoRule};
use crate::findings::{Code, Finding, Severity};
use crate::manifest::Node;

use super::{Istiod, Wiring, primaries_of, read};

/// `mesh-id-mismatch`
pub static CODE: Code = Code {
    code: "MW805",
    name: "mesh-id-mismatch",
    severity: Severity::Warning,
    help: "Give every cluster of the mesh the same global.meshID (a remote may leave it unset: it inherits its primary's).",
    docs: r#"## What it does
Compares the mesh IDs (`global.meshID` of the istiod Helm values or IstioOperator
`spec.values`) of the clusters of a repository wired into a multi-cluster mesh: clusters
whose istiod values set `global.multiCluster.clusterName` or `global.network`, and remote
clusters with the primaries that control them. It reports, at its `meshID`:

- a remote whose mesh ID differs from its primaries' (a remote without one inherits its
  primary's: it counts with that mesh and is not reported);
- a cluster whose mesh ID no other of these clusters names, when it differs from the one
  most of them share (among equals, the first cluster's).

A mesh ID two or more clusters share is taken for a mesh of its own: a repository may hold
a staging and a production mesh side by side. This is how MW504 (`inconsistent-root`)
reads mesh IDs too — it compares roots of trust and trust domains only among clusters of
one mesh ID — so different trust domains are MW504's findings, not this rule's; fix the
mesh ID first, and MW504 then compares the cluster with its mesh.

This is the step "Configure `cluster1` as a primary" (`global.meshID`) of Istio's guides
"Install Multi-Primary on different networks"
(<https://istio.io/latest/docs/setup/install/multicluster/multi-primary_multi-network/#configure-cluster1-as-a-primary>)
and "Install Primary-Remote on different networks"
(<https://istio.io/latest/docs/setup/install/multicluster/primary-remote_multi-network/#configure-cluster1-as-a-primary>),
which give every cluster of the mesh the same `meshID`.

## Why is this bad?
The mesh ID is what the injecting istiod stamps on every proxy (`ISTIO_META_MESH_ID`) and
on its traces (the `istio.mesh_id` tag): a cluster naming another mesh splits the mesh's
traces and telemetry in two, and whatever tells meshes apart by it takes the cluster for
another mesh. Istio's multi-cluster guides give every cluster of a mesh the same `meshID`.
A remote's pods are injected by its primary's istiod, with the primary's mesh ID, so a
remote naming another one says its values were written for another mesh. Traffic itself
still flows, so this is a warning.

## Example
```yaml
# clusters/edge-eu/istio/values.yaml — central and edge-us say mesh1
global:
  meshID: mesh-1
  multiCluster:
    clusterName: edge-eu
  network: net-eu
```

## Use instead
```yaml
global:
  meshID: mesh1
  multiCluster:
    clusterName: edge-eu
  network: net-eu
```
"#,
};

pub static RULE: RepoRule = RepoRule { code: &CODE, check };

fn check(repo: &Repo) -> Vec<Finding> {
    let wirings = read(repo);
    // Each remote's primaries, and whether a cluster is a remote's or a primary's of one.
    let mut primaries: BTreeMap<usize, Vec<&Wiring>> = BTreeMap::new();
    let mut linked = vec![false; wirings.len()];
    for remote in wirings.iter().filter(|w| w.is_remote()) {
        let controlling = primaries_of(&wirings, remote.cluster);
        if controlling.is_empty() {
            continue;
        }
        linked[remote.cluster] = true;
        for primary in &controlling {
            linked[primary.cluster] = true;
        }
        primaries.insert(remote.cluster, controlling);
    }
    let mesh_of = |wiring: &Wiring| wiring.istiod.as_ref().and_then(Istiod::mesh_id);
    // Each cluster's mesh ID and where it is set; a remote without one inherits its first
    // primary's (counted with that mesh, never reported).
    let meshes: Vec<(usize, (String, Option<&Node>))> = wirings
        .iter()
        .filter_map(|wiring| {
            let istiod = wiring.istiod.as_ref();
            let multi_cluster =
                istiod.is_some_and(|i| i.cluster_name().is_some() || i.network().is_some());
            if !multi_cluster && !linked[wiring.cluster] {
                return None;
            }
            let set = istiod.and_then(|i| Some((i.mesh_id()?, i.value(&["global", "meshID"])?)));
            let (mesh, node) = match set {
                Some((mesh, node)) => (mesh, Some(node)),
                None => (
                    primaries
                        .get(&wiring.cluster)?
                        .iter()
                        .find_map(|p| mesh_of(p))?,
                    None,
                ),
            };
            Some((wiring.cluster, (mesh, node)))
        })
        .collect();
    let Some(wanted) = reference(&meshes, |(mesh, _)| mesh.clone()) else {
        return Vec::new();
    };
    let sharing = |mesh: &str| meshes.iter().filter(|(_, (m, _))| m == mesh).count();
    let mut findings = Vec::new();
    for (cluster, (mesh, node)) in &meshes {
        let Some(node) = node else {
            continue;
        };
        let wiring = &wirings[*cluster];
        let primary_meshes: Vec<(String, String)> = primaries
            .get(cluster)
            .into_iter()
            .flatten()
            .filter_map(|p| Some((p.name(), mesh_of(p)?)))
            .collect();
        let message = if !primary_meshes.is_empty() && primary_meshes.iter().all(|(_, m)| m != mesh)
        {
            let named: Vec<String> = primary_meshes
                .iter()
                .map(|(name, mesh)| format!("{name} names {mesh}"))
                .collect();
            format!(
                "remote cluster {} names meshID {mesh}, but its {} {}: a remote belongs to its primary's mesh; use its meshID or leave it unset",
                wiring.name(),
                if named.len() == 1 {
                    "primary"
                } else {
                    "primaries"
                },
                named.join(", "),
            )
        } else if *mesh != wanted && sharing(mesh) == 1 {
            let others: Vec<String> = meshes
                .iter()
                .filter(|(_, (m, _))| *m == wanted)
                .map(|(other, _)| wirings[*other].name())
                .collect();
            let naming = match others.as_slice() {
                [one] => format!("cluster {one} names"),
                _ => format!("clusters {} name", others.join(", ")),
            };
            format!(
                "cluster {} names meshID {mesh}, but {naming} {wanted}: the clusters of one mesh need one mesh ID, or its proxies' traces and telemetry name another mesh",
                wiring.name(),
            )
        } else {
            continue;
        };
        findings.push(Finding::new(&CODE, message, Some(node.origin.clone())));
    }
    findings
}
