//! Reading mesh.yaml from disk: size and encoding guards, strict YAML parsing (duplicate
//! keys, unknown fields, alias budgets), then semantic validation. All problems come back
//! together, each with file:line:column.

use std::fmt;
use std::path::{Path, PathBuf};

use super::located::Position;
use super::model::Mesh;
use super::validate::{IntentProblem, validate};

/// mesh.yaml is hand-written intent; anything larger is not one.
const MAX_INTENT_BYTES: u64 = 4 * 1024 * 1024;

/// Why mesh.yaml could not be used. Displays one `file:line:col: error: …` line per problem.
#[derive(Debug)]
pub struct IntentError {
    pub file: PathBuf,
    pub problems: Vec<IntentProblem>,
}

impl fmt::Display for IntentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, problem) in self.problems.iter().enumerate() {
            if index > 0 {
                writeln!(f)?;
            }
            let file = self.file.display();
            if problem.at.line == 0 {
                write!(f, "{file}: error: {}", problem.message)?;
            } else {
                write!(f, "{file}:{}: error: {}", problem.at, problem.message)?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for IntentError {}

impl IntentError {
    fn single(file: &Path, at: Position, message: impl Into<String>) -> Self {
        IntentError {
            file: file.to_path_buf(),
            problems: vec![IntentProblem {
                at,
                message: message.into(),
            }],
        }
    }
}

/// Reads, parses and validates the mesh.yaml at `path`.
pub fn load(path: &Path) -> Result<Mesh, IntentError> {
    let metadata = std::fs::metadata(path)
        .map_err(|e| IntentError::single(path, Position::default(), format!("cannot read: {e}")))?;
    if !metadata.is_file() {
        return Err(IntentError::single(
            path,
            Position::default(),
            "not a regular file",
        ));
    }
    if metadata.len() > MAX_INTENT_BYTES {
        return Err(IntentError::single(
            path,
            Position::default(),
            format!(
                "file is {} bytes; mesh.yaml may be at most {MAX_INTENT_BYTES}",
                metadata.len()
            ),
        ));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| IntentError::single(path, Position::default(), format!("cannot read: {e}")))?;
    parse(path, &bytes)
}

/// Parses and validates mesh.yaml content; `path` is used only in messages.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Mesh, IntentError> {
    let text = crate::manifest::load::text_of(bytes).map_err(|(line, column, message)| {
        let at = Position {
            line: line.into(),
            column: column.into(),
        };
        IntentError::single(path, at, message)
    })?;
    let options = serde_saphyr::options! {
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::Error,
        with_snippet: false,
    };
    let mesh: Mesh = serde_saphyr::from_str_with_options(text, options).map_err(|e| {
        let at = e
            .location()
            .map(|l| Position {
                line: l.line(),
                column: l.column(),
            })
            .unwrap_or_default();
        IntentError::single(path, at, crate::manifest::load::yaml_message(&e))
    })?;
    let problems = validate(&mesh);
    if problems.is_empty() {
        Ok(mesh)
    } else {
        Err(IntentError {
            file: path.to_path_buf(),
            problems,
        })
    }
}
