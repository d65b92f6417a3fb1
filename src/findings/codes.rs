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
pub static SCHEMA_VIOLATION: Code = Code {
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
pub static UNKNOWN_FIELD: Code = Code {
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
pub static MISSING_REQUIRED_FIELD: Code = Code {
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
pub static MISSING_SCHEMA: Code = Code {
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
pub static API_VERSION_NOT_SERVED: Code = Code {
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
pub static INVALID_NAME: Code = Code {
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
pub static INVALID_LABEL: Code = Code {
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
pub static CERT_MANAGER_DURATION: Code = Code {
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
pub static ISSUER_REF_KIND: Code = Code {
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
pub static PORT_LEVEL_MTLS_WITHOUT_SELECTOR: Code = Code {
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
pub static AUTHORIZATION_POLICY_SHAPE: Code = Code {
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
pub static INVALID_HOST: Code = Code {
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
pub static INVALID_PORT: Code = Code {
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
    &INVALID_YAML,
    &SCHEMA_VIOLATION,
    &UNKNOWN_FIELD,
    &MISSING_REQUIRED_FIELD,
    &MISSING_SCHEMA,
    &NOT_A_MANIFEST,
    &HELM_TEMPLATE,
    &API_VERSION_NOT_SERVED,
    &KUSTOMIZE_BUILD_FAILED,
    &INVALID_INTENT,
    &INVALID_NAME,
    &INVALID_LABEL,
    &CERT_MANAGER_DURATION,
    &ISSUER_REF_KIND,
    &PORT_LEVEL_MTLS_WITHOUT_SELECTOR,
    &AUTHORIZATION_POLICY_SHAPE,
    &INVALID_HOST,
    &INVALID_PORT,
    &MISSING_TYPE_META,
    &NO_MESH_WIDE_STRICT,
    &PERMISSIVE_OR_DISABLED_MTLS,
    &CONFLICTING_PEER_AUTHENTICATION,
    &TLS_MODE_BREAKS_CONNECTION,
    &IDENTITY_RULE_WITHOUT_MTLS,
    &DANGLING_AFTER_KUSTOMIZE,
];

pub static INVALID_YAML: Code = Code {
    code: "MW100",
    name: "invalid-yaml",
    severity: Severity::Error,
    help: "fix the YAML at the position shown; the rest of the repository is still checked",
    docs: r#"## What it does
Reports a file that cannot be read as YAML: a syntax error, a duplicate key, a tab used
for indentation, binary or non-UTF-8 content, an alias bomb, nesting too deep, or a file
larger than meshwright reads (16 MiB).

## Why is this bad?
Neither kubectl nor a GitOps controller can apply the file. Flux and Argo CD stop syncing
the whole kustomization until it is fixed.

## Example
```yaml
metadata:
  name: web
  labels:
    app: web
    app: api      # duplicate key
```

## Use instead
```yaml
metadata:
  name: web
  labels:
    app: web
```
"#,
};

pub static NOT_A_MANIFEST: Code = Code {
    code: "MW105",
    name: "not-a-manifest",
    severity: Severity::Info,
    help: "not validated; if it should be a Kubernetes object, add `apiVersion` and `kind`",
    docs: r#"## What it does
Notes a YAML file outside every kustomization whose documents have neither `apiVersion`
nor `kind`: Helm values, CI configuration, tool settings. Such a file is skipped, not
failed.

## Why is this bad?
It usually is not: the note tells you the file was looked at and deliberately not
validated. If the file was meant to be a Kubernetes object, the missing type fields are
the problem.

## Example
```yaml
# clusters/central/istio/values.yaml (Helm values)
pilot:
  env:
    PILOT_ENABLE_AMBIENT: "false"
```

## Use instead
Nothing to change for configuration files. For a manifest, name its type:
```yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
```
"#,
};

pub static HELM_TEMPLATE: Code = Code {
    code: "MW106",
    name: "helm-template",
    severity: Severity::Warning,
    help: "render the chart (`helm template`) and validate its output instead",
    docs: r#"## What it does
Reports a YAML file that holds Helm template directives (`{{ ... }}`). It is not valid
Kubernetes YAML until Helm renders it, so meshwright does not validate it.

## Why is this bad?
Nothing in it was checked. Chart templates belong in a chart; a GitOps repository that
meshwright validates should hold rendered manifests.

## Example
```yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-web
```

## Use instead
```sh
helm template my-release ./chart > manifests/web.yaml
meshwright validate manifests/
```
"#,
};

pub static KUSTOMIZE_BUILD_FAILED: Code = Code {
    code: "MW108",
    name: "kustomize-build-failed",
    severity: Severity::Error,
    help: "fix the kustomization at the position shown; `meshwright build DIR` shows the same error",
    docs: r#"## What it does
Reports a kustomize root that cannot be rendered: a missing resource or patch file, a
cycle between kustomizations, invalid YAML in a file the root reads, a patch whose target
matches nothing, or a kustomize feature meshwright does not render (Helm charts, plugins,
remote resources).

## Why is this bad?
`kubectl kustomize` (and so Flux or Argo CD) would fail on the same root, or meshwright
cannot see what it would apply. None of that root's objects were validated.

## Example
```yaml
# overlays/prod/kustomization.yaml
resources:
  - ../../base
  - certificat.yaml   # no such file
```

## Use instead
```yaml
resources:
  - ../../base
  - certificate.yaml
```
"#,
};

pub static INVALID_INTENT: Code = Code {
    code: "MW109",
    name: "invalid-intent",
    severity: Severity::Error,
    help: "fix mesh.yaml; `meshwright generate` reports the same problem",
    docs: r#"## What it does
Validates a meshwright intent file (`apiVersion: meshwright.dev/v1alpha1`, `kind: Mesh`)
found in the repository with the same strict rules `meshwright generate` applies:
unknown fields, wrong types, callers naming no service, PERMISSIVE without a migration,
certificate lifetimes cert-manager rejects.

## Why is this bad?
The repository can no longer be regenerated from its intent, so the next `generate` fails
or the checked-in YAML drifts from what the intent says.

## Example
```yaml
spec:
  mtls:
    mode: PERMISSIVE   # without spec.mtls.migration
```

## Use instead
```yaml
spec:
  mtls:
    mode: PERMISSIVE
    migration: legacy-billing-cutover
```
"#,
};

pub static MISSING_TYPE_META: Code = Code {
    code: "MW120",
    name: "missing-type-meta",
    severity: Severity::Error,
    help: "every Kubernetes object needs `apiVersion`, `kind` and `metadata.name`",
    docs: r#"## What it does
Reports a document that is partly a Kubernetes object: it has `apiVersion` or `kind` but
not both, or no `metadata.name`, or it is not a mapping at all.

## Why is this bad?
The API server rejects the object before any schema is looked at, so `kubectl apply` and
every GitOps controller fail on the file.

## Example
```yaml
kind: Service
metadata:
  name: web
```

## Use instead
```yaml
apiVersion: v1
kind: Service
metadata:
  name: web
```
"#,
};

/// The catalog entry for `code` (case-insensitive).
pub fn lookup(code: &str) -> Option<&'static Code> {
    CATALOG
        .iter()
        .copied()
        .find(|c| c.code.eq_ignore_ascii_case(code))
}

pub static DANGLING_AFTER_KUSTOMIZE: Code = Code {
    code: "MW401",
    name: "dangling-after-kustomize",
    severity: Severity::Error,
    help: "update the reference in the overlay (a patch or replacement), or stop moving the object",
    docs: r#"## What it does
Finds a reference that kustomize does not rewrite — an AuthorizationPolicy principal or
`source.namespaces`, a Gateway or DestinationRule `credentialName`, a cert-manager
`issuerRef`, a VirtualService gateway — that names an object the kustomize root renders
under another identity, because `namespace`, `namePrefix` or `nameSuffix` moved it.

## Why is this bad?
`kubectl kustomize` succeeds and the output looks plausible, but the reference points at
nothing: the policy never matches the moved workload's identity (its callers are denied),
the gateway finds no certificate, the Certificate is never issued.

## Example
```yaml
# base/authorization.yaml
rules:
  - from:
      - source:
          principals: ["cluster.local/ns/shop/sa/frontend"]
# overlays/eu/kustomization.yaml
namespace: shop-eu        # moves ServiceAccount frontend to shop-eu
resources: [../../base]
```

## Use instead
```yaml
# overlays/eu/kustomization.yaml
namespace: shop-eu
resources: [../../base]
patches:
  - target: {kind: AuthorizationPolicy}
    patch: |
      - op: replace
        path: /spec/rules/0/from/0/source/principals/0
        value: cluster.local/ns/shop-eu/sa/frontend
```
"#,
};

/// `no-mesh-wide-strict`
pub static NO_MESH_WIDE_STRICT: Code = Code {
    code: "MW201",
    name: "no-mesh-wide-strict",
    severity: Severity::Error,
    help: "declare a PeerAuthentication in istio-system without selector, with mtls.mode STRICT",
    docs: r#"## What it does
Checks that a cluster whose workloads run Istio sidecars has a mesh-wide PeerAuthentication
(in the root namespace `istio-system`, without selector) in mode `STRICT`. A mesh-wide policy
in another mode is reported at its `mode`. When there is none, the finding points at the
repository's first object in `istio-system` (the Namespace when declared); if the repository
declares nothing there, the policy may be managed where Istio is installed, and the finding is
a warning at the first workload with a sidecar.

## Why is this bad?
The mesh-wide policy is what every namespace without a policy of its own gets — including
the ones created next month. Without it Istio's default is `PERMISSIVE`: sidecars accept
plaintext from any pod, which carries no identity, so authorization by principal or namespace
does not hold for it.

## Example
```yaml
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: istio-system
spec:
  mtls:
    mode: PERMISSIVE
```

## Use instead
```yaml
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: istio-system
spec:
  mtls:
    mode: STRICT
```
"#,
};

/// `permissive-or-disabled-mtls`
pub static PERMISSIVE_OR_DISABLED_MTLS: Code = Code {
    code: "MW202",
    name: "permissive-or-disabled-mtls",
    severity: Severity::Warning,
    help: "set the mode to STRICT (or remove it to inherit the mesh-wide STRICT policy)",
    docs: r#"## What it does
Reports a namespace-wide or workload PeerAuthentication, or a `portLevelMtls` entry of one,
in mode `PERMISSIVE` or `DISABLE`. `DISABLE` for a whole namespace or workload is an error;
`PERMISSIVE`, and `DISABLE` on a single port (the usual exception for a metrics port scraped
from outside the mesh), are warnings. The mesh-wide policy is checked by MW201.

## Why is this bad?
`PERMISSIVE` accepts plaintext next to mTLS — meant for the weeks of a migration, and easily
forgotten afterwards. `DISABLE` refuses mTLS altogether. Either way callers without a sidecar,
or anything else on the pod network, get in without an identity, and AuthorizationPolicies
that allow or deny by principal or namespace cannot tell them apart.

## Example
```yaml
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: payments
spec:
  mtls:
    mode: PERMISSIVE
```

## Use instead
```yaml
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: payments
spec:
  mtls:
    mode: STRICT
```
"#,
};

/// `conflicting-peer-authentication`
pub static CONFLICTING_PEER_AUTHENTICATION: Code = Code {
    code: "MW203",
    name: "conflicting-peer-authentication",
    severity: Severity::Error,
    help: "keep one PeerAuthentication per scope: merge or delete the others",
    docs: r#"## What it does
Reports PeerAuthentications that compete for the same scope: more than one mesh-wide policy
(root namespace, no selector), more than one namespace-wide policy (no selector) in a
namespace, or more than one policy whose selector matches the same workload. Each policy
Istio ignores is reported at its name, with the one that wins.

## Why is this bad?
Istio applies only the oldest policy of a scope (by `creationTimestamp`) and silently ignores
the others. Which mode holds depends on the order the policies were created, so a cluster
rebuilt from Git can end up with a different mode than the one running today.

## Example
```yaml
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: payments
spec:
  mtls:
    mode: STRICT
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: migration
  namespace: payments
spec:
  mtls:
    mode: PERMISSIVE
```

## Use instead
```yaml
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: payments
spec:
  mtls:
    mode: STRICT
```
"#,
};

/// `tls-mode-breaks-connection`
pub static TLS_MODE_BREAKS_CONNECTION: Code = Code {
    code: "MW204",
    name: "tls-mode-breaks-connection",
    severity: Severity::Error,
    help: "use tls.mode ISTIO_MUTUAL (or remove tls to let auto mTLS choose) for in-mesh hosts",
    docs: r#"## What it does
Finds DestinationRules whose `tls.mode` (`DISABLE`, `SIMPLE` or `MUTUAL`, at the top level or
in a `portLevelSettings` entry) a caller's sidecar uses towards a workload whose effective
PeerAuthentication mode is `STRICT`. The finding names the servers, the policies that make
them STRICT, and the callers whose connections fail.

## Why is this bad?
A STRICT sidecar accepts only Istio mutual TLS. `DISABLE` sends plaintext, and `SIMPLE` or
`MUTUAL` send TLS with certificates that are not the mesh's, so every connection through the
rule is reset (`upstream connect error ... connection termination`, HTTP 503) — typically
right after someone turned the namespace STRICT.

## Example
```yaml
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
  namespace: shop
spec:
  host: reviews.shop.svc.cluster.local
  trafficPolicy:
    tls:
      mode: DISABLE
```

## Use instead
```yaml
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
  namespace: shop
spec:
  host: reviews.shop.svc.cluster.local
  trafficPolicy:
    tls:
      mode: ISTIO_MUTUAL
```
"#,
};

/// `identity-rule-without-mtls`
pub static IDENTITY_RULE_WITHOUT_MTLS: Code = Code {
    code: "MW205",
    name: "identity-rule-without-mtls",
    severity: Severity::Error,
    help: "make the workload STRICT (PeerAuthentication) so every caller has an identity",
    docs: r#"## What it does
Checks AuthorizationPolicy rules that match on caller identity — `principals`,
`notPrincipals`, `namespaces`, `notNamespaces` — against the effective mTLS of the workloads
they apply to. A plaintext caller has no identity: `principals` and `namespaces` never match
it, `notPrincipals` and `notNamespaces` always do. Reported are:
- a `DENY` on `principals`/`namespaces`, or an `ALLOW` on `notPrincipals`/`notNamespaces`,
  applying to a workload port that is not STRICT: the rule can be bypassed by sending
  plaintext;
- an `ALLOW` on `principals`/`namespaces`, or a `DENY` on `notPrincipals`/`notNamespaces`,
  naming a caller that reaches the workload in plaintext (no sidecar, a DestinationRule with
  `DISABLE`, a port in mode `DISABLE`): that caller is denied although the rule means to let
  it through.

Refusing anonymous callers is what the second kind of rule is for, so the deny-non-mTLS
policy (`DENY` with `notPrincipals: ["*"]`) is not reported.

## Why is this bad?
The policy reads as "deny the batch service account" or "allow only the frontend", but the
identity it matches exists only over Istio mutual TLS. On a PERMISSIVE port the denied
workload gets through by sending plaintext; a caller without sidecar named in an allow-list
gets 403 `RBAC: access denied` although it is listed.

## Example
```yaml
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: shop
spec:
  mtls:
    mode: PERMISSIVE
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: deny-batch
  namespace: shop
spec:
  action: DENY
  rules:
    - from:
        - source:
            principals: ["cluster.local/ns/batch/sa/report"]
```

## Use instead
```yaml
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: shop
spec:
  mtls:
    mode: STRICT
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: deny-batch
  namespace: shop
spec:
  action: DENY
  rules:
    - from:
        - source:
            principals: ["cluster.local/ns/batch/sa/report"]
```
"#,
};
