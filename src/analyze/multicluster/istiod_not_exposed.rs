//! MW803: a remote cluster whose primaries do not expose istiod to it, or whose primary's
//! istiod does not serve remote clusters.
//!
//! A remote runs no control plane: its proxies and its injection webhook reach the primary's
//! istiod through the primary's east-west gateway (`global.remotePilotAddress`), which
//! forwards port 15012 only when the primary holds a Gateway and VirtualService like Istio's
//! `samples/multicluster/expose-istiod.yaml`. And the primary's istiod manages the remote's
//! webhooks and root-certificate ConfigMaps only with `global.externalIstiod: true`.

use std::collections::BTreeMap;

use crate::analyze::gateway::Placement;
use crate::analyze::refs::{destinations, namespace_of, resolve, seq};
use crate::analyze::routing::{bindings, virtual_services};
use crate::analyze::{Cluster, Repo, RepoRule};
use crate::findings::{Code, Finding, Severity};
use crate::manifest::Node;
use crate::policy::workload::port_number;

use super::{Istiod, Wiring, primaries_of, read, remote_pointer};

/// istiod's port for XDS and certificate signing, which remotes reach through the gateway.
const ISTIOD_PORT: u16 = 15012;

/// `istiod-not-exposed`
pub static CODE: Code = Code {
    code: "MW803",
    name: "istiod-not-exposed",
    severity: Severity::Error,
    help: "On the remote's primary, apply Istio's expose-istiod.yaml (a Gateway on port 15012 and a VirtualService to istiod) in istio-system, and set global.externalIstiod: true in its istiod values.",
    docs: r#"## What it does
For every remote cluster of the repository (`profile: remote`, `global.remotePilotAddress`,
or an `istio-system` annotated `topology.istio.io/controlPlaneClusters`), looks at the
primaries that control it (those the annotation names, else those whose istiod serves
remotes, else every primary of the repository) and reports:

- a remote none of whose primaries exposes istiod: no Gateway with a server on port 15012
  (`tls` with `mode: PASSTHROUGH`, as Istio's `samples/multicluster/expose-istiod.yaml`, or
  `https` with `mode: SIMPLE`, as `expose-istiod-https.yaml`) selecting a gateway, bound by
  a VirtualService that routes to istiod (`istiod.istio-system.svc.cluster.local`, or a
  revision's `istiod-<rev>`) on port 15012. It points at the remote's
  `global.remotePilotAddress` (or its `controlPlaneClusters` annotation);
- a primary remotes rely on whose istiod does not serve remotes (neither
  `global.externalIstiod: true` nor istiod's `EXTERNAL_ISTIOD` environment variable),
  at its `global` values.

A remote whose primaries the repository does not hold is not judged, nor is a repository
some of whose inputs failed to render.

These are the steps "Expose the control plane in `cluster1`" and "Configure `cluster1` as a
primary" (`values.global.externalIstiod`) of Istio's guide "Install Primary-Remote on
different networks"
(<https://istio.io/latest/docs/setup/install/multicluster/primary-remote_multi-network/#expose-the-control-plane-in-cluster1>,
<https://istio.io/latest/docs/setup/install/multicluster/primary-remote_multi-network/#configure-cluster1-as-a-primary>),
and of "Install Primary-Remote"
(<https://istio.io/latest/docs/setup/install/multicluster/primary-remote/#expose-the-control-plane-in-cluster1>).

## Why is this bad?
A remote runs no istiod: its sidecars fetch their configuration and certificates, and its
injection webhook calls, the primary's istiod at `remotePilotAddress` — the primary's
east-west gateway. Without the Gateway and VirtualService the gateway does not forward port
15012, so no proxy of the remote starts. Without `externalIstiod` the primary's istiod does
not take the remote's control (its webhooks and the `istio-ca-root-cert` ConfigMaps every
sidecar mounts), so injected pods of the remote never become ready.

## Example
```yaml
# clusters/edge-us/istio/values.yaml — a remote of central
profile: remote
global:
  remotePilotAddress: eastwest.central.example.com
# ... but clusters/central holds no Gateway exposing istiod's port 15012
```

## Use instead
```yaml
# clusters/central/expose-istiod.yaml — Istio's samples/multicluster/expose-istiod.yaml,
# in istio-system
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: istiod-gateway
  namespace: istio-system
spec:
  selector:
    istio: eastwestgateway
  servers:
    - port: {name: tls-istiod, number: 15012, protocol: tls}
      tls: {mode: PASSTHROUGH}
      hosts: ["*"]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: istiod-vs
  namespace: istio-system
spec:
  hosts: ["*"]
  gateways: [istiod-gateway]
  tls:
  - match:
    - port: 15012
      sniHosts: ["*"]
    route:
    - destination:
        host: istiod.istio-system.svc.cluster.local
        port: {number: 15012}
```
and in `clusters/central/istio/values.yaml`, `global.externalIstiod: true`.
"#,
};

pub static RULE: RepoRule = RepoRule { code: &CODE, check };

fn check(repo: &Repo) -> Vec<Finding> {
    if !repo.clusters.iter().all(|c| c.complete) {
        return Vec::new();
    }
    let wirings = read(repo);
    let mut findings = Vec::new();
    // Each primary that does not serve remotes, with the remotes relying on it.
    let mut not_serving: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for remote in wirings.iter().filter(|w| w.is_remote()) {
        let primaries = primaries_of(&wirings, remote.cluster);
        if primaries.is_empty() {
            continue;
        }
        if !primaries
            .iter()
            .any(|p| exposes_istiod(&repo.clusters[p.cluster]))
            && let Some(node) = remote_pointer(remote)
        {
            findings.push(Finding::new(
                &CODE,
                format!(
                    "cluster {} is a remote of {}, but {} istiod: no Gateway serves port {ISTIOD_PORT} with a VirtualService routing it to istiod, so the remote's proxies and injection webhook cannot reach their control plane",
                    remote.name(),
                    names(&primaries),
                    if primaries.len() == 1 { "it does not expose" } else { "none of them exposes" },
                ),
                Some(node.origin.clone()),
            ));
        }
        for primary in primaries
            .iter()
            .filter(|p| !p.istiod.as_ref().is_some_and(Istiod::serves_remotes))
        {
            not_serving
                .entry(primary.cluster)
                .or_default()
                .push(remote.name());
        }
    }
    for (primary, remotes) in not_serving {
        let wiring = &wirings[primary];
        let Some(istiod) = &wiring.istiod else {
            continue;
        };
        let node = istiod.value(&["global"]).unwrap_or(istiod.document);
        let relying = match remotes.as_slice() {
            [one] => format!("remote cluster {one} relies"),
            _ => format!("remote clusters {} rely", remotes.join(", ")),
        };
        findings.push(Finding::new(
            &CODE,
            format!(
                "{relying} on cluster {}'s istiod, which does not serve remote clusters (neither global.externalIstiod: true nor EXTERNAL_ISTIOD): it does not manage the remotes' webhooks and root-certificate ConfigMaps, so their injected pods never start",
                wiring.name(),
            ),
            Some(node.origin.clone()),
        ));
    }
    findings
}

/// "central" / "central, edge-eu": the clusters' names.
fn names(wirings: &[&Wiring]) -> String {
    let names: Vec<String> = wirings.iter().map(|w| w.name()).collect();
    names.join(", ")
}

/// Whether `cluster` holds a Gateway serving istiod's port that selects a gateway, bound by
/// a VirtualService routing to istiod's port.
fn exposes_istiod(cluster: &Cluster) -> bool {
    let gateways = &cluster.lookups.gateways;
    let exposing: Vec<&Node> = gateways
        .objects
        .iter()
        .enumerate()
        .filter(|(index, gateway)| {
            serves_istiod_port(gateway) && !matches!(gateways.place(*index), Placement::Nothing)
        })
        .map(|(_, gateway)| *gateway)
        .collect();
    virtual_services(cluster.objects).any(|virtual_service| {
        let namespace = namespace_of(virtual_service);
        bindings(virtual_service).iter().any(|binding| {
            exposing.iter().any(|gateway| {
                namespace_of(gateway) == binding.namespace
                    && gateway.str_at(&["metadata", "name"]) == Some(binding.name.as_str())
            })
        }) && destinations(virtual_service).iter().any(|destination| {
            destination
                .str_at(&["host"])
                .is_some_and(|host| is_istiod(host, namespace))
                && destination.at(&["port", "number"]).and_then(port_number) == Some(ISTIOD_PORT)
        })
    })
}

/// Whether a Gateway has a server on istiod's port that passes TLS through to istiod
/// (`tls`/`PASSTHROUGH`) or terminates it (`https`/`SIMPLE`).
fn serves_istiod_port(gateway: &Node) -> bool {
    seq(gateway.at(&["spec", "servers"])).any(|server| {
        let text = |path: &[&str]| server.str_at(path).unwrap_or_default().to_ascii_uppercase();
        server.at(&["port", "number"]).and_then(port_number) == Some(ISTIOD_PORT)
            && matches!(
                (
                    text(&["port", "protocol"]).as_str(),
                    text(&["tls", "mode"]).as_str()
                ),
                ("TLS", "PASSTHROUGH") | ("HTTPS", "SIMPLE")
            )
    })
}

/// Whether `host` (in an object of `namespace`) names istiod's Service, or a revision's
/// (`istiod-<rev>`), in any namespace.
fn is_istiod(host: &str, namespace: &str) -> bool {
    let host = resolve(host, namespace);
    let service = host
        .strip_suffix(".svc.cluster.local")
        .or_else(|| host.strip_suffix(".svc"))
        .unwrap_or(&host);
    service.split_once('.').is_some_and(|(name, namespace)| {
        !namespace.contains('.') && (name == "istiod" || name.starts_with("istiod-"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::with_cluster;

    const GATEWAY: &str = "apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: istiod-gateway, namespace: istio-system}
spec:
  selector: {istio: eastwestgateway}
  servers:
  - port: {name: tls-istiod, number: 15012, protocol: tls}
    tls: {mode: PASSTHROUGH}
    hosts: ['*']
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: istiod-vs, namespace: istio-system}
spec:
  hosts: ['*']
  gateways: [istiod-gateway]
  tls:
  - match: [{port: 15012, sniHosts: ['*']}]
    route:
    - destination: {host: HOST, port: {number: PORT}}
";

    fn exposes(host: &str, port: &str) -> bool {
        let yaml = GATEWAY.replace("HOST", host).replace("PORT", port);
        with_cluster(&yaml, exposes_istiod)
    }

    #[test]
    fn istiod_is_exposed_by_a_passthrough_gateway_routed_to_its_port() {
        assert!(exposes("istiod.istio-system.svc.cluster.local", "15012"));
        assert!(exposes("istiod-1-24.istio-system.svc", "15012"));
        assert!(exposes("istiod", "15012"));
        // The webhook port alone, or another service, does not expose istiod.
        assert!(!exposes("istiod.istio-system.svc.cluster.local", "443"));
        assert!(!exposes("reviews.shop.svc.cluster.local", "15012"));
        assert!(!exposes("istiod.example.com", "15012"));
    }

    #[test]
    fn a_gateway_terminating_tls_exposes_istiod_but_one_of_another_mode_does_not() {
        let host = "istiod.istio-system.svc.cluster.local";
        let https = GATEWAY
            .replace("protocol: tls", "protocol: https")
            .replace(
                "mode: PASSTHROUGH",
                "mode: SIMPLE, credentialName: istiod-cert",
            )
            .replace("HOST", host)
            .replace("PORT", "15012");
        assert!(with_cluster(&https, exposes_istiod));
        let mutual = GATEWAY
            .replace("mode: PASSTHROUGH", "mode: ISTIO_MUTUAL")
            .replace("HOST", host)
            .replace("PORT", "15012");
        assert!(!with_cluster(&mutual, exposes_istiod));
    }

    #[test]
    fn an_unbound_gateway_exposes_nothing() {
        let unbound = GATEWAY
            .replace("[istiod-gateway]", "[other-gateway]")
            .replace("HOST", "istiod.istio-system.svc.cluster.local")
            .replace("PORT", "15012");
        assert!(!with_cluster(&unbound, exposes_istiod));
    }
}
