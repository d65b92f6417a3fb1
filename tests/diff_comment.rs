//! `meshwright diff --output markdown`, the pull-request comment, on generated repositories
//! kept in real git: security first (summary per cluster, weaker policy changes on top, a
//! Mermaid graph of the changed edges), one collapsible section per cluster, and a size
//! cap that keeps the markdown well formed and says what it left out.

mod common;

use common::git::{Git, committed_example};

/// The `edge` example committed on main, and a `feature` branch that lets retail (on all
/// three clusters) accept plain text, drops storefront from cart's callers and bumps
/// cart's image.
fn edge_pull_request() -> (tempfile::TempDir, Git) {
    let (temp, git) = committed_example("edge");
    git.branch("feature", |g| {
        let mtls = "tenants/retail/base/mtls.yaml";
        g.write(mtls, &g.read(mtls).replace("STRICT", "PERMISSIVE"));
        let authz = "tenants/retail/base/authorization.yaml";
        g.write(
            authz,
            &g.read(authz).replace(
                "acme.internal/ns/retail/sa/storefront",
                "acme.internal/ns/retail/sa/nobody",
            ),
        );
        let workloads = "tenants/retail/base/workloads.yaml";
        g.write(
            workloads,
            &g.read(workloads).replace("cart:1.9.0", "cart:1.10.0"),
        );
    });
    (temp, git)
}

/// The pull-request comment of `main...feature`, with `extra` arguments.
fn comment(git: &Git, extra: &[&str]) -> String {
    let mut args = vec!["--base", "main...feature"];
    args.extend(extra);
    markdown(git, &args)
}

/// `meshwright diff ARGS --output markdown`, which must find differences.
fn markdown(git: &Git, args: &[&str]) -> String {
    common::stdout_with_code(
        common::meshwright()
            .args(["diff", "--output", "markdown"])
            .args(args)
            .current_dir(git.path()),
        1,
    )
}

/// Where `needle` starts in `text`, or a failure that shows the text.
fn at(text: &str, needle: &str) -> usize {
    text.find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in:\n{text}"))
}

/// Code fences open and close in pairs, and so do `<details>` blocks.
fn assert_well_formed(text: &str) {
    let fences = text.lines().filter(|line| line.starts_with("```")).count();
    assert_eq!(fences % 2, 0, "unbalanced code fences:\n{text}");
    assert_eq!(
        text.matches("<details>").count(),
        text.matches("</details>").count(),
        "unbalanced <details>:\n{text}"
    );
}

/// The policy table's rows: (risk, cluster, change).
fn policy_rows(text: &str) -> Vec<(String, String, String)> {
    let table = &text[at(text, "#### Policy changes")..];
    table
        .lines()
        .skip_while(|line| !line.starts_with("|---"))
        .skip(1)
        .take_while(|line| line.starts_with('|'))
        .map(|line| {
            let cells: Vec<&str> = line.trim_matches('|').split(" | ").collect();
            (
                cells[0].trim().to_string(),
                cells[1].to_string(),
                cells[2].trim().to_string(),
            )
        })
        .collect()
}

#[test]
fn the_comment_puts_security_first_and_has_one_section_per_cluster() {
    let (_temp, git) = edge_pull_request();
    let text = comment(&git, &[]);
    assert_well_formed(&text);
    assert!(
        text.starts_with("### meshwright diff `main...feature` → `feature`\n"),
        "{text}"
    );
    // Summary, then policy, then the graph, then the objects.
    let order = [
        "**⚠️ ",
        "| cluster | added | removed | modified | policy changes | weaker |",
        "#### Policy changes",
        "```mermaid\ngraph LR\n",
        "#### Objects",
    ];
    let places: Vec<usize> = order.iter().map(|needle| at(&text, needle)).collect();
    assert!(places.is_sorted(), "{places:?} in:\n{text}");
    // One summary row per cluster, each with a weaker change.
    for cluster in ["central", "edge-eu", "edge-us"] {
        assert!(
            text.lines()
                .any(|l| l.starts_with(&format!("| {cluster} | 0 | 0 | ")) && l.contains("⚠️")),
            "{cluster} row:\n{text}"
        );
        // One collapsible section per cluster.
        assert_eq!(
            text.matches(&format!("<details><summary><b>{cluster}</b>: "))
                .count(),
            1,
            "{text}"
        );
    }
    // Weaker changes on top of the table, every one of them before anything else.
    let rows = policy_rows(&text);
    let first_other = rows
        .iter()
        .position(|(risk, ..)| !risk.ends_with("⚠️"))
        .expect("a change that is not weaker");
    assert!(first_other > 0, "{rows:?}");
    assert!(
        rows[first_other..]
            .iter()
            .all(|(risk, ..)| !risk.ends_with("⚠️")),
        "{rows:?}"
    );
    assert!(rows.contains(&(
        "**weakens** ⚠️".to_string(),
        "edge-eu".to_string(),
        "weakens: retail/cart now accepts plain text (peer authentication PERMISSIVE)".to_string()
    )));
    assert!(rows.contains(&(
        "**closes**".to_string(),
        "central".to_string(),
        "closes: retail/storefront → retail/cart denied".to_string()
    )));
    // The graph: any client → cart in red, storefront → cart dashed.
    let graph = &text[at(&text, "```mermaid")..];
    let graph = &graph[..at(graph, "\n```\n")];
    assert!(graph.contains("[\"any client\"]"), "{graph}");
    assert!(graph.contains("-.->|\"closes"), "{graph}");
    assert!(graph.contains("stroke:#cf222e"), "{graph}");
    assert_eq!(graph.matches("  subgraph ").count(), 3, "{graph}");
    // In each cluster the PeerAuthentication (security) comes before the Deployment.
    let central = &text[at(&text, "<details><summary><b>central</b>")..];
    assert!(
        at(
            central,
            "PeerAuthentication.security.istio.io retail/default"
        ) < at(central, "Deployment.apps retail/cart"),
        "{central}"
    );
    assert!(
        central.contains("+      - image: ghcr.io/acme/cart:1.10.0\n"),
        "{central}"
    );
    assert!(!text.contains("Cut to fit"), "{text}");
}

#[test]
fn a_comment_over_the_limit_is_cut_but_keeps_the_summary_and_the_weaker_changes() {
    let (_temp, git) = edge_pull_request();
    let whole = comment(&git, &[]);
    let limit = 4_000;
    assert!(whole.len() > limit, "the fixture must exceed the limit");
    let text = comment(&git, &["--markdown-limit", &limit.to_string()]);
    assert!(text.len() <= limit, "{} bytes:\n{text}", text.len());
    assert_well_formed(&text);
    // The summary is whole: the same lines as in the uncut comment.
    let summary_of = |t: &str| t[..at(t, "#### Policy changes")].to_string();
    assert_eq!(summary_of(&text), summary_of(&whole));
    // The table starts as the whole one does, with the weaker changes.
    let (cut_rows, all_rows) = (policy_rows(&text), policy_rows(&whole));
    assert!(!cut_rows.is_empty());
    assert_eq!(cut_rows[..], all_rows[..cut_rows.len()]);
    assert!(cut_rows[0].0.ends_with("⚠️"), "{cut_rows:?}");
    // The note says what is missing and how to see it.
    let note = &text[at(
        &text,
        "> ✂️ **Cut to fit the comment size limit (4000 bytes):** ",
    )..];
    assert!(
        note.contains("The same `meshwright diff` with `--output human` or `--output json`"),
        "{note}"
    );
    assert!(
        note.contains("object diffs") || note.contains("changed objects"),
        "{note}"
    );
    // Every object it still shows is a whole diff or named as left out.
    let named = text.matches("(diff left out: size limit)").count();
    let shown = text.matches("<details><summary>modified <code>").count();
    let total = whole.matches("<details><summary>modified <code>").count();
    assert!(
        shown + named <= total && shown < total,
        "{shown} + {named} of {total}"
    );
}

#[test]
fn a_tiny_limit_is_a_usage_error() {
    let (_temp, git) = edge_pull_request();
    common::meshwright()
        .args(["diff", "--base", "main", "--head", "feature"])
        .args(["--output", "markdown", "--markdown-limit", "100"])
        .current_dir(git.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--markdown-limit"));
}

#[test]
fn code_in_the_repository_cannot_break_the_comment_out_of_its_fences() {
    let (_temp, git) = edge_pull_request();
    git.run(&["checkout", "-q", "feature"]);
    git.branch("fences", |g| {
        g.write(
            "tenants/retail/base/notes.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: notes, namespace: retail}\n\
             data:\n  readme: |\n    ```\n    </details>\n    ````\n",
        );
        let kustomization = "tenants/retail/base/kustomization.yaml";
        g.write(
            kustomization,
            &g.read(kustomization)
                .replace("resources:\n", "resources:\n  - notes.yaml\n"),
        );
    });
    let text = markdown(&git, &["--base", "feature", "--head", "fences"]);
    // The object's diff sits in a fence longer than the backticks inside it.
    assert!(text.contains("`````diff\n"), "{text}");
    assert!(text.contains("+    ````\n"), "{text}");
    assert!(text.contains("<details><summary>added <code>[central] ConfigMap retail/notes</code>"));
}
