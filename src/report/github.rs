//! `--output github`: GitHub Actions workflow commands, one per finding, so findings show
//! as annotations on the pull request's changed lines.

use std::io::{self, Write};

use super::{Report, file_of};
use crate::findings::Severity;

pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for finding in report.findings {
        let command = match finding.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut properties = Vec::new();
        if let (Some(file), Some(origin)) = (file_of(finding), &finding.origin) {
            properties.push(format!("file={}", escape_property(&file)));
            properties.push(format!("line={}", origin.line));
            properties.push(format!("col={}", origin.column));
        }
        properties.push(format!(
            "title={}",
            escape_property(&format!("{} {}", finding.code.code, finding.code.name))
        ));
        let mut message = finding.message.clone();
        if let Some(object) = &finding.object {
            message.push_str(&format!(" ({object})"));
        }
        message.push_str(&format!("\nhelp: {}", finding.help()));
        writeln!(
            out,
            "::{command} {}::{}",
            properties.join(","),
            escape_data(&message)
        )?;
    }
    let s = &report.summary;
    writeln!(
        out,
        "meshwright: {} files, {} objects: {} errors, {} warnings",
        s.files, s.objects, s.errors, s.warnings
    )
}

/// Escapes a command's message (GitHub's `escapeData`).
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (GitHub's `escapeProperty`).
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_actions_toolkit() {
        assert_eq!(escape_data("50%\r\nnext"), "50%25%0D%0Anext");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
