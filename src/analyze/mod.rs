//! Mesh-aware analyzers: checks on rendered objects that schemas cannot express, run per
//! cluster on its objects and its policy model. One file per rule, each a `Rule` with its
//! code and documentation (a `CODE` static), its check and its tests; fixtures live under
//! `tests/fixtures/analyze/<CODE>/{fail,pass}`. A `RepoRule` (in `REPO_RULES`) instead sees
//! the whole repository at once — every cluster and each cluster's istiod Helm values — for
//! checks that compare clusters (one root CA, one trust domain) or read mesh-wide settings.
//!
//! `dangling_after_kustomize` is the exception: it runs per kustomize root while rendering,
//! because only the renderer knows which objects it moved.
//!
//! What several rules look up — objects by identity, the service registry, the Gateways and
//! their workloads — is built once per cluster ([`Lookups`]), not by each rule.
//!
//! An analyzer's code and docs live in its rule file only: `RULES` and `REPO_RULES` gather
//! them (`codes`, with `dangling_after_kustomize`'s), and the catalog `meshwright explain`
//! prints is built from there, so adding an analyzer touches its file and one registry line.

pub mod authz;
pub mod certs;
pub mod dangling_after_kustomize;
pub mod egress;
pub mod gateway;
pub mod lifecycle;
pub mod mtls;
pub mod multicluster;
pub mod refs;
pub mod routing;
pub mod selectors;
pub mod sidecar;

use std::collections::HashMap;

use rayon::prelude::*;

use crate::findings::{Code, Finding, codes};
use crate::manifest::Node;
use crate::policy::{Loaded, Model};

/// One cluster as the analyzers see it.
pub struct Cluster<'a> {
    pub model: &'a Model,
    /// Every rendered object of the cluster, with origins.
    pub objects: &'a [Node],
    /// Lookups shared by the rules, built once per cluster.
    pub lookups: &'a Lookups<'a>,
    /// Whether every input of the repository was read and rendered (no invalid YAML, no
    /// failed kustomize build). Rules that report something *absent* skip an incomplete
    /// repository: the missing object may sit in the input that failed.
    pub complete: bool,
}

/// What several rules look things up in, built once per cluster rather than by each rule.
pub struct Lookups<'a> {
    /// The cluster's objects by kind, namespace (`default` when unset) and name.
    pub index: ObjectIndex<'a>,
    /// The cluster's service registry (Services and ServiceEntry hosts).
    pub registry: refs::Registry,
    /// The cluster's Istio Gateways and the gateway workloads they select.
    pub gateways: gateway::Gateways<'a>,
}

impl<'a> Lookups<'a> {
    pub fn new(objects: &'a [Node], model: &'a Model) -> Self {
        Lookups {
            index: ObjectIndex::new(objects),
            registry: refs::Registry::read(objects),
            gateways: gateway::Gateways::read(objects, model),
        }
    }
}

/// Objects by (kind, namespace, name), so rules look objects up instead of scanning.
pub struct ObjectIndex<'a> {
    by_identity: HashMap<(&'a str, &'a str, &'a str), &'a Node>,
}

impl<'a> ObjectIndex<'a> {
    pub fn new(objects: &'a [Node]) -> Self {
        let mut by_identity = HashMap::new();
        for object in objects {
            let text = |path: &[&str]| object.str_at(path);
            if let (Some(kind), Some(name)) = (text(&["kind"]), text(&["metadata", "name"])) {
                let namespace = text(&["metadata", "namespace"]).unwrap_or("default");
                by_identity.entry((kind, namespace, name)).or_insert(object);
            }
        }
        ObjectIndex { by_identity }
    }

    /// The first object of that kind, namespace (`default` when unset) and name.
    pub fn get(&self, kind: &str, namespace: &str, name: &str) -> Option<&'a Node> {
        self.by_identity.get(&(kind, namespace, name)).copied()
    }
}

/// Runs `f` on the one complete cluster `yaml` describes (for analyzers' unit tests).
#[cfg(test)]
pub fn with_cluster<T>(yaml: &str, f: impl FnOnce(&Cluster) -> T) -> T {
    let objects =
        crate::manifest::parse_documents(std::path::Path::new("test.yaml"), yaml.as_bytes())
            .expect("valid YAML");
    let model = Model::new("default", &objects, crate::policy::DEFAULT_TRUST_DOMAIN);
    let lookups = Lookups::new(&objects, &model);
    f(&Cluster {
        model: &model,
        objects: &objects,
        lookups: &lookups,
        complete: true,
    })
}

/// An analyzer: its code and its check over one cluster.
pub struct Rule {
    pub code: &'static Code,
    pub check: fn(&Cluster) -> Vec<Finding>,
}

/// Every analyzer run by `validate`, in code order.
pub static RULES: &[&Rule] = &[
    &mtls::no_mesh_wide_strict::RULE,
    &mtls::permissive_or_disabled_mtls::RULE,
    &mtls::conflicting_peer_authentication::RULE,
    &mtls::tls_mode_breaks_connection::RULE,
    &mtls::identity_rule_without_mtls::RULE,
    &authz::trust_domain_mismatch::RULE,
    &authz::selector_matches_nothing::RULE,
    &authz::workload_without_allow_policy::RULE,
    &authz::wildcard_principal::RULE,
    &authz::invalid_http_method::RULE,
    &authz::cross_tenant_access::RULE,
    &authz::jwt_claim_route_without_authentication::RULE,
    &refs::virtual_service_unknown_target::RULE,
    &refs::destination_rule_unknown_host::RULE,
    &refs::missing_tls_credential::RULE,
    &refs::unclassified_service_port::RULE,
    &refs::tls_without_ca::RULE,
    &refs::service_entry_needs_addresses::RULE,
    &egress::egress_host_without_service_entry::RULE,
    &gateway::selector_matches_nothing::RULE,
    &gateway::port_not_on_service::RULE,
    &gateway::conflicting_gateways::RULE,
    &gateway::duplicate_certificate::RULE,
    &gateway::invalid_credential::RULE,
    &routing::virtual_service_host_not_in_gateway::RULE,
    &routing::internal_gateway_reference::RULE,
    &routing::conflicting_mesh_hosts::RULE,
    &routing::destination_port_required::RULE,
    &routing::unreachable_route_rule::RULE,
    &routing::ineffective_match::RULE,
    &selectors::ineffective_gateway_selector::RULE,
    &selectors::conflicting_workload_selectors::RULE,
    &selectors::multiple_namespace_defaults::RULE,
    &selectors::subset_selects_no_pods::RULE,
    &sidecar::application_uid::RULE,
    &sidecar::multiple_injection_labels::RULE,
    &sidecar::misplaced_pod_annotation::RULE,
    &sidecar::namespace_not_injected::RULE,
    &multicluster::remote_secret_in_repository::RULE,
];

/// The whole repository, for analyzers that compare clusters (a shared root CA, a CA Secret
/// one cluster copies from another) or read istiod's mesh-wide settings.
pub struct Repo<'a> {
    /// Every cluster, sorted by name.
    pub clusters: &'a [Cluster<'a>],
    /// Each cluster's istiod Helm values (documents that are not objects), same order.
    pub values: &'a [Vec<Node>],
}

/// An analyzer over the whole repository.
pub struct RepoRule {
    pub code: &'static Code,
    pub check: fn(&Repo) -> Vec<Finding>,
}

/// Every whole-repository analyzer run by `validate`, in code order.
pub static REPO_RULES: &[&RepoRule] = &[
    &authz::unknown_principal::RULE,
    &authz::jwks_fetch_unrestricted::RULE,
    &certs::unknown_issuer::RULE,
    &certs::intermediate_ca_not_ca::RULE,
    &certs::intermediate_outlives_root::RULE,
    &certs::inconsistent_root::RULE,
    &certs::cacerts_layout::RULE,
    &lifecycle::job_without_sidecar_exit::RULE,
    &lifecycle::job_outlives_workload_certificate::RULE,
    &multicluster::network_label_missing::RULE,
    &multicluster::east_west_gateway_missing::RULE,
    &multicluster::istiod_not_exposed::RULE,
    &multicluster::remote_not_remote_profile::RULE,
    &multicluster::mesh_id_mismatch::RULE,
    &multicluster::east_west_gateway_without_network::RULE,
];

/// The codes of every analyzer: per-cluster, whole-repository and `dangling_after_kustomize`.
/// The catalog (`findings::codes::catalog`) gathers them from here.
pub fn codes() -> impl Iterator<Item = &'static Code> {
    RULES
        .iter()
        .map(|r| r.code)
        .chain(REPO_RULES.iter().map(|r| r.code))
        .chain(std::iter::once(&dangling_after_kustomize::CODE))
}

/// Runs every rule on every cluster of `loaded`, in parallel. A finding several clusters
/// share (a base rendered into each) is reported once.
pub fn run(loaded: &Loaded) -> Vec<Finding> {
    let complete = !loaded
        .findings
        .iter()
        .any(|f| *f.code == codes::INVALID_YAML || *f.code == codes::KUSTOMIZE_BUILD_FAILED);
    let lookups: Vec<Lookups> = loaded
        .objects
        .iter()
        .zip(&loaded.models)
        .map(|(objects, model)| Lookups::new(objects, model))
        .collect();
    let clusters: Vec<Cluster> = loaded
        .models
        .iter()
        .zip(&loaded.objects)
        .zip(&lookups)
        .map(|((model, objects), lookups)| Cluster {
            model,
            objects,
            lookups,
            complete,
        })
        .collect();
    let repo = Repo {
        clusters: &clusters,
        values: &loaded.values,
    };
    let mut findings: Vec<Finding> = RULES
        .par_iter()
        .flat_map_iter(|rule| clusters.iter().flat_map(|cluster| (rule.check)(cluster)))
        .chain(
            REPO_RULES
                .par_iter()
                .flat_map_iter(|rule| (rule.check)(&repo)),
        )
        .collect();
    crate::findings::sort(&mut findings);
    findings.dedup();
    findings
}
