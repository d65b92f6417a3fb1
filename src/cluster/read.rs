//! Reading live objects: discovery of the kinds asked for, then one paginated list per kind
//! and scope — across all namespaces when the user may, else one list per namespace in scope
//! — never one GET per object.
//!
//! Whatever cannot be read (403, 5xx, timeouts, a list that fails half-way or never ends)
//! is recorded as [`Unread`] and its objects are left out entirely, so callers can say the
//! read was partial instead of reporting differences (or their absence) for what they could
//! not see.

use std::collections::{BTreeMap, BTreeSet};

use futures::stream::{self, StreamExt};
use kube::Api;
use kube::api::{ApiResource, DynamicObject, ListParams};
use kube::client::AuthError;
use kube::discovery::{ApiCapabilities, Discovery, Scope};
use serde_json::Value;

use super::ClusterError;
use super::connect::Connection;

/// Items asked for per list request.
const PAGE_SIZE: u32 = 500;
/// Pages one list may take (a million objects of one kind at the full page size): a
/// server that pages past it never ends its list.
const MAX_PAGES: u32 = 2_000;
/// Lists in flight at once.
const PARALLEL_LISTS: usize = 6;

/// A kind to read: API group, kind, and the version the repository writes it in (listed in
/// that version when the server serves it, else in the server's preferred one).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct WantedKind {
    pub group: String,
    pub kind: String,
    pub version: Option<String>,
}

impl WantedKind {
    pub fn new(group: &str, kind: &str) -> WantedKind {
        WantedKind {
            group: group.to_string(),
            kind: kind.to_string(),
            version: None,
        }
    }
}

/// Something that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Unread {
    /// `deployments.apps`, `peerauthentications.security.istio.io in shop`, ...
    pub what: String,
    pub reason: String,
    /// The group and kind, so callers can leave their objects out.
    #[serde(skip)]
    pub group_kind: (String, String),
}

/// A served kind: how to address it.
#[derive(Debug, Clone)]
pub struct Served {
    pub resource: ApiResource,
    pub namespaced: bool,
}

/// What a read found.
#[derive(Debug, Default)]
pub struct LiveRead {
    /// Objects as JSON, `apiVersion` and `kind` always set.
    pub objects: Vec<Value>,
    pub unread: Vec<Unread>,
    /// `Kind.group` of wanted kinds the server does not serve (CRD not installed).
    pub unserved: Vec<String>,
    /// Every served wanted kind by (group, kind).
    pub served: BTreeMap<(String, String), Served>,
}

impl LiveRead {
    /// Whether (group, kind) was read completely.
    pub fn complete(&self, group: &str, kind: &str) -> bool {
        let key = (group.to_string(), kind.to_string());
        self.served.contains_key(&key) && !self.unread.iter().any(|u| u.group_kind == key)
    }
}

/// Where to look for namespaced objects.
#[derive(Debug, Clone)]
pub enum Namespaces {
    All,
    /// Only these; objects elsewhere are not returned.
    Only(BTreeSet<String>),
}

/// Progress of a long read: kinds done of all kinds, and the kind just finished.
pub type Progress<'a> = &'a (dyn Fn(usize, usize, &str) + Sync);

/// Discovers `wanted` kinds and lists every object of them in `scope`.
pub async fn read(
    connection: &Connection,
    wanted: &[WantedKind],
    scope: &Namespaces,
    progress: Progress<'_>,
) -> Result<LiveRead, ClusterError> {
    let found = discover_kinds(connection, wanted).await?;
    Ok(list(connection, found, scope, progress).await)
}

/// Which of the `wanted` kinds the server serves (and how: version, scope), and which it
/// does not; nothing listed yet.
pub async fn discover_kinds(
    connection: &Connection,
    wanted: &[WantedKind],
) -> Result<LiveRead, ClusterError> {
    let discovery = discover(connection, wanted).await?;
    let mut found = LiveRead::default();
    for want in wanted {
        match resolve(&discovery, want) {
            Some((resource, capabilities)) => {
                let served = Served {
                    resource,
                    namespaced: capabilities.scope == Scope::Namespaced,
                };
                found
                    .served
                    .insert((want.group.clone(), want.kind.clone()), served);
            }
            None => found
                .unserved
                .push(group_kind_name(&want.group, &want.kind)),
        }
    }
    Ok(found)
}

/// Lists every object of the kinds `found` serves in `scope`; what cannot be read is
/// recorded as unread.
pub async fn list(
    connection: &Connection,
    mut found: LiveRead,
    scope: &Namespaces,
    progress: Progress<'_>,
) -> LiveRead {
    let total = found.served.len();
    let mut lists = stream::iter(found.served.iter())
        .map(|((group, kind), served)| async move {
            let outcome = list_kind(connection, served, scope).await;
            ((group.clone(), kind.clone()), served, outcome)
        })
        .buffer_unordered(PARALLEL_LISTS);
    let mut done = 0;
    let mut objects = Vec::new();
    let mut unread = Vec::new();
    while let Some((group_kind, served, outcome)) = lists.next().await {
        done += 1;
        progress(done, total, &served.resource.plural);
        match outcome {
            Ok(items) => objects.extend(items),
            Err(failures) => unread.extend(failures.into_iter().map(|(what, reason)| Unread {
                what,
                reason,
                group_kind: group_kind.clone(),
            })),
        }
    }
    drop(lists);
    unread.sort_by(|a, b| a.what.cmp(&b.what));
    found.objects = objects;
    found.unread = unread;
    found
}

/// Discovery of the groups `wanted` needs: aggregated discovery (two requests) where the
/// server offers it, else the classic per-group walk. A server older than 1.26 answers the
/// aggregated request with its plain group list, which kube-rs reads as an empty aggregated
/// list: no group at all means "not aggregated".
///
/// Each may take the request timeout once per request it makes: two for aggregated
/// discovery; for the walk, the two lists of groups and (at most three) versions per group.
async fn discover(
    connection: &Connection,
    wanted: &[WantedKind],
) -> Result<Discovery, ClusterError> {
    let groups: BTreeSet<&str> = wanted.iter().map(|w| w.group.as_str()).collect();
    let groups: Vec<&str> = groups.into_iter().collect();
    let client = &connection.client;
    let aggregated = connection
        .within(
            2,
            Discovery::new(client.clone())
                .filter(&groups)
                .run_aggregated(),
        )
        .await;
    match aggregated {
        Ok(discovery) if discovery.groups().next().is_some() => Ok(discovery),
        _ => {
            let requests = 2 + 3 * groups.len() as u32;
            connection
                .within(
                    requests,
                    Discovery::new(client.clone()).filter(&groups).run(),
                )
                .await
                .map_err(|e| ClusterError::new(format!("API discovery failed: {}", describe(&e))))
        }
    }
}

/// The served resource for `want`: its own version when served, else the preferred one.
fn resolve(discovery: &Discovery, want: &WantedKind) -> Option<(ApiResource, ApiCapabilities)> {
    let group = discovery.get(&want.group)?;
    want.version
        .as_deref()
        .and_then(|version| {
            group
                .versioned_resources(version)
                .into_iter()
                .find(|(resource, _)| resource.kind == want.kind)
        })
        .or_else(|| group.recommended_kind(&want.kind))
}

/// `deployments.apps`, `services` — how kubectl names a resource.
fn group_kind_name(group: &str, name: &str) -> String {
    if group.is_empty() {
        name.to_string()
    } else {
        format!("{name}.{group}")
    }
}

type Failures = Vec<(String, String)>;

/// Every object of one kind in `scope`: one cluster-wide list, or — when that is forbidden
/// and the scope names namespaces — one list per namespace.
async fn list_kind(
    connection: &Connection,
    served: &Served,
    scope: &Namespaces,
) -> Result<Vec<Value>, Failures> {
    let name = group_kind_name(&served.resource.group, &served.resource.plural);
    let client = &connection.client;
    let everywhere: Api<DynamicObject> = Api::all_with(client.clone(), &served.resource);
    let error = match list_all(connection, &everywhere, &served.resource).await {
        Ok(items) => return Ok(in_scope(items, scope)),
        Err(error) => error,
    };
    let namespaces = match (scope, served.namespaced, error.is_forbidden()) {
        (Namespaces::Only(namespaces), true, true) => namespaces,
        _ => return Err(vec![(name, error.describe())]),
    };
    let mut items = Vec::new();
    let mut failures = Vec::new();
    for namespace in namespaces {
        let api: Api<DynamicObject> =
            Api::namespaced_with(client.clone(), namespace, &served.resource);
        match list_all(connection, &api, &served.resource).await {
            Ok(found) => items.extend(found),
            Err(error) => failures.push((format!("{name} in {namespace}"), error.describe())),
        }
    }
    if failures.is_empty() {
        Ok(items)
    } else {
        Err(failures)
    }
}

/// Why a list stopped before its end.
enum ListError {
    /// A page failed (status, transport, timeout).
    Request(kube::Error),
    /// The server never ends the list: it repeats a continue token, or pages on and on.
    Endless(String),
}

impl ListError {
    fn is_forbidden(&self) -> bool {
        matches!(self, ListError::Request(kube::Error::Api(status)) if status.code == 403)
    }

    fn describe(&self) -> String {
        match self {
            ListError::Request(error) => describe(error),
            ListError::Endless(reason) => reason.clone(),
        }
    }
}

/// All pages of one list, each page within the request timeout. A server that keeps
/// answering with a continue token — one it gave before, or past [`MAX_PAGES`] pages — is
/// not followed for ever: the list counts as unread.
async fn list_all(
    connection: &Connection,
    api: &Api<DynamicObject>,
    resource: &ApiResource,
) -> Result<Vec<Value>, ListError> {
    let mut items = Vec::new();
    let mut token: Option<String> = None;
    let mut seen = BTreeSet::new();
    for page_number in 1..=MAX_PAGES {
        let mut params = ListParams::default().limit(PAGE_SIZE);
        if let Some(token) = &token {
            params = params.continue_token(token);
        }
        let page = connection
            .within(1, api.list(&params))
            .await
            .map_err(ListError::Request)?;
        for item in page.items {
            items.push(with_type(item, resource));
        }
        match page.metadata.continue_ {
            Some(next) if !next.is_empty() => {
                if !seen.insert(next.clone()) {
                    return Err(ListError::Endless(format!(
                        "the server sent the same continue token again on page {page_number}: \
                         the list never ends, so it was not read"
                    )));
                }
                token = Some(next);
            }
            _ => return Ok(items),
        }
    }
    Err(ListError::Endless(format!(
        "the server still had more after {MAX_PAGES} pages of up to {PAGE_SIZE} items: \
         the list was not read to its end"
    )))
}

/// The object as JSON with `apiVersion` and `kind` set (list items of built-in kinds come
/// without them).
pub(super) fn with_type(object: DynamicObject, resource: &ApiResource) -> Value {
    let mut value = serde_json::to_value(object).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        map.insert(
            "apiVersion".to_string(),
            Value::String(resource.api_version.clone()),
        );
        map.insert("kind".to_string(), Value::String(resource.kind.clone()));
    }
    value
}

fn in_scope(items: Vec<Value>, scope: &Namespaces) -> Vec<Value> {
    match scope {
        Namespaces::All => items,
        Namespaces::Only(namespaces) => items
            .into_iter()
            .filter(|item| {
                item.pointer("/metadata/namespace")
                    .and_then(Value::as_str)
                    .is_none_or(|namespace| namespaces.contains(namespace))
            })
            .collect(),
    }
}

/// A one-line reason for a failed request: the API status, or the transport error. What a
/// credential plugin printed on stdout is never part of it (that output is the credential).
pub fn describe(error: &kube::Error) -> String {
    // An authentication failure (kube-rs's own, or the auth layer's while a request is
    // sent) is described without the credential plugin's output, which the others repeat.
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(error) = cause {
        if let Some(auth) = error.downcast_ref::<AuthError>() {
            return format!("auth error: {}", describe_auth(auth));
        }
        cause = error.source();
    }
    match error {
        kube::Error::Api(status) => {
            let reason = if status.reason.is_empty() {
                "Error"
            } else {
                status.reason.as_str()
            };
            format!("{reason} ({}): {}", status.code, status.message)
        }
        other => {
            let mut text = other.to_string();
            let mut source = std::error::Error::source(other);
            while let Some(cause) = source {
                let line = cause.to_string();
                if !text.contains(&line) {
                    text = format!("{text}: {line}");
                }
                source = cause.source();
            }
            text
        }
    }
}

/// An authentication failure without the output of the credential plugin: its stdout holds
/// the token (kube-rs would print it whole, or a snippet of it), and the command line
/// kube-rs records carries the `env` values of the kubeconfig's exec section.
fn describe_auth(error: &AuthError) -> String {
    match error {
        AuthError::AuthExecRun { out, .. } => {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let stderr = stderr.trim();
            let mut text = format!("the credential plugin (exec) failed with {}", out.status);
            if !stderr.is_empty() {
                text = format!("{text}: {stderr}");
            }
            text
        }
        AuthError::AuthExecParse(error) => format!(
            "the credential plugin's (exec) output is not an ExecCredential: {}",
            error.without_snippet()
        ),
        other => other.to_string(),
    }
}
