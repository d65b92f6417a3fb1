//! MW806: an east-west gateway that does not name its cluster's network — no (or another)
//! `topology.istio.io/network` label on its Service, or pods without
//! `ISTIO_META_REQUESTED_NETWORK_VIEW` — the network settings of the step "Install the
//! east-west gateway in clusterN" of Istio's multi-network guides.

use crate::analyze::{Repo, RepoRule};
use crate::findings::{Code, Finding, Severity};
use crate::manifest::Node;
use crate::policy::workload::{pod_template, scalar};

use super::east_west::{self, Form, NetworkGateway};
use super::{NETWORK_LABEL, Wiring, label_site, meshes, networks, on_document, read};

/// The proxy environment variable restricting a gateway's endpoints to its own network.
const REQUESTED_NETWORK_VIEW: &str = "ISTIO_META_REQUESTED_NETWORK_VIEW";
/// The pod annotation carrying proxy configuration (its `proxyMetadata` sets proxy env).
const PROXY_CONFIG_ANNOTATION: &str = "proxy.istio.io/config";

/// `east-west-gateway-without-network`
pub static CODE: Code = Code {
    code: "MW806",
    name: "east-west-gateway-without-network",
    severity: Severity::Error,
    help: "Label the east-west gateway's Service (and pods) topology.istio.io/network=<the cluster's global.network> and set ISTIO_META_REQUESTED_NETWORK_VIEW=<network> on its proxy, as the gateway chart does with networkGateway.",
    docs: r#"## What it does
Checks the east-west gateways of clusters whose istiod sets `global.network`, when the mesh
spans several networks or the gateway is exposed by an `AUTO_PASSTHROUGH` Gateway. An
east-west gateway is a Service whose pods an `AUTO_PASSTHROUGH` Gateway selects, a
Service or pod controller labelled `istio: eastwestgateway`, `gateway` chart values with
`networkGateway`, or an `istio-east-west` Gateway API Gateway. Reported:

- error: its Service has no `topology.istio.io/network` label, or names another network
  than the cluster's `global.network` (chart values: `networkGateway`);
- warning: its pods' proxy does not set `ISTIO_META_REQUESTED_NETWORK_VIEW` to the
  cluster's network (container `env`, or `proxyMetadata` in the `proxy.istio.io/config`
  annotation).

The gateway chart sets all three from `networkGateway: <network>`, as does Istio's
`gen-eastwest-gateway.sh --network <network>`, in the step "Install the east-west gateway
in clusterN" of
[Install Multi-Primary on different networks](https://istio.io/latest/docs/setup/install/multicluster/multi-primary_multi-network/#install-the-east-west-gateway-in-cluster1)
and
[Install Primary-Remote on different networks](https://istio.io/latest/docs/setup/install/multicluster/primary-remote_multi-network/#install-the-east-west-gateway-in-cluster1).

## Why is this bad?
istiod recognises a network's gateway by the `topology.istio.io/network` label of its
Service: without it the gateway is not the network's gateway, and proxies of other networks
get no address to send this network's traffic to; with another network's name, traffic for
that network is sent here and this network has none. Without
`ISTIO_META_REQUESTED_NETWORK_VIEW`, the gateway itself sees every network's endpoints and
may forward traffic it received for its own network on to another network's gateway.

## Example
```yaml
apiVersion: v1
kind: Service
metadata:
  name: istio-eastwestgateway
  namespace: istio-system
  labels:
    istio: eastwestgateway
spec:
  type: LoadBalancer
  selector:
    istio: eastwestgateway
  ports:
    - name: tls
      port: 15443
      targetPort: 15443
```

## Use instead
```yaml
apiVersion: v1
kind: Service
metadata:
  name: istio-eastwestgateway
  namespace: istio-system
  labels:
    istio: eastwestgateway
    topology.istio.io/network: network1
spec:
  type: LoadBalancer
  selector:
    istio: eastwestgateway
  ports:
    - name: tls
      port: 15443
      targetPort: 15443
```
"#,
};

pub static RULE: RepoRule = RepoRule { code: &CODE, check };

fn check(repo: &Repo) -> Vec<Finding> {
    let wirings = read(repo);
    let mut findings = Vec::new();
    for mesh in meshes(&wirings) {
        let spans = networks(&mesh).len() > 1;
        for wiring in mesh {
            if let Some(network) = wiring.network() {
                findings.extend(cluster_findings(repo, &wirings, wiring, &network, spans));
            }
        }
    }
    findings
}

/// The findings of one cluster on `network`, in a mesh that `spans` networks or not.
fn cluster_findings(
    repo: &Repo,
    wirings: &[Wiring],
    wiring: &Wiring,
    network: &str,
    spans: bool,
) -> Vec<Finding> {
    let exposures = east_west::exposures(repo, wirings, wiring.cluster);
    let gateways = east_west::read(repo, wiring.cluster, &exposures);
    let judged: Vec<&NetworkGateway> = gateways
        .iter()
        .filter(|g| spans || g.is_exposed(&exposures))
        .collect();
    if !spans && judged.is_empty() {
        return Vec::new();
    }
    let cluster = wiring.name();
    let labels = judged
        .iter()
        .filter_map(|g| label_finding(g, &cluster, network));
    let views = east_west::workloads(repo, wiring.cluster, &gateways)
        .into_iter()
        .filter_map(|w| view_finding(w, &cluster, network));
    labels.chain(views).collect()
}

/// A gateway whose network label (or `networkGateway`) is not `network`.
fn label_finding(gateway: &NetworkGateway, cluster: &str, network: &str) -> Option<Finding> {
    let (message, node) = match (gateway.network, gateway.network_name()) {
        (_, Some(named)) if named == network => return None,
        (Some(value), Some(named)) => (
            format!(
                "{} is cluster {cluster}'s east-west gateway, but names network {named} while the cluster's istiod sets global.network {network}: istiod makes it the gateway of {named}, so traffic from other networks to {network} has no gateway and traffic for {named} is sent here",
                gateway.describe()
            ),
            value,
        ),
        _ if gateway.form == Form::ChartValues => return None,
        _ => (
            format!(
                "{} is cluster {cluster}'s east-west gateway, but has no {NETWORK_LABEL} label: istiod does not recognise it as network {network}'s gateway, so other networks cannot reach the cluster's services through it; label it {NETWORK_LABEL}: {network}",
                gateway.describe()
            ),
            label_site(gateway.object),
        ),
    };
    Some(on_document(
        Finding::new(&CODE, message, Some(node.origin.clone())),
        gateway.object,
    ))
}

/// A gateway pod controller whose proxy does not request `network`'s view.
fn view_finding(workload: &Node, cluster: &str, network: &str) -> Option<Finding> {
    let pod = pod_template(workload)?;
    let containers = pod.at(&["spec", "containers"]).and_then(Node::as_seq)?;
    let env_value = containers.iter().find_map(|c| {
        c.get("env")?
            .as_seq()?
            .iter()
            .find(|e| e.str_at(&["name"]) == Some(REQUESTED_NETWORK_VIEW))?
            .get("value")
    });
    let name = workload.str_at(&["metadata", "name"]).unwrap_or_default();
    let (message, node) = match env_value {
        Some(value) => {
            let text = scalar(value).unwrap_or_default();
            if text.split(',').any(|n| n.trim() == network) {
                return None;
            }
            (
                format!(
                    "east-west gateway {name} of cluster {cluster} requests the view of network(s) {text}, not its own {network}: it may forward traffic received for {network} to other networks' gateways"
                ),
                value,
            )
        }
        None if proxy_config_sets_view(pod) => return None,
        None => {
            let proxy = containers
                .iter()
                .find(|c| c.str_at(&["name"]) == Some("istio-proxy"))
                .or(containers.first())?;
            (
                format!(
                    "east-west gateway {name} of cluster {cluster} does not set {REQUESTED_NETWORK_VIEW}={network} on its proxy: it sees every network's endpoints and may forward traffic received for {network} to other networks' gateways"
                ),
                proxy.get("env").or(proxy.get("name")).unwrap_or(proxy),
            )
        }
    };
    let mut finding = Finding::new(&CODE, message, Some(node.origin.clone())).on(workload);
    finding.severity = Severity::Warning;
    Some(finding)
}

/// Whether a pod's `proxy.istio.io/config` annotation sets the view in `proxyMetadata`.
fn proxy_config_sets_view(pod: &Node) -> bool {
    pod.str_at(&["metadata", "annotations", PROXY_CONFIG_ANNOTATION])
        .is_some_and(|config| config.contains(REQUESTED_NETWORK_VIEW))
}

#[cfg(test)]
mod tests {
    use super::super::east_west::samples::gateway;
    use super::super::located;
    use super::*;

    const VALUES: &str = "global:\n  meshID: mesh1\n  network: network1\n";
    const OTHER: &str = "global:\n  meshID: mesh1\n  network: network2\n";
    const NAMESPACE: &str = "apiVersion: v1\nkind: Namespace\nmetadata: {name: istio-system}\n";

    /// The findings on cluster c1 (`objects`, `values`), next to cluster c2 on `other`'s
    /// network.
    fn found(objects: &str, values: &str, other: &str) -> Vec<String> {
        located(check, &[("c1", objects, values), ("c2", NAMESPACE, other)])
    }

    #[test]
    fn an_east_west_gateway_names_its_cluster_s_network() {
        let gateway = gateway("network1");
        assert_eq!(found(&gateway, VALUES, OTHER), Vec::<String>::new());
        // Another network on the Service: the label's value.
        let elsewhere = gateway.replace("network: network1}", "network: network3}");
        let service = "clusters/c1/objects.yaml";
        assert_eq!(
            found(&elsewhere, VALUES, OTHER),
            [format!("{service}:20:39 Error")]
        );
        // No label: the Service's labels.
        let unlabelled = gateway.replace(
            "{topology.istio.io/network: network1}",
            "{istio: eastwestgateway}",
        );
        assert_eq!(
            found(&unlabelled, VALUES, OTHER),
            [format!("{service}:20:11 Error")]
        );
        // No view on the pods: the proxy's env; a view of another network: its value.
        let viewless = gateway.replace("ISTIO_META_REQUESTED_NETWORK_VIEW", "OTHER");
        assert_eq!(
            found(&viewless, VALUES, OTHER),
            [format!("{service}:12:11 Warning")]
        );
        let other_view = gateway.replace("value: network1}", "value: network2}");
        assert_eq!(
            found(&other_view, VALUES, OTHER),
            [format!("{service}:13:64 Warning")]
        );
        // A single-network mesh with no AUTO_PASSTHROUGH Gateway is not judged.
        assert_eq!(found(&unlabelled, VALUES, VALUES), Vec::<String>::new());
        // Gateway chart values name the network in networkGateway.
        let chart = "name: istio-eastwestgateway\nnetworkGateway: network3\n";
        assert_eq!(
            found(NAMESPACE, &format!("{VALUES}---\n{chart}"), OTHER),
            ["clusters/c1/values.yaml:6:17 Error"]
        );
    }
}
