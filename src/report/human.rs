//! `--output human`: rustc-style findings — code, message, `--> file:line:column`, the
//! source line with the value underlined (never a Secret's), the object and a help line —
//! then a summary.
//! Colour only when asked for (a terminal, and `NO_COLOR` unset).

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::Path;
use std::sync::Arc;

use super::{Report, file_of};
use crate::findings::{Finding, Severity};

struct Style {
    color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn severity(&self, severity: Severity) -> String {
        self.paint(severity_color(severity), &severity.to_string())
    }

    fn gutter(&self, text: &str) -> String {
        self.paint("1;34", text)
    }
}

fn severity_color(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "1;31",
        Severity::Warning => "1;33",
        Severity::Info => "1;36",
    }
}

pub fn write(report: &Report, out: &mut dyn Write, color: bool) -> io::Result<()> {
    let style = Style { color };
    let mut sources = Sources::default();
    for finding in report.findings {
        write_finding(finding, &style, &mut sources, out)?;
    }
    let s = &report.summary;
    let mut line = format!(
        "{} files, {} objects: {} {}, {} {}",
        s.files,
        s.objects,
        s.errors,
        plural(s.errors, "error"),
        s.warnings,
        plural(s.warnings, "warning")
    );
    if s.infos > 0 {
        line.push_str(&format!(", {} {}", s.infos, plural(s.infos, "note")));
    }
    if s.suppressed > 0 {
        line.push_str(&format!(", {} suppressed", s.suppressed));
    }
    let verdict = if s.errors > 0 {
        style.paint("1;31", "failed")
    } else {
        style.paint("1;32", "ok")
    };
    writeln!(out, "{verdict}: {line}")
}

fn plural(count: usize, word: &str) -> String {
    if count == 1 {
        word.to_string()
    } else {
        format!("{word}s")
    }
}

fn write_finding(
    finding: &Finding,
    style: &Style,
    sources: &mut Sources,
    out: &mut dyn Write,
) -> io::Result<()> {
    writeln!(
        out,
        "{}{}: {}",
        style.severity(finding.severity),
        style.paint("1", &format!("[{}]", finding.code.code)),
        style.paint("1", &finding.message)
    )?;
    if let (Some(file), Some(origin)) = (file_of(finding), &finding.origin) {
        let number = origin.line.to_string();
        let pad = " ".repeat(number.len());
        writeln!(
            out,
            "{pad}{} {file}:{}:{}",
            style.gutter("-->"),
            origin.line,
            origin.column
        )?;
        // A Secret's lines hold its values: only their position is shown.
        if !finding.about_secret()
            && let Some(text) = sources.line(&origin.file, origin.line)
        {
            let column = (origin.column as usize).max(1);
            let marker = format!(
                "{}{}",
                " ".repeat(text.chars().take(column - 1).count()),
                "^".repeat(token_width(text, column))
            );
            writeln!(out, "{pad} {}", style.gutter("|"))?;
            writeln!(
                out,
                "{} {} {text}",
                style.gutter(&number),
                style.gutter("|")
            )?;
            writeln!(
                out,
                "{pad} {} {}",
                style.gutter("|"),
                style.paint(severity_color(finding.severity), &marker)
            )?;
        }
        if let Some(object) = &finding.object {
            writeln!(out, "{pad} {} object: {object}", style.gutter("="))?;
        }
        writeln!(out, "{pad} {} help: {}", style.gutter("="), finding.help())?;
    } else {
        if let Some(object) = &finding.object {
            writeln!(out, "  = object: {object}")?;
        }
        writeln!(out, "  = help: {}", finding.help())?;
    }
    writeln!(out)
}

/// How many characters from 1-based `column` the value there spans: a quoted scalar to
/// its closing quote, a plain one to a comment or the end of the line.
fn token_width(line: &str, column: usize) -> usize {
    let rest: Vec<char> = line.chars().skip(column - 1).collect();
    let width = match rest.first() {
        Some(&quote @ ('"' | '\'')) => rest[1..]
            .iter()
            .position(|&c| c == quote)
            .map_or(rest.len(), |end| end + 2),
        Some(_) => {
            let text: String = rest.iter().collect();
            let mut end = text.find(" #").unwrap_or(text.len());
            // Inside a flow collection (`[a, b]`, `{k: v}`) a plain scalar ends at , ] }.
            let before: String = line.chars().take(column - 1).collect();
            if before.contains(['[', '{']) {
                end = end.min(text.find([',', ']', '}']).unwrap_or(text.len()));
            }
            text[..end].trim_end().chars().count()
        }
        None => 1,
    };
    width.max(1)
}

/// Source files read once each, for snippets.
#[derive(Default)]
struct Sources {
    files: HashMap<Arc<Path>, Option<String>>,
}

impl Sources {
    fn line(&mut self, file: &Arc<Path>, line: u32) -> Option<&str> {
        let text = self
            .files
            .entry(file.clone())
            .or_insert_with(|| std::fs::read_to_string(file).ok());
        let index = (line as usize).checked_sub(1)?;
        // A binary file's "line" is not shown: it could hold terminal control sequences.
        text.as_deref()?
            .lines()
            .nth(index)
            .filter(|l| !l.chars().any(|c| c.is_control() && c != '\t'))
    }
}

#[cfg(test)]
mod tests {
    use super::token_width;

    #[test]
    fn the_underline_spans_the_value() {
        assert_eq!(token_width("    mode: STRICTT", 11), 7);
        assert_eq!(token_width(r#"  host: "a b" # note"#, 9), 5);
        assert_eq!(token_width("  name: web # the web tier", 9), 3);
        assert_eq!(token_width("", 1), 1);
        assert_eq!(token_width("resources: [missing.yaml, b]", 13), 12);
        assert_eq!(token_width("command: a,b]", 10), 4);
    }
}
