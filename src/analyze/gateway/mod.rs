//! Istio Gateways (MW602–MW606): what a Gateway's `selector` selects, the ports its
//! Services expose, and servers several Gateways put on the same gateway workload.
//!
//! The shared piece is [`Gateways`]: where each Gateway's servers run. A Gateway configures
//! the gateway workloads its `selector` matches, in any namespace (in its own namespace only
//! when istiod runs with `PILOT_SCOPE_GATEWAY_TO_NAMESPACE`), and is reached through the
//! Services selecting those pods. The repository often does not hold its gateways (Istio's
//! charts install them, often in `istio-system` or `istio-ingress`), so a selector no
//! workload of the repository matches is judged only when the repository holds gateway
//! workloads at all, and never when it matches the labels of a gateway Istio's install
//! guides create ([`STANDARD_GATEWAYS`]), which `istioctl analyze` too assumes present, or
//! of one istiod deploys for a Gateway API `Gateway`.

pub mod conflicting_gateways;
pub mod duplicate_certificate;
pub mod invalid_credential;
pub mod port_not_on_service;
pub mod selector_matches_nothing;

use crate::analyze::refs::{is_istio, namespace_of};
use crate::analyze::selectors::GATEWAY_NAME_LABEL;
use crate::manifest::Node;
use crate::policy::Model;
use crate::policy::workload::{Labels, Service, Workload, matches_labels, scalar};

/// The pod labels of the gateways Istio's install guides create outside a repository:
/// `istioctl install`'s `istio-ingressgateway` and `istio-egressgateway`, and the `gateway`
/// Helm chart installed as `istio-ingress` / `istio-egress`.
pub const STANDARD_GATEWAYS: [[(&str, &str); 2]; 4] = [
    [("istio", "ingressgateway"), ("app", "istio-ingressgateway")],
    [("istio", "egressgateway"), ("app", "istio-egressgateway")],
    [("istio", "ingress"), ("app", "istio-ingress")],
    [("istio", "egress"), ("app", "istio-egress")],
];

/// Where Istio's installation guides run gateway workloads.
const USUAL_GATEWAY_NAMESPACES: [&str; 2] = ["istio-system", "istio-ingress"];

/// Pod labels of the gateways istiod deploys itself for Gateway API `Gateway`s: their
/// Deployments are never in the repository.
const DEPLOYED_GATEWAY_LABELS: [&str; 2] = [GATEWAY_NAME_LABEL, "istio.io/gateway-name"];

/// A Gateway's `spec.selector` as labels (empty: every gateway workload).
pub fn selector_of(gateway: &Node) -> Labels {
    gateway
        .at(&["spec", "selector"])
        .and_then(Node::as_map)
        .unwrap_or_default()
        .iter()
        .filter_map(|(k, v)| scalar(v).map(|v| (k.clone(), v)))
        .collect()
}

/// A selector as Istio prints it: `app=x,istio=y`.
pub fn selector_text(selector: &Labels) -> String {
    let pairs: Vec<String> = selector.iter().map(|(k, v)| format!("{k}={v}")).collect();
    pairs.join(",")
}

/// Where a Gateway's servers run.
pub enum Placement<'a> {
    /// The repository holds workloads the selector matches: these, and the Services (of the
    /// repository) that select them.
    Selected {
        workloads: Vec<&'a Workload>,
        services: Vec<&'a Service>,
    },
    /// No workload of the repository matches, but the gateway may be installed outside it:
    /// the repository holds no gateway workload at all, or the selector is empty, matches a
    /// standard gateway's labels or selects a gateway istiod deploys for a Gateway API
    /// `Gateway`.
    Outside,
    /// No workload of the repository matches, and none outside is expected.
    Nothing,
}

/// The Gateways of one cluster and the gateway workloads the repository holds.
pub struct Gateways<'a> {
    model: &'a Model,
    /// Every `networking.istio.io` Gateway of the cluster.
    pub objects: Vec<&'a Node>,
    /// Their selectors, same order.
    selectors: Vec<Labels>,
    /// Whether the repository holds a gateway workload: a proxy started as a gateway, or a
    /// workload some Gateway's selector matches.
    holds_gateways: bool,
}

impl<'a> Gateways<'a> {
    pub fn read(objects: &'a [Node], model: &'a Model) -> Gateways<'a> {
        let objects: Vec<&Node> = objects.iter().filter(|o| is_istio(o, "Gateway")).collect();
        let selectors: Vec<Labels> = objects.iter().map(|g| selector_of(g)).collect();
        let mut gateways = Gateways {
            model,
            objects,
            selectors,
            holds_gateways: false,
        };
        gateways.holds_gateways = model.workloads().iter().any(|w| w.gateway)
            || (0..gateways.objects.len()).any(|index| {
                !gateways.selectors[index].is_empty() && !gateways.matching(index).is_empty()
            });
        gateways
    }

    /// The workloads of the repository `objects[index]` selects: those its selector matches
    /// (every gateway proxy for an empty selector), in its namespace only when istiod scopes
    /// Gateways to their namespace.
    fn matching(&self, index: usize) -> Vec<&'a Workload> {
        let selector = &self.selectors[index];
        let namespace = namespace_of(self.objects[index]);
        let scoped = self.model.scope_gateways_to_namespace;
        self.model
            .workloads()
            .iter()
            .filter(|w| !scoped || w.namespace == namespace)
            .filter(|w| {
                if selector.is_empty() {
                    w.gateway
                } else {
                    matches_labels(selector, &w.labels)
                }
            })
            .collect()
    }

    /// Where the servers of `objects[index]` run.
    pub fn place(&self, index: usize) -> Placement<'a> {
        let selector = &self.selectors[index];
        let workloads = self.matching(index);
        if !workloads.is_empty() {
            let services = self
                .model
                .inventory
                .services
                .iter()
                .filter(|s| workloads.iter().any(|w| s.selects(w)))
                .collect();
            return Placement::Selected {
                workloads,
                services,
            };
        }
        let standard = STANDARD_GATEWAYS.iter().any(|labels| {
            let labels: Labels = labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            matches_labels(selector, &labels)
        }) || DEPLOYED_GATEWAY_LABELS
            .iter()
            .any(|key| selector.contains_key(*key));
        if !self.holds_gateways || selector.is_empty() || standard {
            Placement::Outside
        } else {
            Placement::Nothing
        }
    }

    /// The namespaces the gateway workloads of `objects[index]` run in — where they read
    /// `credentialName` Secrets and RequestAuthentications apply: the namespaces of the
    /// workloads it selects, or, when they may run outside the repository,
    /// the namespaces they may run in (`true`: assumed) — the Gateway's own and Istio's usual
    /// gateway namespaces, or only its own when istiod scopes Gateways to their namespace.
    /// `None` for a selector that matches nothing (MW602 reports it).
    pub fn workload_namespaces(&self, index: usize) -> Option<(Vec<String>, bool)> {
        match self.place(index) {
            Placement::Selected { workloads, .. } => {
                let mut selected: Vec<String> =
                    workloads.iter().map(|w| w.namespace.clone()).collect();
                selected.sort();
                selected.dedup();
                Some((selected, false))
            }
            Placement::Outside => {
                let mut assumed = vec![namespace_of(self.objects[index]).to_string()];
                if !self.model.scope_gateways_to_namespace {
                    for usual in USUAL_GATEWAY_NAMESPACES {
                        if !assumed.iter().any(|n| n == usual) {
                            assumed.push(usual.to_string());
                        }
                    }
                }
                Some((assumed, true))
            }
            Placement::Nothing => None,
        }
    }

    /// The other Gateways that may configure a gateway workload `objects[index]` configures.
    pub fn neighbours(&self, index: usize) -> impl Iterator<Item = &'a Node> + '_ {
        self.objects
            .iter()
            .enumerate()
            .filter(move |(other, _)| *other != index && self.overlap(index, *other))
            .map(|(_, gateway)| *gateway)
    }

    /// Whether two Gateways may configure the same gateway workload: one selector is empty
    /// or a subset of the other (every workload the larger one matches, the smaller one
    /// matches too), or a workload of the repository both select. With Gateways scoped to
    /// their namespace, only Gateways of one namespace can.
    fn overlap(&self, a: usize, b: usize) -> bool {
        if self.model.scope_gateways_to_namespace
            && namespace_of(self.objects[a]) != namespace_of(self.objects[b])
        {
            return false;
        }
        let (selector_a, selector_b) = (&self.selectors[a], &self.selectors[b]);
        matches_labels(selector_a, selector_b)
            || matches_labels(selector_b, selector_a)
            || self
                .matching(a)
                .iter()
                .any(|w| matches_labels(selector_b, &w.labels))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OBJECTS: &str = "apiVersion: apps/v1
kind: Deployment
metadata: {name: shop-gateway, namespace: shop}
spec:
  template:
    metadata:
      labels: {app: shop-gateway, tier: edge}
      annotations: {inject.istio.io/templates: gateway}
    spec:
      containers: [{name: istio-proxy, image: auto}]
---
apiVersion: v1
kind: Service
metadata: {name: shop-gateway, namespace: shop}
spec:
  selector: {app: shop-gateway}
  ports: [{port: 443}]
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: shop, namespace: web}
spec:
  selector: {app: shop-gateway}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: typo, namespace: web}
spec:
  selector: {app: shop-gatway}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: standard, namespace: web}
spec:
  selector: {istio: ingressgateway}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: edge, namespace: web}
spec:
  selector: {tier: edge}
";

    /// Each Gateway's placement: `selected:<services>`, `outside` or `nothing`.
    fn placements(yaml: &str) -> Vec<String> {
        crate::analyze::with_cluster(yaml, |cluster| {
            let gateways = &cluster.lookups.gateways;
            let placed = (0..gateways.objects.len()).map(|i| match gateways.place(i) {
                Placement::Selected { services, .. } => {
                    let names: Vec<&str> = services.iter().map(|s| s.name.as_str()).collect();
                    format!("selected:{}", names.join(","))
                }
                Placement::Outside => "outside".to_string(),
                Placement::Nothing => "nothing".to_string(),
            });
            let neighbours = (0..gateways.objects.len()).map(|i| {
                let names: Vec<&str> = gateways
                    .neighbours(i)
                    .filter_map(|g| g.str_at(&["metadata", "name"]))
                    .collect();
                names.join(",")
            });
            placed
                .zip(neighbours)
                .map(|(p, n)| format!("{p} [{n}]"))
                .collect()
        })
    }

    #[test]
    fn gateways_are_placed_on_the_repository_s_workloads_or_outside_it() {
        assert_eq!(
            placements(OBJECTS),
            [
                "selected:shop-gateway [edge]",
                "nothing []",
                "outside []",
                "selected:shop-gateway [shop]",
            ]
        );
        // Without a gateway workload in the repository nothing is judged, and selectors
        // neither of which contains the other share no known workload.
        let without_workloads = OBJECTS.split_once("---\napiVersion: networking").unwrap().1;
        let gateways_only = format!("apiVersion: networking{without_workloads}");
        assert_eq!(
            placements(&gateways_only),
            ["outside []", "outside []", "outside []", "outside []"]
        );
    }
}
