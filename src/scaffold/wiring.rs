//! The multi-cluster wiring of the blueprint context, step by step as Istio's guides
//! ("Install Multi-Primary on different networks", "Install Primary-Remote on different
//! networks", and their single-network forms) lay it out: each cluster's network, which
//! clusters are remotes of the central primary, which run an east-west gateway and what it
//! exposes, and the steps that cannot live in Git (remote secrets, the discovery address).

use serde::Serialize;

use crate::intent::model::{Cluster, ClusterRole, Mesh, Topology};

/// What one cluster's generated wiring holds.
#[derive(Debug, Serialize)]
pub struct ClusterWiring {
    /// A primary-remote edge: its proxies use the central cluster's istiod.
    pub is_remote: bool,
    /// Runs `istio-eastwestgateway`: the mesh spans networks (data traffic crosses them),
    /// or this is the central cluster and remotes reach its istiod through it.
    pub east_west_gateway: bool,
    /// Applies Istio's `expose-services.yaml` (`cross-network-gateway`): a primary of a mesh
    /// that spans networks. A remote's gateway takes that Gateway from its primary.
    pub exposes_services: bool,
    /// Applies Istio's `expose-istiod.yaml`: the central cluster, when it has remotes.
    pub exposes_istiod: bool,
    /// `istiodRemote.injectionPath` of a remote: `/inject/cluster/<name>/net/<network>`.
    pub injection_path: String,
    /// Shell variable holding the cluster's kubectl context in the runbook (`CTX_EDGE_EU`).
    pub context_variable: String,
}

/// The mesh-wide part of the wiring.
#[derive(Debug, Serialize)]
pub struct MeshWiring {
    /// More than one network among the clusters.
    pub spans_networks: bool,
    /// Some edge cluster is a remote of the central primary.
    pub has_remotes: bool,
    /// Shell variable holding the central cluster's kubectl context in the runbook.
    pub central_context_variable: String,
    /// `istioctl create-remote-secret` runs, in order: each primary learns every other
    /// cluster's API server.
    pub remote_secrets: Vec<RemoteSecret>,
}

/// One remote secret: `istioctl create-remote-secret` for `cluster`, applied to `into`.
#[derive(Debug, Serialize)]
pub struct RemoteSecret {
    pub cluster: String,
    pub context_variable: String,
    pub into: String,
    pub into_context_variable: String,
}

/// The network a cluster is on: `network`, else `<cluster>-network`.
pub fn network_of(cluster: &Cluster) -> String {
    cluster.network.as_ref().map_or_else(
        || format!("{}-network", cluster.name.value),
        |n| n.value.clone(),
    )
}

fn is_remote(cluster: &Cluster) -> bool {
    *cluster.role == ClusterRole::Edge && *cluster.topology == Topology::PrimaryRemote
}

fn context_variable(cluster: &Cluster) -> String {
    format!(
        "CTX_{}",
        cluster.name.value.to_ascii_uppercase().replace('-', "_")
    )
}

/// The mesh-wide wiring of `mesh`.
pub fn mesh_wiring(mesh: &Mesh) -> MeshWiring {
    let clusters = &mesh.spec.clusters;
    let first_network = clusters.first().map(network_of);
    let remote_secrets = clusters
        .iter()
        .filter(|into| !is_remote(into))
        .flat_map(|into| {
            clusters
                .iter()
                .filter(move |cluster| cluster.name.value != into.name.value)
                .map(move |cluster| RemoteSecret {
                    cluster: cluster.name.value.clone(),
                    context_variable: context_variable(cluster),
                    into: into.name.value.clone(),
                    into_context_variable: context_variable(into),
                })
        })
        .collect();
    MeshWiring {
        spans_networks: clusters
            .iter()
            .any(|c| Some(network_of(c)) != first_network),
        has_remotes: clusters.iter().any(is_remote),
        central_context_variable: clusters
            .iter()
            .find(|c| *c.role == ClusterRole::Central)
            .map(context_variable)
            .unwrap_or_default(),
        remote_secrets,
    }
}

/// The wiring of one cluster of `mesh`.
pub fn cluster_wiring(mesh: &MeshWiring, cluster: &Cluster) -> ClusterWiring {
    let remote = is_remote(cluster);
    let central = *cluster.role == ClusterRole::Central;
    ClusterWiring {
        is_remote: remote,
        east_west_gateway: mesh.spans_networks || (central && mesh.has_remotes),
        exposes_services: mesh.spans_networks && !remote,
        exposes_istiod: central && mesh.has_remotes,
        injection_path: format!(
            "/inject/cluster/{}/net/{}",
            cluster.name.value,
            network_of(cluster)
        ),
        context_variable: context_variable(cluster),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mesh(clusters: &str) -> Mesh {
        let text = format!(
            "apiVersion: meshwright.dev/v1alpha1\nkind: Mesh\nmetadata: {{name: m}}\nspec:\n  gitops: {{engine: flux, repoURL: https://example.com/r.git}}\n  clusters:\n{clusters}"
        );
        crate::intent::parse(std::path::Path::new("mesh.yaml"), text.as_bytes())
            .unwrap_or_else(|e| panic!("{e}"))
    }

    fn wiring(mesh: &Mesh) -> (MeshWiring, Vec<ClusterWiring>) {
        let whole = mesh_wiring(mesh);
        let clusters = mesh
            .spec
            .clusters
            .iter()
            .map(|c| cluster_wiring(&whole, c))
            .collect();
        (whole, clusters)
    }

    #[test]
    fn networks_apart_need_east_west_gateways_everywhere_and_exposure_on_primaries() {
        let mesh = mesh(
            "    - {name: hq, role: central, network: n1, eastWestHost: ew.example}\n    - {name: eu, role: edge, network: n2, ingress: {host: eu.example}}\n    - {name: us, role: edge, topology: primary-remote, network: n3, ingress: {host: us.example}}\n",
        );
        let (whole, clusters) = wiring(&mesh);
        assert!(whole.spans_networks && whole.has_remotes);
        assert!(clusters.iter().all(|c| c.east_west_gateway));
        let exposes: Vec<bool> = clusters.iter().map(|c| c.exposes_services).collect();
        assert_eq!(exposes, [true, true, false]);
        let istiod: Vec<bool> = clusters.iter().map(|c| c.exposes_istiod).collect();
        assert_eq!(istiod, [true, false, false]);
        assert_eq!(clusters[2].injection_path, "/inject/cluster/us/net/n3");
        assert_eq!(clusters[1].context_variable, "CTX_EU");
        assert_eq!(whole.central_context_variable, "CTX_HQ");
        // Each primary learns every other cluster; nobody installs a secret in the remote.
        let secrets: Vec<(&str, &str)> = whole
            .remote_secrets
            .iter()
            .map(|s| (s.cluster.as_str(), s.into.as_str()))
            .collect();
        assert_eq!(
            secrets,
            [("eu", "hq"), ("us", "hq"), ("hq", "eu"), ("us", "eu")]
        );
    }

    #[test]
    fn one_network_needs_an_east_west_gateway_only_for_a_remote_s_istiod() {
        let multi_primary = mesh(
            "    - {name: hq, role: central, network: n1}\n    - {name: eu, role: edge, network: n1, ingress: {host: eu.example}}\n",
        );
        let (whole, clusters) = wiring(&multi_primary);
        assert!(!whole.spans_networks);
        assert!(clusters.iter().all(|c| !c.east_west_gateway));

        let primary_remote = mesh(
            "    - {name: hq, role: central, network: n1, eastWestHost: ew.example}\n    - {name: us, role: edge, topology: primary-remote, network: n1, ingress: {host: us.example}}\n",
        );
        let (_, clusters) = wiring(&primary_remote);
        let gateways: Vec<bool> = clusters.iter().map(|c| c.east_west_gateway).collect();
        assert_eq!(gateways, [true, false]);
        assert!(clusters[0].exposes_istiod && !clusters[0].exposes_services);
    }

    #[test]
    fn clusters_without_a_network_are_each_on_their_own() {
        let mesh = mesh(
            "    - {name: hq, role: central}\n    - {name: eu, role: edge, ingress: {host: eu.example}}\n",
        );
        assert_eq!(network_of(&mesh.spec.clusters[1]), "eu-network");
        assert!(mesh_wiring(&mesh).spans_networks);
    }
}
