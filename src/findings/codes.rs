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
    &PATCH_MATCHES_NOTHING,
    &PATCH_ELEMENT_IGNORED,
    &MISSING_TYPE_META,
    &crate::schema::cel::VALIDATION_RULE,
    &crate::schema::cel::RULE_NOT_EVALUATED,
    &NO_MESH_WIDE_STRICT,
    &PERMISSIVE_OR_DISABLED_MTLS,
    &CONFLICTING_PEER_AUTHENTICATION,
    &TLS_MODE_BREAKS_CONNECTION,
    &IDENTITY_RULE_WITHOUT_MTLS,
    &UNKNOWN_PRINCIPAL,
    &TRUST_DOMAIN_MISMATCH,
    &SELECTOR_MATCHES_NOTHING,
    &WORKLOAD_WITHOUT_ALLOW_POLICY,
    &WILDCARD_PRINCIPAL,
    &INVALID_HTTP_METHOD,
    &CROSS_TENANT_ACCESS,
    &DANGLING_AFTER_KUSTOMIZE,
    &VIRTUAL_SERVICE_UNKNOWN_TARGET,
    &DESTINATION_RULE_UNKNOWN_HOST,
    &MISSING_TLS_CREDENTIAL,
    &UNCLASSIFIED_SERVICE_PORT,
    &TLS_WITHOUT_CA,
    &SERVICE_ENTRY_NEEDS_ADDRESSES,
    &UNKNOWN_ISSUER,
    &INTERMEDIATE_CA_NOT_CA,
    &INTERMEDIATE_OUTLIVES_ROOT,
    &INCONSISTENT_ROOT,
    &CACERTS_LAYOUT,
    &EGRESS_HOST_WITHOUT_SERVICE_ENTRY,
    &crate::analyze::selectors::ineffective_gateway_selector::CODE,
    &crate::analyze::selectors::conflicting_workload_selectors::CODE,
    &crate::analyze::selectors::multiple_namespace_defaults::CODE,
    &crate::analyze::selectors::subset_selects_no_pods::CODE,
    &JOB_WITHOUT_SIDECAR_EXIT,
    &JOB_OUTLIVES_WORKLOAD_CERTIFICATE,
    &crate::analyze::sidecar::application_uid::CODE,
    &crate::analyze::sidecar::multiple_injection_labels::CODE,
    &crate::analyze::sidecar::misplaced_pod_annotation::CODE,
    &crate::analyze::sidecar::namespace_not_injected::CODE,
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

pub static VIRTUAL_SERVICE_UNKNOWN_TARGET: Code = Code {
    code: "MW402",
    name: "virtual-service-unknown-target",
    severity: Severity::Error,
    help: "name an existing Gateway, Service or ServiceEntry host, or DestinationRule subset (short hosts resolve in the VirtualService's namespace)",
    docs: r#"## What it does
Checks a VirtualService's references: every `gateways` entry other than `mesh` must name an
Istio Gateway (`<namespace>/<name>`, or a name in the VirtualService's namespace); every
route and mirror `destination.host` must be a Service or ServiceEntry host (a short name
such as `reviews` means `reviews.<namespace>.svc.cluster.local`); every
`destination.subset` must be defined by a DestinationRule for that host. References into
namespaces the repository writes nothing to are not judged.

`istioctl analyze` reports this as IST0101 (ReferencedResourceNotFound).

## Why is this bad?
Istio accepts the VirtualService and serves nothing: routes bound to a missing Gateway are
never attached to any listener, and requests routed to an unknown host or subset fail
with 503 (no such cluster).

## Example
```yaml
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: shop
spec:
  hosts: [reviews]
  http:
    - route:
        - destination:
            host: reviewz
            subset: v2
```

## Use instead
```yaml
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: shop
spec:
  hosts: [reviews]
  http:
    - route:
        - destination:
            host: reviews
            subset: v2   # defined by a DestinationRule for reviews
```
"#,
};

pub static DESTINATION_RULE_UNKNOWN_HOST: Code = Code {
    code: "MW403",
    name: "destination-rule-unknown-host",
    severity: Severity::Warning,
    help: "fix the host (short names resolve in the DestinationRule's namespace) or add the Service or ServiceEntry",
    docs: r#"## What it does
Finds a DestinationRule whose `host` is neither a Kubernetes Service nor a ServiceEntry host
of the cluster. Wildcard hosts, and hosts in namespaces the repository writes nothing to,
are not judged (their Services may be installed by other means), hence a warning.

`istioctl analyze` reports this as IST0174 (UnknownDestinationRuleHost).

## Why is this bad?
Istio applies a DestinationRule only to hosts in its service registry. For an unknown host
(a typo, or a short name resolved in the rule's own namespace instead of the Service's) the
TLS mode, load balancing, connection pool and outlier detection it declares apply to
nothing, silently.

## Example
```yaml
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: ratings
  namespace: istio-system
spec:
  host: ratings          # means ratings.istio-system.svc.cluster.local
  trafficPolicy:
    tls:
      mode: ISTIO_MUTUAL
```

## Use instead
```yaml
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: ratings
  namespace: istio-system
spec:
  host: ratings.shop.svc.cluster.local
  trafficPolicy:
    tls:
      mode: ISTIO_MUTUAL
```
"#,
};

pub static MISSING_TLS_CREDENTIAL: Code = Code {
    code: "MW404",
    name: "missing-tls-credential",
    severity: Severity::Error,
    help: "create the Secret (or a cert-manager Certificate with that secretName) in the gateway workload's namespace, or fix credentialName",
    docs: r#"## What it does
For every Gateway server terminating TLS (`tls.mode` SIMPLE, MUTUAL or OPTIONAL_MUTUAL),
checks that the cluster has the Secret its `credentialName` names: a Secret, a cert-manager
Certificate with that `secretName`, an ExternalSecret or a SealedSecret producing it, in
the namespace where the gateway workload runs. That is the namespace of the pods the
Gateway's `selector` selects when the repository holds them (any namespace, as Istio
matches); otherwise the Gateway's own namespace, `istio-system` or `istio-ingress`, where
Istio's installation guides run gateways. (Istio's own analyzer, IST0101, reports the same
missing credential.)

## Why is this bad?
The gateway reads its certificate from that Secret in its own namespace. Without it the
server has no certificate: Istio does not serve the listener and clients' TLS handshakes on
that port fail.

## Example
```yaml
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: public
  namespace: istio-ingress
spec:
  selector:
    istio: ingressgateway
  servers:
    - port: {number: 443, name: https, protocol: HTTPS}
      hosts: ["shop.example.com"]
      tls:
        mode: SIMPLE
        credentialName: shop-tls   # no such Secret in istio-ingress
```

## Use instead
```yaml
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: shop-tls
  namespace: istio-ingress
spec:
  secretName: shop-tls
  dnsNames: [shop.example.com]
  issuerRef:
    name: letsencrypt
    kind: ClusterIssuer
```
"#,
};

pub static UNCLASSIFIED_SERVICE_PORT: Code = Code {
    code: "MW405",
    name: "unclassified-service-port",
    severity: Severity::Warning,
    help: "set appProtocol, or name the port <protocol>[-<suffix>] (http, http2, https, grpc, grpc-web, mongo, redis, mysql, tcp, tls, udp)",
    docs: r#"## What it does
Finds TCP ports of Services that select a sidecar-injected workload and whose protocol
Istio cannot tell: no `appProtocol`, and a name that is not a known protocol (`http`,
`http2`, `https`, `grpc`, `grpc-web`, `mongo`, `redis`, `mysql`, `tcp`, `tls`, `udp`)
alone or followed by `-<suffix>`.

`istioctl analyze` reports this as IST0118 (PortNameIsNotUnderNamingConvention).

## Why is this bad?
Istio falls back to protocol sniffing for such ports. Server-first protocols (databases,
SMTP) stall until the sniffing timeout, and a connection classified as plain TCP never
matches HTTP-level AuthorizationPolicy fields (methods, paths, headers): ALLOW rules using
them deny the request, DENY rules using them let it through.

## Example
```yaml
apiVersion: v1
kind: Service
metadata:
  name: reviews
spec:
  selector:
    app: reviews
  ports:
    - name: web
      port: 9080
```

## Use instead
```yaml
apiVersion: v1
kind: Service
metadata:
  name: reviews
spec:
  selector:
    app: reviews
  ports:
    - name: http-web
      port: 9080
```
"#,
};

pub static TLS_WITHOUT_CA: Code = Code {
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

pub static SERVICE_ENTRY_NEEDS_ADDRESSES: Code = Code {
    code: "MW407",
    name: "service-entry-needs-addresses",
    severity: Severity::Error,
    help: "add addresses (NONE), endpoints (STATIC, or DNS with wildcard hosts), or change the resolution",
    docs: r#"## What it does
Checks a ServiceEntry's `resolution` against what it declares, as Istio's validation does:
`NONE` without `addresses` for a port serving TCP or an unknown protocol (anything but
HTTP, HTTP2, gRPC, HTTPS and TLS, which are matched by Host header or SNI); `STATIC`
without `endpoints` or a `workloadSelector`; `DNS` or `DNS_ROUND_ROBIN` with a wildcard host
and no `endpoints`.

`istioctl analyze` reports this as IST0134 (ServiceEntryAddressesRequired).

## Why is this bad?
Without an address, TCP traffic to the port cannot be told apart from other traffic to the
same port; STATIC without endpoints has nothing to send to; a wildcard cannot be resolved
by DNS (Istio rejects it: "hosts must be FQDN if no endpoints are provided").

## Example
```yaml
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: legacy-db
spec:
  hosts: [db.legacy.example]
  ports:
    - {number: 5432, name: tcp-postgres, protocol: TCP}
  resolution: NONE
```

## Use instead
```yaml
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: legacy-db
spec:
  hosts: [db.legacy.example]
  ports:
    - {number: 5432, name: tcp-postgres, protocol: TCP}
  resolution: DNS
```
"#,
};

pub static EGRESS_HOST_WITHOUT_SERVICE_ENTRY: Code = Code {
    code: "MW601",
    name: "egress-host-without-service-entry",
    severity: Severity::Error,
    help: "declare the host in a ServiceEntry (location MESH_EXTERNAL, resolution DNS)",
    docs: r#"## What it does
When istiod's configuration sets `meshConfig.outboundTrafficPolicy.mode: REGISTRY_ONLY`
(Helm values, an IstioOperator or the `istio` ConfigMap), finds hosts outside the cluster's
domain that the repository shows being called — VirtualService route and mirror
destinations, DestinationRule hosts, and `http(s)://host` values of environment variables
named `*_URL` or `*_HOST` in pod templates of sidecar-injected workloads — that no
ServiceEntry declares.

## Why is this bad?
With `REGISTRY_ONLY`, sidecars forward only to hosts in the service registry: calls to any
other host go to the BlackHole cluster and fail with 502 or a reset connection, only at
runtime.

## Example
```yaml
# clusters/central/istio/values.yaml: meshConfig.outboundTrafficPolicy.mode: REGISTRY_ONLY
env:
  - name: PAYMENTS_URL
    value: https://api.stripe.com/v1
```

## Use instead
```yaml
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: stripe
spec:
  hosts: [api.stripe.com]
  location: MESH_EXTERNAL
  ports:
    - {number: 443, name: tls, protocol: TLS}
  resolution: DNS
```
"#,
};

pub static UNKNOWN_ISSUER: Code = Code {
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

pub static INTERMEDIATE_CA_NOT_CA: Code = Code {
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

pub static INTERMEDIATE_OUTLIVES_ROOT: Code = Code {
    code: "MW503",
    name: "intermediate-outlives-root",
    severity: Severity::Warning,
    help: "Give the intermediate a `duration` shorter than its signing CA's (and renew the root well before the intermediate).",
    docs: r#"## What it does
Follows an intermediate CA Certificate's `issuerRef` to its `ca:` issuer, that issuer's
Secret and the Certificate writing it (in another cluster of the repository when the root
Secret is copied), and warns when the intermediate's `duration` is longer than the signing
CA's. cert-manager's default duration is 90 days (2160h).

## Why is this bad?
cert-manager's CA issuer never signs past its own certificate's expiry: the intermediate is
cut to the root's `notAfter`. It then expires together with the root instead of on the
schedule its `duration` and `renewBefore` describe, and istiod's workload certificates with it.

## Example
```yaml
# root: duration 8760h
kind: Certificate
metadata:
  name: edge-intermediate-ca
  namespace: istio-system
spec:
  isCA: true
  secretName: cacerts
  duration: 17520h
  issuerRef: {kind: ClusterIssuer, name: mesh-root-ca}
```

## Use instead
```yaml
kind: Certificate
metadata:
  name: edge-intermediate-ca
  namespace: istio-system
spec:
  isCA: true
  secretName: cacerts
  duration: 4380h
  issuerRef: {kind: ClusterIssuer, name: mesh-root-ca}
```
"#,
};

pub static INCONSISTENT_ROOT: Code = Code {
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
whose istiod values name different meshes (`global.meshID`) are not compared.

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

pub static CACERTS_LAYOUT: Code = Code {
    code: "MW505",
    name: "cacerts-layout",
    severity: Severity::Error,
    help: "Write cacerts in istio-system, with ca-cert.pem, ca-key.pem, root-cert.pem and cert-chain.pem (or tls.crt, tls.key and ca.crt).",
    docs: r#"## What it does
Checks istiod's plug-in CA Secret `cacerts`: a cert-manager Certificate writing `cacerts`
must be in `istio-system` (cert-manager writes `tls.crt`, `tls.key` and `ca.crt`, which
istiod reads), and a hand-written `istio-system/cacerts` Secret must hold Istio's layout —
`ca-cert.pem`, `ca-key.pem`, `root-cert.pem`, `cert-chain.pem` — or cert-manager's. A
`cacerts` Certificate without `isCA: true` is MW502.

## Why is this bad?
istiod reads only `istio-system/cacerts` with a complete layout; otherwise it fails to load
the plug-in CA or signs workload certificates with its own self-signed CA, which other
clusters do not trust.

## Example
```yaml
apiVersion: v1
kind: Secret
metadata:
  name: cacerts
  namespace: istio-system
data:
  ca-cert.pem: LS0t...
  ca-key.pem: LS0t...
```

## Use instead
```yaml
apiVersion: v1
kind: Secret
metadata:
  name: cacerts
  namespace: istio-system
data:
  ca-cert.pem: LS0t...
  ca-key.pem: LS0t...
  root-cert.pem: LS0t...
  cert-chain.pem: LS0t...
```
"#,
};

pub static JOB_WITHOUT_SIDECAR_EXIT: Code = Code {
    code: "MW701",
    name: "job-without-sidecar-exit",
    severity: Severity::Error,
    help: "Annotate the pod template with sidecar.istio.io/nativeSidecar: \"true\" (or hold the app until the proxy starts and call /quitquitquit when done).",
    docs: r#"## What it does
Finds Jobs and CronJobs whose pods get an Istio sidecar that is not a native sidecar
(`sidecar.istio.io/nativeSidecar: "true"` on the pod template, or `ENABLE_NATIVE_SIDECARS`
in istiod's environment) and that either do not hold the job's container until the proxy
starts (`holdApplicationUntilProxyStarts` in the pod's `proxy.istio.io/config` or in
`meshConfig.defaultConfig`), or have no way to stop the proxy when the job ends (a container
command calling the proxy's `/quitquitquit`).

## Why is this bad?
The job's container may start before its proxy is ready and fail its first connections,
and after it exits the proxy keeps running: the pod never completes, the Job never
finishes, and a CronJob with `concurrencyPolicy: Forbid` never runs again.

## Example
```yaml
apiVersion: batch/v1
kind: Job
metadata:
  name: backfill
  namespace: analytics      # istio-injection: enabled
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: backfill
          image: registry.example.com/etl:1.0
```

## Use instead
```yaml
apiVersion: batch/v1
kind: Job
metadata:
  name: backfill
  namespace: analytics
spec:
  template:
    metadata:
      annotations:
        proxy.istio.io/config: '{"holdApplicationUntilProxyStarts": true}'
        sidecar.istio.io/nativeSidecar: "true"
    spec:
      restartPolicy: Never
      containers:
        - name: backfill
          image: registry.example.com/etl:1.0
```
"#,
};

pub static JOB_OUTLIVES_WORKLOAD_CERTIFICATE: Code = Code {
    code: "MW702",
    name: "job-outlives-workload-certificate",
    severity: Severity::Warning,
    help: "Keep activeDeadlineSeconds within the workload certificate TTL, or raise the TTL (SECRET_TTL / DEFAULT_WORKLOAD_CERT_TTL) for such jobs.",
    docs: r#"## What it does
Finds Jobs and CronJobs with an Istio sidecar whose `activeDeadlineSeconds` lets them run
longer than the workload certificate lives: the pod's `proxyMetadata.SECRET_TTL`, else
`meshConfig.defaultConfig.proxyMetadata.SECRET_TTL` or istiod's `DEFAULT_WORKLOAD_CERT_TTL`,
else Istio's 24h. Jobs without a deadline are not reported.

## Why is this bad?
istio-agent renews the certificate from istiod at about half its lifetime. A job running
past the TTL depends on that renewal during its run: if istiod is unreachable then (a
remote cluster cut off from its primary, an istiod outage), the job's mTLS connections
start failing when the certificate expires, hours into the run.

## Example
```yaml
kind: Job
metadata:
  name: backfill
spec:
  activeDeadlineSeconds: 172800   # 48h; workload certificates live 24h
```

## Use instead
```yaml
kind: Job
metadata:
  name: backfill
spec:
  activeDeadlineSeconds: 72000    # 20h
```
"#,
};

pub static UNKNOWN_PRINCIPAL: Code = Code {
    code: "MW301",
    name: "unknown-principal",
    severity: Severity::Error,
    help: "name a ServiceAccount (or namespace) the repository declares, or add it",
    docs: r#"## What it does
Checks every AuthorizationPolicy principal `<trust-domain>/ns/<namespace>/sa/<account>`
and every `source.namespaces` value against the identities the repository declares, in any
of its clusters (identities are mesh-wide): ServiceAccount objects, the accounts workloads
run as, and the implicit `default` account of every declared namespace. It is an error where
the repository holds the namespace's workloads or the name is a near miss of a declared
namespace, and a warning otherwise (the identity may be installed from elsewhere, e.g. a
gateway chart's ServiceAccount). Negations (`notPrincipals`, `notNamespaces`) are not checked.

## Why is this bad?
No pod carries the identity, so the rule never matches: the caller the policy meant to
allow is denied (usually a typo, or an account renamed on one side only).

## Example
```yaml
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: orders
  namespace: shop
spec:
  rules:
    - from:
        - source:
            principals: ["cluster.local/ns/shop/sa/frontnd"]
```

## Use instead
```yaml
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: orders
  namespace: shop
spec:
  rules:
    - from:
        - source:
            principals: ["cluster.local/ns/shop/sa/frontend"]
```
"#,
};

pub static TRUST_DOMAIN_MISMATCH: Code = Code {
    code: "MW302",
    name: "trust-domain-mismatch",
    severity: Severity::Error,
    help: "use the cluster's trust domain (or cluster.local), or add the domain to meshConfig.trustDomainAliases",
    docs: r#"## What it does
Checks that the trust domain of every principal is the cluster's trust domain
(`meshConfig.trustDomain`), one of its `trustDomainAliases`, or `cluster.local`, which Istio
points at the current trust domain.

## Why is this bad?
Callers present SPIFFE identities of the cluster's trust domain only; a principal of any
other domain never matches, so the callers it names are denied.

## Example
```yaml
# istiod: meshConfig.trustDomain: prod.example.com
spec:
  rules:
    - from:
        - source:
            principals: ["staging.example.com/ns/shop/sa/frontend"]
```

## Use instead
```yaml
spec:
  rules:
    - from:
        - source:
            principals: ["prod.example.com/ns/shop/sa/frontend"]
```
"#,
};

pub static SELECTOR_MATCHES_NOTHING: Code = Code {
    code: "MW303",
    name: "selector-matches-nothing",
    severity: Severity::Warning,
    help: "fix the labels so they match the workload's pod template labels",
    docs: r#"## What it does
Checks that the workload selector of an AuthorizationPolicy, PeerAuthentication,
RequestAuthentication, Telemetry, WasmPlugin (`selector.matchLabels`) or Sidecar
(`workloadSelector.labels`) matches the pod template labels of some workload in its
namespace (any namespace, for the root namespace `istio-system`). Namespaces whose workloads
the repository does not hold are skipped.

`istioctl analyze` reports this as IST0127 (NoMatchingWorkloadsFound) for an
AuthorizationPolicy and as IST0101 (ReferencedResourceNotFound) for a Sidecar or Telemetry.

## Why is this bad?
A policy that selects nothing does nothing: the workload it was written for keeps the
namespace or mesh default (no authorization, another mTLS mode, no JWT check).

## Example
```yaml
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: orders
  namespace: shop
spec:
  selector:
    matchLabels:
      app: order        # the Deployment's pods are labelled app: orders
```

## Use instead
```yaml
spec:
  selector:
    matchLabels:
      app: orders
```
"#,
};

pub static WORKLOAD_WITHOUT_ALLOW_POLICY: Code = Code {
    code: "MW304",
    name: "workload-without-allow-policy",
    severity: Severity::Warning,
    help: "add a deny-all `spec: {}` policy to the namespace and ALLOW policies naming the callers",
    docs: r#"## What it does
Finds workloads with an Istio sidecar and a port served under STRICT mTLS to which no ALLOW
AuthorizationPolicy applies (neither of their namespace nor of the root namespace).

## Why is this bad?
Strict mTLS proves who calls, but without an ALLOW policy Istio lets every caller in: any
workload of the mesh, of any tenant, may call it. There is no default deny.

## Example
```yaml
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: shop
spec:
  mtls:
    mode: STRICT
# ... and a Deployment in shop, with no AuthorizationPolicy
```

## Use instead
```yaml
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: allow-nothing
  namespace: shop
spec: {}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: orders
  namespace: shop
spec:
  selector:
    matchLabels:
      app: orders
  rules:
    - from:
        - source:
            principals: ["cluster.local/ns/shop/sa/frontend"]
```
"#,
};

pub static WILDCARD_PRINCIPAL: Code = Code {
    code: "MW305",
    name: "wildcard-principal",
    severity: Severity::Warning,
    help: "name the callers' principals (`<trust-domain>/ns/<ns>/sa/<account>`) instead",
    docs: r#"## What it does
Finds ALLOW rules that admit every caller with a mesh identity or every caller: a principal
`*` or a pattern that leaves the namespace open (`cluster.local/*`, `*/sa/default`), a
namespace `*`, or a rule without `from` (an empty source is MW115). Sources narrowed by
another field, rules with `when` conditions and gateway policies are not reported.

## Why is this bad?
The allow-list allows everyone: any workload of any namespace or tenant may call the
selected workloads, which defeats the deny-by-default policy.

## Example
```yaml
spec:
  selector:
    matchLabels:
      app: orders
  rules:
    - from:
        - source:
            principals: ["*"]
```

## Use instead
```yaml
spec:
  selector:
    matchLabels:
      app: orders
  rules:
    - from:
        - source:
            principals: ["cluster.local/ns/shop/sa/frontend"]
```
"#,
};

pub static INVALID_HTTP_METHOD: Code = Code {
    code: "MW306",
    name: "invalid-http-method",
    severity: Severity::Error,
    help: "write an upper-case HTTP method (GET, HEAD, POST, PUT, DELETE, CONNECT, OPTIONS, TRACE, PATCH); on TCP ports, drop `methods`",
    docs: r#"## What it does
Checks `to.operation.methods` and `notMethods` of AuthorizationPolicies: each must be an HTTP
method (GET, HEAD, POST, PUT, DELETE, CONNECT, OPTIONS, TRACE, PATCH) in upper case, or an
Istio pattern with `*`. Methods on an operation whose `ports` are all plain TCP (Service
ports named `tcp` or `tcp-*`) are reported too.

## Why is this bad?
Istio compares methods case-sensitively: `get` never matches, so an ALLOW operation allows
nothing (callers are denied) and a DENY operation denies nothing. TCP traffic has no
method: Istio ignores an ALLOW rule with methods on it, and drops the methods from a DENY
rule, which then denies every connection it otherwise matches.

## Example
```yaml
spec:
  rules:
    - to:
        - operation:
            methods: ["get"]
```

## Use instead
```yaml
spec:
  rules:
    - to:
        - operation:
            methods: ["GET"]
```
"#,
};

pub static CROSS_TENANT_ACCESS: Code = Code {
    code: "MW307",
    name: "cross-tenant-access",
    severity: Severity::Error,
    help: "narrow the value to callers of the callee's own tenant or of the shared platform",
    docs: r#"## What it does
Evaluates the cluster's effective policy and finds ALLOW policies that let a workload in a
namespace of one tenant (Namespace label `meshwright.dev/tenant`) call a workload of another
tenant; it points at the principal, namespace, empty source or rule that admits the caller.
Namespaces without a tenant label (the shared platform) may call and be called by anyone.
A policy meant to let another tenant in says so with the annotation
`meshwright.dev/allowed-tenants: <tenant>[,<tenant>...]` (`meshwright generate` writes it
for the cross-tenant callers `mesh.yaml` declares); other tenants are still reported.

## Why is this bad?
Tenants are isolated from each other: one tenant's workload (or whoever compromised it) can
read or change another tenant's data.

## Example
```yaml
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: ledger
  namespace: payments        # tenant: payments
spec:
  selector:
    matchLabels:
      app: ledger
  rules:
    - from:
        - source:
            namespaces: ["payments", "retail"]   # retail is another tenant
```

## Use instead
```yaml
spec:
  selector:
    matchLabels:
      app: ledger
  rules:
    - from:
        - source:
            namespaces: ["payments"]
```
"#,
};

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
