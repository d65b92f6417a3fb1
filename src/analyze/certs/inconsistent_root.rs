//! MW504: clusters of one repository whose workload certificates chain to different roots,
//! or whose istiod configurations name different trust domains.
//!
//! Multi-cluster mTLS needs one root of trust: each cluster's intermediate
//! (`istio-system/cacerts`) is followed up its issuers to the root — a self-signed root
//! Certificate (each cluster that issues one generates its own key, whatever its
//! `commonName`), or a Vault server and path. Proxies also check peer identities against
//! the trust domain (`meshConfig.trustDomain`); clusters naming different domains need each
//! other's domain among their `trustDomainAliases`. Only clusters of one mesh (the same
//! `global.meshID`, or none) are compared.

use std::collections::BTreeMap;

use crate::analyze::{Repo, RepoRule};
use crate::findings::{Code, Finding, Severity};
use crate::manifest::Node;
use crate::policy::cluster::trust_domain_of;

use super::{
    ca_certificate, certificates, issuer_of, mesh_id, name, name_node, namespace, writes_cacerts,
};

/// `inconsistent-root`
pub static CODE: Code = Code {
    code: "MW504",
    name: "inconsistent-root",
    severity: Severity::Error,
    help: "Chain every cluster's cacerts intermediate to one root (copy the root Secret, or use the same Vault server and path) and use one trust domain.",
    docs: r#"## What it does
Compares the clusters of a repository. Each cluster's `istio-system/cacerts` Certificate is
followed up its issuers to its root: a self-signed root Certificate — each cluster that
issues one generates its own root key, whatever its `commonName` — or a Vault server and
path. Clusters whose root differs from the one most clusters of their mesh share are
reported, as are clusters whose istiod configuration (`meshConfig.trustDomain`) names
another trust domain without the two listing each other in `trustDomainAliases`. Clusters
whose istiod values name different meshes (`global.meshID`) are not compared; MW805
(`mesh-id-mismatch`) reports clusters wired into one mesh that name different mesh IDs.

## Why is this bad?
Multi-cluster mTLS needs one root of trust: a proxy rejects a peer certificate that chains
to another root, so every cross-cluster call fails. A different trust domain changes every
workload's SPIFFE identity, so authorization policies naming the other domain deny it.

## Example
```yaml
# clusters/edge/ca.yaml — its own self-signed root
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: mesh-root-ca
  namespace: cert-manager
spec:
  isCA: true
  commonName: mesh root CA
  secretName: mesh-root-ca
  issuerRef: {kind: ClusterIssuer, name: selfsigned}
```

## Use instead
```yaml
# clusters/edge/ca.yaml — the central cluster's root Secret, copied into cert-manager/mesh-root-ca
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata:
  name: mesh-root-ca
spec:
  ca:
    secretName: mesh-root-ca
```
"#,
};

pub static RULE: RepoRule = RepoRule { code: &CODE, check };

/// The root a cluster's intermediate chains to.
enum Root<'a> {
    /// A self-signed root Certificate, issued in cluster `cluster`.
    SelfSigned {
        cluster: usize,
        certificate: &'a Node,
    },
    /// A Vault issuer's server and path.
    Vault { issuer: &'a Node },
}

impl Root<'_> {
    /// What makes two roots the same one.
    fn key(&self) -> String {
        match self {
            Root::SelfSigned {
                cluster,
                certificate,
            } => format!(
                "self-signed {cluster} {}/{}",
                namespace(certificate),
                name(certificate)
            ),
            Root::Vault { issuer } => {
                let (server, path) = vault_location(issuer);
                format!("vault {server} {path}")
            }
        }
    }

    fn describe(&self, repo: &Repo) -> String {
        match self {
            Root::SelfSigned {
                cluster,
                certificate,
            } => format!(
                "the self-signed root {}/{} issued in cluster {}{}",
                namespace(certificate),
                name(certificate),
                repo.clusters[*cluster].model.cluster,
                certificate
                    .str_at(&["spec", "commonName"])
                    .map(|cn| format!(" (commonName \"{cn}\")"))
                    .unwrap_or_default()
            ),
            Root::Vault { issuer } => {
                let (server, path) = vault_location(issuer);
                format!("Vault {server} path {path}")
            }
        }
    }

    /// The value to edit in a cluster whose root differs from `reference`.
    fn node(&self, reference: &Root) -> &Node {
        match self {
            Root::SelfSigned { certificate, .. } => certificate
                .at(&["spec", "commonName"])
                .unwrap_or(name_node(certificate)),
            Root::Vault { issuer } => {
                let field = |i: &Node, f: &str| i.str_at(&["spec", "vault", f]).map(str::to_string);
                let same_server = matches!(reference, Root::Vault { issuer: r } if field(r, "server") == field(issuer, "server"));
                let key = if same_server { "path" } else { "server" };
                issuer
                    .at(&["spec", "vault", key])
                    .unwrap_or(name_node(issuer))
            }
        }
    }
}

/// The root `certificate` of cluster `cluster` chains to, following `ca:` issuers.
fn root<'a>(repo: &Repo<'a>, cluster: usize, certificate: &'a Node, depth: u8) -> Option<Root<'a>> {
    let issuer = issuer_of(repo.clusters[cluster].objects, certificate)?;
    let spec = issuer.get("spec")?;
    if spec.get("selfSigned").is_some() {
        Some(Root::SelfSigned {
            cluster,
            certificate,
        })
    } else if spec.get("vault").is_some() {
        Some(Root::Vault { issuer })
    } else if spec.get("ca").is_some() && depth < 8 {
        let (signing_cluster, signer) = ca_certificate(repo, cluster, issuer)?;
        root(repo, signing_cluster, signer, depth + 1)
    } else {
        None
    }
}

/// The most common value of `values` (the first cluster's among equals). MW805 picks the
/// mesh ID its clusters should share with it too.
pub fn reference<T, K: Ord + Clone>(values: &[(usize, T)], key: impl Fn(&T) -> K) -> Option<K> {
    let mut counts: BTreeMap<K, (usize, usize)> = BTreeMap::new();
    for (order, (_, value)) in values.iter().enumerate() {
        let entry = counts.entry(key(value)).or_insert((0, order));
        entry.0 += 1;
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1.0.cmp(&b.1.0).then(b.1.1.cmp(&a.1.1)))
        .map(|(k, _)| k)
}

fn check(repo: &Repo) -> Vec<Finding> {
    let mut meshes: BTreeMap<Option<&str>, Vec<usize>> = BTreeMap::new();
    for cluster in 0..repo.clusters.len() {
        meshes
            .entry(mesh_id(repo, cluster))
            .or_default()
            .push(cluster);
    }
    let mut findings = Vec::new();
    for mesh in meshes.values() {
        findings.extend(roots(repo, mesh));
        findings.extend(trust_domains(repo, mesh));
    }
    findings
}

fn roots(repo: &Repo, mesh: &[usize]) -> Vec<Finding> {
    let roots: Vec<(usize, (Root, &Node))> = mesh
        .iter()
        .map(|&i| (i, &repo.clusters[i]))
        .filter_map(|(i, c)| {
            let intermediate = certificates(c.objects).find(|c| writes_cacerts(c))?;
            Some((i, (root(repo, i, intermediate, 0)?, intermediate)))
        })
        .collect();
    let Some(wanted) = reference(&roots, |(r, _)| r.key()) else {
        return Vec::new();
    };
    let Some((_, (shared, _))) = roots.iter().find(|(_, (r, _))| r.key() == wanted) else {
        return Vec::new();
    };
    let sharing: Vec<&str> = roots
        .iter()
        .filter(|(_, (r, _))| r.key() == wanted)
        .map(|(i, _)| repo.clusters[*i].model.cluster.as_str())
        .collect();
    roots
        .iter()
        .filter(|(_, (r, _))| r.key() != wanted)
        .map(|(i, (r, intermediate))| {
            let node = r.node(shared);
            Finding::new(
                &CODE,
                format!(
                    "cluster {}'s intermediate {}/{} chains to {}, but {} to {}{}: proxies reject certificates of the other root, so cross-cluster mTLS fails",
                    repo.clusters[*i].model.cluster,
                    namespace(intermediate),
                    name(intermediate),
                    r.describe(repo),
                    clusters(&sharing, "chain"),
                    shared.describe(repo),
                    if matches!((r, shared), (Root::SelfSigned { .. }, Root::SelfSigned { .. })) {
                        " (each cluster's cert-manager generates its own key for a self-signed root, whatever its commonName; copy one root Secret instead)"
                    } else {
                        ""
                    }
                ),
                Some(node.origin.clone()),
            )
            .on(intermediate)
        })
        .collect()
}

/// "cluster a chains" / "clusters a, b chain".
fn clusters(names: &[&str], verb: &str) -> String {
    match names {
        [one] => format!("cluster {one} {verb}s"),
        _ => format!("clusters {} {verb}", names.join(", ")),
    }
}

/// The node of a document that sets the trust domain.
fn trust_domain_node(document: &Node) -> Option<&Node> {
    trust_domain_of(document)?;
    document
        .at(&["meshConfig", "trustDomain"])
        .or(document.at(&["spec", "meshConfig", "trustDomain"]))
        .or(document.at(&["data", "mesh"]))
}

fn trust_domains(repo: &Repo, mesh: &[usize]) -> Vec<Finding> {
    let domains: Vec<(usize, (String, &Node))> = mesh
        .iter()
        .map(|&i| (i, &repo.clusters[i]))
        .filter_map(|(i, c)| {
            let document = repo.values[i]
                .iter()
                .chain(c.objects)
                .find(|d| trust_domain_node(d).is_some())?;
            Some((
                i,
                (trust_domain_of(document)?, trust_domain_node(document)?),
            ))
        })
        .collect();
    let Some(wanted) = reference(&domains, |(d, _)| d.clone()) else {
        return Vec::new();
    };
    let sharing: Vec<usize> = domains
        .iter()
        .filter(|(_, (d, _))| *d == wanted)
        .map(|(i, _)| *i)
        .collect();
    let aliases = |i: usize| &repo.clusters[i].model.trust_domain_aliases;
    domains
        .iter()
        .filter(|(i, (domain, _))| {
            *domain != wanted
                && !sharing
                    .iter()
                    .all(|s| aliases(*s).contains(domain) && aliases(*i).contains(&wanted))
        })
        .map(|(i, (domain, node))| {
            let names: Vec<&str> = sharing
                .iter()
                .map(|s| repo.clusters[*s].model.cluster.as_str())
                .collect();
            Finding::new(
                &CODE,
                format!(
                    "cluster {} uses trust domain {domain}, but {} {wanted}: authorization policies naming {wanted} principals deny this cluster's workloads, and this cluster's deny the others'; use one trust domain, or list each in the other's trustDomainAliases",
                    repo.clusters[*i].model.cluster,
                    clusters(&names, "use"),
                ),
                Some(node.origin.clone()),
            )
        })
        .collect()
}
/// A Vault issuer's server and secret path.
fn vault_location(issuer: &Node) -> (&str, &str) {
    let text = |key: &str| issuer.str_at(&["spec", "vault", key]).unwrap_or_default();
    (text("server"), text("path"))
}
