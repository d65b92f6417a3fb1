//! Output formats for findings: one file per format, all fed the same `Report`, so exit
//! codes and content never depend on the format chosen.

pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;

use std::io::{self, Write};

use serde::Serialize;

use crate::findings::{Finding, Severity};

/// The formats `--output` accepts for findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// rustc-style snippets with colour (unless NO_COLOR or not a terminal)
    Human,
    /// one JSON object: findings and summary
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards
    Sarif,
    /// JUnit XML, for CI test reports
    Junit,
    /// GitHub Actions workflow commands (annotations on the pull request)
    Github,
    /// a pull-request comment section: verdict, counts, a table of findings
    Markdown,
}

/// Counts shown after the findings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub files: usize,
    pub objects: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Findings hidden by `--ignore`, annotations or the config file.
    pub suppressed: usize,
}

impl Summary {
    /// Counts `findings` by severity.
    pub fn new(files: usize, objects: usize, findings: &[Finding], suppressed: usize) -> Self {
        let count = |severity| findings.iter().filter(|f| f.severity == severity).count();
        Summary {
            files,
            objects,
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            infos: count(Severity::Info),
            suppressed,
        }
    }
}

/// Findings (sorted) and their summary.
pub struct Report<'a> {
    pub findings: &'a [Finding],
    pub summary: Summary,
}

/// Writes `report` in `format`; `color` applies to the human format only.
pub fn write(format: Format, report: &Report, out: &mut dyn Write, color: bool) -> io::Result<()> {
    match format {
        Format::Human => human::write(report, out, color),
        Format::Json => json::write(report, out),
        Format::Sarif => sarif::write(report, out),
        Format::Junit => junit::write(report, out),
        Format::Github => github::write(report, out),
        Format::Markdown => markdown::write(report, out),
    }
}

/// The file of a finding as shown to the user, if it has one.
fn file_of(finding: &Finding) -> Option<String> {
    finding
        .origin
        .as_ref()
        .map(|o| crate::display::relative(&o.file))
}
