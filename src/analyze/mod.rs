//! Mesh-aware analyzers: checks on rendered objects that schemas cannot express, run per
//! cluster on its objects and its policy model. One file per rule, each a `Rule` with its
//! code (documented in `findings::codes`), its check and its tests; fixtures live under
//! `tests/fixtures/analyze/<CODE>/{fail,pass}`.
//!
//! `dangling_after_kustomize` is the exception: it runs per kustomize root while rendering,
//! because only the renderer knows which objects it moved.

pub mod dangling_after_kustomize;
pub mod mtls;

use rayon::prelude::*;

use crate::findings::{Code, Finding};
use crate::manifest::Node;
use crate::policy::{Loaded, Model};

/// One cluster as the analyzers see it.
pub struct Cluster<'a> {
    pub model: &'a Model,
    /// Every rendered object of the cluster, with origins.
    pub objects: &'a [Node],
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
];

/// Runs every rule on every cluster of `loaded`, in parallel. A finding several clusters
/// share (a base rendered into each) is reported once.
pub fn run(loaded: &Loaded) -> Vec<Finding> {
    let clusters: Vec<Cluster> = loaded
        .models
        .iter()
        .zip(&loaded.objects)
        .map(|(model, objects)| Cluster { model, objects })
        .collect();
    let mut findings: Vec<Finding> = RULES
        .par_iter()
        .flat_map_iter(|rule| clusters.iter().flat_map(|cluster| (rule.check)(cluster)))
        .collect();
    crate::findings::sort(&mut findings);
    findings.dedup();
    findings
}
