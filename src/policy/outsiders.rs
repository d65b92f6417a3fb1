//! Callers beyond the repository's workloads, evaluated with the same Istio semantics as
//! workloads (see `model`): who else a cluster's policies let in.
//!
//! - `identity:<principal>` — a principal an AuthorizationPolicy names (`principals` or
//!   `notPrincipals`, exact or a pattern) that no workload of the repository holds. A
//!   pattern stands for the identities outside the repository it matches.
//! - `namespace:<ns>` — any identity of a namespace a policy names (`namespaces` or
//!   `notNamespaces`) that the repository does not hold.
//! - `any-authenticated` — a peer with a certificate of the mesh's trust domain that matches
//!   nothing more specific (what `principals: ["*"]` admits).
//! - `unauthenticated` — a plaintext client: it gets through only where the server side
//!   accepts plain text on that port (PERMISSIVE or DISABLE) and no policy asks for an
//!   identity.
//!
//! Each outsider is evaluated through a representative identity: for a pattern, a principal
//! that matches it and no workload of the repository (`abc*` → `abc` + [`WITNESS`]).

use std::collections::{BTreeSet, HashSet};

use crate::policy::model::Model;

/// The name part of a representative identity outside the repository.
pub const WITNESS: &str = "meshwright-outsider";

/// A symbolic caller.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Outsider {
    /// `identity:<principal>`, `namespace:<ns>`, `any-authenticated` or `unauthenticated`.
    pub id: String,
    /// The representative principal it is evaluated with (over mTLS).
    pub principal: String,
    /// The namespace Istio derives from that principal.
    pub namespace: String,
    /// Whether it presents a mesh certificate (everything but `unauthenticated`).
    pub mtls: bool,
}

impl Outsider {
    /// A caller with a mesh certificate for `principal`.
    fn identity(id: String, principal: String) -> Outsider {
        let namespace = principal
            .split("/ns/")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .filter(|ns| !ns.is_empty())
            .unwrap_or(WITNESS)
            .to_string();
        Outsider {
            id,
            principal,
            namespace,
            mtls: true,
        }
    }

    /// The plaintext client.
    pub fn unauthenticated() -> Outsider {
        Outsider {
            id: "unauthenticated".to_string(),
            principal: String::new(),
            namespace: WITNESS.to_string(),
            mtls: false,
        }
    }

    /// Any peer of `trust_domain` that no policy names.
    pub fn any_authenticated(trust_domain: &str) -> Outsider {
        Outsider::identity(
            "any-authenticated".to_string(),
            format!("{trust_domain}/ns/{WITNESS}/sa/{WITNESS}"),
        )
    }

    /// Whether the caller is a symbolic one (ids of workloads are `<ns>/<name>`).
    pub fn is_symbolic(id: &str) -> bool {
        id == "unauthenticated"
            || id == "any-authenticated"
            || id.starts_with("identity:")
            || id.starts_with("namespace:")
            || id.starts_with("internet:")
    }
}

/// A value matching Istio pattern `pattern` (exact, `abc*`, `*abc`) that nothing of the
/// repository holds.
fn witness(pattern: &str) -> String {
    if let Some(prefix) = pattern.strip_suffix('*') {
        format!("{prefix}{WITNESS}")
    } else if let Some(suffix) = pattern.strip_prefix('*') {
        format!("{WITNESS}{suffix}")
    } else {
        pattern.to_string()
    }
}

/// What the repository holds, across its clusters: the principals of its workloads and
/// its namespaces.
#[derive(Debug, Default)]
pub struct Repository {
    pub principals: HashSet<String>,
    pub namespaces: HashSet<String>,
}

impl Repository {
    pub fn of(models: &[Model]) -> Repository {
        let mut repository = Repository::default();
        for model in models {
            for workload in model.workloads() {
                repository.principals.insert(model.principal(workload));
                repository.namespaces.insert(workload.namespace.clone());
            }
            repository
                .namespaces
                .extend(model.inventory.namespaces.keys().cloned());
        }
        repository
    }
}

/// The outsiders of `model`: the two that always exist, and those its policies name, sorted
/// by id.
pub fn of(model: &Model, repository: &Repository) -> Vec<Outsider> {
    let mut found: BTreeSet<Outsider> = BTreeSet::new();
    found.insert(Outsider::unauthenticated());
    found.insert(Outsider::any_authenticated(&model.trust_domain));
    let sources = model
        .authorization
        .iter()
        .flat_map(|p| &p.rules)
        .flat_map(|r| &r.from);
    for source in sources {
        let principals = [&source.principals.values, &source.principals.not];
        for pattern in principals.into_iter().flatten().flatten() {
            if pattern == "*" || repository.principals.contains(pattern) {
                continue;
            }
            found.insert(Outsider::identity(
                format!("identity:{pattern}"),
                witness(pattern),
            ));
        }
        let namespaces = [&source.namespaces.values, &source.namespaces.not];
        for pattern in namespaces.into_iter().flatten().flatten() {
            if pattern == "*" || repository.namespaces.contains(pattern) {
                continue;
            }
            let namespace = witness(pattern);
            found.insert(Outsider::identity(
                format!("namespace:{pattern}"),
                format!("{}/ns/{namespace}/sa/{WITNESS}", model.trust_domain),
            ));
        }
    }
    found.into_iter().collect()
}

/// The union of two outsider lists (sorted by id), so two states of a cluster are evaluated
/// with the same callers.
pub fn union(a: &[Outsider], b: &[Outsider]) -> Vec<Outsider> {
    let mut all: BTreeSet<Outsider> = a.iter().cloned().collect();
    all.extend(b.iter().cloned());
    all.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn witnesses_match_their_pattern_and_name_their_namespace() {
        use crate::policy::authz::pattern_matches;
        for pattern in ["td/ns/intruder/sa/*", "*/sa/admin", "td/ns/x/sa/y"] {
            assert!(pattern_matches(pattern, &witness(pattern)), "{pattern}");
        }
        let caller = Outsider::identity(
            "identity:td/ns/intruder/sa/*".into(),
            witness("td/ns/intruder/sa/*"),
        );
        assert_eq!(caller.namespace, "intruder");
        assert_eq!(caller.principal, "td/ns/intruder/sa/meshwright-outsider");
        let suffix = Outsider::identity("identity:*/sa/admin".into(), witness("*/sa/admin"));
        assert_eq!(suffix.namespace, WITNESS);
        assert!(!Outsider::unauthenticated().mtls);
        assert!(Outsider::is_symbolic("identity:td/ns/a/sa/b"));
        assert!(!Outsider::is_symbolic("shop/web"));
    }
}
