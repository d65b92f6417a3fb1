//! MW502: a Certificate used as a CA that cert-manager issues as a leaf.
//!
//! A Certificate is used as a CA when its Secret is the `secretName` of a `ca:` Issuer or
//! ClusterIssuer, or when it is istiod's plug-in CA (`istio-system/cacerts`). Without
//! `isCA: true` cert-manager issues it with `CA:FALSE` basic constraints, and every
//! certificate signed with it fails chain verification. (With `isCA: true` cert-manager adds
//! the `cert sign` key usage itself, so `usages` cannot make a CA certificate unusable.)

use std::collections::HashMap;

use crate::analyze::{Repo, RepoRule};
use crate::findings::{Code, Finding, Severity};
use crate::manifest::Node;

use super::{
    certificates, is_ca, is_cert_manager, name, name_node, namespace, secret_namespace,
    writes_cacerts,
};

/// `intermediate-ca-not-ca`
pub static CODE: Code = Code {
    code: "MW502",
    name: "intermediate-ca-not-ca",
    severity: Severity::Error,
    help: "Set `isCA: true` on a Certificate whose Secret signs other certificates.",
    docs: r#"## What it does
Finds Certificates used as a certificate authority — their Secret is the `secretName` of a
`ca:` Issuer or ClusterIssuer, or they write istiod's plug-in CA `istio-system/cacerts` —
that do not set `isCA: true`. (cert-manager adds the `cert sign` key usage to every CA
certificate itself, so `usages` are not checked.)

## Why is this bad?
cert-manager issues the certificate as a leaf (`CA:FALSE`). Everything signed with it —
intermediates, workload certificates istiod signs — fails chain verification, so mTLS
handshakes fail.

## Example
```yaml
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: central-intermediate-ca
  namespace: istio-system
spec:
  commonName: central intermediate CA
  secretName: cacerts
  issuerRef:
    kind: ClusterIssuer
    name: mesh-root-ca
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
  commonName: central intermediate CA
  secretName: cacerts
  issuerRef:
    kind: ClusterIssuer
    name: mesh-root-ca
```
"#,
};

pub static RULE: RepoRule = RepoRule { code: &CODE, check };

fn check(repo: &Repo) -> Vec<Finding> {
    let mut findings = Vec::new();
    for cluster in repo.clusters {
        let signing_secrets = signing_secrets(cluster.objects);
        for certificate in certificates(cluster.objects) {
            if is_ca(certificate) {
                continue;
            }
            let Some(use_) = used_as_ca(&signing_secrets, certificate) else {
                continue;
            };
            let node = certificate
                .at(&["spec", "isCA"])
                .unwrap_or(name_node(certificate));
            findings.push(
                Finding::new(
                    &CODE,
                    format!(
                        "Certificate {} {use_}, but it does not set `isCA: true`: cert-manager issues it as a leaf (CA:FALSE) and every certificate signed with it fails verification",
                        name(certificate)
                    ),
                    Some(node.origin.clone()),
                )
                .on(certificate),
            );
        }
    }
    findings
}

/// The `ca:` issuers of a cluster by the Secret they sign with: (namespace, name).
fn signing_secrets(objects: &[Node]) -> HashMap<(&str, &str), &Node> {
    objects
        .iter()
        .filter(|o| is_cert_manager(o, "Issuer") || is_cert_manager(o, "ClusterIssuer"))
        .filter_map(|issuer| {
            let secret = issuer.str_at(&["spec", "ca", "secretName"])?;
            Some(((secret_namespace(issuer), secret), issuer))
        })
        .collect()
}

/// How `certificate` is used as a CA, if it is.
fn used_as_ca(
    signing_secrets: &HashMap<(&str, &str), &Node>,
    certificate: &Node,
) -> Option<String> {
    if writes_cacerts(certificate) {
        return Some("writes istio-system/cacerts, istiod's signing CA".to_string());
    }
    let secret = certificate.str_at(&["spec", "secretName"])?;
    signing_secrets
        .get(&(namespace(certificate), secret))
        .map(|issuer| {
            format!(
                "writes the signing Secret of {} {}",
                issuer.str_at(&["kind"]).unwrap_or_default(),
                name(issuer)
            )
        })
}
