//! Printing a [`Diff`]: `human` for a terminal, `json` for scripts (the [`Diff`] itself,
//! plus a summary), `markdown` for a pull-request comment (capped in size, with a Mermaid
//! graph of the changed call edges). Secrets are already masked.

mod human;
mod json;
mod markdown;
mod mermaid;

use std::io::{self, Write};

use super::Diff;
use super::objects::ChangeKind;

/// Output formats of `meshwright diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Markdown,
}

/// How the markdown comment is bounded.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The most bytes the markdown may take (GitHub refuses comments over 65,536
    /// characters); what does not fit is left out with a note saying what.
    pub markdown_bytes: usize,
}

/// Prints `diff` in `format`.
pub fn write(format: Format, diff: &Diff, limits: Limits, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Human => human::write(diff, out),
        Format::Json => json::write(diff, out),
        Format::Markdown => out.write_all(markdown::render(diff, limits.markdown_bytes).as_bytes()),
    }
}

fn count(diff: &Diff, kind: ChangeKind) -> usize {
    diff.objects.iter().filter(|c| c.change == kind).count()
}

fn weaker(diff: &Diff) -> usize {
    diff.policy.iter().filter(|p| p.risk.is_weaker()).count()
}

fn summary_line(diff: &Diff) -> String {
    let drift = if diff.drift.is_empty() {
        String::new()
    } else {
        format!("; {} live-only object(s)", diff.drift.len())
    };
    format!(
        "{} added, {} removed, {} modified object(s); {} policy change(s), {} weaker{drift}",
        count(diff, ChangeKind::Added),
        count(diff, ChangeKind::Removed),
        count(diff, ChangeKind::Modified),
        diff.policy.len(),
        weaker(diff),
    )
}

/// What to say when nothing differs: a partial read never claims there is nothing.
fn no_differences(diff: &Diff) -> &'static str {
    if diff.is_partial() {
        "no differences in what could be read (partial: see below)"
    } else {
        "no differences"
    }
}

/// What a live read could not see, and how it compared, one line each after `bullet`.
fn live_remarks(diff: &Diff, bullet: &str) -> String {
    let mut text = String::new();
    if !diff.unread.is_empty() {
        text.push_str("partial: could not read\n");
        for unread in &diff.unread {
            text.push_str(&format!("{bullet}  {}: {}\n", unread.what, unread.reason));
        }
    }
    for note in &diff.notes {
        text.push_str(&format!("{bullet}note: {note}\n"));
    }
    text
}
