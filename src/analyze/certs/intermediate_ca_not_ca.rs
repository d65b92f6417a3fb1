//! MW502: a Certificate used as a CA that cert-manager issues as a leaf.
//!
//! A Certificate is used as a CA when its Secret is the `secretName` of a `ca:` Issuer or
//! ClusterIssuer, or when it is istiod's plug-in CA (`istio-system/cacerts`). Without
//! `isCA: true` cert-manager issues it with `CA:FALSE` basic constraints, and every
//! certificate signed with it fails chain verification. (With `isCA: true` cert-manager adds
//! the `cert sign` key usage itself, so `usages` cannot make a CA certificate unusable.)

use crate::analyze::{Repo, RepoRule};
use crate::findings::{Finding, codes};
use crate::manifest::Node;

use super::{
    certificates, is_ca, is_cert_manager, name, name_node, secret_namespace, writer, writes_cacerts,
};

pub static RULE: RepoRule = RepoRule {
    code: &codes::INTERMEDIATE_CA_NOT_CA,
    check,
};

fn check(repo: &Repo) -> Vec<Finding> {
    let mut findings = Vec::new();
    for cluster in repo.clusters {
        let objects = cluster.objects;
        for certificate in certificates(objects) {
            if is_ca(certificate) {
                continue;
            }
            let Some(use_) = used_as_ca(objects, certificate) else {
                continue;
            };
            let node = certificate
                .at(&["spec", "isCA"])
                .unwrap_or(name_node(certificate));
            findings.push(
                Finding::new(
                    &codes::INTERMEDIATE_CA_NOT_CA,
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

/// How `certificate` is used as a CA, if it is.
fn used_as_ca(objects: &[Node], certificate: &Node) -> Option<String> {
    if writes_cacerts(certificate) {
        return Some("writes istio-system/cacerts, istiod's signing CA".to_string());
    }
    objects
        .iter()
        .filter(|o| is_cert_manager(o, "Issuer") || is_cert_manager(o, "ClusterIssuer"))
        .find(|issuer| {
            issuer
                .str_at(&["spec", "ca", "secretName"])
                .and_then(|secret| writer(objects, secret_namespace(issuer), secret))
                .is_some_and(|w| std::ptr::eq(w, certificate))
        })
        .map(|issuer| {
            format!(
                "writes the signing Secret of {} {}",
                issuer.str_at(&["kind"]).unwrap_or_default(),
                name(issuer)
            )
        })
}
