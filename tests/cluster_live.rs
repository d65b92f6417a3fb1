//! `diff --cluster` and `audit --cluster` through the real kube-rs client, over HTTPS with
//! client-certificate authentication, against the test API server in `tests/apiserver`:
//! discovery, paginated lists, server-side apply dry-runs, normalization of server-set
//! fields, drift, policy changes, and every failure the issue names (403, 500, timeouts,
//! an expired continue token, TLS and authentication errors).

mod apiserver;
mod common;

use std::path::Path;

use apiserver::ApiServer;
use serde_json::{Value, json};

use common::meshwright;

const KUSTOMIZATION: &str = "apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - namespace.yaml
  - apps.yaml
  - policy.yaml
";

const NAMESPACE: &str = "apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    istio-injection: enabled
---
apiVersion: v1
kind: Namespace
metadata:
  name: istio-system
";

const APPS: &str = "apiVersion: v1
kind: ServiceAccount
metadata:
  name: web
  namespace: shop
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: api
  namespace: shop
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels:
    app: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      serviceAccountName: web
      containers:
        - name: web
          image: registry.example/web:1.4.0
          ports:
            - containerPort: 8080
              name: http
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
  labels:
    app: api
spec:
  replicas: 2
  selector:
    matchLabels:
      app: api
  template:
    metadata:
      labels:
        app: api
    spec:
      serviceAccountName: api
      containers:
        - name: api
          image: registry.example/api:2.0.1
          ports:
            - containerPort: 8080
              name: http
---
apiVersion: v1
kind: Service
metadata:
  name: api
  namespace: shop
spec:
  selector:
    app: api
  ports:
    - name: http
      port: 80
      targetPort: http
---
apiVersion: v1
kind: Secret
metadata:
  name: api-credentials
  namespace: shop
type: Opaque
stringData:
  password: repo-value-not-to-print
";

const POLICY: &str = "apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: istio-system
spec:
  mtls:
    mode: STRICT
---
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
  name: api-allow-web
  namespace: shop
spec:
  selector:
    matchLabels:
      app: api
  action: ALLOW
  rules:
    - from:
        - source:
            principals:
              - cluster.local/ns/shop/sa/web
";

/// A repository with one cluster (`clusters/central`).
fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let cluster = dir.path().join("clusters/central");
    std::fs::create_dir_all(&cluster).expect("mkdir");
    for (name, text) in [
        ("kustomization.yaml", KUSTOMIZATION),
        ("namespace.yaml", NAMESPACE),
        ("apps.yaml", APPS),
        ("policy.yaml", POLICY),
    ] {
        std::fs::write(cluster.join(name), text).expect("write");
    }
    dir
}

/// The repository's rendered objects as JSON (what a GitOps controller applies).
fn rendered(repo: &Path) -> Vec<Value> {
    let dir = repo.join("clusters/central");
    let state = meshwright::diff::State::load(&dir, &meshwright::kustomize::Loader::new())
        .expect("repository renders");
    state
        .objects
        .values()
        .flatten()
        .map(|node| node.to_json())
        .collect()
}

/// A server holding exactly what the repository renders.
fn server_in_sync(repo: &Path) -> ApiServer {
    let server = ApiServer::start();
    for object in rendered(repo) {
        server.insert(object);
    }
    server
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn diff_cluster(server: &ApiServer, repo: &Path, extra: &[&str]) -> Run {
    run_with(&server.kubeconfig(), repo, extra)
}

fn run_with(kubeconfig: &Path, repo: &Path, extra: &[&str]) -> Run {
    let output = meshwright()
        .current_dir(repo)
        .args(["diff", "--cluster", "--kubeconfig"])
        .arg(kubeconfig)
        .args(extra)
        .arg("clusters/central")
        .output()
        .expect("runs");
    Run {
        code: output.status.code().expect("exit code"),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn json_of(run: &Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

#[test]
fn a_cluster_in_sync_has_no_differences_and_is_read_with_lists_and_dry_runs() {
    let repo = repository();
    let server = server_in_sync(repo.path());
    let run = diff_cluster(&server, repo.path(), &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("no differences"), "{}", run.stdout);
    let requests = server.requests();
    // Discovery: aggregated, two documents.
    assert!(
        requests
            .iter()
            .any(|r| r.path == "/apis" && r.accept.contains("as=APIGroupDiscoveryList"))
    );
    // Lists carry a page size; no object is fetched one by one.
    let lists: Vec<_> = requests
        .iter()
        .filter(|r| r.method == "GET" && r.query.contains_key("limit"))
        .collect();
    assert!(
        lists.iter().any(|r| r.path == "/apis/apps/v1/deployments"),
        "{lists:?}"
    );
    assert!(lists.iter().all(|r| r.query["limit"] == "500"));
    let per_object_gets = requests
        .iter()
        .filter(|r| {
            r.method == "GET" && !r.query.contains_key("limit") && r.path.matches('/').count() > 4
        })
        .count();
    assert_eq!(per_object_gets, 0);
    // Every existing object went through a dry-run apply as the controller that owns it.
    let patches: Vec<_> = requests.iter().filter(|r| r.method == "PATCH").collect();
    assert_eq!(patches.len(), rendered(repo.path()).len());
    for patch in &patches {
        assert_eq!(patch.query["dryRun"], "All");
        assert_eq!(patch.query["fieldManager"], "kustomize-controller");
        assert_eq!(patch.query["force"], "true");
    }
    assert_eq!(server.writes(), 0);
}

/// Every cluster of every example repository, applied by its GitOps controller, compares
/// equal to the repository — with dry-runs and without — and a tenant's change shows.
#[test]
fn generated_repositories_in_sync_have_no_differences() {
    for example in common::EXAMPLES {
        let (_temp, repo) = common::init_example(example);
        let state = meshwright::diff::State::load(&repo, &meshwright::kustomize::Loader::new())
            .expect("renders");
        let clusters: std::collections::BTreeSet<&str> =
            state.objects.keys().map(|k| k.cluster.as_str()).collect();
        for cluster in clusters {
            let server = ApiServer::start();
            for (key, nodes) in &state.objects {
                if key.cluster == cluster {
                    server.insert(nodes[0].to_json());
                }
            }
            for extra in [&[][..], &["--no-server-dry-run"][..]] {
                let output = meshwright()
                    .current_dir(&repo)
                    .args([
                        "diff",
                        "--cluster",
                        "--repo-cluster",
                        cluster,
                        "--kubeconfig",
                    ])
                    .arg(server.kubeconfig())
                    .args(extra)
                    .output()
                    .expect("runs");
                let stdout = String::from_utf8_lossy(&output.stdout);
                assert_eq!(
                    output.status.code(),
                    Some(0),
                    "{example}/{cluster} {extra:?}: {stdout}"
                );
                assert!(!stdout.contains("note:"), "{example}/{cluster}: {stdout}");
            }
            assert_eq!(server.writes(), 0);
        }
    }
}

#[test]
fn without_dry_runs_server_defaults_are_not_differences() {
    let repo = repository();
    let server = server_in_sync(repo.path());
    let run = diff_cluster(&server, repo.path(), &["--no-server-dry-run"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(server.requests().iter().all(|r| r.method == "GET"));
}

#[test]
fn live_changes_show_as_object_diffs_policy_changes_and_drift() {
    let repo = repository();
    let server = ApiServer::start();
    let objects = rendered(repo.path());
    for object in &objects {
        let mut object = object.clone();
        if object["kind"] == "PeerAuthentication" {
            object["spec"]["mtls"]["mode"] = json!("PERMISSIVE");
        }
        if object["kind"] == "Deployment" && object["metadata"]["name"] == "api" {
            object["spec"]["template"]["spec"]["containers"][0]["image"] =
                json!("registry.example/api:1.9.9");
        }
        server.insert(object);
    }
    // Someone added a policy by hand.
    server.insert_applied_by(
        "kubectl-client-side-apply",
        json!({"apiVersion": "security.istio.io/v1", "kind": "AuthorizationPolicy",
               "metadata": {"name": "debug-allow-all", "namespace": "shop"},
               "spec": {"action": "ALLOW", "rules": [{}]}}),
    );
    let run = diff_cluster(&server, repo.path(), &["-o", "json"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let diff = json_of(&run);
    let modified: Vec<String> = diff["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| format!("{} {} {}", o["change"], o["kind"], o["name"]).replace('"', ""))
        .collect();
    assert_eq!(
        modified,
        [
            "modified Deployment api",
            "modified PeerAuthentication default"
        ]
    );
    let deployment = &diff["objects"][0]["diff"];
    assert!(
        deployment
            .as_str()
            .unwrap()
            .contains("-      - image: registry.example/api:1.9.9"),
        "{deployment}"
    );
    assert!(
        deployment
            .as_str()
            .unwrap()
            .contains("+      - image: registry.example/api:2.0.1")
    );
    assert_eq!(
        diff["drift"],
        json!([{"cluster": "central", "group": "security.istio.io",
        "kind": "AuthorizationPolicy", "namespace": "shop", "name": "debug-allow-all"}])
    );
    // Syncing the repository closes what the hand-made policy opened, and requires mTLS again.
    let risks: Vec<&str> = diff["policy"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["risk"].as_str().unwrap())
        .collect();
    assert!(risks.contains(&"closes"), "{risks:?}");
    assert!(risks.contains(&"strengthens"), "{risks:?}");
    assert!(
        risks.iter().all(|r| !matches!(*r, "opens" | "weakens")),
        "{risks:?}"
    );
    assert_eq!(server.writes(), 0);
}

#[test]
fn the_dry_run_shows_fields_the_controller_would_remove() {
    let repo = repository();
    let server = ApiServer::start();
    for mut object in rendered(repo.path()) {
        if object["kind"] == "Deployment" && object["metadata"]["name"] == "web" {
            object["metadata"]["labels"]["team"] = json!("checkout");
        }
        server.insert(object);
    }
    let run = diff_cluster(&server, repo.path(), &[]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("modified Deployment.apps shop/web")
            || run
                .stdout
                .contains("modified [central] Deployment.apps shop/web"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("-    team: checkout"), "{}", run.stdout);
}

#[test]
fn secret_values_are_masked_in_live_diffs() {
    let repo = repository();
    let server = ApiServer::start();
    for mut object in rendered(repo.path()) {
        if object["kind"] == "Secret" {
            object.as_object_mut().unwrap().remove("stringData");
            object["data"] = json!({"password": "bGl2ZS12YWx1ZS1ub3QtdG8tcHJpbnQ="}); // live-value-not-to-print
        }
        server.insert(object);
    }
    for format in ["human", "json", "markdown"] {
        let run = diff_cluster(&server, repo.path(), &["-o", format]);
        assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
        assert!(run.stdout.contains("Secret"), "{}", run.stdout);
        for secret in [
            "bGl2ZS12YWx1ZS1ub3QtdG8tcHJpbnQ=",
            "live-value-not-to-print",
            "repo-value-not-to-print",
            "cmVwby12YWx1ZS1ub3QtdG8tcHJpbnQ=",
        ] {
            assert!(
                !run.stdout.contains(secret),
                "{format} printed a secret: {}",
                run.stdout
            );
            assert!(!run.stderr.contains(secret));
        }
    }
}

#[test]
fn an_object_missing_live_is_added() {
    let repo = repository();
    let server = ApiServer::start();
    for object in rendered(repo.path()) {
        if object["metadata"]["name"] != "api-allow-web" {
            server.insert(object);
        }
    }
    let run = diff_cluster(&server, repo.path(), &["-o", "json"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let diff = json_of(&run);
    assert_eq!(diff["objects"][0]["change"], "added");
    assert_eq!(diff["objects"][0]["name"], "api-allow-web");
    // Live, allow-nothing denies everything into shop; the repository lets web call api.
    let opens: Vec<&Value> = diff["policy"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["risk"] == "opens")
        .collect();
    assert!(
        opens
            .iter()
            .any(|p| p["from"] == "shop/web" && p["to"] == "shop/api"),
        "{opens:?}"
    );
}

#[test]
fn pages_are_followed_until_the_list_ends() {
    let repo = repository();
    let server = server_in_sync(repo.path());
    server.faults().page_size = Some(1);
    let run = diff_cluster(&server, repo.path(), &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let continued: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.path == "/apis/apps/v1/deployments" && r.query.contains_key("continue"))
        .collect();
    assert_eq!(continued.len(), 1, "two deployments, one per page");
}

#[test]
fn classic_discovery_is_used_when_aggregated_discovery_is_not_served() {
    let repo = repository();
    let server = server_in_sync(repo.path());
    server.faults().classic_discovery_only = true;
    let run = diff_cluster(&server, repo.path(), &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        server
            .requests()
            .iter()
            .any(|r| r.path == "/apis/security.istio.io/v1")
    );
}

#[test]
fn a_forbidden_kind_makes_the_diff_partial_and_says_what_was_not_read() {
    let repo = repository();
    let server = server_in_sync(repo.path());
    server
        .faults()
        .forbidden
        .insert("authorizationpolicies".into());
    let run = diff_cluster(&server, repo.path(), &[]);
    assert_eq!(run.code, 3, "{}\n{}", run.stdout, run.stderr);
    assert!(!run.stdout.contains("\nno differences\n"), "{}", run.stdout);
    assert!(run.stdout.contains("partial"), "{}", run.stdout);
    // Forbidden cluster-wide, then in each namespace the repository manages.
    for namespace in ["istio-system", "shop"] {
        let line =
            format!("authorizationpolicies.security.istio.io in {namespace}: Forbidden (403)");
        assert!(run.stdout.contains(&line), "{}", run.stdout);
    }
    assert!(run.stdout.contains("policy not compared"), "{}", run.stdout);
    assert!(run.stderr.contains("partial read"), "{}", run.stderr);
}

#[test]
fn a_cluster_wide_403_falls_back_to_one_list_per_namespace() {
    let repo = repository();
    let server = server_in_sync(repo.path());
    server
        .faults()
        .forbidden_cluster_wide
        .insert("deployments".into());
    let run = diff_cluster(&server, repo.path(), &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        server
            .requests()
            .iter()
            .any(|r| r.path == "/apis/apps/v1/namespaces/shop/deployments")
    );
}

#[test]
fn a_server_error_makes_the_diff_partial() {
    let repo = repository();
    let server = server_in_sync(repo.path());
    server.faults().server_error.insert("services".into());
    let run = diff_cluster(&server, repo.path(), &["-o", "json"]);
    assert_eq!(run.code, 3, "{}\n{}", run.stdout, run.stderr);
    let diff = json_of(&run);
    assert_eq!(diff["unread"][0]["what"], "services");
    assert!(
        diff["unread"][0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("InternalError (500)")
    );
}

#[test]
fn a_slow_list_times_out_and_makes_the_diff_partial() {
    let repo = repository();
    let server = server_in_sync(repo.path());
    server
        .faults()
        .slow
        .insert("deployments".into(), std::time::Duration::from_secs(4));
    let run = diff_cluster(
        &server,
        repo.path(),
        &["--request-timeout", "1", "-o", "json"],
    );
    assert_eq!(run.code, 3, "{}\n{}", run.stdout, run.stderr);
    let diff = json_of(&run);
    assert_eq!(diff["unread"][0]["what"], "deployments.apps");
    let reason = diff["unread"][0]["reason"].as_str().unwrap().to_lowercase();
    assert!(
        reason.contains("timed out") || reason.contains("timeout") || reason.contains("elapsed"),
        "{reason}"
    );
}

#[test]
fn an_expired_continue_token_makes_the_diff_partial() {
    let repo = repository();
    let server = server_in_sync(repo.path());
    server.faults().page_size = Some(1);
    server
        .faults()
        .expired_continue
        .insert("serviceaccounts".into());
    let run = diff_cluster(&server, repo.path(), &[]);
    assert_eq!(run.code, 3, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("serviceaccounts: Expired (410)"),
        "{}",
        run.stdout
    );
    // The half-read kind is not reported as drift or as missing objects.
    assert!(!run.stdout.contains("added"), "{}", run.stdout);
}

#[test]
fn a_forbidden_dry_run_falls_back_to_the_normalized_comparison() {
    let repo = repository();
    let server = server_in_sync(repo.path());
    server.faults().patch_forbidden = true;
    let run = diff_cluster(&server, repo.path(), &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("server-side dry-run not permitted"),
        "{}",
        run.stdout
    );
}

#[test]
fn an_object_the_server_rejects_is_noted() {
    let repo = repository();
    let server = server_in_sync(repo.path());
    server.faults().rejected.insert("api-allow-web".into());
    let run = diff_cluster(&server, repo.path(), &[]);
    assert!(
        run.stdout
            .contains("the server rejects the intended object"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("validation.istio.io"), "{}", run.stdout);
}

#[test]
fn tls_and_authentication_failures_are_errors() {
    let repo = repository();
    let server = server_in_sync(repo.path());
    let untrusted = run_with(&server.kubeconfig_untrusted(), repo.path(), &[]);
    assert_eq!(untrusted.code, 2, "{}", untrusted.stderr);
    assert!(
        untrusted.stderr.to_lowercase().contains("certificate"),
        "{}",
        untrusted.stderr
    );
    let anonymous = run_with(&server.kubeconfig_anonymous(), repo.path(), &[]);
    assert_eq!(anonymous.code, 2, "{}", anonymous.stderr);
    assert!(
        anonymous.stderr.contains("Unauthorized"),
        "{}",
        anonymous.stderr
    );
    let insecure = run_with(&server.kubeconfig_insecure(), repo.path(), &[]);
    assert_eq!(insecure.code, 2, "{}", insecure.stderr);
    assert!(
        insecure.stderr.contains("--insecure-skip-tls-verify"),
        "{}",
        insecure.stderr
    );
    let accepted = run_with(
        &server.kubeconfig_insecure(),
        repo.path(),
        &["--insecure-skip-tls-verify"],
    );
    assert_eq!(accepted.code, 0, "{}\n{}", accepted.stdout, accepted.stderr);
    let unknown = run_with(&server.kubeconfig(), repo.path(), &["--context", "prod"]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown
            .stderr
            .contains("no context named \"prod\" (contexts: test-central)"),
        "{}",
        unknown.stderr
    );
    let missing = run_with(Path::new("/nonexistent/kubeconfig"), repo.path(), &[]);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("/nonexistent/kubeconfig"),
        "{}",
        missing.stderr
    );
}

#[test]
fn several_clusters_need_a_choice() {
    let repo = repository();
    let edge = repo.path().join("clusters/edge-1");
    std::fs::create_dir_all(&edge).expect("mkdir");
    std::fs::write(
        edge.join("ns.yaml"),
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: edge\n",
    )
    .expect("write");
    let server = server_in_sync(repo.path());
    let output = meshwright()
        .current_dir(repo.path())
        .args(["diff", "--cluster", "--kubeconfig"])
        .arg(server.kubeconfig())
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("several clusters (central, edge-1)"),
        "{stderr}"
    );
    let chosen = meshwright()
        .current_dir(repo.path())
        .args([
            "diff",
            "--cluster",
            "--repo-cluster",
            "central",
            "--kubeconfig",
        ])
        .arg(server.kubeconfig())
        .output()
        .expect("runs");
    assert_eq!(
        chosen.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&chosen.stdout)
    );
}

// ---------------------------------------------------------------- audit

fn pod(namespace: &str, name: &str, app: &str, proxy: bool, extra_labels: Value) -> Value {
    let mut containers = vec![json!({"name": app, "image": format!("registry.example/{app}:1")})];
    if proxy {
        containers.push(json!({"name": "istio-proxy", "image": "docker.io/istio/proxyv2:1.28.0"}));
    }
    let mut labels = json!({"app": app});
    if let (Some(labels), Some(extra)) = (labels.as_object_mut(), extra_labels.as_object()) {
        labels.extend(extra.clone());
    }
    json!({"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": name, "namespace": namespace, "labels": labels},
           "spec": {"containers": containers}, "status": {"phase": "Running"}})
}

fn certificate(namespace: &str, name: &str, ready: bool, days: i64) -> Value {
    let not_after = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_hours(24 * days))
        .expect("time")
        .to_string();
    let condition = if ready {
        json!({"type": "Ready", "status": "True", "reason": "Ready", "message": "Certificate is up to date and has not expired"})
    } else {
        json!({"type": "Ready", "status": "False", "reason": "Issuing", "message": "Issuing certificate as Secret does not exist"})
    };
    json!({"apiVersion": "cert-manager.io/v1", "kind": "Certificate",
           "metadata": {"name": name, "namespace": namespace},
           "spec": {"secretName": name, "issuerRef": {"name": "mesh-ca", "kind": "ClusterIssuer"}},
           "status": {"notAfter": not_after, "conditions": [condition]}})
}

fn audit_server() -> ApiServer {
    let server = ApiServer::start();
    for (name, labels) in [
        ("shop", json!({"istio-injection": "enabled"})),
        ("billing", json!({"istio.io/rev": "1-28"})),
        ("legacy", json!({})),
        ("istio-system", json!({})),
        ("kube-system", json!({})),
    ] {
        server.insert(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}));
    }
    for pod in [
        pod("shop", "web-7d4f-1", "web", true, json!({})),
        pod("shop", "web-7d4f-2", "web", true, json!({})),
        pod("shop", "api-5c9b-1", "api", true, json!({})),
        pod("shop", "api-5c9b-2", "api", false, json!({})),
        pod(
            "shop",
            "migrate-x1",
            "migrate",
            false,
            json!({"sidecar.istio.io/inject": "false"}),
        ),
        pod("billing", "ledger-1", "ledger", true, json!({})),
        pod("legacy", "cron-1", "cron", false, json!({})),
        pod("kube-system", "coredns-1", "coredns", false, json!({})),
    ] {
        server.insert_raw(pod);
    }
    let mut finished = pod("shop", "job-done", "job", false, json!({}));
    finished["status"]["phase"] = json!("Succeeded");
    server.insert_raw(finished);
    for policy in [
        json!({"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication",
               "metadata": {"name": "default", "namespace": "istio-system"}, "spec": {"mtls": {"mode": "STRICT"}}}),
        json!({"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication",
               "metadata": {"name": "migration", "namespace": "billing"}, "spec": {"mtls": {"mode": "PERMISSIVE"}}}),
        json!({"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication",
               "metadata": {"name": "metrics", "namespace": "shop"},
               "spec": {"selector": {"matchLabels": {"app": "api"}}, "mtls": {"mode": "STRICT"},
                        "portLevelMtls": {"9090": {"mode": "DISABLE"}}}}),
    ] {
        server.insert(policy);
    }
    for certificate in [
        certificate("istio-system", "cacerts", true, 300),
        certificate("istio-system", "ingress-tls", true, 5),
        certificate("shop", "api-tls", false, 60),
    ] {
        server.insert_raw(certificate);
    }
    server
}

fn audit(server: &ApiServer, extra: &[&str]) -> Run {
    audit_in(server, server.dir(), extra)
}

fn audit_in(server: &ApiServer, dir: &Path, extra: &[&str]) -> Run {
    let output = meshwright()
        .current_dir(dir)
        .args(["audit", "--cluster", "--kubeconfig"])
        .arg(server.kubeconfig())
        .args(extra)
        .output()
        .expect("runs");
    Run {
        code: output.status.code().expect("exit code"),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[test]
fn audit_finds_missing_sidecars_weak_policies_certificates_and_coverage() {
    let server = audit_server();
    let run = audit(&server, &["-o", "json"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let found = json_of(&run);
    let pods: Vec<(&str, &str)> = found["pods_without_sidecar"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["name"].as_str().unwrap(), p["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(pods.len(), 2, "{pods:?}");
    assert_eq!(pods[0].0, "api-5c9b-2");
    assert!(pods[0].1.contains("restart it"));
    assert_eq!(pods[1].0, "migrate-x1");
    assert!(pods[1].1.contains("opted out"));
    let policies: Vec<String> = found["peer_authentications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{}/{} {} {}",
                p["namespace"], p["name"], p["scope"], p["mode"]
            )
            .replace('"', "")
        })
        .collect();
    assert_eq!(
        policies,
        [
            "billing/migration namespace PERMISSIVE",
            "shop/metrics workload port 9090: DISABLE"
        ]
    );
    let certificates: Vec<(&str, &str)> = found["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap(), c["message"].as_str().unwrap()))
        .collect();
    assert_eq!(certificates.len(), 2, "{certificates:?}");
    assert_eq!(certificates[0].0, "ingress-tls");
    assert!(
        certificates[0].1.starts_with("expires in 4 day(s)")
            || certificates[0].1.starts_with("expires in 5 day(s)"),
        "{certificates:?}"
    );
    assert_eq!(certificates[1].0, "api-tls");
    assert!(
        certificates[1].1.contains("not ready: Issuing"),
        "{certificates:?}"
    );
    let coverage: Vec<String> = found["coverage"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{} {}/{}/{} {}",
                c["namespace"], c["pods"], c["with_sidecar"], c["strict"], c["percent"]
            )
            .replace('"', "")
        })
        .collect();
    // billing is PERMISSIVE; shop: 3 of 5 pods have a proxy and STRICT; kube-system left out.
    assert_eq!(
        coverage,
        ["billing 1/1/0 0.0", "legacy 1/0/0 0.0", "shop 5/3/3 60.0"]
    );
    assert_eq!(server.writes(), 0);
}

#[test]
fn audit_window_decides_what_expires_soon() {
    let server = audit_server();
    let run = audit(&server, &["--expiry-window", "72h", "-o", "json"]);
    let found = json_of(&run);
    let names: Vec<&str> = found["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["api-tls"]);
    let bad = audit(&server, &["--expiry-window", "soon"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("not a duration"), "{}", bad.stderr);
}

#[test]
fn audit_human_output_has_a_coverage_table() {
    let server = audit_server();
    let run = audit(&server, &[]);
    assert_eq!(run.code, 1);
    let row = |namespace: &str| -> Vec<String> {
        let line = run
            .stdout
            .lines()
            .find(|l| l.split_whitespace().next() == Some(namespace))
            .expect("row");
        line.split_whitespace().map(str::to_string).collect()
    };
    assert_eq!(row("shop"), ["shop", "5", "3", "3", "60.0%"]);
    assert_eq!(
        row("legacy"),
        [
            "legacy",
            "1",
            "0",
            "0",
            "0.0%",
            "(not",
            "a",
            "mesh",
            "namespace)"
        ]
    );
    assert!(
        run.stdout.contains("shop/migrate-x1: opted out"),
        "{}",
        run.stdout
    );
}

#[test]
fn audit_with_unreadable_pods_is_partial() {
    let server = audit_server();
    server.faults().forbidden.insert("pods".into());
    let run = audit(&server, &["-o", "json"]);
    assert_eq!(run.code, 3, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(json_of(&run)["unread"][0]["what"], "pods");
}

#[test]
fn cluster_flags_without_cluster_are_usage_errors() {
    let repo = repository();
    let output = meshwright()
        .current_dir(repo.path())
        .args(["diff", "--base", "main", "--context", "prod"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--context needs --cluster"));
    let both = meshwright()
        .current_dir(repo.path())
        .args(["diff", "--base", "main", "--cluster"])
        .output()
        .expect("runs");
    assert_eq!(both.status.code(), Some(2));
}

#[test]
fn audit_window_comes_from_mesh_yaml() {
    let server = audit_server();
    // lowcode's mesh.yaml warns 24h ahead: the certificate expiring in five days is fine.
    let (_temp, repo) = common::init_example("lowcode");
    let run = audit_in(&server, &repo, &["-o", "json"]);
    let found = json_of(&run);
    let names: Vec<&str> = found["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["api-tls"]);
    assert_eq!(
        found["expiry_window"],
        "24h (mesh.yaml observability.certExpiryWarning)"
    );
    // Without a mesh.yaml: the generated alerts' 168h.
    let default = json_of(&audit(&server, &["-o", "json"]));
    assert_eq!(default["expiry_window"], "168h (default)");
    // A broken mesh.yaml stops the audit before any request.
    std::fs::write(repo.join("mesh.yaml"), "apiVersion: [\n").expect("write");
    let requests = server.requests().len();
    let broken = audit_in(&server, &repo, &[]);
    assert_eq!(broken.code, 2, "{}", broken.stderr);
    assert!(broken.stderr.contains("mesh.yaml:"), "{}", broken.stderr);
    assert_eq!(server.requests().len(), requests);
}
