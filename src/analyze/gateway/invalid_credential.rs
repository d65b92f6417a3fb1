//! MW606: a Gateway's `credentialName` Secret that holds no usable certificate.
//!
//! The gateway reads `tls.crt` and `tls.key` (or `cert` and `key`) from the Secret in its
//! workload's namespace ([`super::Gateways::workload_namespaces`]). A Secret the repository
//! writes there without those keys, whose certificate is not PEM, or whose certificate has
//! expired gives the server no certificate. Secrets the repository cannot judge are left
//! alone: SOPS-encrypted ones, templated ones (`${TLS_CRT}`), and Opaque ones with no data
//! (filled in by a controller).
//! Messages never quote a Secret's data.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::analyze::refs::{is_placeholder, namespace_of, seq};
use crate::analyze::{Cluster, Rule};
use crate::findings::{Code, Finding, Severity};
use crate::manifest::Node;

pub static CODE: Code = Code {
    code: "MW606",
    name: "invalid-gateway-credential",
    severity: Severity::Error,
    help: "put a PEM certificate and key under tls.crt and tls.key of the Secret (type kubernetes.io/tls), or renew the certificate",
    docs: r#"## What it does
For every Istio Gateway server with a `tls.credentialName`, checks the Secret the
repository writes under that name in the gateway workload's namespace: it must hold
`tls.crt` and `tls.key` (or Istio's generic `cert` and `key`), non-empty, and the
certificate must be PEM and not expired. SOPS-encrypted Secrets, templated values
(`${TLS_CRT}`) and Opaque Secrets without data (filled in by a controller) are not judged. Findings never quote the Secret's data.

`istioctl analyze` reports this as IST0161 (InvalidGatewayCredential).

## Why is this bad?
The gateway cannot load a certificate from the Secret: the server's listener is not
served, or it presents an expired certificate that clients refuse.

## Example
```yaml
apiVersion: v1
kind: Secret
metadata:
  name: shop-tls
  namespace: istio-ingress
type: Opaque
data:
  tls.cert: ...   # Istio reads tls.crt
  tls.key: ...
```

## Use instead
```yaml
apiVersion: v1
kind: Secret
metadata:
  name: shop-tls
  namespace: istio-ingress
type: kubernetes.io/tls
data:
  tls.crt: ...
  tls.key: ...
```
"#,
};

pub static RULE: Rule = Rule { code: &CODE, check };

/// The key pairs Istio reads a gateway certificate from, in its order.
const KEY_PAIRS: [(&str, &str); 2] = [("cert", "key"), ("tls.crt", "tls.key")];

fn check(cluster: &Cluster) -> Vec<Finding> {
    let gateways = &cluster.lookups.gateways;
    let now = now();
    let mut findings = Vec::new();
    for (index, gateway) in gateways.objects.iter().enumerate() {
        let Some((namespaces, _)) = gateways.workload_namespaces(index) else {
            continue;
        };
        for server in seq(gateway.at(&["spec", "servers"])) {
            let Some(node) = server.at(&["tls", "credentialName"]) else {
                continue;
            };
            let Some(name) = node.as_str().filter(|n| !n.is_empty()) else {
                continue;
            };
            let secret = namespaces
                .iter()
                .find_map(|namespace| cluster.lookups.index.get("Secret", namespace, name));
            let Some((secret, problem)) = secret.and_then(|s| problem(s, now).map(|p| (s, p)))
            else {
                continue;
            };
            findings.push(
                Finding::new(
                    &CODE,
                    format!(
                        "Secret {}/{name} {problem}; the gateway cannot serve this server's \
                         certificate",
                        namespace_of(secret)
                    ),
                    Some(node.origin.clone()),
                )
                .on(gateway),
            );
        }
    }
    findings
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// What makes `secret` unusable as a gateway credential at `now` (Unix seconds), if anything.
fn problem(secret: &Node, now: i64) -> Option<String> {
    if secret.get("sops").is_some() {
        return None;
    }
    let mut values: Vec<(&str, Vec<u8>)> = Vec::new();
    for (key, value) in secret
        .get("data")
        .and_then(Node::as_map)
        .unwrap_or_default()
    {
        values.push((key, BASE64.decode(value.as_str()?.trim()).ok()?));
    }
    for (key, value) in secret
        .get("stringData")
        .and_then(Node::as_map)
        .unwrap_or_default()
    {
        let text = value.as_str().filter(|t| !is_placeholder(t))?;
        values.push((key, text.as_bytes().to_vec()));
    }
    let tls_type = secret.str_at(&["type"]) == Some("kubernetes.io/tls");
    if values.is_empty() && !tls_type {
        return None;
    }
    let value = |key: &str| values.iter().find(|(k, _)| *k == key).map(|(_, v)| v);
    let Some(certificate) = KEY_PAIRS.iter().find_map(|(cert, key)| {
        let (cert, key) = (value(cert)?, value(key)?);
        (!cert.is_empty() && !key.is_empty()).then_some(cert)
    }) else {
        return Some("has no non-empty tls.crt and tls.key (nor cert and key)".to_string());
    };
    let Some(der) = pem_certificate(certificate) else {
        return Some("holds no PEM certificate".to_string());
    };
    match not_after(&der) {
        Some(expiry) if expiry < now => Some("holds an expired certificate".to_string()),
        Some(_) => None,
        None => Some("holds a certificate that cannot be read".to_string()),
    }
}

/// The DER bytes of the first PEM `CERTIFICATE` block of `pem`.
fn pem_certificate(pem: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(pem).ok()?;
    let body = text.split("-----BEGIN CERTIFICATE-----").nth(1)?;
    let body = body.split("-----END CERTIFICATE-----").next()?;
    let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    BASE64.decode(compact).ok()
}

/// One DER element at the start of `bytes`: (tag, contents, the rest after it).
fn element(bytes: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = bytes.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (length, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 || rest.len() < count {
            return None;
        }
        let length = rest[..count]
            .iter()
            .fold(0usize, |n, b| (n << 8) | usize::from(*b));
        (length, &rest[count..])
    };
    (rest.len() >= length).then(|| (tag, &rest[..length], &rest[length..]))
}

/// A certificate's `notAfter` (Unix seconds), read from its DER encoding.
fn not_after(der: &[u8]) -> Option<i64> {
    let (_, certificate, _) = element(der)?;
    let (_, mut tbs, _) = element(certificate)?;
    // Skip the optional version, then serial number, signature algorithm and issuer.
    if tbs.first() == Some(&0xa0) {
        tbs = element(tbs)?.2;
    }
    for _ in 0..3 {
        tbs = element(tbs)?.2;
    }
    let (_, validity, _) = element(tbs)?;
    let (_, _, rest) = element(validity)?;
    let (tag, time, _) = element(rest)?;
    let text = std::str::from_utf8(time).ok()?;
    let digits = |range: std::ops::Range<usize>| -> Option<i64> { text.get(range)?.parse().ok() };
    let (year, rest_at) = match tag {
        0x17 => {
            let year = digits(0..2)?;
            (if year >= 50 { 1900 + year } else { 2000 + year }, 2)
        }
        0x18 => (digits(0..4)?, 4),
        _ => return None,
    };
    let field = |n: usize| digits(rest_at + 2 * n..rest_at + 2 * n + 2);
    let days = days_from_civil(year, field(0)?, field(1)?);
    Some(days * 86_400 + field(2)? * 3600 + field(3)? * 60 + field(4)?)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::parse_documents;

    fn secret(yaml: &str) -> Node {
        parse_documents(std::path::Path::new("s.yaml"), yaml.as_bytes()).unwrap()[0].clone()
    }

    #[test]
    fn dates_count_days_since_the_epoch() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(2024, 12, 31), 20_088);
    }

    #[test]
    fn secrets_need_both_keys_and_a_pem_certificate() {
        let tls = |data: &str| {
            secret(&format!(
                "apiVersion: v1\nkind: Secret\nmetadata: {{name: s}}\ntype: kubernetes.io/tls\n{data}"
            ))
        };
        let missing = problem(
            &tls("data:\n  tls.cert: aHVzaAo=\n  tls.key: aHVzaAo=\n"),
            0,
        );
        assert!(missing.unwrap().contains("no non-empty tls.crt"));
        let not_pem = problem(&tls("stringData:\n  tls.crt: hush\n  tls.key: hush\n"), 0);
        assert_eq!(not_pem.as_deref(), Some("holds no PEM certificate"));
        let opaque_without_data = secret("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n");
        assert_eq!(problem(&opaque_without_data, 0), None);
        let sops = tls("sops: {version: 3.9.0}\nstringData:\n  tls.crt: ENC[AES256_GCM,data:x]\n");
        assert_eq!(problem(&sops, 0), None);
        let templated = tls("stringData:\n  tls.crt: ${TLS_CRT}\n  tls.key: ${TLS_KEY}\n");
        assert_eq!(problem(&templated, 0), None);
    }
}
