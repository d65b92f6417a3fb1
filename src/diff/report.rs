//! Printing a [`Diff`]: `human` for a terminal, `json` for scripts (the [`Diff`] itself,
//! plus a summary), `markdown` for a pull-request comment. Secrets are already masked.

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

/// Prints `diff` in `format`.
pub fn write(format: Format, diff: &Diff, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Human => human(diff, out),
        Format::Json => json(diff, out),
        Format::Markdown => markdown(diff, out),
    }
}

fn count(diff: &Diff, kind: ChangeKind) -> usize {
    diff.objects.iter().filter(|c| c.change == kind).count()
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
        diff.policy.iter().filter(|p| p.risk.is_weaker()).count()
    )
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

fn human(diff: &Diff, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "diff {} → {}", diff.base, diff.head)?;
    if !diff.has_differences() {
        writeln!(out, "{}", no_differences(diff))?;
    }
    for change in &diff.objects {
        writeln!(out, "{:<8} {}", change.change.as_str(), change.key)?;
        if change.change == ChangeKind::Modified {
            for line in change.diff.lines() {
                writeln!(out, "    {line}")?;
            }
        }
    }
    if !diff.policy.is_empty() {
        writeln!(out, "policy:")?;
        for change in &diff.policy {
            writeln!(out, "  [{}] {}", change.cluster, change.message)?;
        }
    }
    if !diff.drift.is_empty() {
        writeln!(out, "drift (live only, not in the repository):")?;
        for key in &diff.drift {
            writeln!(out, "  {key}")?;
        }
    }
    live_remarks(diff, out, "")?;
    if diff.has_differences() {
        writeln!(out, "{}", summary_line(diff))?;
    }
    Ok(())
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
fn live_remarks(diff: &Diff, out: &mut dyn Write, bullet: &str) -> io::Result<()> {
    if !diff.unread.is_empty() {
        writeln!(out, "partial: could not read")?;
        for unread in &diff.unread {
            writeln!(out, "{bullet}  {}: {}", unread.what, unread.reason)?;
        }
    }
    for note in &diff.notes {
        writeln!(out, "{bullet}note: {note}")?;
    }
    Ok(())
}

fn json(diff: &Diff, out: &mut dyn Write) -> io::Result<()> {
    let mut value = serde_json::to_value(diff).map_err(io::Error::other)?;
    value["summary"] = serde_json::json!({
        "added": count(diff, ChangeKind::Added),
        "removed": count(diff, ChangeKind::Removed),
        "modified": count(diff, ChangeKind::Modified),
        "policy": diff.policy.len(),
        "weaker": diff.policy.iter().filter(|p| p.risk.is_weaker()).count(),
    });
    serde_json::to_writer_pretty(&mut *out, &value).map_err(io::Error::other)?;
    writeln!(out)
}

fn markdown(diff: &Diff, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "### meshwright diff `{}` → `{}`\n",
        diff.base, diff.head
    )?;
    if !diff.has_differences() {
        writeln!(out, "{}.", capitalized(no_differences(diff)))?;
        return live_remarks(diff, out, "- ");
    }
    writeln!(out, "{}\n", summary_line(diff))?;
    if !diff.policy.is_empty() {
        writeln!(out, "#### Policy\n")?;
        writeln!(out, "| risk | cluster | change |\n|---|---|---|")?;
        for change in &diff.policy {
            let mark = if change.risk.is_weaker() {
                " ⚠️"
            } else {
                ""
            };
            writeln!(
                out,
                "| {}{mark} | {} | {} |",
                change.risk.as_str(),
                change.cluster,
                change.message.replace('|', "\\|")
            )?;
        }
        writeln!(out)?;
    }
    if !diff.objects.is_empty() {
        writeln!(out, "#### Objects\n")?;
        for change in &diff.objects {
            writeln!(
                out,
                "<details><summary>{} <code>{}</code></summary>\n",
                change.change.as_str(),
                change.key
            )?;
            writeln!(out, "```diff\n{}```\n</details>\n", change.diff)?;
        }
    }
    if !diff.drift.is_empty() {
        writeln!(out, "#### Live only (not in the repository)\n")?;
        for key in &diff.drift {
            writeln!(out, "- `{key}`")?;
        }
        writeln!(out)?;
    }
    live_remarks(diff, out, "- ")
}
