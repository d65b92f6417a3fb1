//! `diff --cluster`: the repository's intended state for one cluster against what that
//! cluster runs. Reads the kinds the repository manages (plus the kinds the policy model
//! needs) in the namespaces it manages, compares each intended object with its live twin —
//! through a server-side apply dry-run where the user may, else a normalized comparison —
//! lists live objects the repository does not have (drift, see [`drift`]), and compares
//! the effective policy of both states with the same model as the revision diff.
//!
//! Objects are matched as the cluster stores them: a repository object of a namespaced kind
//! (as discovery says) that names no namespace is applied into `default`, so it is matched
//! there. A live object a controller owns (`ownerReferences`) is still the twin of the
//! repository object it adopted; owned objects the repository lacks are neither drift nor
//! part of the live policy model (a CronJob's Jobs are its workload, not new ones).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use futures::stream::{self, StreamExt};
use serde_json::Value;

use crate::diff::{Diff, ObjectKey, Problems, State, objects, policy as policy_diff};
use crate::kustomize::Loader;
use crate::manifest::{Node, Origin};
use crate::policy::{Loaded, Model};

use super::drift::drift;
use super::dry_run::{self, DEFAULT_FIELD_MANAGER, DryRun};
use super::normalize::{fold_string_data, prune_to, strip_server_fields};
use super::read::{self, LiveRead, Namespaces, Progress, WantedKind};
use super::{ClusterError, connect};

/// Kinds the policy model reads, always listed so live-only policies and workloads show.
pub(super) const POLICY_KINDS: &[(&str, &str)] = &[
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

/// Where the API server puts an object of a namespaced kind that names no namespace.
const DEFAULT_NAMESPACE: &str = "default";

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
    let discovered = read::discover_kinds(&connection, &wanted_kinds(&intended))
        .await
        .map_err(|e| connection.locate(e))?;
    let intended = in_default_namespace(intended, &discovered);
    let scope = namespaces_of(&intended);
    let live = read::list(
        &connection,
        discovered,
        &Namespaces::Only(scope.clone()),
        progress,
    )
    .await;
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
    let policy = policy_changes(
        &state,
        &cluster,
        &intended,
        &live,
        &live_objects,
        &mut notes,
    );
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

/// `intended` keyed as the cluster stores it: objects of namespaced kinds that name no
/// namespace under `default`, where the API server puts them.
fn in_default_namespace(
    intended: BTreeMap<ObjectKey, Vec<Node>>,
    live: &LiveRead,
) -> BTreeMap<ObjectKey, Vec<Node>> {
    let mut keyed: BTreeMap<ObjectKey, Vec<Node>> = BTreeMap::new();
    for (mut key, nodes) in intended {
        let served = live.served.get(&(key.group.clone(), key.kind.clone()));
        if key.namespace.is_empty() && served.is_some_and(|served| served.namespaced) {
            key.namespace = DEFAULT_NAMESPACE.to_string();
        }
        keyed.entry(key).or_default().extend(nodes);
    }
    keyed
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
/// (for the applier's name, the pruned comparison and drift's ownership markers).
pub(super) struct LiveObject {
    pub node: Node,
    pub json: Value,
    pub applier: Option<String>,
    /// A controller made or adopted it (it has ownerReferences).
    pub owned: bool,
}

/// Live objects in scope, by key.
fn live_objects(
    live: &LiveRead,
    cluster: &str,
    origin: &Origin,
) -> BTreeMap<ObjectKey, LiveObject> {
    live.objects
        .iter()
        .map(|object| {
            let applier = dry_run::applier_of(object);
            let owned = object.pointer("/metadata/ownerReferences").is_some();
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
                    owned,
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
            let mut body = wanted.to_json();
            if served.namespaced
                && let Some(Value::Object(metadata)) = body.get_mut("metadata")
            {
                // Where the server would put it (`default` when the repository names none).
                metadata.insert(
                    "namespace".to_string(),
                    Value::String(key.namespace.clone()),
                );
            }
            to_dry_run.push((key, served, body, twin));
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
    let mut fallbacks = BTreeSet::new();
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
                fallbacks.insert(format!(
                    "server-side dry-run not permitted, compared without it ({}: {reason})",
                    kind_name(key)
                ));
                insert_pruned(&mut base, &mut head, key, twin, wanted);
            }
            DryRun::Unsupported => {
                fallbacks.insert(format!(
                    "server-side dry-run unavailable, compared without it ({}: the server does \
                     not support server-side apply for this resource)",
                    kind_name(key)
                ));
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
    notes.extend(fallbacks);
    (base, head)
}

/// `Deployment.apps`, `Service` — a kind as kubectl names it.
fn kind_name(key: &ObjectKey) -> String {
    if key.group.is_empty() {
        key.kind.clone()
    } else {
        format!("{}.{}", key.kind, key.group)
    }
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

/// The policy changes a sync would make: the live model against the repository's, with the
/// repository's trust domain. Skipped (with a note) when a kind the model reads is unread.
/// Owned live objects take part only as twins of repository objects.
fn policy_changes(
    state: &State,
    cluster: &str,
    intended: &BTreeMap<ObjectKey, Vec<Node>>,
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
    let nodes: Vec<Node> = live_objects
        .iter()
        .filter(|(key, object)| !object.owned || intended.contains_key(*key))
        .map(|(_, object)| object.node.clone())
        .collect();
    let mut live_model = Model::new(cluster, &nodes, &model.trust_domain)
        .with_trust_domain_aliases(&model.trust_domain_aliases);
    live_model.registry_only = model.registry_only;
    live_model.auto_allocates_addresses = model.auto_allocates_addresses;
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
