//! The catalog of finding codes: each code's name, default severity, help line and the
//! documentation `meshwright explain CODE` prints.
//!
//! Families: `MW1xx` schema and input, `MW2xx` mTLS, `MW3xx` authorization, `MW4xx`
//! references, `MW5xx` certificates, `MW6xx` traffic and gateways, `MW7xx` workload lifecycle.

use super::Severity;

/// A stable finding code and its documentation.
#[derive(Debug, PartialEq, Eq)]
pub struct Code {
    pub code: &'static str,
    /// A short kebab-case name, e.g. `unknown-field`.
    pub name: &'static str,
    pub severity: Severity,
    /// One line telling the user what to do.
    pub help: &'static str,
    /// What it does / why is this bad / example / use instead, as Markdown.
    pub docs: &'static str,
}

/// `schema-violation`
pub static MW101: Code = Code {
    code: "MW101",
    name: "schema-violation",
    severity: Severity::Error,
    help: "Change the value to one the schema allows (type, allowed values, pattern or range).",
    docs: r#"## What it does
Checks every value of a manifest against the schema of its kind (Kubernetes OpenAPI or the
CRD's `openAPIV3Schema`): types, allowed values (`enum`), patterns, lengths and ranges.

## Why is this bad?
The API server rejects the object (or, for GitOps, Flux and Argo CD report a failed sync
long after the pull request was merged).

## Example
```yaml
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
spec:
  mtls:
    mode: STRICTT
```

## Use instead
```yaml
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
spec:
  mtls:
    mode: STRICT
```
"#,
};

/// `unknown-field`
pub static MW102: Code = Code {
    code: "MW102",
    name: "unknown-field",
    severity: Severity::Error,
    help: "Remove the field or fix its spelling; the message suggests the closest known name.",
    docs: r#"## What it does
Reports fields the schema of the kind does not declare, like `kubectl apply --validate=strict`.

## Why is this bad?
The API server silently drops unknown fields (or rejects them with strict field validation),
so a misspelled `matchLabel` turns a selective policy into one that selects every workload.

## Example
```yaml
spec:
  selector:
    matchLabel:
      app: reviews
```

## Use instead
```yaml
spec:
  selector:
    matchLabels:
      app: reviews
```
"#,
};

/// `missing-required-field`
pub static MW103: Code = Code {
    code: "MW103",
    name: "missing-required-field",
    severity: Severity::Error,
    help: "Add the required field to the mapping the finding points at.",
    docs: r#"## What it does
Reports fields the schema requires that are missing from a mapping; the finding points at the
mapping that needs the field.

## Why is this bad?
The API server rejects the object.

## Example
```yaml
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: web
spec:
  secretName: web-tls
  dnsNames: [web.example.com]
```

## Use instead
```yaml
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: web
spec:
  secretName: web-tls
  dnsNames: [web.example.com]
  issuerRef:
    name: ca-issuer
    kind: ClusterIssuer
```
"#,
};

/// `missing-schema`
pub static MW104: Code = Code {
    code: "MW104",
    name: "missing-schema",
    severity: Severity::Error,
    help: "Import the CRD with `meshwright schemas import CRD.yaml --out DIR` and pass `--schema-dir DIR`, or use `--ignore-missing-schemas`.",
    docs: r#"## What it does
Reports objects whose apiVersion and kind have no known schema, so they cannot be checked.

## Why is this bad?
A typo in `kind` or a CRD the cluster does not have means the object will be rejected; an
object that cannot be checked may hide any other mistake.

## Example
```yaml
apiVersion: security.istio.io/v1
kind: PeerAuthentications
metadata:
  name: default
```

## Use instead
```yaml
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
```
"#,
};

/// `api-version-not-served`
pub static MW107: Code = Code {
    code: "MW107",
    name: "api-version-not-served",
    severity: Severity::Error,
    help: "Change apiVersion to a served version (the message names it).",
    docs: r#"## What it does
Reports objects whose apiVersion is not served for their kind: versions Kubernetes removed
(`extensions/v1beta1` Ingress, `policy/v1beta1` PodDisruptionBudget, …) and CRD versions that
are not served.

## Why is this bad?
The API server answers `no matches for kind` and the whole sync fails.

## Example
```yaml
apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata:
  name: web
spec:
  minAvailable: 1
```

## Use instead
```yaml
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web
spec:
  minAvailable: 1
```
"#,
};

/// `invalid-name`
pub static MW110: Code = Code {
    code: "MW110",
    name: "invalid-name",
    severity: Severity::Error,
    help: "Use lowercase letters, digits, '-' and '.', starting and ending with a letter or digit (at most 253; 63 and no '.' for Namespaces and Services).",
    docs: r#"## What it does
Checks `metadata.name` and `metadata.namespace` the way the API server does: a DNS-1123
subdomain for most kinds, a DNS-1123 label (no dots, at most 63 characters) for Namespaces,
Services and namespace names.

## Why is this bad?
The API server rejects the object.

## Example
```yaml
apiVersion: v1
kind: Service
metadata:
  name: Reviews_v2
```

## Use instead
```yaml
apiVersion: v1
kind: Service
metadata:
  name: reviews-v2
```
"#,
};

/// `invalid-label`
pub static MW111: Code = Code {
    code: "MW111",
    name: "invalid-label",
    severity: Severity::Error,
    help: "Label keys are [prefix/]name (name ≤ 63 chars of [A-Za-z0-9._-], prefix a DNS subdomain); values ≤ 63 chars of the same, or empty.",
    docs: r#"## What it does
Checks label keys and values and annotation keys (including selector `matchLabels`) against
Kubernetes' syntax.

## Why is this bad?
The API server rejects the object.

## Example
```yaml
metadata:
  labels:
    app: reviews v2
```

## Use instead
```yaml
metadata:
  labels:
    app: reviews-v2
```
"#,
};

/// `cert-manager-duration`
pub static MW112: Code = Code {
    code: "MW112",
    name: "cert-manager-duration",
    severity: Severity::Error,
    help: "Use duration ≥ 1h and 5m ≤ renewBefore < duration (Go durations such as 2160h, 360h).",
    docs: r#"## What it does
Checks cert-manager Certificate `duration` and `renewBefore` as cert-manager's webhook does:
both must parse as Go durations, duration at least 1h, renewBefore at least 5m and shorter
than duration.

## Why is this bad?
cert-manager's webhook rejects the Certificate, so no certificate is issued.

## Example
```yaml
spec:
  duration: 30m
  renewBefore: 1h
```

## Use instead
```yaml
spec:
  duration: 2160h
  renewBefore: 360h
```
"#,
};

/// `issuer-ref-kind`
pub static MW113: Code = Code {
    code: "MW113",
    name: "issuer-ref-kind",
    severity: Severity::Error,
    help: "Set issuerRef.kind to Issuer or ClusterIssuer, or set issuerRef.group for an external issuer.",
    docs: r#"## What it does
Checks that a cert-manager `issuerRef` names a kind cert-manager serves (`Issuer` or
`ClusterIssuer` in group `cert-manager.io`), or an external issuer with its own group.

## Why is this bad?
cert-manager never finds the issuer and the certificate stays pending.

## Example
```yaml
issuerRef:
  name: ca
  kind: ClusterIsuer
```

## Use instead
```yaml
issuerRef:
  name: ca
  kind: ClusterIssuer
```
"#,
};

/// `istio-port-level-mtls-without-selector`
pub static MW114: Code = Code {
    code: "MW114",
    name: "istio-port-level-mtls-without-selector",
    severity: Severity::Error,
    help: "Add a workload selector, or move the mode to spec.mtls.",
    docs: r#"## What it does
Reports PeerAuthentication `portLevelMtls` without a `selector`, which Istio's validation
rejects.

## Why is this bad?
Port-level mTLS only makes sense for selected workloads; istiod refuses the policy.

## Example
```yaml
spec:
  portLevelMtls:
    8080:
      mode: DISABLE
```

## Use instead
```yaml
spec:
  selector:
    matchLabels:
      app: reviews
  portLevelMtls:
    8080:
      mode: DISABLE
```
"#,
};

/// `istio-authorization-policy-shape`
pub static MW115: Code = Code {
    code: "MW115",
    name: "istio-authorization-policy-shape",
    severity: Severity::Error,
    help: "CUSTOM needs provider; other actions must not set it; from/to entries need at least one source/operation.",
    docs: r#"## What it does
Checks AuthorizationPolicy shapes Istio's validation rejects: `action: CUSTOM` without
`provider`, a `provider` with another action, `from`/`to`/`when` entries that are empty, `when` keys
Istio does not know, a `selector` together with `targetRef(s)`, and operation ports outside
1–65535 (reported as MW117).

## Why is this bad?
istiod rejects the policy; for a deny policy that means requests you meant to block pass.

## Example
```yaml
spec:
  action: CUSTOM
  rules:
  - to:
    - operation:
        paths: ["/admin/*"]
```

## Use instead
```yaml
spec:
  action: CUSTOM
  provider:
    name: ext-authz
  rules:
  - to:
    - operation:
        paths: ["/admin/*"]
```
"#,
};

/// `invalid-host`
pub static MW116: Code = Code {
    code: "MW116",
    name: "invalid-host",
    severity: Severity::Error,
    help: "Use a DNS name (reviews.prod.svc.cluster.local), a wildcard prefix (*.example.com), or `*` where allowed.",
    docs: r#"## What it does
Checks hosts of VirtualService, DestinationRule, ServiceEntry and Gateway: each must be a DNS
name, optionally with a leading `*.` wildcard, or `*` alone where Istio allows it (Gateway
servers, VirtualService hosts bound to gateways). Gateway hosts may carry a `namespace/`
prefix.

## Why is this bad?
istiod rejects the resource, so routing and TLS settings silently stay as before.

## Example
```yaml
spec:
  hosts:
  - reviews.prod.*
```

## Use instead
```yaml
spec:
  hosts:
  - "*.prod.example.com"
```
"#,
};

/// `invalid-port`
pub static MW117: Code = Code {
    code: "MW117",
    name: "invalid-port",
    severity: Severity::Error,
    help: "Use a port number between 1 and 65535.",
    docs: r#"## What it does
Checks port numbers in Istio resources (PeerAuthentication port-level mTLS, Gateway servers,
ServiceEntry ports, DestinationRule and VirtualService port selectors) are within 1–65535.

## Why is this bad?
istiod rejects the resource.

## Example
```yaml
spec:
  portLevelMtls:
    70000:
      mode: DISABLE
```

## Use instead
```yaml
spec:
  portLevelMtls:
    7000:
      mode: DISABLE
```
"#,
};

/// Every code, in code order.
pub static CATALOG: &[&Code] = &[
    &MW101, &MW102, &MW103, &MW104, &MW107, &MW110, &MW111, &MW112, &MW113, &MW114, &MW115, &MW116,
    &MW117,
];

/// The catalog entry for `code` (case-insensitive).
pub fn lookup(code: &str) -> Option<&'static Code> {
    CATALOG
        .iter()
        .copied()
        .find(|c| c.code.eq_ignore_ascii_case(code))
}
