//! MW501: a Certificate's `issuerRef` naming no issuer of the cluster, or a `ca:` issuer
//! whose signing Secret nothing provides.
//!
//! cert-manager looks an `Issuer` up in the Certificate's namespace and a `ClusterIssuer`
//! cluster-wide; when there is none (or only one of the other kind) the Certificate stays
//! pending and its Secret is never written — for `cacerts`, istiod then falls back to its
//! self-signed CA and cross-cluster mTLS fails. A `ca:` issuer reads its key pair from a
//! Secret (a ClusterIssuer from cert-manager's namespace); when no Secret, Certificate,
//! ExternalSecret or SealedSecret of the repository provides it, it may still come from
//! outside the repository, so that is a warning.

use crate::analyze::{ObjectIndex, Repo, RepoRule};
use crate::findings::{Code, Finding, Severity};
use crate::manifest::Node;

use super::{
    CLUSTER_RESOURCE_NAMESPACE, ca_certificate, certificates, is_cert_manager, issuer_ref,
    namespace, secret_namespace,
};

/// `unknown-issuer`
pub static CODE: Code = Code {
    code: "MW501",
    name: "unknown-issuer",
    severity: Severity::Error,
    help: "Name an Issuer in the Certificate's namespace or a ClusterIssuer of the cluster (with the right `kind`), and provide a `ca:` issuer's Secret.",
    docs: r#"## What it does
Checks that a cert-manager Certificate's `issuerRef` (group `cert-manager.io`) names an
Issuer in the Certificate's namespace, or a ClusterIssuer of the cluster, and says when the
`kind` is wrong (an `Issuer` where only a ClusterIssuer of that name exists, or the reverse).
Warns when a `ca:` Issuer or ClusterIssuer reads a Secret that no Secret, Certificate,
ExternalSecret or SealedSecret of the repository provides in the namespace it reads from
(a ClusterIssuer: cert-manager's namespace, `cert-manager`). A ClusterIssuer whose Secret
another cluster of the repository issues is taken to share that cluster's root (the Secret
is copied), as the generated multi-cluster layout does.

## Why is this bad?
cert-manager finds no issuer, the Certificate stays pending and its Secret is never written.
For `istio-system/cacerts`, istiod then signs with its own self-signed CA and workloads of
other clusters reject its certificates.

## Example
```yaml
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: central-intermediate-ca
  namespace: istio-system
spec:
  isCA: true
  secretName: cacerts
  issuerRef:
    name: mesh-root-ca        # a ClusterIssuer; kind defaults to Issuer
```

## Use instead
```yaml
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: central-intermediate-ca
  namespace: istio-system
spec:
  isCA: true
  secretName: cacerts
  issuerRef:
    group: cert-manager.io
    kind: ClusterIssuer
    name: mesh-root-ca
```
"#,
};

pub static RULE: RepoRule = RepoRule { code: &CODE, check };

fn check(repo: &Repo) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (index, cluster) in repo.clusters.iter().enumerate() {
        let objects = cluster.objects;
        for certificate in certificates(objects) {
            if let Some((message, node)) = missing_issuer(&cluster.lookups.index, certificate) {
                findings
                    .push(Finding::new(&CODE, message, Some(node.origin.clone())).on(certificate));
            }
        }
        for issuer in objects
            .iter()
            .filter(|o| is_cert_manager(o, "Issuer") || is_cert_manager(o, "ClusterIssuer"))
        {
            let Some(node) = issuer.at(&["spec", "ca", "secretName"]) else {
                continue;
            };
            let (Some(secret), ns) = (node.as_str(), secret_namespace(issuer)) else {
                continue;
            };
            if provided(objects, ns, secret) || ca_certificate(repo, index, issuer).is_some() {
                continue;
            }
            let elsewhere = objects
                .iter()
                .filter(|o| secret_name(o) == Some(secret) && namespace(o) != ns)
                .map(namespace)
                .next()
                .map(|other| {
                    format!(" (there is one in namespace {other}, which this issuer does not read)")
                })
                .unwrap_or_default();
            let reader = if ns == CLUSTER_RESOURCE_NAMESPACE
                && issuer.str_at(&["kind"]) == Some("ClusterIssuer")
            {
                "a ClusterIssuer reads its Secret from cert-manager's namespace"
            } else {
                "an Issuer reads its Secret from its own namespace"
            };
            let mut finding = Finding::new(
                &CODE,
                format!(
                    "no Secret {ns}/{secret} is declared or written by a Certificate in this repository{elsewhere}; {reader}, and without it the issuer is not Ready and every Certificate it signs stays pending (ignore this if the Secret is created outside the repository)"
                ),
                Some(node.origin.clone()),
            )
            .on(issuer);
            finding.severity = Severity::Warning;
            findings.push(finding);
        }
    }
    findings
}

/// What is wrong with a Certificate's issuerRef, and where to point.
/// The cert-manager issuer of `kind` with that namespace (ignored for a ClusterIssuer) and name.
fn lookup<'a>(index: &ObjectIndex<'a>, kind: &str, ns: &str, name: &str) -> Option<&'a Node> {
    let ns = if kind == "ClusterIssuer" {
        "default"
    } else {
        ns
    };
    index
        .get(kind, ns, name)
        .filter(|o| is_cert_manager(o, kind))
}

fn missing_issuer<'a>(index: &ObjectIndex, certificate: &'a Node) -> Option<(String, &'a Node)> {
    let (kind, ns, issuer, node) = issuer_ref(certificate)?;
    if !matches!(kind.as_str(), "Issuer" | "ClusterIssuer")
        || lookup(index, &kind, &ns, &issuer).is_some()
    {
        return None;
    }
    let kind_node = certificate
        .at(&["spec", "issuerRef", "kind"])
        .unwrap_or(node);
    let ns = if kind == "Issuer" {
        ns
    } else {
        namespace(certificate).to_string()
    };
    if kind == "Issuer" && lookup(index, "ClusterIssuer", "", &issuer).is_some() {
        return Some((
            format!(
                "issuerRef names Issuer {issuer}, but there is no Issuer {issuer} in namespace {ns}, only a ClusterIssuer of that name: set `kind: ClusterIssuer`, or cert-manager leaves the Certificate pending"
            ),
            kind_node,
        ));
    }
    if kind == "ClusterIssuer" && lookup(index, "Issuer", &ns, &issuer).is_some() {
        return Some((
            format!(
                "issuerRef names ClusterIssuer {issuer}, but {issuer} is an Issuer in namespace {ns}: set `kind: Issuer`, or cert-manager leaves the Certificate pending"
            ),
            kind_node,
        ));
    }
    let place = if kind == "Issuer" {
        format!("no Issuer {issuer} in namespace {ns}")
    } else {
        format!("no ClusterIssuer {issuer} in this cluster")
    };
    Some((
        format!(
            "issuerRef names {place}: cert-manager leaves the Certificate pending and never writes Secret {}",
            certificate
                .str_at(&["spec", "secretName"])
                .unwrap_or("(unnamed)")
        ),
        node,
    ))
}

/// The name of the Secret `object` declares or makes: a Secret, a Certificate's
/// `secretName`, an ExternalSecret's target, a SealedSecret.
fn secret_name(object: &Node) -> Option<&str> {
    let kind = object.str_at(&["kind"])?;
    let version = object.str_at(&["apiVersion"]).unwrap_or_default();
    match kind {
        "Secret" if version == "v1" => object.str_at(&["metadata", "name"]),
        "Certificate" if is_cert_manager(object, "Certificate") => {
            object.str_at(&["spec", "secretName"])
        }
        "ExternalSecret" if version.starts_with("external-secrets.io/") => object
            .str_at(&["spec", "target", "name"])
            .or(object.str_at(&["metadata", "name"])),
        "SealedSecret" if version.starts_with("bitnami.com/") => {
            object.str_at(&["metadata", "name"])
        }
        _ => None,
    }
}

/// Whether some object of the cluster provides Secret `ns/secret`.
fn provided(objects: &[Node], ns: &str, secret: &str) -> bool {
    objects
        .iter()
        .any(|o| secret_name(o) == Some(secret) && namespace(o) == ns)
}
