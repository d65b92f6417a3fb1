//! `--output markdown`: findings as a pull-request comment section — a verdict line, the
//! counts, and a table of findings (errors first) capped at [`MAX_ROWS`] rows; the
//! annotations (`--output github`) or the job log carry the rest. Also the escaping that
//! every markdown output of meshwright shares.

use std::io::{self, Write};

use super::{Report, file_of};
use crate::findings::Severity;

/// More rows than this bury the comment; the count of the rest is shown.
pub const MAX_ROWS: usize = 50;

pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let s = &report.summary;
    let verdict = if s.errors > 0 {
        format!("❌ {} error(s), {} warning(s)", s.errors, s.warnings)
    } else if s.warnings > 0 {
        format!("⚠️ {} warning(s)", s.warnings)
    } else {
        "✅ no errors or warnings".to_string()
    };
    writeln!(out, "### meshwright validate: {verdict}\n")?;
    let suppressed = if s.suppressed > 0 {
        format!(", {} suppressed", s.suppressed)
    } else {
        String::new()
    };
    writeln!(
        out,
        "{} file(s), {} object(s) checked; {} note(s){suppressed}.\n",
        s.files, s.objects, s.infos
    )?;
    if report.findings.is_empty() {
        return Ok(());
    }
    let mut findings: Vec<_> = report.findings.iter().collect();
    findings.sort_by_key(|f| f.severity);
    writeln!(out, "| | code | where | message |\n|---|---|---|---|")?;
    for finding in findings.iter().take(MAX_ROWS) {
        let mark = match finding.severity {
            Severity::Error => "❌",
            Severity::Warning => "⚠️",
            Severity::Info => "ℹ️",
        };
        let place = match (file_of(finding), &finding.origin) {
            (Some(file), Some(origin)) => {
                format!("`{}:{}:{}`", code(&file), origin.line, origin.column)
            }
            _ => String::new(),
        };
        writeln!(
            out,
            "| {mark} | {} | {place} | {} |",
            finding.code.code,
            cell(&finding.message)
        )?;
    }
    if findings.len() > MAX_ROWS {
        writeln!(
            out,
            "\n…and {} more: see the annotations or `meshwright validate`.",
            findings.len() - MAX_ROWS
        )?;
    }
    writeln!(out)
}

/// Text for a table cell: one line, no HTML, pipes escaped.
pub fn cell(text: &str) -> String {
    inline(text).replace('|', "\\|")
}

/// Text for one line of markdown: no line breaks, no HTML.
pub fn inline(text: &str) -> String {
    html(&text.replace(['\n', '\r'], " "))
}

/// Text inside an inline code span: a backtick cannot end it early.
pub fn code(text: &str) -> String {
    text.replace('`', "'")
}

/// Text with HTML's special characters escaped.
pub fn html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_and_code_spans_cannot_break_out() {
        assert_eq!(cell("a|b\n<script>"), "a\\|b &lt;script&gt;");
        assert_eq!(code("main`x"), "main'x");
    }
}
