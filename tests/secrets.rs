//! Secret values never reach `meshwright diff`'s or `validate`'s output, in any format:
//! Secrets wrapped in a `*List`, kinds spelled in another case, values outside
//! `data`/`stringData`, and values quoted by findings about a Secret.

mod common;

use common::git::Git;

const FORMATS: [&str; 3] = ["human", "json", "markdown"];

/// A repository with `files` committed on `main` and `changed` committed on `head`; the
/// output of `diff --base main --head head` in every format, which must report differences.
fn diffs(files: &[(&str, &str)], changed: &[(&str, &str)]) -> Vec<(&'static str, String)> {
    let dir = tempfile::tempdir().expect("temp dir");
    let git = Git::init(dir.path());
    for (file, text) in files {
        git.write(file, text);
    }
    git.commit("initial");
    git.branch("head", |g| {
        for (file, text) in changed {
            g.write(file, text);
        }
    });
    FORMATS
        .iter()
        .map(|format| {
            let mut diff = common::meshwright();
            diff.args(["diff", "--base", "main", "--head", "head", "-o", format])
                .current_dir(git.path());
            (*format, common::stdout_with_code(&mut diff, 1))
        })
        .collect()
}

fn assert_masked(outputs: &[(&str, String)], secrets: &[&str]) {
    for (format, text) in outputs {
        for secret in secrets {
            assert!(!text.contains(secret), "{format} leaks {secret}: {text}");
        }
    }
}

const SECRET_LIST: &str = "\
apiVersion: v1
kind: SecretList
items:
- apiVersion: v1
  kind: Secret
  metadata: {name: db, namespace: billing}
  data: {password: c3VwZXJzZWNyZXQ=}
  stringData: {token: hunter2-token}
";

#[test]
fn a_secret_inside_a_secret_list_is_masked() {
    let rotated = SECRET_LIST
        .replace("c3VwZXJzZWNyZXQ=", "bmV3c2VjcmV0")
        .replace("hunter2-token", "hunter3-token");
    let outputs = diffs(
        &[
            ("app/kustomization.yaml", "resources: [secrets.yaml]\n"),
            ("app/secrets.yaml", SECRET_LIST),
        ],
        &[("app/secrets.yaml", &rotated)],
    );
    assert_masked(
        &outputs,
        &["c3VwZXJzZWNyZXQ=", "bmV3c2VjcmV0", "hunter2", "hunter3"],
    );
    for (format, text) in &outputs {
        assert!(
            text.contains("db"),
            "{format}: the Secret is compared: {text}"
        );
    }
}

const MISSPELT: &str = "\
apiVersion: v1
kind: secret
metadata: {name: db, namespace: billing, annotations: {note: hunter2-note}}
stringData:
  user: admin-hunter2
password: hunter2-password
";

#[test]
fn a_misspelt_kind_and_values_outside_string_data_are_masked() {
    let changed = MISSPELT.replace("hunter2", "hunter3");
    let outputs = diffs(
        &[("app/secret.yaml", MISSPELT)],
        &[("app/secret.yaml", &changed)],
    );
    assert_masked(&outputs, &["hunter2", "hunter3", "admin"]);
    for (format, text) in &outputs {
        assert!(text.contains("*** (changed)"), "{format}: {text}");
    }
    // Added and removed, too.
    let outputs = diffs(
        &[("app/secret.yaml", MISSPELT)],
        &[(
            "app/secret.yaml",
            &MISSPELT.replace("name: db", "name: db2"),
        )],
    );
    assert_masked(&outputs, &["hunter2", "admin"]);
}

#[test]
fn validate_never_quotes_a_secrets_values() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("secret.yaml"),
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: pay\n  labels: {tier: 'hunter2 label!'}\ndata: {password: 12345}\nstringData: {k: [hunter2-item]}\n",
    )
    .expect("write");
    for format in ["human", "json", "sarif", "markdown", "junit", "github"] {
        let text = common::stdout_with_code(
            common::meshwright()
                .args(["validate", "-o", format])
                .arg(dir.path()),
            1,
        );
        for field in ["data.password", "stringData.k", "tier"] {
            assert!(text.contains(field), "{format} misses {field}: {text}");
        }
        for secret in ["12345", "hunter2"] {
            assert!(!text.contains(secret), "{format} leaks {secret}: {text}");
        }
    }
}
