//! `--output markdown`: the pull-request comment. What matters for security comes first: a
//! summary table per cluster, what could not be read (a live diff), the policy changes with
//! the weaker ones on top, a Mermaid graph of the changed call edges, and live objects the
//! repository lacks; then one collapsible section per cluster with its object diffs
//! (security kinds first).
//!
//! The comment is capped at a byte budget (GitHub refuses comments over 65,536
//! characters). The head, the summary, the partial-read warning and the notes are always
//! kept; policy rows, the graph, drift and object diffs are added in that order while they fit,
//! an object whose diff does not fit is still named, and a closing note says what was
//! left out and how to see everything.

use std::collections::BTreeMap;

use super::{Diff, mermaid, no_differences, summary_line, weaker};
use crate::diff::{ChangeKind, ObjectChange, PolicyChange};
use crate::report::markdown::{cell, code, html, inline};

/// Bytes kept free for the note that says what was cut.
const CUT_NOTE_RESERVE: usize = 500;

/// The comment for `diff`, at most `limit` bytes unless its head alone is longer.
pub fn render(diff: &Diff, limit: usize) -> String {
    let mut head = format!(
        "### meshwright diff {} → {}\n\n",
        code(&diff.base),
        code(&diff.head)
    );
    if !diff.has_differences() {
        head.push_str(&format!("{}.\n", capitalized(no_differences(diff))));
    } else {
        head.push_str(&summary(diff));
    }
    head.push_str(&problems(diff));
    head.push_str(&unread(diff));
    let tail = notes(diff);
    let mut comment = Comment {
        budget: limit.saturating_sub(tail.len() + CUT_NOTE_RESERVE),
        text: head,
        cut: Cut::default(),
    };
    if diff.has_differences() {
        policy_table(diff, &mut comment);
        graph(diff, &mut comment);
        drift(diff, &mut comment);
        clusters(diff, &mut comment);
    }
    let Comment { mut text, cut, .. } = comment;
    text.push_str(&tail);
    text.push_str(&cut.note(limit));
    text
}

/// The comment being written, and what did not fit.
struct Comment {
    text: String,
    budget: usize,
    cut: Cut,
}

impl Comment {
    /// Whether `bytes` more still fit.
    fn fits(&self, bytes: usize) -> bool {
        self.text.len() + bytes <= self.budget
    }

    /// Appends `part` if it fits; says whether it did.
    fn push(&mut self, part: &str) -> bool {
        let fits = self.fits(part.len());
        if fits {
            self.text.push_str(part);
        }
        fits
    }
}

/// What the size budget left out.
#[derive(Default)]
struct Cut {
    policy_rows: usize,
    graph: bool,
    graph_edges: usize,
    diffs: usize,
    objects: usize,
    drift: usize,
}

impl Cut {
    /// The closing note naming what is not shown, or nothing when all is.
    fn note(&self, limit: usize) -> String {
        let mut missing = Vec::new();
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        if self.policy_rows > 0 {
            missing.push(plural(self.policy_rows, "policy change", "policy changes"));
        }
        if self.graph {
            missing.push("the graph of changed call edges".to_string());
        }
        if self.diffs > 0 {
            missing.push(plural(self.diffs, "object diff", "object diffs"));
        }
        if self.objects > 0 {
            missing.push(plural(self.objects, "changed object", "changed objects"));
        }
        if self.drift > 0 {
            missing.push(plural(self.drift, "live-only object", "live-only objects"));
        }
        let mut note = String::new();
        if self.graph_edges > 0 {
            note.push_str(&format!(
                "\nThe graph shows the {} riskiest changed edges and leaves {} out.\n",
                mermaid::MAX_EDGES,
                self.graph_edges
            ));
        }
        if !missing.is_empty() {
            note.push_str(&format!(
                "\n> ✂️ **Cut to fit the comment size limit ({limit} bytes):** {} not shown. \
                 The same `meshwright diff` with `--output human` or `--output json` shows \
                 everything.\n",
                missing.join(", "),
            ));
        }
        note
    }
}

/// One cluster's row of the summary table.
#[derive(Default)]
struct ClusterCounts {
    added: usize,
    removed: usize,
    modified: usize,
    policy: usize,
    weaker: usize,
    drift: usize,
}

/// The summary: one line of counts, then per cluster what changed.
fn summary(diff: &Diff) -> String {
    let weaker = weaker(diff);
    let flag = if weaker > 0 {
        format!("**⚠️ {weaker} change(s) weaken the mesh.** ")
    } else {
        String::new()
    };
    let mut text = format!("{flag}{}\n\n", capitalized(&summary_line(diff)));
    let mut rows: BTreeMap<&str, ClusterCounts> = BTreeMap::new();
    for change in &diff.objects {
        let row = rows.entry(&change.key.cluster).or_default();
        match change.change {
            ChangeKind::Added => row.added += 1,
            ChangeKind::Removed => row.removed += 1,
            ChangeKind::Modified => row.modified += 1,
        }
    }
    for change in &diff.policy {
        let row = rows.entry(&change.cluster).or_default();
        row.policy += 1;
        row.weaker += usize::from(change.risk.is_weaker());
    }
    for key in &diff.drift {
        rows.entry(&key.cluster).or_default().drift += 1;
    }
    let live = !diff.drift.is_empty();
    text.push_str("| cluster | added | removed | modified | policy changes | weaker |");
    text.push_str(if live { " live only |\n" } else { "\n" });
    text.push_str("|---|--:|--:|--:|--:|--:|");
    text.push_str(if live { "--:|\n" } else { "\n" });
    for (cluster, row) in rows {
        let weaker = if row.weaker > 0 {
            format!("**{}** ⚠️", row.weaker)
        } else {
            "0".to_string()
        };
        text.push_str(&format!(
            "| {} | {} | {} | {} | {} | {weaker} |",
            cell(cluster),
            row.added,
            row.removed,
            row.modified,
            row.policy
        ));
        if live {
            text.push_str(&format!(" {} |", row.drift));
        }
        text.push('\n');
    }
    text.push('\n');
    text
}

/// Input problems that left objects out of a side.
fn problems(diff: &Diff) -> String {
    let (base, head) = (diff.problems.base, diff.problems.head);
    if base + head == 0 {
        return String::new();
    }
    format!(
        "> ⚠️ Input problems left objects out (base: {base}, head: {head}); \
         `meshwright validate` shows them.\n\n"
    )
}

/// What a live read could not see: never cut, since it bounds everything else.
fn unread(diff: &Diff) -> String {
    if diff.unread.is_empty() {
        return String::new();
    }
    let mut text = String::from(
        "> ❗ **Partial:** part of the cluster could not be read, so the differences below \
         are a lower bound. Not read:\n",
    );
    for unread in &diff.unread {
        text.push_str(&format!(
            "> - {}: {}\n",
            code(&unread.what),
            inline(&unread.reason)
        ));
    }
    text.push('\n');
    text
}

fn notes(diff: &Diff) -> String {
    diff.notes
        .iter()
        .map(|note| format!("- note: {}\n", inline(note)))
        .collect()
}

/// The policy changes, weaker first; rows that do not fit are counted.
fn policy_table(diff: &Diff, comment: &mut Comment) {
    if diff.policy.is_empty() {
        return;
    }
    let mut changes: Vec<&PolicyChange> = diff.policy.iter().collect();
    changes.sort_by(|a, b| (a.risk, &a.cluster).cmp(&(b.risk, &b.cluster)));
    let header = "#### Policy changes\n\n| risk | cluster | change |\n|---|---|---|\n";
    let rows: Vec<String> = changes
        .iter()
        .map(|change| {
            let mark = if change.risk.is_weaker() {
                " ⚠️"
            } else {
                ""
            };
            format!(
                "| **{}**{mark} | {} | {} |\n",
                change.risk.as_str(),
                cell(&change.cluster),
                cell(&change.message)
            )
        })
        .collect();
    if !comment.fits(header.len() + rows[0].len() + 1) {
        comment.cut.policy_rows = rows.len();
        return;
    }
    comment.push(header);
    for (index, row) in rows.iter().enumerate() {
        // One byte stays for the blank line that ends the table.
        if !comment.fits(row.len() + 1) {
            comment.cut.policy_rows = rows.len() - index;
            break;
        }
        comment.push(row);
    }
    comment.push("\n");
}

/// The Mermaid graph of changed call edges, whole or not at all.
fn graph(diff: &Diff, comment: &mut Comment) {
    if diff.policy.is_empty() {
        return;
    }
    let (graph, left_out) = mermaid::graph(&diff.policy);
    let block = format!("#### Changed call edges\n\n```mermaid\n{graph}```\n\n");
    if comment.push(&block) {
        comment.cut.graph_edges = left_out;
    } else {
        comment.cut.graph = true;
    }
}

/// One collapsible section per cluster, its objects inside, security kinds first.
fn clusters(diff: &Diff, comment: &mut Comment) {
    let mut by_cluster: BTreeMap<&str, Vec<&ObjectChange>> = BTreeMap::new();
    for change in &diff.objects {
        by_cluster
            .entry(&change.key.cluster)
            .or_default()
            .push(change);
    }
    if by_cluster.is_empty() {
        return;
    }
    comment.push("#### Objects\n\n");
    for (cluster, mut changes) in by_cluster {
        changes.sort_by_key(|c| !is_security_kind(c));
        let counts: Vec<String> = [ChangeKind::Added, ChangeKind::Removed, ChangeKind::Modified]
            .into_iter()
            .filter_map(|kind| {
                let n = changes.iter().filter(|c| c.change == kind).count();
                (n > 0).then(|| format!("{n} {}", kind.as_str()))
            })
            .collect();
        let open = format!(
            "<details><summary><b>{}</b>: {}</summary>\n\n",
            html(cluster),
            counts.join(", ")
        );
        let close = "</details>\n\n";
        let mut entries = changes
            .iter()
            .map(|change| (entry(change), name_only(change)));
        let Some(first) = entries.next() else {
            continue;
        };
        if !comment.fits(open.len() + first.1.len() + close.len()) {
            comment.cut.objects += changes.len();
            continue;
        }
        comment.push(&open);
        for (full, short) in std::iter::once(first).chain(entries) {
            if comment.fits(full.len() + close.len()) {
                comment.push(&full);
            } else if comment.fits(short.len() + close.len()) {
                comment.push(&short);
                comment.cut.diffs += 1;
            } else {
                comment.cut.objects += 1;
            }
        }
        // Room for the close was kept by every entry above.
        comment.text.push_str(close);
    }
}

/// Whether a change touches what decides identity, mTLS, authorization or certificates.
fn is_security_kind(change: &ObjectChange) -> bool {
    change.key.is_secret()
        || matches!(
            (change.key.group.as_str(), change.key.kind.as_str()),
            ("security.istio.io", _)
                | ("cert-manager.io", _)
                | ("networking.istio.io", "DestinationRule")
                | ("", "ServiceAccount")
                | ("rbac.authorization.k8s.io", _)
        )
}

/// An object with its diff, collapsed.
fn entry(change: &ObjectChange) -> String {
    let fence = fence_for(&change.diff);
    format!(
        "<details><summary>{} <code>{}</code></summary>\n\n{fence}diff\n{}{fence}\n</details>\n\n",
        change.change.as_str(),
        html(&change.key.to_string()),
        change.diff
    )
}

/// An object named without its diff, when the diff does not fit.
fn name_only(change: &ObjectChange) -> String {
    format!(
        "- {} <code>{}</code> (diff left out: size limit)\n\n",
        change.change.as_str(),
        html(&change.key.to_string())
    )
}

/// Objects the live cluster has and the repository does not.
fn drift(diff: &Diff, comment: &mut Comment) {
    if diff.drift.is_empty() || !comment.push("#### Live only (not in the repository)\n\n") {
        comment.cut.drift = diff.drift.len();
        return;
    }
    for (index, key) in diff.drift.iter().enumerate() {
        if !comment.push(&format!("- {}\n", code(&key.to_string()))) {
            comment.cut.drift = diff.drift.len() - index;
            break;
        }
    }
    comment.text.push('\n');
}

/// A code fence longer than any run of backticks in `text`, so the text cannot close it.
fn fence_for(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::Unread;
    use crate::diff::{ObjectKey, Problems};

    fn key(kind: &str, name: &str) -> ObjectKey {
        ObjectKey {
            cluster: "prod".into(),
            group: String::new(),
            kind: kind.into(),
            namespace: "shop".into(),
            name: name.into(),
        }
    }

    /// A live diff: many changed objects, live-only objects, a kind that could not be read.
    fn live_diff(objects: usize) -> Diff {
        Diff {
            base: "cluster prod".into(),
            merge_base: None,
            head: "repository .".into(),
            objects: (0..objects)
                .map(|i| ObjectChange {
                    change: ChangeKind::Modified,
                    key: key("ConfigMap", &format!("settings-{i}")),
                    diff: format!("-  a: {i}\n+  a: {}\n", i + 1).repeat(20),
                })
                .collect(),
            policy: Vec::new(),
            problems: Problems::default(),
            drift: vec![key("ConfigMap", "stray")],
            unread: vec![Unread {
                what: "authorizationpolicies.security.istio.io in shop".into(),
                reason: "Forbidden (403): <denied>".into(),
                group_kind: ("security.istio.io".into(), "AuthorizationPolicy".into()),
            }],
            notes: vec!["dry-run refused for 1 object".into()],
        }
    }

    #[test]
    fn a_partial_read_is_never_cut_and_drift_is_listed() {
        let whole = render(&live_diff(2), 60_000);
        for part in [
            "> ❗ **Partial:** part of the cluster could not be read",
            "> - `authorizationpolicies.security.istio.io in shop`: Forbidden (403): &lt;denied&gt;",
            "#### Live only (not in the repository)\n\n- `[prod] ConfigMap shop/stray`",
            "| cluster | added | removed | modified | policy changes | weaker | live only |",
            "| prod | 0 | 0 | 2 | 0 | 0 | 1 |",
            "- note: dry-run refused for 1 object",
        ] {
            assert!(whole.contains(part), "{part:?} in:\n{whole}");
        }
        assert!(!whole.contains("Cut to fit"), "{whole}");
        let cut = render(&live_diff(200), 4_000);
        assert!(cut.len() <= 4_000, "{} bytes", cut.len());
        assert!(cut.contains("> ❗ **Partial:**"), "{cut}");
        assert!(cut.contains("- note: dry-run refused"), "{cut}");
        assert!(
            cut.contains("Cut to fit the comment size limit (4000 bytes)"),
            "{cut}"
        );
        assert!(cut.contains("- `[prod] ConfigMap shop/stray`"), "{cut}");
        assert!(
            cut.contains("object diffs not shown") || cut.contains("changed objects"),
            "{cut}"
        );
    }

    #[test]
    fn a_fence_is_longer_than_any_backtick_run_inside() {
        assert_eq!(fence_for("plain"), "```");
        assert_eq!(fence_for("a ``` b"), "````");
        assert_eq!(fence_for("`````"), "``````");
    }
}
