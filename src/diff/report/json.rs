//! `--output json`: the [`Diff`] as it serializes, plus a `summary` of counts.

use std::io::{self, Write};

use super::{Diff, count, weaker};
use crate::diff::ChangeKind;

pub fn write(diff: &Diff, out: &mut dyn Write) -> io::Result<()> {
    let mut value = serde_json::to_value(diff).map_err(io::Error::other)?;
    value["summary"] = serde_json::json!({
        "added": count(diff, ChangeKind::Added),
        "removed": count(diff, ChangeKind::Removed),
        "modified": count(diff, ChangeKind::Modified),
        "policy": diff.policy.len(),
        "weaker": weaker(diff),
    });
    serde_json::to_writer_pretty(&mut *out, &value).map_err(io::Error::other)?;
    writeln!(out)
}
