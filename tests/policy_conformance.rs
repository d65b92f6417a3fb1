//! Conformance of the policy model with Istio's documented behaviour: authorization
//! (CUSTOM → DENY → ALLOW evaluation, matching of sources, operations and conditions),
//! PeerAuthentication precedence, and the client side (DestinationRule TLS, auto mTLS).
//!
//! Every case cites the documented rule it checks. References:
//! - [AP]  https://istio.io/latest/docs/reference/config/security/authorization-policy/
//! - [AC]  https://istio.io/latest/docs/concepts/security/#authorization-policies
//!   (and #allow-nothing-deny-all-and-allow-all-policy, #authorization-policy-for-tcp-workloads)
//! - [PA]  https://istio.io/latest/docs/reference/config/security/peer_authentication/
//! - [PC]  https://istio.io/latest/docs/concepts/security/#peer-authentication
//! - [MIG] https://istio.io/latest/docs/tasks/security/authentication/mtls-migration/
//! - [AUTO] https://istio.io/latest/docs/tasks/security/authentication/authn-policy/#auto-mutual-tls
//! - [DR]  https://istio.io/latest/docs/reference/config/networking/destination-rule/
//! - [DRC] https://istio.io/latest/docs/ops/best-practices/traffic-management/ (DestinationRule lookup)
//! - [TD]  https://istio.io/latest/docs/tasks/security/authorization/authz-td-migration/#best-practices
//! - [INJ] https://istio.io/latest/docs/setup/additional-setup/sidecar-injection/#controlling-the-injection-policy

use std::path::Path;

use meshwright::manifest::parse_documents;
use meshwright::policy::{Model, Mtls};

/// Namespaces `foo` and `bar` are injected, `legacy` is not. `foo/httpbin` listens on 8080
/// and 9090 behind Service `httpbin` (8000→8080, 9000→9090); `sleep` clients everywhere.
const BASE: &str = r#"
apiVersion: v1
kind: Namespace
metadata: {name: foo, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: bar, labels: {istio.io/rev: stable}}
---
apiVersion: v1
kind: Namespace
metadata: {name: legacy}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: httpbin, namespace: foo}
spec:
  template:
    metadata: {labels: {app: httpbin, version: v1}}
    spec:
      serviceAccountName: httpbin
      containers:
        - name: httpbin
          ports: [{containerPort: 8080, name: http}, {containerPort: 9090, name: grpc}]
---
apiVersion: v1
kind: Service
metadata: {name: httpbin, namespace: foo}
spec:
  selector: {app: httpbin}
  ports:
    - {name: http, port: 8000, targetPort: http}
    - {name: grpc, port: 9000, targetPort: 9090}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: sleep, namespace: foo}
spec:
  template:
    metadata: {labels: {app: sleep}}
    spec: {serviceAccountName: sleep, containers: [{name: sleep}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: sleep, namespace: bar}
spec:
  template:
    metadata: {labels: {app: sleep}}
    spec: {serviceAccountName: sleep, containers: [{name: sleep}]}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: report, namespace: bar}
spec:
  jobTemplate:
    spec:
      template:
        metadata: {labels: {app: report}}
        spec: {containers: [{name: report}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: sleep, namespace: legacy}
spec:
  template:
    metadata: {labels: {app: sleep}}
    spec: {serviceAccountName: sleep, containers: [{name: sleep}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: plain, namespace: legacy}
spec:
  template:
    metadata: {labels: {app: plain}}
    spec: {containers: [{name: plain, ports: [{containerPort: 8080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: plain, namespace: legacy}
spec:
  selector: {app: plain}
  ports: [{port: 80, targetPort: 8080}]
"#;

fn model_with(extra: &str, trust_domain: &str) -> Model {
    let text = format!("{BASE}\n---\n{extra}");
    let objects = parse_documents(Path::new("case.yaml"), text.as_bytes()).expect("valid YAML");
    Model::new("default", &objects, trust_domain)
}

fn model(extra: &str) -> Model {
    model_with(extra, "cluster.local")
}

#[derive(Debug)]
struct Outcome {
    allowed: bool,
    mtls: Mtls,
    policies: Vec<String>,
    conditional: bool,
}

/// The outcome of `from` → `to` on workload port `port`.
fn call(model: &Model, from: &str, to: &str, port: u16) -> Outcome {
    let caller = model
        .workload(from)
        .unwrap_or_else(|| panic!("no workload {from}"));
    let callee = model
        .workload(to)
        .unwrap_or_else(|| panic!("no workload {to}"));
    let edges = model.evaluate(caller, callee);
    let (edge, decision) = edges
        .iter()
        .find(|(e, _)| e.port.is_none() || e.port == Some(port))
        .unwrap_or_else(|| panic!("no edge {from} -> {to}:{port} in {edges:?}"));
    Outcome {
        allowed: edge.allowed,
        mtls: edge.mtls,
        policies: model.policy_names(decision),
        conditional: decision.conditional,
    }
}

fn allowed(model: &Model, from: &str, to: &str) -> bool {
    call(model, from, to, 8080).allowed
}

const STRICT_MESH: &str = r#"
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
"#;

// ---------------------------------------------------------------- authorization: actions

/// [AP] "If there are no ALLOW policies for the workload, allow the request."
#[test]
fn no_policy_allows_every_caller() {
    let m = model("");
    let outcome = call(&m, "bar/sleep", "foo/httpbin", 8080);
    assert!(outcome.allowed);
    assert!(outcome.policies.is_empty());
    assert_eq!(outcome.mtls, Mtls::Mtls);
}

/// [AC] allow-nothing: an ALLOW policy with `spec: {}` "matches nothing", so with it in
/// place every request is denied.
#[test]
fn allow_nothing_denies_every_caller() {
    let m = model(
        "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: allow-nothing, namespace: foo}\nspec: {}\n",
    );
    let outcome = call(&m, "foo/sleep", "foo/httpbin", 8080);
    assert!(!outcome.allowed);
    assert_eq!(outcome.policies, ["foo/allow-nothing"]);
}

/// [AC] allow-all: "a rule `{}` matches every request" — `rules: [{}]` allows everything,
/// even next to an allow-nothing policy.
#[test]
fn an_empty_rule_allows_everything() {
    let m = model(
        "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: allow-nothing, namespace: foo}\nspec: {}\n---\napiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: allow-all, namespace: foo}\nspec: {action: ALLOW, rules: [{}]}\n",
    );
    let outcome = call(&m, "bar/sleep", "foo/httpbin", 8080);
    assert!(outcome.allowed);
    assert_eq!(outcome.policies, ["foo/allow-all"]);
}

/// [AC] deny-all: a DENY policy with `rules: [{}]` denies every request.
#[test]
fn deny_with_an_empty_rule_denies_everything() {
    let m = model(
        "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: deny-all, namespace: foo}\nspec: {action: DENY, rules: [{}]}\n",
    );
    assert!(!allowed(&m, "foo/sleep", "foo/httpbin"));
    assert_eq!(
        call(&m, "foo/sleep", "foo/httpbin", 8080).policies,
        ["foo/deny-all"]
    );
}

/// [AP] "If there are any DENY policies that match the request, deny the request" — DENY
/// is evaluated before ALLOW, so it wins over a matching ALLOW.
#[test]
fn deny_overrides_allow() {
    let m = model(
        r#"
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-sleep, namespace: foo}
spec:
  selector: {matchLabels: {app: httpbin}}
  rules: [{from: [{source: {principals: ["cluster.local/ns/foo/sa/sleep"]}}]}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-sleep, namespace: foo}
spec:
  action: DENY
  rules: [{from: [{source: {principals: ["cluster.local/ns/foo/sa/sleep"]}}]}]
"#,
    );
    let outcome = call(&m, "foo/sleep", "foo/httpbin", 8080);
    assert!(!outcome.allowed);
    assert_eq!(outcome.policies, ["foo/deny-sleep"]);
}

/// [AP] "If any of the ALLOW policies match the request, allow the request. Deny the
/// request." — ALLOW policies exist, none matches: denied, by those policies.
#[test]
fn allow_policies_that_do_not_match_deny() {
    let m = model(
        r#"
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: only-bar, namespace: foo}
spec:
  rules: [{from: [{source: {namespaces: [bar]}}]}]
"#,
    );
    let outcome = call(&m, "foo/sleep", "foo/httpbin", 8080);
    assert!(!outcome.allowed);
    assert_eq!(outcome.policies, ["foo/only-bar"]);
    assert!(allowed(&m, "bar/sleep", "foo/httpbin"));
}

/// [AP] "the request is allowed if any of the ALLOW policies match" — one of several
/// ALLOW policies matching is enough.
#[test]
fn one_matching_allow_policy_is_enough() {
    let m = model(
        r#"
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: a-only-bar, namespace: foo}
spec:
  rules: [{from: [{source: {namespaces: [bar]}}]}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: b-only-foo-sleep, namespace: foo}
spec:
  rules: [{from: [{source: {principals: [cluster.local/ns/foo/sa/sleep]}}]}]
"#,
    );
    let outcome = call(&m, "foo/sleep", "foo/httpbin", 8080);
    assert!(outcome.allowed);
    assert_eq!(outcome.policies, ["foo/b-only-foo-sleep"]);
}

/// [AP] CUSTOM is evaluated first by an external authorizer: "evaluate and deny the
/// request if the evaluation result is deny" — unknown offline, so the edge is conditional.
#[test]
fn custom_policies_make_the_outcome_conditional() {
    let m = model(
        "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: ext-authz, namespace: foo}\nspec: {action: CUSTOM, provider: {name: opa}, rules: [{to: [{operation: {paths: [\"/admin\"]}}]}]}\n",
    );
    let outcome = call(&m, "foo/sleep", "foo/httpbin", 8080);
    assert!(outcome.allowed);
    assert!(outcome.conditional);
    assert_eq!(outcome.policies, ["foo/ext-authz"]);
}

/// [AP] "AUDIT policies do not affect whether requests are allowed or denied."
#[test]
fn audit_policies_do_not_decide() {
    let m = model(
        "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: audit, namespace: foo}\nspec: {action: AUDIT, rules: [{}]}\n",
    );
    let outcome = call(&m, "foo/sleep", "foo/httpbin", 8080);
    assert!(outcome.allowed);
    assert!(outcome.policies.is_empty());
}

// ---------------------------------------------------------------- authorization: scope

/// [AP] "a policy in the root namespace without a selector applies to all workloads in
/// the mesh" (root namespace `istio-system`).
#[test]
fn root_namespace_policies_apply_to_every_namespace() {
    let m = model(
        "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: global-deny, namespace: istio-system}\nspec: {action: DENY, rules: [{from: [{source: {namespaces: [bar]}}]}]}\n",
    );
    assert!(!allowed(&m, "bar/sleep", "foo/httpbin"));
    assert!(allowed(&m, "foo/sleep", "foo/httpbin"));
}

/// [AP] "The selector decides where to apply the policy ... If not set, the policy will be
/// applied to all workloads in the same namespace" — a selector for other labels leaves
/// httpbin alone, and a policy in another namespace does not reach it.
#[test]
fn selectors_and_namespaces_scope_policies() {
    let m = model(
        r#"
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-other, namespace: foo}
spec: {action: DENY, selector: {matchLabels: {app: other}}, rules: [{}]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-nothing, namespace: bar}
spec: {}
"#,
    );
    assert!(allowed(&m, "foo/sleep", "foo/httpbin"));
    // bar/sleep has no ports: its one edge has no port.
    let outcome = call(&m, "foo/sleep", "bar/sleep", 0);
    assert!(!outcome.allowed);
    assert_eq!(outcome.policies, ["bar/allow-nothing"]);
}

/// [AP] `targetRef(s)` binds a policy to a gateway or waypoint, not to sidecars selected
/// by labels: it does not apply to a sidecar workload.
#[test]
fn target_ref_policies_do_not_bind_sidecars() {
    let m = model(
        "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: waypoint-deny, namespace: foo}\nspec: {action: DENY, targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: waypoint}], rules: [{}]}\n",
    );
    assert!(allowed(&m, "foo/sleep", "foo/httpbin"));
}

// ---------------------------------------------------------------- authorization: sources

/// [AP] principals: "A list of peer identities derived from the peer certificate" —
/// exact match on `<trust-domain>/ns/<ns>/sa/<sa>`.
#[test]
fn principals_match_exactly() {
    let m = model(
        "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: p, namespace: foo}\nspec: {rules: [{from: [{source: {principals: [cluster.local/ns/foo/sa/sleep]}}]}]}\n",
    );
    assert!(allowed(&m, "foo/sleep", "foo/httpbin"));
    assert!(!allowed(&m, "bar/sleep", "foo/httpbin"));
}

/// [AP] "Exact match, prefix match (abc*), suffix match (*abc) and presence match (*)".
#[test]
fn principal_prefix_and_suffix_patterns() {
    let prefix = model(
        "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: p, namespace: foo}\nspec: {rules: [{from: [{source: {principals: [\"cluster.local/ns/bar/*\"]}}]}]}\n",
    );
    assert!(allowed(&prefix, "bar/sleep", "foo/httpbin"));
    assert!(allowed(&prefix, "bar/report", "foo/httpbin"));
    assert!(!allowed(&prefix, "foo/sleep", "foo/httpbin"));
    let suffix = model(
        "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: p, namespace: foo}\nspec: {rules: [{from: [{source: {principals: [\"*/sa/sleep\"]}}]}]}\n",
    );
    assert!(allowed(&suffix, "bar/sleep", "foo/httpbin"));
    assert!(!allowed(&suffix, "bar/report", "foo/httpbin"));
}

/// [AP] principals "requires mTLS enabled": a plaintext caller has no identity, so even
/// the presence match `*` does not match it; an mTLS caller matches `*`.
#[test]
fn principals_never_match_plaintext() {
    let m = model(
        "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: any-identity, namespace: foo}\nspec: {rules: [{from: [{source: {principals: [\"*\"]}}]}]}\n",
    );
    let plain = call(&m, "legacy/sleep", "foo/httpbin", 8080);
    assert_eq!(plain.mtls, Mtls::Plaintext);
    assert!(!plain.allowed);
    assert!(allowed(&m, "bar/sleep", "foo/httpbin"));
}

/// [AP] notPrincipals: "A list of negative match of peer identities." The documented way
/// to deny plaintext: DENY with `notPrincipals: ["*"]` matches callers without identity.
#[test]
fn deny_not_principals_star_denies_only_plaintext() {
    let m = model(
        "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: require-mtls, namespace: foo}\nspec: {action: DENY, rules: [{from: [{source: {notPrincipals: [\"*\"]}}]}]}\n",
    );
    assert!(!allowed(&m, "legacy/sleep", "foo/httpbin"));
    assert!(allowed(&m, "bar/sleep", "foo/httpbin"));
}

/// [AP] namespaces: "A list of namespaces derived from the peer certificate" (requires
/// mTLS) and notNamespaces its negation.
#[test]
fn namespaces_and_not_namespaces() {
    let m = model(
        "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: not-bar, namespace: foo}\nspec: {rules: [{from: [{source: {notNamespaces: [bar]}}]}]}\n",
    );
    assert!(allowed(&m, "foo/sleep", "foo/httpbin"));
    assert!(!allowed(&m, "bar/sleep", "foo/httpbin"));
    let m = model(
        "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: from-legacy, namespace: foo}\nspec: {rules: [{from: [{source: {namespaces: [legacy]}}]}]}\n",
    );
    assert!(
        !allowed(&m, "legacy/sleep", "foo/httpbin"),
        "plaintext has no namespace"
    );
}

/// [AP] The fields of a source are ANDed: principal and namespace must both match.
#[test]
fn source_fields_are_anded() {
    let m = model(
        "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: both, namespace: foo}\nspec: {rules: [{from: [{source: {principals: [\"*/sa/sleep\"], namespaces: [bar]}}]}]}\n",
    );
    assert!(allowed(&m, "bar/sleep", "foo/httpbin"));
    assert!(!allowed(&m, "foo/sleep", "foo/httpbin"));
}

/// [AP] ipBlocks: "the source IP" — unknown offline for in-mesh callers: the rule may
/// match, and the outcome is conditional.
#[test]
fn ip_blocks_may_match() {
    let m = model(
        "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: ips, namespace: foo}\nspec: {rules: [{from: [{source: {ipBlocks: [10.0.0.0/8]}}]}]}\n",
    );
    let outcome = call(&m, "bar/sleep", "foo/httpbin", 8080);
    assert!(outcome.allowed);
    assert!(outcome.conditional);
}

/// [AP] Identities use the mesh trust domain: a principal of another trust domain does
/// not match.
#[test]
fn principals_use_the_trust_domain() {
    let yaml = "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: p, namespace: foo}\nspec: {rules: [{from: [{source: {principals: [acme.internal/ns/bar/sa/sleep]}}]}]}\n";
    assert!(allowed(
        &model_with(yaml, "acme.internal"),
        "bar/sleep",
        "foo/httpbin"
    ));
    assert!(!allowed(&model(yaml), "bar/sleep", "foo/httpbin"));
}

/// [TD] "in authorization policy, `cluster.local` is a pointer that points to the current
/// trust domain" — a `cluster.local/...` principal matches under any trust domain.
#[test]
fn cluster_local_principals_point_to_the_current_trust_domain() {
    let yaml = "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: p, namespace: foo}\nspec: {rules: [{from: [{source: {principals: [cluster.local/ns/bar/sa/sleep]}}]}]}\n";
    let m = model_with(yaml, "acme.internal");
    assert!(allowed(&m, "bar/sleep", "foo/httpbin"));
    assert!(!allowed(&m, "foo/sleep", "foo/httpbin"));
}

/// [TD] trust domain aliases: with `trustDomainAliases: [old-td]`, a policy naming
/// `old-td/ns/...` still matches the workload under the new trust domain.
#[test]
fn trust_domain_aliases_match_the_current_domain() {
    let yaml = "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: p, namespace: foo}\nspec: {rules: [{from: [{source: {principals: [old-td/ns/bar/sa/sleep]}}]}]}\n";
    let plain = model_with(yaml, "new-td");
    assert!(!allowed(&plain, "bar/sleep", "foo/httpbin"));
    let aliased = model_with(yaml, "new-td").with_trust_domain_aliases(&["old-td".to_string()]);
    assert!(allowed(&aliased, "bar/sleep", "foo/httpbin"));
}

// ---------------------------------------------------------------- authorization: operations

/// [AP] methods: an ALLOW limited to GET still lets some request of the caller through;
/// a DENY of GET alone leaves other methods allowed.
#[test]
fn methods_restrict_requests_not_callers() {
    let m = model(
        "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: get-only, namespace: foo}\nspec: {rules: [{to: [{operation: {methods: [GET]}}]}]}\n",
    );
    assert!(allowed(&m, "bar/sleep", "foo/httpbin"));
    let m = model(
        "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: no-get, namespace: foo}\nspec: {action: DENY, rules: [{to: [{operation: {methods: [GET]}}]}]}\n",
    );
    let outcome = call(&m, "bar/sleep", "foo/httpbin", 8080);
    assert!(outcome.allowed);
    assert_eq!(outcome.policies, ["foo/no-get"]);
    let m = model(
        "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: get-only, namespace: foo}\nspec: {rules: [{to: [{operation: {methods: [GET]}}]}]}\n---\napiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: no-get, namespace: foo}\nspec: {action: DENY, rules: [{to: [{operation: {methods: [GET, POST]}}]}]}\n",
    );
    assert!(
        !allowed(&m, "bar/sleep", "foo/httpbin"),
        "every allowed request is denied"
    );
}

/// [AP] paths: prefix match `/admin/*` — a DENY of the prefix covers an ALLOW of a path
/// under it; it does not cover a path elsewhere.
#[test]
fn path_prefix_deny_covers_allowed_paths() {
    let policy = |allowed_path: &str| {
        format!(
            "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {{name: allow, namespace: foo}}\nspec: {{rules: [{{to: [{{operation: {{paths: [\"{allowed_path}\"]}}}}]}}]}}\n---\napiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {{name: deny-admin, namespace: foo}}\nspec: {{action: DENY, rules: [{{to: [{{operation: {{paths: [\"/admin/*\"]}}}}]}}]}}\n"
        )
    };
    assert!(!allowed(
        &model(&policy("/admin/users")),
        "bar/sleep",
        "foo/httpbin"
    ));
    assert!(!allowed(
        &model(&policy("/admin/x/*")),
        "bar/sleep",
        "foo/httpbin"
    ));
    assert!(allowed(
        &model(&policy("/public")),
        "bar/sleep",
        "foo/httpbin"
    ));
}

/// [AP] paths: suffix match `*.json`.
#[test]
fn path_suffix_deny() {
    let policy = |deny: &str| {
        format!(
            "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {{name: allow, namespace: foo}}\nspec: {{rules: [{{to: [{{operation: {{paths: [\"/data.json\"]}}}}]}}]}}\n---\napiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {{name: deny, namespace: foo}}\nspec: {{action: DENY, rules: [{{to: [{{operation: {{paths: [\"{deny}\"]}}}}]}}]}}\n"
        )
    };
    assert!(!allowed(
        &model(&policy("*.json")),
        "bar/sleep",
        "foo/httpbin"
    ));
    assert!(allowed(
        &model(&policy("*.xml")),
        "bar/sleep",
        "foo/httpbin"
    ));
}

/// [AP] ports: "A list of ports as specified in the connection" — the workload port, so
/// the outcome differs per port and is reported per port.
#[test]
fn operation_ports_are_per_port() {
    let m = model(
        "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: http-only, namespace: foo}\nspec: {rules: [{to: [{operation: {ports: [\"8080\"]}}]}]}\n",
    );
    assert!(call(&m, "bar/sleep", "foo/httpbin", 8080).allowed);
    assert!(!call(&m, "bar/sleep", "foo/httpbin", 9090).allowed);
    let edges = m.evaluate(
        m.workload("bar/sleep").unwrap(),
        m.workload("foo/httpbin").unwrap(),
    );
    assert_eq!(edges.len(), 2, "one edge per port when ports differ");
}

/// [AP] notPorts: "A list of negative match of ports".
#[test]
fn operation_not_ports() {
    let m = model(
        "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: no-grpc, namespace: foo}\nspec: {action: DENY, rules: [{to: [{operation: {notPorts: [\"8080\"]}}]}]}\n",
    );
    assert!(call(&m, "bar/sleep", "foo/httpbin", 8080).allowed);
    assert!(!call(&m, "bar/sleep", "foo/httpbin", 9090).allowed);
}

/// [AP] `when`: "A list of additional conditions of a request" — unknown offline: an
/// ALLOW with conditions may match (conditional), a DENY with them may not deny.
#[test]
fn when_conditions_may_match() {
    let m = model(
        "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: jwt, namespace: foo}\nspec: {rules: [{when: [{key: \"request.auth.claims[iss]\", values: [\"https://accounts.example.com\"]}]}]}\n",
    );
    let outcome = call(&m, "bar/sleep", "foo/httpbin", 8080);
    assert!(outcome.allowed && outcome.conditional);
    let m = model(
        "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: deny-when, namespace: foo}\nspec: {action: DENY, rules: [{when: [{key: \"request.headers[x-debug]\", values: [\"1\"]}]}]}\n",
    );
    let outcome = call(&m, "bar/sleep", "foo/httpbin", 8080);
    assert!(outcome.allowed && outcome.conditional);
}

// ---------------------------------------------------------------- peer authentication

/// [PC] "By default ... PERMISSIVE": with no PeerAuthentication a workload accepts both
/// plaintext and mTLS; [AUTO] a sidecar client sends mTLS to a sidecar server.
#[test]
fn default_is_permissive() {
    let m = model("");
    assert_eq!(
        call(&m, "legacy/sleep", "foo/httpbin", 8080).mtls,
        Mtls::Plaintext
    );
    assert!(allowed(&m, "legacy/sleep", "foo/httpbin"));
    assert_eq!(call(&m, "bar/sleep", "foo/httpbin", 8080).mtls, Mtls::Mtls);
}

/// [MIG] Mesh-wide STRICT (root namespace, no selector): "the sleep.legacy to httpbin
/// request fails" — plaintext callers break.
#[test]
fn mesh_wide_strict_breaks_plaintext_callers() {
    let m = model(STRICT_MESH);
    let outcome = call(&m, "legacy/sleep", "foo/httpbin", 8080);
    assert_eq!(outcome.mtls, Mtls::Broken);
    assert!(!outcome.allowed);
    assert_eq!(outcome.policies, ["istio-system/default"]);
}

/// [PC] "a namespace-wide policy takes precedence over the mesh-wide policy".
#[test]
fn namespace_policy_overrides_mesh() {
    let m = model(&format!(
        "{STRICT_MESH}---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {{name: default, namespace: foo}}\nspec: {{mtls: {{mode: PERMISSIVE}}}}\n"
    ));
    assert_eq!(
        call(&m, "legacy/sleep", "foo/httpbin", 8080).mtls,
        Mtls::Plaintext
    );
}

/// [PC] "a workload-specific policy takes precedence over a namespace-wide policy".
#[test]
fn workload_policy_overrides_namespace() {
    let m = model(
        "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: foo}\nspec: {mtls: {mode: PERMISSIVE}}\n---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: httpbin, namespace: foo}\nspec: {selector: {matchLabels: {app: httpbin}}, mtls: {mode: STRICT}}\n",
    );
    let outcome = call(&m, "legacy/sleep", "foo/httpbin", 8080);
    assert_eq!(outcome.mtls, Mtls::Broken);
    assert_eq!(outcome.policies, ["foo/httpbin"]);
}

/// [PA] UNSET: "Inherit from parent, if has one. Otherwise treated as PERMISSIVE."
#[test]
fn unset_inherits_from_the_parent() {
    let m = model(
        "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: foo}\nspec: {mtls: {mode: STRICT}}\n---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: httpbin, namespace: foo}\nspec: {selector: {matchLabels: {app: httpbin}}, mtls: {mode: UNSET}}\n",
    );
    let outcome = call(&m, "legacy/sleep", "foo/httpbin", 8080);
    assert_eq!(outcome.mtls, Mtls::Broken);
    assert_eq!(outcome.policies, ["foo/default"]);
    let m = model(
        "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: foo}\nspec: {mtls: {mode: UNSET}}\n",
    );
    assert_eq!(
        call(&m, "legacy/sleep", "foo/httpbin", 8080).mtls,
        Mtls::Plaintext
    );
}

/// [PA] portLevelMtls: "Port specific mutual TLS settings" — STRICT workload, port 8080
/// (the workload port, not the Service port) DISABLE.
#[test]
fn port_level_mtls_overrides_the_workload_mode() {
    let m = model(
        "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: httpbin, namespace: foo}\nspec: {selector: {matchLabels: {app: httpbin}}, mtls: {mode: STRICT}, portLevelMtls: {8080: {mode: DISABLE}}}\n",
    );
    assert_eq!(
        call(&m, "legacy/sleep", "foo/httpbin", 8080).mtls,
        Mtls::Plaintext
    );
    assert_eq!(
        call(&m, "legacy/sleep", "foo/httpbin", 9090).mtls,
        Mtls::Broken
    );
    // A sidecar client follows the server's DISABLE port with plaintext (auto mTLS).
    assert_eq!(
        call(&m, "bar/sleep", "foo/httpbin", 8080).mtls,
        Mtls::Plaintext
    );
    assert_eq!(call(&m, "bar/sleep", "foo/httpbin", 9090).mtls, Mtls::Mtls);
}

/// [PA] "portLevelMtls ... only applies when a workload selector is set" — a namespace-wide
/// policy's port settings are ignored.
#[test]
fn port_level_mtls_needs_a_selector() {
    let m = model(
        "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: foo}\nspec: {mtls: {mode: STRICT}, portLevelMtls: {8080: {mode: DISABLE}}}\n",
    );
    assert_eq!(
        call(&m, "legacy/sleep", "foo/httpbin", 8080).mtls,
        Mtls::Broken
    );
}

/// [PA] port-level UNSET inherits the workload's mode; [PA] example "inherit mTLS mode
/// from namespace (or mesh) settings, and overwrite settings for port 8080".
#[test]
fn workload_unset_with_port_override() {
    let m = model(&format!(
        "{STRICT_MESH}---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {{name: httpbin, namespace: foo}}\nspec: {{selector: {{matchLabels: {{app: httpbin}}}}, mtls: {{mode: UNSET}}, portLevelMtls: {{8080: {{mode: DISABLE}}, 9090: {{mode: UNSET}}}}}}\n"
    ));
    assert_eq!(
        call(&m, "legacy/sleep", "foo/httpbin", 8080).mtls,
        Mtls::Plaintext
    );
    assert_eq!(
        call(&m, "legacy/sleep", "foo/httpbin", 9090).mtls,
        Mtls::Broken
    );
}

/// [PC] "If there are more than one workload-specific policies for the same workload,
/// the oldest one wins" (by creationTimestamp).
#[test]
fn oldest_workload_policy_wins() {
    let m = model(
        "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: a-new, namespace: foo, creationTimestamp: \"2026-01-02T00:00:00Z\"}\nspec: {selector: {matchLabels: {app: httpbin}}, mtls: {mode: PERMISSIVE}}\n---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: b-old, namespace: foo, creationTimestamp: \"2025-01-01T00:00:00Z\"}\nspec: {selector: {matchLabels: {version: v1}}, mtls: {mode: STRICT}}\n",
    );
    let outcome = call(&m, "legacy/sleep", "foo/httpbin", 8080);
    assert_eq!(outcome.mtls, Mtls::Broken);
    assert_eq!(outcome.policies, ["foo/b-old"]);
}

/// [PA] DISABLE: "Connection is not tunneled" — the server accepts plaintext only; with
/// auto mTLS the client sends plaintext, so principal-based ALLOW rules cannot match.
#[test]
fn disable_means_plaintext_and_no_identity() {
    let m = model(
        "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: foo}\nspec: {mtls: {mode: DISABLE}}\n---\napiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: p, namespace: foo}\nspec: {rules: [{from: [{source: {principals: [cluster.local/ns/bar/sa/sleep]}}]}]}\n",
    );
    let outcome = call(&m, "bar/sleep", "foo/httpbin", 8080);
    assert_eq!(outcome.mtls, Mtls::Plaintext);
    assert!(!outcome.allowed);
}

// ---------------------------------------------------------------- client side

/// [AUTO] "send plain text traffic to workloads without sidecars"; and no sidecar means no
/// authorization is enforced there.
#[test]
fn auto_mtls_sends_plaintext_to_workloads_without_sidecar() {
    let m = model(
        "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: allow-nothing, namespace: legacy}\nspec: {}\n",
    );
    let outcome = call(&m, "bar/sleep", "legacy/plain", 8080);
    assert_eq!(outcome.mtls, Mtls::Plaintext);
    assert!(outcome.allowed, "no sidecar enforces the policy");
}

/// [INJ] `sidecar.istio.io/inject: "false"` on the pod overrides the namespace label.
#[test]
fn pod_label_overrides_namespace_injection() {
    let m = model(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: opted-out, namespace: foo}\nspec: {template: {metadata: {labels: {app: opted-out, sidecar.istio.io/inject: \"false\"}}, spec: {containers: [{name: c}]}}}\n",
    );
    let workload = &m.workloads()[m.workload("foo/opted-out").unwrap()];
    assert!(!workload.sidecar);
    assert!(
        m.workloads()[m.workload("bar/report").unwrap()].sidecar,
        "istio.io/rev injects"
    );
    assert!(!m.workloads()[m.workload("legacy/sleep").unwrap()].sidecar);
}

/// [MIG] / [DR] ISTIO_MUTUAL / DISABLE: a DestinationRule with `tls.mode: DISABLE` makes
/// the client send plaintext, which a STRICT server rejects.
#[test]
fn destination_rule_disable_to_strict_breaks() {
    let m = model(&format!(
        "{STRICT_MESH}---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {{name: httpbin-plain, namespace: foo}}\nspec: {{host: httpbin, trafficPolicy: {{tls: {{mode: DISABLE}}}}}}\n"
    ));
    let outcome = call(&m, "bar/sleep", "foo/httpbin", 8080);
    assert_eq!(outcome.mtls, Mtls::Broken);
    assert!(!outcome.allowed);
    assert_eq!(
        outcome.policies,
        ["istio-system/default", "foo/httpbin-plain"]
    );
}

/// [DR] DISABLE to a PERMISSIVE server works, as plaintext.
#[test]
fn destination_rule_disable_to_permissive_is_plaintext() {
    let m = model(
        "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: httpbin-plain, namespace: foo}\nspec: {host: httpbin.foo.svc.cluster.local, trafficPolicy: {tls: {mode: DISABLE}}}\n",
    );
    assert_eq!(
        call(&m, "bar/sleep", "foo/httpbin", 8080).mtls,
        Mtls::Plaintext
    );
}

/// [DR] SIMPLE: "Originate a TLS connection to the upstream endpoint" — not Istio mTLS, so
/// a STRICT sidecar rejects it.
#[test]
fn destination_rule_simple_to_strict_breaks() {
    let m = model(&format!(
        "{STRICT_MESH}---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {{name: tls, namespace: foo}}\nspec: {{host: httpbin, trafficPolicy: {{tls: {{mode: SIMPLE}}}}}}\n"
    ));
    assert_eq!(
        call(&m, "bar/sleep", "foo/httpbin", 8080).mtls,
        Mtls::Broken
    );
}

/// [DR] ISTIO_MUTUAL to a workload without sidecar: nothing terminates Istio mTLS.
#[test]
fn istio_mutual_to_a_workload_without_sidecar_breaks() {
    let m = model(
        "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: plain, namespace: legacy}\nspec: {host: plain, trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}}\n",
    );
    assert_eq!(
        call(&m, "bar/sleep", "legacy/plain", 8080).mtls,
        Mtls::Broken
    );
}

/// [DRC] lookup order: the client's namespace, then the service's namespace, then the
/// root namespace — a rule in the client namespace wins.
#[test]
fn client_namespace_rule_wins() {
    let m = model(&format!(
        "{STRICT_MESH}---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {{name: mutual, namespace: foo}}\nspec: {{host: httpbin.foo.svc.cluster.local, trafficPolicy: {{tls: {{mode: ISTIO_MUTUAL}}}}}}\n---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {{name: plain, namespace: bar}}\nspec: {{host: httpbin.foo.svc.cluster.local, trafficPolicy: {{tls: {{mode: DISABLE}}}}}}\n"
    ));
    assert_eq!(
        call(&m, "bar/sleep", "foo/httpbin", 8080).mtls,
        Mtls::Broken
    );
    assert_eq!(call(&m, "foo/sleep", "foo/httpbin", 8080).mtls, Mtls::Mtls);
}

/// [DR] exportTo: "." makes the rule visible only in its own namespace, so clients in
/// other namespaces fall back to the root namespace rule.
#[test]
fn export_to_hides_rules_from_other_namespaces() {
    let m = model(&format!(
        "{STRICT_MESH}---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {{name: plain, namespace: foo}}\nspec: {{host: httpbin, exportTo: [\".\"], trafficPolicy: {{tls: {{mode: DISABLE}}}}}}\n---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {{name: default, namespace: istio-system}}\nspec: {{host: \"*.local\", trafficPolicy: {{tls: {{mode: ISTIO_MUTUAL}}}}}}\n"
    ));
    assert_eq!(
        call(&m, "foo/sleep", "foo/httpbin", 8080).mtls,
        Mtls::Broken
    );
    let outcome = call(&m, "bar/sleep", "foo/httpbin", 8080);
    assert_eq!(outcome.mtls, Mtls::Mtls);
}

/// [DR] host: "short names ... are interpreted relative to the rule's namespace" — a
/// rule `host: httpbin` in bar means httpbin.bar, not foo's httpbin.
#[test]
fn short_hosts_resolve_in_the_rule_namespace() {
    let m = model(&format!(
        "{STRICT_MESH}---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {{name: plain, namespace: bar}}\nspec: {{host: httpbin, trafficPolicy: {{tls: {{mode: DISABLE}}}}}}\n"
    ));
    assert_eq!(call(&m, "bar/sleep", "foo/httpbin", 8080).mtls, Mtls::Mtls);
}

/// [DR] wildcard hosts match, and the most specific host wins.
#[test]
fn wildcard_hosts_and_specificity() {
    let m = model(&format!(
        "{STRICT_MESH}---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {{name: all-foo, namespace: bar}}\nspec: {{host: \"*.foo.svc.cluster.local\", trafficPolicy: {{tls: {{mode: DISABLE}}}}}}\n"
    ));
    assert_eq!(
        call(&m, "bar/sleep", "foo/httpbin", 8080).mtls,
        Mtls::Broken
    );
    let m = model(&format!(
        "{STRICT_MESH}---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {{name: all-foo, namespace: bar}}\nspec: {{host: \"*.foo.svc.cluster.local\", trafficPolicy: {{tls: {{mode: DISABLE}}}}}}\n---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {{name: httpbin, namespace: bar}}\nspec: {{host: httpbin.foo.svc.cluster.local, trafficPolicy: {{tls: {{mode: ISTIO_MUTUAL}}}}}}\n"
    ));
    assert_eq!(call(&m, "bar/sleep", "foo/httpbin", 8080).mtls, Mtls::Mtls);
}

/// [DR] portLevelSettings: "Traffic policies specific to individual ports" (the Service
/// port: 9000 → workload port 9090) override the rule's TLS.
#[test]
fn destination_rule_port_level_settings() {
    let m = model(&format!(
        "{STRICT_MESH}---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {{name: httpbin, namespace: foo}}\nspec: {{host: httpbin, trafficPolicy: {{tls: {{mode: ISTIO_MUTUAL}}, portLevelSettings: [{{port: {{number: 9000}}, tls: {{mode: DISABLE}}}}]}}}}\n"
    ));
    assert_eq!(call(&m, "bar/sleep", "foo/httpbin", 8080).mtls, Mtls::Mtls);
    assert_eq!(
        call(&m, "bar/sleep", "foo/httpbin", 9090).mtls,
        Mtls::Broken
    );
}

/// [DR] a rule without `tls` leaves the choice to auto mTLS ([AUTO]).
#[test]
fn a_rule_without_tls_keeps_auto_mtls() {
    let m = model(&format!(
        "{STRICT_MESH}---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {{name: pool, namespace: foo}}\nspec: {{host: httpbin, trafficPolicy: {{connectionPool: {{tcp: {{maxConnections: 10}}}}}}}}\n"
    ));
    assert_eq!(call(&m, "bar/sleep", "foo/httpbin", 8080).mtls, Mtls::Mtls);
}

// ---------------------------------------------------------------- the matrix

/// The full matrix (which shares outcomes between callers the policies cannot tell apart)
/// agrees with evaluating every pair on its own.
#[test]
fn matrix_agrees_with_pairwise_evaluation() {
    let m = model(&format!(
        r#"{STRICT_MESH}---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {{name: legacy-ok, namespace: foo}}
spec: {{selector: {{matchLabels: {{app: httpbin}}}}, mtls: {{mode: STRICT}}, portLevelMtls: {{8080: {{mode: PERMISSIVE}}}}}}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {{name: allow-nothing, namespace: foo}}
spec: {{}}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {{name: httpbin, namespace: foo}}
spec:
  selector: {{matchLabels: {{app: httpbin}}}}
  rules:
    - from: [{{source: {{principals: ["cluster.local/ns/bar/*"]}}}}]
      to: [{{operation: {{ports: ["9090"]}}}}]
    - from: [{{source: {{namespaces: [foo]}}}}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {{name: no-report, namespace: istio-system}}
spec: {{action: DENY, rules: [{{from: [{{source: {{principals: ["*/sa/default"]}}}}]}}]}}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {{name: sleep-from-foo, namespace: bar}}
spec: {{selector: {{matchLabels: {{app: sleep}}}}, rules: [{{from: [{{source: {{principals: [cluster.local/ns/foo/sa/sleep]}}}}]}}]}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {{name: plain, namespace: bar}}
spec: {{host: "*.legacy.svc.cluster.local", trafficPolicy: {{tls: {{mode: DISABLE}}}}}}
"#
    ));
    let matrix = m.matrix();
    let n = m.workloads().len();
    let mut expected = Vec::new();
    for from in 0..n {
        for to in (0..n).filter(|&to| to != from) {
            expected.extend(m.evaluate(from, to));
        }
    }
    let got: Vec<_> = matrix
        .edges()
        .map(|e| (*e, matrix.decision(e).clone()))
        .collect();
    assert_eq!(got.len(), expected.len());
    for ((edge, decision), (want, want_decision)) in got.iter().zip(&expected) {
        assert_eq!(
            (edge.from, edge.to, edge.port, edge.allowed, edge.mtls),
            (want.from, want.to, want.port, want.allowed, want.mtls)
        );
        assert_eq!(decision, want_decision);
    }
    assert!(matrix.edges().any(|e| e.allowed) && matrix.edges().any(|e| !e.allowed));
}
