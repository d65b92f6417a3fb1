//! The catalog of finding codes: each code's name, default severity, help line and the
//! documentation `meshwright explain CODE` prints.
//!
//! This file defines the codes of reading, rendering and schema-checking the input (`MW1xx`;
//! the CEL rule codes MW121/MW122 live in `schema::cel`). An analyzer's code and docs live in
//! its rule file under `src/analyze/` (`pub static CODE`); `analyze::RULES`/`REPO_RULES`
//! gather them, and [`catalog`] lists both, in code order.
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

`istioctl analyze` reports this as IST0106 (SchemaValidationError).

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

`istioctl analyze` reports this as IST0106 (SchemaValidationError).

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

`istioctl analyze` reports this as IST0106 (SchemaValidationError).

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

/// The codes of reading, rendering and schema-checking the input (`MW1xx`), in code order.
/// Analyzers' codes live in their rule files and are gathered by [`catalog`].
static INPUT_AND_SCHEMA: &[&Code] = &[
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
    &PATCH_MATCHES_NOTHING,
    &PATCH_ELEMENT_IGNORED,
    &MISSING_TYPE_META,
    &crate::schema::cel::VALIDATION_RULE,
    &crate::schema::cel::RULE_NOT_EVALUATED,
];

/// Every code, in code order: the input and schema codes above and every analyzer's
/// ([`crate::analyze::codes`]).
pub fn catalog() -> Vec<&'static Code> {
    let mut catalog: Vec<&'static Code> = INPUT_AND_SCHEMA
        .iter()
        .copied()
        .chain(crate::analyze::codes())
        .collect();
    catalog.sort_by_key(|c| c.code);
    catalog
}

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
cycle between kustomizations, invalid YAML in a file the root reads, a strategic-merge
patch without target that names no object, or a kustomize feature meshwright does not
render (Helm charts, plugins, remote resources).

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

pub static PATCH_MATCHES_NOTHING: Code = Code {
    code: "MW118",
    name: "patch-matches-nothing",
    severity: Severity::Warning,
    help: "fix the patch `target` (kind, name, namespace, selectors) or delete the patch",
    docs: r#"## What it does
Reports a kustomize patch whose `target:` selects no object of the root being built.
kustomize (and so `kubectl kustomize`, Flux and Argo CD) renders such a root without a
word: the patch changes nothing.

## Why is this bad?
A patch that matches nothing is almost always a mistake — the object was renamed, the
name regex has a typo, the kind is misspelled — and the cluster gets the unpatched
object: the replica count, resource limits or image the overlay meant to set never
arrive.

## Example
```yaml
# overlays/prod/kustomization.yaml
patches:
  - path: replicas.yaml
    target:
      kind: Deployment
      name: web-frontent   # the Deployment is web-frontend
```

## Use instead
```yaml
patches:
  - path: replicas.yaml
    target:
      kind: Deployment
      name: web-frontend
```
"#,
};

pub static PATCH_ELEMENT_IGNORED: Code = Code {
    code: "MW119",
    name: "patch-element-ignored",
    severity: Severity::Warning,
    help: "write the same key fields (`port` and `protocol`, `containerPort` and `protocol`) in the patch's element as in the object's",
    docs: r#"## What it does
Reports an element of a strategic-merge patch that kustomize merges nothing from: in a
list identified by several key fields (Service ports by `port` and `protocol`, container
ports by `containerPort` and `protocol`), the patch's element sets only some of them and
another element agrees with it on those and sets more. kustomize (and so `kubectl
kustomize`, Flux and Argo CD) then keeps the object's element as it was, without a word.

## Why is this bad?
The patch looks like it changes the port (a `targetPort`, a `name`, a `nodePort`) but
the cluster gets the unpatched one.

## Example
```yaml
# the object's port says `protocol: TCP`; the patch's does not
spec:
  ports:
    - port: 80
      targetPort: 8080   # never applied
```

## Use instead
```yaml
spec:
  ports:
    - port: 80
      protocol: TCP
      targetPort: 8080
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
    catalog()
        .into_iter()
        .find(|c| c.code.eq_ignore_ascii_case(code))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::analyze;

    #[test]
    fn the_catalog_lists_each_code_once_in_code_order() {
        let catalog = catalog();
        let codes: Vec<&str> = catalog.iter().map(|c| c.code).collect();
        assert!(
            codes.windows(2).all(|pair| pair[0] < pair[1]),
            "not strictly in code order: {codes:?}"
        );
        let names: BTreeSet<&str> = catalog.iter().map(|c| c.name).collect();
        assert_eq!(names.len(), catalog.len(), "a name is used twice");
        assert_eq!(
            catalog.len(),
            INPUT_AND_SCHEMA.len() + analyze::codes().count()
        );
    }

    #[test]
    fn the_catalog_holds_every_analyzer_code_and_lookup_finds_it() {
        let analyzers: Vec<&Code> = analyze::codes().collect();
        assert!(
            analyzers
                .iter()
                .any(|c| std::ptr::eq(*c, &analyze::dangling_after_kustomize::CODE)),
            "dangling_after_kustomize's code is gathered"
        );
        let catalog = catalog();
        for code in analyzers
            .into_iter()
            .chain(INPUT_AND_SCHEMA.iter().copied())
        {
            assert!(
                catalog.iter().any(|c| std::ptr::eq(*c, code)),
                "{} missing from the catalog",
                code.code
            );
            assert!(lookup(&code.code.to_lowercase()).is_some_and(|c| std::ptr::eq(c, code)));
        }
    }
}
