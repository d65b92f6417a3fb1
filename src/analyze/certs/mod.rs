//! Certificate analyzers (MW5xx): the cert-manager CA hierarchy istiod signs workload
//! certificates with — root issuer → root CA Certificate → `ca:` ClusterIssuer → each
//! cluster's intermediate CA in `istio-system/cacerts`.
//!
//! They share the walk up that chain: a Certificate's issuer, a `ca:` issuer's Secret, and
//! the Certificate that writes it — in the same cluster, or, for a ClusterIssuer whose Secret
//! the cluster does not write, in another cluster of the repository (the shared-root layout:
//! the root Secret is copied from the cluster that issues it).

pub mod cacerts_layout;
pub mod inconsistent_root;
pub mod intermediate_ca_not_ca;
pub mod intermediate_outlives_root;
pub mod unknown_issuer;

use crate::analyze::Repo;
use crate::manifest::Node;
use crate::manifest::references::{Target, references};
use crate::policy::ROOT_NAMESPACE;
use crate::schema::admission;

/// cert-manager's cluster resource namespace: where a ClusterIssuer's Secrets live.
pub const CLUSTER_RESOURCE_NAMESPACE: &str = "cert-manager";
/// The Secret istiod reads its plug-in CA from, in `istio-system`.
pub const CACERTS: &str = "cacerts";
/// cert-manager's default Certificate duration, 90 days.
const DEFAULT_DURATION_SECONDS: f64 = 2160.0 * 3600.0;

/// The namespace of a namespaced object (`default` when unset).
pub fn namespace(object: &Node) -> &str {
    object
        .str_at(&["metadata", "namespace"])
        .unwrap_or("default")
}

pub fn name(object: &Node) -> &str {
    object.str_at(&["metadata", "name"]).unwrap_or_default()
}

/// Where to point when a whole object is at fault: its `metadata.name`.
pub fn name_node(object: &Node) -> &Node {
    object.at(&["metadata", "name"]).unwrap_or(object)
}

/// Whether `object` is a cert-manager object of `kind`.
pub fn is_cert_manager(object: &Node, kind: &str) -> bool {
    object.str_at(&["kind"]) == Some(kind)
        && object
            .str_at(&["apiVersion"])
            .is_some_and(|v| v.starts_with("cert-manager.io/"))
}

/// The cert-manager Certificates among `objects`.
pub fn certificates(objects: &[Node]) -> impl Iterator<Item = &Node> {
    objects.iter().filter(|o| is_cert_manager(o, "Certificate"))
}

/// A Certificate's `issuerRef` to a cert-manager issuer: (kind, namespace — empty for a
/// ClusterIssuer —, name, the `name` node).
pub fn issuer_ref(certificate: &Node) -> Option<(String, String, String, &Node)> {
    references(certificate)
        .into_iter()
        .find_map(|r| match r.target {
            Target::Issuer {
                kind,
                namespace,
                name,
            } => Some((kind, namespace, name, r.node)),
            _ => None,
        })
}

/// The Issuer (`namespace` non-empty) or ClusterIssuer named so among `objects`.
pub fn find_issuer<'a>(objects: &'a [Node], kind: &str, ns: &str, name_: &str) -> Option<&'a Node> {
    objects.iter().find(|o| {
        is_cert_manager(o, kind)
            && name(o) == name_
            && (kind == "ClusterIssuer" || namespace(o) == ns)
    })
}

/// The issuer object a Certificate's `issuerRef` names, if the cluster has it.
pub fn issuer_of<'a>(objects: &'a [Node], certificate: &Node) -> Option<&'a Node> {
    let (kind, ns, issuer, _) = issuer_ref(certificate)?;
    find_issuer(objects, &kind, &ns, &issuer)
}

/// The namespace a `ca:` issuer reads its Secret from.
pub fn secret_namespace(issuer: &Node) -> &str {
    if issuer.str_at(&["kind"]) == Some("ClusterIssuer") {
        CLUSTER_RESOURCE_NAMESPACE
    } else {
        namespace(issuer)
    }
}

/// The Certificate among `objects` that writes Secret `ns/secret`.
pub fn writer<'a>(objects: &'a [Node], ns: &str, secret: &str) -> Option<&'a Node> {
    certificates(objects)
        .find(|c| c.str_at(&["spec", "secretName"]) == Some(secret) && namespace(c) == ns)
}

/// The Certificate whose Secret a `ca:` issuer of cluster `cluster` signs with, and the
/// cluster it is issued in: the same cluster, else (for a ClusterIssuer) another cluster of
/// the repository whose Secret this one copies.
pub fn ca_certificate<'a>(
    repo: &Repo<'a>,
    cluster: usize,
    issuer: &Node,
) -> Option<(usize, &'a Node)> {
    let secret = issuer.str_at(&["spec", "ca", "secretName"])?;
    let ns = secret_namespace(issuer);
    if let Some(found) = writer(repo.clusters[cluster].objects, ns, secret) {
        return Some((cluster, found));
    }
    if issuer.str_at(&["kind"]) != Some("ClusterIssuer") {
        return None;
    }
    // Another cluster of the same mesh first.
    let mesh = mesh_id(repo, cluster);
    let mut others: Vec<usize> = (0..repo.clusters.len()).filter(|&i| i != cluster).collect();
    others.sort_by_key(|&i| mesh_id(repo, i) != mesh);
    others
        .into_iter()
        .find_map(|i| writer(repo.clusters[i].objects, ns, secret).map(|w| (i, w)))
}

/// The mesh a cluster's istiod joins (`global.meshID` of its Helm values or IstioOperator):
/// only clusters of one mesh must share a root (a repository may hold staging and
/// production meshes side by side).
pub fn mesh_id<'a>(repo: &Repo<'a>, cluster: usize) -> Option<&'a str> {
    repo.values[cluster]
        .iter()
        .find_map(|v| v.str_at(&["global", "meshID"]))
        .or_else(|| {
            repo.clusters[cluster]
                .objects
                .iter()
                .filter(|o| o.str_at(&["kind"]) == Some("IstioOperator"))
                .find_map(|o| o.str_at(&["spec", "values", "global", "meshID"]))
        })
}

/// The CA Certificate that signs `certificate` (through a `ca:` issuer), and its cluster.
pub fn signer<'a>(
    repo: &Repo<'a>,
    cluster: usize,
    certificate: &Node,
) -> Option<(usize, &'a Node)> {
    let issuer = issuer_of(repo.clusters[cluster].objects, certificate)?;
    ca_certificate(repo, cluster, issuer)
}

/// Whether `certificate` writes istiod's plug-in CA Secret, `istio-system/cacerts`.
pub fn writes_cacerts(certificate: &Node) -> bool {
    certificate.str_at(&["spec", "secretName"]) == Some(CACERTS)
        && namespace(certificate) == ROOT_NAMESPACE
}

/// A Certificate's `duration` in seconds (cert-manager's default when unset), or None when
/// it does not parse (MW112 reports that).
pub fn duration_seconds(certificate: &Node) -> Option<f64> {
    match certificate.at(&["spec", "duration"]) {
        None => Some(DEFAULT_DURATION_SECONDS),
        Some(node) => node.as_str().and_then(admission::duration_seconds),
    }
}

/// A duration for messages: hours (with days when whole), else minutes.
pub fn human(seconds: f64) -> String {
    let minutes = (seconds / 60.0).round() as u64;
    let hours = minutes / 60;
    if !minutes.is_multiple_of(60) {
        format!("{minutes}m")
    } else if hours >= 48 && hours.is_multiple_of(24) {
        format!("{hours}h ({} days)", hours / 24)
    } else {
        format!("{hours}h")
    }
}

/// Whether `certificate` says `isCA: true`.
pub fn is_ca(certificate: &Node) -> bool {
    matches!(
        certificate.at(&["spec", "isCA"]).map(|n| &n.value),
        Some(crate::manifest::Value::Bool(true))
    )
}

#[cfg(test)]
mod tests {
    use super::human;

    #[test]
    fn durations_read_as_hours_days_or_minutes() {
        assert_eq!(human(2160.0 * 3600.0), "2160h (90 days)");
        assert_eq!(human(25.0 * 3600.0), "25h");
        assert_eq!(human(5400.0), "90m");
    }
}
