//! The resolved blueprint context: everything templates need, derived from a validated `Mesh`.
//!
//! Templates stay dumb. Every derived value (namespaces, SPIFFE principals, Istio port names,
//! authorization rules, which namespaces run on which cluster) is computed here, once, in a
//! form that is easy to test and byte-stable: every list is sorted or kept in file order.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::wiring::{ClusterWiring, MeshWiring, cluster_wiring, mesh_wiring, network_of};

use crate::intent::duration::parse_go_duration;
use crate::intent::model::{
    ClusterRole, ExternalTlsMode, GitOpsEngine, KeyAlgorithm, Mesh, MtlsMode, PullRequestChecks,
    RootSource, Topology, WorkloadKind,
};

/// Service account of the Istio ingress gateway installed by the `gateway` Helm chart.
pub const INGRESS_GATEWAY_NAMESPACE: &str = "istio-ingress";
pub const INGRESS_GATEWAY_SERVICE_ACCOUNT: &str = "istio-ingressgateway";

#[derive(Debug, Serialize)]
pub struct MeshContext {
    pub name: String,
    pub trust_domain: String,
    pub mtls_mode: &'static str,
    pub mtls_migration: Option<String>,
    pub workload_cert_ttl: String,
    pub ca: CaContext,
    pub gitops: GitOpsContext,
    pub observability: ObservabilityContext,
    pub central_cluster: String,
    /// Where edge clusters reach the central cluster's east-west gateway.
    pub central_east_west_host: Option<String>,
    pub clusters: Vec<ClusterContext>,
    pub namespaces: Vec<NamespaceContext>,
    /// Networks, remotes and the remote secrets of the multi-cluster mesh.
    pub wiring: MeshWiring,
}

#[derive(Debug, Serialize)]
pub struct CaContext {
    /// `selfSigned` or `vault`.
    pub source: &'static str,
    pub vault: Option<VaultContext>,
    pub root_duration: String,
    pub root_renew_before: String,
    pub intermediate_duration: String,
    pub intermediate_renew_before: String,
    /// cert-manager `privateKey.algorithm`: `ECDSA` or `RSA`.
    pub key_algorithm: &'static str,
    pub key_size: u32,
    /// ClusterIssuer that signs the per-cluster intermediates.
    pub root_issuer: String,
    /// Secret (in the cert-manager namespace) holding the self-signed root.
    pub root_secret: String,
}

#[derive(Debug, Serialize)]
pub struct VaultContext {
    pub server: String,
    pub path: String,
    pub role: String,
    pub auth_mount_path: String,
    pub service_account: String,
}

#[derive(Debug, Serialize)]
pub struct GitOpsContext {
    /// `flux` or `argocd`.
    pub engine: &'static str,
    pub repo_url: String,
    pub branch: String,
    /// Path prefix of the generated repo inside the Git repository, `./` or `./sub/dir/`.
    pub path_prefix: String,
    /// Whether `.github/workflows/meshwright.yml` is written: GitHub checks asked for, and
    /// the generated repo is the Git repository's root (where GitHub reads workflows).
    pub pull_request_workflow: bool,
    /// `uses:` of meshwright's GitHub Action at this meshwright's version.
    pub action: String,
    /// The pip requirement for this meshwright's Python wheel (its prebuilt binary), which
    /// the pre-commit hooks install.
    pub pip_requirement: String,
}

#[derive(Debug, Serialize)]
pub struct ObservabilityContext {
    pub alerts: bool,
    pub cert_expiry_warning: String,
    pub cert_expiry_warning_seconds: u64,
}

#[derive(Debug, Serialize)]
pub struct ClusterContext {
    pub name: String,
    /// `central` or `edge`.
    pub role: &'static str,
    pub is_central: bool,
    /// `multi-primary` or `primary-remote`.
    pub topology: &'static str,
    pub network: String,
    pub east_west_host: Option<String>,
    /// Its east-west gateway, what that exposes, and whether it is a remote.
    pub wiring: ClusterWiring,
    pub ingress: Option<IngressContext>,
    /// Kustomize roots deployed on this cluster, besides `clusters/<name>` itself.
    pub overlay_paths: Vec<String>,
    pub external_services: Vec<ExternalContext>,
}

#[derive(Debug, Serialize)]
pub struct IngressContext {
    pub host: String,
    pub gateway_name: String,
    pub gateway_namespace: &'static str,
    /// Secret the Gateway serves (`credentialName`), produced by a cert-manager Certificate.
    pub credential_name: String,
    pub routes: Vec<RouteContext>,
    /// Services the routes reach, each allowed to be called by the gateway on these ports.
    pub callees: Vec<IngressCallee>,
}

/// A service the ingress gateway may call on this cluster (the cluster overlay allows it).
#[derive(Debug, Serialize)]
pub struct IngressCallee {
    pub service: String,
    pub namespace: String,
    /// SPIFFE principal of the ingress gateway.
    pub principal: String,
    /// Routed ports as strings, as AuthorizationPolicy wants them.
    pub ports: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct RouteContext {
    pub name: String,
    pub prefix: String,
    pub service: String,
    pub namespace: String,
    /// Fully qualified `<service>.<namespace>.svc.cluster.local`.
    pub host: String,
    pub port: u16,
    pub timeout: String,
    pub retry_attempts: u32,
    pub per_try_timeout: String,
    pub retry_on: String,
}

#[derive(Debug, Serialize)]
pub struct ExternalContext {
    pub name: String,
    pub host: String,
    pub port: u16,
    pub protocol: &'static str,
    /// Port name as Istio expects it, e.g. `tls-5432`.
    pub port_name: String,
    /// True when the sidecar originates TLS (DestinationRule `SIMPLE`).
    pub originate_tls: bool,
}

/// A namespace the generator owns: one per tenant, plus the platform namespace.
#[derive(Debug, Serialize)]
pub struct NamespaceContext {
    /// Directory name under the repo: `tenants/<unit>` or `platform`.
    pub dir: String,
    pub namespace: String,
    /// The tenant name, or none for the platform namespace.
    pub tenant: Option<String>,
    pub clusters: Vec<String>,
    pub service_accounts: Vec<String>,
    pub services: Vec<ServiceContext>,
}

#[derive(Debug, Serialize)]
pub struct ServiceContext {
    pub name: String,
    pub namespace: String,
    /// `Deployment`, `Job` or `CronJob`.
    pub kind: &'static str,
    pub image: String,
    pub replicas: u32,
    pub service_account: String,
    pub schedule: Option<String>,
    pub ports: Vec<PortContext>,
    /// Rules of the service's ALLOW AuthorizationPolicy; empty means nobody may call it.
    pub allow_rules: Vec<AllowRule>,
    /// Tenants other than the service's own whose workloads `allow_rules` let in, as the
    /// intent declares them (written as the policy's `meshwright.dev/allowed-tenants`).
    pub cross_tenant_callers: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct PortContext {
    pub port: u16,
    /// Istio-conformant name, `<protocol>` or `<protocol>-<suffix>`.
    pub name: String,
    /// Kubernetes `appProtocol`.
    pub app_protocol: &'static str,
}

/// One `rules[]` entry: a caller identity and what it may do.
#[derive(Debug, Serialize)]
pub struct AllowRule {
    /// Who, for people reading the policy: `<namespace>/<service>` or `ingress:<cluster>`.
    pub caller: String,
    pub principal: String,
    pub methods: Vec<String>,
    pub paths: Vec<String>,
    /// Ports as strings, as AuthorizationPolicy wants them.
    pub ports: Vec<String>,
}

/// Builds the context. The mesh must already have passed `intent::validate`.
pub fn build(mesh: &Mesh) -> MeshContext {
    let spec = &mesh.spec;
    let trust_domain = spec.trust_domain.value.clone();
    let central = spec
        .clusters
        .iter()
        .find(|c| *c.role == ClusterRole::Central);
    let central_cluster = central.map(|c| c.name.value.clone()).unwrap_or_default();
    let central_east_west_host =
        central.and_then(|c| c.east_west_host.as_ref().map(|h| h.value.clone()));
    let all_clusters: Vec<String> = spec.clusters.iter().map(|c| c.name.value.clone()).collect();

    let namespaces = build_namespaces(mesh, &trust_domain, &all_clusters);
    let wiring = mesh_wiring(mesh);
    let clusters = spec
        .clusters
        .iter()
        .map(|cluster| build_cluster(mesh, cluster, &namespaces, &wiring))
        .collect();

    let ca = &spec.ca;
    let mesh_name = mesh.metadata.name.value.clone();
    MeshContext {
        trust_domain,
        mtls_mode: match *spec.mtls.mode {
            MtlsMode::Strict => "STRICT",
            MtlsMode::Permissive => "PERMISSIVE",
        },
        mtls_migration: spec.mtls.migration.as_ref().map(|m| m.value.clone()),
        workload_cert_ttl: spec.workload_cert_ttl.value.clone(),
        ca: CaContext {
            source: match *ca.root.source {
                RootSource::SelfSigned => "selfSigned",
                RootSource::Vault => "vault",
            },
            vault: ca.root.vault.as_ref().map(|v| VaultContext {
                server: v.server.value.clone(),
                path: v.path.value.clone(),
                role: v.role.value.clone(),
                auth_mount_path: v.auth_mount_path.value.clone(),
                service_account: "vault-issuer".to_string(),
            }),
            root_duration: ca.root.duration.value.clone(),
            root_renew_before: ca.root.renew_before.value.clone(),
            intermediate_duration: ca.intermediate.duration.value.clone(),
            intermediate_renew_before: ca.intermediate.renew_before.value.clone(),
            key_algorithm: match *ca.key.algorithm {
                KeyAlgorithm::Ecdsa => "ECDSA",
                KeyAlgorithm::Rsa => "RSA",
            },
            key_size: *ca.key.size,
            root_issuer: format!("{mesh_name}-root-ca"),
            root_secret: format!("{mesh_name}-root-ca"),
        },
        gitops: GitOpsContext {
            engine: match *spec.gitops.engine {
                GitOpsEngine::Flux => "flux",
                GitOpsEngine::Argocd => "argocd",
            },
            repo_url: spec.gitops.repo_url.value.clone(),
            branch: spec.gitops.branch.value.clone(),
            path_prefix: path_prefix(&spec.gitops.path),
            pull_request_workflow: *spec.gitops.pull_request_checks == PullRequestChecks::Github
                && path_prefix(&spec.gitops.path) == "./",
            action: action_reference(),
            pip_requirement: format!("meshwright=={}", env!("CARGO_PKG_VERSION")),
        },
        observability: ObservabilityContext {
            alerts: *spec.observability.alerts,
            cert_expiry_warning: spec.observability.cert_expiry_warning.value.clone(),
            cert_expiry_warning_seconds: parse_go_duration(&spec.observability.cert_expiry_warning)
                .ok()
                .map(|d| d.as_secs())
                .unwrap_or_default(),
        },
        name: mesh_name,
        central_cluster,
        central_east_west_host,
        clusters,
        namespaces,
        wiring,
    }
}

/// `.` → `./`, `deploy/mesh/` → `./deploy/mesh/`.
/// meshwright's GitHub Action (`.github/actions/meshwright` of its repository), pinned to
/// the tag of this version.
fn action_reference() -> String {
    let repository = env!("CARGO_PKG_REPOSITORY").trim_start_matches("https://github.com/");
    format!(
        "{repository}/.github/actions/meshwright@v{}",
        env!("CARGO_PKG_VERSION")
    )
}

fn path_prefix(path: &str) -> String {
    let trimmed = path.trim_start_matches("./").trim_matches('/');
    if trimmed.is_empty() || trimmed == "." {
        "./".to_string()
    } else {
        format!("./{trimmed}/")
    }
}

/// Namespace of the service called `name`, if declared.
fn namespace_of<'m>(mesh: &'m Mesh, service: &crate::intent::model::Service) -> &'m str {
    match &service.tenant {
        None => &mesh.spec.platform.namespace,
        Some(tenant) => mesh
            .spec
            .tenants
            .iter()
            .find(|t| t.name.value == tenant.value)
            .map(|t| t.namespace.as_ref().map_or(&t.name.value, |n| &n.value))
            .map_or("", String::as_str),
    }
}

fn service_account_of(service: &crate::intent::model::Service) -> &str {
    service
        .service_account
        .as_ref()
        .map_or(&service.name.value, |sa| &sa.value)
}

fn build_namespaces(
    mesh: &Mesh,
    trust_domain: &str,
    all_clusters: &[String],
) -> Vec<NamespaceContext> {
    let spec = &mesh.spec;
    let mut units = Vec::new();
    let platform_has_services = spec.services.iter().any(|s| s.tenant.is_none());
    if platform_has_services {
        units.push(NamespaceContext {
            dir: "platform".to_string(),
            namespace: spec.platform.namespace.value.clone(),
            tenant: None,
            clusters: all_clusters.to_vec(),
            service_accounts: Vec::new(),
            services: Vec::new(),
        });
    }
    for tenant in &spec.tenants {
        units.push(NamespaceContext {
            dir: format!("tenants/{}", tenant.name.value),
            namespace: tenant
                .namespace
                .as_ref()
                .map_or(&tenant.name.value, |n| &n.value)
                .clone(),
            tenant: Some(tenant.name.value.clone()),
            clusters: match &tenant.clusters {
                Some(list) => list.iter().map(|c| c.value.clone()).collect(),
                None => all_clusters.to_vec(),
            },
            service_accounts: Vec::new(),
            services: Vec::new(),
        });
    }
    for service in &spec.services {
        let namespace = namespace_of(mesh, service).to_string();
        let Some(unit) = units.iter_mut().find(|u| u.namespace == namespace) else {
            continue;
        };
        unit.services
            .push(build_service(mesh, service, namespace, trust_domain));
    }
    for unit in &mut units {
        let accounts: BTreeSet<String> = unit
            .services
            .iter()
            .map(|s| s.service_account.clone())
            .collect();
        unit.service_accounts = accounts.into_iter().collect();
    }
    units
}

fn build_service(
    mesh: &Mesh,
    service: &crate::intent::model::Service,
    namespace: String,
    trust_domain: &str,
) -> ServiceContext {
    let ports = service
        .ports
        .iter()
        .map(|p| {
            let prefix = p.protocol.istio_prefix();
            PortContext {
                port: *p.port,
                name: match &p.name {
                    Some(suffix) => format!("{prefix}-{}", suffix.value),
                    None => format!("{prefix}-{}", *p.port),
                },
                app_protocol: prefix,
            }
        })
        .collect();

    let mut cross_tenant_callers: Vec<String> = Vec::new();
    let allow_rules: Vec<AllowRule> = service
        .callers
        .iter()
        .filter_map(|caller| {
            let caller_service = mesh
                .spec
                .services
                .iter()
                .find(|s| s.name.value == caller.service.value)?;
            let caller_ns = namespace_of(mesh, caller_service);
            if let (Some(own), Some(theirs)) = (&service.tenant, &caller_service.tenant)
                && own.value != theirs.value
                && !cross_tenant_callers.contains(&theirs.value)
            {
                cross_tenant_callers.push(theirs.value.clone());
            }
            Some(AllowRule {
                caller: format!("{caller_ns}/{}", caller_service.name.value),
                principal: format!(
                    "{trust_domain}/ns/{caller_ns}/sa/{}",
                    service_account_of(caller_service)
                ),
                methods: caller.methods.iter().map(|m| m.value.clone()).collect(),
                paths: caller.paths.iter().map(|p| p.value.clone()).collect(),
                ports: caller.ports.iter().map(|p| p.value.to_string()).collect(),
            })
        })
        .collect();

    ServiceContext {
        name: service.name.value.clone(),
        kind: match *service.kind {
            WorkloadKind::Deployment => "Deployment",
            WorkloadKind::Job => "Job",
            WorkloadKind::CronJob => "CronJob",
        },
        image: service.image.value.clone(),
        replicas: *service.replicas,
        service_account: service_account_of(service).to_string(),
        schedule: service.schedule.as_ref().map(|s| s.value.clone()),
        ports,
        allow_rules,
        cross_tenant_callers,
        namespace,
    }
}

/// The port a route sends to: its own, or the service's first.
fn route_port(route: &crate::intent::model::Route, service: &crate::intent::model::Service) -> u16 {
    route
        .port
        .as_ref()
        .map(|p| p.value)
        .or_else(|| service.ports.first().map(|p| p.port.value))
        .unwrap_or(80)
}

/// The services `routes` reach, grouped so each gets one policy listing all routed ports.
fn ingress_callees(routes: &[RouteContext], trust_domain: &str) -> Vec<IngressCallee> {
    let mut ports: BTreeMap<(&str, &str), BTreeSet<u16>> = BTreeMap::new();
    for route in routes {
        ports
            .entry((&route.namespace, &route.service))
            .or_default()
            .insert(route.port);
    }
    ports
        .into_iter()
        .map(|((namespace, service), ports)| IngressCallee {
            service: service.to_string(),
            namespace: namespace.to_string(),
            principal: format!(
                "{trust_domain}/ns/{INGRESS_GATEWAY_NAMESPACE}/sa/{INGRESS_GATEWAY_SERVICE_ACCOUNT}"
            ),
            ports: ports.iter().map(u16::to_string).collect(),
        })
        .collect()
}

fn build_cluster(
    mesh: &Mesh,
    cluster: &crate::intent::model::Cluster,
    namespaces: &[NamespaceContext],
    wiring: &MeshWiring,
) -> ClusterContext {
    let name = cluster.name.value.clone();
    let ingress = cluster.ingress.as_ref().map(|ingress| {
        let routes: Vec<RouteContext> = ingress
            .routes
            .iter()
            .enumerate()
            .filter_map(|(index, route)| {
                let service = mesh
                    .spec
                    .services
                    .iter()
                    .find(|s| s.name.value == route.service.value)?;
                let namespace = namespace_of(mesh, service).to_string();
                Some(RouteContext {
                    name: format!("{}-{index}", service.name.value),
                    prefix: route.prefix.value.clone(),
                    service: service.name.value.clone(),
                    host: format!("{}.{namespace}.svc.cluster.local", service.name.value),
                    namespace,
                    port: route_port(route, service),
                    timeout: route.timeout.value.clone(),
                    retry_attempts: *route.retries.attempts,
                    per_try_timeout: route.retries.per_try_timeout.value.clone(),
                    retry_on: route.retries.retry_on.value.clone(),
                })
            })
            .collect();
        IngressContext {
            host: ingress.host.value.clone(),
            gateway_name: format!("{name}-ingress"),
            gateway_namespace: INGRESS_GATEWAY_NAMESPACE,
            credential_name: format!("{name}-ingress-tls"),
            callees: ingress_callees(&routes, &mesh.spec.trust_domain),
            routes,
        }
    });
    ClusterContext {
        role: match *cluster.role {
            ClusterRole::Central => "central",
            ClusterRole::Edge => "edge",
        },
        is_central: *cluster.role == ClusterRole::Central,
        topology: match *cluster.topology {
            Topology::MultiPrimary => "multi-primary",
            Topology::PrimaryRemote => "primary-remote",
        },
        network: network_of(cluster),
        east_west_host: cluster.east_west_host.as_ref().map(|h| h.value.clone()),
        wiring: cluster_wiring(wiring, cluster),
        ingress,
        overlay_paths: namespaces
            .iter()
            .filter(|ns| ns.clusters.contains(&name))
            .map(|ns| format!("{}/overlays/{name}", ns.dir))
            .collect(),
        external_services: mesh
            .spec
            .external_services
            .iter()
            .map(|e| ExternalContext {
                name: e.name.value.clone(),
                host: e.host.value.clone(),
                port: *e.port,
                protocol: match *e.protocol {
                    crate::intent::model::ExternalProtocol::Tcp => "TCP",
                    crate::intent::model::ExternalProtocol::Tls => "TLS",
                    crate::intent::model::ExternalProtocol::Http => "HTTP",
                    crate::intent::model::ExternalProtocol::Https => "HTTPS",
                    crate::intent::model::ExternalProtocol::Grpc => "GRPC",
                },
                port_name: format!(
                    "{}-{}",
                    format!("{:?}", *e.protocol).to_lowercase(),
                    *e.port
                ),
                originate_tls: *e.tls_mode == ExternalTlsMode::Simple,
            })
            .collect(),
        name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mesh(yaml: &str) -> Mesh {
        crate::intent::parse(std::path::Path::new("mesh.yaml"), yaml.as_bytes())
            .unwrap_or_else(|e| panic!("{e}"))
    }

    const MESH: &str = "\
apiVersion: meshwright.dev/v1alpha1
kind: Mesh
metadata: {name: acme}
spec:
  trustDomain: acme.internal
  gitops: {engine: argocd, repoURL: 'https://git.example/acme.git', path: deploy/mesh/}
  clusters:
    - {name: hq, role: central, eastWestHost: ew.hq.example}
    - name: eu
      role: edge
      ingress: {host: eu.example.com, routes: [{service: web, port: 8443}]}
  tenants:
    - {name: shop, namespace: shop-prod}
    - {name: books, clusters: [hq]}
  services:
    - name: web
      tenant: shop
      image: web:1
      serviceAccount: web-sa
      ports: [{port: 8080}, {port: 8443, protocol: http2, name: api}]
    - name: ledger
      tenant: books
      image: ledger:1
      ports: [{port: 5432, protocol: tcp}]
      callers: [{service: web, ports: [5432]}, {service: auth}]
    - name: auth
      image: auth:1
      ports: [{port: 9000, protocol: grpc}]
      callers: [{service: web, methods: [POST], paths: ['/auth.v1.Auth/*']}]
";

    #[test]
    fn principals_use_trust_domain_namespace_and_service_account() {
        let ctx = build(&mesh(MESH));
        let books = ctx
            .namespaces
            .iter()
            .find(|n| n.namespace == "books")
            .unwrap();
        let ledger = &books.services[0];
        let principals: Vec<&str> = ledger
            .allow_rules
            .iter()
            .map(|r| r.principal.as_str())
            .collect();
        assert_eq!(
            principals,
            [
                "acme.internal/ns/shop-prod/sa/web-sa",
                "acme.internal/ns/platform/sa/auth"
            ]
        );
        assert_eq!(ledger.allow_rules[0].ports, ["5432"]);
        assert_eq!(ledger.allow_rules[0].caller, "shop-prod/web");
        // web is of tenant shop; auth, of the platform, is no other tenant.
        assert_eq!(ledger.cross_tenant_callers, ["shop"]);
    }

    #[test]
    fn ingress_routes_allow_the_gateway_identity_on_the_routed_port_only() {
        let ctx = build(&mesh(MESH));
        let shop = ctx
            .namespaces
            .iter()
            .find(|n| n.namespace == "shop-prod")
            .unwrap();
        assert!(
            shop.services[0].allow_rules.is_empty(),
            "the base must not allow a gateway that only some clusters run"
        );
        assert_eq!(shop.service_accounts, ["web-sa"]);
        let eu = ctx.clusters.iter().find(|c| c.name == "eu").unwrap();
        let callees = &eu.ingress.as_ref().unwrap().callees;
        assert_eq!(callees.len(), 1);
        assert_eq!(
            (callees[0].namespace.as_str(), callees[0].service.as_str()),
            ("shop-prod", "web")
        );
        assert_eq!(
            callees[0].principal,
            "acme.internal/ns/istio-ingress/sa/istio-ingressgateway"
        );
        assert_eq!(callees[0].ports, ["8443"]);
        let hq = ctx.clusters.iter().find(|c| c.name == "hq").unwrap();
        assert!(hq.ingress.is_none());
    }

    #[test]
    fn port_names_follow_istio_protocol_selection() {
        let ctx = build(&mesh(MESH));
        let shop = ctx
            .namespaces
            .iter()
            .find(|n| n.namespace == "shop-prod")
            .unwrap();
        let names: Vec<&str> = shop.services[0]
            .ports
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(names, ["http-8080", "http2-api"]);
    }

    #[test]
    fn tenants_land_only_on_their_clusters() {
        let ctx = build(&mesh(MESH));
        let hq = ctx.clusters.iter().find(|c| c.name == "hq").unwrap();
        let eu = ctx.clusters.iter().find(|c| c.name == "eu").unwrap();
        assert_eq!(
            hq.overlay_paths,
            [
                "platform/overlays/hq",
                "tenants/shop/overlays/hq",
                "tenants/books/overlays/hq"
            ]
        );
        assert_eq!(
            eu.overlay_paths,
            ["platform/overlays/eu", "tenants/shop/overlays/eu"]
        );
        assert_eq!(ctx.gitops.path_prefix, "./deploy/mesh/");
        assert_eq!(ctx.central_east_west_host.as_deref(), Some("ew.hq.example"));
        let route = &eu.ingress.as_ref().unwrap().routes[0];
        assert_eq!(route.host, "web.shop-prod.svc.cluster.local");
        assert_eq!(route.port, 8443);
    }
}
