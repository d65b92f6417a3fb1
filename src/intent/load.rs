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
    if bytes.contains(&0) {
        return Err(IntentError::single(
            path,
            Position::default(),
            "file contains NUL bytes; it is binary, not YAML",
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let before = &bytes[..e.valid_up_to()];
        let line = before.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        let column = before.iter().rev().take_while(|&&b| b != b'\n').count() as u64 + 1;
        IntentError::single(path, Position { line, column }, "file is not valid UTF-8")
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
        IntentError::single(path, at, yaml_message(&e))
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

/// serde-saphyr's message without its own location suffix (we print ours in front), with
/// library-facing wording turned into advice for the person editing mesh.yaml.
fn yaml_message(error: &serde_saphyr::Error) -> String {
    let rendered = error.without_snippet().to_string();
    let first_line = rendered.lines().next().unwrap_or("invalid YAML").trim();
    let message = match first_line.rfind(" at line ") {
        Some(index) => &first_line[..index],
        None => first_line,
    };
    if let Some(key) = message.strip_prefix("duplicate mapping key: ") {
        let key = key.split(',').next().unwrap_or(key);
        return format!("duplicate key `{key}`: each key may appear once in a mapping");
    }
    match message {
        "invalid u32" | "invalid u16" | "invalid u64" => {
            format!("expected a whole number ({message}), not text")
        }
        "invalid bool" => "expected true or false".to_string(),
        other => other.to_string(),
    }
}
