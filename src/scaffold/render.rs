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
use rayon::prelude::*;

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

/// One directory of output: a blueprint group rendered with one context.
struct Unit {
    group: &'static str,
    out_dir: String,
    ctx: Value,
}

/// Renders every file of the repository described by `mesh`, sorted by path.
pub fn render(mesh: &Mesh) -> Result<Vec<RenderedFile>, RenderError> {
    let environment = environment()?;
    let ctx = build(mesh);
    let units = units(&ctx);
    // Units are independent; render them on every core.
    let rendered: Vec<Vec<RenderedFile>> = units
        .par_iter()
        .map(|unit| render_group(&environment, unit))
        .collect::<Result<_, _>>()?;
    let mut files: Vec<RenderedFile> = rendered.into_iter().flatten().collect();
    files.sort_unstable_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// The repo (and its GitHub workflow), each cluster (and its `istio/` directory), each
/// namespace base and each namespace × cluster overlay.
fn units(ctx: &MeshContext) -> Vec<Unit> {
    let mesh_value = to_value(ctx);
    let mut units = vec![
        Unit {
            group: "repo",
            out_dir: String::new(),
            ctx: context! { mesh => &mesh_value },
        },
        Unit {
            group: "repo/workflows",
            out_dir: ".github/workflows".to_string(),
            ctx: context! { mesh => &mesh_value },
        },
    ];
    let mut cluster_values = BTreeMap::new();
    for cluster in &ctx.clusters {
        let dir = format!("clusters/{}", cluster.name);
        let cluster_value = to_value(cluster);
        let cluster_ctx = context! { mesh => &mesh_value, cluster => &cluster_value };
        units.push(Unit {
            group: "cluster/istio",
            out_dir: format!("{dir}/istio"),
            ctx: cluster_ctx.clone(),
        });
        units.push(Unit {
            group: "cluster",
            out_dir: dir,
            ctx: cluster_ctx,
        });
        cluster_values.insert(cluster.name.as_str(), cluster_value);
    }
    for ns in &ctx.namespaces {
        let ns_value = to_value(ns);
        units.push(Unit {
            group: "namespace/base",
            out_dir: format!("{}/base", ns.dir),
            ctx: context! { mesh => &mesh_value, ns => &ns_value },
        });
        for cluster_name in &ns.clusters {
            let cluster = cluster_values
                .get(cluster_name.as_str())
                .cloned()
                .unwrap_or_default();
            units.push(Unit {
                group: "namespace/overlay",
                out_dir: format!("{}/overlays/{cluster_name}", ns.dir),
                ctx: context! { mesh => &mesh_value, ns => &ns_value, cluster => cluster },
            });
        }
    }
    units
}

/// Renders the templates directly inside `blueprints/<group>` into the unit's directory.
fn render_group(
    environment: &Environment<'static>,
    unit: &Unit,
) -> Result<Vec<RenderedFile>, RenderError> {
    let Some(dir) = BLUEPRINTS.get_dir(unit.group) else {
        return Ok(Vec::new());
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

    let mut files = Vec::new();
    for template in others {
        if let Some(contents) = render_one(environment, template, &unit.ctx, &[])? {
            files.push(RenderedFile {
                path: join(&unit.out_dir, output_name(template)),
                contents,
            });
        }
    }
    let produced: Vec<&str> = files
        .iter()
        .filter_map(|f| f.path.rsplit('/').next())
        .collect();
    let mut kustomization_files = Vec::new();
    for template in kustomizations {
        if let Some(contents) = render_one(environment, template, &unit.ctx, &produced)? {
            kustomization_files.push(RenderedFile {
                path: join(&unit.out_dir, KUSTOMIZATION),
                contents,
            });
        }
    }
    files.extend(kustomization_files);
    Ok(files)
}

fn render_one(
    environment: &Environment<'static>,
    template: &str,
    ctx: &Value,
    resources: &[&str],
) -> Result<Option<String>, RenderError> {
    let fail = |message: String| RenderError {
        template: template.to_string(),
        message,
    };
    let compiled = environment
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
    serde_saphyr::from_multiple_with_options::<serde::de::IgnoredAny>(contents, options)
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
    fn rendered_yaml_is_checked_for_syntax_and_duplicate_keys() {
        assert!(check_yaml("a: 1\n---\nb: [1, 2]\n").is_ok());
        let duplicate = check_yaml("kind: A\nkind: B\n").unwrap_err();
        assert!(duplicate.contains("duplicate"), "{duplicate}");
        assert!(check_yaml("a: [1\n").is_err());
        assert!(check_yaml("a: 1\n---\na: 1\na: 2\n").is_err());
    }

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
