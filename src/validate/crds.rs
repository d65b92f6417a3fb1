//! The repository's own CustomResourceDefinitions: found among the objects of every input
//! (a vendored `crds.yaml`, a Helm chart's `crds/` directory, a kustomize root listing
//! them), imported like `meshwright schemas import` does, and added to the registry, so the
//! custom resources of a CRD the repository carries are validated against it.

use std::collections::BTreeSet;

use super::Source;
use crate::findings::{Finding, Severity, codes};
use crate::manifest::Node;
use crate::schema::Registry;
use crate::schema::import::import_crd_object;

/// Adds the schemas of every CRD in `sources` to `registry` (a CRD several inputs hold is
/// imported once); a CRD that cannot be imported is a warning at the CRD.
pub fn add_repository_crds(registry: &mut Registry, sources: &[Source]) -> Vec<Finding> {
    let mut seen = BTreeSet::new();
    let mut findings = Vec::new();
    for crd in sources
        .iter()
        .flat_map(|s| &s.objects)
        .filter(|o| is_crd(o))
    {
        if !seen.insert(crd.str_at(&["metadata", "name"]).unwrap_or_default()) {
            continue;
        }
        let added = import_crd_object(crd)
            .map_err(|e| e.message)
            .and_then(|output| registry.add_output(&output).map_err(|e| e.message));
        if let Err(why) = added {
            let mut finding = Finding::new(
                &codes::MISSING_SCHEMA,
                format!("the resources of this CRD cannot be validated against it: {why}"),
                Some(crd.origin.clone()),
            )
            .on(crd);
            finding.severity = Severity::Warning;
            findings.push(finding);
        }
    }
    findings
}

fn is_crd(object: &Node) -> bool {
    object.str_at(&["kind"]) == Some("CustomResourceDefinition")
        && object.str_at(&["apiVersion"]) == Some("apiextensions.k8s.io/v1")
}
