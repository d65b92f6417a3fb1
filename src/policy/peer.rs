//! Server-side mTLS: the effective PeerAuthentication mode of a workload port.
//!
//! Istio's precedence: a policy with a workload selector in the workload's namespace (the
//! oldest wins when several match) over the namespace-wide policy (no selector; the oldest
//! wins) over the mesh-wide one (root namespace, no selector). `UNSET` inherits from the
//! next level; with nothing set the mode is PERMISSIVE. `portLevelMtls` (only honoured on
//! a policy with a selector) overrides the workload mode for a workload (target) port.
//! Age is `metadata.creationTimestamp`, which rendered manifests rarely carry: without it
//! policies are ordered by name.

use std::fmt;

use crate::manifest::Node;
use crate::policy::cluster::ROOT_NAMESPACE;
use crate::policy::workload::{Labels, Workload, matches_labels, port_number};

/// A PeerAuthentication mTLS mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PeerMode {
    Unset,
    Disable,
    Permissive,
    Strict,
}

impl PeerMode {
    pub fn parse(text: &str) -> PeerMode {
        match text {
            "DISABLE" => PeerMode::Disable,
            "PERMISSIVE" => PeerMode::Permissive,
            "STRICT" => PeerMode::Strict,
            _ => PeerMode::Unset,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PeerMode::Unset => "UNSET",
            PeerMode::Disable => "DISABLE",
            PeerMode::Permissive => "PERMISSIVE",
            PeerMode::Strict => "STRICT",
        }
    }
}

impl fmt::Display for PeerMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One PeerAuthentication.
#[derive(Debug, Clone)]
pub struct PeerAuthentication {
    pub namespace: String,
    pub name: String,
    pub selector: Option<Labels>,
    pub mode: PeerMode,
    pub port_modes: Vec<(u16, PeerMode)>,
    pub created: Option<String>,
}

impl PeerAuthentication {
    pub fn read(object: &Node) -> Option<PeerAuthentication> {
        if object.str_at(&["kind"]) != Some("PeerAuthentication") {
            return None;
        }
        let spec = object.get("spec");
        let selector = spec
            .and_then(|s| s.at(&["selector", "matchLabels"]))
            .and_then(Node::as_map)
            .map(|entries| {
                entries
                    .iter()
                    .filter_map(|(k, v)| crate::policy::workload::scalar(v).map(|v| (k.clone(), v)))
                    .collect::<Labels>()
            })
            .filter(|l| !l.is_empty());
        let mode = spec
            .and_then(|s| s.str_at(&["mtls", "mode"]))
            .map_or(PeerMode::Unset, PeerMode::parse);
        let port_modes = spec
            .and_then(|s| s.get("portLevelMtls"))
            .and_then(Node::as_map)
            .unwrap_or_default()
            .iter()
            .filter_map(|(port, m)| {
                let port = port.parse().ok().or_else(|| port_number(m))?;
                Some((
                    port,
                    m.str_at(&["mode"]).map_or(PeerMode::Unset, PeerMode::parse),
                ))
            })
            .collect();
        Some(PeerAuthentication {
            namespace: object
                .str_at(&["metadata", "namespace"])
                .unwrap_or("default")
                .to_string(),
            name: object.str_at(&["metadata", "name"])?.to_string(),
            selector,
            mode,
            port_modes,
            created: object
                .str_at(&["metadata", "creationTimestamp"])
                .map(str::to_string),
        })
    }

    /// `<namespace>/<name>`.
    pub fn id(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

/// The server-side mode of a port and the policy that set it (`None`: Istio's default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ServerMode {
    pub mode: PeerMode,
    pub policy: Option<usize>,
}

/// The policies of one workload, in precedence order, with which to resolve ports.
#[derive(Debug, Clone, Copy, Default)]
pub struct WorkloadPeer {
    workload: Option<usize>,
    namespace: Option<usize>,
    mesh: Option<usize>,
}

/// Every PeerAuthentication of a cluster, oldest first.
#[derive(Debug, Default, Clone)]
pub struct PeerPolicies {
    pub policies: Vec<PeerAuthentication>,
}

impl PeerPolicies {
    pub fn new(mut policies: Vec<PeerAuthentication>) -> PeerPolicies {
        policies.sort_by(|a, b| {
            let age = |p: &PeerAuthentication| (p.created.is_none(), p.created.clone());
            age(a).cmp(&age(b)).then_with(|| a.name.cmp(&b.name))
        });
        PeerPolicies { policies }
    }

    /// The policies that apply to `workload` at each level.
    pub fn for_workload(&self, workload: &Workload) -> WorkloadPeer {
        let first = |f: &dyn Fn(&PeerAuthentication) -> bool| self.policies.iter().position(f);
        WorkloadPeer {
            workload: first(&|p| {
                p.namespace == workload.namespace
                    && p.selector
                        .as_ref()
                        .is_some_and(|s| matches_labels(s, &workload.labels))
            }),
            namespace: first(&|p| p.namespace == workload.namespace && p.selector.is_none()),
            mesh: first(&|p| p.namespace == ROOT_NAMESPACE && p.selector.is_none()),
        }
    }

    /// The effective mode of `port` (a workload port; `None` when unknown).
    pub fn resolve(&self, levels: WorkloadPeer, port: Option<u16>) -> ServerMode {
        if let (Some(index), Some(port)) = (levels.workload, port) {
            let policy = &self.policies[index];
            if let Some((_, mode)) = policy.port_modes.iter().find(|(p, _)| *p == port)
                && *mode != PeerMode::Unset
            {
                return ServerMode {
                    mode: *mode,
                    policy: Some(index),
                };
            }
        }
        for index in [levels.workload, levels.namespace, levels.mesh]
            .into_iter()
            .flatten()
        {
            let mode = self.policies[index].mode;
            if mode != PeerMode::Unset {
                return ServerMode {
                    mode,
                    policy: Some(index),
                };
            }
        }
        ServerMode {
            mode: PeerMode::Permissive,
            policy: None,
        }
    }
}
