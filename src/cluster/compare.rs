//! `diff --cluster`: the repository's intended state for one cluster against what that
//! cluster runs. Reads the kinds the repository manages (plus the kinds the policy model
//! needs) in the namespaces it manages, compares each intended object with its live twin —
//! through a server-side apply dry-run where the user may, else a normalized comparison —
//! lists live objects the repository does not have (drift), and compares the effective
//! policy of both states with the same model as the revision diff.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use futures::stream::{self, StreamExt};
use serde_json::Value;

use crate::diff::{Diff, ObjectKey, Problems, State, objects, policy as policy_diff};
use crate::kustomize::Loader;
use crate::manifest::{Node, Origin};
use crate::policy::{Loaded, Model};

use super::dry_run::{self, DEFAULT_FIELD_MANAGER, DryRun};
use super::normalize::{fold_string_data, prune_to, strip_server_fields};
use super::read::{self, LiveRead, Namespaces, Progress, WantedKind};
use super::{ClusterError, connect};

/// Kinds the policy model reads, always listed so live-only policies and workloads show.
const POLICY_KINDS: &[(&str, &str)] = &[
    ("", "Namespace"),
    ("", "Service"),
    ("", "ServiceAccount"),
    ("apps", "Deployment"),
    ("apps", "StatefulSet"),
    ("apps", "DaemonSet"),
    ("batch", "Job"),
    ("batch", "CronJob"),
    ("security.istio.io", "PeerAuthentication"),
    ("security.istio.io", "AuthorizationPolicy"),
    ("networking.istio.io", "DestinationRule"),
];

/// Dry-runs in flight at once.
const PARALLEL_DRY_RUNS: usize = 8;

/// What to compare.
pub struct LiveRequest<'a> {
    /// A directory of the repository (a cluster's directory, or the repository).
    pub path: &'a Path,
    pub target: connect::Target,
    /// Which of the repository's clusters the context runs; `None`: the only one under
    /// `path`, or the one named like the context.
    pub repo_cluster: Option<&'a str>,
    /// Ask the server what an apply would change (`false`: normalized comparison only).
    pub server_dry_run: bool,
}

/// Computes the differences between the repository and the live cluster.
pub async fn diff_live(
    request: &LiveRequest<'_>,
    progress: Progress<'_>,
) -> Result<Diff, ClusterError> {
    let dir = request
        .path
        .canonicalize()
        .map_err(|e| ClusterError::new(format!("{}: cannot read: {e}", request.path.display())))?;
    let state = State::load(&dir, &Loader::new()).map_err(|e| ClusterError::new(e.to_string()))?;
    let connection = connect::connect(&request.target).await?;
    let cluster = choose_cluster(&state, request.repo_cluster, &connection.context)?;
    let intended: BTreeMap<ObjectKey, Vec<Node>> = state
        .objects
        .iter()
        .filter(|(key, _)| key.cluster == cluster)
        .map(|(key, nodes)| (key.clone(), nodes.clone()))
        .collect();
    let scope = namespaces_of(&intended);
    let wanted = wanted_kinds(&intended);
    let live = read::read(
        &connection,
        &wanted,
        &Namespaces::Only(scope.clone()),
        progress,
    )
    .await
    .map_err(|e| connection.locate(e))?;
    let origin = Origin::new(Arc::from(Path::new(&connection.context)), 1, 1);
    let live_objects = live_objects(&live, &cluster, &origin);
    let mut notes = Vec::new();
    let (base, head) = comparable_pairs(
        &connection,
        &intended,
        &live_objects,
        &live,
        request.server_dry_run,
        &mut notes,
        progress,
    )
    .await;
    let drift = drift(&intended, &live_objects, &scope);
    let policy = policy_changes(&state, &cluster, &live, &live_objects, &mut notes);
    notes.extend(
        live.unserved
            .iter()
            .map(|kind| format!("{kind} is not served by the cluster (CRD not installed?)")),
    );
    Ok(Diff {
        base: format!("cluster {}", connection.context),
        merge_base: None,
        head: format!("repository {}", request.path.display()),
        objects: objects::changes(&base, &head),
        policy,
        problems: Problems {
            base: 0,
            head: state.problems,
        },
        drift,
        unread: live.unread,
        notes,
    })
}

/// The repository cluster the live cluster stands for.
fn choose_cluster(
    state: &State,
    named: Option<&str>,
    context: &str,
) -> Result<String, ClusterError> {
    let clusters: BTreeSet<&str> = state.objects.keys().map(|k| k.cluster.as_str()).collect();
    let listed = || clusters.iter().copied().collect::<Vec<_>>().join(", ");
    if let Some(name) = named {
        return if clusters.contains(name) {
            Ok(name.to_string())
        } else {
            Err(ClusterError::new(format!(
                "--repo-cluster {name}: the repository has no such cluster (it has: {})",
                listed()
            )))
        };
    }
    match clusters.len() {
        0 => Err(ClusterError::new(
            "the repository renders no objects to compare".to_string(),
        )),
        1 => Ok(clusters.first().copied().unwrap_or_default().to_string()),
        _ if clusters.contains(context) => Ok(context.to_string()),
        _ => Err(ClusterError::new(format!(
            "the repository has several clusters ({}); pass the cluster's directory \
             (e.g. clusters/<name>) or --repo-cluster NAME",
            listed()
        ))),
    }
}

/// The namespaces the repository manages: those its objects live in, and its Namespaces.
fn namespaces_of(intended: &BTreeMap<ObjectKey, Vec<Node>>) -> BTreeSet<String> {
    intended
        .keys()
        .filter_map(|key| {
            if key.group.is_empty() && key.kind == "Namespace" {
                Some(key.name.clone())
            } else if key.namespace.is_empty() {
                None
            } else {
                Some(key.namespace.clone())
            }
        })
        .collect()
}

/// The repository's kinds (in the version it writes most) and the policy model's kinds.
fn wanted_kinds(intended: &BTreeMap<ObjectKey, Vec<Node>>) -> Vec<WantedKind> {
    let mut versions: BTreeMap<(String, String), BTreeMap<String, usize>> = BTreeMap::new();
    for (key, nodes) in intended {
        let version = nodes
            .first()
            .and_then(|n| n.str_at(&["apiVersion"]))
            .map(|v| v.rsplit('/').next().unwrap_or(v).to_string())
            .unwrap_or_default();
        *versions
            .entry((key.group.clone(), key.kind.clone()))
            .or_default()
            .entry(version)
            .or_default() += 1;
    }
    for (group, kind) in POLICY_KINDS {
        versions
            .entry((group.to_string(), kind.to_string()))
            .or_default();
    }
    versions
        .into_iter()
        .map(|((group, kind), counts)| WantedKind {
            version: counts
                .into_iter()
                .max_by_key(|(_, count)| *count)
                .map(|(version, _)| version),
            group,
            kind,
        })
        .collect()
}

/// A live object as the comparison sees it: server-set fields stripped, and the raw JSON
/// (for the applier's name and the pruned comparison).
struct LiveObject {
    node: Node,
    json: Value,
    applier: Option<String>,
}

/// Live objects in scope that a controller did not make (no ownerReferences), by key.
fn live_objects(
    live: &LiveRead,
    cluster: &str,
    origin: &Origin,
) -> BTreeMap<ObjectKey, LiveObject> {
    live.objects
        .iter()
        .filter(|object| object.pointer("/metadata/ownerReferences").is_none())
        .map(|object| {
            let applier = dry_run::applier_of(object);
            let mut json = object.clone();
            strip_server_fields(&mut json);
            let node = Node::from_json(&json, origin);
            let key = ObjectKey::of(cluster, &node);
            (
                key,
                LiveObject {
                    node,
                    json,
                    applier,
                },
            )
        })
        .collect()
}

/// The two sides of the object comparison: live (base) and intended (head) forms of every
/// intended object whose kind could be read. With a dry-run the head is what the server
/// would store; without, the live side keeps only the fields the repository sets.
async fn comparable_pairs(
    connection: &connect::Connection,
    intended: &BTreeMap<ObjectKey, Vec<Node>>,
    live_objects: &BTreeMap<ObjectKey, LiveObject>,
    live: &LiveRead,
    server_dry_run: bool,
    notes: &mut Vec<String>,
    progress: Progress<'_>,
) -> (
    BTreeMap<ObjectKey, Vec<Node>>,
    BTreeMap<ObjectKey, Vec<Node>>,
) {
    let mut base = BTreeMap::new();
    let mut head = BTreeMap::new();
    let mut to_dry_run = Vec::new();
    for (key, nodes) in intended {
        let group_kind = (key.group.clone(), key.kind.clone());
        let Some(served) = live.served.get(&group_kind) else {
            head.insert(key.clone(), nodes.clone());
            continue;
        };
        if !live.complete(&key.group, &key.kind) {
            continue;
        }
        let Some(twin) = live_objects.get(key) else {
            head.insert(key.clone(), nodes.clone());
            continue;
        };
        let Some(wanted) = nodes.first() else {
            continue;
        };
        if server_dry_run {
            to_dry_run.push((key, served, wanted.to_json(), twin));
        } else {
            insert_pruned(&mut base, &mut head, key, twin, wanted);
        }
    }
    let total = to_dry_run.len();
    let mut runs = stream::iter(to_dry_run)
        .map(|(key, served, body, twin)| async move {
            let manager = twin.applier.as_deref().unwrap_or(DEFAULT_FIELD_MANAGER);
            (
                key,
                twin,
                dry_run::apply(connection, served, &body, manager).await,
            )
        })
        .buffer_unordered(PARALLEL_DRY_RUNS);
    let mut done = 0;
    let mut forbidden = BTreeSet::new();
    while let Some((key, twin, outcome)) = runs.next().await {
        done += 1;
        progress(done, total, "server-side dry-runs");
        let wanted = &intended[key][0];
        match outcome {
            DryRun::Applied(mut stored) => {
                strip_server_fields(&mut stored);
                base.insert(key.clone(), vec![twin.node.clone()]);
                head.insert(
                    key.clone(),
                    vec![Node::from_json(&stored, &twin.node.origin)],
                );
            }
            DryRun::Forbidden(reason) => {
                forbidden.insert(format!("{}.{}: {reason}", key.kind, key.group));
                insert_pruned(&mut base, &mut head, key, twin, wanted);
            }
            DryRun::Rejected(reason) => {
                notes.push(format!(
                    "{key}: the server rejects the intended object: {reason}"
                ));
                insert_pruned(&mut base, &mut head, key, twin, wanted);
            }
            DryRun::Failed(reason) => {
                notes.push(format!(
                    "{key}: server-side dry-run failed, compared without it: {reason}"
                ));
                insert_pruned(&mut base, &mut head, key, twin, wanted);
            }
        }
    }
    notes.extend(forbidden.into_iter().map(|reason| {
        format!("server-side dry-run not permitted, compared without it ({reason})")
    }));
    (base, head)
}

/// The normalized comparison: live pruned to the fields the intended object sets.
fn insert_pruned(
    base: &mut BTreeMap<ObjectKey, Vec<Node>>,
    head: &mut BTreeMap<ObjectKey, Vec<Node>>,
    key: &ObjectKey,
    twin: &LiveObject,
    wanted: &Node,
) {
    let mut intended = wanted.to_json();
    strip_server_fields(&mut intended);
    fold_string_data(&mut intended);
    // Objects are matched by group, not version: the server converts an object written in
    // another version of its kind to the one it was listed in.
    if let (Value::Object(map), Some(version)) = (&mut intended, twin.json.get("apiVersion")) {
        map.insert("apiVersion".to_string(), version.clone());
    }
    let pruned = prune_to(&twin.json, &intended);
    base.insert(
        key.clone(),
        vec![Node::from_json(&pruned, &twin.node.origin)],
    );
    head.insert(
        key.clone(),
        vec![Node::from_json(&intended, &wanted.origin)],
    );
}

/// Objects a controller or the API server creates in every namespace by itself.
fn is_automatic(key: &ObjectKey, object: &LiveObject) -> bool {
    let core = key.group.is_empty();
    (core && key.kind == "Namespace")
        || (core
            && key.kind == "ConfigMap"
            && matches!(key.name.as_str(), "kube-root-ca.crt" | "istio-ca-root-cert"))
        || (core && key.kind == "ServiceAccount" && key.name == "default")
        || (core
            && key.kind == "Secret"
            && object.json.get("type").and_then(Value::as_str)
                == Some("kubernetes.io/service-account-token"))
}

/// Live objects of the repository's kinds and namespaces that the repository lacks.
fn drift(
    intended: &BTreeMap<ObjectKey, Vec<Node>>,
    live_objects: &BTreeMap<ObjectKey, LiveObject>,
    scope: &BTreeSet<String>,
) -> Vec<ObjectKey> {
    let kinds: BTreeSet<(&str, &str)> = intended
        .keys()
        .map(|k| (k.group.as_str(), k.kind.as_str()))
        .chain(POLICY_KINDS.iter().copied())
        .collect();
    live_objects
        .iter()
        .filter(|(key, object)| {
            !intended.contains_key(*key)
                && kinds.contains(&(key.group.as_str(), key.kind.as_str()))
                && (key.namespace.is_empty() || scope.contains(&key.namespace))
                && !is_automatic(key, object)
        })
        .map(|(key, _)| key.clone())
        .collect()
}

/// The policy changes a sync would make: the live model against the repository's, with the
/// repository's trust domain. Skipped (with a note) when a kind the model reads is unread.
fn policy_changes(
    state: &State,
    cluster: &str,
    live: &LiveRead,
    live_objects: &BTreeMap<ObjectKey, LiveObject>,
    notes: &mut Vec<String>,
) -> Vec<policy_diff::PolicyChange> {
    let unread: Vec<String> = POLICY_KINDS
        .iter()
        .filter(|(group, kind)| {
            live.served
                .contains_key(&(group.to_string(), kind.to_string()))
                && !live.complete(group, kind)
        })
        .map(|(_, kind)| kind.to_string())
        .collect();
    if !unread.is_empty() {
        notes.push(format!(
            "policy not compared: could not read every {}",
            unread.join(", ")
        ));
        return Vec::new();
    }
    let Some(index) = state
        .policy
        .models
        .iter()
        .position(|m| m.cluster == cluster)
    else {
        return Vec::new();
    };
    let model = &state.policy.models[index];
    let nodes: Vec<Node> = live_objects.values().map(|o| o.node.clone()).collect();
    let mut live_model = Model::new(cluster, &nodes, &model.trust_domain)
        .with_trust_domain_aliases(&model.trust_domain_aliases);
    live_model.registry_only = model.registry_only;
    let repository = Loaded {
        models: vec![model.clone()],
        objects: vec![state.policy.objects[index].clone()],
        values: vec![Vec::new()],
        findings: Vec::new(),
    };
    let live = Loaded {
        models: vec![live_model],
        objects: vec![nodes],
        values: vec![Vec::new()],
        findings: Vec::new(),
    };
    policy_diff::changes(&live, &repository)
}
