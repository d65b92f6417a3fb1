//! Multi-cluster wiring analyzers (MW8xx): the steps of Istio's multi-cluster installation
//! guides ("Install Multi-Primary on different networks", "Install Primary-Remote on
//! different networks" on istio.io) checked against any repository's clusters.
//!
//! They share [`Wiring`]: what each cluster's istiod configuration (Helm values or an
//! IstioOperator) and its `istio-system` Namespace say about the cluster's place in the
//! mesh — its mesh ID, cluster name, network, whether it is a primary or a remote, and which
//! primaries control a remote.

pub mod east_west;
pub mod east_west_gateway_missing;
pub mod east_west_gateway_without_network;
pub mod istiod_not_exposed;
pub mod mesh_id_mismatch;
pub mod network_label_missing;
pub mod remote_not_remote_profile;
pub mod remote_secret_in_repository;

use crate::analyze::Repo;
use crate::findings::Finding;
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

/// The clusters of each mesh of the repository, in `wirings` order: clusters whose istiod
/// names the same `global.meshID` (or none) form one mesh; a remote naming none belongs to
/// its primaries' mesh (Istio's guide installs remotes without `meshID`).
pub fn meshes<'w, 'a>(wirings: &'w [Wiring<'a>]) -> Vec<Vec<&'w Wiring<'a>>> {
    let own_id = |wiring: &Wiring| wiring.istiod.as_ref().and_then(Istiod::mesh_id);
    let mut meshes: Vec<(Option<String>, Vec<&Wiring>)> = Vec::new();
    for (index, wiring) in wirings.iter().enumerate() {
        let id = own_id(wiring).or_else(|| {
            wiring
                .is_remote()
                .then(|| primaries_of(wirings, index).into_iter().find_map(own_id))
                .flatten()
        });
        match meshes.iter_mut().find(|(mesh, _)| *mesh == id) {
            Some((_, members)) => members.push(wiring),
            None => meshes.push((id, vec![wiring])),
        }
    }
    meshes.into_iter().map(|(_, members)| members).collect()
}

/// The distinct networks (`global.network`) the clusters of one mesh are on.
pub fn networks(mesh: &[&Wiring]) -> std::collections::BTreeSet<String> {
    mesh.iter().filter_map(|w| w.network()).collect()
}

/// Where a label must be added to `object`: its `metadata.labels`, else its `metadata`, else
/// the object itself.
pub fn label_site(object: &Node) -> &Node {
    object
        .at(&["metadata", "labels"])
        .or(object.get("metadata"))
        .unwrap_or(object)
}

/// `finding` attributed to `document` when it is an object (an IstioOperator, a Service);
/// Helm values are not.
pub fn on_document(finding: Finding, document: &Node) -> Finding {
    if document.get("kind").is_some() {
        finding.on(document)
    } else {
        finding
    }
}

/// Runs `f` on a complete repository of `clusters`: (directory, objects, Helm values) YAML
/// (for the MW8xx rules' unit tests).
#[cfg(test)]
pub fn with_repo<T>(clusters: &[(&str, &str, &str)], f: impl FnOnce(&Repo) -> T) -> T {
    use crate::analyze::{Cluster, Lookups};
    use crate::manifest::parse_documents;
    use crate::policy::{DEFAULT_TRUST_DOMAIN, Model};
    let parse = |name: &str, text: &str| {
        parse_documents(std::path::Path::new(name), text.as_bytes()).expect("valid YAML")
    };
    let objects: Vec<Vec<Node>> = clusters
        .iter()
        .map(|(name, yaml, _)| parse(&format!("clusters/{name}/objects.yaml"), yaml))
        .collect();
    let values: Vec<Vec<Node>> = clusters
        .iter()
        .map(|(name, _, yaml)| parse(&format!("clusters/{name}/values.yaml"), yaml))
        .collect();
    let models: Vec<Model> = clusters
        .iter()
        .zip(&objects)
        .map(|((name, _, _), objects)| Model::new(name, objects, DEFAULT_TRUST_DOMAIN))
        .collect();
    let lookups: Vec<Lookups> = objects
        .iter()
        .zip(&models)
        .map(|(objects, model)| Lookups::new(objects, model))
        .collect();
    let clusters: Vec<Cluster> = models
        .iter()
        .zip(&objects)
        .zip(&lookups)
        .map(|((model, objects), lookups)| Cluster {
            model,
            objects,
            lookups,
            complete: true,
        })
        .collect();
    f(&Repo {
        clusters: &clusters,
        values: &values,
    })
}

/// Each finding of `check` on `clusters` (see [`with_repo`]) as `file:line:column severity`.
#[cfg(test)]
pub fn located(check: fn(&Repo) -> Vec<Finding>, clusters: &[(&str, &str, &str)]) -> Vec<String> {
    with_repo(clusters, |repo| {
        check(repo)
            .iter()
            .map(|f| {
                let origin = f.origin.as_ref().expect("a place");
                let file = origin.file.to_string_lossy();
                format!("{file}:{}:{} {:?}", origin.line, origin.column, f.severity)
            })
            .collect()
    })
}
