//! Semantic checks of a parsed mesh.yaml that serde cannot express: references between
//! clusters, tenants and services, uniqueness, name syntax, duration bounds. Every problem
//! is collected (not just the first) and points at the value to edit.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use super::duration::parse_go_duration;
use super::located::{Located, Position};
use super::model::{
    API_VERSION, ClusterRole, ExternalProtocol, ExternalTlsMode, KIND, KeyAlgorithm, Mesh,
    MtlsMode, RootSource, Service, Topology, WorkloadKind,
};
use super::names;

/// One problem in mesh.yaml.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntentProblem {
    pub at: Position,
    pub message: String,
}

/// Namespaces the generator must never claim for a tenant: they belong to the platform.
const RESERVED_NAMESPACES: [&str; 9] = [
    "default",
    "kube-system",
    "kube-public",
    "kube-node-lease",
    "istio-system",
    "istio-ingress",
    "cert-manager",
    "flux-system",
    "argocd",
];

/// Checks a parsed mesh; returns every problem, sorted by position.
pub fn validate(mesh: &Mesh) -> Vec<IntentProblem> {
    let mut check = Checker::default();
    check.header(mesh);
    check.mtls_and_ca(mesh);
    check.gitops(mesh);
    check.clusters(mesh);
    check.tenants(mesh);
    check.services(mesh);
    check.external_services(mesh);
    check.observability(mesh);
    let mut problems = check.problems;
    problems.sort_by_key(|p| (p.at.line, p.at.column));
    problems
}

#[derive(Default)]
struct Checker {
    problems: Vec<IntentProblem>,
}

impl Checker {
    fn report(&mut self, at: Position, message: impl Into<String>) {
        self.problems.push(IntentProblem {
            at,
            message: message.into(),
        });
    }

    fn dns_label(&mut self, what: &str, name: &Located<String>) {
        if !names::is_dns_label(name) {
            self.report(
                name.at,
                format!(
                    "{what} {:?} is not a DNS-1123 label (lower-case letters, digits and '-', \
                     starting and ending with a letter or digit, at most 63 characters)",
                    name.value
                ),
            );
        }
    }

    fn unique<'a>(&mut self, what: &str, names: impl IntoIterator<Item = &'a Located<String>>) {
        let mut seen: BTreeMap<&str, Position> = BTreeMap::new();
        for name in names {
            if let Some(first) = seen.get(name.value.as_str()) {
                self.report(
                    name.at,
                    format!(
                        "duplicate {what} {:?} (first declared at {first})",
                        name.value
                    ),
                );
            } else {
                seen.insert(&name.value, name.at);
            }
        }
    }

    fn duration(&mut self, what: &str, value: &Located<String>) -> Option<Duration> {
        parse_go_duration(value)
            .map_err(|error| self.report(value.at, format!("{what} {:?} {error}", value.value)))
            .ok()
    }

    /// A cert-manager lifetime: duration ≥ 1h, renewBefore ≥ 5m and < duration.
    fn lifetime(
        &mut self,
        what: &str,
        duration: &Located<String>,
        renew_before: &Located<String>,
    ) -> Option<Duration> {
        let total = self.duration(&format!("{what} duration"), duration);
        let renew = self.duration(&format!("{what} renewBefore"), renew_before);
        if let Some(total) = total
            && total < Duration::from_secs(3600)
        {
            self.report(
                duration.at,
                format!("{what} duration must be at least 1h (cert-manager rejects shorter)"),
            );
        }
        if let Some(renew) = renew
            && renew < Duration::from_secs(300)
        {
            self.report(
                renew_before.at,
                format!("{what} renewBefore must be at least 5m (cert-manager rejects shorter)"),
            );
        }
        if let (Some(total), Some(renew)) = (total, renew)
            && renew >= total
        {
            self.report(
                renew_before.at,
                format!("{what} renewBefore must be shorter than its duration"),
            );
        }
        total
    }

    fn header(&mut self, mesh: &Mesh) {
        if mesh.api_version.value != API_VERSION {
            self.report(
                mesh.api_version.at,
                format!(
                    "apiVersion {:?} is not supported; use {API_VERSION:?}",
                    mesh.api_version.value
                ),
            );
        }
        if mesh.kind.value != KIND {
            self.report(
                mesh.kind.at,
                format!("kind {:?} is not supported; use {KIND:?}", mesh.kind.value),
            );
        }
        self.dns_label("mesh name", &mesh.metadata.name);
        let trust_domain = &mesh.spec.trust_domain;
        if !names::is_dns_subdomain(trust_domain) {
            self.report(
                trust_domain.at,
                format!(
                    "trustDomain {:?} must be a DNS name such as `cluster.local` or `acme.example`",
                    trust_domain.value
                ),
            );
        }
    }

    fn mtls_and_ca(&mut self, mesh: &Mesh) {
        let spec = &mesh.spec;
        match (*spec.mtls.mode, &spec.mtls.migration) {
            (MtlsMode::Permissive, None) => self.report(
                spec.mtls.mode.at,
                "mtls.mode PERMISSIVE accepts plain text; it is allowed only as a named migration: \
                 set mtls.migration to the migration's name, and remove both when it is done",
            ),
            (MtlsMode::Strict, Some(migration)) => self.report(
                migration.at,
                "mtls.migration is set but mtls.mode is STRICT; remove the finished migration",
            ),
            (MtlsMode::Permissive, Some(migration)) => self.dns_label("mtls.migration", migration),
            (MtlsMode::Strict, None) => {}
        }
        let ttl = self.duration("workloadCertTTL", &spec.workload_cert_ttl);

        let ca = &spec.ca;
        let root = self.lifetime("ca.root", &ca.root.duration, &ca.root.renew_before);
        let intermediate = self.lifetime(
            "ca.intermediate",
            &ca.intermediate.duration,
            &ca.intermediate.renew_before,
        );
        if *ca.root.source == RootSource::SelfSigned
            && let (Some(root), Some(intermediate)) = (root, intermediate)
            && intermediate > root
        {
            self.report(
                ca.intermediate.duration.at,
                "ca.intermediate duration outlives the root CA; istiod would serve a chain \
                 that stops validating when the root expires",
            );
        }
        if let (Some(ttl), Some(intermediate)) = (ttl, intermediate)
            && ttl >= intermediate
        {
            self.report(
                spec.workload_cert_ttl.at,
                "workloadCertTTL must be shorter than the intermediate CA's duration",
            );
        }
        let sizes: &[u32] = match *ca.key.algorithm {
            KeyAlgorithm::Ecdsa => &[256, 384],
            KeyAlgorithm::Rsa => &[2048, 3072, 4096],
        };
        if !sizes.contains(&ca.key.size) {
            self.report(
                ca.key.size.at,
                format!(
                    "ca.key.size {} is not valid for this algorithm; use one of {sizes:?}",
                    *ca.key.size
                ),
            );
        }
        match (*ca.root.source, &ca.root.vault) {
            (RootSource::Vault, None) => self.report(
                ca.root.source.at,
                "ca.root.source is vault but ca.root.vault (server, path, role) is missing",
            ),
            (RootSource::SelfSigned, Some(_)) => self.report(
                ca.root.source.at,
                "ca.root.vault is set but ca.root.source is not vault; set `source: vault`",
            ),
            (RootSource::Vault, Some(vault)) => {
                if !vault.server.starts_with("https://") || !names::is_url(&vault.server) {
                    self.report(
                        vault.server.at,
                        "ca.root.vault.server must be an https:// URL",
                    );
                }
                if !names::is_repo_path(&vault.path) || vault.path.is_empty() {
                    self.report(
                        vault.path.at,
                        "ca.root.vault.path must be a Vault path such as `pki/root/sign-intermediate`",
                    );
                }
                if !vault
                    .role
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
                    || vault.role.is_empty()
                {
                    self.report(
                        vault.role.at,
                        "ca.root.vault.role must be a Vault role name",
                    );
                }
                let mount = vault.auth_mount_path.value.as_str();
                if !mount.starts_with("/v1/") || !names::is_repo_path(&mount[1..]) {
                    self.report(
                        vault.auth_mount_path.at,
                        "ca.root.vault.authMountPath must look like `/v1/auth/kubernetes`",
                    );
                }
            }
            (RootSource::SelfSigned, None) => {}
        }
    }

    fn gitops(&mut self, mesh: &Mesh) {
        let gitops = &mesh.spec.gitops;
        if !names::is_url(&gitops.repo_url) {
            self.report(
                gitops.repo_url.at,
                format!(
                    "gitops.repoURL {:?} must be an https://, http://, ssh:// or git@ URL",
                    gitops.repo_url.value
                ),
            );
        }
        let branch_ok = !gitops.branch.is_empty()
            && !gitops.branch.contains("..")
            && gitops
                .branch
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/'));
        if !branch_ok {
            self.report(
                gitops.branch.at,
                "gitops.branch is not a valid Git branch name",
            );
        }
        if !names::is_repo_path(&gitops.path) {
            self.report(
                gitops.path.at,
                "gitops.path must be a relative path inside the repository, without `..`",
            );
        }
    }

    fn clusters(&mut self, mesh: &Mesh) {
        let clusters = &mesh.spec.clusters;
        if clusters.is_empty() {
            self.report(
                Position::default(),
                "spec.clusters must declare at least one cluster",
            );
            return;
        }
        for cluster in clusters {
            self.dns_label("cluster name", &cluster.name);
            if let Some(network) = &cluster.network {
                self.dns_label("network", network);
            }
        }
        self.unique("cluster", clusters.iter().map(|c| &c.name));

        let centrals: Vec<_> = clusters
            .iter()
            .filter(|c| *c.role == ClusterRole::Central)
            .collect();
        let has_remotes = clusters
            .iter()
            .any(|c| *c.role == ClusterRole::Edge && *c.topology == Topology::PrimaryRemote);
        match centrals.as_slice() {
            [] => self.report(
                clusters[0].role.at,
                "exactly one cluster must have `role: central`; none has",
            ),
            [central] => {
                if has_remotes && central.east_west_host.is_none() {
                    self.report(
                        central.name.at,
                        "the central cluster needs eastWestHost: primary-remote edge clusters \
                         reach its istiod there (their global.remotePilotAddress)",
                    );
                }
                if *central.topology == Topology::PrimaryRemote {
                    self.report(
                        central.topology.at,
                        "the central cluster is always a primary; topology applies to edge clusters",
                    );
                }
            }
            [_, extra @ ..] => {
                for cluster in extra {
                    self.report(
                        cluster.role.at,
                        "exactly one cluster may have `role: central`; this is another",
                    );
                }
            }
        }
        for cluster in clusters {
            if let Some(host) = &cluster.east_west_host {
                if *cluster.role == ClusterRole::Edge {
                    self.report(host.at, "eastWestHost is set on the central cluster only");
                } else if !names::is_host(host) {
                    self.report(
                        host.at,
                        format!("eastWestHost {:?} is not a host name", host.value),
                    );
                }
            }
            if *cluster.role == ClusterRole::Edge && cluster.ingress.is_none() {
                self.report(
                    cluster.name.at,
                    "an edge cluster needs `ingress` (host and routes): it serves traffic there",
                );
            }
            let Some(ingress) = &cluster.ingress else {
                continue;
            };
            if !names::is_host(&ingress.host) {
                self.report(
                    ingress.host.at,
                    format!("ingress.host {:?} is not a host name", ingress.host.value),
                );
            }
            for route in &ingress.routes {
                if !names::is_uri_prefix(&route.prefix) {
                    self.report(
                        route.prefix.at,
                        "route prefix must start with `/` and have no quotes",
                    );
                }
                self.duration("route timeout", &route.timeout);
                self.duration("retries.perTryTimeout", &route.retries.per_try_timeout);
                let retry_on_ok = route.retries.retry_on.split(',').all(|part| {
                    !part.is_empty()
                        && part
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                });
                if !retry_on_ok {
                    self.report(
                        route.retries.retry_on.at,
                        "retries.retryOn must be a comma-separated list such as `5xx,reset`",
                    );
                }
                let Some(service) = find_service(mesh, &route.service) else {
                    self.report(
                        route.service.at,
                        format!(
                            "route service {:?} is not declared in spec.services",
                            route.service.value
                        ),
                    );
                    continue;
                };
                if !runs_on(mesh, service, &cluster.name) {
                    self.report(
                        route.service.at,
                        format!(
                            "service {:?} does not run on cluster {:?}; its tenant's clusters do not include it",
                            service.name.value, cluster.name.value
                        ),
                    );
                }
                match &route.port {
                    Some(port) if !service.ports.iter().any(|p| *p.port == port.value) => self
                        .report(
                            port.at,
                            format!(
                                "service {:?} has no port {}",
                                service.name.value, port.value
                            ),
                        ),
                    None if service.ports.is_empty() => self.report(
                        route.service.at,
                        format!("service {:?} has no ports to route to", service.name.value),
                    ),
                    _ => {}
                }
            }
        }
    }

    fn tenants(&mut self, mesh: &Mesh) {
        let spec = &mesh.spec;
        self.dns_label("platform namespace", &spec.platform.namespace);
        for tenant in &spec.tenants {
            self.dns_label("tenant name", &tenant.name);
            if let Some(namespace) = &tenant.namespace {
                self.dns_label("tenant namespace", namespace);
            }
            if let Some(clusters) = &tenant.clusters {
                if clusters.is_empty() {
                    self.report(
                        tenant.name.at,
                        "tenant clusters is empty; omit it to mean every cluster",
                    );
                }
                for cluster in clusters {
                    if !spec.clusters.iter().any(|c| c.name.value == cluster.value) {
                        self.report(
                            cluster.at,
                            format!(
                                "cluster {:?} is not declared in spec.clusters",
                                cluster.value
                            ),
                        );
                    }
                }
                self.unique("cluster of this tenant", clusters.iter());
            }
        }
        self.unique("tenant", spec.tenants.iter().map(|t| &t.name));
        let platform = std::iter::once(&spec.platform.namespace);
        let tenant_namespaces = spec
            .tenants
            .iter()
            .map(|t| t.namespace.as_ref().unwrap_or(&t.name));
        let all: Vec<&Located<String>> = platform.chain(tenant_namespaces).collect();
        self.unique("namespace", all.iter().copied());
        for namespace in all {
            if RESERVED_NAMESPACES.contains(&namespace.as_str()) {
                self.report(
                    namespace.at,
                    format!(
                        "namespace {:?} belongs to the platform itself; choose another",
                        namespace.value
                    ),
                );
            }
        }
    }

    fn services(&mut self, mesh: &Mesh) {
        let spec = &mesh.spec;
        self.unique("service", spec.services.iter().map(|s| &s.name));
        for service in &spec.services {
            self.service(mesh, service);
        }
    }

    fn service(&mut self, mesh: &Mesh, service: &Service) {
        self.dns_label("service name", &service.name);
        if let Some(tenant) = &service.tenant
            && !mesh
                .spec
                .tenants
                .iter()
                .any(|t| t.name.value == tenant.value)
        {
            self.report(
                tenant.at,
                format!("tenant {:?} is not declared in spec.tenants", tenant.value),
            );
        }
        if !names::is_image_reference(&service.image) {
            self.report(
                service.image.at,
                format!(
                    "image {:?} is not a container image reference",
                    service.image.value
                ),
            );
        }
        if let Some(account) = &service.service_account {
            self.dns_label("serviceAccount", account);
        }
        match (*service.kind, &service.schedule) {
            (WorkloadKind::CronJob, None) => self.report(
                service.kind.at,
                "a CronJob needs `schedule` (e.g. \"0 2 * * *\")",
            ),
            (WorkloadKind::CronJob, Some(schedule)) if !names::is_cron_schedule(schedule) => self
                .report(
                    schedule.at,
                    format!(
                        "schedule {:?} is not a five-field cron expression",
                        schedule.value
                    ),
                ),
            (WorkloadKind::Deployment | WorkloadKind::Job, Some(schedule)) => {
                self.report(schedule.at, "`schedule` applies to CronJob services only")
            }
            _ => {}
        }
        if *service.kind != WorkloadKind::Deployment && service.replicas.at.line != 0 {
            self.report(
                service.replicas.at,
                "`replicas` applies to Deployment services only",
            );
        }

        let mut port_numbers = HashSet::new();
        let mut port_names = HashSet::new();
        for port in &service.ports {
            if *port.port == 0 {
                self.report(port.port.at, "port must be between 1 and 65535");
            }
            if !port_numbers.insert(*port.port) {
                self.report(
                    port.port.at,
                    format!("port {} is declared twice", *port.port),
                );
            }
            let suffix = match &port.name {
                Some(name) => {
                    self.dns_label("port name", name);
                    name.value.clone()
                }
                None => port.port.to_string(),
            };
            let full = format!("{}-{suffix}", port.protocol.istio_prefix());
            let at = port.name.as_ref().map_or(port.port.at, |n| n.at);
            if full.len() > 15 {
                self.report(
                    at,
                    format!(
                        "port name {full:?} is longer than the 15 characters Kubernetes allows"
                    ),
                );
            }
            if !port_names.insert(full.clone()) {
                self.report(at, format!("port name {full:?} is used twice"));
            }
        }

        if !service.callers.is_empty() && service.ports.is_empty() {
            self.report(
                service.callers[0].service.at,
                format!(
                    "service {:?} has callers but no ports to be called on",
                    service.name.value
                ),
            );
        }
        let speaks_http = service.ports.iter().any(|p| p.protocol.is_http());
        self.unique("caller", service.callers.iter().map(|c| &c.service));
        for caller in &service.callers {
            if find_service(mesh, &caller.service).is_none() {
                self.report(
                    caller.service.at,
                    format!(
                        "caller {:?} is not declared in spec.services",
                        caller.service.value
                    ),
                );
            }
            for method in &caller.methods {
                if !names::HTTP_METHODS.contains(&method.as_str()) {
                    self.report(
                        method.at,
                        format!(
                            "{:?} is not an HTTP method; use one of {:?}",
                            method.value,
                            names::HTTP_METHODS
                        ),
                    );
                }
            }
            for path in &caller.paths {
                if !names::is_authz_path(path) {
                    self.report(
                        path.at,
                        format!(
                            "path {:?} is not valid for Istio authorization: exact `/a/b`, \
                             prefix `/a/*` or suffix `*/b`; `*` only at the start or end",
                            path.value
                        ),
                    );
                }
            }
            if !speaks_http && let Some(first) = caller.methods.first().or(caller.paths.first()) {
                self.report(
                    first.at,
                    "methods and paths need an HTTP, HTTP2 or gRPC port; on TCP ports Istio \
                     cannot see requests and the rule would never match",
                );
            }
            for port in &caller.ports {
                if !service.ports.iter().any(|p| *p.port == port.value) {
                    self.report(
                        port.at,
                        format!(
                            "service {:?} has no port {}",
                            service.name.value, port.value
                        ),
                    );
                }
            }
        }
    }

    fn external_services(&mut self, mesh: &Mesh) {
        let externals = &mesh.spec.external_services;
        self.unique("external service", externals.iter().map(|e| &e.name));
        for external in externals {
            self.dns_label("external service name", &external.name);
            if !names::is_host(&external.host) {
                self.report(
                    external.host.at,
                    format!("host {:?} is not a host name", external.host.value),
                );
            }
            if *external.port == 0 {
                self.report(external.port.at, "port must be between 1 and 65535");
            }
            if *external.tls_mode == ExternalTlsMode::Simple
                && matches!(
                    *external.protocol,
                    ExternalProtocol::Tls | ExternalProtocol::Https
                )
            {
                self.report(
                    external.tls_mode.at,
                    "tlsMode SIMPLE makes the sidecar originate TLS; with protocol TLS or HTTPS \
                     the application already speaks TLS: use DISABLE, or protocol HTTP",
                );
            }
        }
    }

    fn observability(&mut self, mesh: &Mesh) {
        let window = &mesh.spec.observability.cert_expiry_warning;
        if let Some(window) = self.duration("observability.certExpiryWarning", window)
            && window.is_zero()
        {
            self.report(
                mesh.spec.observability.cert_expiry_warning.at,
                "observability.certExpiryWarning must be longer than 0",
            );
        }
    }
}

fn find_service<'m>(mesh: &'m Mesh, name: &str) -> Option<&'m Service> {
    mesh.spec.services.iter().find(|s| s.name.value == name)
}

/// Whether `service` is deployed on `cluster` (platform services run everywhere).
fn runs_on(mesh: &Mesh, service: &Service, cluster: &str) -> bool {
    let Some(tenant) = &service.tenant else {
        return true;
    };
    mesh.spec
        .tenants
        .iter()
        .find(|t| t.name.value == tenant.value)
        .is_none_or(|t| {
            t.clusters
                .as_ref()
                .is_none_or(|list| list.iter().any(|c| c.value == cluster))
        })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    const BASE: &str = "\
apiVersion: meshwright.dev/v1alpha1
kind: Mesh
metadata: {name: m}
spec:
  gitops: {engine: flux, repoURL: 'https://git.example/m.git'}
  clusters:
    - {name: hq, role: central}
  services:
    - {name: db, image: 'db:1', ports: [{port: 5432, protocol: tcp}]}
";

    /// Messages for BASE with `extra` appended under `spec:` (indented two spaces) or
    /// with `from` replaced by `to`.
    fn problems(from: &str, to: &str) -> Vec<String> {
        assert!(BASE.contains(from), "{from:?}");
        match crate::intent::parse(
            Path::new("mesh.yaml"),
            BASE.replacen(from, to, 1).as_bytes(),
        ) {
            Ok(_) => Vec::new(),
            Err(e) => e
                .problems
                .into_iter()
                .map(|p| format!("{}: {}", p.at, p.message))
                .collect(),
        }
    }

    fn assert_problem(from: &str, to: &str, expected: &str) {
        let found = problems(from, to);
        assert!(
            found.iter().any(|p| p.contains(expected)),
            "expected {expected:?} in {found:#?}"
        );
    }

    #[test]
    fn base_is_valid() {
        assert_eq!(problems("", ""), Vec::<String>::new());
    }

    #[test]
    fn cluster_topology_rules() {
        assert_problem(
            "role: central}",
            "role: edge}",
            "exactly one cluster must have `role: central`",
        );
        assert_problem(
            "    - {name: hq, role: central}\n",
            "    - {name: hq, role: central}\n    - {name: hq2, role: central}\n",
            "this is another",
        );
        assert_problem(
            "    - {name: hq, role: central}\n",
            "    - {name: hq, role: central}\n    - {name: eu, role: edge}\n",
            "needs `ingress`",
        );
        assert_problem(
            "    - {name: hq, role: central}\n",
            "    - {name: hq, role: central}\n    - {name: eu, role: edge, topology: primary-remote, ingress: {host: eu.example.com}}\n",
            "needs eastWestHost",
        );
        assert_problem(
            "role: central}",
            "role: central, topology: primary-remote}",
            "always a primary",
        );
    }

    #[test]
    fn ca_rules() {
        let spec = "  gitops:";
        assert_problem(
            spec,
            "  ca: {root: {source: vault}}\n  gitops:",
            "ca.root.vault (server, path, role) is missing",
        );
        assert_problem(
            spec,
            "  ca: {key: {algorithm: ECDSA, size: 2048}}\n  gitops:",
            "not valid for this algorithm",
        );
        assert_problem(
            spec,
            "  ca: {intermediate: {duration: 30m, renewBefore: 10m}}\n  gitops:",
            "duration must be at least 1h",
        );
        assert_problem(
            spec,
            "  ca: {root: {duration: 1000h, renewBefore: 100h}}\n  gitops:",
            "outlives the root CA",
        );
        assert_problem(
            spec,
            "  workloadCertTTL: 9000h\n  gitops:",
            "workloadCertTTL must be shorter",
        );
        assert_problem(
            spec,
            "  ca: {root: {source: vault, vault: {server: 'http://v', path: pki/sign, role: r}}}\n  gitops:",
            "must be an https:// URL",
        );
    }

    #[test]
    fn service_rules() {
        let service = "    - {name: db, image: 'db:1', ports: [{port: 5432, protocol: tcp}]}";
        assert_problem(
            service,
            "    - {name: db, image: 'db:1', kind: CronJob}",
            "needs `schedule`",
        );
        assert_problem(
            service,
            "    - {name: db, image: 'db:1', kind: Job, replicas: 3}",
            "Deployment services only",
        );
        assert_problem(
            service,
            "    - {name: db, image: 'db:1', ports: [{port: 80, name: very-long-name}]}",
            "longer than the 15 characters",
        );
        assert_problem(
            service,
            "    - {name: db, image: 'db:1', ports: [{port: 80}, {port: 80}]}",
            "port 80 is declared twice",
        );
        assert_problem(
            service,
            &format!(
                "{service}\n    - {{name: etl, image: 'etl:1', kind: Job, callers: [{{service: db}}]}}"
            ),
            "has callers but no ports",
        );
        assert_problem(
            service,
            "    - {name: db, image: 'db:1', ports: [{port: 5432, protocol: tcp}], callers: [{service: db, methods: [GET]}]}",
            "on TCP ports Istio cannot see requests",
        );
        assert_problem(
            service,
            "    - {name: db, image: 'db:1', ports: [{port: 5432, protocol: tcp}], callers: [{service: db, ports: [5433]}]}",
            "has no port 5433",
        );
        assert_problem(
            service,
            "    - {name: db, image: 'db 1'}",
            "not a container image reference",
        );
        assert_problem(
            service,
            "    - {name: db, image: 'db:1', tenant: ghost}",
            "tenant \"ghost\" is not declared",
        );
    }

    #[test]
    fn tenant_and_external_rules() {
        let spec = "  services:";
        assert_problem(
            spec,
            "  tenants: [{name: kube-system}]\n  services:",
            "belongs to the platform itself",
        );
        assert_problem(
            spec,
            "  tenants: [{name: a, namespace: x}, {name: b, namespace: x}]\n  services:",
            "duplicate namespace \"x\"",
        );
        assert_problem(
            spec,
            "  externalServices: [{name: api, host: api.example.com, port: 443, protocol: TLS, tlsMode: SIMPLE}]\n  services:",
            "already speaks TLS",
        );
        assert_problem(
            spec,
            "  mtls: {migration: old}\n  services:",
            "remove the finished migration",
        );
        assert_eq!(
            problems(
                spec,
                "  mtls: {mode: PERMISSIVE, migration: vm-cutover}\n  services:"
            ),
            Vec::<String>::new()
        );
    }
}
