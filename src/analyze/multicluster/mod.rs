//! Multi-cluster wiring analyzers (MW8xx): the steps of Istio's multi-cluster installation
//! guides ("Install Multi-Primary on different networks", "Install Primary-Remote on
//! different networks" on istio.io) checked against any repository's clusters.
//!
//! They share [`Wiring`]: what each cluster's istiod configuration (Helm values or an
//! IstioOperator) and its `istio-system` Namespace say about the cluster's place in the
//! mesh — its mesh ID, cluster name, network, whether it is a primary or a remote, and which
//! primaries control a remote.

use crate::analyze::Repo;
use crate::manifest::Node;
use crate::policy::ROOT_NAMESPACE;
pub use crate::policy::istiod::{CONTROL_PLANE_CLUSTERS, Istiod};
use crate::policy::workload::scalar;

/// The label that names a cluster's (or a gateway's) network.
pub const NETWORK_LABEL: &str = "topology.istio.io/network";

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
