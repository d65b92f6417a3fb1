//! The references Istio and cert-manager objects make to other objects by name, which
//! kustomize's name-reference fix-ups do not know about: AuthorizationPolicy principals
//! (`<trust-domain>/ns/<ns>/sa/<sa>`) and namespaces, Gateway and DestinationRule
//! `credentialName`, cert-manager `issuerRef` and CA `secretName`, VirtualService gateways.
//!
//! Each reference says what it points at and where it is written, so an analyzer can report
//! one that points at nothing, and one that kustomize's `namespace`, `namePrefix` or
//! `nameSuffix` left pointing at an object's old identity.

use crate::manifest::Node;

/// What a reference points at.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Target {
    /// A ServiceAccount, through a SPIFFE principal.
    ServiceAccount { namespace: String, name: String },
    /// A namespace, through `source.namespaces`.
    Namespace { name: String },
    /// A Secret holding certificates.
    Secret { namespace: String, name: String },
    /// A cert-manager Issuer (namespaced) or ClusterIssuer (`namespace` empty).
    Issuer {
        kind: String,
        namespace: String,
        name: String,
    },
    /// An Istio Gateway, from a VirtualService.
    Gateway { namespace: String, name: String },
}

impl Target {
    /// The kind, namespace and name of the object this target names.
    pub fn identity(&self) -> (&str, &str, &str) {
        match self {
            Target::ServiceAccount { namespace, name } => ("ServiceAccount", namespace, name),
            Target::Namespace { name } => ("Namespace", "", name),
            Target::Secret { namespace, name } => ("Secret", namespace, name),
            Target::Issuer {
                kind,
                namespace,
                name,
            } => (kind, namespace, name),
            Target::Gateway { namespace, name } => ("Gateway", namespace, name),
        }
    }
}

/// A reference and the node it is written in.
#[derive(Debug, Clone)]
pub struct Reference<'a> {
    pub target: Target,
    pub node: &'a Node,
}

/// Every mesh reference `object` makes.
pub fn references(object: &Node) -> Vec<Reference<'_>> {
    let namespace = object
        .str_at(&["metadata", "namespace"])
        .unwrap_or("default");
    let mut found = Vec::new();
    match object.str_at(&["kind"]).unwrap_or_default() {
        "AuthorizationPolicy" => authorization_policy(object, &mut found),
        "Gateway" if is_istio(object) => {
            for server in seq(object.at(&["spec", "servers"])) {
                secret(server.at(&["tls", "credentialName"]), namespace, &mut found);
            }
        }
        "DestinationRule" => {
            let spec = object.get("spec");
            let policies = std::iter::once(spec.and_then(|s| s.get("trafficPolicy")))
                .chain(seq(spec.and_then(|s| s.get("subsets"))).map(|s| s.get("trafficPolicy")))
                .flatten();
            for policy in policies {
                let port_levels = seq(policy.get("portLevelSettings")).map(|p| p.get("tls"));
                for tls in std::iter::once(policy.get("tls"))
                    .chain(port_levels)
                    .flatten()
                {
                    secret(tls.get("credentialName"), namespace, &mut found);
                }
            }
        }
        "Certificate" | "CertificateRequest" => issuer_ref(object, namespace, &mut found),
        "Issuer" => secret(
            object.at(&["spec", "ca", "secretName"]),
            namespace,
            &mut found,
        ),
        "VirtualService" => {
            for gateway in seq(object.at(&["spec", "gateways"])) {
                gateway_ref(gateway, namespace, &mut found);
            }
        }
        _ => {}
    }
    found
}

fn is_istio(object: &Node) -> bool {
    object
        .str_at(&["apiVersion"])
        .is_some_and(|v| v.starts_with("networking.istio.io/"))
}

fn seq(node: Option<&Node>) -> impl Iterator<Item = &Node> {
    node.and_then(Node::as_seq).unwrap_or_default().iter()
}

fn authorization_policy<'a>(object: &'a Node, found: &mut Vec<Reference<'a>>) {
    for rule in seq(object.at(&["spec", "rules"])) {
        for from in seq(rule.get("from")) {
            let Some(source) = from.get("source") else {
                continue;
            };
            for key in ["principals", "notPrincipals"] {
                for principal in seq(source.get(key)) {
                    if let Some(target) = principal.as_str().and_then(parse_principal) {
                        found.push(Reference {
                            target,
                            node: principal,
                        });
                    }
                }
            }
            for key in ["namespaces", "notNamespaces"] {
                for namespace in seq(source.get(key)) {
                    match namespace.as_str() {
                        Some(name) if !name.contains('*') => found.push(Reference {
                            target: Target::Namespace {
                                name: name.to_string(),
                            },
                            node: namespace,
                        }),
                        _ => {}
                    }
                }
            }
        }
    }
}

/// `<trust-domain>/ns/<namespace>/sa/<account>` without wildcards, as a ServiceAccount.
pub fn parse_principal(principal: &str) -> Option<Target> {
    if principal.contains('*') {
        return None;
    }
    let parts: Vec<&str> = principal.split('/').collect();
    match parts.as_slice() {
        [_, "ns", namespace, "sa", name] if !namespace.is_empty() && !name.is_empty() => {
            Some(Target::ServiceAccount {
                namespace: (*namespace).to_string(),
                name: (*name).to_string(),
            })
        }
        _ => None,
    }
}

fn secret<'a>(node: Option<&'a Node>, namespace: &str, found: &mut Vec<Reference<'a>>) {
    if let Some(node) = node
        && let Some(name) = node.as_str().filter(|n| !n.is_empty())
    {
        found.push(Reference {
            target: Target::Secret {
                namespace: namespace.to_string(),
                name: name.to_string(),
            },
            node,
        });
    }
}

fn issuer_ref<'a>(object: &'a Node, namespace: &str, found: &mut Vec<Reference<'a>>) {
    let Some(reference) = object.at(&["spec", "issuerRef"]) else {
        return;
    };
    let group = reference.str_at(&["group"]).unwrap_or("cert-manager.io");
    let Some(name_node) = reference.get("name").filter(|_| group == "cert-manager.io") else {
        return; // external issuers are other controllers' business
    };
    let Some(name) = name_node.as_str() else {
        return;
    };
    let kind = reference.str_at(&["kind"]).unwrap_or("Issuer");
    let namespace = if kind == "ClusterIssuer" {
        ""
    } else {
        namespace
    };
    found.push(Reference {
        target: Target::Issuer {
            kind: kind.to_string(),
            namespace: namespace.to_string(),
            name: name.to_string(),
        },
        node: name_node,
    });
}

fn gateway_ref<'a>(node: &'a Node, namespace: &str, found: &mut Vec<Reference<'a>>) {
    let Some(text) = node.as_str().filter(|g| *g != "mesh") else {
        return;
    };
    let (namespace, name) = text.split_once('/').unwrap_or((namespace, text));
    found.push(Reference {
        target: Target::Gateway {
            namespace: namespace.to_string(),
            name: name.to_string(),
        },
        node,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::parse_documents;

    fn targets(yaml: &str) -> Vec<(Target, u32)> {
        let documents = parse_documents(std::path::Path::new("t.yaml"), yaml.as_bytes()).unwrap();
        references(&documents[0])
            .into_iter()
            .map(|r| (r.target, r.node.origin.line))
            .collect()
    }

    fn account(namespace: &str, name: &str) -> Target {
        Target::ServiceAccount {
            namespace: namespace.into(),
            name: name.into(),
        }
    }

    #[test]
    fn authorization_policies_reference_accounts_and_namespaces() {
        let found = targets(
            "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata:\n  name: a\n  namespace: shop\nspec:\n  rules:\n    - from:\n        - source:\n            principals: [\"cluster.local/ns/web/sa/frontend\", \"*\", \"cluster.local/ns/x/sa/*\"]\n            notNamespaces: [legacy]\n",
        );
        assert_eq!(
            found,
            [
                (account("web", "frontend"), 10),
                (
                    Target::Namespace {
                        name: "legacy".into()
                    },
                    11
                )
            ]
        );
    }

    #[test]
    fn certificates_gateways_and_virtual_services_reference_by_name() {
        let certificate = targets(
            "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata:\n  name: c\n  namespace: istio-system\nspec:\n  secretName: cacerts\n  issuerRef:\n    name: root\n    kind: ClusterIssuer\n",
        );
        assert_eq!(
            certificate,
            [(
                Target::Issuer {
                    kind: "ClusterIssuer".into(),
                    namespace: String::new(),
                    name: "root".into()
                },
                9
            )]
        );
        let gateway = targets(
            "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata:\n  name: g\n  namespace: ingress\nspec:\n  servers:\n    - port: {number: 443, name: https, protocol: HTTPS}\n      tls:\n        mode: SIMPLE\n        credentialName: web-tls\n",
        );
        assert_eq!(
            gateway,
            [(
                Target::Secret {
                    namespace: "ingress".into(),
                    name: "web-tls".into()
                },
                11
            )]
        );
        let virtual_service = targets(
            "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: v\n  namespace: shop\nspec:\n  gateways: [mesh, public, ingress/edge]\n",
        );
        let gateways: Vec<(&str, &str)> = virtual_service
            .iter()
            .map(|(t, _)| {
                let (_, ns, name) = t.identity();
                (ns, name)
            })
            .collect();
        assert_eq!(gateways, [("shop", "public"), ("ingress", "edge")]);
    }

    #[test]
    fn principals_parse_only_without_wildcards() {
        assert_eq!(parse_principal("td/ns/a/sa/b"), Some(account("a", "b")));
        assert_eq!(parse_principal("td/ns/a/sa/*"), None);
        assert_eq!(parse_principal("spiffe://td/ns/a/sa/b"), None);
        assert_eq!(parse_principal("td/ns//sa/b"), None);
    }
}
