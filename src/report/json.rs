//! `--output json`: one object, `{"findings": [...], "summary": {...}}`, as DESIGN.md's
//! contract gives it. `file` is relative to the working directory; `line` and `column`
//! are 1-based and point at the value to edit.

use std::io::{self, Write};

use serde_json::{Value, json};

use super::{Report, file_of};

pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let findings: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            json!({
                "code": f.code.code,
                "severity": f.severity,
                "message": f.message,
                "file": file_of(f),
                "line": f.origin.as_ref().map(|o| o.line),
                "column": f.origin.as_ref().map(|o| o.column),
                "object": f.object,
                "help": f.help(),
            })
        })
        .collect();
    let document = json!({ "findings": findings, "summary": report.summary });
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}
