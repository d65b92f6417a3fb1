//! A cluster's network (east-west) gateways, as the MW8xx rules read them.
//!
//! istiod treats a Service labelled `topology.istio.io/network` as the gateway into that
//! network: other networks' proxies send traffic for its endpoints to the Service's mTLS port
//! (15443, or its `networking.istio.io/gatewayPort` label), where a Gateway with an
//! `AUTO_PASSTHROUGH` server on that port (Istio's `expose-services.yaml`) forwards it by SNI.
//! A gateway is read from the repository in any of the forms Istio installs it in: a Service
//! (with the pod controllers it selects), the `gateway` Helm chart's values with
//! `networkGateway: <network>`, or a Gateway API Gateway of class `istio-east-west`.

use crate::analyze::Repo;
use crate::analyze::gateway::selector_of;
use crate::analyze::refs::{is_kubernetes_gateway, namespace_of, seq};
use crate::manifest::Node;
use crate::policy::workload::{Labels, labels, matches_labels, port_number, scalar};

use super::{NETWORK_LABEL, Wiring, primaries_of};

/// The pod (and Service) label of Istio's east-west gateways (`gen-eastwest-gateway.sh`).
pub const EAST_WEST_LABEL: (&str, &str) = ("istio", "eastwestgateway");
/// The port a network gateway receives cross-network mTLS on, unless its Service's
/// `networking.istio.io/gatewayPort` label names another.
pub const DEFAULT_TLS_PORT: u16 = 15443;
/// The Service label moving a network gateway's mTLS port.
const GATEWAY_PORT_LABEL: &str = "networking.istio.io/gatewayPort";
/// The `gateway` chart value that makes its gateway a network gateway.
const NETWORK_GATEWAY_VALUE: &str = "networkGateway";
/// The GatewayClass istiod deploys ambient east-west gateways for.
const EAST_WEST_GATEWAY_CLASS: &str = "istio-east-west";

/// The form a network gateway is declared in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// A Service of the repository.
    Service,
    /// The `gateway` Helm chart's values with `networkGateway`.
    ChartValues,
    /// A Gateway API Gateway of class `istio-east-west` (ambient: HBONE, no
    /// `AUTO_PASSTHROUGH` server needed).
    GatewayApi,
}

/// One network gateway of a cluster.
pub struct NetworkGateway<'a> {
    pub form: Form,
    /// The Service, the chart values document, or the Gateway API Gateway.
    pub object: &'a Node,
    /// Its network: the `topology.istio.io/network` label's value, or `networkGateway`.
    pub network: Option<&'a Node>,
    /// The port cross-network mTLS arrives on.
    pub tls_port: u16,
    /// The pod controllers of the repository running it (for a Service).
    pub workloads: Vec<&'a Node>,
    /// The labels of its pods: each workload's, or (when the repository does not hold
    /// them) the labels they are known to carry at least.
    pods: Vec<Labels>,
    /// Whether `pods` are the pods' whole label sets.
    pods_known: bool,
}

impl<'a> NetworkGateway<'a> {
    /// The text of its network.
    pub fn network_name(&self) -> Option<String> {
        self.network.and_then(scalar).filter(|n| !n.is_empty())
    }

    /// Where the gateway is named: the Service's or Gateway's `metadata.name`, or the
    /// chart's `networkGateway` value.
    pub fn name_node(&self) -> &'a Node {
        match self.form {
            Form::ChartValues => self.network.unwrap_or(self.object),
            Form::Service | Form::GatewayApi => {
                self.object.at(&["metadata", "name"]).unwrap_or(self.object)
            }
        }
    }

    /// `<namespace>/<name>` of a Service or Gateway; the chart's `name` value.
    pub fn describe(&self) -> String {
        match self.form {
            Form::ChartValues => format!(
                "the gateway chart values ({NETWORK_GATEWAY_VALUE}) of {}",
                self.object.str_at(&["name"]).unwrap_or("a gateway release")
            ),
            Form::Service => format!("Service {}", identity(self.object)),
            Form::GatewayApi => format!("Gateway {}", identity(self.object)),
        }
    }

    /// Whether `exposure` forwards this gateway's cross-network traffic: it is on the
    /// gateway's mTLS port and selects its pods (with pods outside the repository: its
    /// selector contradicts none of the labels they are known to carry). An ambient
    /// (Gateway API) east-west gateway needs none.
    pub fn exposed_by(&self, exposure: &Exposure) -> bool {
        self.selected_by(exposure, !self.pods_known)
    }

    /// Whether `exposure` is on the gateway's mTLS port and its selector matches the pods'
    /// labels — or, `lenient`, contradicts none of them.
    fn selected_by(&self, exposure: &Exposure, lenient: bool) -> bool {
        if exposure.port != self.tls_port
            || (exposure.scoped && namespace_of(exposure.gateway) != namespace_of(self.object))
        {
            return false;
        }
        self.pods.iter().any(|pod| {
            if lenient {
                exposure
                    .selector
                    .iter()
                    .all(|(k, v)| pod.get(k).is_none_or(|known| known == v))
            } else {
                matches_labels(&exposure.selector, pod)
            }
        })
    }

    /// Whether the gateway is exposed: a Gateway API east-west gateway, or one of
    /// `exposures` forwards its traffic.
    pub fn is_exposed(&self, exposures: &[Exposure]) -> bool {
        self.form == Form::GatewayApi || exposures.iter().any(|e| self.exposed_by(e))
    }
}

/// An `AUTO_PASSTHROUGH` server of an Istio Gateway.
pub struct Exposure<'a> {
    pub gateway: &'a Node,
    selector: Labels,
    port: u16,
    /// Whether the istiod reading the Gateway scopes Gateways to their namespace.
    scoped: bool,
}

/// The `AUTO_PASSTHROUGH` servers that reach cluster `wirings[index]`'s gateways: those of
/// its own Gateways, and for a remote also its primaries' (Istio's guide applies
/// `expose-services.yaml` on the primary only: the primary's istiod configures the
/// remote's gateway).
pub fn exposures<'a>(repo: &Repo<'a>, wirings: &[Wiring<'a>], index: usize) -> Vec<Exposure<'a>> {
    let mut clusters = vec![wirings[index].cluster];
    if wirings[index].is_remote() {
        clusters.extend(primaries_of(wirings, index).iter().map(|w| w.cluster));
    }
    clusters
        .into_iter()
        .flat_map(|cluster| {
            let cluster = &repo.clusters[cluster];
            let scoped = cluster.model.scope_gateways_to_namespace;
            cluster
                .lookups
                .gateways
                .objects
                .iter()
                .flat_map(move |gateway| {
                    seq(gateway.at(&["spec", "servers"]))
                        .filter(|s| s.str_at(&["tls", "mode"]) == Some("AUTO_PASSTHROUGH"))
                        .filter_map(|s| s.at(&["port", "number"]).and_then(port_number))
                        .map(move |port| Exposure {
                            gateway,
                            selector: selector_of(gateway),
                            port,
                            scoped,
                        })
                })
        })
        .collect()
}

/// The network gateways of cluster `index`: its Services labelled `topology.istio.io/network`,
/// labelled or selecting `istio: eastwestgateway`, or whose pods (or, outside the repository,
/// the labels its selector gives them) one of `exposures` selects;
/// its `gateway` chart values with `networkGateway`; its `istio-east-west` Gateway API
/// Gateways (or Gateway API Gateways labelled with a network).
pub fn read<'a>(repo: &Repo<'a>, index: usize, exposures: &[Exposure]) -> Vec<NetworkGateway<'a>> {
    let cluster = &repo.clusters[index];
    let services = cluster
        .objects
        .iter()
        .filter(|o| o.str_at(&["kind"]) == Some("Service"))
        .filter_map(|service| {
            let gateway = from_service(repo, index, service)?;
            let east_west = gateway.network.is_some()
                || is_east_west(service.at(&["metadata", "labels"]))
                || is_east_west(service.at(&["spec", "selector"]))
                || exposures.iter().any(|e| gateway.selected_by(e, false));
            east_west.then_some(gateway)
        });
    let charts = repo.values[index].iter().filter_map(from_chart_values);
    let gateway_api = cluster
        .objects
        .iter()
        .filter(|o| is_kubernetes_gateway(o))
        .filter(|o| {
            o.str_at(&["spec", "gatewayClassName"]) == Some(EAST_WEST_GATEWAY_CLASS)
                || o.at(&["metadata", "labels", NETWORK_LABEL]).is_some()
        })
        .map(|gateway| NetworkGateway {
            form: Form::GatewayApi,
            object: gateway,
            network: gateway.at(&["metadata", "labels", NETWORK_LABEL]),
            tls_port: DEFAULT_TLS_PORT,
            workloads: Vec::new(),
            pods: Vec::new(),
            pods_known: false,
        });
    services.chain(charts).chain(gateway_api).collect()
}

/// The pod controllers of cluster `index` running east-west gateways: those of `gateways`,
/// and those labelled `istio: eastwestgateway` (on the controller or its pods).
pub fn workloads<'a>(
    repo: &Repo<'a>,
    index: usize,
    gateways: &[NetworkGateway<'a>],
) -> Vec<&'a Node> {
    let mut found: Vec<&Node> = gateways.iter().flat_map(|g| g.workloads.clone()).collect();
    let cluster = &repo.clusters[index];
    for workload in cluster.model.workloads() {
        let labelled =
            workload.labels.get(EAST_WEST_LABEL.0).map(String::as_str) == Some(EAST_WEST_LABEL.1);
        let object = cluster
            .lookups
            .index
            .get(&workload.kind, &workload.namespace, &workload.name);
        if let Some(object) = object
            && (labelled || is_east_west(object.at(&["metadata", "labels"])))
            && !found.iter().any(|f| std::ptr::eq(*f, object))
        {
            found.push(object);
        }
    }
    found
}

/// Whether a label map carries `istio: eastwestgateway`.
fn is_east_west(labels: Option<&Node>) -> bool {
    labels.and_then(|l| l.str_at(&[EAST_WEST_LABEL.0])) == Some(EAST_WEST_LABEL.1)
}

/// `<namespace>/<name>` of an object.
fn identity(object: &Node) -> String {
    format!(
        "{}/{}",
        namespace_of(object),
        object.str_at(&["metadata", "name"]).unwrap_or_default()
    )
}

/// A Service with a selector as a (possible) network gateway.
fn from_service<'a>(
    repo: &Repo<'a>,
    index: usize,
    service: &'a Node,
) -> Option<NetworkGateway<'a>> {
    let selector = labels(service.at(&["spec", "selector"]));
    if selector.is_empty() {
        return None;
    }
    let cluster = &repo.clusters[index];
    let namespace = namespace_of(service);
    let selected: Vec<_> = cluster
        .model
        .workloads()
        .iter()
        .filter(|w| w.namespace == namespace && matches_labels(&selector, &w.labels))
        .collect();
    let service_labels = service.at(&["metadata", "labels"]);
    let tls_port = service_labels
        .and_then(|l| l.get(GATEWAY_PORT_LABEL))
        .and_then(port_number)
        .unwrap_or(DEFAULT_TLS_PORT);
    let pods_known = !selected.is_empty();
    Some(NetworkGateway {
        form: Form::Service,
        object: service,
        network: service_labels.and_then(|l| l.get(NETWORK_LABEL)),
        tls_port,
        workloads: selected
            .iter()
            .filter_map(|w| cluster.lookups.index.get(&w.kind, &w.namespace, &w.name))
            .collect(),
        pods: if pods_known {
            selected.iter().map(|w| w.labels.clone()).collect()
        } else {
            vec![selector]
        },
        pods_known,
    })
}

/// The `gateway` chart's values with `networkGateway` as a network gateway: its pods carry
/// `app: <name>` and `istio: <name without istio->` (the chart's selector labels) and its
/// `labels`; its mTLS port is `networkGatewayPorts.tls.port`.
fn from_chart_values(values: &Node) -> Option<NetworkGateway<'_>> {
    if values.get("kind").is_some() {
        return None;
    }
    let network = values
        .get(NETWORK_GATEWAY_VALUE)
        .filter(|n| scalar(n).is_some_and(|n| !n.is_empty()))?;
    let mut pods = labels(values.get("labels"));
    let name = values.str_at(&["name"]);
    if let Some(name) = name {
        pods.entry("app".to_string())
            .or_insert_with(|| name.to_string());
        pods.entry("istio".to_string())
            .or_insert_with(|| name.trim_start_matches("istio-").to_string());
    }
    Some(NetworkGateway {
        form: Form::ChartValues,
        object: values,
        network: Some(network),
        tls_port: values
            .at(&["networkGatewayPorts", "tls", "port"])
            .and_then(port_number)
            .unwrap_or(DEFAULT_TLS_PORT),
        workloads: Vec::new(),
        pods: vec![pods],
        pods_known: name.is_some(),
    })
}

/// East-west gateway objects for the MW8xx rules' unit tests.
#[cfg(test)]
pub mod samples {
    /// An east-west gateway on `network` as `meshwright generate` writes it: a Deployment
    /// whose proxy requests the network's view (line 13: the env value), and a Service
    /// labelled with the network (line 20) selecting it.
    pub fn gateway(network: &str) -> String {
        format!(
            "apiVersion: apps/v1
kind: Deployment
metadata: {{name: istio-eastwestgateway, namespace: istio-system}}
spec:
  template:
    metadata:
      labels: {{istio: eastwestgateway, app: istio-eastwestgateway}}
    spec:
      containers:
        - name: istio-proxy
          image: auto
          env:
            - {{name: ISTIO_META_REQUESTED_NETWORK_VIEW, value: {network}}}
---
apiVersion: v1
kind: Service
metadata:
  name: istio-eastwestgateway
  namespace: istio-system
  labels: {{topology.istio.io/network: {network}}}
spec:
  selector: {{istio: eastwestgateway}}
  ports: [{{name: tls, port: 15443}}]
"
        )
    }

    /// Istio's `expose-services.yaml`, in `istio-system`.
    pub const EXPOSE_SERVICES: &str = "apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: cross-network-gateway, namespace: istio-system}
spec:
  selector: {istio: eastwestgateway}
  servers:
    - port: {number: 15443, name: tls, protocol: TLS}
      tls: {mode: AUTO_PASSTHROUGH}
      hosts: [\"*.local\"]
";
}

#[cfg(test)]
mod tests {
    use super::super::{read as wirings, with_repo};
    use super::samples::{EXPOSE_SERVICES, gateway};
    use super::*;

    /// Each network gateway of the first cluster: its description, network, port, and
    /// whether it is exposed.
    fn gateways(objects: &str, values: &str) -> Vec<(String, Option<String>, u16, bool)> {
        with_repo(&[("c1", objects, values)], |repo| {
            let wirings = wirings(repo);
            let exposures = exposures(repo, &wirings, 0);
            read(repo, 0, &exposures)
                .iter()
                .map(|g| {
                    (
                        g.describe(),
                        g.network_name(),
                        g.tls_port,
                        g.is_exposed(&exposures),
                    )
                })
                .collect()
        })
    }

    #[test]
    fn services_chart_values_and_gateway_api_gateways_are_network_gateways() {
        let service = |exposed| {
            let name = "Service istio-system/istio-eastwestgateway".to_string();
            (name, Some("net1".to_string()), 16443, exposed)
        };
        // A gatewayPort label moves the mTLS port; the Gateway must be on it.
        let moved = gateway("net1").replace(
            "{topology.istio.io/network: net1}",
            "{topology.istio.io/network: net1, networking.istio.io/gatewayPort: \"16443\"}",
        );
        let exposed = format!("{moved}---\n{}", EXPOSE_SERVICES.replace("15443", "16443"));
        assert_eq!(gateways(&exposed, ""), [service(true)]);
        let elsewhere = format!("{moved}---\n{EXPOSE_SERVICES}");
        assert_eq!(gateways(&elsewhere, ""), [service(false)]);
        // A Service whose pods are outside the repository is not taken for a gateway just
        // because an AUTO_PASSTHROUGH Gateway does not contradict its selector.
        let web = "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {app: web}\n";
        assert_eq!(gateways(&format!("{web}---\n{EXPOSE_SERVICES}"), ""), []);
        let chart = "name: istio-eastwestgateway\nnetworkGateway: net2\n";
        assert_eq!(
            gateways(EXPOSE_SERVICES, chart),
            [(
                "the gateway chart values (networkGateway) of istio-eastwestgateway".to_string(),
                Some("net2".to_string()),
                15443,
                true
            )]
        );
        let ambient = "apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: istio-eastwestgateway, namespace: istio-system}
spec: {gatewayClassName: istio-east-west, listeners: []}
";
        assert_eq!(
            gateways(ambient, ""),
            [(
                "Gateway istio-system/istio-eastwestgateway".to_string(),
                None,
                15443,
                true
            )]
        );
    }

    #[test]
    fn east_west_workloads_are_those_of_gateways_and_those_labelled_so() {
        let labelled_only = gateway("net1").replace(
            "selector: {istio: eastwestgateway}",
            "selector: {app: other}",
        );
        let names = with_repo(&[("c1", &labelled_only, "")], |repo| {
            let wirings = wirings(repo);
            let gateways = read(repo, 0, &exposures(repo, &wirings, 0));
            workloads(repo, 0, &gateways)
                .iter()
                .filter_map(|w| w.str_at(&["metadata", "name"]).map(str::to_string))
                .collect::<Vec<_>>()
        });
        assert_eq!(names, ["istio-eastwestgateway"]);
    }
}
