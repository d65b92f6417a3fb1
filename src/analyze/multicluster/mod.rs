//! Multi-cluster wiring analyzers (MW8xx): the steps of Istio's multi-cluster installation
//! guides ("Install Multi-Primary on different networks", "Install Primary-Remote on
//! different networks" on istio.io) checked against any repository's clusters.
//!
//! They share [`Wiring`]: what each cluster's istiod configuration (Helm values or an
//! IstioOperator) and its `istio-system` Namespace say about the cluster's place in the
//! mesh — its mesh ID, cluster name, network, whether it is a primary or a remote, and which
//! primaries control a remote.

pub mod istiod_not_exposed;
pub mod mesh_id_mismatch;
pub mod remote_not_remote_profile;
pub mod remote_secret_in_repository;

use crate::analyze::Repo;
use crate::manifest::Node;
use crate::policy::ROOT_NAMESPACE;
use crate::policy::cluster::istiod_env;
use crate::policy::workload::scalar;

/// The label that names a cluster's (or a gateway's) network.
pub const NETWORK_LABEL: &str = "topology.istio.io/network";
/// The `istio-system` annotation naming the primaries that control a remote cluster.
pub const CONTROL_PLANE_CLUSTERS: &str = "topology.istio.io/controlPlaneClusters";

/// One cluster's istiod configuration, in either form Istio installs from.
pub struct Istiod<'a> {
    /// The Helm values document or the IstioOperator.
    pub document: &'a Node,
    /// Helm values' top level, or the IstioOperator's `spec.values`.
    values: &'a Node,
    /// `profile` (Helm) or `spec.profile` (IstioOperator).
    pub profile: Option<&'a Node>,
}

impl<'a> Istiod<'a> {
    /// `document` as istiod configuration: Helm values of the `istiod` (or `base`) chart —
    /// a document without `kind` carrying `global`, `meshConfig`, `pilot`, `istiodRemote` or
    /// `profile` — or an IstioOperator.
    pub fn read(document: &'a Node) -> Option<Self> {
        match document.str_at(&["kind"]) {
            None => ["global", "meshConfig", "pilot", "istiodRemote", "profile"]
                .iter()
                .any(|key| document.get(key).is_some())
                .then_some(Istiod {
                    document,
                    values: document,
                    profile: document.get("profile"),
                }),
            Some("IstioOperator") => Some(Istiod {
                document,
                values: document.at(&["spec", "values"]).unwrap_or(document),
                profile: document.at(&["spec", "profile"]),
            }),
            Some(_) => None,
        }
    }

    /// A value under the chart values (`global.network` is `["global", "network"]`).
    pub fn value(&self, path: &[&str]) -> Option<&'a Node> {
        self.values.at(path)
    }

    /// The text of a scalar value under the chart values.
    pub fn text(&self, path: &[&str]) -> Option<String> {
        self.value(path).and_then(scalar).filter(|v| !v.is_empty())
    }

    /// `global.meshID`.
    pub fn mesh_id(&self) -> Option<String> {
        self.text(&["global", "meshID"])
    }

    /// `global.multiCluster.clusterName`.
    pub fn cluster_name(&self) -> Option<String> {
        self.text(&["global", "multiCluster", "clusterName"])
    }

    /// `global.network`.
    pub fn network(&self) -> Option<String> {
        self.text(&["global", "network"])
    }

    /// Whether this installs a remote: the `remote` profile, `istiodRemote.enabled`, or a
    /// `global.remotePilotAddress` (a control plane elsewhere).
    pub fn is_remote(&self) -> bool {
        self.profile.and_then(scalar).as_deref() == Some("remote")
            || self.text(&["istiodRemote", "enabled"]).as_deref() == Some("true")
            || self.text(&["global", "remotePilotAddress"]).is_some()
    }

    /// Whether this istiod also serves remote clusters: `global.externalIstiod: true` or
    /// istiod's `EXTERNAL_ISTIOD` environment variable.
    pub fn serves_remotes(&self) -> bool {
        self.text(&["global", "externalIstiod"]).as_deref() == Some("true")
            || istiod_env(self.document, "EXTERNAL_ISTIOD")
                .and_then(|env| env.value)
                .and_then(scalar)
                .is_some_and(|v| v == "true")
    }
}

/// What one cluster of the repository says about its place in a multi-cluster mesh.
pub struct Wiring<'a> {
    /// Index into `Repo::clusters`.
    pub cluster: usize,
    /// The repository's name for the cluster (its directory).
    pub directory: &'a str,
    /// Its istiod configuration, when the repository holds one.
    pub istiod: Option<Istiod<'a>>,
    /// Its `istio-system` Namespace, when the repository declares it.
    pub namespace: Option<&'a Node>,
}

impl<'a> Wiring<'a> {
    /// The cluster's name as the mesh knows it: `global.multiCluster.clusterName`, else the
    /// repository's directory name.
    pub fn name(&self) -> String {
        self.istiod
            .as_ref()
            .and_then(Istiod::cluster_name)
            .unwrap_or_else(|| self.directory.to_string())
    }

    /// The network istiod places the cluster on (`global.network`).
    pub fn network(&self) -> Option<String> {
        self.istiod.as_ref().and_then(Istiod::network)
    }

    /// Whether the cluster is a remote: its istiod configuration installs one, or its
    /// `istio-system` Namespace names the primaries that control it.
    pub fn is_remote(&self) -> bool {
        self.istiod.as_ref().is_some_and(Istiod::is_remote) || self.control_plane().is_some()
    }

    /// Whether the repository holds an istiod configuration for a primary of this cluster.
    pub fn is_primary(&self) -> bool {
        self.istiod.is_some() && !self.is_remote()
    }

    /// The `topology.istio.io/controlPlaneClusters` annotation of `istio-system`.
    pub fn control_plane(&self) -> Option<&'a Node> {
        self.namespace?
            .get("metadata")?
            .get("annotations")?
            .get(CONTROL_PLANE_CLUSTERS)
    }

    /// The `topology.istio.io/network` label of `istio-system`.
    pub fn namespace_network(&self) -> Option<&'a Node> {
        self.namespace?
            .get("metadata")?
            .get("labels")?
            .get(NETWORK_LABEL)
    }
}

/// Every cluster's wiring, in `Repo::clusters` order.
pub fn read<'a>(repo: &Repo<'a>) -> Vec<Wiring<'a>> {
    repo.clusters
        .iter()
        .zip(repo.values)
        .enumerate()
        .map(|(index, (cluster, values))| Wiring {
            cluster: index,
            directory: &cluster.model.cluster,
            istiod: values.iter().chain(cluster.objects).find_map(Istiod::read),
            namespace: cluster
                .lookups
                .index
                .get("Namespace", "default", ROOT_NAMESPACE),
        })
        .collect()
}

/// The primaries of the repository that control remote `wirings[remote]`: those its
/// `controlPlaneClusters` annotation names (by cluster name or directory), else every
/// primary that serves remotes, else every primary.
pub fn primaries_of<'w, 'a>(wirings: &'w [Wiring<'a>], remote: usize) -> Vec<&'w Wiring<'a>> {
    let primaries = || wirings.iter().filter(|w| w.is_primary());
    if let Some(named) = wirings[remote].control_plane().and_then(scalar) {
        let names: Vec<&str> = named.split(',').map(str::trim).collect();
        return primaries()
            .filter(|w| names.contains(&w.name().as_str()) || names.contains(&w.directory))
            .collect();
    }
    let serving: Vec<&Wiring> = primaries()
        .filter(|w| w.istiod.as_ref().is_some_and(Istiod::serves_remotes))
        .collect();
    if serving.is_empty() {
        primaries().collect()
    } else {
        serving
    }
}

/// Whether the clusters of the repository span more than one network (so cross-cluster
/// traffic must pass east-west gateways).
pub fn spans_networks(wirings: &[Wiring]) -> bool {
    let mut networks = wirings.iter().filter_map(Wiring::network);
    let Some(first) = networks.next() else {
        return false;
    };
    networks.any(|n| n != first)
}

/// Where to point at what makes `wiring` a remote: its `global.remotePilotAddress`, else its
/// `controlPlaneClusters` annotation, else its istiod `profile`, else its istiod document.
pub fn remote_pointer<'a>(wiring: &Wiring<'a>) -> Option<&'a Node> {
    let istiod = wiring.istiod.as_ref();
    istiod
        .and_then(|i| i.value(&["global", "remotePilotAddress"]))
        .or_else(|| wiring.control_plane())
        .or_else(|| istiod.and_then(|i| i.profile))
        .or_else(|| istiod.map(|i| i.document))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::parse_documents;

    fn node(text: &str) -> Node {
        parse_documents(std::path::Path::new("t.yaml"), text.as_bytes()).unwrap()[0].clone()
    }

    #[test]
    fn istiod_configuration_is_read_from_helm_values_and_istio_operators() {
        let helm = node(
            "profile: remote\nglobal:\n  meshID: m\n  network: n2\n  multiCluster: {clusterName: c2}\n  remotePilotAddress: 10.0.0.1\n",
        );
        let istiod = Istiod::read(&helm).unwrap();
        assert_eq!(istiod.mesh_id().as_deref(), Some("m"));
        assert_eq!(istiod.network().as_deref(), Some("n2"));
        assert_eq!(istiod.cluster_name().as_deref(), Some("c2"));
        assert!(istiod.is_remote());

        let operator = node(
            "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  values:\n    global: {meshID: m, network: n1, externalIstiod: true}\n",
        );
        let istiod = Istiod::read(&operator).unwrap();
        assert_eq!(istiod.network().as_deref(), Some("n1"));
        assert!(!istiod.is_remote());
        assert!(istiod.serves_remotes());

        let env = node("pilot:\n  env: {EXTERNAL_ISTIOD: \"true\"}\n");
        assert!(Istiod::read(&env).unwrap().serves_remotes());
        // The gateway chart's values and other objects are not istiod's.
        assert!(
            Istiod::read(&node("networkGateway: n1\nservice: {type: LoadBalancer}\n")).is_none()
        );
        assert!(Istiod::read(&node("kind: Service\nmetadata: {name: x}\n")).is_none());
    }
}
