//! `meshwright diff` between git revisions, over real repositories built with the `git` CLI:
//! object changes, masked Secrets, policy changes, the working tree, and exit codes.

mod common;

use std::path::PathBuf;

use common::git::Git;
use predicates::prelude::*;
use serde_json::Value;

const NAMESPACES: &str = "\
apiVersion: v1
kind: Namespace
metadata: {name: billing, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
";

const BILLING: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: billing}
spec:
  template:
    metadata: {labels: {app: api}}
    spec:
      serviceAccountName: api
      containers: [{name: api, image: 'api:1', ports: [{containerPort: 8080, name: http}]}]
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: billing}
spec:
  selector: {app: api}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: old, namespace: billing}
data: {mode: legacy}
";

const SHOP: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web}}
    spec: {serviceAccountName: web, containers: [{name: web, image: 'web:1'}]}
";

const AUTHZ: &str = "\
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: api-callers, namespace: billing}
spec:
  selector: {matchLabels: {app: api}}
  action: ALLOW
  rules:
    - from: [{source: {principals: ['cluster.local/ns/shop/sa/web']}}]
";

const SECRET: &str = "\
apiVersion: v1
kind: Secret
metadata: {name: db, namespace: billing}
data: {password: c3VwZXJzZWNyZXQ=}
stringData: {token: hunter2-token}
";

const BASE_KUSTOMIZATION: &str = "\
resources: [namespaces.yaml, billing.yaml, shop.yaml, authz.yaml, secret.yaml]
";

const CENTRAL: &str = "\
resources: [../../base]
";

/// A git repository in a temporary directory, with the fixture committed on `main`.
struct Repo {
    _dir: tempfile::TempDir,
    git: Git,
}

impl std::ops::Deref for Repo {
    type Target = Git;
    fn deref(&self) -> &Git {
        &self.git
    }
}

impl Repo {
    fn new() -> Repo {
        let dir = tempfile::tempdir().expect("temp dir");
        let git = Git::init(dir.path());
        git.write("base/namespaces.yaml", NAMESPACES);
        git.write("base/billing.yaml", BILLING);
        git.write("base/shop.yaml", SHOP);
        git.write("base/authz.yaml", AUTHZ);
        git.write("base/secret.yaml", SECRET);
        git.write("base/kustomization.yaml", BASE_KUSTOMIZATION);
        git.write("clusters/central/kustomization.yaml", CENTRAL);
        git.commit("initial");
        Repo { _dir: dir, git }
    }

    /// Sets the image of `api` (billing.yaml) or `web` (shop.yaml) to `version`.
    fn image(&self, app: &str, version: u32) {
        let (file, text) = match app {
            "api" => ("base/billing.yaml", BILLING),
            _ => ("base/shop.yaml", SHOP),
        };
        let image = |v: u32| format!("image: '{app}:{v}'");
        self.write(file, &text.replace(&image(1), &image(version)));
    }

    fn diff(&self, args: &[&str]) -> assert_cmd::assert::Assert {
        common::meshwright()
            .arg("diff")
            .args(args)
            .current_dir(self.path())
            .assert()
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.extend(["--output", "json"]);
        let output = self.diff(&all).code(1).get_output().stdout.clone();
        serde_json::from_slice(&output).expect("diff prints JSON")
    }
}

/// The object changes of a JSON diff as `(change, kind, namespace, name)`.
fn object_changes(diff: &Value) -> Vec<(String, String, String, String)> {
    diff["objects"]
        .as_array()
        .expect("objects list")
        .iter()
        .map(|o| {
            let s = |k: &str| o[k].as_str().unwrap_or_default().to_string();
            (s("change"), s("kind"), s("namespace"), s("name"))
        })
        .collect()
}

fn object<'a>(diff: &'a Value, kind: &str, name: &str) -> &'a Value {
    diff["objects"]
        .as_array()
        .expect("objects list")
        .iter()
        .find(|o| o["kind"] == kind && o["name"] == name)
        .unwrap_or_else(|| panic!("no change of {kind} {name} in {diff:#}"))
}

fn tuple(
    change: &str,
    kind: &str,
    namespace: &str,
    name: &str,
) -> (String, String, String, String) {
    (
        change.to_string(),
        kind.to_string(),
        namespace.to_string(),
        name.to_string(),
    )
}

#[test]
fn same_revision_has_no_differences_and_exits_0() {
    let repo = Repo::new();
    repo.diff(&["--base", "main", "--head", "HEAD"])
        .code(0)
        .stdout(predicate::str::contains("no differences"));
    // The working tree equals main too.
    repo.diff(&["--base", "main"]).code(0);
}

#[test]
fn added_removed_and_modified_objects() {
    let repo = Repo::new();
    repo.branch("feature", |r| {
        let billing = r
            .read("base/billing.yaml")
            .replace("image: 'api:1'", "image: 'api:2'")
            .replace(
                "metadata: {name: old, namespace: billing}\ndata: {mode: legacy}",
                "metadata: {name: settings, namespace: billing}\ndata: {mode: new}",
            );
        r.write("base/billing.yaml", &billing);
    });
    let diff = repo.json(&["--base", "main", "--head", "feature"]);
    assert_eq!(
        object_changes(&diff),
        vec![
            tuple("removed", "ConfigMap", "billing", "old"),
            tuple("added", "ConfigMap", "billing", "settings"),
            tuple("modified", "Deployment", "billing", "api"),
        ],
        "{diff:#}"
    );
    let deployment = object(&diff, "Deployment", "api");
    assert_eq!(deployment["group"], "apps");
    assert_eq!(deployment["cluster"], "central");
    let text = deployment["diff"].as_str().expect("diff text");
    assert!(text.contains("-      - image: api:1\n"), "{text}");
    assert!(text.contains("+      - image: api:2\n"), "{text}");
    assert_eq!(diff["summary"]["added"], 1);
    assert_eq!(diff["summary"]["removed"], 1);
    assert_eq!(diff["summary"]["modified"], 1);

    repo.diff(&["--base", "main", "--head", "feature"])
        .code(1)
        .stdout(predicate::str::contains(
            "removed  [central] ConfigMap billing/old",
        ))
        .stdout(predicate::str::contains(
            "added    [central] ConfigMap billing/settings",
        ))
        .stdout(predicate::str::contains(
            "modified [central] Deployment.apps billing/api",
        ));
    // The other direction swaps added and removed.
    let back = repo.json(&["--base", "feature", "--head", "main"]);
    assert!(object_changes(&back).contains(&tuple("added", "ConfigMap", "billing", "old")));
}

#[test]
fn secret_values_are_masked_in_every_format() {
    let repo = Repo::new();
    repo.branch("rotate", |r| {
        r.write(
            "base/secret.yaml",
            &SECRET
                .replace("c3VwZXJzZWNyZXQ=", "bmV3c2VjcmV0")
                .replace("hunter2-token", "hunter3-token"),
        );
    });
    let secrets = [
        "c3VwZXJzZWNyZXQ=",
        "bmV3c2VjcmV0",
        "hunter2-token",
        "hunter3-token",
    ];
    for format in ["human", "json", "markdown"] {
        let output = repo
            .diff(&["--base", "main", "--head", "rotate", "--output", format])
            .code(1)
            .get_output()
            .stdout
            .clone();
        let text = String::from_utf8(output).expect("utf-8");
        assert!(text.contains("Secret"), "{format}: {text}");
        assert!(text.contains("*** (changed)"), "{format}: {text}");
        for secret in secrets {
            assert!(!text.contains(secret), "{format} leaks {secret}: {text}");
        }
    }
    // An added Secret is masked too.
    repo.branch("more", |r| {
        r.write(
            "base/secret.yaml",
            &format!("{SECRET}---\n{}", SECRET.replace("name: db", "name: db2")),
        );
    });
    let text = String::from_utf8(
        repo.diff(&["--base", "main", "--head", "more", "-o", "json"])
            .code(1)
            .get_output()
            .stdout
            .clone(),
    )
    .expect("utf-8");
    assert!(text.contains("\"db2\""), "{text}");
    assert!(
        !text.contains("hunter2") && !text.contains("c3VwZXJzZWNyZXQ="),
        "{text}"
    );
}

#[test]
fn working_tree_is_the_default_head() {
    let repo = Repo::new();
    repo.write(
        "base/shop.yaml",
        &SHOP.replace("image: 'web:1'", "image: 'web:2'"),
    );
    let diff = repo.json(&["--base", "main"]);
    assert_eq!(diff["head"], "working tree");
    assert_eq!(
        object_changes(&diff),
        vec![tuple("modified", "Deployment", "shop", "web")]
    );
    // The uncommitted change is not in HEAD, and the repository was not touched.
    repo.diff(&["--base", "main", "--head", "HEAD"]).code(0);
    assert!(
        repo.run(&["status", "--porcelain"])
            .contains("base/shop.yaml")
    );
    assert!(repo.read("base/shop.yaml").contains("web:2"));
}

#[test]
fn an_overlay_change_shows_as_a_rendered_object_change() {
    let repo = Repo::new();
    repo.branch("scale", |r| {
        r.write(
            "clusters/central/kustomization.yaml",
            &format!("{CENTRAL}replicas: [{{name: api, count: 3}}]\n"),
        );
    });
    let diff = repo.json(&["--base", "main", "--head", "scale"]);
    assert_eq!(
        object_changes(&diff),
        vec![tuple("modified", "Deployment", "billing", "api")],
        "{diff:#}"
    );
    let text = object(&diff, "Deployment", "api")["diff"]
        .as_str()
        .expect("diff text");
    assert!(text.contains("+  replicas: 3\n"), "{text}");
}

#[test]
fn a_removed_principal_is_an_edge_newly_denied() {
    let repo = Repo::new();
    repo.branch("lockdown", |r| {
        r.write(
            "base/authz.yaml",
            &AUTHZ.replace(
                "cluster.local/ns/shop/sa/web",
                "cluster.local/ns/shop/sa/other",
            ),
        );
    });
    let diff = repo.json(&["--base", "main", "--head", "lockdown"]);
    let policy = diff["policy"].as_array().expect("policy list");
    let denied: Vec<&Value> = policy
        .iter()
        .filter(|p| p["risk"] == "closes" && p["from"] == "shop/web" && p["to"] == "billing/api")
        .collect();
    assert!(!denied.is_empty(), "{diff:#}");
    assert_eq!(denied[0]["before"]["allowed"], true);
    assert_eq!(denied[0]["after"]["allowed"], false);
    // The principal it names instead is held by no workload of the repository: the
    // pull request opens billing/api to an identity from outside.
    let opened: Vec<&Value> = policy.iter().filter(|p| p["risk"] == "opens").collect();
    assert_eq!(opened.len(), 1, "{diff:#}");
    assert_eq!(opened[0]["from"], "identity:cluster.local/ns/shop/sa/other");
    assert_eq!(opened[0]["to"], "billing/api");
    // And back: the edge opens.
    let back = repo.json(&["--base", "lockdown", "--head", "main"]);
    assert!(
        back["policy"]
            .as_array()
            .expect("policy list")
            .iter()
            .any(|p| p["risk"] == "opens"
                && p["message"]
                    .as_str()
                    .unwrap_or_default()
                    .starts_with("opens: shop/web → billing/api allowed")),
        "{back:#}"
    );
    repo.diff(&["--base", "main", "--head", "lockdown"])
        .code(1)
        .stdout(predicate::str::contains(
            "[central] closes: shop/web → billing/api denied",
        ));
}

#[test]
fn errors_exit_2_with_a_clear_message() {
    let repo = Repo::new();
    repo.diff(&["--base", "no-such-branch"])
        .code(2)
        .stderr(predicate::str::contains(
            "unknown revision \"no-such-branch\"",
        ));
    repo.diff(&["--base", "main", "--head", "nope"])
        .code(2)
        .stderr(predicate::str::contains("unknown revision \"nope\""));
    repo.diff(&["--base", "main", "missing/dir"])
        .code(2)
        .stderr(predicate::str::contains("missing/dir: cannot read"));
    let plain = tempfile::tempdir().expect("temp dir");
    common::meshwright()
        .args(["diff", "--base", "main"])
        .arg(plain.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a git repository"));
    common::meshwright().args(["diff"]).assert().code(2);
}

#[test]
fn a_path_limits_the_diff_and_bases_outside_it_still_render() {
    let repo = Repo::new();
    repo.branch("feature", |r| {
        r.write(
            "base/shop.yaml",
            &SHOP.replace("image: 'web:1'", "image: 'web:2'"),
        );
        r.write(
            "other/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: elsewhere}\n",
        );
    });
    let diff = repo.json(&["--base", "main", "--head", "feature", "clusters/central"]);
    assert_eq!(
        object_changes(&diff),
        vec![tuple("modified", "Deployment", "shop", "web")],
        "{diff:#}"
    );
    let whole: PathBuf = repo.path().to_path_buf();
    let all = repo.json(&[
        "--base",
        "main",
        "--head",
        "feature",
        whole.to_str().expect("utf-8"),
    ]);
    assert!(object_changes(&all).contains(&tuple("added", "ConfigMap", "", "elsewhere")));
}

#[test]
fn plain_text_allowed_mesh_wide_weakens_every_connection() {
    let repo = Repo::new();
    repo.branch("permissive", |r| {
        r.write(
            "base/authz.yaml",
            &AUTHZ.replace("mode: STRICT", "mode: DISABLE"),
        );
    });
    let diff = repo.json(&["--base", "main", "--head", "permissive"]);
    let policy = diff["policy"].as_array().expect("policy list");
    let weakens = policy
        .iter()
        .find(|p| p["risk"] == "weakens" && p["to"] == "billing/api" && p["from"] == "shop/web")
        .unwrap_or_else(|| panic!("{diff:#}"));
    assert_eq!(
        weakens["message"],
        "weakens: shop/web → billing/api now sends plain text"
    );
    assert_eq!(weakens["before"]["mtls"], "mtls");
    assert_eq!(weakens["after"]["mtls"], "plaintext");
    assert!(diff["summary"]["weaker"].as_u64().expect("count") >= 1);
    repo.diff(&["--base", "main", "--head", "permissive", "-o", "markdown"])
        .code(1)
        .stdout(predicate::str::contains(
            "| **weakens** ⚠️ | central | weakens: billing/api now accepts plain text (peer authentication DISABLE) |",
        ))
        .stdout(predicate::str::contains("```diff\n"))
        .stdout(predicate::str::contains("+    mode: DISABLE\n"));
    // Back to STRICT strengthens it.
    let back = repo.json(&["--base", "permissive", "--head", "main"]);
    assert!(
        back["policy"]
            .as_array()
            .expect("policy list")
            .iter()
            .any(|p| p["risk"] == "strengthens" && p["to"] == "billing/api"),
        "{back:#}"
    );
}

#[test]
fn a_directory_only_in_head_is_all_added() {
    let repo = Repo::new();
    repo.branch("edge", |r| {
        r.write("clusters/edge/kustomization.yaml", "resources: [cm.yaml]\n");
        r.write(
            "clusters/edge/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: edge-settings, namespace: shop}\n",
        );
    });
    // main is checked out: clusters/edge is not in the working tree.
    assert!(!repo.path().join("clusters/edge").exists());
    let diff = repo.json(&["--base", "main", "--head", "edge", "clusters/edge"]);
    assert_eq!(
        object_changes(&diff),
        vec![tuple("added", "ConfigMap", "shop", "edge-settings")]
    );
    assert_eq!(
        object(&diff, "ConfigMap", "edge-settings")["cluster"],
        "edge"
    );
    repo.diff(&["--base", "edge", "--head", "main", "clusters/edge"])
        .code(1)
        .stdout(predicate::str::contains(
            "removed  [edge] ConfigMap shop/edge-settings",
        ));
    // In neither state: an unreadable path.
    repo.diff(&["--base", "main", "clusters/edge"])
        .code(2)
        .stderr(predicate::str::contains("clusters/edge: cannot read"));
}

#[test]
fn unreadable_yaml_is_a_warning_not_a_silent_removal() {
    let repo = Repo::new();
    repo.branch("broken", |r| {
        r.write("base/shop.yaml", "apiVersion: apps/v1\nkind: [unclosed\n");
    });
    repo.diff(&["--base", "main", "--head", "broken"])
        .code(1)
        .stderr(predicate::str::contains(
            "input problem(s) in head left objects out",
        ))
        .stderr(predicate::str::contains("in base").not());
}

#[test]
fn without_a_path_the_whole_repository_is_compared() {
    let repo = Repo::new();
    repo.write(
        "other/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: elsewhere, namespace: shop}\n",
    );
    let central = repo.path().join("clusters/central");
    // From a subdirectory, no PATH still means the whole repository...
    common::meshwright()
        .args(["diff", "--base", "main"])
        .current_dir(&central)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "added    [default] ConfigMap shop/elsewhere",
        ));
    // ...while `.` limits the diff to that subdirectory, where nothing changed.
    common::meshwright()
        .args(["diff", "--base", "main", "."])
        .current_dir(&central)
        .assert()
        .code(0);
}

#[test]
fn strict_to_permissive_weakens_the_callee_only() {
    let repo = Repo::new();
    repo.branch("permissive", |r| {
        r.write(
            "base/authz.yaml",
            &AUTHZ.replace("mode: STRICT", "mode: PERMISSIVE"),
        );
    });
    let diff = repo.json(&["--base", "main", "--head", "permissive"]);
    let policy = diff["policy"].as_array().expect("policy list");
    let messages: Vec<&str> = policy
        .iter()
        .map(|p| p["message"].as_str().expect("message"))
        .collect();
    // Mesh callers still use mTLS (auto mTLS), so no edge of theirs changes; but both
    // callees now accept plain text from outside the mesh, and shop/web, which no ALLOW
    // policy guards, now lets plaintext clients in (billing/api still asks for a principal).
    assert_eq!(
        messages,
        vec![
            "weakens: billing/api now accepts plain text (peer authentication PERMISSIVE)",
            "weakens: shop/web now accepts plain text (peer authentication PERMISSIVE)",
            "opens: unauthenticated → shop/web allowed",
        ],
        "{diff:#}"
    );
    assert_eq!(policy[0]["from"], "*");
    assert_eq!(diff["summary"]["weaker"], 3);
    let back = repo.json(&["--base", "permissive", "--head", "main"]);
    assert_eq!(
        back["policy"][0]["message"], "strengthens: billing/api now requires mTLS",
        "{back:#}"
    );
}

/// A Deployment `namespace/app` (service account `app`) and an AuthorizationPolicy that lets
/// only service account `caller` of namespace shop call it.
fn callee(namespace: &str, app: &str, caller: &str) -> String {
    format!(
        "---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {app}, namespace: {namespace}}}
spec:
  template:
    metadata: {{labels: {{app: {app}}}}}
    spec: {{serviceAccountName: {app}, containers: [{{name: {app}, image: '{app}:1', ports: [{{containerPort: 8080}}]}}]}}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {{name: {app}-callers, namespace: {namespace}}}
spec:
  selector: {{matchLabels: {{app: {app}}}}}
  rules: [{{from: [{{source: {{principals: ['cluster.local/ns/shop/sa/{caller}']}}}}]}}]
"
    )
}

#[test]
fn one_callees_authorization_policy_changes_exactly_that_callees_edges() {
    let repo = Repo::new();
    let cart = callee("shop", "cart", "web");
    repo.write(
        "base/more.yaml",
        &format!("{}{cart}", callee("billing", "ledger", "web")),
    );
    repo.write(
        "base/kustomization.yaml",
        &BASE_KUSTOMIZATION.replace("secret.yaml]", "secret.yaml, more.yaml]"),
    );
    repo.commit("more workloads");
    repo.branch("ledger", |r| {
        // ledger now takes cart instead of web; a new workload (audit) shifts the numbers of
        // the workloads after it.
        let ledger = callee("billing", "ledger", "cart");
        let audit = callee("billing", "audit", "nobody");
        r.write("base/more.yaml", &format!("{audit}{ledger}{cart}"));
    });
    let diff = repo.json(&["--base", "main", "--head", "ledger"]);
    let changes: Vec<(&str, &str, &str)> = diff["policy"]
        .as_array()
        .expect("policy list")
        .iter()
        .map(|p| {
            let s = |k: &str| p[k].as_str().expect("string");
            (s("risk"), s("from"), s("to"))
        })
        .collect();
    assert_eq!(
        changes,
        vec![
            ("opens", "shop/cart", "billing/ledger"),
            ("closes", "shop/web", "billing/ledger"),
        ],
        "{diff:#}"
    );
}

#[test]
fn files_moved_between_revisions_and_a_file_where_a_directory_was() {
    let repo = Repo::new();
    repo.branch("moved", |r| {
        r.run(&["mv", "base", "common"]);
        r.write(
            "clusters/central/kustomization.yaml",
            &CENTRAL.replace("../../base", "../../common"),
        );
        // A file (not a manifest) named like the directory that went away.
        r.write("base", "notes\n");
    });
    // The same objects render from the new place, both ways.
    repo.diff(&["--base", "main", "--head", "moved"])
        .code(0)
        .stdout(predicate::str::contains("no differences"));
    repo.diff(&["--base", "moved", "--head", "main"]).code(0);
}

/// main moves on after feature forked: feature changes the api image, main later adds a
/// ConfigMap and changes the web image.
fn forked() -> Repo {
    let repo = Repo::new();
    repo.branch("feature", |_| repo.image("api", 2));
    let later = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: later, namespace: shop}\n";
    repo.write("base/later.yaml", later);
    repo.write(
        "base/kustomization.yaml",
        &BASE_KUSTOMIZATION.replace("secret.yaml]", "secret.yaml, later.yaml]"),
    );
    repo.image("web", 2);
    repo.commit("main moves on");
    repo
}

#[test]
fn three_dots_compare_the_head_with_the_merge_base() {
    let repo = forked();
    let only_feature = vec![tuple("modified", "Deployment", "billing", "api")];
    let diff = repo.json(&["--base", "main...feature"]);
    assert_eq!(object_changes(&diff), only_feature, "{diff:#}");
    assert_eq!(diff["base"], "main...feature");
    assert_eq!(diff["head"], "feature");
    let fork = repo.run(&["merge-base", "main", "feature"]);
    assert_eq!(diff["merge_base"], fork.trim());
    // --merge-base says the same with two flags.
    let flag = repo.json(&["--base", "main", "--head", "feature", "--merge-base"]);
    assert_eq!(object_changes(&flag), only_feature, "{flag:#}");
    // Without either, main's later commit shows up, reversed.
    let plain = repo.json(&["--base", "main", "--head", "feature"]);
    assert!(object_changes(&plain).contains(&tuple("removed", "ConfigMap", "shop", "later")));
    assert!(plain.get("merge_base").is_none(), "{plain:#}");
    repo.diff(&["--base", "main...feature"])
        .code(1)
        .stdout(predicate::str::starts_with(
            "diff main...feature → feature\n",
        ));
}

#[test]
fn merge_base_against_the_working_tree_and_head() {
    let repo = forked();
    repo.run(&["checkout", "-q", "feature"]);
    repo.image("web", 3);
    // The working tree against merge-base(main, HEAD): feature's commit and the edit.
    let diff = repo.json(&["--base", "main", "--merge-base"]);
    assert_eq!(diff["base"], "main...HEAD");
    assert_eq!(diff["head"], "working tree");
    assert_eq!(
        object_changes(&diff),
        vec![
            tuple("modified", "Deployment", "billing", "api"),
            tuple("modified", "Deployment", "shop", "web"),
        ],
        "{diff:#}"
    );
    // `main...` is main...HEAD: the committed feature only.
    let dots = repo.json(&["--base", "main..."]);
    assert_eq!(dots["head"], "HEAD");
    assert_eq!(
        object_changes(&dots),
        vec![tuple("modified", "Deployment", "billing", "api")]
    );
}

#[test]
fn merge_base_errors_exit_2() {
    let repo = forked();
    repo.run(&["checkout", "-q", "--orphan", "unrelated"]);
    repo.commit("no shared history");
    repo.run(&["checkout", "-q", "main"]);
    repo.diff(&["--base", "main...unrelated"])
        .code(2)
        .stderr(predicate::str::contains(
            "no merge base between main and unrelated: they share no history",
        ));
    repo.diff(&["--base", "main", "--head", "unrelated", "--merge-base"])
        .code(2)
        .stderr(predicate::str::contains("no merge base"));
    repo.diff(&["--base", "main...feature", "--head", "feature"])
        .code(2)
        .stderr(predicate::str::contains(
            "--base main...feature already names the head revision",
        ));
    repo.diff(&["--base", "main...nope"])
        .code(2)
        .stderr(predicate::str::contains("unknown revision \"nope\""));
}

#[test]
fn a_bare_clone_compares_two_revisions_and_paths_name_its_tree() {
    let repo = forked();
    let mirror = tempfile::tempdir().expect("temp dir");
    let bare = mirror.path().join("mesh.git");
    let status = std::process::Command::new("git")
        .args(["clone", "-q", "--bare"])
        .arg(repo.path())
        .arg(&bare)
        .status()
        .expect("git runs");
    assert!(status.success());
    let in_bare = |args: &[&str]| {
        common::meshwright()
            .arg("diff")
            .args(args)
            .current_dir(&bare)
            .assert()
    };
    let output = in_bare(&["--base", "main...feature", "-o", "json", "base"])
        .code(1)
        .get_output()
        .stdout
        .clone();
    let diff: Value = serde_json::from_slice(&output).expect("JSON");
    assert_eq!(
        object_changes(&diff),
        [tuple("modified", "Deployment", "billing", "api")]
    );
    in_bare(&["--base", "main"])
        .code(2)
        .stderr(predicate::str::contains(
            "a bare repository has no working tree: pass --head REV",
        ));
    in_bare(&["--base", "main", "--head", "feature", "../outside"]).code(2);
}

#[test]
fn one_run_writes_the_json_and_markdown_reports_each_run_alone_writes() {
    let repo = Repo::new();
    repo.branch("feature", |_| repo.image("api", 2));
    let out = tempfile::tempdir().unwrap();
    let (json, markdown) = (out.path().join("diff.json"), out.path().join("diff.md"));
    let range = ["--base", "main", "--head", "feature"];
    let mut args = range.to_vec();
    let json_target = format!("json={}", json.display());
    let markdown_target = format!("markdown={}", markdown.display());
    args.extend(["-o", &json_target, "-o", &markdown_target, "-o", "human"]);
    let human = repo.diff(&args).code(1).get_output().stdout.clone();
    let alone = |format: &str| {
        let mut args = range.to_vec();
        args.extend(["--output", format]);
        repo.diff(&args).code(1).get_output().stdout.clone()
    };
    assert_eq!(std::fs::read(&json).unwrap(), alone("json"));
    assert_eq!(std::fs::read(&markdown).unwrap(), alone("markdown"));
    assert_eq!(human, alone("human"));
    // Two reports on standard output is a usage error, before any work.
    let mut two = range.to_vec();
    two.extend(["-o", "json", "-o", "markdown"]);
    repo.diff(&two).code(2).stderr(predicate::str::contains(
        "only one report can go to standard output",
    ));
}
