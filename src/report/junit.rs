//! `--output junit`: JUnit XML for CI test reports. Each error is a failed test case named
//! after its code and place; warnings and notes are passing cases with the text in
//! `system-out`; one passing case summarises the run, so a clean run is never "no tests".

use std::io::{self, Write};

use super::{Report, file_of};
use crate::findings::{Finding, Severity};

pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let tests = report.findings.len() + 1;
    let failures = report.summary.errors;
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="meshwright validate" tests="{tests}" failures="{failures}" errors="0">"#
    )?;
    writeln!(
        out,
        r#"  <testsuite name="meshwright validate" tests="{tests}" failures="{failures}" errors="0" skipped="0">"#
    )?;
    for finding in report.findings {
        write_case(finding, out)?;
    }
    let s = &report.summary;
    writeln!(
        out,
        r#"    <testcase classname="meshwright" name="{} files, {} objects validated"/>"#,
        s.files, s.objects
    )?;
    writeln!(out, "  </testsuite>\n</testsuites>")
}

fn write_case(finding: &Finding, out: &mut dyn Write) -> io::Result<()> {
    let file = file_of(finding).unwrap_or_else(|| "meshwright".to_string());
    let place = finding.origin.as_ref().map_or(String::new(), |o| {
        format!(" {file}:{}:{}", o.line, o.column)
    });
    let object = finding
        .object
        .as_ref()
        .map_or(String::new(), |o| format!(" ({o})"));
    let name = format!("{}{place}", finding.code.code);
    let text = format!("{}{object}\nhelp: {}", finding.message, finding.help());
    writeln!(
        out,
        r#"    <testcase classname="{}" name="{}">"#,
        escape(&file),
        escape(&name)
    )?;
    if finding.severity == Severity::Error {
        writeln!(
            out,
            r#"      <failure message="{}" type="{}">{}</failure>"#,
            escape(&finding.message),
            finding.code.code,
            escape(&text)
        )?;
    } else {
        writeln!(
            out,
            "      <system-out>{}: {}</system-out>",
            finding.severity,
            escape(&text)
        )?;
    }
    writeln!(out, "    </testcase>")
}

/// Escapes text for an XML attribute or element.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            '\n' => escaped.push_str("&#10;"),
            c if (c as u32) < 0x20 && c != '\t' => {}
            c => escaped.push(c),
        }
    }
    escaped
}
