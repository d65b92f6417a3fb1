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

/// Every code, in code order.
pub static CATALOG: &[&Code] = &[
    &INVALID_YAML,
    &NOT_A_MANIFEST,
    &HELM_TEMPLATE,
    &KUSTOMIZE_BUILD_FAILED,
    &INVALID_INTENT,
    &MISSING_TYPE_META,
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
