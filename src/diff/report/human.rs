//! `--output human`: one line per changed object with its unified diff indented, then the
//! policy changes, drift, what a live read could not see, and a summary line.

use std::io::{self, Write};

use super::{Diff, live_remarks, no_differences, summary_line};
use crate::diff::ChangeKind;

pub fn write(diff: &Diff, out: &mut dyn Write) -> io::Result<()> {
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
    write!(out, "{}", live_remarks(diff, ""))?;
    if diff.has_differences() {
        writeln!(out, "{}", summary_line(diff))?;
    }
    Ok(())
}
