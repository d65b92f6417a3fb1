//! MW406: a DestinationRule originating TLS without the certificates its mode needs.
//!
//! `mode: MUTUAL` needs a client certificate: `clientCertificate` and `privateKey`, or a
//! `credentialName`; without them Istio's validation rejects the rule (error, any host).
//! `mode: SIMPLE` or `MUTUAL` without `caCertificates` (and without `insecureSkipVerify:
//! true`) verifies the server only against the proxy's system roots, and only because
//! `VERIFY_CERTIFICATE_AT_CLIENT` is on (the default since Istio 1.20): a private CA, or a
//! proxy image without system roots, fails every handshake, and an older or reconfigured
//! istiod verifies nothing (warning, as Istio's IST0128/IST0129). A `credentialName` carries
//! the CA for gateways, but sidecars read it only when the rule has a `workloadSelector`:
//! it counts for a selecting rule and for a host outside the mesh (egress gateways
//! originate to those), not for a mesh host every sidecar calls.
//! Every `tls` block is checked: the rule's, its port-level settings and its subsets'.

use crate::analyze::refs::{is_external, is_istio, namespace_of, resolve, seq};
use crate::analyze::{Cluster, Rule};
use crate::findings::{Code, Finding, Severity};
use crate::manifest::Node;

/// `tls-without-ca`
pub static CODE: Code = Code {
    code: "MW406",
    name: "tls-without-ca",
    severity: Severity::Error,
    help: "MUTUAL: set clientCertificate and privateKey, or credentialName; SIMPLE and MUTUAL: set caCertificates (or credentialName with a workloadSelector)",
    docs: r#"## What it does
Checks DestinationRule TLS origination (the rule's `tls`, its `portLevelSettings` and its
subsets'). `mode: MUTUAL` without a client certificate (`clientCertificate` and
`privateKey`, or `credentialName`) is an error, for any host. `mode: SIMPLE` or `MUTUAL`
without `caCertificates` (and without `insecureSkipVerify: true`) is a warning. A
`credentialName` also carries the CA, but sidecars read it only when the DestinationRule
has a `workloadSelector`; without one it counts only for a host outside the mesh, which an
egress gateway (gateways always read it) originates to.

`istioctl analyze` reports this as IST0128 and IST0129 (NoServerCertificateVerificationDestinationLevel, ...PortLevel).

## Why is this bad?
Istio's validation rejects MUTUAL without a client certificate. SIMPLE without a CA
verifies the server only against the proxy's system roots, and only because
`VERIFY_CERTIFICATE_AT_CLIENT` is on (the default since Istio 1.20): a server with a
private CA fails every handshake, and an istiod with the flag off verifies nothing.

## Example
```yaml
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: payments
spec:
  host: payments.partner.example
  trafficPolicy:
    tls:
      mode: MUTUAL
```

## Use instead
```yaml
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: payments
spec:
  host: payments.partner.example
  trafficPolicy:
    tls:
      mode: MUTUAL
      credentialName: partner-client-cert
```
"#,
};

pub static RULE: Rule = Rule { code: &CODE, check };

fn check(cluster: &Cluster) -> Vec<Finding> {
    let mut findings = Vec::new();
    for object in cluster
        .objects
        .iter()
        .filter(|o| is_istio(o, "DestinationRule"))
    {
        let Some(written) = object.str_at(&["spec", "host"]) else {
            continue;
        };
        let host = resolve(written, namespace_of(object));
        let selects_workloads = object.at(&["spec", "workloadSelector"]).is_some();
        for tls in tls_settings(object) {
            let Some(mode) = tls.get("mode") else {
                continue;
            };
            let (severity, message) = match (mode.as_str(), missing_client_certificate(tls)) {
                (Some("MUTUAL"), Some(missing)) => (
                    Severity::Error,
                    format!(
                        "MUTUAL TLS to {host} without a client certificate ({missing} missing, \
                         and no credentialName); Istio rejects this DestinationRule"
                    ),
                ),
                (Some(mode @ ("SIMPLE" | "MUTUAL")), _)
                    if !verifies_server(tls, selects_workloads || is_external(&host)) =>
                {
                    (
                        Severity::Warning,
                        format!(
                            "{mode} TLS to {host} without caCertificates (or a credentialName \
                             sidecars read) verifies the server only against the proxy's \
                             system roots, and only while VERIFY_CERTIFICATE_AT_CLIENT is on \
                             (the default since Istio 1.20); a private CA fails every handshake"
                        ),
                    )
                }
                _ => continue,
            };
            let mut finding = Finding::new(&CODE, message, Some(mode.origin.clone())).on(object);
            finding.severity = severity;
            findings.push(finding);
        }
    }
    findings
}

/// Whether a `tls` block value at `key` is set (a non-empty string).
fn has(tls: &Node, key: &str) -> bool {
    tls.str_at(&[key]).is_some_and(|v| !v.is_empty())
}

/// The client-certificate fields a MUTUAL `tls` block lacks (`clientCertificate and
/// privateKey`), or `None` when it has them or a `credentialName`.
fn missing_client_certificate(tls: &Node) -> Option<String> {
    if has(tls, "credentialName") {
        return None;
    }
    let missing: Vec<&str> = ["clientCertificate", "privateKey"]
        .into_iter()
        .filter(|k| !has(tls, k))
        .collect();
    (!missing.is_empty()).then(|| missing.join(" and "))
}

/// Whether a `tls` block names what verifies the server: `caCertificates`, an explicit
/// `insecureSkipVerify: true`, or a `credentialName` whose secret carries the CA — which
/// sidecars read only when the DestinationRule has a `workloadSelector` (gateways always
/// do, so `credential_counts` is also true for a host outside the mesh, which an egress
/// gateway originates to).
fn verifies_server(tls: &Node, credential_counts: bool) -> bool {
    has(tls, "caCertificates")
        || (credential_counts && has(tls, "credentialName"))
        || matches!(
            tls.get("insecureSkipVerify").map(|n| &n.value),
            Some(crate::manifest::Value::Bool(true))
        )
}

/// Every `tls` block of a DestinationRule: top level, port level, and per subset.
fn tls_settings(object: &Node) -> Vec<&Node> {
    let spec = object.get("spec");
    let policies = std::iter::once(spec.and_then(|s| s.get("trafficPolicy")))
        .chain(seq(spec.and_then(|s| s.get("subsets"))).map(|s| s.get("trafficPolicy")))
        .flatten();
    policies
        .flat_map(|policy| {
            std::iter::once(policy.get("tls"))
                .chain(seq(policy.get("portLevelSettings")).map(|p| p.get("tls")))
                .flatten()
        })
        .collect()
}
