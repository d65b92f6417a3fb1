//! MW401: a mesh reference kustomize left pointing at an object's old identity.
//!
//! kustomize rewrites the references it knows (a Deployment's ConfigMap, a RoleBinding's
//! subjects) when `namespace`, `namePrefix` or `nameSuffix` move an object, but not an
//! AuthorizationPolicy principal, `source.namespaces`, a `credentialName`, a cert-manager
//! `issuerRef` or a VirtualService's gateways. When such a reference names an object the
//! root no longer renders under that identity, but did before a transformer moved it, the
//! reference is dangling — and the overlay that moved the object is the cause.

use crate::findings::{Code, Finding, Severity};
use crate::kustomize::Moved;
use crate::kustomize::field_specs::is_cluster_scoped;
use crate::kustomize::name_refs::Identity;
use crate::manifest::Node;
use crate::manifest::references::{Target, references};

/// `dangling-after-kustomize`
pub static CODE: Code = Code {
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

/// Findings for the references in one rendered root's `objects`.
pub fn check(objects: &[Node], moved: &[Moved]) -> Vec<Finding> {
    if moved.is_empty() {
        return Vec::new();
    }
    let present: Vec<Identity> = objects.iter().map(Identity::of).map(normalized).collect();
    let mut findings = Vec::new();
    for object in objects {
        for reference in references(object) {
            let (kind, namespace, name) = reference.target.identity();
            let wanted = normalized(Identity {
                kind: kind.to_string(),
                namespace: namespace.to_string(),
                name: name.to_string(),
            });
            if present.contains(&wanted) || provided_otherwise(&reference.target, objects) {
                continue;
            }
            let Some(moved) = moved_from(&reference.target, &wanted, moved) else {
                continue;
            };
            let now = match &reference.target {
                Target::Namespace { .. } => {
                    format!(
                        "whose objects kustomize moved to namespace {}",
                        moved.current.namespace
                    )
                }
                _ => format!(
                    "which kustomize renders as {}",
                    describe(&normalized(moved.current.clone()))
                ),
            };
            findings.push(
                Finding::new(
                    &CODE,
                    format!(
                        "this names {kind} {}, {now} in this root; the reference was not rewritten",
                        describe(&wanted)
                    ),
                    Some(reference.node.origin.clone()),
                )
                .on(object),
            );
        }
    }
    findings
}

/// The moved object a reference to `wanted` meant: one of that kind and original name in
/// the named namespace before or after the move (a reference relative to its own object's
/// namespace moves along with it), or, for a namespace, one that lived in it.
fn moved_from<'a>(target: &Target, wanted: &Identity, moved: &'a [Moved]) -> Option<&'a Moved> {
    moved.iter().find(|m| match target {
        Target::Namespace { name } => &m.original.namespace == name,
        _ => {
            let (original, current) = (
                normalized(m.original.clone()),
                normalized(m.current.clone()),
            );
            original.kind == wanted.kind
                && original.name == wanted.name
                && (original.namespace == wanted.namespace || current.namespace == wanted.namespace)
        }
    })
}

/// The empty namespace of a namespaced object means `default`; cluster-scoped ones have none.
fn normalized(mut identity: Identity) -> Identity {
    if is_cluster_scoped(&identity.kind) {
        identity.namespace.clear();
    } else if identity.namespace.is_empty() {
        identity.namespace = "default".to_string();
    }
    identity
}

fn describe(identity: &Identity) -> String {
    if identity.namespace.is_empty() {
        identity.name.clone()
    } else {
        format!("{}/{}", identity.namespace, identity.name)
    }
}

/// Targets that exist without an object of their own kind: a namespace any object lives in,
/// a Secret a cert-manager Certificate writes.
fn provided_otherwise(target: &Target, objects: &[Node]) -> bool {
    match target {
        Target::Namespace { name } => objects
            .iter()
            .any(|o| o.str_at(&["metadata", "namespace"]) == Some(name)),
        Target::Secret { namespace, name } => objects.iter().any(|o| {
            o.str_at(&["kind"]) == Some("Certificate")
                && o.str_at(&["spec", "secretName"]) == Some(name)
                && o.str_at(&["metadata", "namespace"]).unwrap_or("default") == namespace
        }),
        _ => false,
    }
}
