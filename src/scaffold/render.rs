//! Rendering the embedded blueprints (`blueprints/`) into file contents.
//!
//! A blueprint group is a directory of `*.j2` templates rendered once per unit (the repo,
//! each cluster, each namespace, each namespace × cluster overlay). A template that renders
//! to white space produces no file; `kustomization.yaml.j2` renders last and receives the
//! names of the files its directory got. In YAML templates every interpolated string is
//! printed as a YAML-safe scalar, and every rendered YAML file is parsed back before it is
//! accepted, so a template bug is an internal error, never a broken repo.

use std::collections::BTreeMap;

use include_dir::{Dir, include_dir};
use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, UndefinedBehavior, context};

use super::context::{MeshContext, build};
use crate::intent::Mesh;

static BLUEPRINTS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/blueprints");

const KUSTOMIZATION: &str = "kustomization.yaml";

/// A rendered file: a `/`-separated path relative to the repo root and its contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedFile {
    pub path: String,
    pub contents: String,
}

/// A blueprint that failed to render or rendered invalid YAML: a bug in meshwright.
#[derive(Debug, thiserror::Error)]
#[error("blueprint {template}: {message}")]
pub struct RenderError {
    pub template: String,
    pub message: String,
}

/// The mesh.yaml of a built-in example (`init --example NAME`).
pub fn example(name: &str) -> Option<&'static str> {
    BLUEPRINTS
        .get_file(format!("examples/{name}.yaml"))
        .and_then(|f| f.contents_utf8())
}

/// Names of the built-in examples, sorted.
pub fn example_names() -> Vec<&'static str> {
    let mut names: Vec<&str> = BLUEPRINTS
        .get_dir("examples")
        .map(|dir| {
            dir.files()
                .filter_map(|f| f.path().file_stem()?.to_str())
                .collect()
        })
        .unwrap_or_default();
    names.sort_unstable();
    names
}

/// Renders every file of the repository described by `mesh`, sorted by path.
pub fn render(mesh: &Mesh) -> Result<Vec<RenderedFile>, RenderError> {
    let environment = environment()?;
    let ctx = build(mesh);
    let mesh_value = to_value(&ctx);
    let mut files = BTreeMap::new();
    let mut renderer = GroupRenderer {
        environment: &environment,
        files: &mut files,
    };
    renderer.group("repo", "", context! { mesh => &mesh_value })?;
    for cluster in &ctx.clusters {
        let dir = format!("clusters/{}", cluster.name);
        let cluster = to_value(cluster);
        renderer.group(
            "cluster",
            &dir,
            context! { mesh => &mesh_value, cluster => &cluster },
        )?;
        renderer.group(
            "cluster/istio",
            &format!("{dir}/istio"),
            context! { mesh => &mesh_value, cluster => &cluster },
        )?;
    }
    for ns in &ctx.namespaces {
        let ns_value = to_value(ns);
        renderer.group(
            "namespace/base",
            &format!("{}/base", ns.dir),
            context! { mesh => &mesh_value, ns => &ns_value },
        )?;
        for cluster_name in &ns.clusters {
            let cluster = to_value(cluster_by_name(&ctx, cluster_name));
            renderer.group(
                "namespace/overlay",
                &format!("{}/overlays/{cluster_name}", ns.dir),
                context! { mesh => &mesh_value, ns => &ns_value, cluster => &cluster },
            )?;
        }
    }
    Ok(files
        .into_iter()
        .map(|(path, contents)| RenderedFile { path, contents })
        .collect())
}

fn cluster_by_name<'c>(
    ctx: &'c MeshContext,
    name: &str,
) -> Option<&'c super::context::ClusterContext> {
    ctx.clusters.iter().find(|c| c.name == name)
}

struct GroupRenderer<'a> {
    environment: &'a Environment<'static>,
    files: &'a mut BTreeMap<String, String>,
}

impl GroupRenderer<'_> {
    /// Renders the templates directly inside `blueprints/<group>` into `out_dir`.
    fn group(&mut self, group: &str, out_dir: &str, ctx: Value) -> Result<(), RenderError> {
        let Some(dir) = BLUEPRINTS.get_dir(group) else {
            return Ok(());
        };
        let mut templates: Vec<&str> = dir
            .files()
            .filter_map(|f| f.path().to_str())
            .filter(|p| p.ends_with(".j2"))
            .collect();
        templates.sort_unstable();
        let (kustomizations, others): (Vec<&str>, Vec<&str>) = templates
            .into_iter()
            .partition(|t| output_name(t) == KUSTOMIZATION);

        let mut produced = Vec::new();
        for template in others {
            if let Some(contents) = self.render_one(template, &ctx, &[])? {
                produced.push(output_name(template).to_string());
                self.files
                    .insert(join(out_dir, output_name(template)), contents);
            }
        }
        for template in kustomizations {
            if let Some(contents) = self.render_one(template, &ctx, &produced)? {
                self.files.insert(join(out_dir, KUSTOMIZATION), contents);
            }
        }
        Ok(())
    }

    fn render_one(
        &self,
        template: &str,
        ctx: &Value,
        resources: &[String],
    ) -> Result<Option<String>, RenderError> {
        let fail = |message: String| RenderError {
            template: template.to_string(),
            message,
        };
        let compiled = self
            .environment
            .get_template(template)
            .map_err(|e| fail(describe(&e)))?;
        let full_ctx = context! { resources => to_value(resources), ..ctx.clone() };
        let contents = compiled.render(full_ctx).map_err(|e| fail(describe(&e)))?;
        if contents.trim().is_empty() {
            return Ok(None);
        }
        if is_yaml(template) {
            check_yaml(&contents).map_err(fail)?;
        }
        Ok(Some(contents))
    }
}

fn to_value<T: serde::Serialize>(value: T) -> Value {
    Value::from(minijinja::value::Serde(value))
}

fn output_name(template: &str) -> &str {
    let file = template.rsplit('/').next().unwrap_or(template);
    file.strip_suffix(".j2").unwrap_or(file)
}

fn join(dir: &str, file: &str) -> String {
    if dir.is_empty() {
        file.to_string()
    } else {
        format!("{dir}/{file}")
    }
}

fn is_yaml(template: &str) -> bool {
    template.ends_with(".yaml.j2") || template.ends_with(".yml.j2")
}

/// A minijinja error with its template line and cause chain.
fn describe(error: &minijinja::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

/// Parses every document of a rendered YAML file; duplicate keys are errors.
fn check_yaml(contents: &str) -> Result<(), String> {
    let options = serde_saphyr::options! {
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::Error,
    };
    serde_saphyr::from_multiple_with_options::<serde_json::Value>(contents, options)
        .map(|_| ())
        .map_err(|e| format!("rendered invalid YAML: {e}"))
}

fn environment() -> Result<Environment<'static>, RenderError> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    let syntax = minijinja::syntax::SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .keep_trailing_newline(true)
        .build()
        .map_err(|e| RenderError {
            template: "(syntax)".to_string(),
            message: describe(&e),
        })?;
    env.set_syntax(syntax);
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env.set_formatter(|out, state, value| {
        let yaml = is_yaml(state.name());
        if value.is_none() {
            return Err(minijinja::Error::new(
                minijinja::ErrorKind::UndefinedError,
                "printed a none value; guard optional values with {% if %}",
            ));
        }
        match value.as_str() {
            Some(text) if yaml && !value.is_safe() => out.write_str(&yaml_scalar(text)),
            _ => write!(out, "{value}"),
        }
        .map_err(minijinja::Error::from)
    });
    for file in all_files(&BLUEPRINTS) {
        let Some(path) = file.path().to_str() else {
            continue;
        };
        if !path.ends_with(".j2") {
            continue;
        }
        let source = file.contents_utf8().ok_or_else(|| RenderError {
            template: path.to_string(),
            message: "template is not UTF-8".to_string(),
        })?;
        env.add_template(path, source).map_err(|e| RenderError {
            template: path.to_string(),
            message: describe(&e),
        })?;
    }
    Ok(env)
}

fn all_files<'a>(dir: &'a Dir<'a>) -> Vec<&'a include_dir::File<'a>> {
    let mut files: Vec<_> = dir.files().collect();
    for sub in dir.dirs() {
        files.extend(all_files(sub));
    }
    files
}

/// A string as a YAML scalar: plain when that reads back as the same string, otherwise a
/// JSON-quoted string (JSON strings are valid YAML double-quoted scalars).
pub fn yaml_scalar(text: &str) -> String {
    if is_plain_safe(text) {
        text.to_string()
    } else {
        serde_json::Value::String(text.to_string()).to_string()
    }
}

fn is_plain_safe(text: &str) -> bool {
    const RESERVED: [&str; 14] = [
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", ".inf", ".nan", "-", "=",
    ];
    let Some(first) = text.chars().next() else {
        return false;
    };
    let allowed = |c: char| c.is_ascii_alphanumeric() || "._/-:@+*,=".contains(c);
    if !(first.is_ascii_alphanumeric() || first == '/' || first == '.')
        || !text.chars().all(allowed)
        || text.ends_with(':')
        || RESERVED.contains(&text.to_ascii_lowercase().as_str())
    {
        return false;
    }
    // Anything YAML 1.1 or 1.2 might read as a number (8080, 0x1F, 1e3, 1:20, .5) is quoted.
    let numberish = text
        .chars()
        .all(|c| c.is_ascii_hexdigit() || "xXoO._:+-".contains(c));
    let starts_numeric = first.is_ascii_digit() || first == '.';
    !(numberish && starts_numeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_that_yaml_would_misread_are_quoted() {
        for text in [
            "true", "No", "null", "8080", "0755", "1e3", "0x1F", "1:20", ".5", "", "a: b", "#x",
            "*alias", "- x", "a b",
        ] {
            let scalar = yaml_scalar(text);
            assert!(
                scalar.starts_with('"'),
                "{text:?} must be quoted, got {scalar}"
            );
            let back: String = serde_saphyr::from_str(&scalar).expect("quoted scalar parses");
            assert_eq!(back, text);
        }
    }

    #[test]
    fn ordinary_names_stay_plain() {
        for text in [
            "billing",
            "cluster.local/ns/a/sa/b",
            "ghcr.io/acme/app:1.2.3",
            "24h",
            "/api/*",
            "api.example.com",
        ] {
            assert_eq!(yaml_scalar(text), text);
            let back: String = serde_saphyr::from_str(text).expect("plain scalar parses");
            assert_eq!(back, text, "{text:?} must read back as the same string");
        }
    }
}
