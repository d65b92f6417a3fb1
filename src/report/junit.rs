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

/// Escapes text for an XML attribute or element. Characters XML 1.0 forbids (controls other
/// than tab, LF and CR; U+FFFE and U+FFFF) cannot even be written as references, so they
/// become U+FFFD; CR is a reference so attribute normalisation keeps it.
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
            '\r' => escaped.push_str("&#13;"),
            '\u{fffe}' | '\u{ffff}' => escaped.push(char::REPLACEMENT_CHARACTER),
            c if (c as u32) < 0x20 && c != '\t' => escaped.push(char::REPLACEMENT_CHARACTER),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::escape;

    /// XML 1.0's `Char` production.
    fn is_xml_char(c: char) -> bool {
        matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
    }

    #[test]
    fn characters_xml_forbids_become_the_replacement_character() {
        let hostile = "a\u{0}b\u{1b}[31m\u{fffe}\u{ffff}\u{7f}\u{10ffff}\tc\r\n<&>\"'";
        let escaped = escape(hostile);
        assert!(escaped.chars().all(is_xml_char), "{escaped:?}");
        assert_eq!(
            escaped,
            "a\u{fffd}b\u{fffd}[31m\u{fffd}\u{fffd}\u{7f}\u{10ffff}\tc&#13;&#10;&lt;&amp;&gt;&quot;&apos;"
        );
    }
}
