//! Server-side apply dry-runs: what the API server would make of an intended object —
//! admission, defaulting and field ownership included — without changing anything
//! (`dryRun=All` on every request; meshwright never writes to a cluster).

use kube::Api;
use kube::api::{DynamicObject, Patch, PatchParams};
use serde_json::Value;

use super::connect::Connection;
use super::read::{Served, describe, with_type};

/// The field manager used when the live object names no applier of its own.
pub const DEFAULT_FIELD_MANAGER: &str = "meshwright";

/// What one dry-run gave.
pub enum DryRun {
    /// The object as it would be stored.
    Applied(Value),
    /// The user may not patch this kind: compare without the server.
    Forbidden(String),
    /// The server does not support server-side apply for this resource (405): compare
    /// without the server.
    Unsupported,
    /// The server refused the object (invalid, rejected by a webhook, ...).
    Rejected(String),
    /// No answer from the server (timeout, connection or server failure).
    Failed(String),
}

/// Applies `intended` with `dryRun=All`, as `manager`, taking ownership of conflicting fields
/// (as a GitOps controller's forced apply would).
pub async fn apply(
    connection: &Connection,
    served: &Served,
    intended: &Value,
    manager: &str,
) -> DryRun {
    let metadata = |field: &str| {
        intended
            .pointer(&format!("/metadata/{field}"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let (namespace, name) = (metadata("namespace"), metadata("name"));
    let client = connection.client.clone();
    let api: Api<DynamicObject> = if served.namespaced {
        Api::namespaced_with(client, &namespace, &served.resource)
    } else {
        Api::all_with(client, &served.resource)
    };
    let mut body = intended.clone();
    if let Value::Object(map) = &mut body {
        // The server converts between versions; the body must name the one addressed.
        map.insert(
            "apiVersion".to_string(),
            Value::String(served.resource.api_version.clone()),
        );
    }
    let params = PatchParams::apply(manager).dry_run().force();
    let patch = Patch::Apply(&body);
    match connection
        .within(1, api.patch(&name, &params, &patch))
        .await
    {
        Ok(object) => DryRun::Applied(with_type(object, &served.resource)),
        Err(kube::Error::Api(status)) if status.code == 403 => {
            DryRun::Forbidden(describe(&kube::Error::Api(status)))
        }
        Err(kube::Error::Api(status)) if status.code == 405 => DryRun::Unsupported,
        Err(kube::Error::Api(status)) if status.code < 500 => {
            DryRun::Rejected(describe(&kube::Error::Api(status)))
        }
        Err(error) => DryRun::Failed(describe(&error)),
    }
}

/// The manager that applies `live` today (its `Apply` entry in managedFields: Flux's
/// kustomize-controller, Argo CD, kubectl --server-side), so the dry-run predicts what that
/// applier's next sync does, including fields it would remove.
pub fn applier_of(live: &Value) -> Option<String> {
    live.pointer("/metadata/managedFields")?
        .as_array()?
        .iter()
        .find(|entry| entry.get("operation").and_then(Value::as_str) == Some("Apply"))
        .and_then(|entry| entry.get("manager").and_then(Value::as_str))
        .map(str::to_string)
}
