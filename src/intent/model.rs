//! The mesh.yaml data model (`meshwright.dev/v1alpha1`, kind `Mesh`) and its defaults.
//!
//! Parsing is strict: every struct denies unknown fields. Doc comments here become the
//! descriptions of the published JSON Schema (`schemas/mesh.schema.json`), so they are
//! written for the person editing mesh.yaml.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::located::Located;

pub const API_VERSION: &str = "meshwright.dev/v1alpha1";
pub const KIND: &str = "Mesh";

/// The intent file: one mesh, its clusters, tenants, services and their allowed callers.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(title = "meshwright Mesh (mesh.yaml)")]
pub struct Mesh {
    /// Must be `meshwright.dev/v1alpha1`.
    pub api_version: Located<String>,
    /// Must be `Mesh`.
    pub kind: Located<String>,
    pub metadata: Metadata,
    pub spec: MeshSpec,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Metadata {
    /// Name of the mesh (a DNS-1123 label); used as the Istio mesh ID and in CA names.
    pub name: Located<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MeshSpec {
    /// SPIFFE trust domain of every workload identity (`<trustDomain>/ns/<ns>/sa/<sa>`).
    #[serde(default = "default_trust_domain")]
    pub trust_domain: Located<String>,
    /// Mesh-wide mutual TLS.
    #[serde(default)]
    pub mtls: Mtls,
    /// Lifetime of workload certificates issued by istiod (Go duration, e.g. `24h`).
    #[serde(default = "default_workload_cert_ttl", rename = "workloadCertTTL")]
    pub workload_cert_ttl: Located<String>,
    /// The certificate authority hierarchy managed by cert-manager.
    #[serde(default)]
    pub ca: Ca,
    /// The GitOps engine that syncs each cluster from this repository.
    pub gitops: GitOps,
    /// The shared platform namespace that holds services without a tenant.
    #[serde(default)]
    pub platform: Platform,
    /// Exactly one `central` cluster and any number of `edge` clusters.
    pub clusters: Vec<Cluster>,
    /// Tenants, each isolated in its own namespace.
    #[serde(default)]
    pub tenants: Vec<Tenant>,
    /// Workloads in the mesh and who may call them.
    #[serde(default)]
    pub services: Vec<Service>,
    /// Destinations outside the mesh (databases, third-party APIs).
    #[serde(default)]
    pub external_services: Vec<ExternalService>,
    #[serde(default)]
    pub observability: Observability,
}

fn default_trust_domain() -> Located<String> {
    Located::unplaced("cluster.local".to_string())
}
fn default_workload_cert_ttl() -> Located<String> {
    Located::unplaced("24h".to_string())
}

/// Mesh-wide mTLS mode.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Mtls {
    /// `STRICT` (default). `PERMISSIVE` is accepted only together with `migration`.
    #[serde(default = "default_mtls_mode")]
    pub mode: Located<MtlsMode>,
    /// Name of the migration that needs PERMISSIVE (e.g. `legacy-vm-cutover`); recorded in
    /// the generated policy so the exception is visible and reviewable.
    #[serde(default)]
    pub migration: Option<Located<String>>,
}

impl Default for Mtls {
    fn default() -> Self {
        Mtls {
            mode: default_mtls_mode(),
            migration: None,
        }
    }
}

fn default_mtls_mode() -> Located<MtlsMode> {
    Located::unplaced(MtlsMode::Strict)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MtlsMode {
    Strict,
    Permissive,
}

/// Root CA, per-cluster intermediate CAs and their keys.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Ca {
    #[serde(default)]
    pub root: RootCa,
    /// One intermediate CA per cluster, written to the `cacerts` secret istiod reads.
    #[serde(default = "default_intermediate")]
    pub intermediate: Lifetime,
    /// Private key of every CA certificate.
    #[serde(default)]
    pub key: KeySpec,
}

impl Default for Ca {
    fn default() -> Self {
        Ca {
            root: RootCa::default(),
            intermediate: default_intermediate(),
            key: KeySpec::default(),
        }
    }
}

fn default_intermediate() -> Lifetime {
    Lifetime {
        duration: Located::unplaced("8760h".to_string()),
        renew_before: Located::unplaced("720h".to_string()),
    }
}

/// Where the root of trust lives.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RootCa {
    /// `selfSigned` (default): cert-manager creates the root in the central cluster; edge
    /// clusters receive a copy of its secret. `vault`: Vault signs every intermediate.
    #[serde(default = "default_root_source")]
    pub source: Located<RootSource>,
    /// Required when `source: vault`.
    #[serde(default)]
    pub vault: Option<Vault>,
    /// Root certificate lifetime (self-signed root only).
    #[serde(default = "default_root_duration")]
    pub duration: Located<String>,
    #[serde(default = "default_root_renew_before")]
    pub renew_before: Located<String>,
}

impl Default for RootCa {
    fn default() -> Self {
        RootCa {
            source: default_root_source(),
            vault: None,
            duration: default_root_duration(),
            renew_before: default_root_renew_before(),
        }
    }
}

fn default_root_source() -> Located<RootSource> {
    Located::unplaced(RootSource::SelfSigned)
}
fn default_root_duration() -> Located<String> {
    Located::unplaced("87600h".to_string())
}
fn default_root_renew_before() -> Located<String> {
    Located::unplaced("2160h".to_string())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum RootSource {
    SelfSigned,
    Vault,
}

/// A Vault PKI engine reached through cert-manager's Vault issuer with Kubernetes auth.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Vault {
    /// Vault address, `https://…`.
    pub server: Located<String>,
    /// PKI signing path, e.g. `pki/root/sign-intermediate`.
    pub path: Located<String>,
    /// Vault Kubernetes-auth role cert-manager logs in with.
    pub role: Located<String>,
    /// Mount path of the Kubernetes auth method.
    #[serde(default = "default_vault_auth_path")]
    pub auth_mount_path: Located<String>,
}

fn default_vault_auth_path() -> Located<String> {
    Located::unplaced("/v1/auth/kubernetes".to_string())
}

/// Lifetime of a certificate (Go durations, e.g. `8760h`).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Lifetime {
    pub duration: Located<String>,
    pub renew_before: Located<String>,
}

/// CA private keys: ECDSA P-256 by default.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KeySpec {
    #[serde(default = "default_key_algorithm")]
    pub algorithm: Located<KeyAlgorithm>,
    /// 256 or 384 for ECDSA; 2048, 3072 or 4096 for RSA.
    #[serde(default = "default_key_size")]
    pub size: Located<u32>,
}

impl Default for KeySpec {
    fn default() -> Self {
        KeySpec {
            algorithm: default_key_algorithm(),
            size: default_key_size(),
        }
    }
}

fn default_key_algorithm() -> Located<KeyAlgorithm> {
    Located::unplaced(KeyAlgorithm::Ecdsa)
}
fn default_key_size() -> Located<u32> {
    Located::unplaced(256)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum KeyAlgorithm {
    Ecdsa,
    Rsa,
}

/// GitOps wiring.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GitOps {
    /// `flux` (GitRepository + Kustomizations) or `argocd` (an ApplicationSet).
    pub engine: Located<GitOpsEngine>,
    /// URL of this repository as the engine clones it.
    #[serde(rename = "repoURL")]
    pub repo_url: Located<String>,
    #[serde(default = "default_branch")]
    pub branch: Located<String>,
    /// Directory of the generated repo inside the Git repository (`.` for its root).
    #[serde(default = "default_repo_path")]
    pub path: Located<String>,
    /// Checks on pull requests: `github` writes `.github/workflows/meshwright.yml` (validate,
    /// `generate --check`, and a comment with what the pull request changes) when the
    /// generated repo is the Git repository's root; `none` writes no workflow.
    #[serde(default = "default_pull_request_checks")]
    pub pull_request_checks: Located<PullRequestChecks>,
}

/// Where pull requests of the repository are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PullRequestChecks {
    Github,
    None,
}

fn default_branch() -> Located<String> {
    Located::unplaced("main".to_string())
}
fn default_repo_path() -> Located<String> {
    Located::unplaced(".".to_string())
}
fn default_pull_request_checks() -> Located<PullRequestChecks> {
    Located::unplaced(PullRequestChecks::Github)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum GitOpsEngine {
    Flux,
    Argocd,
}

/// The namespace for shared services that belong to no tenant.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Platform {
    #[serde(default = "default_platform_namespace")]
    pub namespace: Located<String>,
}

impl Default for Platform {
    fn default() -> Self {
        Platform {
            namespace: default_platform_namespace(),
        }
    }
}

fn default_platform_namespace() -> Located<String> {
    Located::unplaced("platform".to_string())
}

/// One Kubernetes cluster of the mesh.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Cluster {
    pub name: Located<String>,
    /// `central` (the primary; exactly one) or `edge`.
    pub role: Located<ClusterRole>,
    /// Istio multi-cluster model of an edge cluster; the central cluster is always primary.
    #[serde(default = "default_topology")]
    pub topology: Located<Topology>,
    /// Istio network name; defaults to `<cluster>-network`. Clusters on one network reach
    /// each other's pods directly; across networks, traffic passes east-west gateways.
    #[serde(default)]
    pub network: Option<Located<String>>,
    /// Central cluster only: the host name that resolves to its east-west gateway, where
    /// primary-remote edge clusters reach its istiod (their `global.remotePilotAddress`).
    /// Required when the mesh has primary-remote edges.
    #[serde(default)]
    pub east_west_host: Option<Located<String>>,
    /// HTTPS ingress of this cluster (required for edge clusters).
    #[serde(default)]
    pub ingress: Option<Ingress>,
}

fn default_topology() -> Located<Topology> {
    Located::unplaced(Topology::MultiPrimary)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ClusterRole {
    Central,
    Edge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Topology {
    MultiPrimary,
    PrimaryRemote,
}

/// HTTPS ingress: a Gateway on `host` with a cert-manager certificate, and routes.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Ingress {
    /// Public host name of this cluster's ingress.
    pub host: Located<String>,
    /// HTTP routes from the ingress to services running on this cluster.
    #[serde(default)]
    pub routes: Vec<Route>,
}

/// One route from the ingress gateway to a service.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Route {
    /// URI prefix, e.g. `/api/`.
    #[serde(default = "default_route_prefix")]
    pub prefix: Located<String>,
    /// The service that receives the traffic.
    pub service: Located<String>,
    /// Port of the service; defaults to its first port.
    #[serde(default)]
    pub port: Option<Located<u16>>,
    /// Overall request timeout (Go duration).
    #[serde(default = "default_route_timeout")]
    pub timeout: Located<String>,
    #[serde(default)]
    pub retries: Retries,
}

fn default_route_prefix() -> Located<String> {
    Located::unplaced("/".to_string())
}
fn default_route_timeout() -> Located<String> {
    Located::unplaced("10s".to_string())
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Retries {
    #[serde(default = "default_retry_attempts")]
    pub attempts: Located<u32>,
    #[serde(default = "default_per_try_timeout")]
    pub per_try_timeout: Located<String>,
    #[serde(default = "default_retry_on")]
    pub retry_on: Located<String>,
}

impl Default for Retries {
    fn default() -> Self {
        Retries {
            attempts: default_retry_attempts(),
            per_try_timeout: default_per_try_timeout(),
            retry_on: default_retry_on(),
        }
    }
}

fn default_retry_attempts() -> Located<u32> {
    Located::unplaced(3)
}
fn default_per_try_timeout() -> Located<String> {
    Located::unplaced("2s".to_string())
}
fn default_retry_on() -> Located<String> {
    Located::unplaced("5xx,reset,connect-failure".to_string())
}

/// A tenant: one namespace, isolated by default-deny authorization.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Tenant {
    pub name: Located<String>,
    /// Namespace of the tenant; defaults to its name.
    #[serde(default)]
    pub namespace: Option<Located<String>>,
    /// Clusters the tenant runs on; defaults to every cluster.
    #[serde(default)]
    pub clusters: Option<Vec<Located<String>>>,
}

/// A workload in the mesh.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Service {
    /// Unique across the mesh.
    pub name: Located<String>,
    /// Owning tenant; omit for the shared platform namespace.
    #[serde(default)]
    pub tenant: Option<Located<String>>,
    #[serde(default = "default_workload_kind")]
    pub kind: Located<WorkloadKind>,
    /// Container image reference.
    pub image: Located<String>,
    /// Deployment replicas.
    #[serde(default = "default_replicas")]
    pub replicas: Located<u32>,
    /// ServiceAccount (and so SPIFFE identity); defaults to the service name.
    #[serde(default)]
    pub service_account: Option<Located<String>>,
    /// Cron schedule; required for `CronJob`.
    #[serde(default)]
    pub schedule: Option<Located<String>>,
    #[serde(default)]
    pub ports: Vec<Port>,
    /// Who may call this service. Nobody else can.
    #[serde(default)]
    pub callers: Vec<Caller>,
}

fn default_workload_kind() -> Located<WorkloadKind> {
    Located::unplaced(WorkloadKind::Deployment)
}
fn default_replicas() -> Located<u32> {
    Located::unplaced(2)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum WorkloadKind {
    Deployment,
    Job,
    CronJob,
}

/// A port the service listens on.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Port {
    pub port: Located<u16>,
    #[serde(default = "default_protocol")]
    pub protocol: Located<Protocol>,
    /// Port name suffix; the Service port is named `<protocol>-<name>` so Istio can classify it.
    #[serde(default)]
    pub name: Option<Located<String>>,
}

fn default_protocol() -> Located<Protocol> {
    Located::unplaced(Protocol::Http)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    Http,
    Http2,
    Grpc,
    Tcp,
    Tls,
    Https,
}

impl Protocol {
    /// The Istio port-name prefix for this protocol.
    pub fn istio_prefix(self) -> &'static str {
        match self {
            Protocol::Http => "http",
            Protocol::Http2 => "http2",
            Protocol::Grpc => "grpc",
            Protocol::Tcp => "tcp",
            Protocol::Tls => "tls",
            Protocol::Https => "https",
        }
    }

    /// Whether Istio sees requests (methods, paths) on this protocol.
    pub fn is_http(self) -> bool {
        matches!(self, Protocol::Http | Protocol::Http2 | Protocol::Grpc)
    }
}

/// A caller allowed to reach the service, optionally only some methods, paths or ports.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Caller {
    /// Name of a declared service.
    pub service: Located<String>,
    /// HTTP methods, e.g. `GET`.
    #[serde(default)]
    pub methods: Vec<Located<String>>,
    /// Request paths: exact, `/prefix/*` or `*/suffix`.
    #[serde(default)]
    pub paths: Vec<Located<String>>,
    /// Ports of this service the caller may reach.
    #[serde(default)]
    pub ports: Vec<Located<u16>>,
}

/// A destination outside the mesh, registered so `REGISTRY_ONLY` lets it through.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExternalService {
    pub name: Located<String>,
    pub host: Located<String>,
    pub port: Located<u16>,
    #[serde(default = "default_external_protocol")]
    pub protocol: Located<ExternalProtocol>,
    /// `DISABLE` (default): the application handles TLS itself, or the protocol is plain.
    /// `SIMPLE`: the sidecar originates TLS towards the host.
    #[serde(default = "default_external_tls")]
    pub tls_mode: Located<ExternalTlsMode>,
}

fn default_external_protocol() -> Located<ExternalProtocol> {
    Located::unplaced(ExternalProtocol::Tls)
}
fn default_external_tls() -> Located<ExternalTlsMode> {
    Located::unplaced(ExternalTlsMode::Disable)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum ExternalProtocol {
    Tcp,
    Tls,
    Http,
    Https,
    Grpc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum ExternalTlsMode {
    Disable,
    Simple,
}

/// Alerts shipped as PrometheusRules.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Observability {
    /// Warn when a certificate expires within this window (Go duration).
    #[serde(default = "default_expiry_window")]
    pub cert_expiry_warning: Located<String>,
    /// Generate PrometheusRules.
    #[serde(default = "default_alerts")]
    pub alerts: Located<bool>,
}

impl Default for Observability {
    fn default() -> Self {
        Observability {
            cert_expiry_warning: default_expiry_window(),
            alerts: default_alerts(),
        }
    }
}

fn default_expiry_window() -> Located<String> {
    Located::unplaced("168h".to_string())
}
fn default_alerts() -> Located<bool> {
    Located::unplaced(true)
}
