//! A Kubernetes API server for tests, speaking the real wire protocol for what meshwright
//! uses: HTTPS with client-certificate authentication (certificates made with rcgen),
//! discovery (aggregated v2 and the classic per-group documents), lists with `limit` and
//! `continue`, server-side apply with `dryRun=All`, and error `Status` bodies. Objects get
//! the fields a real server sets (uid, resourceVersion, managedFields, defaults, status).
//!
//! Faults are switched on per resource: 403 (everywhere or cluster-wide only), 500, slow
//! answers, answers trickled a byte at a time, a continue token that expires on page two,
//! lists that never end (the same continue token again, or a new one on every page),
//! refused, unsupported (405), trickled or rejected dry-runs.
//! Any mutating request without `dryRun=All` is refused and counted: tests assert there
//! were none.

#![allow(dead_code)] // each test uses a different subset

use std::collections::{BTreeMap, BTreeSet};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use base64::Engine;
use futures::StreamExt;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Bytes, Frame, Incoming};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use serde_json::{Map, Value, json};

/// One served resource.
#[derive(Debug, Clone, Copy)]
pub struct Resource {
    pub group: &'static str,
    /// Served versions, preferred first.
    pub versions: &'static [&'static str],
    pub kind: &'static str,
    pub plural: &'static str,
    pub namespaced: bool,
}

/// What the server serves (a cluster with Istio and cert-manager installed).
pub const RESOURCES: &[Resource] = &[
    Resource {
        group: "",
        versions: &["v1"],
        kind: "Namespace",
        plural: "namespaces",
        namespaced: false,
    },
    Resource {
        group: "",
        versions: &["v1"],
        kind: "Service",
        plural: "services",
        namespaced: true,
    },
    Resource {
        group: "",
        versions: &["v1"],
        kind: "ServiceAccount",
        plural: "serviceaccounts",
        namespaced: true,
    },
    Resource {
        group: "",
        versions: &["v1"],
        kind: "ConfigMap",
        plural: "configmaps",
        namespaced: true,
    },
    Resource {
        group: "",
        versions: &["v1"],
        kind: "Secret",
        plural: "secrets",
        namespaced: true,
    },
    Resource {
        group: "",
        versions: &["v1"],
        kind: "Pod",
        plural: "pods",
        namespaced: true,
    },
    Resource {
        group: "apps",
        versions: &["v1"],
        kind: "Deployment",
        plural: "deployments",
        namespaced: true,
    },
    Resource {
        group: "apps",
        versions: &["v1"],
        kind: "StatefulSet",
        plural: "statefulsets",
        namespaced: true,
    },
    Resource {
        group: "apps",
        versions: &["v1"],
        kind: "DaemonSet",
        plural: "daemonsets",
        namespaced: true,
    },
    Resource {
        group: "batch",
        versions: &["v1"],
        kind: "Job",
        plural: "jobs",
        namespaced: true,
    },
    Resource {
        group: "batch",
        versions: &["v1"],
        kind: "CronJob",
        plural: "cronjobs",
        namespaced: true,
    },
    Resource {
        group: "security.istio.io",
        versions: &["v1", "v1beta1"],
        kind: "PeerAuthentication",
        plural: "peerauthentications",
        namespaced: true,
    },
    Resource {
        group: "security.istio.io",
        versions: &["v1", "v1beta1"],
        kind: "AuthorizationPolicy",
        plural: "authorizationpolicies",
        namespaced: true,
    },
    Resource {
        group: "networking.istio.io",
        versions: &["v1", "v1beta1"],
        kind: "DestinationRule",
        plural: "destinationrules",
        namespaced: true,
    },
    Resource {
        group: "networking.istio.io",
        versions: &["v1", "v1beta1"],
        kind: "VirtualService",
        plural: "virtualservices",
        namespaced: true,
    },
    Resource {
        group: "networking.istio.io",
        versions: &["v1", "v1beta1"],
        kind: "Gateway",
        plural: "gateways",
        namespaced: true,
    },
    Resource {
        group: "networking.istio.io",
        versions: &["v1", "v1beta1"],
        kind: "ServiceEntry",
        plural: "serviceentries",
        namespaced: true,
    },
    Resource {
        group: "cert-manager.io",
        versions: &["v1"],
        kind: "Certificate",
        plural: "certificates",
        namespaced: true,
    },
    Resource {
        group: "cert-manager.io",
        versions: &["v1"],
        kind: "Issuer",
        plural: "issuers",
        namespaced: true,
    },
    Resource {
        group: "cert-manager.io",
        versions: &["v1"],
        kind: "ClusterIssuer",
        plural: "clusterissuers",
        namespaced: false,
    },
    Resource {
        group: "rbac.authorization.k8s.io",
        versions: &["v1"],
        kind: "Role",
        plural: "roles",
        namespaced: true,
    },
    Resource {
        group: "rbac.authorization.k8s.io",
        versions: &["v1"],
        kind: "RoleBinding",
        plural: "rolebindings",
        namespaced: true,
    },
    Resource {
        group: "monitoring.coreos.com",
        versions: &["v1"],
        kind: "PrometheusRule",
        plural: "prometheusrules",
        namespaced: true,
    },
    Resource {
        group: "kustomize.toolkit.fluxcd.io",
        versions: &["v1"],
        kind: "Kustomization",
        plural: "kustomizations",
        namespaced: true,
    },
    Resource {
        group: "source.toolkit.fluxcd.io",
        versions: &["v1"],
        kind: "GitRepository",
        plural: "gitrepositories",
        namespaced: true,
    },
    Resource {
        group: "argoproj.io",
        versions: &["v1alpha1"],
        kind: "ApplicationSet",
        plural: "applicationsets",
        namespaced: true,
    },
];

fn resource_of_kind(group: &str, kind: &str) -> Option<&'static Resource> {
    RESOURCES
        .iter()
        .find(|r| r.group == group && r.kind == kind)
}

/// Faults to inject, by plural resource name.
#[derive(Debug, Default)]
pub struct Faults {
    /// 403 on every list of these.
    pub forbidden: BTreeSet<String>,
    /// 403 on cluster-wide lists only; per-namespace lists work.
    pub forbidden_cluster_wide: BTreeSet<String>,
    /// 500 on every list of these.
    pub server_error: BTreeSet<String>,
    /// Answer lists of these only after this long.
    pub slow: BTreeMap<String, Duration>,
    /// Answer lists of these a space at a time (one every 200 ms, never silent long enough
    /// for a read timeout) for this long, then the list.
    pub trickle: BTreeMap<String, Duration>,
    /// Answer every dry-run apply that way, over this long.
    pub trickle_patches: Option<Duration>,
    /// The continue token of these expires: page two answers 410 Gone.
    pub expired_continue: BTreeSet<String>,
    /// Lists of these never end: every page comes with the same continue token.
    pub repeated_continue: BTreeSet<String>,
    /// Lists of these never end: every page comes with a new continue token.
    pub endless_continue: BTreeSet<String>,
    /// 403 on every patch (the user may read but not apply).
    pub patch_forbidden: bool,
    /// 405 on dry-run applies of these (a server without server-side apply for them).
    pub patch_unsupported: BTreeSet<String>,
    /// Objects (by name) whose dry-run apply an admission webhook denies (422).
    pub rejected: BTreeSet<String>,
    /// Items per page at most (the server may return fewer than `limit`).
    pub page_size: Option<usize>,
    /// Serve only the classic discovery documents (servers before 1.26).
    pub classic_discovery_only: bool,
}

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Logged {
    pub method: String,
    pub path: String,
    pub query: BTreeMap<String, String>,
    pub accept: String,
}

#[derive(Default)]
struct Shared {
    /// (plural, namespace, name) → object as stored (in its preferred version).
    objects: Mutex<BTreeMap<(String, String, String), Value>>,
    /// (plural, namespace, name, manager) → the configuration that manager last applied.
    applied: Mutex<BTreeMap<(String, String, String, String), Value>>,
    faults: Mutex<Faults>,
    log: Mutex<Vec<Logged>>,
    /// Mutating requests without dryRun=All (must stay 0).
    writes: Mutex<usize>,
    next_version: Mutex<u64>,
}

/// Certificates of one test PKI.
struct Pki {
    ca_pem: String,
    server_cert: CertificateDer<'static>,
    server_key: PrivateKeyDer<'static>,
    client_cert_pem: String,
    client_key_pem: String,
    ca_der: CertificateDer<'static>,
}

fn pki() -> Pki {
    let ca_key = KeyPair::generate().expect("CA key");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "meshwright test cluster CA");
    let ca_cert = ca_params.self_signed(&ca_key).expect("CA cert");
    let issuer = Issuer::new(ca_params, ca_key);

    let server_key = KeyPair::generate().expect("server key");
    let mut server_params =
        CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
            .expect("server params");
    server_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let server_cert = server_params
        .signed_by(&server_key, &issuer)
        .expect("server cert");

    let client_key = KeyPair::generate().expect("client key");
    let mut client_params = CertificateParams::new(Vec::<String>::new()).expect("client params");
    client_params
        .distinguished_name
        .push(DnType::CommonName, "platform-admin");
    client_params
        .distinguished_name
        .push(DnType::OrganizationName, "system:masters");
    client_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let client_cert = client_params
        .signed_by(&client_key, &issuer)
        .expect("client cert");
    Pki {
        ca_pem: ca_cert.pem(),
        ca_der: ca_cert.der().clone(),
        server_cert: server_cert.der().clone(),
        server_key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der())),
        client_cert_pem: client_cert.pem(),
        client_key_pem: client_key.serialize_pem(),
    }
}

/// A running test API server and kubeconfigs that reach it.
pub struct ApiServer {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    pki: Pki,
    dir: tempfile::TempDir,
}

impl ApiServer {
    /// Starts a server on a free loopback port, on its own thread.
    pub fn start() -> ApiServer {
        let pki = pki();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut roots = rustls::RootCertStore::empty();
        roots.add(pki.ca_der.clone()).expect("CA root");
        let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
            Arc::new(roots),
            provider.clone(),
        )
        .allow_unauthenticated()
        .build()
        .expect("client verifier");
        let tls = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("protocol versions")
            .with_client_cert_verifier(verifier)
            .with_single_cert(vec![pki.server_cert.clone()], pki.server_key.clone_key())
            .expect("server TLS config");
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("address");
        let shared = Arc::new(Shared::default());
        let serving = shared.clone();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(accept_loop(listener, acceptor, serving));
        });
        ApiServer {
            addr,
            shared,
            pki,
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// Stores `object` as if created by `kubectl apply --server-side` as `manager`, with
    /// the fields the server sets.
    pub fn insert_applied_by(&self, manager: &str, object: Value) {
        let resource = resource_for(&object).expect("a served kind");
        let key = object_key(resource, &object);
        let stored = self.shared.store(resource, None, &object, manager);
        self.shared
            .objects
            .lock()
            .unwrap()
            .insert(key.clone(), stored);
        self.shared
            .applied
            .lock()
            .unwrap()
            .insert((key.0, key.1, key.2, manager.to_string()), object);
    }

    /// Stores `object` applied by Flux's kustomize-controller.
    pub fn insert(&self, object: Value) {
        self.insert_applied_by("kustomize-controller", object);
    }

    /// Stores `object` exactly as given (pods, certificates with status, ...), adding only
    /// uid and resourceVersion.
    pub fn insert_raw(&self, mut object: Value) {
        let resource = resource_for(&object).expect("a served kind");
        let key = object_key(resource, &object);
        let version = self.shared.next_resource_version();
        let metadata = object["metadata"].as_object_mut().expect("metadata");
        metadata.insert("uid".into(), json!(format!("uid-{version}")));
        metadata.insert("resourceVersion".into(), json!(version.to_string()));
        self.shared.objects.lock().unwrap().insert(key, object);
    }

    /// Changes the stored object `plural` `namespace`/`name` by `edit`, as another field
    /// manager's update would (what appliers applied stays as it was).
    pub fn update(&self, plural: &str, namespace: &str, name: &str, edit: impl FnOnce(&mut Value)) {
        let key = (plural.to_string(), namespace.to_string(), name.to_string());
        let mut objects = self.shared.objects.lock().unwrap();
        edit(objects.get_mut(&key).expect("a stored object"));
    }

    pub fn faults(&self) -> MutexGuard<'_, Faults> {
        self.shared.faults.lock().unwrap()
    }

    pub fn requests(&self) -> Vec<Logged> {
        self.shared.log.lock().unwrap().clone()
    }

    /// Mutating requests that were not dry-runs (a correct client sends none).
    pub fn writes(&self) -> usize {
        *self.shared.writes.lock().unwrap()
    }

    /// Whether some request asked for `path`.
    pub fn requested(&self, path: &str) -> bool {
        self.shared
            .log
            .lock()
            .unwrap()
            .iter()
            .any(|r| r.path == path)
    }

    /// A kubeconfig with the cluster's CA and the client certificate (context `test-central`).
    pub fn kubeconfig(&self) -> PathBuf {
        self.write_kubeconfig(
            "kubeconfig",
            &self.pki.ca_pem,
            &self.client_certificate(),
            "",
        )
    }

    /// A kubeconfig whose user's credentials come from an exec plugin: `/bin/sh` running
    /// `script`, not interactive (its stderr is captured).
    pub fn kubeconfig_exec(&self, name: &str, script: &str) -> PathBuf {
        let plugin = self.dir.path().join(format!("{name}.sh"));
        std::fs::write(&plugin, format!("#!/bin/sh\n{script}\n")).expect("write plugin");
        let user = format!(
            "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: /bin/sh\n      args: [\"{}\"]\n      interactiveMode: Never\n",
            plugin.display()
        );
        self.write_kubeconfig(name, &self.pki.ca_pem, &user, "")
    }

    /// A kubeconfig without client credentials (the server answers 401).
    pub fn kubeconfig_anonymous(&self) -> PathBuf {
        self.write_kubeconfig("anonymous", &self.pki.ca_pem, "    {}\n", "")
    }

    /// A kubeconfig that trusts a different CA (the server's certificate must be refused).
    pub fn kubeconfig_untrusted(&self) -> PathBuf {
        let other = pki();
        self.write_kubeconfig("untrusted", &other.ca_pem, &self.client_certificate(), "")
    }

    /// A kubeconfig whose cluster sets insecure-skip-tls-verify.
    pub fn kubeconfig_insecure(&self) -> PathBuf {
        self.write_kubeconfig(
            "insecure",
            "",
            &self.client_certificate(),
            "    insecure-skip-tls-verify: true\n",
        )
    }

    /// The kubeconfig of [`ApiServer::kubeconfig`] with a plain `http://` server URL.
    pub fn kubeconfig_plain_http(&self) -> PathBuf {
        let text = std::fs::read_to_string(self.kubeconfig()).expect("read kubeconfig");
        let path = self.dir.path().join("plain-http");
        std::fs::write(&path, text.replace("https://", "http://")).expect("write kubeconfig");
        path
    }

    /// The kubeconfig user entry of the client certificate.
    fn client_certificate(&self) -> String {
        format!(
            "    client-certificate-data: {}\n    client-key-data: {}\n",
            b64(&self.pki.client_cert_pem),
            b64(&self.pki.client_key_pem)
        )
    }

    fn write_kubeconfig(&self, name: &str, ca_pem: &str, user: &str, extra: &str) -> PathBuf {
        let ca = if ca_pem.is_empty() {
            String::new()
        } else {
            format!("    certificate-authority-data: {}\n", b64(ca_pem))
        };
        let text = format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: test\n  cluster:\n    server: https://127.0.0.1:{port}\n{ca}{extra}users:\n- name: admin\n  user:\n{user}contexts:\n- name: test-central\n  context:\n    cluster: test\n    user: admin\ncurrent-context: test-central\n",
            port = self.addr.port()
        );
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).expect("write kubeconfig");
        path
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

fn resource_for(object: &Value) -> Option<&'static Resource> {
    let api_version = object["apiVersion"].as_str()?;
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    resource_of_kind(group, object["kind"].as_str()?)
}

fn object_key(resource: &Resource, object: &Value) -> (String, String, String) {
    let namespace = if resource.namespaced {
        object["metadata"]["namespace"]
            .as_str()
            .unwrap_or("default")
            .to_string()
    } else {
        String::new()
    };
    (
        resource.plural.to_string(),
        namespace,
        object["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    )
}

impl Shared {
    fn next_resource_version(&self) -> u64 {
        let mut next = self.next_version.lock().unwrap();
        *next += 1;
        1000 + *next
    }

    /// `object` as the server would store it after `manager` applied it over `previous`.
    fn store(
        &self,
        resource: &Resource,
        previous: Option<&Value>,
        object: &Value,
        manager: &str,
    ) -> Value {
        let mut stored = match previous {
            Some(previous) => merge(previous.clone(), object),
            None => object.clone(),
        };
        stored["apiVersion"] = json!(api_version(resource, resource.versions[0]));
        default_fields(resource, &mut stored);
        let version = self.next_resource_version();
        let metadata = stored["metadata"].as_object_mut().expect("metadata");
        if resource.namespaced && !metadata.contains_key("namespace") {
            metadata.insert("namespace".into(), json!("default"));
        }
        metadata
            .entry("uid")
            .or_insert_with(|| json!(format!("uid-{version}")));
        metadata
            .entry("creationTimestamp")
            .or_insert_with(|| json!("2026-11-01T10:00:00Z"));
        metadata.insert("resourceVersion".into(), json!(version.to_string()));
        metadata.insert("generation".into(), json!(1));
        metadata.insert(
            "managedFields".into(),
            json!([{"manager": manager, "operation": "Apply", "apiVersion": api_version(resource, resource.versions[0]),
                    "time": "2026-11-01T10:00:00Z", "fieldsType": "FieldsV1", "fieldsV1": {"f:metadata": {}}}]),
        );
        if resource.kind == "Deployment" {
            let replicas = stored["spec"]["replicas"].clone();
            stored["status"] =
                json!({"observedGeneration": 1, "replicas": replicas, "readyReplicas": replicas});
        }
        stored
    }
}

/// A server-side apply's effect, simplified: maps merge key by key, lists and scalars are
/// replaced by the applied value.
fn merge(mut base: Value, applied: &Value) -> Value {
    match (&mut base, applied) {
        (Value::Object(base_map), Value::Object(applied_map)) => {
            for (key, value) in applied_map {
                let merged = match base_map.remove(key) {
                    Some(existing) => merge(existing, value),
                    None => value.clone(),
                };
                base_map.insert(key.clone(), merged);
            }
            base
        }
        _ => applied.clone(),
    }
}

/// Removes from `live` the fields `previous` (a manager's last applied configuration) set
/// and `current` no longer does: what server-side apply does for fields a manager owns.
fn remove_dropped(live: &mut Value, previous: &Value, current: &Value) {
    let (Value::Object(live), Value::Object(previous)) = (live, previous) else {
        return;
    };
    for (key, old) in previous {
        match current.get(key) {
            None => {
                live.remove(key);
            }
            Some(new) => {
                if let Some(child) = live.get_mut(key) {
                    remove_dropped(child, old, new);
                }
            }
        }
    }
}

/// Defaults the API server fills in, for the kinds tests use.
fn default_fields(resource: &Resource, object: &mut Value) {
    let set = |map: &mut Map<String, Value>, key: &str, value: Value| {
        map.entry(key.to_string()).or_insert(value);
    };
    match resource.kind {
        "Secret" => {
            let map = object.as_object_mut().expect("object");
            if let Some(Value::Object(strings)) = map.remove("stringData") {
                let data = map.entry("data").or_insert_with(|| json!({}));
                for (key, value) in strings {
                    data[key] = json!(b64(value.as_str().unwrap_or_default()));
                }
            }
        }
        "Namespace" => {
            let name = object["metadata"]["name"].clone();
            let metadata = object["metadata"].as_object_mut().expect("metadata");
            let labels = metadata.entry("labels").or_insert_with(|| json!({}));
            labels["kubernetes.io/metadata.name"] = name;
            object["spec"] = json!({"finalizers": ["kubernetes"]});
        }
        "Deployment" => {
            let spec = object["spec"].as_object_mut().expect("spec");
            set(spec, "progressDeadlineSeconds", json!(600));
            set(spec, "revisionHistoryLimit", json!(10));
            set(
                spec,
                "strategy",
                json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}),
            );
            if let Some(pod) = object
                .pointer_mut("/spec/template/spec")
                .and_then(Value::as_object_mut)
            {
                set(pod, "restartPolicy", json!("Always"));
                set(pod, "dnsPolicy", json!("ClusterFirst"));
                if let Some(containers) = pod.get_mut("containers").and_then(Value::as_array_mut) {
                    for container in containers.iter_mut().filter_map(Value::as_object_mut) {
                        set(
                            container,
                            "terminationMessagePath",
                            json!("/dev/termination-log"),
                        );
                        set(container, "imagePullPolicy", json!("IfNotPresent"));
                    }
                }
            }
        }
        "Service" => {
            let spec = object["spec"].as_object_mut().expect("spec");
            set(spec, "type", json!("ClusterIP"));
            set(spec, "clusterIP", json!("10.96.0.42"));
            set(spec, "sessionAffinity", json!("None"));
            if let Some(ports) = spec.get_mut("ports").and_then(Value::as_array_mut) {
                for port in ports.iter_mut().filter_map(Value::as_object_mut) {
                    set(port, "protocol", json!("TCP"));
                }
            }
        }
        _ => {}
    }
}

fn api_version(resource: &Resource, version: &str) -> String {
    qualified(resource.group, '/', version)
}

/// `name` within `group`, as the API names it: `apps/v1` (`/`), `deployments.apps` (`.`);
/// the core group's are the bare name.
fn qualified(group: &str, separator: char, name: &str) -> String {
    if group.is_empty() {
        name.to_string()
    } else if separator == '/' {
        format!("{group}/{name}")
    } else {
        format!("{name}.{group}")
    }
}

async fn accept_loop(
    listener: std::net::TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
    shared: Arc<Shared>,
) {
    let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let acceptor = acceptor.clone();
        let shared = shared.clone();
        tokio::spawn(async move {
            // A client that refuses our certificate ends the handshake: nothing to serve.
            let Ok(tls) = acceptor.accept(stream).await else {
                return;
            };
            let authenticated = tls
                .get_ref()
                .1
                .peer_certificates()
                .is_some_and(|c| !c.is_empty());
            let service = hyper::service::service_fn(move |request| {
                let shared = shared.clone();
                async move { Ok::<_, Infallible>(handle(&shared, authenticated, request).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(tls), service)
                .await;
        });
    }
}

type Reply = Response<UnsyncBoxBody<Bytes, Infallible>>;

fn reply(status: StatusCode, body: &Value) -> Reply {
    answer(status, body, None)
}

/// `body` at once, or — `trickle` — preceded by a space every 200 ms for that long (JSON
/// allows leading whitespace; the client never waits long for its next byte).
fn answer(status: StatusCode, body: &Value, trickle: Option<Duration>) -> Reply {
    const EVERY: Duration = Duration::from_millis(200);
    let text = Bytes::from(body.to_string());
    let body = match trickle {
        None => Full::new(text).boxed_unsync(),
        Some(over) => {
            let spaces = (over.as_millis() / EVERY.as_millis()) as usize;
            let frames = futures::stream::iter(0..=spaces).then(move |step| {
                let text = text.clone();
                async move {
                    if step == spaces {
                        return Ok(Frame::data(text));
                    }
                    tokio::time::sleep(EVERY).await;
                    Ok::<_, Infallible>(Frame::data(Bytes::from_static(b" ")))
                }
            });
            StreamBody::new(frames).boxed_unsync()
        }
    };
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(body)
        .expect("response")
}

fn not_found() -> Reply {
    failure(
        StatusCode::NOT_FOUND,
        "NotFound",
        "the server could not find the requested resource",
    )
}

/// A `Status` failure as the API server writes it.
fn failure(code: StatusCode, reason: &str, message: &str) -> Reply {
    reply(
        code,
        &json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": message, "reason": reason, "code": code.as_u16()}),
    )
}

async fn handle(shared: &Shared, authenticated: bool, request: Request<Incoming>) -> Reply {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let query: BTreeMap<String, String> = request
        .uri()
        .query()
        .unwrap_or_default()
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.to_string(), v.replace("%2F", "/").replace("%3D", "=")))
        .collect();
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let accept = header("accept");
    let content_type = header("content-type");
    shared.log.lock().unwrap().push(Logged {
        method: method.to_string(),
        path: path.clone(),
        query: query.clone(),
        accept: accept.clone(),
    });
    if !authenticated {
        return failure(StatusCode::UNAUTHORIZED, "Unauthorized", "Unauthorized");
    }
    let body = request
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let aggregated = accept.contains("as=APIGroupDiscoveryList")
        && !shared.faults.lock().unwrap().classic_discovery_only;
    let resources = async |group: &str, version: &str, rest: &[&str]| {
        resource_request(
            shared,
            &method,
            group,
            version,
            rest,
            &query,
            &content_type,
            &body,
        )
        .await
    };
    match (method.clone(), segments.as_slice()) {
        (Method::GET, ["api"]) if aggregated => reply(StatusCode::OK, &aggregated_discovery(true)),
        (Method::GET, ["apis"]) if aggregated => {
            reply(StatusCode::OK, &aggregated_discovery(false))
        }
        (Method::GET, ["api"]) => reply(
            StatusCode::OK,
            &json!({"kind": "APIVersions", "versions": ["v1"],
                    "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:6443"}]}),
        ),
        (Method::GET, ["apis"]) => reply(StatusCode::OK, &group_list()),
        (Method::GET, ["api", version]) => resource_list("", version),
        (Method::GET, ["apis", group, version]) => resource_list(group, version),
        (_, ["api", version, rest @ ..]) => resources("", version, rest).await,
        (_, ["apis", group, version, rest @ ..]) => resources(group, version, rest).await,
        _ => not_found(),
    }
}

fn groups() -> Vec<&'static str> {
    let mut groups: Vec<&str> = RESOURCES
        .iter()
        .map(|r| r.group)
        .filter(|g| !g.is_empty())
        .collect();
    groups.dedup();
    groups
}

fn group_list() -> Value {
    let groups: Vec<Value> = groups()
        .into_iter()
        .map(|group| {
            let versions = RESOURCES
                .iter()
                .find(|r| r.group == group)
                .expect("group")
                .versions;
            let versions: Vec<Value> = versions
                .iter()
                .map(|v| json!({"groupVersion": format!("{group}/{v}"), "version": v}))
                .collect();
            json!({"name": group, "versions": versions, "preferredVersion": versions[0]})
        })
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

const VERBS: [&str; 8] = [
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];

fn resource_list(group: &str, version: &str) -> Reply {
    let resources: Vec<Value> = RESOURCES
        .iter()
        .filter(|r| r.group == group && r.versions.contains(&version))
        .map(|r| json!({"name": r.plural, "singularName": r.kind.to_lowercase(), "namespaced": r.namespaced,
                        "kind": r.kind, "verbs": VERBS}))
        .collect();
    if resources.is_empty() {
        return not_found();
    }
    reply(
        StatusCode::OK,
        &json!({"kind": "APIResourceList", "apiVersion": "v1",
                "groupVersion": qualified(group, '/', version), "resources": resources}),
    )
}

/// Aggregated discovery (apidiscovery.k8s.io/v2) of the core group or of every other group.
fn aggregated_discovery(core: bool) -> Value {
    let names: Vec<&str> = if core { vec![""] } else { groups() };
    let items: Vec<Value> = names
        .into_iter()
        .map(|group| {
            let versions = RESOURCES.iter().find(|r| r.group == group).expect("group").versions;
            let versions: Vec<Value> = versions
                .iter()
                .map(|version| {
                    let resources: Vec<Value> = RESOURCES
                        .iter()
                        .filter(|r| r.group == group && r.versions.contains(version))
                        .map(|r| json!({"resource": r.plural, "singularResource": r.kind.to_lowercase(),
                                        "responseKind": {"group": group, "version": version, "kind": r.kind},
                                        "scope": if r.namespaced { "Namespaced" } else { "Cluster" },
                                        "verbs": VERBS}))
                        .collect();
                    json!({"version": version, "resources": resources, "freshness": "Current"})
                })
                .collect();
            let metadata = if group.is_empty() { json!({"creationTimestamp": null}) } else { json!({"name": group, "creationTimestamp": null}) };
            json!({"metadata": metadata, "versions": versions})
        })
        .collect();
    json!({"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": {}, "items": items})
}

#[allow(clippy::too_many_arguments)]
async fn resource_request(
    shared: &Shared,
    method: &Method,
    group: &str,
    version: &str,
    rest: &[&str],
    query: &BTreeMap<String, String>,
    content_type: &str,
    body: &Bytes,
) -> Reply {
    let (namespace, plural, name) = match rest {
        ["namespaces", name] => (None, "namespaces", Some(*name)),
        ["namespaces", namespace, plural] => (Some(*namespace), *plural, None),
        ["namespaces", namespace, plural, name] => (Some(*namespace), *plural, Some(*name)),
        [plural] => (None, *plural, None),
        [plural, name] => (None, *plural, Some(*name)),
        _ => return failure(StatusCode::NOT_FOUND, "NotFound", "no such path"),
    };
    let Some(resource) = RESOURCES
        .iter()
        .find(|r| r.group == group && r.plural == plural && r.versions.contains(&version))
    else {
        return not_found();
    };
    let qualified = qualified(group, '.', plural);
    match (method, name) {
        (&Method::GET, None) => list(shared, resource, version, namespace, query, &qualified).await,
        (&Method::GET, Some(name)) => {
            let key = (
                plural.to_string(),
                namespace.unwrap_or_default().to_string(),
                name.to_string(),
            );
            match shared.objects.lock().unwrap().get(&key) {
                Some(object) => reply(StatusCode::OK, &in_version(object, resource, version)),
                None => failure(
                    StatusCode::NOT_FOUND,
                    "NotFound",
                    &format!("{qualified} \"{name}\" not found"),
                ),
            }
        }
        (&Method::PATCH, Some(name)) => apply(
            shared,
            resource,
            version,
            namespace,
            name,
            query,
            content_type,
            body,
            &qualified,
        ),
        _ => {
            *shared.writes.lock().unwrap() += 1;
            failure(
                StatusCode::METHOD_NOT_ALLOWED,
                "MethodNotAllowed",
                "the test server accepts no writes",
            )
        }
    }
}

fn in_version(object: &Value, resource: &Resource, version: &str) -> Value {
    let mut object = object.clone();
    object["apiVersion"] = json!(api_version(resource, version));
    object
}

async fn list(
    shared: &Shared,
    resource: &Resource,
    version: &str,
    namespace: Option<&str>,
    query: &BTreeMap<String, String>,
    qualified: &str,
) -> Reply {
    let (forbidden, error, slow, trickle, expired, endless, page_size) = {
        let faults = shared.faults.lock().unwrap();
        let plural = resource.plural.to_string();
        let endless = if faults.repeated_continue.contains(&plural) {
            Some(false)
        } else {
            faults.endless_continue.contains(&plural).then_some(true)
        };
        (
            faults.forbidden.contains(&plural)
                || (namespace.is_none() && faults.forbidden_cluster_wide.contains(&plural)),
            faults.server_error.contains(&plural),
            faults.slow.get(&plural).copied(),
            faults.trickle.get(&plural).copied(),
            faults.expired_continue.contains(&plural),
            endless,
            faults.page_size,
        )
    };
    if let Some(delay) = slow {
        tokio::time::sleep(delay).await;
    }
    if forbidden {
        let scope = namespace.map_or_else(
            || "at the cluster scope".to_string(),
            |ns| format!("in the namespace \"{ns}\""),
        );
        return failure(
            StatusCode::FORBIDDEN,
            "Forbidden",
            &format!(
                "{qualified} is forbidden: User \"platform-admin\" cannot list resource \"{}\" in API group \"{}\" {scope}",
                resource.plural, resource.group
            ),
        );
    }
    if error {
        return failure(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalError",
            "Internal error occurred: etcdserver: request timed out",
        );
    }
    let offset: usize = match query.get("continue") {
        Some(token) if expired => {
            let _ = token;
            return failure(
                StatusCode::GONE,
                "Expired",
                "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.",
            );
        }
        Some(token) if endless.is_some() => token
            .strip_prefix("endless-")
            .and_then(|n| n.parse().ok())
            .unwrap_or(0),
        Some(token) => token
            .strip_prefix("offset-")
            .and_then(|n| n.parse().ok())
            .unwrap_or(0),
        None => 0,
    };
    let items: Vec<Value> = shared
        .objects
        .lock()
        .unwrap()
        .iter()
        .filter(|((plural, ns, _), _)| {
            plural == resource.plural && namespace.is_none_or(|want| want == ns)
        })
        .map(|(_, object)| {
            let mut item = in_version(object, resource, version);
            if matches!(resource.group, "" | "apps" | "batch") {
                // Built-in kinds come without type meta inside lists.
                let map = item.as_object_mut().expect("object");
                map.remove("apiVersion");
                map.remove("kind");
            }
            item
        })
        .collect();
    let limit = query
        .get("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(usize::MAX);
    let size = limit.min(page_size.unwrap_or(usize::MAX)).max(1);
    let page: Vec<Value> = items.iter().skip(offset).take(size).cloned().collect();
    let next = offset + page.len();
    let mut metadata = json!({"resourceVersion": "5000"});
    match endless {
        // The first page again, with the same token or one that is always new.
        Some(new) => {
            let token = if new {
                format!("endless-{}", offset + 1)
            } else {
                "again".to_string()
            };
            metadata["continue"] = json!(token);
        }
        None if next < items.len() => {
            metadata["continue"] = json!(format!("offset-{next}"));
            metadata["remainingItemCount"] = json!(items.len() - next);
        }
        None => {}
    }
    answer(
        StatusCode::OK,
        &json!({"kind": format!("{}List", resource.kind), "apiVersion": api_version(resource, version),
                "metadata": metadata, "items": page}),
        trickle,
    )
}

#[allow(clippy::too_many_arguments)]
fn apply(
    shared: &Shared,
    resource: &Resource,
    version: &str,
    namespace: Option<&str>,
    name: &str,
    query: &BTreeMap<String, String>,
    content_type: &str,
    body: &Bytes,
    qualified: &str,
) -> Reply {
    if query.get("dryRun").map(String::as_str) != Some("All") {
        *shared.writes.lock().unwrap() += 1;
        return failure(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "the test server accepts no writes",
        );
    }
    if shared.faults.lock().unwrap().patch_forbidden {
        return failure(
            StatusCode::FORBIDDEN,
            "Forbidden",
            &format!(
                "{qualified} \"{name}\" is forbidden: User \"platform-admin\" cannot patch resource \"{}\" in API group \"{}\"",
                resource.plural, resource.group
            ),
        );
    }
    if shared
        .faults
        .lock()
        .unwrap()
        .patch_unsupported
        .contains(resource.plural)
    {
        return failure(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            &format!(
                "the server does not allow this method on the requested resource ({qualified})"
            ),
        );
    }
    if content_type != "application/apply-patch+yaml" {
        return failure(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedMediaType",
            &format!(
                "the body of the request was in an unknown format - accepted media types include: application/apply-patch+yaml (got {content_type})"
            ),
        );
    }
    let Some(manager) = query.get("fieldManager") else {
        return failure(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch",
        );
    };
    let applied: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(error) => {
            return failure(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                &format!("error decoding YAML: {error}"),
            );
        }
    };
    if applied["apiVersion"] != json!(api_version(resource, version))
        || applied["kind"] != json!(resource.kind)
    {
        return failure(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "the API version in the data does not match the expected API version",
        );
    }
    if applied["metadata"]["name"] != json!(name) {
        return failure(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "the name of the object does not match the name on the URL",
        );
    }
    if shared.faults.lock().unwrap().rejected.contains(name) {
        return failure(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Invalid",
            &format!(
                "admission webhook \"validation.istio.io\" denied the request: configuration is invalid: {qualified} {name}"
            ),
        );
    }
    let key = (
        resource.plural.to_string(),
        namespace.unwrap_or_default().to_string(),
        name.to_string(),
    );
    let live = shared.objects.lock().unwrap().get(&key).cloned();
    let previous = shared
        .applied
        .lock()
        .unwrap()
        .get(&(key.0.clone(), key.1.clone(), key.2.clone(), manager.clone()))
        .cloned();
    let mut base = live.clone();
    if let (Some(base), Some(previous)) = (&mut base, &previous) {
        remove_dropped(base, previous, &applied);
    }
    let mut stored = shared.store(resource, base.as_ref(), &applied, manager);
    if let Some(live) = &live {
        // A dry-run keeps the object's identity.
        for field in ["uid", "creationTimestamp"] {
            stored["metadata"][field] = live["metadata"][field].clone();
        }
    }
    let status = if live.is_some() {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    let trickle = shared.faults.lock().unwrap().trickle_patches;
    answer(status, &in_version(&stored, resource, version), trickle)
}
