//! MW802: a cluster of a multi-network mesh that other networks cannot reach: no network
//! gateway on its network, or none exposed by an `AUTO_PASSTHROUGH` Gateway — the steps
//! "Install the east-west gateway in clusterN" and "Expose services in clusterN" of Istio's
//! multi-network guides.

use crate::analyze::{Repo, RepoRule};
use crate::findings::{Code, Finding, Severity};
use crate::manifest::Node;

use super::east_west::{self, NetworkGateway};
use super::{Wiring, meshes, networks, on_document, read};

/// `east-west-gateway-missing`
pub static CODE: Code = Code {
    code: "MW802",
    name: "east-west-gateway-missing",
    severity: Severity::Error,
    help: "Install an east-west gateway on the cluster's network (gateway chart with networkGateway: <network>) and apply Istio's expose-services.yaml (a Gateway with an AUTO_PASSTHROUGH server on port 15443) in istio-system.",
    docs: r#"## What it does
Checks the clusters of each mesh (the same `global.meshID`) whose istiod configurations put
them on more than one network (`global.network`). Each cluster on a network must be
reachable from the others through a network gateway:

- a network gateway on its network: a Service labelled `topology.istio.io/network: <its
  network>` (what the `gateway` Helm chart renders with `networkGateway: <network>`, whose
  values count too), or an ambient `istio-east-west` Gateway API Gateway — in the cluster, or
  in another cluster of the mesh on the same network (istiod then sends the network's
  traffic there);
- exposed: an Istio Gateway with an `AUTO_PASSTHROUGH` server on the gateway's mTLS port
  (15443, or its `networking.istio.io/gatewayPort` label) selecting the gateway's pods —
  Istio's `expose-services.yaml`. A primary must hold it; for a remote, its primaries' (the
  `topology.istio.io/controlPlaneClusters` it names) count too: Istio's guide applies
  `expose-services.yaml` on the primary only.

A cluster without a gateway is reported at its istiod's `global.network` (where the cluster
is declared to be on a network of its own); a gateway nothing exposes at its Service.
A mesh whose clusters share one network needs no east-west gateway for data traffic and is
not judged.

These are the steps "Install the east-west gateway in clusterN" and "Expose services in
clusterN" of
[Install Multi-Primary on different networks](https://istio.io/latest/docs/setup/install/multicluster/multi-primary_multi-network/#install-the-east-west-gateway-in-cluster1)
and
[Install Primary-Remote on different networks](https://istio.io/latest/docs/setup/install/multicluster/primary-remote_multi-network/#expose-services-in-cluster1-and-cluster2).

## Why is this bad?
Pods of different networks cannot reach each other directly: istiod sends traffic for
another network's endpoints to that network's gateway, on its mTLS port. Without a network
gateway, istiod drops the network's endpoints from other networks' proxies (or, with a
gateway Service but no `AUTO_PASSTHROUGH` server, the gateway refuses the connections), so
every call from another network to the cluster's services fails.

## Example
```yaml
# clusters/cluster2/istio/values.yaml — and no east-west gateway in clusters/cluster2
global:
  meshID: mesh1
  multiCluster:
    clusterName: cluster2
  network: network2
```

## Use instead
```yaml
# clusters/cluster2/east-west/values.yaml — the gateway chart (release istio-eastwestgateway)
name: istio-eastwestgateway
networkGateway: network2
---
# clusters/cluster2/expose-services.yaml (applied in istio-system)
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: cross-network-gateway
  namespace: istio-system
spec:
  selector:
    istio: eastwestgateway
  servers:
    - port:
        number: 15443
        name: tls
        protocol: TLS
      tls:
        mode: AUTO_PASSTHROUGH
      hosts:
        - "*.local"
```
"#,
};

pub static RULE: RepoRule = RepoRule { code: &CODE, check };

/// How a cluster's network gateways stand.
enum Reach<'a> {
    /// A network gateway of its network is exposed.
    Exposed,
    /// Its network gateways (the first shown), none exposed.
    Unexposed(NetworkGateway<'a>),
    /// No network gateway of its network.
    Missing,
}

fn check(repo: &Repo) -> Vec<Finding> {
    let wirings = read(repo);
    let mut findings = Vec::new();
    for mesh in meshes(&wirings) {
        if networks(&mesh).len() < 2 {
            continue;
        }
        let reach: Vec<(&Wiring, String, Reach)> = mesh
            .iter()
            .filter_map(|wiring| {
                let network = wiring.network()?;
                let reach = reach(repo, &wirings, wiring, &network);
                Some((*wiring, network, reach))
            })
            .collect();
        for (wiring, network, state) in &reach {
            match state {
                Reach::Exposed => {}
                // istiod prefers the gateways of the endpoint's own cluster: one it cannot
                // use is not made up for by another cluster's.
                Reach::Unexposed(gateway) => findings.push(unexposed(wiring, gateway)),
                // Without one, istiod sends the traffic to the network's other gateways.
                Reach::Missing => {
                    let served_elsewhere = reach
                        .iter()
                        .any(|(_, n, r)| n == network && matches!(r, Reach::Exposed));
                    if !served_elsewhere && repo.clusters[wiring.cluster].complete {
                        findings.extend(missing(&mesh, wiring, network));
                    }
                }
            }
        }
    }
    findings
}

/// How the network gateways of `wiring`'s cluster on `network` stand.
fn reach<'a>(repo: &Repo<'a>, wirings: &[Wiring<'a>], wiring: &Wiring, network: &str) -> Reach<'a> {
    let exposures = east_west::exposures(repo, wirings, wiring.cluster);
    let mut on_network = east_west::read(repo, wiring.cluster, &exposures)
        .into_iter()
        .filter(|g| g.network_name().as_deref() == Some(network))
        .peekable();
    let Some(first) = on_network.peek() else {
        return Reach::Missing;
    };
    if first.is_exposed(&exposures) {
        return Reach::Exposed;
    }
    let first = on_network.next().expect("peeked");
    if on_network.any(|g| g.is_exposed(&exposures)) {
        Reach::Exposed
    } else {
        Reach::Unexposed(first)
    }
}

/// The other networks of `mesh`, for messages: `network1, network3`.
fn other_networks(mesh: &[&Wiring], network: &str) -> String {
    let others: Vec<String> = networks(mesh)
        .into_iter()
        .filter(|n| n != network)
        .collect();
    others.join(", ")
}

fn missing(mesh: &[&Wiring], wiring: &Wiring, network: &str) -> Option<Finding> {
    let istiod = wiring.istiod.as_ref()?;
    let value: &Node = istiod.value(&["global", "network"])?;
    Some(on_document(
        Finding::new(
            &CODE,
            format!(
                "cluster {} is on network {network}, but no cluster of the mesh on that network has an east-west gateway (a Service labelled topology.istio.io/network: {network}, or gateway chart values with networkGateway: {network}): calls from {} to its services fail (\"Install the east-west gateway\")",
                wiring.name(),
                other_networks(mesh, network)
            ),
            Some(value.origin.clone()),
        ),
        istiod.document,
    ))
}

fn unexposed(wiring: &Wiring, gateway: &NetworkGateway) -> Finding {
    let holders = if wiring.is_remote() {
        "in the cluster or its primaries"
    } else {
        "in the cluster"
    };
    let finding = Finding::new(
        &CODE,
        format!(
            "{} is cluster {}'s east-west gateway, but no Gateway {holders} has an AUTO_PASSTHROUGH server on its port {} selecting its pods: it refuses cross-network traffic, so calls from other networks to the cluster's services fail (\"Expose services\": apply expose-services.yaml in istio-system)",
            gateway.describe(),
            wiring.name(),
            gateway.tls_port
        ),
        Some(gateway.name_node().origin.clone()),
    );
    on_document(finding, gateway.object)
}

#[cfg(test)]
mod tests {
    use super::super::east_west::samples::{EXPOSE_SERVICES, gateway};
    use super::super::located;
    use super::*;

    const NAMESPACE: &str = "apiVersion: v1\nkind: Namespace\nmetadata: {name: istio-system}\n";

    fn values(network: &str, extra: &str) -> String {
        format!("global:\n  meshID: mesh1\n  network: {network}\n{extra}")
    }

    #[test]
    fn every_network_of_a_multi_network_mesh_has_an_exposed_gateway() {
        let found = |clusters: &[(&str, &str, &str)]| located(check, clusters);
        let exposed = |net: &str| format!("{}---\n{EXPOSE_SERVICES}", gateway(net));
        let (v1, v2) = (values("n1", ""), values("n2", ""));
        let (e1, e2) = (exposed("n1"), exposed("n2"));
        assert_eq!(
            found(&[("a", &e1, &v1), ("b", &e2, &v2)]),
            Vec::<String>::new()
        );
        // b has no gateway: its global.network.
        assert_eq!(
            found(&[("a", &e1, &v1), ("b", NAMESPACE, &v2)]),
            ["clusters/b/values.yaml:3:12 Error"]
        );
        // One network shared by every cluster needs none.
        assert_eq!(
            found(&[("a", NAMESPACE, &v1), ("b", NAMESPACE, &v1)]),
            Vec::<String>::new()
        );
        // Another cluster on b's network with an exposed gateway serves it.
        let c = ("c", e2.as_str(), v2.as_str());
        assert_eq!(
            found(&[("a", &e1, &v1), ("b", NAMESPACE, &v2), c]),
            Vec::<String>::new()
        );
        // b's gateway is not exposed: its Service.
        let unexposed = gateway("n2");
        assert_eq!(
            found(&[("a", &e1, &v1), ("b", &unexposed, &v2)]),
            ["clusters/b/objects.yaml:18:9 Error"]
        );
        // A remote's gateway is exposed by its primary's Gateway.
        let remote = values("n2", "  remotePilotAddress: 10.0.0.1\n");
        assert_eq!(
            found(&[("a", &e1, &v1), ("b", &unexposed, &remote)]),
            Vec::<String>::new()
        );
        // Gateway chart values with networkGateway are a gateway.
        let chart = format!("{v2}---\nname: istio-eastwestgateway\nnetworkGateway: n2\n");
        let primary = format!("{NAMESPACE}---\n{EXPOSE_SERVICES}");
        assert_eq!(
            found(&[("a", &e1, &v1), ("b", &primary, &chart)]),
            Vec::<String>::new()
        );
    }
}
