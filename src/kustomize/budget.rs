//! The size budget of a rendered object. A few lines of kustomization can multiply an
//! object: each JSON-patch `copy` or replacement may double it, so 40 operations in a 2 KB
//! file would ask for terabytes. Every operation that can grow an object is checked against
//! [`MAX_OBJECT_BYTES`] right after it runs, and breaching it is an error at that operation's
//! file and line, long before memory runs out.

use super::error::KustomizeError;
use crate::manifest::{Node, Value};

/// The most text (keys and scalars, plus a few bytes per node) one rendered object may
/// hold: 64 MiB, far beyond any real manifest and far below the machine's memory.
pub const MAX_OBJECT_BYTES: usize = 64 << 20;

/// Bytes a node costs beside its text, so a million empty nodes count too.
const NODE_OVERHEAD: usize = 8;

/// An error at `operation` when `object` has grown past the budget.
pub fn check(object: &Node, operation: &Node, what: &str) -> Result<(), KustomizeError> {
    if within(object, MAX_OBJECT_BYTES) {
        return Ok(());
    }
    Err(KustomizeError::at(
        &operation.origin,
        format!(
            "{what}: the object grows past meshwright's budget of {} MiB per rendered object",
            MAX_OBJECT_BYTES >> 20
        ),
    ))
}

/// Whether `node` holds at most `limit` bytes; stops counting as soon as it is over.
fn within(node: &Node, limit: usize) -> bool {
    let mut total = 0usize;
    let mut pending = vec![node];
    while let Some(node) = pending.pop() {
        total += NODE_OVERHEAD;
        match &node.value {
            Value::String(text) => total += text.len(),
            Value::Seq(items) => pending.extend(items),
            Value::Map(entries) => {
                for (key, value) in entries {
                    total += key.len();
                    pending.push(value);
                }
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
        if total > limit {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kustomize::test_support::document;

    #[test]
    fn an_object_is_within_the_budget_until_its_text_exceeds_it() {
        let object = document("a.yaml", "data: {a: '0123456789'}\n");
        // Three nodes (root, data, a) and 11 bytes of text (keys `data`, `a`, value).
        assert!(within(&object, 3 * NODE_OVERHEAD + 15));
        assert!(!within(&object, 3 * NODE_OVERHEAD + 14));
        assert!(check(&object, &object, "copy").is_ok());
    }
}
