//! `--output FORMAT[=PATH]`, repeatable: one run writes several reports (the pull-request
//! action wants annotations, markdown and counts from one `validate`). A report with a PATH
//! is written beside it and renamed into place, so a file is whole or untouched; at most one
//! report goes to standard output.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::ValueEnum;

/// One report: its format, and its file (standard output when `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target<F> {
    pub format: F,
    pub path: Option<PathBuf>,
}

/// Parses `FORMAT` or `FORMAT=PATH` (clap's value parser for `--output`).
pub fn parse<F: ValueEnum>(text: &str) -> Result<Target<F>, String> {
    let (name, path) = match text.split_once('=') {
        Some((_, "")) => return Err(format!("`{text}`: no path after `=`")),
        Some((name, path)) => (name, Some(PathBuf::from(path))),
        None => (text, None),
    };
    let format = F::from_str(name, true).map_err(|_| {
        let known: Vec<String> = F::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value().map(|p| p.get_name().to_string()))
            .collect();
        format!("unknown format `{name}` (one of: {})", known.join(", "))
    })?;
    Ok(Target { format, path })
}

/// The usage error of a target list sending more than one report to standard output.
pub fn check<F>(targets: &[Target<F>]) -> Result<(), String> {
    if targets.iter().filter(|t| t.path.is_none()).count() > 1 {
        return Err(
            "--output: only one report can go to standard output; give the others a file (FORMAT=PATH)"
                .into(),
        );
    }
    Ok(())
}

/// Whether a target in `format` writes to standard output.
pub fn to_stdout<F: PartialEq>(targets: &[Target<F>], format: F) -> bool {
    targets
        .iter()
        .any(|t| t.path.is_none() && t.format == format)
}

/// Writes every report with `write`: the standard-output one through `super::output`, each
/// file one whole or not at all. The error names the file that could not be written.
pub fn write_all<F: Copy>(
    targets: &[Target<F>],
    write: impl Fn(F, &mut dyn Write) -> io::Result<()>,
) -> Result<(), String> {
    for target in targets {
        match &target.path {
            None => super::output::write_stdout(|out| write(target.format, out)),
            Some(path) => write_file(path, |out| write(target.format, out))
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?,
        }
    }
    Ok(())
}

/// Writes a temporary file beside `path`, then renames it onto `path`.
fn write_file(path: &Path, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("no directory {}", dir.display()),
        ));
    }
    let mut file = tempfile::NamedTempFile::new_in(dir)
        .map_err(|e| io::Error::new(e.kind(), "cannot create a file beside it"))?;
    {
        let mut out = io::BufWriter::new(file.as_file_mut());
        write(&mut out)?;
        out.flush()?;
    }
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Format;

    #[test]
    fn formats_with_and_without_a_file_parse_and_bad_ones_say_why() {
        assert_eq!(
            parse::<Format>("json=out/report.json"),
            Ok(Target {
                format: Format::Json,
                path: Some(PathBuf::from("out/report.json"))
            })
        );
        assert_eq!(
            parse::<Format>("SARIF"),
            Ok(Target {
                format: Format::Sarif,
                path: None
            })
        );
        assert!(parse::<Format>("json=").unwrap_err().contains("no path"));
        let unknown = parse::<Format>("yaml=x").unwrap_err();
        assert!(unknown.contains("unknown format `yaml`") && unknown.contains("junit"));
        let two = [
            parse::<Format>("json").unwrap(),
            parse::<Format>("human").unwrap(),
        ];
        assert!(check(&two).is_err());
        assert!(check(&two[..1]).is_ok());
    }

    #[test]
    fn a_failing_report_leaves_the_file_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.md");
        std::fs::write(&path, "old").unwrap();
        let targets = [Target {
            format: Format::Markdown,
            path: Some(path.clone()),
        }];
        let failed = write_all(&targets, |_, out| {
            out.write_all(b"half")?;
            Err(io::Error::other("disk full"))
        });
        assert!(failed.unwrap_err().contains("report.md"));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        write_all(&targets, |_, out| out.write_all(b"new")).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
