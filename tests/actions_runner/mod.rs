//! Runs a GitHub Actions composite action — and a workflow job that uses one — the way the
//! runner does, for what meshwright's action and generated workflow use: `run` steps with
//! `shell: bash` (`bash --noprofile --norc -eo pipefail`), `${{ }}` expressions (context
//! paths, `inputs.*` with defaults, `steps.<id>.outputs.*`, `||`), step `env`, the
//! `GITHUB_OUTPUT`, `GITHUB_PATH` and `GITHUB_STEP_SUMMARY` files, `GITHUB_ACTION_PATH`,
//! action outputs, and stopping at the first failing step.
//!
//! `uses:` steps other than the action under test are not run: `actions/checkout` (the
//! test has made the repository) and `actions/cache` are recorded and checked; any other
//! action fails the test, as does an expression or input the runner does not know —
//! so the action cannot depend on something these tests do not exercise.

#![allow(dead_code)] // each test uses a different subset

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// What the runner provides: the context (`github.*`, `runner.*`), the environment every
/// step gets, and the workspace.
pub struct Runner {
    pub context: BTreeMap<String, String>,
    pub env: BTreeMap<String, String>,
    pub workspace: PathBuf,
    /// `RUNNER_TEMP`, outputs, summaries.
    pub temp: tempfile::TempDir,
}

/// The result of an action or a job.
#[derive(Debug, Default)]
pub struct Run {
    /// 0 when every step succeeded, else the failing step's exit code.
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    /// The action's outputs.
    pub outputs: BTreeMap<String, String>,
    /// Everything steps wrote to `GITHUB_STEP_SUMMARY`.
    pub summary: String,
    /// `uses:` steps that were recorded, not run, with their `with:` inputs.
    pub skipped: Vec<(String, BTreeMap<String, String>)>,
}

pub fn read_yaml(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A YAML scalar as the runner sees it: a string.
fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn map_of(value: Option<&Value>) -> BTreeMap<String, String> {
    value
        .and_then(Value::as_object)
        .map(|m| m.iter().map(|(k, v)| (k.clone(), scalar(v))).collect())
        .unwrap_or_default()
}

/// The values an expression can read besides the context.
struct Scope<'a> {
    inputs: &'a BTreeMap<String, String>,
    steps: &'a BTreeMap<String, BTreeMap<String, String>>,
}

impl Runner {
    pub fn new(workspace: &Path) -> Runner {
        Runner {
            context: BTreeMap::new(),
            env: BTreeMap::new(),
            workspace: workspace.to_path_buf(),
            temp: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// The value of one operand: a quoted literal or a context path.
    fn operand(&self, operand: &str, scope: &Scope) -> String {
        let operand = operand.trim();
        if let Some(literal) = operand
            .strip_prefix('\'')
            .and_then(|s| s.strip_suffix('\''))
        {
            return literal.to_string();
        }
        if let Some(name) = operand.strip_prefix("inputs.") {
            return scope
                .inputs
                .get(name)
                .unwrap_or_else(|| panic!("expression reads undeclared input {name}"))
                .clone();
        }
        if let Some(rest) = operand.strip_prefix("steps.") {
            let (step, output) = rest
                .split_once(".outputs.")
                .unwrap_or_else(|| panic!("unsupported expression {operand}"));
            return scope
                .steps
                .get(step)
                .and_then(|outputs| outputs.get(output))
                .cloned()
                .unwrap_or_default();
        }
        match self.context.get(operand) {
            Some(value) => value.clone(),
            // Event payloads differ by event: a missing property is empty, as on GitHub.
            None if operand.starts_with("github.event.") => String::new(),
            None => panic!("expression reads {operand}, which the test runner does not provide"),
        }
    }

    /// `text` with every `${{ a || b }}` replaced by its value.
    fn evaluate(&self, text: &str, scope: &Scope) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${{") {
            out.push_str(&rest[..start]);
            let end = rest[start..]
                .find("}}")
                .unwrap_or_else(|| panic!("unclosed expression in {text}"))
                + start;
            let expression = &rest[start + 3..end];
            let value = expression
                .split("||")
                .map(|operand| self.operand(operand, scope))
                .find(|value| !value.is_empty())
                .unwrap_or_default();
            out.push_str(&value);
            rest = &rest[end + 2..];
        }
        out.push_str(rest);
        out
    }

    /// Runs the composite action in `action_dir` with `with` inputs.
    pub fn run_action(&self, action_dir: &Path, with: &BTreeMap<String, String>) -> Run {
        let action = read_yaml(&action_dir.join("action.yml"));
        assert_eq!(action["runs"]["using"], "composite", "a composite action");
        let declared = action["inputs"].as_object().cloned().unwrap_or_default();
        for name in with.keys() {
            assert!(
                declared.contains_key(name),
                "input {name} is not declared by {}",
                action_dir.display()
            );
        }
        let no_steps = BTreeMap::new();
        let mut inputs = BTreeMap::new();
        for (name, spec) in &declared {
            let value = match with.get(name) {
                Some(value) => value.clone(),
                None => {
                    let scope = Scope {
                        inputs: &BTreeMap::new(),
                        steps: &no_steps,
                    };
                    self.evaluate(&scalar(&spec["default"]), &scope)
                }
            };
            inputs.insert(name.clone(), value);
        }
        let mut run = Run::default();
        let mut steps: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        let path_file = self.temp.path().join("github_path");
        let mut extra_path: Vec<String> = Vec::new();
        for (index, step) in action["runs"]["steps"]
            .as_array()
            .expect("steps")
            .iter()
            .enumerate()
        {
            let scope = Scope {
                inputs: &inputs,
                steps: &steps,
            };
            if let Some(uses) = step["uses"].as_str() {
                let with: BTreeMap<String, String> = map_of(step.get("with"))
                    .into_iter()
                    .map(|(k, v)| (k, self.evaluate(&v, &scope)))
                    .collect();
                assert!(
                    uses.starts_with("actions/cache@"),
                    "step {index} uses {uses}, which the test runner cannot run"
                );
                run.skipped.push((uses.to_string(), with));
                continue;
            }
            assert_eq!(
                step["shell"], "bash",
                "a composite action's run step {index} must name its shell"
            );
            let script = self.evaluate(step["run"].as_str().expect("run"), &scope);
            let script_file = self.temp.path().join(format!("step-{index}.sh"));
            std::fs::write(&script_file, &script).expect("write script");
            let output_file = self.temp.path().join(format!("output-{index}"));
            let summary_file = self.temp.path().join(format!("summary-{index}"));
            std::fs::write(&output_file, "").expect("output file");
            let mut command = Command::new("bash");
            command
                .args(["--noprofile", "--norc", "-eo", "pipefail"])
                .arg(&script_file)
                .current_dir(&self.workspace)
                .env_clear()
                .envs(&self.env)
                .env("GITHUB_ACTION_PATH", action_dir)
                .env("GITHUB_WORKSPACE", &self.workspace)
                .env("RUNNER_TEMP", self.temp.path())
                .env("GITHUB_OUTPUT", &output_file)
                .env("GITHUB_PATH", &path_file)
                .env("GITHUB_STEP_SUMMARY", &summary_file);
            let base_path = self.env.get("PATH").cloned().unwrap_or_default();
            let path = extra_path
                .iter()
                .rev()
                .cloned()
                .chain(std::iter::once(base_path))
                .collect::<Vec<_>>()
                .join(":");
            command.env("PATH", path);
            for (name, value) in map_of(step.get("env")) {
                command.env(name, self.evaluate(&value, &scope));
            }
            let output = command.output().expect("bash runs");
            run.stdout
                .push_str(&String::from_utf8_lossy(&output.stdout));
            run.stderr
                .push_str(&String::from_utf8_lossy(&output.stderr));
            run.summary
                .push_str(&std::fs::read_to_string(&summary_file).unwrap_or_default());
            if let Some(id) = step["id"].as_str() {
                steps.insert(id.to_string(), parse_outputs(&output_file));
            }
            extra_path = std::fs::read_to_string(&path_file)
                .unwrap_or_default()
                .lines()
                .map(str::to_string)
                .collect();
            if !output.status.success() {
                run.code = output.status.code().unwrap_or(-1);
                break;
            }
        }
        let scope = Scope {
            inputs: &inputs,
            steps: &steps,
        };
        if let Some(outputs) = action["outputs"].as_object() {
            for (name, spec) in outputs {
                let value = self.evaluate(&scalar(&spec["value"]), &scope);
                run.outputs.insert(name.clone(), value);
            }
        }
        run
    }

    /// Runs job `job` of `workflow`: `actions/checkout` is recorded (the test made the
    /// repository), and a step using `action` (`owner/repo/path@ref`) runs `action_dir`.
    pub fn run_job(&self, workflow: &Value, job: &str, action: &str, action_dir: &Path) -> Run {
        let steps = workflow["jobs"][job]["steps"]
            .as_array()
            .unwrap_or_else(|| panic!("job {job} has steps"));
        let scope_inputs = BTreeMap::new();
        let no_steps = BTreeMap::new();
        let scope = Scope {
            inputs: &scope_inputs,
            steps: &no_steps,
        };
        let mut run = Run::default();
        for step in steps {
            let uses = step["uses"].as_str().expect("the job's steps use actions");
            let with: BTreeMap<String, String> = map_of(step.get("with"))
                .into_iter()
                .map(|(k, v)| (k, self.evaluate(&v, &scope)))
                .collect();
            if uses == action {
                let inner = self.run_action(action_dir, &with);
                run.stdout.push_str(&inner.stdout);
                run.stderr.push_str(&inner.stderr);
                run.summary.push_str(&inner.summary);
                run.skipped.extend(inner.skipped);
                run.outputs = inner.outputs;
                run.code = inner.code;
                if run.code != 0 {
                    break;
                }
            } else {
                assert!(
                    uses.starts_with("actions/checkout@"),
                    "the job uses {uses}, which the test runner cannot run"
                );
                run.skipped.push((uses.to_string(), with));
            }
        }
        run
    }
}

/// `name=value` lines (and `name<<DELIMITER` blocks) of a `GITHUB_OUTPUT` file.
fn parse_outputs(file: &Path) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(file).unwrap_or_default();
    let mut outputs = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some((name, delimiter)) = line.split_once("<<") {
            let value: Vec<&str> = lines.by_ref().take_while(|l| *l != delimiter).collect();
            outputs.insert(name.to_string(), value.join("\n"));
        } else if let Some((name, value)) = line.split_once('=') {
            outputs.insert(name.to_string(), value.to_string());
        }
    }
    outputs
}
