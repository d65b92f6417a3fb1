//! JSON 6902 patches: `add`, `remove`, `replace`, `move`, `copy` and `test` operations on
//! RFC 6901 pointers (`~0`, `~1`, `-` to append), applied to a `Node` tree so that values
//! the patch writes carry the patch's origin (moved and copied values keep their own).
//!
//! As in kustomize (evanphx/json-patch), an operation on a path that does not exist, or a
//! `test` that does not hold, fails the build; the error names the operation's file:line.

use crate::kustomize::budget;
use crate::kustomize::error::KustomizeError;
use crate::manifest::{Node, Value};

/// One parsed operation.
struct Operation<'a> {
    op: &'a str,
    path: Vec<String>,
    node: &'a Node,
}

/// Applies the operations of `patch` (a list) to `object`, in order.
pub fn apply(object: &mut Node, patch: &Node) -> Result<(), KustomizeError> {
    for node in patch.as_seq().unwrap_or_default() {
        let operation = Operation::parse(node)?;
        operation.apply(object)?;
        budget::check(object, node, &format!("JSON patch `{}`", operation.op))?;
    }
    Ok(())
}

impl<'a> Operation<'a> {
    fn parse(node: &'a Node) -> Result<Operation<'a>, KustomizeError> {
        let op = node.str_at(&["op"]).ok_or_else(|| {
            KustomizeError::at(&node.origin, "JSON patch: an operation needs `op`")
        })?;
        Ok(Operation {
            op,
            path: pointer(node, "path")?,
            node,
        })
    }

    fn fail(&self, what: impl std::fmt::Display) -> KustomizeError {
        KustomizeError::at(
            &self.node.origin,
            format!("JSON patch `{}` /{}: {what}", self.op, self.path.join("/")),
        )
    }

    fn value(&self) -> Result<&'a Node, KustomizeError> {
        self.node
            .get("value")
            .ok_or_else(|| self.fail("the operation needs `value`"))
    }

    fn apply(&self, object: &mut Node) -> Result<(), KustomizeError> {
        match self.op {
            "add" => self.add(object, self.value()?.clone()),
            "remove" => self.remove(object, &self.path).map(drop),
            "replace" => {
                let value = self.value()?.clone();
                *self.existing(object, &self.path)? = value;
                Ok(())
            }
            "move" => {
                let from = pointer(self.node, "from")?;
                let value = self.remove(object, &from)?;
                self.add(object, value)
            }
            "copy" => {
                let from = pointer(self.node, "from")?;
                let value = self.existing(object, &from)?.clone();
                self.add(object, value)
            }
            "test" => {
                let expected = self.value()?;
                if self.existing(object, &self.path)? == expected {
                    Ok(())
                } else {
                    Err(self.fail(format!(
                        "test failed: the value is not {}",
                        expected.to_json()
                    )))
                }
            }
            other => Err(KustomizeError::at(
                &self.node.origin,
                format!("JSON patch: unknown operation `{other}`"),
            )),
        }
    }

    /// The node at `path`, which must exist.
    fn existing<'o>(
        &self,
        object: &'o mut Node,
        path: &[String],
    ) -> Result<&'o mut Node, KustomizeError> {
        path.iter().try_fold(object, |node, token| {
            child(node, token).ok_or_else(|| self.fail(format!("no value at `{token}`")))
        })
    }

    /// The parent of the last token of `path` and that token.
    fn parent<'o, 'p>(
        &self,
        object: &'o mut Node,
        path: &'p [String],
    ) -> Result<(&'o mut Node, &'p str), KustomizeError> {
        let (last, parents) = path
            .split_last()
            .ok_or_else(|| self.fail("the document root cannot be the target"))?;
        Ok((self.existing(object, parents)?, last))
    }

    fn add(&self, object: &mut Node, value: Node) -> Result<(), KustomizeError> {
        let (parent, token) = self.parent(object, &self.path)?;
        match parent.value {
            Value::Map(_) => {
                parent.set(token, value);
                Ok(())
            }
            Value::Seq(ref mut items) => {
                let index = match token {
                    "-" => items.len(),
                    _ => index(token).filter(|i| *i <= items.len()).ok_or_else(|| {
                        self.fail(format!("index `{token}` is out of the list's bounds"))
                    })?,
                };
                items.insert(index, value);
                Ok(())
            }
            _ => Err(self.fail("the parent is neither a mapping nor a list")),
        }
    }

    fn remove(&self, object: &mut Node, path: &[String]) -> Result<Node, KustomizeError> {
        let (parent, token) = self.parent(object, path)?;
        let missing = || self.fail(format!("no value at `{token}`"));
        match parent.value {
            Value::Map(_) => parent.remove(token).ok_or_else(missing),
            Value::Seq(ref mut items) => {
                let index = index(token)
                    .filter(|i| *i < items.len())
                    .ok_or_else(missing)?;
                Ok(items.remove(index))
            }
            _ => Err(missing()),
        }
    }
}

/// The tokens of the pointer in field `field` of an operation.
fn pointer(node: &Node, field: &str) -> Result<Vec<String>, KustomizeError> {
    let text = node.str_at(&[field]).ok_or_else(|| {
        KustomizeError::at(
            &node.origin,
            format!("JSON patch: an operation needs `{field}`"),
        )
    })?;
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let rest = text.strip_prefix('/').ok_or_else(|| {
        KustomizeError::at(
            &node.origin,
            format!("JSON patch: `{text}` is not a JSON pointer (it must start with `/`)"),
        )
    })?;
    Ok(rest
        .split('/')
        .map(|token| token.replace("~1", "/").replace("~0", "~"))
        .collect())
}

fn index(token: &str) -> Option<usize> {
    let canonical = token == "0" || !token.starts_with('0');
    token.parse().ok().filter(|_| canonical)
}

fn child<'o>(node: &'o mut Node, token: &str) -> Option<&'o mut Node> {
    match node.value {
        Value::Map(_) => node.get_mut(token),
        Value::Seq(_) => node.as_seq_mut()?.get_mut(index(token)?),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kustomize::test_support::document as yaml;

    fn object() -> Node {
        yaml(
            "o.yaml",
            "metadata:\n  annotations: {a/b: x}\nspec:\n  containers:\n  - name: app\n    image: app:1\n",
        )
    }

    #[test]
    fn operations_in_order_with_escapes_and_append() {
        let mut object = object();
        let patch = yaml(
            "p.yaml",
            r#"- {op: replace, path: /spec/containers/0/image, value: "app:2"}
- {op: add, path: /spec/containers/-, value: {name: side}}
- {op: copy, from: /metadata/annotations/a~1b, path: /metadata/annotations/c~0d}
- {op: move, from: /spec/containers/1, path: /spec/containers/0}
- {op: remove, path: /metadata/annotations/a~1b}
- {op: test, path: /spec/containers/1/name, value: app}
"#,
        );
        apply(&mut object, &patch).unwrap();
        assert_eq!(
            object.to_json(),
            serde_json::json!({
                "metadata": {"annotations": {"c~d": "x"}},
                "spec": {"containers": [{"name": "side"}, {"name": "app", "image": "app:2"}]}
            })
        );
        let image = object.pointer("/spec/containers/1/image").unwrap();
        assert_eq!(image.origin.to_string(), "p.yaml:1:56");
    }

    #[test]
    fn missing_paths_and_failed_tests_are_errors() {
        for (patch, message) in [
            (
                "- {op: replace, path: /spec/replicas, value: 2}\n",
                "no value at `replicas`",
            ),
            (
                "- {op: remove, path: /spec/containers/3}\n",
                "no value at `3`",
            ),
            (
                "- {op: add, path: /status/phase, value: x}\n",
                "no value at `status`",
            ),
            (
                "- {op: test, path: /spec/containers/0/name, value: x}\n",
                "test failed",
            ),
        ] {
            let error = apply(&mut object(), &yaml("p.yaml", patch)).unwrap_err();
            assert!(error.to_string().starts_with("p.yaml:1:3: "), "{error}");
            assert!(error.message.contains(message), "{error}");
        }
    }
}
