//! Builtin generator configs: `ConfigMapGenerator` and `SecretGenerator` (the entry a
//! kustomization's generator field lists, named by `metadata` unless it says otherwise) and
//! GKE's `IAMPolicyGenerator` (a ServiceAccount bound to a Google service account).

use std::path::Path;

use super::{subset, text};
use crate::kustomize::build_metadata::BuildOrigin;
use crate::kustomize::error::KustomizeError;
use crate::kustomize::generator::{ENTRY_KEYS, generate_entry};
use crate::manifest::Node;

/// Runs the generator config `config` of builtin `kind`; files are relative to `dir`, the
/// kustomization that lists the config. What it makes gets `origin`, if tracked.
pub fn run(
    dir: &Path,
    kind: &str,
    config: &Node,
    objects: &mut Vec<Node>,
    origin: Option<&BuildOrigin>,
) -> Result<(), KustomizeError> {
    match kind {
        "ConfigMapGenerator" | "SecretGenerator" => {
            let mut entry = subset(config, &ENTRY_KEYS);
            // kustomize names the object after the config unless the config says `name:`.
            for key in ["name", "namespace"] {
                if text(config, key)?.is_none_or(str::is_empty)
                    && let Some(value) = config.at(&["metadata", key])
                {
                    entry.set(key, value.clone());
                }
            }
            generate_entry(dir, &entry, kind == "SecretGenerator", objects, origin)
        }
        "IAMPolicyGenerator" => {
            let mut account = gke_service_account(config)?;
            if let Some(origin) = origin {
                origin.set_if_absent(std::slice::from_mut(&mut account));
            }
            objects.push(account);
            Ok(())
        }
        other => Err(KustomizeError::at(
            &config.origin,
            format!("`{other}` is not a builtin generator"),
        )),
    }
}

/// `IAMPolicyGenerator` with `cloud: gke`: a ServiceAccount annotated with the Google
/// service account it acts as.
fn gke_service_account(config: &Node) -> Result<Node, KustomizeError> {
    let field = |path: &[&str]| -> Result<&Node, KustomizeError> {
        config
            .at(path)
            .filter(|n| n.as_str().is_some())
            .ok_or_else(|| {
                KustomizeError::at(
                    &config.origin,
                    format!("IAMPolicyGenerator: `{}` must be a string", path.join(".")),
                )
            })
    };
    let cloud = field(&["cloud"])?;
    if cloud.as_str() != Some("gke") {
        return Err(KustomizeError::at(
            &cloud.origin,
            format!(
                "IAMPolicyGenerator: cloud provider {} not supported yet",
                cloud.as_str().unwrap_or_default()
            ),
        ));
    }
    let name = field(&["kubernetesService", "name"])?;
    let account = field(&["serviceAccount", "name"])?;
    let project = field(&["serviceAccount", "projectId"])?;
    let origin = config.origin.clone();
    let mut object = Node::empty_map(origin.clone());
    object.set("apiVersion", Node::string("v1", origin.clone()));
    object.set("kind", Node::string("ServiceAccount", origin.clone()));
    let metadata = object.map_entry("metadata");
    metadata.map_entry("annotations").set(
        "iam.gke.io/gcp-service-account",
        Node::string(
            format!(
                "{}@{}.iam.gserviceaccount.com",
                account.as_str().unwrap_or_default(),
                project.as_str().unwrap_or_default()
            ),
            account.origin.clone(),
        ),
    );
    metadata.set("name", name.clone());
    if let Some(namespace) = config
        .at(&["kubernetesService", "namespace"])
        .filter(|n| n.as_str().is_some_and(|s| !s.is_empty()))
    {
        metadata.set("namespace", namespace.clone());
    }
    Ok(object)
}
