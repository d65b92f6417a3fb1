//! `diff --cluster` and `audit --cluster` through the real kube-rs client, over HTTPS with
//! client-certificate authentication, against the test API server in `tests/apiserver`:
//! discovery, paginated lists, server-side apply dry-runs, normalization of server-set
//! fields, drift, policy changes, and every failure the issue names (403, 500, timeouts,
//! an expired continue token, TLS and authentication errors).

mod apiserver;
mod common;

use std::path::Path;
use std::time::{Duration, Instant};

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

/// The repository above and a test API server that runs its cluster.
struct Live {
    repo: tempfile::TempDir,
    server: ApiServer,
}

impl Live {
    /// The server holds exactly what the repository renders, applied by Flux.
    fn in_sync() -> Live {
        Live::edited(|_| {})
    }

    /// The server holds what the repository renders after `edit` (changes made live).
    fn edited(edit: impl FnOnce(&mut Vec<Value>)) -> Live {
        Live::extended("", edit)
    }

    /// The same, with the YAML documents `extra` added to the repository's apps.yaml.
    fn extended(extra: &str, edit: impl FnOnce(&mut Vec<Value>)) -> Live {
        let repo = repository();
        let apps = repo.path().join("clusters/central/apps.yaml");
        std::fs::write(&apps, format!("{APPS}{extra}")).expect("write");
        let mut objects = rendered(repo.path());
        edit(&mut objects);
        let server = ApiServer::start();
        for object in objects {
            server.insert(object);
        }
        Live { repo, server }
    }

    /// `meshwright diff --cluster [extra...] clusters/central` with the server's kubeconfig.
    fn diff(&self, extra: &[&str]) -> Run {
        self.diff_with(&self.server.kubeconfig(), extra)
    }

    /// The same with another kubeconfig.
    fn diff_with(&self, kubeconfig: &Path, extra: &[&str]) -> Run {
        diff_cluster(
            self.repo.path(),
            kubeconfig,
            &[extra, &["clusters/central"]].concat(),
        )
    }

    /// Replaces a file of the repository's cluster directory.
    fn write(&self, file: &str, text: &str) {
        let path = self.repo.path().join("clusters/central").join(file);
        std::fs::write(path, text).expect("write");
    }
}

/// The object of `kind` named `name` among `objects`.
fn object<'a>(objects: &'a mut [Value], kind: &str, name: &str) -> &'a mut Value {
    objects
        .iter_mut()
        .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no {kind} {name}"))
}

/// How one run of meshwright ended.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn of(command: &mut assert_cmd::Command) -> Run {
        let output = command.output().expect("runs");
        Run {
            code: output.status.code().expect("exit code"),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// The run, once its exit code is checked to be `code`.
    #[track_caller]
    fn expect(self, code: i32) -> Run {
        assert_eq!(
            self.code, code,
            "exit code; stdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Checks that stdout contains `text`.
    #[track_caller]
    fn shows(&self, text: &str) -> &Run {
        assert_contains(&self.stdout, text);
        self
    }

    /// Checks that stderr contains `text`.
    #[track_caller]
    fn says(&self, text: &str) -> &Run {
        assert_contains(&self.stderr, text);
        self
    }

    /// Checks that neither stdout nor stderr contains `text`.
    #[track_caller]
    fn never_prints(&self, text: &str) -> &Run {
        let both = format!("{}\n{}", self.stdout, self.stderr);
        assert!(!both.contains(text), "{text:?} printed:\n{both}");
        self
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {}", self.stdout))
    }
}

/// `run`'s run, checked to have ended within `limit`.
#[track_caller]
fn finished_within(limit: Duration, run: impl FnOnce() -> Run) -> Run {
    let start = Instant::now();
    let done = run();
    assert!(start.elapsed() < limit, "took {:?}", start.elapsed());
    done
}

#[track_caller]
fn assert_contains(output: &str, text: &str) {
    assert!(output.contains(text), "{text:?} not in:\n{output}");
}

/// `meshwright diff --cluster --kubeconfig KUBECONFIG ARGS...` in `dir`.
fn diff_cluster(dir: &Path, kubeconfig: &Path, args: &[&str]) -> Run {
    Run::of(
        meshwright()
            .current_dir(dir)
            .args(["diff", "--cluster", "--kubeconfig"])
            .arg(kubeconfig)
            .args(args),
    )
}

/// `fields` of every item of the JSON list `list`, joined by spaces (strings unquoted).
fn rows(list: &Value, fields: &[&str]) -> Vec<String> {
    let text = |value: &Value| {
        value
            .as_str()
            .map_or_else(|| value.to_string(), str::to_string)
    };
    list.as_array()
        .expect("a list")
        .iter()
        .map(|item| {
            fields
                .iter()
                .map(|field| text(&item[field]))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// What a partial run (`-o json`, exit code 3) could not read, as "what: reason".
fn unread(run: Run) -> Vec<String> {
    rows(&run.expect(3).json()["unread"], &["what", "reason"])
        .into_iter()
        .map(|row| row.replacen(' ', ": ", 1))
        .collect()
}

#[test]
fn a_cluster_in_sync_has_no_differences_and_is_read_with_lists_and_dry_runs() {
    let live = Live::in_sync();
    live.diff(&[]).expect(0).shows("no differences");
    let requests = live.server.requests();
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
    assert_eq!(patches.len(), rendered(live.repo.path()).len());
    for patch in &patches {
        assert_eq!(patch.query["dryRun"], "All");
        assert_eq!(patch.query["fieldManager"], "kustomize-controller");
        assert_eq!(patch.query["force"], "true");
    }
    assert_eq!(live.server.writes(), 0);
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
                let args = [&["--repo-cluster", cluster][..], extra].concat();
                let run = diff_cluster(&repo, &server.kubeconfig(), &args);
                assert_eq!(run.code, 0, "{example}/{cluster} {extra:?}: {}", run.stdout);
                assert!(
                    !run.stdout.contains("note:"),
                    "{example}/{cluster}: {}",
                    run.stdout
                );
            }
            assert_eq!(server.writes(), 0);
        }
    }
}

#[test]
fn without_dry_runs_server_defaults_are_not_differences() {
    let live = Live::in_sync();
    live.diff(&["--no-server-dry-run"]).expect(0);
    assert!(live.server.requests().iter().all(|r| r.method == "GET"));
}

/// The server lists a kind in the version the repository writes most; an object written in
/// another version of its kind is the same object (the server converts).
#[test]
fn objects_written_in_another_version_of_their_kind_are_not_differences() {
    let live = Live::in_sync();
    live.write(
        "policy.yaml",
        &POLICY.replacen(
            "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy",
            "apiVersion: security.istio.io/v1beta1\nkind: AuthorizationPolicy",
            1,
        ),
    );
    for extra in [&[][..], &["--no-server-dry-run"][..]] {
        live.diff(extra).expect(0).shows("no differences");
    }
}

#[test]
fn live_changes_show_as_object_diffs_policy_changes_and_drift() {
    let live = Live::edited(|objects| {
        object(objects, "PeerAuthentication", "default")["spec"]["mtls"]["mode"] =
            json!("PERMISSIVE");
        object(objects, "Deployment", "api")["spec"]["template"]["spec"]["containers"][0]["image"] =
            json!("registry.example/api:1.9.9");
    });
    // Someone added a policy by hand.
    live.server.insert_applied_by(
        "kubectl-client-side-apply",
        json!({"apiVersion": "security.istio.io/v1", "kind": "AuthorizationPolicy",
               "metadata": {"name": "debug-allow-all", "namespace": "shop"},
               "spec": {"action": "ALLOW", "rules": [{}]}}),
    );
    let diff = live.diff(&["-o", "json"]).expect(1).json();
    assert_eq!(
        rows(&diff["objects"], &["change", "kind", "name"]),
        [
            "modified Deployment api",
            "modified PeerAuthentication default"
        ]
    );
    let deployment = diff["objects"][0]["diff"].as_str().unwrap();
    assert!(
        deployment.contains("-      - image: registry.example/api:1.9.9"),
        "{deployment}"
    );
    assert!(deployment.contains("+      - image: registry.example/api:2.0.1"));
    assert_eq!(
        diff["drift"],
        json!([{"cluster": "central", "group": "security.istio.io",
        "kind": "AuthorizationPolicy", "namespace": "shop", "name": "debug-allow-all"}])
    );
    // Syncing the repository closes what the hand-made policy opened, and requires mTLS again.
    let risks = rows(&diff["policy"], &["risk"]);
    assert!(risks.iter().any(|r| r == "closes"), "{risks:?}");
    assert!(risks.iter().any(|r| r == "strengthens"), "{risks:?}");
    assert!(
        risks
            .iter()
            .all(|r| !matches!(r.as_str(), "opens" | "weakens")),
        "{risks:?}"
    );
    assert_eq!(live.server.writes(), 0);
}

#[test]
fn the_dry_run_shows_fields_the_controller_would_remove() {
    let live = Live::edited(|objects| {
        object(objects, "Deployment", "web")["metadata"]["labels"]["team"] = json!("checkout");
    });
    let run = live.diff(&[]).expect(1);
    assert!(
        run.stdout.contains("modified Deployment.apps shop/web")
            || run
                .stdout
                .contains("modified [central] Deployment.apps shop/web"),
        "{}",
        run.stdout
    );
    run.shows("-    team: checkout");
}

#[test]
fn secret_values_are_masked_in_live_diffs() {
    let live = Live::edited(|objects| {
        let secret = object(objects, "Secret", "api-credentials");
        secret.as_object_mut().unwrap().remove("stringData");
        secret["data"] = json!({"password": "bGl2ZS12YWx1ZS1ub3QtdG8tcHJpbnQ="}); // live-value-not-to-print
    });
    for format in ["human", "json", "markdown"] {
        let run = live.diff(&["-o", format]).expect(1);
        run.shows("Secret");
        for secret in [
            "bGl2ZS12YWx1ZS1ub3QtdG8tcHJpbnQ=",
            "live-value-not-to-print",
            "repo-value-not-to-print",
            "cmVwby12YWx1ZS1ub3QtdG8tcHJpbnQ=",
        ] {
            run.never_prints(secret);
        }
    }
}

/// Credentials in a kubeconfig, or printed by its exec plugin, never reach an error message:
/// not through the YAML parser's snippet of the file, nor through kube-rs's report of what a
/// failed plugin printed.
#[test]
fn credentials_never_appear_in_error_messages() {
    const TOKEN: &str = "token-not-to-print";
    let live = Live::in_sync();
    let broken = live.server.dir().join("broken-kubeconfig");
    std::fs::write(
        &broken,
        format!(
            "apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user:\n    token: {TOKEN}\n    password: [unclosed\n"
        ),
    )
    .expect("write");
    live.diff_with(&broken, &[])
        .expect(2)
        .says("line 7")
        .never_prints(TOKEN);
    let credential = |expiry: &str| {
        format!(
            "echo '{{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{{\"token\":\"{TOKEN}\",\"expirationTimestamp\":{expiry}}}}}'"
        )
    };
    let valid = credential("\"2099-01-01T00:00:00Z\"");
    let unparsable = credential("[1]");
    let expired = credential("\"2020-01-01T00:00:00Z\"");
    for (plugin, script, error) in [
        ("unparsable", unparsable.clone(), "not an ExecCredential"),
        (
            "failing",
            format!("{valid}\necho 'login expired' >&2\nexit 1"),
            "login expired",
        ),
        // Valid once, but expired: the refresh before the first request fails.
        (
            "refreshing",
            format!(
                "if [ -e \"$0.ran\" ]; then {unparsable}; else touch \"$0.ran\"; {expired}; fi"
            ),
            "not an ExecCredential",
        ),
    ] {
        let kubeconfig = live.server.kubeconfig_exec(plugin, &script);
        live.diff_with(&kubeconfig, &[])
            .expect(2)
            .says(error)
            .never_prints(TOKEN);
    }
}

#[test]
fn an_object_missing_live_is_added() {
    let live = Live::edited(|objects| objects.retain(|o| o["metadata"]["name"] != "api-allow-web"));
    let diff = live.diff(&["-o", "json"]).expect(1).json();
    assert_eq!(diff["objects"][0]["change"], "added");
    assert_eq!(diff["objects"][0]["name"], "api-allow-web");
    // Live, allow-nothing denies everything into shop; the repository lets web call api.
    let opens = rows(&diff["policy"], &["risk", "from", "to"]);
    assert!(
        opens.iter().any(|p| p == "opens shop/web shop/api"),
        "{opens:?}"
    );
}

/// An object a controller adopted (ownerReferences live) is still the repository's object:
/// compared, not added — and a controller's own objects are not drift.
#[test]
fn objects_a_controller_adopted_are_compared_not_added() {
    let owner = json!([{"apiVersion": "example.io/v1", "kind": "WebApp", "name": "web",
                        "uid": "uid-owner", "controller": true}]);
    let live = Live::in_sync();
    live.server.update("deployments", "shop", "web", |web| {
        web["metadata"]["ownerReferences"] = owner.clone();
    });
    let mut made = rendered(live.repo.path())
        .into_iter()
        .find(|o| o["kind"] == "Deployment" && o["metadata"]["name"] == "web")
        .expect("web");
    made["metadata"]["name"] = json!("web-canary");
    made["metadata"]["ownerReferences"] = owner;
    live.server.insert(made);
    for extra in [&[][..], &["--no-server-dry-run"][..]] {
        live.diff(extra).expect(0).shows("no differences");
    }
    assert!(
        live.server
            .requested("/apis/apps/v1/namespaces/shop/deployments/web")
    );
}

/// A repository that manages one ClusterIssuer does not make every ClusterIssuer of the
/// cluster drift: only those with the repository's ownership marker.
#[test]
fn cluster_scoped_drift_needs_an_ownership_marker_of_the_repository() {
    let issuer = |name: &str, labels: Value| {
        json!({"apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer",
               "metadata": {"name": name, "labels": labels}, "spec": {"selfSigned": {}}})
    };
    let live = Live::extended(
        "---
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata:
  name: mesh-root
  labels:
    app.kubernetes.io/managed-by: meshwright
spec:
  selfSigned: {}
",
        |_| {},
    );
    live.server.insert(issuer("letsencrypt", json!({})));
    live.server.insert(issuer(
        "vault",
        json!({"app.kubernetes.io/managed-by": "Helm"}),
    ));
    live.server.insert(issuer(
        "old-root",
        json!({"app.kubernetes.io/managed-by": "meshwright"}),
    ));
    let diff = live.diff(&["-o", "json"]).expect(1).json();
    assert_eq!(
        rows(&diff["drift"], &["kind", "name"]),
        ["ClusterIssuer old-root"]
    );
    assert_eq!(diff["objects"], json!([]));
}

/// A repository object of a namespaced kind that names no namespace is applied into
/// `default`: it is compared (and dry-run) there, not shown as added.
#[test]
fn objects_without_a_namespace_are_compared_in_default() {
    let live = Live::extended(
        "---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: strict
",
        |_| {},
    );
    // What the API server makes in `default` by itself is not drift there.
    live.server
        .insert_raw(json!({"apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "kubernetes", "namespace": "default"},
        "spec": {"ports": [{"name": "https", "port": 443, "targetPort": 6443}]}}));
    for extra in [&[][..], &["--no-server-dry-run"][..]] {
        live.diff(extra).expect(0).shows("no differences");
    }
    let patched =
        live.server.requests().into_iter().any(|r| {
            r.method == "PATCH" && r.path == "/api/v1/namespaces/default/configmaps/settings"
        });
    assert!(patched);
}

#[test]
fn pages_are_followed_until_the_list_ends() {
    let live = Live::in_sync();
    live.server.faults().page_size = Some(1);
    live.diff(&[]).expect(0);
    let continued: Vec<_> = live
        .server
        .requests()
        .into_iter()
        .filter(|r| r.path == "/apis/apps/v1/deployments" && r.query.contains_key("continue"))
        .collect();
    assert_eq!(continued.len(), 1, "two deployments, one per page");
}

#[test]
fn classic_discovery_is_used_when_aggregated_discovery_is_not_served() {
    let live = Live::in_sync();
    live.server.faults().classic_discovery_only = true;
    live.diff(&[]).expect(0);
    assert!(live.server.requested("/apis/security.istio.io/v1"));
}

#[test]
fn a_forbidden_kind_makes_the_diff_partial_and_says_what_was_not_read() {
    let live = Live::in_sync();
    let forbidden = "authorizationpolicies";
    live.server.faults().forbidden.insert(forbidden.into());
    let run = live.diff(&[]).expect(3);
    assert!(!run.stdout.contains("\nno differences\n"), "{}", run.stdout);
    run.shows("partial");
    // Forbidden cluster-wide, then in each namespace the repository manages.
    for namespace in ["istio-system", "shop"] {
        run.shows(&format!(
            "{forbidden}.security.istio.io in {namespace}: Forbidden (403)"
        ));
    }
    run.shows("policy not compared").says("partial read");
}

#[test]
fn a_cluster_wide_403_falls_back_to_one_list_per_namespace() {
    let live = Live::in_sync();
    live.server
        .faults()
        .forbidden_cluster_wide
        .insert("deployments".into());
    live.diff(&[]).expect(0);
    assert!(
        live.server
            .requested("/apis/apps/v1/namespaces/shop/deployments")
    );
}

#[test]
fn a_server_error_makes_the_diff_partial() {
    let live = Live::in_sync();
    live.server.faults().server_error.insert("services".into());
    let unread = unread(live.diff(&["-o", "json"]));
    assert!(
        unread[0].starts_with("services: InternalError (500)"),
        "{unread:?}"
    );
}

/// A list answered too late — at once after a delay, or a byte at a time so that the
/// connection is never idle — times out and leaves its kind unread.
#[test]
fn a_slow_list_times_out_and_makes_the_diff_partial() {
    let slow = Live::in_sync();
    slow.server
        .faults()
        .slow
        .insert("deployments".into(), Duration::from_secs(4));
    let trickled = Live::in_sync();
    trickled
        .server
        .faults()
        .trickle
        .insert("deployments".into(), Duration::from_secs(6));
    for live in [slow, trickled] {
        let unread = unread(live.diff(&["--request-timeout", "1", "-o", "json"]));
        assert_eq!(unread.len(), 1, "{unread:?}");
        let reason = unread[0].to_lowercase();
        assert!(reason.starts_with("deployments.apps: "), "{reason}");
        assert!(
            reason.contains("timed out")
                || reason.contains("timeout")
                || reason.contains("elapsed"),
            "{reason}"
        );
    }
}

/// A dry-run that does not answer in time is compared without the server, and says so.
#[test]
fn a_dry_run_that_times_out_falls_back_to_the_normalized_comparison() {
    let live = Live::in_sync();
    live.server.faults().trickle_patches = Some(Duration::from_secs(10));
    finished_within(Duration::from_secs(8), || {
        live.diff(&["--request-timeout", "1"])
    })
    .expect(0)
    .shows("server-side dry-run failed, compared without it")
    .shows("timed out");
}

#[test]
fn an_expired_continue_token_makes_the_diff_partial() {
    let live = Live::in_sync();
    live.server.faults().page_size = Some(1);
    live.server
        .faults()
        .expired_continue
        .insert("serviceaccounts".into());
    let run = live.diff(&[]).expect(3);
    run.shows("serviceaccounts: Expired (410)");
    // The half-read kind is not reported as drift or as missing objects.
    assert!(!run.stdout.contains("added"), "{}", run.stdout);
}

/// A server that never ends a list — the same continue token again, or a new one on every
/// page — is not followed for ever: that kind is unread.
#[test]
fn a_list_that_never_ends_makes_the_diff_partial() {
    let live = Live::in_sync();
    {
        let mut faults = live.server.faults();
        faults.repeated_continue.insert("serviceaccounts".into());
        faults.endless_continue.insert("deployments".into());
    }
    let run = Run::of(
        meshwright()
            .current_dir(live.repo.path())
            .args(["diff", "--cluster", "-o", "json", "--kubeconfig"])
            .arg(live.server.kubeconfig())
            .arg("clusters/central")
            .timeout(Duration::from_secs(60)),
    );
    assert_eq!(
        unread(run),
        [
            "deployments.apps: the server still had more after 2000 pages of up to 500 items: \
             the list was not read to its end",
            "serviceaccounts: the server sent the same continue token again on page 2: the \
             list never ends, so it was not read"
        ]
    );
}

#[test]
fn a_forbidden_dry_run_falls_back_to_the_normalized_comparison() {
    let live = Live::in_sync();
    live.server.faults().patch_forbidden = true;
    live.diff(&[])
        .expect(0)
        .shows("server-side dry-run not permitted");
}

#[test]
fn a_dry_run_the_server_does_not_support_falls_back_to_the_normalized_comparison() {
    let live = Live::in_sync();
    let policies = "authorizationpolicies";
    live.server
        .faults()
        .patch_unsupported
        .insert(policies.into());
    live.diff(&[])
        .expect(0)
        .shows(
            "AuthorizationPolicy.security.istio.io: the server does not support server-side \
             apply for this resource",
        )
        .never_prints("not permitted");
}

#[test]
fn an_object_the_server_rejects_is_noted() {
    let live = Live::in_sync();
    live.server.faults().rejected.insert("api-allow-web".into());
    live.diff(&[])
        .shows("the server rejects the intended object")
        .shows("validation.istio.io");
}

#[test]
fn tls_and_authentication_failures_are_errors() {
    let live = Live::in_sync();
    let server = &live.server;
    let untrusted = live
        .diff_with(&server.kubeconfig_untrusted(), &[])
        .expect(2);
    assert!(
        untrusted.stderr.to_lowercase().contains("certificate"),
        "{}",
        untrusted.stderr
    );
    live.diff_with(&server.kubeconfig_anonymous(), &[])
        .expect(2)
        .says("Unauthorized");
    live.diff_with(&server.kubeconfig_insecure(), &[])
        .expect(2)
        .says("--insecure-skip-tls-verify");
    live.diff_with(
        &server.kubeconfig_insecure(),
        &["--insecure-skip-tls-verify"],
    )
    .expect(0);
    live.diff(&["--context", "prod"])
        .expect(2)
        .says("no context named \"prod\" (contexts: test-central)");
    live.diff_with(Path::new("/nonexistent/kubeconfig"), &[])
        .expect(2)
        .says("/nonexistent/kubeconfig");
}

/// A plain http:// server would get the client's credentials in clear: refused like
/// insecure-skip-tls-verify, unless --insecure-skip-tls-verify is passed.
#[test]
fn a_plain_http_server_is_refused_unless_insecure_is_passed() {
    let live = Live::in_sync();
    let kubeconfig = live.server.kubeconfig_plain_http();
    live.diff_with(&kubeconfig, &[])
        .expect(2)
        .says("is plain http://: credentials and objects would cross the network unencrypted")
        .says("--insecure-skip-tls-verify");
    assert!(live.server.requests().is_empty());
    // Accepted with the flag (this server speaks only HTTPS, so the request then fails).
    live.diff_with(&kubeconfig, &["--insecure-skip-tls-verify"])
        .never_prints("is plain http://");
}

/// A credential plugin that never answers costs the request timeout, and the error names
/// the context, never what the plugin printed.
#[test]
fn a_credential_plugin_that_hangs_times_out() {
    let live = Live::in_sync();
    let kubeconfig = live
        .server
        .kubeconfig_exec("hanging", "echo token-not-to-print\nsleep 20");
    finished_within(Duration::from_secs(10), || {
        live.diff_with(&kubeconfig, &["--request-timeout", "1"])
    })
    .expect(2)
    .says("context test-central: the credential plugin (exec) gave no credentials within 1s")
    .never_prints("token-not-to-print");
    // Valid once but expired, then hanging when kube-rs asks again: bounded the same way,
    // and meshwright exits without waiting for the plugin.
    let expired = "echo '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"token-not-to-print\",\"expirationTimestamp\":\"2020-01-01T00:00:00Z\"}}'";
    let kubeconfig = live.server.kubeconfig_exec(
        "hanging-on-refresh",
        &format!("if [ -e \"$0.ran\" ]; then sleep 20; else touch \"$0.ran\"; {expired}; fi"),
    );
    finished_within(Duration::from_secs(10), || {
        live.diff_with(&kubeconfig, &["--request-timeout", "1"])
    })
    .expect(2)
    .says("gave no credentials within 1s")
    .never_prints("token-not-to-print");
}

#[test]
fn several_clusters_need_a_choice() {
    let live = Live::in_sync();
    let edge = live.repo.path().join("clusters/edge-1");
    std::fs::create_dir_all(&edge).expect("mkdir");
    std::fs::write(
        edge.join("ns.yaml"),
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: edge\n",
    )
    .expect("write");
    let kubeconfig = live.server.kubeconfig();
    diff_cluster(live.repo.path(), &kubeconfig, &[])
        .expect(2)
        .says("several clusters (central, edge-1)");
    diff_cluster(
        live.repo.path(),
        &kubeconfig,
        &["--repo-cluster", "central"],
    )
    .expect(0);
}

#[test]
fn cluster_flags_without_cluster_are_usage_errors() {
    let repo = repository();
    let diff =
        |args: &[&str]| Run::of(meshwright().current_dir(repo.path()).arg("diff").args(args));
    diff(&["--base", "main", "--context", "prod"])
        .expect(2)
        .says("--context needs --cluster");
    diff(&["--base", "main", "--cluster"]).expect(2);
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

/// `meshwright audit --cluster [extra...]` of `server`, in the server's own directory.
fn audit(server: &ApiServer, extra: &[&str]) -> Run {
    audit_in(server, server.dir(), extra)
}

/// The same, in `dir` (where a mesh.yaml may set the expiry window).
fn audit_in(server: &ApiServer, dir: &Path, extra: &[&str]) -> Run {
    Run::of(
        meshwright()
            .current_dir(dir)
            .args(["audit", "--cluster", "--kubeconfig"])
            .arg(server.kubeconfig())
            .args(extra),
    )
}

#[test]
fn audit_finds_missing_sidecars_weak_policies_certificates_and_coverage() {
    let server = audit_server();
    let found = audit(&server, &["-o", "json"]).expect(1).json();
    let pods = rows(&found["pods_without_sidecar"], &["name", "reason"]);
    assert_eq!(pods.len(), 2, "{pods:?}");
    assert!(pods[0].starts_with("api-5c9b-2 "), "{pods:?}");
    assert!(pods[0].contains("restart it"), "{pods:?}");
    assert!(pods[1].starts_with("migrate-x1 opted out"), "{pods:?}");
    assert_eq!(
        rows(
            &found["peer_authentications"],
            &["namespace", "name", "scope", "mode"]
        ),
        [
            "billing migration namespace PERMISSIVE",
            "shop metrics workload port 9090: DISABLE"
        ]
    );
    let certificates = rows(&found["certificates"], &["name", "message"]);
    assert_eq!(certificates.len(), 2, "{certificates:?}");
    assert!(
        certificates[0].starts_with("ingress-tls expires in 4 day(s)")
            || certificates[0].starts_with("ingress-tls expires in 5 day(s)"),
        "{certificates:?}"
    );
    assert!(
        certificates[1].starts_with("api-tls ") && certificates[1].contains("not ready: Issuing"),
        "{certificates:?}"
    );
    // billing is PERMISSIVE; shop: 3 of 5 pods have a proxy and STRICT; kube-system left out.
    assert_eq!(
        rows(
            &found["coverage"],
            &["namespace", "pods", "with_sidecar", "strict", "percent"]
        ),
        ["billing 1 1 0 0.0", "legacy 1 0 0 0.0", "shop 5 3 3 60.0"]
    );
    assert_eq!(server.writes(), 0);
}

#[test]
fn audit_window_decides_what_expires_soon() {
    let server = audit_server();
    let found = audit(&server, &["--expiry-window", "72h", "-o", "json"]).json();
    assert_eq!(rows(&found["certificates"], &["name"]), ["api-tls"]);
    audit(&server, &["--expiry-window", "soon"])
        .expect(2)
        .says("not a duration");
}

#[test]
fn audit_human_output_has_a_coverage_table() {
    let server = audit_server();
    let run = audit(&server, &[]).expect(1);
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
    run.shows("shop/migrate-x1: opted out");
}

/// What depends on a kind that could not be read is unknown, not 0 or 0 %.
#[test]
fn audit_with_unreadable_pods_is_partial() {
    let server = audit_server();
    server.faults().forbidden.insert("pods".into());
    let run = audit(&server, &["-o", "json"]).expect(3);
    let found = run.json();
    assert_eq!(found["coverage"], "unknown: pods not read");
    assert_eq!(found["pods_without_sidecar"], "unknown: pods not read");
    assert_eq!(
        found["peer_authentications"].as_array().map(Vec::len),
        Some(2)
    );
    let unread = unread(run);
    assert!(unread[0].starts_with("pods: "), "{unread:?}");
    audit(&server, &[])
        .expect(3)
        .shows("mTLS coverage: unknown: pods not read")
        .shows("pods without a sidecar: unknown: pods not read")
        .shows("\npods without a sidecar in mesh namespaces: unknown: pods not read\n")
        .shows("\nmTLS coverage (running pods with a sidecar and STRICT mTLS): unknown: pods not read\n")
        .shows("\nPeerAuthentications that are not STRICT: 2\n")
        .never_prints("in mesh namespaces: 0")
        .never_prints("NAMESPACE");
}

#[test]
fn audit_without_peer_authentications_or_namespaces_says_what_is_unknown() {
    let server = audit_server();
    server
        .faults()
        .forbidden
        .extend(["peerauthentications".into(), "namespaces".into()]);
    let found = audit(&server, &["-o", "json"]).expect(3).json();
    assert_eq!(
        found["coverage"],
        "unknown: namespaces not read, PeerAuthentications not read"
    );
    assert_eq!(
        found["peer_authentications"],
        "unknown: PeerAuthentications not read"
    );
    assert_eq!(
        found["pods_without_sidecar"],
        "unknown: namespaces not read"
    );
    let run = audit(&server, &[]).expect(3);
    run.shows(
        "whether a mesh-wide PeerAuthentication exists in istio-system is unknown: \
         PeerAuthentications not read",
    )
    .never_prints("no mesh-wide PeerAuthentication");
}

/// Pods are paired with what the inventory read of them by namespace and name: a pod it
/// skips (no name) does not shift the others.
#[test]
fn audit_pairs_pods_by_identity() {
    let server = audit_server();
    let mut nameless = pod("billing", "", "ghost", false, json!({}));
    nameless["metadata"].as_object_mut().unwrap().remove("name");
    server.insert_raw(nameless);
    let found = audit(&server, &["-o", "json"]).expect(1).json();
    assert_eq!(
        rows(&found["pods_without_sidecar"], &["name"]),
        ["api-5c9b-2", "migrate-x1"]
    );
    assert_eq!(
        rows(
            &found["coverage"],
            &["namespace", "pods", "with_sidecar", "strict"]
        ),
        ["billing 1 1 0", "legacy 1 0 0", "shop 5 3 3"]
    );
}

#[test]
fn audit_leaves_out_every_kube_namespace() {
    let server = audit_server();
    server.insert(
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kube-flannel"}}),
    );
    server.insert_raw(pod(
        "kube-flannel",
        "flannel-1",
        "flannel",
        false,
        json!({}),
    ));
    let found = audit(&server, &["-o", "json"]).expect(1).json();
    assert_eq!(
        rows(&found["coverage"], &["namespace"]),
        ["billing", "legacy", "shop"]
    );
}

#[test]
fn audit_window_comes_from_mesh_yaml() {
    let server = audit_server();
    // lowcode's mesh.yaml warns 24h ahead: the certificate expiring in five days is fine.
    let (_temp, repo) = common::init_example("lowcode");
    let found = audit_in(&server, &repo, &["-o", "json"]).json();
    assert_eq!(rows(&found["certificates"], &["name"]), ["api-tls"]);
    assert_eq!(
        found["expiry_window"],
        "24h (mesh.yaml observability.certExpiryWarning)"
    );
    // Without a mesh.yaml: the generated alerts' 168h.
    let default = audit(&server, &["-o", "json"]).json();
    assert_eq!(default["expiry_window"], "168h (default)");
    // A broken mesh.yaml stops the audit before any request.
    std::fs::write(repo.join("mesh.yaml"), "apiVersion: [\n").expect("write");
    let requests = server.requests().len();
    audit_in(&server, &repo, &[]).expect(2).says("mesh.yaml:");
    assert_eq!(server.requests().len(), requests);
}
