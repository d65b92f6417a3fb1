//! The effective policy of one cluster: for every caller workload and callee workload
//! (and port, where the outcome differs by port), whether some request can pass, the mTLS
//! mode the connection ends up with, and the policies that decided.
//!
//! The connection mode combines the caller's side (a DestinationRule `tls.mode` for the
//! Service host and port, else auto mTLS: Istio mTLS to a server with a sidecar whose
//! PeerAuthentication is not DISABLE) with the server's effective PeerAuthentication mode:
//! Istio mTLS to STRICT or PERMISSIVE is `mtls`; plaintext (no caller sidecar, DISABLE,
//! or TLS that is not Istio's, SIMPLE/MUTUAL) to STRICT is `broken`, otherwise
//! `plaintext`; Istio mTLS to a DISABLE port or to a workload without sidecar is `broken`.
//! A broken connection lets no request pass. Authorization is enforced only by a
//! callee's sidecar, and sees the caller's identity only over mTLS.
//!
//! Callers with the same namespace, service account and sidecar are one identity class:
//! each callee is evaluated once per class, not once per caller.

use std::collections::HashMap;
use std::fmt;

use rayon::prelude::*;

use crate::manifest::Node;
use crate::policy::authz::{self, AuthorizationPolicy, Peer, Verdict};
use crate::policy::client::{ClientPolicies, ClientTls, DestinationRule};
use crate::policy::cluster::ROOT_NAMESPACE;
use crate::policy::outsiders::Outsider;
use crate::policy::peer::{PeerAuthentication, PeerMode, PeerPolicies, ServerMode};
use crate::policy::workload::{Inventory, Workload};

/// The mode a connection ends up with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mtls {
    Mtls,
    Plaintext,
    Broken,
}

impl Mtls {
    pub fn as_str(self) -> &'static str {
        match self {
            Mtls::Mtls => "mtls",
            Mtls::Plaintext => "plaintext",
            Mtls::Broken => "broken",
        }
    }
}

impl fmt::Display for Mtls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A port of a callee workload and the Service port callers reach it through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CalleePort {
    /// The workload (container / target) port; `None` for a workload without ports.
    pub port: Option<u16>,
    /// The Service (index) and Service port in front of it, if any.
    pub service: Option<(usize, u16)>,
}

/// How a connection is set up, and by which policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Connection {
    pub mtls: Mtls,
    /// The server's effective PeerAuthentication mode and the policy that set it.
    pub server: ServerMode,
    /// The DestinationRule the caller uses (index), if any.
    pub destination_rule: Option<usize>,
    /// The TLS mode that rule sets for the port (`None`: auto mTLS).
    pub client_tls: Option<ClientTls>,
}

/// Why an edge came out the way it did.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Decision {
    /// AuthorizationPolicies (indices into [`Model::authorization`]) that decided.
    pub policies: Vec<usize>,
    pub connection: Connection,
    /// Some attribute could not be known offline (`when`, IP blocks, JWT, CUSTOM).
    pub conditional: bool,
}

/// One caller → callee result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge {
    /// Index into [`Model::workloads`].
    pub from: u32,
    pub to: u32,
    /// `None` when the outcome is the same on every port of the callee.
    pub port: Option<u16>,
    pub allowed: bool,
    pub mtls: Mtls,
    /// Index into [`Matrix::decisions`].
    pub decision: u32,
}

/// Every edge of a cluster, with the decisions they share: one row per caller (indexed like
/// [`Model::workloads`]), each sorted by callee and port.
#[derive(Debug, Clone, Default)]
pub struct Matrix {
    pub rows: Vec<Vec<Edge>>,
    pub decisions: Vec<Decision>,
}

impl Matrix {
    /// Every edge, by caller, callee and port.
    pub fn edges(&self) -> impl Iterator<Item = &Edge> {
        self.rows.iter().flatten()
    }

    /// The edges from one caller.
    pub fn from(&self, caller: usize) -> &[Edge] {
        self.rows.get(caller).map_or(&[], Vec::as_slice)
    }

    /// The number of edges.
    pub fn len(&self) -> usize {
        self.rows.iter().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.iter().all(Vec::is_empty)
    }

    pub fn decision(&self, edge: &Edge) -> &Decision {
        &self.decisions[edge.decision as usize]
    }
}

/// Everything the outcomes into one callee depend on besides its callers' identities, by
/// value rather than by index, so that two models can be compared callee by callee: a
/// callee whose inputs are equal in both has the same edges from every caller whose
/// identity (principal and sidecar) is the same in both.
#[derive(Debug, PartialEq)]
pub struct Inbound<'a> {
    pub sidecar: bool,
    pub ports: Vec<InboundPort<'a>>,
    /// The AuthorizationPolicies that apply to the callee's sidecar.
    pub policies: Vec<&'a AuthorizationPolicy>,
}

/// One port of a callee, as [`Inbound`] sees it.
#[derive(Debug, PartialEq)]
pub struct InboundPort<'a> {
    pub port: Option<u16>,
    /// The server's effective PeerAuthentication mode on the port.
    pub mode: PeerMode,
    /// The Service namespace, host and port callers reach the port through.
    pub host: Option<(String, String, u16)>,
    /// The DestinationRules that may decide a caller's TLS for that host, in lookup order.
    pub rules: Vec<&'a DestinationRule>,
}

/// The policy model of one cluster.
#[derive(Debug, Clone)]
pub struct Model {
    pub cluster: String,
    pub trust_domain: String,
    /// Trust domains whose principals stand for `trust_domain` in policies.
    pub trust_domain_aliases: Vec<String>,
    /// Workloads (sorted by namespace and name), Services and Namespaces.
    pub inventory: Inventory,
    pub peer: PeerPolicies,
    pub client: ClientPolicies,
    pub authorization: Vec<AuthorizationPolicy>,
    /// Whether istiod's `meshConfig.outboundTrafficPolicy.mode` is `REGISTRY_ONLY`: sidecars
    /// then reach only hosts in the service registry (Services and ServiceEntries).
    pub registry_only: bool,
    /// Whether sidecars give ServiceEntry hosts without `addresses` an address of their
    /// own (DNS capture with auto-allocation in istiod's mesh config).
    pub auto_allocates_addresses: bool,
    /// Whether istiod runs with `PILOT_SCOPE_GATEWAY_TO_NAMESPACE`: a Gateway selects gateway
    /// pods of its own namespace only.
    pub scope_gateways_to_namespace: bool,
}

/// Everything about one callee that does not depend on the caller.
struct Callee {
    ports: Vec<CalleePort>,
    servers: Vec<ServerMode>,
    applicable: Vec<usize>,
    /// Per port: the Service namespace and host callers reach it through.
    hosts: Vec<Option<(String, String, u16)>>,
    /// Principal and namespace patterns the applicable policies mention: a caller whose
    /// identity matches none of them is treated like every other such caller.
    principal_patterns: Vec<String>,
    namespace_patterns: Vec<String>,
}

/// The outcomes into one callee: per caller class a span of cells (port, allowed,
/// decision, mode), and the decisions the cells point at.
struct Column {
    spans: Vec<(u32, u32)>,
    cells: Vec<(Option<u16>, bool, u32, Mtls)>,
    decisions: Vec<Decision>,
}

/// Services and AuthorizationPolicies by namespace.
#[derive(Default)]
struct Index<'a> {
    services: HashMap<&'a str, Vec<usize>>,
    policies: HashMap<&'a str, Vec<usize>>,
}

/// Caller classes by principal and by namespace (index).
#[derive(Default)]
struct Identities<'a> {
    by_principal: HashMap<&'a str, Vec<usize>>,
    by_namespace: HashMap<usize, Vec<usize>>,
}

/// A caller identity class.
struct Class {
    members: Vec<usize>,
    namespace: usize,
    sidecar: bool,
    principal: String,
}

impl Model {
    /// Builds the model of `cluster` from its rendered objects.
    pub fn new(cluster: &str, objects: &[Node], trust_domain: &str) -> Model {
        let mut inventory = Inventory::read(objects);
        inventory
            .workloads
            .sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
        let mut peer = Vec::new();
        let mut rules = Vec::new();
        let mut authorization = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for object in objects {
            let key = (
                object.str_at(&["kind"]).unwrap_or_default().to_string(),
                object
                    .str_at(&["metadata", "namespace"])
                    .unwrap_or_default()
                    .to_string(),
                object
                    .str_at(&["metadata", "name"])
                    .unwrap_or_default()
                    .to_string(),
            );
            if !seen.insert(key) {
                continue;
            }
            peer.extend(PeerAuthentication::read(object));
            rules.extend(DestinationRule::read(object));
            authorization.extend(AuthorizationPolicy::read(object));
        }
        authorization.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
        for policy in &mut authorization {
            policy.resolve_trust_domain(trust_domain, &[]);
        }
        Model {
            cluster: cluster.to_string(),
            trust_domain: trust_domain.to_string(),
            trust_domain_aliases: Vec::new(),
            inventory,
            peer: PeerPolicies::new(peer),
            client: ClientPolicies::new(rules),
            authorization,
            registry_only: false,
            auto_allocates_addresses: false,
            scope_gateways_to_namespace: false,
        }
    }

    /// The same model where principals of `aliases` (`meshConfig.trustDomainAliases`) stand
    /// for the model's trust domain.
    pub fn with_trust_domain_aliases(mut self, aliases: &[String]) -> Model {
        for policy in &mut self.authorization {
            policy.resolve_trust_domain(&self.trust_domain, aliases);
        }
        self.trust_domain_aliases = aliases.to_vec();
        self
    }

    pub fn workloads(&self) -> &[Workload] {
        &self.inventory.workloads
    }

    /// The index of the workload `<namespace>/<name>`.
    pub fn workload(&self, id: &str) -> Option<usize> {
        let (namespace, name) = id.split_once('/')?;
        self.inventory
            .workloads
            .iter()
            .position(|w| w.namespace == namespace && w.name == name)
    }

    /// The SPIFFE principal of a workload (`<trust-domain>/ns/<ns>/sa/<sa>`).
    pub fn principal(&self, workload: &Workload) -> String {
        format!(
            "{}/ns/{}/sa/{}",
            self.trust_domain, workload.namespace, workload.service_account
        )
    }

    /// The ports of a callee: Service target ports and container ports, sorted.
    pub fn callee_ports(&self, callee: usize) -> Vec<CalleePort> {
        let all: Vec<usize> = (0..self.inventory.services.len()).collect();
        self.callee_ports_among(callee, &all)
    }

    /// [`Model::callee_ports`] considering only the Services `candidates`.
    fn callee_ports_among(&self, callee: usize, candidates: &[usize]) -> Vec<CalleePort> {
        let workload = &self.inventory.workloads[callee];
        let mut ports: Vec<CalleePort> = Vec::new();
        for &index in candidates {
            let service = &self.inventory.services[index];
            if !service.selects(workload) {
                continue;
            }
            for port in &service.ports {
                if let Some(target) = service.target_port(port, workload)
                    && !ports.iter().any(|p| p.port == Some(target))
                {
                    ports.push(CalleePort {
                        port: Some(target),
                        service: Some((index, port.port)),
                    });
                }
            }
        }
        for (_, number) in &workload.container_ports {
            if !ports.iter().any(|p| p.port == Some(*number)) {
                ports.push(CalleePort {
                    port: Some(*number),
                    service: None,
                });
            }
        }
        if ports.is_empty() {
            ports.push(CalleePort {
                port: None,
                service: None,
            });
        }
        ports.sort_by_key(|p| p.port);
        ports
    }

    /// The AuthorizationPolicies (indices) that apply to a workload's sidecar.
    pub fn applicable_policies(&self, workload: usize) -> Vec<usize> {
        let workload = &self.inventory.workloads[workload];
        self.authorization
            .iter()
            .enumerate()
            .filter(|(_, p)| p.applies_to(workload))
            .map(|(i, _)| i)
            .collect()
    }

    fn callee(&self, index: usize) -> Callee {
        self.callee_indexed(index, None)
    }

    /// What a callee's outcomes depend on besides the caller; `index` narrows the Services
    /// and policies looked at to the callee's namespace (and the root namespace).
    fn callee_indexed(&self, index: usize, by_namespace: Option<&Index>) -> Callee {
        let workload = &self.inventory.workloads[index];
        let (ports, applicable) = match by_namespace {
            None => (self.callee_ports(index), self.applicable_policies(index)),
            Some(by_namespace) => {
                let empty = Vec::new();
                let services = by_namespace
                    .services
                    .get(workload.namespace.as_str())
                    .unwrap_or(&empty);
                let mut candidates: Vec<usize> = by_namespace
                    .policies
                    .get(workload.namespace.as_str())
                    .into_iter()
                    .chain(by_namespace.policies.get(ROOT_NAMESPACE))
                    .flatten()
                    .copied()
                    .collect();
                candidates.sort_unstable();
                candidates.dedup();
                candidates.retain(|&p| self.authorization[p].applies_to(workload));
                (self.callee_ports_among(index, services), candidates)
            }
        };
        let levels = self.peer.for_workload(workload);
        let servers = ports
            .iter()
            .map(|p| self.peer.resolve(levels, p.port))
            .collect();
        let hosts = ports
            .iter()
            .map(|p| {
                p.service.map(|(s, port)| {
                    let service = &self.inventory.services[s];
                    (service.namespace.clone(), service.host(), port)
                })
            })
            .collect();
        let mut principal_patterns = Vec::new();
        let mut namespace_patterns = Vec::new();
        for &p in &applicable {
            for source in self.authorization[p].rules.iter().flat_map(|r| &r.from) {
                for (values, out) in [
                    (&source.principals, &mut principal_patterns),
                    (&source.namespaces, &mut namespace_patterns),
                ] {
                    out.extend(values.values.iter().flatten().cloned());
                    out.extend(values.not.iter().flatten().cloned());
                }
            }
        }
        principal_patterns.sort();
        principal_patterns.dedup();
        namespace_patterns.sort();
        namespace_patterns.dedup();
        Callee {
            ports,
            servers,
            applicable,
            hosts,
            principal_patterns,
            namespace_patterns,
        }
    }

    /// What decides the outcomes into each workload as a callee (see [`Inbound`]), indexed
    /// like [`Model::workloads`].
    pub fn inbound(&self) -> Vec<Inbound<'_>> {
        let index = self.index();
        (0..self.inventory.workloads.len())
            .into_par_iter()
            .map(|callee| {
                let info = self.callee_indexed(callee, Some(&index));
                let ports = info.ports.iter().zip(&info.servers).zip(info.hosts);
                Inbound {
                    sidecar: self.inventory.workloads[callee].sidecar,
                    ports: ports
                        .map(|((port, server), host)| InboundPort {
                            port: port.port,
                            mode: server.mode,
                            rules: host
                                .as_ref()
                                .map(|(_, name, _)| self.client.candidates(name))
                                .unwrap_or_default(),
                            host,
                        })
                        .collect(),
                    policies: info
                        .applicable
                        .iter()
                        .map(|&p| &self.authorization[p])
                        .collect(),
                }
            })
            .collect()
    }

    /// The DestinationRule a caller in `namespace` uses for a callee port, and its TLS mode.
    fn client_side(
        &self,
        namespace: &str,
        host: Option<&(String, String, u16)>,
    ) -> (Option<usize>, Option<ClientTls>) {
        let Some((service_namespace, host, service_port)) = host else {
            return (None, None);
        };
        let rule = self.client.lookup(namespace, service_namespace, host);
        let tls = rule.and_then(|r| self.client.rules[r].tls_for(Some(*service_port)));
        (rule, tls)
    }

    /// The connection mode from the caller's sidecar state and TLS choice to the server.
    fn mode(
        caller_sidecar: bool,
        callee_sidecar: bool,
        server: PeerMode,
        client_tls: Option<ClientTls>,
    ) -> Mtls {
        let strict = callee_sidecar && server == PeerMode::Strict;
        let plaintext = if strict {
            Mtls::Broken
        } else {
            Mtls::Plaintext
        };
        if !caller_sidecar {
            return plaintext;
        }
        match client_tls {
            Some(ClientTls::IstioMutual) => {
                if callee_sidecar && server != PeerMode::Disable {
                    Mtls::Mtls
                } else {
                    Mtls::Broken
                }
            }
            Some(ClientTls::Disable | ClientTls::Simple | ClientTls::Mutual) => plaintext,
            None => {
                if callee_sidecar && server != PeerMode::Disable {
                    Mtls::Mtls
                } else {
                    Mtls::Plaintext
                }
            }
        }
    }

    /// The connection from a caller to one callee port.
    fn connection(
        &self,
        caller_sidecar: bool,
        client: (Option<usize>, Option<ClientTls>),
        callee: &Workload,
        server: ServerMode,
    ) -> Connection {
        let (destination_rule, client_tls) = if caller_sidecar { client } else { (None, None) };
        Connection {
            mtls: Model::mode(caller_sidecar, callee.sidecar, server.mode, client_tls),
            server,
            destination_rule,
            client_tls,
        }
    }

    /// Authorization at the callee for a caller over `connection`.
    fn authorize(
        &self,
        principal: &str,
        namespace: &str,
        callee: &Workload,
        info: &Callee,
        port_index: usize,
        connection: Connection,
    ) -> (bool, Decision) {
        let verdict = if !callee.sidecar {
            Verdict {
                allowed: true,
                ..Verdict::default()
            }
        } else {
            let mtls = connection.mtls == Mtls::Mtls;
            let peer = Peer {
                principal: mtls.then_some(principal),
                namespace: mtls.then_some(namespace),
                port: info.ports[port_index].port,
            };
            authz::evaluate(&self.authorization, &info.applicable, &peer)
        };
        let allowed = verdict.allowed && connection.mtls != Mtls::Broken;
        (
            allowed,
            Decision {
                policies: verdict.policies,
                connection,
                conditional: verdict.conditional,
            },
        )
    }

    /// The edges from `caller` to `callee`: one per port, or one with `port: None` when
    /// every port comes out the same.
    pub fn evaluate(&self, caller: usize, callee: usize) -> Vec<(Edge, Decision)> {
        let info = self.callee(callee);
        let from = &self.inventory.workloads[caller];
        let to = &self.inventory.workloads[callee];
        let principal = self.principal(from);
        let results: Vec<(bool, Decision)> = (0..info.ports.len())
            .map(|i| {
                let client = self.client_side(&from.namespace, info.hosts[i].as_ref());
                let connection = self.connection(from.sidecar, client, to, info.servers[i]);
                self.authorize(&principal, &from.namespace, to, &info, i, connection)
            })
            .collect();
        let refs: Vec<(bool, &Decision)> = results.iter().map(|(a, d)| (*a, d)).collect();
        let edge = |allowed: bool, decision: &Decision, port: Option<u16>| Edge {
            from: caller as u32,
            to: callee as u32,
            port,
            allowed,
            mtls: decision.connection.mtls,
            decision: 0,
        };
        if uniform(&refs) {
            let (allowed, decision) = results.into_iter().next().expect("a callee has a port");
            vec![(edge(allowed, &decision, None), decision)]
        } else {
            results
                .into_iter()
                .zip(&info.ports)
                .map(|((allowed, decision), port)| (edge(allowed, &decision, port.port), decision))
                .collect()
        }
    }

    /// The caller classes: the workloads', then one per outsider (its member numbered
    /// after the workloads), and the namespaces they are in, sorted.
    fn classes<'a>(&'a self, outsiders: &'a [Outsider]) -> (Vec<Class>, Vec<&'a str>) {
        let workloads = &self.inventory.workloads;
        let mut namespaces: Vec<&str> = workloads
            .iter()
            .map(|w| w.namespace.as_str())
            .chain(outsiders.iter().map(|o| o.namespace.as_str()))
            .collect();
        namespaces.sort_unstable();
        namespaces.dedup();
        let mut keyed: HashMap<(&str, &str, bool), Vec<usize>> = HashMap::new();
        for (index, w) in workloads.iter().enumerate() {
            keyed
                .entry((&w.namespace, &w.service_account, w.sidecar))
                .or_default()
                .push(index);
        }
        let interned = |namespace: &str| namespaces.binary_search(&namespace).expect("interned");
        let mut classes: Vec<Class> = keyed
            .into_iter()
            .map(|((namespace, _, sidecar), members)| Class {
                principal: self.principal(&workloads[members[0]]),
                namespace: interned(namespace),
                sidecar,
                members,
            })
            .collect();
        classes.sort_by(|a, b| a.members.cmp(&b.members));
        classes.extend(outsiders.iter().enumerate().map(|(k, outsider)| Class {
            members: vec![workloads.len() + k],
            namespace: interned(&outsider.namespace),
            sidecar: outsider.mtls,
            principal: outsider.principal.clone(),
        }));
        (classes, namespaces)
    }

    /// Services and AuthorizationPolicies by namespace.
    fn index(&self) -> Index<'_> {
        let mut index = Index::default();
        for (i, service) in self.inventory.services.iter().enumerate() {
            index
                .services
                .entry(&service.namespace)
                .or_default()
                .push(i);
        }
        for (i, policy) in self.authorization.iter().enumerate() {
            index.policies.entry(&policy.namespace).or_default().push(i);
        }
        index
    }

    /// Every caller → callee edge of the cluster, sorted by caller, callee and port
    /// (callers and callees are the workloads of this cluster; a workload calling itself is
    /// left out).
    pub fn matrix(&self) -> Matrix {
        self.matrix_with(&[])
    }

    /// [`Model::matrix`] with rows for `outsiders` too, after the workloads' (caller number
    /// `workloads().len() + k` is `outsiders[k]`).
    pub fn matrix_with(&self, outsiders: &[Outsider]) -> Matrix {
        let callers = vec![true; self.inventory.workloads.len() + outsiders.len()];
        let callees = vec![true; self.inventory.workloads.len()];
        self.partial_matrix(&callers, &callees, outsiders)
    }

    /// The edges of [`Model::matrix_with`] that start at a flagged caller (indexed like
    /// [`Model::workloads`], then `outsiders`) or end at a flagged callee (indexed like
    /// [`Model::workloads`]), evaluating only those: the row of an unflagged caller holds
    /// its edges into flagged callees only.
    pub fn partial_matrix(
        &self,
        callers: &[bool],
        callees: &[bool],
        outsiders: &[Outsider],
    ) -> Matrix {
        let workloads = &self.inventory.workloads;
        let (classes, namespaces) = self.classes(outsiders);
        let rows = workloads.len() + outsiders.len();
        let index = self.index();
        let mut identities = Identities::default();
        for (i, class) in classes.iter().enumerate() {
            identities
                .by_principal
                .entry(class.principal.as_str())
                .or_default()
                .push(i);
            identities
                .by_namespace
                .entry(class.namespace)
                .or_default()
                .push(i);
        }
        let mut class_of = vec![0; rows];
        for (index, class) in classes.iter().enumerate() {
            for &member in &class.members {
                class_of[member] = index;
            }
        }
        let every_class = vec![true; classes.len()];
        let mut flagged_classes = vec![false; classes.len()];
        for (caller, _) in callers.iter().enumerate().filter(|(_, flag)| **flag) {
            flagged_classes[class_of[caller]] = true;
        }
        let mut columns: Vec<Column> = (0..workloads.len())
            .into_par_iter()
            .map(|callee| {
                let evaluated = if callees[callee] {
                    &every_class
                } else {
                    &flagged_classes
                };
                self.column(
                    callee,
                    evaluated,
                    &classes,
                    &namespaces,
                    &index,
                    &identities,
                )
            })
            .collect();
        let mut matrix = Matrix::default();
        let mut global: HashMap<Decision, u32> = HashMap::new();
        for column in &mut columns {
            let remap: Vec<u32> = column
                .decisions
                .drain(..)
                .map(|d| {
                    let next = matrix.decisions.len() as u32;
                    *global.entry(d).or_insert_with_key(|d| {
                        matrix.decisions.push(d.clone());
                        next
                    })
                })
                .collect();
            for cell in &mut column.cells {
                cell.2 = remap[cell.2 as usize];
            }
        }
        let everyone: Vec<usize> = (0..workloads.len()).collect();
        let flagged_callees: Vec<usize> = everyone
            .iter()
            .copied()
            .filter(|&callee| callees[callee])
            .collect();
        matrix.rows = (0..rows)
            .into_par_iter()
            .map(|from| {
                let class = class_of[from];
                let targets = if callers[from] {
                    &everyone
                } else {
                    &flagged_callees
                };
                let mut row = Vec::with_capacity(targets.len());
                for &to in targets {
                    if to == from {
                        continue;
                    }
                    let column = &columns[to];
                    let (start, end) = column.spans[class];
                    row.extend(column.cells[start as usize..end as usize].iter().map(
                        |&(port, allowed, decision, mtls)| Edge {
                            from: from as u32,
                            to: to as u32,
                            port,
                            allowed,
                            mtls,
                            decision,
                        },
                    ));
                }
                row
            })
            .collect();
        matrix
    }

    /// Which caller classes the callee's policies can tell apart from an anonymous identity
    /// (their principal or namespace matches a pattern the policies mention).
    fn distinct_classes(
        &self,
        info: &Callee,
        classes: &[Class],
        namespaces: &[&str],
        identities: &Identities,
    ) -> Vec<bool> {
        let mut distinct = vec![false; classes.len()];
        for pattern in &info.principal_patterns {
            if pattern.contains('*') {
                for (i, class) in classes.iter().enumerate() {
                    distinct[i] |= authz::pattern_matches(pattern, &class.principal);
                }
            } else {
                for &i in identities
                    .by_principal
                    .get(pattern.as_str())
                    .into_iter()
                    .flatten()
                {
                    distinct[i] = true;
                }
            }
        }
        for pattern in &info.namespace_patterns {
            for (n, namespace) in namespaces.iter().enumerate() {
                if authz::pattern_matches(pattern, namespace) {
                    for &i in identities.by_namespace.get(&n).into_iter().flatten() {
                        distinct[i] = true;
                    }
                }
            }
        }
        distinct
    }

    /// The outcomes into one callee for every caller class flagged in `evaluated` (the
    /// others get no cells).
    fn column(
        &self,
        callee: usize,
        evaluated: &[bool],
        classes: &[Class],
        namespaces: &[&str],
        index: &Index,
        identities: &Identities,
    ) -> Column {
        fn intern(decisions: &mut Vec<Decision>, decision: Decision) -> u32 {
            match decisions.iter().position(|d| *d == decision) {
                Some(i) => i as u32,
                None => {
                    decisions.push(decision);
                    (decisions.len() - 1) as u32
                }
            }
        }
        let mut column = Column {
            spans: vec![(0, 0); classes.len()],
            cells: Vec::new(),
            decisions: Vec::new(),
        };
        if !evaluated.contains(&true) {
            return column;
        }
        let info = self.callee_indexed(callee, Some(index));
        let to = &self.inventory.workloads[callee];
        let ports = info.ports.len();
        // Client side per (port, caller namespace), computed on first use.
        let mut clients: Vec<Option<(Option<usize>, Option<ClientTls>)>> =
            vec![None; ports * namespaces.len()];
        // Outcomes shared by every caller the policies cannot tell apart.
        let mut shared: Vec<(usize, Connection, bool, u32)> = Vec::new();
        let mut results: Vec<(bool, u32)> = Vec::with_capacity(ports);
        let distinct_classes = self.distinct_classes(&info, classes, namespaces, identities);
        for (class_index, class) in classes.iter().enumerate() {
            if !evaluated[class_index] {
                continue;
            }
            let namespace = namespaces[class.namespace];
            results.clear();
            for i in 0..ports {
                let client = if class.sidecar {
                    *clients[i * namespaces.len() + class.namespace]
                        .get_or_insert_with(|| self.client_side(namespace, info.hosts[i].as_ref()))
                } else {
                    (None, None)
                };
                let connection = self.connection(class.sidecar, client, to, info.servers[i]);
                let distinct =
                    to.sidecar && connection.mtls == Mtls::Mtls && distinct_classes[class_index];
                let cached = (!distinct)
                    .then(|| shared.iter().find(|s| s.0 == i && s.1 == connection))
                    .flatten();
                let (allowed, decision) = match cached {
                    Some(&(_, _, allowed, decision)) => (allowed, decision),
                    None => {
                        let (allowed, decision) =
                            self.authorize(&class.principal, namespace, to, &info, i, connection);
                        let decision = intern(&mut column.decisions, decision);
                        if !distinct {
                            shared.push((i, connection, allowed, decision));
                        }
                        (allowed, decision)
                    }
                };
                results.push((allowed, decision));
            }
            let decisions = &column.decisions;
            let collapse = results.windows(2).all(|w| {
                w[0] == w[1]
                    || (w[0].0 == w[1].0
                        && same_outcome(&decisions[w[0].1 as usize], &decisions[w[1].1 as usize]))
            });
            let start = column.cells.len() as u32;
            let mtls = |d: u32| decisions[d as usize].connection.mtls;
            if collapse {
                let (allowed, decision) = results[0];
                column.cells.push((None, allowed, decision, mtls(decision)));
            } else {
                for (&(allowed, decision), port) in results.iter().zip(&info.ports) {
                    column
                        .cells
                        .push((port.port, allowed, decision, mtls(decision)));
                }
            }
            column.spans[class_index] = (start, column.cells.len() as u32);
        }
        column
    }

    /// The `<namespace>/<name>` of the policies behind a decision: the AuthorizationPolicies
    /// that decided, or for a broken connection the PeerAuthentication and DestinationRule.
    pub fn policy_names(&self, decision: &Decision) -> Vec<String> {
        if decision.connection.mtls == Mtls::Broken {
            let mut names: Vec<String> = Vec::new();
            names.extend(
                decision
                    .connection
                    .server
                    .policy
                    .map(|p| self.peer.policies[p].id()),
            );
            names.extend(
                decision
                    .connection
                    .destination_rule
                    .map(|r| self.client.rules[r].id()),
            );
            return names;
        }
        decision
            .policies
            .iter()
            .map(|p| self.authorization[*p].id())
            .collect()
    }
}

/// Whether every port of a callee comes out the same for a caller (allowed, mode, policies,
/// conditions), so one edge without a port stands for all of them.
fn uniform(results: &[(bool, &Decision)]) -> bool {
    results
        .windows(2)
        .all(|w| w[0].0 == w[1].0 && same_outcome(w[0].1, w[1].1))
}

fn same_outcome(a: &Decision, b: &Decision) -> bool {
    a.policies == b.policies
        && a.connection.mtls == b.connection.mtls
        && a.conditional == b.conditional
}
