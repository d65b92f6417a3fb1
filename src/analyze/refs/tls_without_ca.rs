//! MW406: a DestinationRule originating TLS without the certificates its mode needs.
//!
//! `mode: MUTUAL` needs a client certificate: `clientCertificate` and `privateKey`, or a
//! `credentialName`; without them Istio's validation rejects the rule (error, any host).
//! `mode: SIMPLE` towards a host outside the mesh without `caCertificates` or
//! `credentialName` (and without `insecureSkipVerify: true`) verifies the server only
//! against the proxy's system roots, and only because `VERIFY_CERTIFICATE_AT_CLIENT` is on
//! (the default since Istio 1.20): a private CA, or a proxy image without system roots,
//! fails every handshake, and an older or reconfigured istiod verifies nothing (warning).
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
    help: "MUTUAL: set clientCertificate and privateKey, or credentialName; SIMPLE: set caCertificates or credentialName",
    docs: r#"## What it does
Checks DestinationRule TLS origination (the rule's `tls`, its `portLevelSettings` and its
subsets'). `mode: MUTUAL` without a client certificate (`clientCertificate` and
`privateKey`, or `credentialName`) is an error, for any host. `mode: SIMPLE` towards a host
outside the mesh without `caCertificates` or `credentialName` (and without
`insecureSkipVerify: true`) is a warning.

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
        for tls in tls_settings(object) {
            let Some(mode) = tls.get("mode") else {
                continue;
            };
            let has = |key: &str| tls.str_at(&[key]).is_some_and(|v| !v.is_empty());
            let (severity, message) = match mode.as_str() {
                Some("MUTUAL") if !has("credentialName") => {
                    let missing: Vec<&str> = ["clientCertificate", "privateKey"]
                        .into_iter()
                        .filter(|k| !has(k))
                        .collect();
                    if missing.is_empty() {
                        continue;
                    }
                    (
                        Severity::Error,
                        format!(
                            "MUTUAL TLS to {host} without a client certificate ({} missing, \
                             and no credentialName); Istio rejects this DestinationRule",
                            missing.join(" and ")
                        ),
                    )
                }
                Some("SIMPLE")
                    if is_external(&host)
                        && !has("caCertificates")
                        && !has("credentialName")
                        && !matches!(
                            tls.get("insecureSkipVerify").map(|n| &n.value),
                            Some(crate::manifest::Value::Bool(true))
                        ) =>
                {
                    (
                        Severity::Warning,
                        format!(
                            "SIMPLE TLS to {host} without caCertificates or credentialName \
                             verifies the server only against the proxy's system roots, and \
                             only while VERIFY_CERTIFICATE_AT_CLIENT is on (the default since \
                             Istio 1.20); a private CA fails every handshake"
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
