//! The CEL pass on a small CRD written for each behaviour: defaults, escaping, numbers,
//! messages, field paths, transition rules, the cost budget and evaluation errors.

use std::path::{Path, PathBuf};

use crate::findings::Finding;
use crate::manifest::parse_documents;
use crate::schema::{Options, Registry, import};

/// A CRD of kind `Widget` (`example.com/v1`) whose `spec` has `schema` (YAML, indented for
/// the `spec:` property).
fn registry(spec_schema: &str) -> Registry {
    let crd = format!(
        "apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {{kind: Widget, plural: widgets}}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
{spec_schema}"
    );
    let output = import::import(&[(PathBuf::from("crd.yaml"), crd.into_bytes())]).unwrap();
    let mut registry = Registry::default();
    registry.add_output(&output).unwrap();
    registry
}

fn findings(registry: &Registry, spec: &str) -> Vec<Finding> {
    let text =
        format!("apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n{spec}");
    let object = parse_documents(Path::new("w.yaml"), text.as_bytes())
        .unwrap()
        .remove(0);
    registry.validate(&object, &Options::default())
}

/// (code, line, message) of each finding.
fn summary(findings: &[Finding]) -> Vec<(&'static str, u32, String)> {
    findings
        .iter()
        .map(|f| {
            let line = f.origin.as_ref().map_or(0, |o| o.line);
            (f.code.code, line, f.message.clone())
        })
        .collect()
}

#[test]
fn a_false_rule_is_reported_at_its_field_with_its_message() {
    let registry = registry(
        "            type: object
            properties:
              min: {type: integer}
              max: {type: integer}
            x-kubernetes-validations:
            - rule: self.min <= self.max
              message: min must not exceed max
",
    );
    assert!(findings(&registry, "  min: 1\n  max: 2\n").is_empty());
    assert_eq!(
        summary(&findings(&registry, "  min: 3\n  max: 2\n")),
        [("MW121", 5, "spec: min must not exceed max".to_string())]
    );
}

#[test]
fn defaults_are_filled_in_before_rules_run() {
    let registry = registry(
        "            type: object
            properties:
              mode: {type: string, default: Fast}
              delay: {type: string}
            x-kubernetes-validations:
            - rule: \"self.mode == 'Fast' ? !has(self.delay) : true\"
              message: a Fast widget has no delay
",
    );
    let found = summary(&findings(&registry, "  delay: 1s\n"));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].2.contains("a Fast widget has no delay"));
    assert!(findings(&registry, "  mode: Slow\n  delay: 1s\n").is_empty());
}

#[test]
fn escaped_names_numbers_and_durations_behave_as_on_the_api_server() {
    let registry = registry(
        "            type: object
            properties:
              namespace: {type: string}
              max-size: {type: number}
              timeout: {type: string}
            x-kubernetes-validations:
            - rule: self.__namespace__ != 'kube-system'
              message: not in kube-system
            - rule: self.max__dash__size > 0.5
              message: max-size above 0.5
            - rule: duration(self.timeout) >= duration('1ms')
              message: timeout at least 1ms
",
    );
    assert!(
        findings(
            &registry,
            "  namespace: a\n  max-size: 1\n  timeout: 1m30s\n"
        )
        .is_empty()
    );
    let found = summary(&findings(
        &registry,
        "  namespace: kube-system\n  max-size: 0\n  timeout: 500us\n",
    ));
    let mut messages: Vec<&str> = found.iter().map(|f| f.2.as_str()).collect();
    messages.sort_unstable();
    assert_eq!(
        messages,
        [
            "spec: max-size above 0.5",
            "spec: not in kube-system",
            "spec: timeout at least 1ms"
        ]
    );
}

#[test]
fn message_expression_and_field_path_shape_the_finding() {
    let registry = registry(
        "            type: object
            properties:
              replicas: {type: integer}
              name: {type: string}
            x-kubernetes-validations:
            - rule: self.replicas <= 5
              messageExpression: \"'replicas is ' + string(self.replicas) + ', at most 5'\"
              fieldPath: .replicas
",
    );
    let found = summary(&findings(&registry, "  name: w\n  replicas: 9\n"));
    assert_eq!(
        found,
        [("MW121", 7, "spec: replicas is 9, at most 5".to_string())]
    );
}

#[test]
fn transition_rules_are_skipped_and_list_items_checked_one_by_one() {
    let registry = registry(
        "            type: object
            properties:
              hosts:
                type: array
                items:
                  type: string
                  x-kubernetes-validations:
                  - rule: self != '*'
                    message: hostname cannot be wildcard
              owner:
                type: string
                x-kubernetes-validations:
                - rule: self == oldSelf
                  message: owner is immutable
",
    );
    let found = summary(&findings(
        &registry,
        "  owner: a\n  hosts: [a.com, '*', b.com]\n",
    ));
    assert_eq!(
        found,
        [(
            "MW121",
            7,
            "spec.hosts[1]: hostname cannot be wildcard".to_string()
        )]
    );
}

#[test]
fn a_rule_that_cannot_be_evaluated_is_a_warning_not_a_refusal() {
    let registry = registry(
        "            type: object
            properties:
              size: {type: string}
              items:
                type: array
                items: {type: integer}
            x-kubernetes-validations:
            - rule: isQuantity(self.size)
              message: size is a quantity
            - rule: self.items.all(a, self.items.all(b, self.items.all(c, a + b + c >= 0)))
              message: sums are positive
",
    );
    let small = summary(&findings(&registry, "  size: 1Gi\n  items: [1, 2]\n"));
    assert_eq!(small.len(), 1, "{small:?}");
    assert_eq!(small[0].0, "MW122");
    assert!(small[0].2.contains("isQuantity"), "{small:?}");
    let items = (0..1000)
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let big = summary(&findings(
        &registry,
        &format!("  size: 1Gi\n  items: [{items}]\n"),
    ));
    assert_eq!(big.len(), 2, "{big:?}");
    assert!(big[1].2.contains("exceeds the budget"), "{big:?}");
}

#[test]
fn schema_errors_come_first_and_rules_wait_for_a_valid_object() {
    let registry = registry(
        "            type: object
            properties:
              min: {type: integer}
            x-kubernetes-validations:
            - rule: self.min > 0
              message: min is positive
",
    );
    let found = summary(&findings(&registry, "  min: nope\n"));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, "MW101");
}

#[test]
fn every_embedded_rule_compiles() {
    let registry = Registry::embedded();
    let (mut rules, mut failures) = (0, Vec::new());
    for info in registry.kinds() {
        let Some(Ok(compiled)) = registry.compiled(&info.api_version, &info.kind) else {
            continue;
        };
        for (text, rule) in &compiled.rules.by_text {
            rules += 1;
            if let Err(reason) = rule {
                failures.push(format!(
                    "{} {}: {text}: {reason}",
                    info.api_version, info.kind
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(rules > 350, "only {rules} distinct rules per kind embedded");
}
