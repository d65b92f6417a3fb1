//! Validating one manifest object against the schema of its kind, with every error turned
//! into a `Finding` at the node a person must edit: an unknown field at that field's value,
//! a missing required field at its parent object, a wrong type or enum value at the value.
//! anyOf/oneOf errors collapse into the branch the author meant, or into one finding.

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{JsonType, ValidationError};
use serde_json::Value;

use super::json_node::NodeRef;
use super::registry::{Compiled, Registry, group_of};
use crate::findings::{Finding, codes};
use crate::manifest::{Node, Origin};

/// How strictly to validate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Report fields the schema does not declare (MW102), like `kubectl --validate=strict`.
    pub strict: bool,
    /// Say nothing about kinds without a schema (MW104), like kubeconform's flag.
    /// Unserved apiVersions of known kinds (MW107) are still reported.
    pub ignore_missing_schemas: bool,
    /// Also run the offline admission rules (MW110–MW117).
    pub admission: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            strict: true,
            ignore_missing_schemas: false,
            admission: true,
        }
    }
}

/// Kubernetes API groups served by every API server whose GA version is embedded but whose
/// other versions (betas, alphas) are not: their kinds are real, so a missing schema is a
/// warning, not an error.
const BUILT_IN_GROUPS_NOT_EMBEDDED: [&str; 13] = [
    "storage.k8s.io",
    "coordination.k8s.io",
    "discovery.k8s.io",
    "scheduling.k8s.io",
    "node.k8s.io",
    "certificates.k8s.io",
    "flowcontrol.apiserver.k8s.io",
    "resource.k8s.io",
    "events.k8s.io",
    "authentication.k8s.io",
    "authorization.k8s.io",
    "apiregistration.k8s.io",
    "storagemigration.k8s.io",
];

/// apiVersions Kubernetes (or a well-known project) no longer serves: (apiVersion, kind or
/// `*`, what to use instead).
const REMOVED: &[(&str, &str, &str)] = &[
    ("extensions/v1beta1", "Ingress", "networking.k8s.io/v1"),
    (
        "extensions/v1beta1",
        "NetworkPolicy",
        "networking.k8s.io/v1",
    ),
    (
        "extensions/v1beta1",
        "PodSecurityPolicy",
        "Pod Security Admission (no replacement kind)",
    ),
    ("extensions/v1beta1", "*", "apps/v1"),
    ("apps/v1beta1", "*", "apps/v1"),
    ("apps/v1beta2", "*", "apps/v1"),
    ("networking.k8s.io/v1beta1", "*", "networking.k8s.io/v1"),
    (
        "policy/v1beta1",
        "PodSecurityPolicy",
        "Pod Security Admission (no replacement kind)",
    ),
    (
        "policy/v1",
        "PodSecurityPolicy",
        "Pod Security Admission (no replacement kind)",
    ),
    ("policy/v1beta1", "*", "policy/v1"),
    ("batch/v1beta1", "*", "batch/v1"),
    ("batch/v2alpha1", "*", "batch/v1"),
    ("autoscaling/v2beta1", "*", "autoscaling/v2"),
    ("autoscaling/v2beta2", "*", "autoscaling/v2"),
    (
        "rbac.authorization.k8s.io/v1beta1",
        "*",
        "rbac.authorization.k8s.io/v1",
    ),
    (
        "rbac.authorization.k8s.io/v1alpha1",
        "*",
        "rbac.authorization.k8s.io/v1",
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        "*",
        "admissionregistration.k8s.io/v1",
    ),
    (
        "apiextensions.k8s.io/v1beta1",
        "*",
        "apiextensions.k8s.io/v1",
    ),
    ("scheduling.k8s.io/v1beta1", "*", "scheduling.k8s.io/v1"),
    ("storage.k8s.io/v1beta1", "*", "storage.k8s.io/v1"),
    ("certificates.k8s.io/v1beta1", "*", "certificates.k8s.io/v1"),
    ("coordination.k8s.io/v1beta1", "*", "coordination.k8s.io/v1"),
    ("events.k8s.io/v1beta1", "*", "events.k8s.io/v1"),
    ("certmanager.k8s.io/v1alpha1", "*", "cert-manager.io/v1"),
    ("cert-manager.io/v1alpha2", "*", "cert-manager.io/v1"),
    ("cert-manager.io/v1alpha3", "*", "cert-manager.io/v1"),
    ("cert-manager.io/v1beta1", "*", "cert-manager.io/v1"),
    (
        "acme.cert-manager.io/v1alpha2",
        "*",
        "acme.cert-manager.io/v1",
    ),
    (
        "acme.cert-manager.io/v1alpha3",
        "*",
        "acme.cert-manager.io/v1",
    ),
    (
        "acme.cert-manager.io/v1beta1",
        "*",
        "acme.cert-manager.io/v1",
    ),
    (
        "authentication.istio.io/v1alpha1",
        "Policy",
        "security.istio.io/v1 PeerAuthentication",
    ),
    (
        "authentication.istio.io/v1alpha1",
        "MeshPolicy",
        "security.istio.io/v1 PeerAuthentication in the root namespace",
    ),
    (
        "rbac.istio.io/v1alpha1",
        "*",
        "security.istio.io/v1 AuthorizationPolicy",
    ),
    (
        "kustomize.toolkit.fluxcd.io/v1beta1",
        "*",
        "kustomize.toolkit.fluxcd.io/v1",
    ),
    (
        "kustomize.toolkit.fluxcd.io/v1beta2",
        "*",
        "kustomize.toolkit.fluxcd.io/v1",
    ),
    (
        "source.toolkit.fluxcd.io/v1beta1",
        "GitRepository",
        "source.toolkit.fluxcd.io/v1",
    ),
    (
        "source.toolkit.fluxcd.io/v1beta2",
        "GitRepository",
        "source.toolkit.fluxcd.io/v1",
    ),
];

/// What to use instead of an apiVersion that is no longer served, if it is a known one.
fn removed(api_version: &str, kind: &str) -> Option<&'static str> {
    REMOVED
        .iter()
        .find(|(v, k, _)| *v == api_version && (*k == kind || *k == "*"))
        .map(|(_, _, instead)| *instead)
}

impl Registry {
    /// Validates one manifest object: its schema, then (if `options.admission`) the offline
    /// admission rules. Findings are attributed to `object` and sorted by position.
    /// A `*List` (as `kubectl get -o yaml` prints) has each of its items validated.
    pub fn validate(&self, object: &Node, options: &Options) -> Vec<Finding> {
        if let Some(items) = crate::manifest::list_items(object) {
            let mut findings: Vec<Finding> = items
                .iter()
                .flat_map(|item| self.validate(item, options))
                .collect();
            crate::findings::sort(&mut findings);
            return findings;
        }
        let mut findings = self.validate_schema(object, options);
        if options.admission {
            findings.extend(super::admission::check(object));
        }
        if findings.is_empty() {
            return findings;
        }
        if object.is_secret() {
            super::redact::secret_values(object, &mut findings);
        }
        let mut seen = std::collections::HashSet::new();
        findings.retain(|f| {
            seen.insert((
                f.code.code,
                f.origin.as_ref().map(|o| (o.line, o.column)),
                f.message.clone(),
            ))
        });
        for finding in &mut findings {
            if finding.object.is_none() {
                *finding = finding.clone().on(object);
            }
        }
        crate::findings::sort(&mut findings);
        findings
    }

    /// Validates `objects` in parallel (rayon); findings sorted by position.
    pub fn validate_all(&self, objects: &[Node], options: &Options) -> Vec<Finding> {
        use rayon::prelude::*;
        let mut findings: Vec<Finding> = objects
            .par_iter()
            .flat_map_iter(|object| self.validate(object, options))
            .collect();
        crate::findings::sort(&mut findings);
        findings
    }

    /// Schema checks only.
    pub fn validate_schema(&self, object: &Node, options: &Options) -> Vec<Finding> {
        let mut findings = Vec::new();
        let api_version = object.get("apiVersion");
        let kind = object.get("kind");
        let (Some(api_version_node), Some(kind_node)) = (api_version, kind) else {
            if object.as_map().is_none() {
                findings.push(Finding::new(
                    &codes::SCHEMA_VIOLATION,
                    "a manifest must be a mapping with apiVersion and kind",
                    Some(object.origin.clone()),
                ));
                return findings;
            }
            for field in ["apiVersion", "kind"] {
                if object.get(field).is_none() {
                    findings.push(Finding::new(
                        &codes::MISSING_REQUIRED_FIELD,
                        format!("missing required field \"{field}\""),
                        Some(object.origin.clone()),
                    ));
                }
            }
            return findings;
        };
        let (Some(api_version), Some(kind)) = (api_version_node.as_str(), kind_node.as_str())
        else {
            let node = if api_version_node.as_str().is_none() {
                api_version_node
            } else {
                kind_node
            };
            findings.push(Finding::new(
                &codes::SCHEMA_VIOLATION,
                "apiVersion and kind must be strings",
                Some(node.origin.clone()),
            ));
            return findings;
        };
        let compiled = match self.compiled(api_version, kind) {
            Some(Ok(compiled)) => compiled,
            Some(Err(message)) => {
                findings.push(Finding::new(
                    &codes::MISSING_SCHEMA,
                    format!("the schema for {api_version} {kind} cannot be used: {message}"),
                    Some(kind_node.origin.clone()),
                ));
                return findings;
            }
            None => {
                findings.extend(self.missing(
                    api_version,
                    kind,
                    api_version_node,
                    kind_node,
                    options,
                ));
                return findings;
            }
        };
        // The API server ignores `status` on apply (it is written through its subresource).
        let without_status;
        let object = if object.get("status").is_some() {
            let mut copy = object.clone();
            copy.remove("status");
            without_status = copy;
            &without_status
        } else {
            object
        };
        // The API server fills in a CRD's defaults before it validates.
        let defaulted = super::defaults::apply(object, &compiled.schema, &compiled.defaults);
        let object = defaulted.as_ref().unwrap_or(object);
        let instance = NodeRef::Node(object);
        if compiled.validator.is_valid(instance) {
            findings.extend(super::cel::check(object, &compiled.schema, &compiled.rules));
            return findings;
        }
        let mut mapper = Mapper {
            suggested: Vec::new(),
            missing: Vec::new(),
            object,
            secret: object.is_secret(),
            compiled,
            options,
            findings: Vec::new(),
        };
        for error in compiled.validator.iter_errors(instance) {
            mapper.map(&error);
        }
        findings.extend(mapper.finish());
        findings
    }

    fn missing(
        &self,
        api_version: &str,
        kind: &str,
        api_version_node: &Node,
        kind_node: &Node,
        options: &Options,
    ) -> Option<Finding> {
        if let Some(instead) = removed(api_version, kind) {
            return Some(Finding::new(
                &codes::API_VERSION_NOT_SERVED,
                format!("{api_version} {kind} is no longer served; use {instead}"),
                Some(api_version_node.origin.clone()),
            ));
        }
        let served = self.versions_of(group_of(api_version), kind);
        if !served.is_empty() {
            return Some(Finding::new(
                &codes::API_VERSION_NOT_SERVED,
                format!(
                    "{api_version} is not a served version of {kind}; served: {}",
                    served.join(", ")
                ),
                Some(api_version_node.origin.clone()),
            ));
        }
        if options.ignore_missing_schemas {
            return None;
        }
        if BUILT_IN_GROUPS_NOT_EMBEDDED.contains(&group_of(api_version)) {
            return Some(unvalidated(
                format!(
                    "{api_version} {kind} is a built-in Kubernetes kind whose schema meshwright does not embed; not validated"
                ),
                kind_node,
            ));
        }
        let mut others: Vec<&str> = self
            .kinds()
            .filter(|i| i.kind == kind)
            .map(|i| i.api_version.as_str())
            .collect();
        others.sort_unstable();
        let siblings: Vec<String> = self
            .kinds()
            .filter(|i| i.api_version == api_version)
            .map(|i| i.kind.clone())
            .collect();
        let suggestion = did_you_mean(kind, &siblings);
        if others.is_empty() && suggestion.is_none() && !knows_every_kind_of(self, api_version) {
            // A CRD neither embedded nor carried by the repository: it cannot know the schema.
            return Some(unvalidated(
                format!(
                    "no schema for {api_version} {kind}: a custom resource whose CRD is neither embedded nor in the repository; not validated (add the CRD to the repository or pass --schema-dir DIR)"
                ),
                kind_node,
            ));
        }
        let hint = if let (true, Some(suggestion)) = (others.is_empty(), suggestion) {
            format!("; did you mean {suggestion}?")
        } else if others.is_empty() {
            String::from(
                "; add its CRD with `meshwright schemas import CRD.yaml --out DIR` and pass --schema-dir DIR, or use --ignore-missing-schemas",
            )
        } else {
            format!("; {kind} is known as {}", others.join(", "))
        };
        Some(Finding::new(
            &codes::MISSING_SCHEMA,
            format!("no schema for {api_version} {kind}{hint}"),
            Some(kind_node.origin.clone()),
        ))
    }
}

/// Whether `registry` knows every kind of the group of `api_version`: true of the Kubernetes
/// groups it embeds; a custom group (a CRD family) may have kinds it does not embed.
fn knows_every_kind_of(registry: &Registry, api_version: &str) -> bool {
    let group = group_of(api_version);
    let kubernetes = !group.contains('.') || group.ends_with(".k8s.io");
    kubernetes && registry.kinds().any(|known| known.group() == group)
}

/// A kind left unvalidated for want of a schema meshwright could have: a warning at `kind`.
fn unvalidated(message: String, kind_node: &Node) -> Finding {
    let mut finding = Finding::new(
        &codes::MISSING_SCHEMA,
        message,
        Some(kind_node.origin.clone()),
    );
    finding.severity = crate::findings::Severity::Warning;
    finding
}

struct Mapper<'a> {
    /// (object pointer, suggested name) of unknown fields that look like a known one.
    suggested: Vec<(String, String)>,
    /// (object pointer, missing name, index in `findings`) of missing required fields.
    missing: Vec<(String, String, usize)>,
    object: &'a Node,
    /// Whether `object` is a Secret, whose values messages must not quote.
    secret: bool,
    compiled: &'a Compiled,
    options: &'a Options,
    findings: Vec<Finding>,
}

impl Mapper<'_> {
    /// The findings, without a "missing required field" whose misspelling is reported as an
    /// unknown field of the same object (one mistake, one finding).
    fn finish(self) -> Vec<Finding> {
        let drop: std::collections::HashSet<usize> = self
            .missing
            .iter()
            .filter(|(pointer, name, _)| {
                self.suggested
                    .iter()
                    .any(|(p, s)| p == pointer && s == name)
            })
            .map(|(_, _, index)| *index)
            .collect();
        // Several schema violations of one value (pattern and length) read as one finding.
        let mut out: Vec<Finding> = Vec::new();
        for (i, finding) in self.findings.into_iter().enumerate() {
            if drop.contains(&i) {
                continue;
            }
            if let Some(last) = out.last_mut()
                && last.code.code == "MW101"
                && finding.code.code == "MW101"
                && last.origin == finding.origin
                && let Some((path, _)) = last.message.split_once(": ")
                && let Some(rest) = finding.message.strip_prefix(&format!("{path}: "))
            {
                last.message = format!("{}; {rest}", last.message);
                continue;
            }
            out.push(finding);
        }
        out
    }

    fn display(&self, pointer: &str) -> String {
        display_in(self.object, pointer)
    }

    /// A value as messages quote it: [`show`], or a placeholder in a Secret.
    fn show(&self, value: &Value) -> String {
        if self.secret {
            super::redact::PLACEHOLDER.to_string()
        } else {
            show(value)
        }
    }

    /// A value as messages describe it: [`describe`], without the value in a Secret.
    fn describe(&self, value: &Value) -> String {
        match value {
            Value::String(_) if self.secret => format!("string {}", super::redact::PLACEHOLDER),
            Value::Number(_) if self.secret => format!("number {}", super::redact::PLACEHOLDER),
            Value::Bool(_) if self.secret => format!("boolean {}", super::redact::PLACEHOLDER),
            _ => describe(value),
        }
    }

    fn push(&mut self, code: &'static crate::findings::Code, pointer: &str, message: String) {
        self.findings.push(Finding::new(
            code,
            message,
            Some(origin_at(self.object, pointer)),
        ));
    }

    fn map(&mut self, error: &ValidationError<'_>) {
        let pointer = error.instance_path().as_str();
        let path = self.display(pointer);
        let instance = error.instance();
        match error.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                if !self.options.strict {
                    return;
                }
                let known = self.known_properties(error);
                for field in unexpected {
                    let field_pointer = format!("{pointer}/{}", escape(field));
                    let suggestion = did_you_mean(field, &known);
                    if let Some(name) = &suggestion {
                        self.suggested.push((pointer.to_string(), name.clone()));
                    }
                    let hint = suggestion
                        .map(|s| format!(" (did you mean {s}?)"))
                        .unwrap_or_default();
                    let message = format!("{}: unknown field{hint}", display_path(&field_pointer));
                    self.push(&codes::UNKNOWN_FIELD, &field_pointer, message);
                }
            }
            ValidationErrorKind::Required { property } => {
                let name = property.as_str().unwrap_or_default();
                let message = format!("{path}: missing required field \"{name}\"");
                self.missing
                    .push((pointer.to_string(), name.to_string(), self.findings.len()));
                self.push(&codes::MISSING_REQUIRED_FIELD, pointer, message);
            }
            ValidationErrorKind::Enum { options } => {
                let allowed: Vec<String> = options
                    .as_array()
                    .map(|o| o.iter().filter(|v| !v.is_null()).map(plain).collect())
                    .unwrap_or_default();
                let message = format!(
                    "{path}: {} is not one of {}",
                    self.show(instance),
                    allowed.join(", ")
                );
                self.push(&codes::SCHEMA_VIOLATION, pointer, message);
            }
            ValidationErrorKind::Type { kind } => {
                let expected = expected_types(kind);
                let message = format!(
                    "{path}: expected {expected}, found {}",
                    self.describe(instance)
                );
                self.push(&codes::SCHEMA_VIOLATION, pointer, message);
            }
            ValidationErrorKind::Pattern { pattern } => {
                let message = format!(
                    "{path}: {} does not match the pattern {pattern}",
                    self.show(instance)
                );
                self.push(&codes::SCHEMA_VIOLATION, pointer, message);
            }
            ValidationErrorKind::AnyOf { context }
            | ValidationErrorKind::OneOfNotValid { context } => {
                self.alternatives(pointer, instance, context);
            }
            ValidationErrorKind::OneOfMultipleValid { .. } => {
                let fields = self.exclusive_fields(error, instance);
                let message = if fields.len() >= 2 {
                    format!("{path}: set only one of {}", fields.join(", "))
                } else {
                    format!(
                        "{path}: matches more than one of the allowed forms; set only one of the alternatives"
                    )
                };
                self.push(&codes::SCHEMA_VIOLATION, pointer, message);
            }
            ValidationErrorKind::Not { .. } => {
                let message = format!("{path}: this combination of fields is not allowed here");
                self.push(&codes::SCHEMA_VIOLATION, pointer, message);
            }
            ValidationErrorKind::FalseSchema => {
                let message = format!("{path}: no value is allowed here");
                self.push(&codes::UNKNOWN_FIELD, pointer, message);
            }
            _ => {
                let text = if self.secret || instance.is_object() || instance.is_array() {
                    error.masked().to_string()
                } else {
                    error.to_string()
                };
                let message = format!("{path}: {}", strip_instance(&text, instance, &path));
                self.push(&codes::SCHEMA_VIOLATION, pointer, message);
            }
        }
    }

    /// Reports the branch the author most likely meant, or one finding when none fits.
    fn alternatives(
        &mut self,
        pointer: &str,
        instance: &Value,
        context: &[Vec<ValidationError<'static>>],
    ) {
        let type_only = |branch: &Vec<ValidationError<'static>>| {
            branch.iter().all(|e| {
                matches!(e.kind(), ValidationErrorKind::Type { .. })
                    && e.instance_path().as_str() == pointer
            })
        };
        let meant: Vec<&Vec<ValidationError<'static>>> = context
            .iter()
            .filter(|b| !b.is_empty() && !type_only(b))
            .collect();
        if let Some(best) = meant.iter().min_by_key(|b| b.len()) {
            for error in best.iter() {
                self.map(error);
            }
            return;
        }
        let mut types: Vec<&str> = Vec::new();
        for branch in context {
            for error in branch {
                if let ValidationErrorKind::Type { kind } = error.kind() {
                    for t in type_names(kind) {
                        if !types.contains(&t) {
                            types.push(t);
                        }
                    }
                }
            }
        }
        let path = self.display(pointer);
        let message = if types.is_empty() {
            format!(
                "{path}: {} does not match any of the allowed forms",
                self.show(instance)
            )
        } else {
            let names: Vec<&str> = types.iter().map(|t| friendly(t)).collect();
            format!(
                "{path}: expected {}, found {}",
                names.join(" or "),
                self.describe(instance)
            )
        };
        self.push(&codes::SCHEMA_VIOLATION, pointer, message);
    }

    /// The schema object holding the failed keyword, located in the compiled document.
    fn keyword_parent(&self, error: &ValidationError<'_>) -> Option<&Value> {
        let uri = error.absolute_keyword_location()?;
        let fragment = uri.as_str().split_once('#')?.1;
        let fragment = percent_decode(fragment);
        let parent = fragment.rsplit_once('/')?.0;
        self.compiled.schema.pointer(parent)
    }

    fn known_properties(&self, error: &ValidationError<'_>) -> Vec<String> {
        self.keyword_parent(error)
            .and_then(|s| s.get("properties"))
            .and_then(Value::as_object)
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// Fields of `instance` named in the `required` lists of a oneOf's branches.
    fn exclusive_fields(&self, error: &ValidationError<'_>, instance: &Value) -> Vec<String> {
        let Some(branches) = self
            .keyword_parent(error)
            .and_then(|s| s.get("oneOf"))
            .and_then(Value::as_array)
        else {
            return Vec::new();
        };
        let mut fields = Vec::new();
        for branch in branches {
            for name in branch
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                if instance.get(name).is_some() && !fields.iter().any(|f| f == name) {
                    fields.push(name.to_string());
                }
            }
        }
        fields
    }
}

/// The origin of the node at `pointer`, or of its nearest existing ancestor.
fn origin_at(object: &Node, pointer: &str) -> Origin {
    let mut pointer = pointer;
    loop {
        if let Some(node) = object.pointer(pointer) {
            return node.origin.clone();
        }
        match pointer.rsplit_once('/') {
            Some((parent, _)) => pointer = parent,
            None => return object.origin.clone(),
        }
    }
}

fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The dotted path of `pointer` in `object`, or the kind for the object itself.
pub(crate) fn display_in(object: &Node, pointer: &str) -> String {
    if pointer.is_empty() {
        object.str_at(&["kind"]).unwrap_or("object").to_string()
    } else {
        display_path(pointer)
    }
}

/// `/spec/containers/0/image` → `spec.containers[0].image`; keys with dots or slashes quoted.
pub fn display_path(pointer: &str) -> String {
    if pointer.is_empty() {
        return "(object)".to_string();
    }
    let mut out = String::new();
    for token in pointer.trim_start_matches('/').split('/') {
        let token = token.replace("~1", "/").replace("~0", "~");
        if token.parse::<usize>().is_ok() {
            out.push_str(&format!("[{token}]"));
        } else if token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '$')
        {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&token);
        } else {
            out.push_str(&format!("[{}]", Value::String(token)));
        }
    }
    out
}

fn type_names(kind: &TypeKind) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = match kind {
        TypeKind::Single(t) => vec![t.as_str()],
        TypeKind::Multiple(set) => set.iter().map(JsonType::as_str).collect(),
    };
    names.retain(|n| *n != "null");
    if names.contains(&"number") {
        names.retain(|n| *n != "integer");
    }
    names
}

fn friendly(name: &str) -> &str {
    match name {
        "object" => "a mapping",
        "array" => "a list",
        "string" => "a string",
        "integer" => "an integer",
        "number" => "a number",
        "boolean" => "true or false",
        other => other,
    }
}

fn expected_types(kind: &TypeKind) -> String {
    let names = type_names(kind);
    let names: Vec<&str> = names.into_iter().map(friendly).collect();
    if names.is_empty() {
        "null".to_string()
    } else {
        names.join(" or ")
    }
}

/// A short description of a value for messages: its kind and, for scalars, the value.
fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null (an empty value)".to_string(),
        Value::Bool(b) => format!("boolean {b}"),
        Value::Number(n) => format!("number {n}"),
        Value::String(_) => format!("string {}", show(value)),
        Value::Array(_) => "a list".to_string(),
        Value::Object(_) => "a mapping".to_string(),
    }
}

/// A scalar as written in JSON (strings quoted, long ones cut).
fn show(value: &Value) -> String {
    match value {
        Value::String(s) if s.chars().count() > 60 => {
            let cut: String = s.chars().take(57).collect();
            format!("{}...", Value::String(cut))
        }
        Value::Array(_) => "a list".to_string(),
        Value::Object(_) => "a mapping".to_string(),
        other => other.to_string(),
    }
}

/// Enum options unquoted when they are plain words.
fn plain(value: &Value) -> String {
    match value {
        Value::String(s) if !s.is_empty() && !s.contains([' ', ',']) => s.clone(),
        other => other.to_string(),
    }
}

/// jsonschema's message without the instance it starts with (we print the path instead).
fn strip_instance(message: &str, instance: &Value, path: &str) -> String {
    let message = message
        .strip_prefix(&format!("{path}: "))
        .unwrap_or(message);
    let rendered = instance.to_string();
    message
        .strip_prefix(&rendered)
        .map(|rest| format!("{}{rest}", show(instance)))
        .unwrap_or_else(|| message.to_string())
}

/// The known name closest to `field`, if close enough to be a likely typo.
pub fn did_you_mean(field: &str, known: &[String]) -> Option<String> {
    let lower = field.to_ascii_lowercase();
    let mut best: Option<(usize, &String)> = None;
    for candidate in known {
        let distance = if candidate.to_ascii_lowercase() == lower {
            0
        } else {
            levenshtein(&lower, &candidate.to_ascii_lowercase())
        };
        if best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    let (distance, candidate) = best?;
    let limit = (field.chars().count().max(candidate.chars().count()) / 3).clamp(1, 3);
    (distance <= limit).then(|| candidate.clone())
}

/// Optimal string alignment distance: edits plus adjacent transpositions (`tpye` → `type`).
fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn findings(yaml: &str) -> Vec<Finding> {
        let docs = crate::manifest::parse_documents(Path::new("t.yaml"), yaml.as_bytes()).unwrap();
        Registry::embedded().validate(&docs[0], &Options::default())
    }

    #[test]
    fn paths_and_suggestions() {
        assert_eq!(
            display_path("/spec/containers/0/image"),
            "spec.containers[0].image"
        );
        assert_eq!(
            display_path("/metadata/annotations/a.b~1c"),
            "metadata.annotations[\"a.b/c\"]"
        );
        let known = vec!["matchLabels".to_string(), "matchExpressions".to_string()];
        assert_eq!(
            did_you_mean("matchLabel", &known).as_deref(),
            Some("matchLabels")
        );
        assert_eq!(did_you_mean("zzz", &known), None);
    }

    /// From Istio's analyzer test data: `match:` with nothing after it on an EnvoyFilter.
    #[test]
    fn a_null_field_is_absent_as_the_api_server_drops_it() {
        let envoy_filter = "apiVersion: networking.istio.io/v1alpha3\nkind: EnvoyFilter\nmetadata:\n  name: a\n  namespace: b\nspec:\n  configPatches:\n  - applyTo: HTTP_FILTER\n    match:\n    patch:\n      operation: MERGE\n";
        assert_eq!(findings(envoy_filter), Vec::new());
        // A null required field is missing, as the server finds it.
        let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\nspec:\n  selector:\n  template: {}\n";
        let found = findings(deployment);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].message.contains("selector"), "{found:?}");
    }

    #[test]
    fn status_is_not_validated() {
        let service = "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\nspec:\n  ports: [{port: 80}]\nstatus:\n  loadBalancer: 3\n  bogus: true\n";
        assert_eq!(findings(service), Vec::new());
        let wrong_spec = service.replace("port: 80", "port: eighty");
        assert_eq!(findings(&wrong_spec).len(), 1);
    }

    #[test]
    fn enum_unknown_field_and_required_point_at_the_right_node() {
        let found = findings(
            "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: default\nspec:\n  mtls:\n    mode: STRICTT\n  selector:\n    matchLabel:\n      app: x\n",
        );
        let summary: Vec<(&str, u32, u32, &str)> = found
            .iter()
            .map(|f| {
                let o = f.origin.as_ref().unwrap();
                (f.code.code, o.line, o.column, f.message.as_str())
            })
            .collect();
        assert!(
            summary.contains(&(
                "MW101",
                7,
                11,
                "spec.mtls.mode: \"STRICTT\" is not one of UNSET, DISABLE, PERMISSIVE, STRICT"
            )),
            "{summary:#?}"
        );
        assert!(
            // At the key, not at its first child's line.
            summary.iter().any(|s| s.0 == "MW102"
                && s.1 == 9
                && s.3 == "spec.selector.matchLabel: unknown field (did you mean matchLabels?)"),
            "{summary:#?}"
        );
    }

    #[test]
    fn violations_of_one_value_are_one_finding_with_the_value_shown() {
        let found = findings(
            "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: a\nspec:\n  hostnames: [\"\"]\n  parentRefs:\n  - name: edge\n    port: 0\n",
        );
        let messages: Vec<&str> = found.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(messages.len(), 2, "{messages:#?}");
        assert!(
            messages[0].starts_with("spec.hostnames[0]: \"\" "),
            "{}",
            messages[0]
        );
        assert!(
            messages[0].contains("does not match the pattern"),
            "{}",
            messages[0]
        );
        assert!(
            messages[0].contains("; \"\" is shorter than 1 character")
                || messages[0].contains("\"\" is shorter than 1 character; "),
            "{}",
            messages[0]
        );
        assert_eq!(
            messages[1],
            "spec.parentRefs[0].port: 0 is less than the minimum of 1"
        );
    }

    #[test]
    fn mutually_exclusive_fields_are_named() {
        let found = findings(
            "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: a\nspec:\n  hosts: [a]\n  http:\n  - match:\n    - uri:\n        prefix: /a\n        exact: /b\n    route:\n    - destination:\n        host: a\n",
        );
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(
            found[0].message,
            "spec.http[0].match[0].uri: set only one of exact, prefix"
        );
        // At `uri:`, the mapping where one of the two must go.
        let origin = found[0].origin.as_ref().unwrap();
        assert_eq!((origin.line, origin.column), (9, 7));
    }

    #[test]
    fn list_items_are_validated_one_by_one() {
        let found = findings(
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: b\n  dta: {}\n",
        );
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].code.code, "MW102");
        assert_eq!(found[0].object.as_ref().unwrap().name, "b");
    }

    #[test]
    fn nulls_the_api_server_accepts_are_fine() {
        let found = findings(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations:\n  creationTimestamp: null\ndata:\n",
        );
        assert!(found.is_empty(), "{found:#?}");
    }

    #[test]
    fn removed_api_versions_say_what_to_use() {
        let found =
            findings("apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata:\n  name: a\n");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].code.code, "MW107");
        assert!(
            found[0].message.contains("networking.k8s.io/v1"),
            "{}",
            found[0].message
        );
    }
}
