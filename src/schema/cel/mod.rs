//! CRD validation rules (`x-kubernetes-validations`, written in CEL) evaluated offline, as
//! the API server evaluates them when an object is created: each rule runs with `self` bound
//! to the value its schema node describes, on the object with its defaults filled in
//! (`defaults`). A rule
//! that returns false is MW121 at that value's key, with the rule's own message.
//!
//! Transition rules (those reading `oldSelf`) compare with the stored object and are skipped.
//! A rule meshwright cannot evaluate — a function its library lacks, an evaluation error, or
//! more work than the budget allows on a hostile object — is MW122, a warning, never a
//! refusal. Rules run only on objects that pass the schema, as their types assume it.

mod library;
mod value;

use std::collections::HashMap;

use cel::common::ast::{EntryExpr, Expr, IdedExpr};
use serde_json::Value as Json;

use super::schema_node::{Marks, SchemaNode};
use crate::findings::{Code, Finding, Severity};
use crate::manifest::{Node, Value as Yaml};

/// The schema keyword holding a node's rules.
pub const RULES: &str = "x-kubernetes-validations";

/// The most work one rule may do on one value: the rule's size times the width of the value
/// to the power of its comprehension nesting. The API server bounds the same product when it
/// accepts a CRD (with `maxItems`); a repository's CRD may not, and a hostile one must not
/// stall a run.
const COST_BUDGET: f64 = 1e7;

/// `validation-rule`
pub static VALIDATION_RULE: Code = Code {
    code: "MW121",
    name: "validation-rule",
    severity: Severity::Error,
    help: "Change the value so the CRD's rule holds; the message says what the rule requires.",
    docs: r#"## What it does
Evaluates the CEL rules a CustomResourceDefinition declares in `x-kubernetes-validations`
(Istio, Gateway API, Flux and cert-manager CRDs carry several hundred, and so may the CRDs
in your repository) on every custom resource, with the schema's defaults filled in, as the
API server does on create. The finding points at the field the rule sits on and quotes the
rule's message.

Transition rules (`oldSelf`) need the stored object and are not evaluated. A rule that
cannot be evaluated offline is reported as MW122.

`istioctl analyze` reports an Istio object the API server would refuse as IST0106
(SchemaValidationError).

## Why is this bad?
The API server rejects the object: `kubectl apply` fails, and Flux or Argo CD report a
failed sync after the pull request was merged.

## Example
```yaml
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: ingress
spec:
  selector:
    matchLabels:
      app: gateway
  targetRefs:
  - kind: Gateway
    group: gateway.networking.k8s.io
    name: ingress
```

## Use instead
```yaml
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: ingress
spec:
  targetRefs:
  - kind: Gateway
    group: gateway.networking.k8s.io
    name: ingress
```
"#,
};

/// `validation-rule-not-evaluated`
pub static RULE_NOT_EVALUATED: Code = Code {
    code: "MW122",
    name: "validation-rule-not-evaluated",
    severity: Severity::Warning,
    help: "Check this rule by hand or with a server-side dry run; meshwright could not evaluate it.",
    docs: r#"## What it does
Reports a CRD validation rule (`x-kubernetes-validations`) that meshwright could not
evaluate on a value: the rule calls a Kubernetes CEL library function meshwright does not
implement, its evaluation failed (for example it reads a field that is absent, which the
API server also rejects), or it would iterate more than meshwright's budget allows.

## Why is this bad?
The rule is not checked, so the API server may still reject the object.

## Example
A repository CRD with the rule `self.quantity.isGreaterThan(quantity('1Gi'))` (the
Kubernetes quantity library is not implemented offline).

## Use instead
Validate the object with `kubectl apply --dry-run=server`, or simplify the rule.
"#,
};

/// A rule compiled once per kind: the program, its message expression, and its shape.
struct Rule {
    program: cel::Program,
    message: Option<cel::Program>,
    /// Reads `oldSelf`: evaluated only on update, against the stored object.
    transition: bool,
    nodes: u32,
    nesting: u32,
}

/// Every rule of one schema, by its text, and where the schema has rules or `set` and `map`
/// lists, which the same walk checks (`list_type`).
#[derive(Default)]
pub(crate) struct Rules {
    by_text: HashMap<String, Result<Rule, String>>,
    marks: Marks,
}

impl Rules {
    /// Compiles every rule `schema` (a kind's boxed schema) holds.
    pub fn compile(schema: &Json) -> Rules {
        let mut rules = Rules {
            marks: Marks::new(schema, &|node| {
                node.contains_key(RULES) || super::list_type::declared_on(node)
            }),
            ..Rules::default()
        };
        rules.collect(schema);
        rules
    }

    fn collect(&mut self, schema: &Json) {
        match schema {
            Json::Object(members) => {
                for entry in members
                    .get(RULES)
                    .and_then(Json::as_array)
                    .into_iter()
                    .flatten()
                {
                    if let Some(text) = entry.get("rule").and_then(Json::as_str) {
                        let message = entry.get("messageExpression").and_then(Json::as_str);
                        self.by_text
                            .entry(text.to_string())
                            .or_insert_with(|| compile(text, message));
                    }
                }
                members.values().for_each(|child| self.collect(child));
            }
            Json::Array(items) => items.iter().for_each(|child| self.collect(child)),
            _ => {}
        }
    }

    pub fn is_empty(&self) -> bool {
        self.marks.is_empty()
    }
}

fn compile(text: &str, message: Option<&str>) -> Result<Rule, String> {
    let program = library::ENV
        .compile(text)
        .map_err(|e| format!("does not compile: {e}"))?;
    let transition = program.references().has_variable("oldSelf");
    let (nodes, nesting) = shape(program.expression());
    let message = message.and_then(|m| library::ENV.compile(m).ok());
    Ok(Rule {
        program,
        message,
        transition,
        nodes,
        nesting,
    })
}

/// (expression nodes, deepest nesting of comprehensions) of a rule.
fn shape(expression: &IdedExpr) -> (u32, u32) {
    let children: Vec<&IdedExpr> = match &expression.expr {
        Expr::Call(call) => call
            .target
            .as_deref()
            .into_iter()
            .chain(&call.args)
            .collect(),
        Expr::Comprehension(c) => vec![
            &c.iter_range,
            &c.accu_init,
            &c.loop_cond,
            &c.loop_step,
            &c.result,
        ],
        Expr::List(list) => list.elements.iter().collect(),
        Expr::Map(map) => entries(&map.entries),
        Expr::Struct(object) => entries(&object.entries),
        Expr::Select(select) => vec![&select.operand],
        Expr::Ident(_) | Expr::Literal(_) | Expr::Unspecified => Vec::new(),
    };
    let (mut nodes, mut nesting) = (1, 0);
    for child in children {
        let (child_nodes, child_nesting) = shape(child);
        nodes += child_nodes;
        nesting = nesting.max(child_nesting);
    }
    let own = u32::from(matches!(expression.expr, Expr::Comprehension(_)));
    (nodes, nesting + own)
}

fn entries(entries: &[cel::common::ast::IdedEntryExpr]) -> Vec<&IdedExpr> {
    entries
        .iter()
        .flat_map(|entry| match &entry.expr {
            EntryExpr::StructField(field) => vec![&field.value],
            EntryExpr::MapEntry(pair) => vec![&pair.key, &pair.value],
        })
        .collect()
}

/// Evaluates every rule of `schema` on `object`, and checks its `set` and `map` lists (a
/// `status` is not checked, as the API server ignores it on apply). Findings point at the
/// value each rule sits on, and at the duplicate item of a list.
pub(crate) fn check(object: &Node, schema: &Json, rules: &Rules) -> Vec<Finding> {
    if rules.is_empty() {
        return Vec::new();
    }
    let api_version = object.str_at(&["apiVersion"]).unwrap_or_default();
    let group = super::registry::group_of(api_version);
    let kind = object.str_at(&["kind"]).unwrap_or_default();
    let checked_elsewhere = super::admission::CRD_RULES_CHECKED_HERE
        .iter()
        .filter(|(g, k, _)| *g == group && *k == kind)
        .map(|(_, _, message)| *message)
        .collect();
    let mut walk = Walk {
        rules,
        object,
        checked_elsewhere,
        path: Vec::new(),
        findings: Vec::new(),
    };
    walk.visit(object, SchemaNode::root(schema));
    walk.findings
}

/// One step from a value to its child.
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

struct Walk<'a> {
    rules: &'a Rules,
    object: &'a Node,
    /// Messages of the rules the admission checks report under their own codes.
    checked_elsewhere: Vec<&'static str>,
    /// Where the walk is, rendered only for a finding.
    path: Vec<Step<'a>>,
    findings: Vec<Finding>,
}

impl<'a> Walk<'a> {
    fn visit(&mut self, node: &'a Node, schema: SchemaNode<'_>) {
        if !schema.marked(&self.rules.marks) {
            return;
        }
        match &node.value {
            Yaml::Map(entries) => {
                for (key, child) in entries {
                    if child.is_null() || (self.path.is_empty() && key == "status") {
                        continue;
                    }
                    self.path.push(Step::Key(key));
                    self.visit(child, schema.child(key));
                    self.path.pop();
                }
            }
            Yaml::Seq(items) => {
                if let Some(duplicate) = super::list_type::duplicate(items, schema) {
                    let path = self.display();
                    self.findings.push(duplicate.finding(&path, items));
                }
                for (index, item) in items.iter().enumerate() {
                    self.path.push(Step::Index(index));
                    self.visit(item, schema.items());
                    self.path.pop();
                }
            }
            _ => {}
        }
        let entries = schema.rules();
        if entries.is_empty() {
            return;
        }
        let converted = value::convert(node, schema);
        let mut context = cel::Context::with_env(library::ENV.clone());
        context.add_variable_from_value("self", converted.value);
        for entry in entries {
            self.evaluate(node, entry, &context, converted.widest);
        }
    }

    fn evaluate(&mut self, node: &Node, entry: &Json, context: &cel::Context, widest: usize) {
        let Some(text) = entry.get("rule").and_then(Json::as_str) else {
            return;
        };
        let message = entry.get("message").and_then(Json::as_str);
        if message.is_some_and(|m| self.checked_elsewhere.contains(&m)) {
            return;
        }
        let rule = match self.rules.by_text.get(text) {
            Some(Ok(rule)) => rule,
            Some(Err(reason)) => return self.not_evaluated(node, text, reason),
            None => return,
        };
        if rule.transition {
            return;
        }
        let width = widest as f64 + 1.0;
        let cost = f64::from(rule.nodes) * width.powi(rule.nesting as i32);
        if cost > COST_BUDGET {
            let reason = format!(
                "iterating a value of {widest} elements {} levels deep exceeds the budget",
                rule.nesting
            );
            return self.not_evaluated(node, text, &reason);
        }
        match rule.program.execute(context) {
            Ok(cel::Value::Bool(true)) => {}
            Ok(cel::Value::Bool(false)) => {
                let message = rule
                    .message
                    .as_ref()
                    .and_then(|m| match m.execute(context) {
                        Ok(cel::Value::String(s)) if !s.trim().is_empty() && !s.contains('\n') => {
                            Some(s.to_string())
                        }
                        _ => None,
                    })
                    .or_else(|| message.map(String::from))
                    .unwrap_or_else(|| format!("failed rule: {text}"));
                let at = field_path(node, entry).unwrap_or(node);
                self.findings.push(Finding::new(
                    &VALIDATION_RULE,
                    format!("{}: {message}", self.display()),
                    Some(at.origin.clone()),
                ));
            }
            Ok(other) => {
                let reason = format!("it returned {:?}, not a bool", other.type_of());
                self.not_evaluated(node, text, &reason);
            }
            Err(error) => self.not_evaluated(node, text, &error.to_string()),
        }
    }

    fn not_evaluated(&mut self, node: &Node, rule: &str, reason: &str) {
        self.findings.push(Finding::new(
            &RULE_NOT_EVALUATED,
            format!(
                "{}: the CRD rule `{rule}` was not evaluated: {reason}",
                self.display()
            ),
            Some(node.origin.clone()),
        ));
    }

    /// Where the walk is, as findings show it (`spec.rules[0]`, or the kind at the top).
    fn display(&self) -> String {
        let pointer: String = self
            .path
            .iter()
            .map(|step| match step {
                Step::Key(key) => format!("/{}", key.replace('~', "~0").replace('/', "~1")),
                Step::Index(index) => format!("/{index}"),
            })
            .collect();
        super::validate::display_in(self.object, &pointer)
    }
}

/// The node a rule's `fieldPath` (`.spec.port`, relative to the rule's value) names, when it
/// is a plain dotted path to a value that is there.
fn field_path<'a>(node: &'a Node, entry: &Json) -> Option<&'a Node> {
    let path = entry.get("fieldPath").and_then(Json::as_str)?;
    path.strip_prefix('.')?
        .split('.')
        .try_fold(node, |node, key| node.get(key))
}

#[cfg(test)]
mod tests;
