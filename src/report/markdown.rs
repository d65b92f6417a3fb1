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
                code_cell(&format!("{file}:{}:{}", origin.line, origin.column))
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

/// Text for a table cell: one line, no HTML, no mentions, pipes escaped.
pub fn cell(text: &str) -> String {
    inline(text).replace('|', "\\|")
}

/// Text for one line of markdown: no line breaks, no HTML, no mentions.
pub fn inline(text: &str) -> String {
    no_mentions(&html(&one_line(text)))
}

/// An inline code span showing `text` verbatim on one line: its fence is a backtick run
/// longer than any inside, padded when the text starts or ends with a backtick or space
/// (CommonMark strips one space from each side). Mentions do not ping inside code spans.
pub fn code(text: &str) -> String {
    let text = one_line(text);
    let longest_run = text
        .split(|c| c != '`')
        .map(str::len)
        .max()
        .unwrap_or_default();
    let fence = "`".repeat(longest_run + 1);
    let pad = if text.starts_with(['`', ' ']) || text.ends_with(['`', ' ']) {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// A code span inside a table cell: GFM splits cells at an unescaped `|` even inside code,
/// and renders `\|` there as `|`.
pub fn code_cell(text: &str) -> String {
    code(text).replace('|', "\\|")
}

fn one_line(text: &str) -> String {
    text.replace(['\n', '\r'], " ")
}

/// `@name` would notify a user or team; a word joiner after `@` keeps the text and stops it.
fn no_mentions(text: &str) -> String {
    text.replace('@', "@\u{2060}")
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
        assert_eq!(code("main`x"), "``main`x``");
        assert_eq!(code("`a``"), "``` `a`` ```");
        assert_eq!(code(" a "), "`  a  `");
        assert_eq!(code("a\nb"), "`a b`");
        assert_eq!(code_cell("x|y.yaml:1:2"), "`x\\|y.yaml:1:2`");
    }

    #[test]
    fn mentions_outside_code_spans_do_not_ping() {
        assert_eq!(
            cell("owner @acme/security and @bob"),
            "owner @\u{2060}acme/security and @\u{2060}bob"
        );
        assert_eq!(inline("@team"), "@\u{2060}team");
        assert_eq!(code("@team"), "`@team`");
    }

    #[test]
    fn a_file_with_a_pipe_and_a_backtick_keeps_one_table_row() {
        use crate::findings::{Finding, codes};
        use crate::manifest::node::Origin;
        let file: &std::path::Path = "a|b`c@d.yaml".as_ref();
        let finding = Finding::new(
            &codes::CERT_MANAGER_DURATION,
            "ping @org/team | and `this`",
            Some(Origin::new(file.into(), 3, 4)),
        );
        let findings = [finding];
        let report = Report {
            findings: &findings,
            summary: super::super::Summary::new(1, 1, &findings, 0),
        };
        let mut out = Vec::new();
        write(&report, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let row = text.lines().find(|l| l.contains("MW112")).unwrap();
        assert_eq!(
            row,
            "| ❌ | MW112 | ``a\\|b`c@d.yaml:3:4`` | ping @\u{2060}org/team \\| and `this` |"
        );
    }
}
