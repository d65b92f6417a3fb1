//! The effective mesh policy, computed offline from rendered manifests: which workload may
//! call which, on which port, under which mTLS mode, decided by which policies.
//!
//! [`load`] reads a repository (through `validate`'s discovery and rendering) and groups
//! its objects per cluster; [`Model::new`] reads one cluster's workloads and policies;
//! [`Model::matrix`] evaluates every caller → callee pair. Analyzers build on [`Model`],
//! [`Matrix`] and [`Edge`]; `output` formats a matrix for people and scripts.

pub mod authz;
pub mod client;
pub mod cluster;
pub mod istiod;
pub mod model;
pub mod output;
pub mod peer;
pub mod workload;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use cluster::{DEFAULT_TRUST_DOMAIN, ROOT_NAMESPACE, cluster_of};
pub use model::{
    CalleePort, Connection, Decision, Edge, Inbound, InboundPort, Matrix, Model, Mtls,
};

use crate::findings::Finding;
use crate::manifest::{Node, load_file};
use crate::validate::{DiscoverError, Source, collect_sources, discover};

/// A repository's models, one per cluster (sorted by name), each cluster's objects (same
/// order), and the problems met reading it.
#[derive(Debug, Default)]
pub struct Loaded {
    pub models: Vec<Model>,
    pub objects: Vec<Vec<Node>>,
    /// Each cluster's istiod Helm values (configuration documents that are not objects), same
    /// order.
    pub values: Vec<Vec<Node>>,
    pub findings: Vec<Finding>,
}

/// The objects of one cluster, its istiod Helm values, and the mesh settings its istiod
/// configuration names.
#[derive(Debug, Default)]
struct ClusterObjects {
    objects: Vec<Node>,
    values: Vec<Node>,
    settings: MeshSettings,
    /// istiod's configuration installs a remote: its proxies take their mesh settings from
    /// a primary's istiod.
    remote: bool,
}

/// What istiod's configuration of a cluster says, as the model needs it.
#[derive(Debug, Default, Clone)]
struct MeshSettings {
    trust_domain: Option<String>,
    aliases: Vec<String>,
    registry_only: bool,
    auto_allocates_addresses: bool,
    scope_gateways_to_namespace: bool,
}

impl MeshSettings {
    /// Adds what `documents` (objects, or istiod's Helm values) configure.
    fn read(&mut self, documents: &[Node]) {
        self.trust_domain = self
            .trust_domain
            .take()
            .or_else(|| documents.iter().find_map(cluster::trust_domain_of));
        self.aliases
            .extend(documents.iter().flat_map(cluster::trust_domain_aliases_of));
        self.registry_only |= documents.iter().any(cluster::is_registry_only);
        self.auto_allocates_addresses |= documents.iter().any(cluster::auto_allocates_addresses);
        self.scope_gateways_to_namespace |=
            documents.iter().any(cluster::scopes_gateways_to_namespace);
    }

    /// Whether istiod's configuration of the cluster says anything the model reads.
    fn is_configured(&self) -> bool {
        self.trust_domain.is_some()
            || !self.aliases.is_empty()
            || self.registry_only
            || self.auto_allocates_addresses
            || self.scope_gateways_to_namespace
    }
}

/// The nearest directory at or above `path` holding `.git` or `mesh.yaml`.
fn repository_root(path: &Path) -> Option<PathBuf> {
    path.ancestors()
        .find(|dir| dir.join(".git").exists() || dir.join("mesh.yaml").is_file())
        .map(Path::to_path_buf)
}

/// Reads every kustomize root and loose manifest under `paths` and builds one model per
/// cluster. `trust_domain` overrides what istiod's configuration in the repository says.
pub fn load(paths: &[PathBuf], trust_domain: Option<&str>) -> Result<Loaded, DiscoverError> {
    let inputs = discover(paths)?;
    Ok(group(paths, collect_sources(&inputs), trust_domain))
}

/// Groups rendered `sources` (read from `paths`) per cluster and builds each cluster's model.
pub fn group(paths: &[PathBuf], sources: Vec<Source>, trust_domain: Option<&str>) -> Loaded {
    let roots: Vec<PathBuf> = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    }
    .iter()
    .filter_map(|p| p.canonicalize().ok())
    .filter_map(|p| repository_root(&p))
    .collect();
    let mut clusters: BTreeMap<String, ClusterObjects> = BTreeMap::new();
    let mut findings = Vec::new();
    for source in sources {
        let is_file = source.path.is_file();
        // Only the part inside the repository names the cluster (a checkout may itself live
        // under a directory called `clusters`).
        let inside = roots
            .iter()
            .find_map(|root| source.path.strip_prefix(root).ok())
            .unwrap_or(&source.path);
        let cluster = clusters.entry(cluster_of(inside, is_file)).or_default();
        if is_file && source.objects.is_empty() {
            // istiod's Helm values are configuration, not objects: read them for the mesh
            // settings.
            if let Ok(documents) = load_file(&source.path) {
                cluster.settings.read(&documents);
                cluster.remote |= documents.iter().any(istiod::installs_remote);
                cluster.values.extend(documents);
            }
        }
        cluster.settings.read(&source.objects);
        cluster.remote |= source.objects.iter().any(istiod::installs_remote);
        cluster.objects.extend(source.objects);
        findings.extend(source.findings);
    }
    inherit_from_primaries(&mut clusters);
    let fallback = clusters
        .values()
        .find_map(|c| c.settings.trust_domain.clone())
        .unwrap_or_else(|| DEFAULT_TRUST_DOMAIN.to_string());
    let mut values = Vec::new();
    let (models, objects) = clusters
        .into_iter()
        .filter(|(_, c)| !c.objects.is_empty())
        .map(|(name, c)| {
            values.push(c.values);
            let settings = c.settings;
            let domain = trust_domain
                .map(str::to_string)
                .or(settings.trust_domain)
                .unwrap_or_else(|| fallback.clone());
            let mut model =
                Model::new(&name, &c.objects, &domain).with_trust_domain_aliases(&settings.aliases);
            model.registry_only = settings.registry_only;
            model.auto_allocates_addresses = settings.auto_allocates_addresses;
            model.scope_gateways_to_namespace = settings.scope_gateways_to_namespace;
            (model, c.objects)
        })
        .unzip();
    Loaded {
        models,
        objects,
        values,
        findings,
    }
}

/// A remote cluster's proxies take their mesh settings from the primary whose istiod
/// serves them (Istio's primary-remote model): a remote that configures none of its own
/// gets those of the primary its `istio-system` Namespace names
/// (`topology.istio.io/controlPlaneClusters`), else of the repository's first primary.
fn inherit_from_primaries(clusters: &mut BTreeMap<String, ClusterObjects>) {
    let primaries: Vec<(&String, &ClusterObjects)> = clusters
        .iter()
        .filter(|(_, c)| !c.remote && c.settings.is_configured())
        .collect();
    let inherited: Vec<(String, MeshSettings)> = clusters
        .iter()
        .filter(|(_, c)| c.remote && !c.settings.is_configured())
        .filter_map(|(name, remote)| {
            let named = istiod::control_plane_clusters(&remote.objects);
            let (_, primary) = primaries
                .iter()
                .find(|(p, _)| named.contains(p))
                .or_else(|| primaries.first())?;
            Some((name.clone(), primary.settings.clone()))
        })
        .collect();
    for (name, settings) in inherited {
        if let Some(remote) = clusters.get_mut(&name) {
            remote.settings = settings;
        }
    }
}
