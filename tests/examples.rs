//! Every built-in example generates a repository whose every kustomize root builds with the
//! real `kubectl kustomize`, and whose rendered objects reference each other correctly:
//! principals name declared ServiceAccounts in the mesh's trust domain, issuerRefs resolve,
//! Gateway credentials are produced by Certificates, routes and policies hit real workloads.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use common::rendered::{ClusterObjects, cluster_of, name, namespace, render_clusters};
use common::{EXAMPLES, init_example, kustomize_roots};
use serde_json::Value;

fn trust_domain(repo: &Path) -> String {
    let mesh = meshwright::intent::load(&repo.join("mesh.yaml")).expect("example is valid");
    mesh.spec.trust_domain.value.clone()
}

#[test]
fn every_example_builds_and_its_references_resolve() {
    for example in EXAMPLES {
        let (_temp, repo) = init_example(example);
        let trust_domain = trust_domain(&repo);
        let clusters = render_clusters(&repo);
        assert!(!clusters.is_empty(), "{example}: no cluster roots");
        // Identities are mesh-wide: a caller on one cluster may reach a callee on another.
        let accounts: BTreeSet<(String, String)> = clusters
            .values()
            .flat_map(|objects| objects.names("ServiceAccount"))
            .collect();
        for (cluster, objects) in &clusters {
            let context = format!("{example}/{cluster}");
            check_mtls(&context, objects);
            check_principals(&context, objects, &trust_domain, &accounts);
            check_issuers(&context, objects);
            check_gateway_credentials(&context, objects);
            check_routes_and_selectors(&context, objects);
            check_batch_workloads(&context, objects);
            check_service_port_names(&context, objects);
            check_gitops_syncs_every_root(&context, &repo, cluster, objects);
            check_istio_values(&context, &repo.join("clusters").join(cluster));
        }
    }
}

/// The GitOps objects of a cluster reference exactly the roots that deploy to it.
fn check_gitops_syncs_every_root(
    context: &str,
    repo: &Path,
    cluster: &str,
    objects: &ClusterObjects,
) {
    let flux_paths = objects
        .of_kind("Kustomization")
        .filter(|k| k["apiVersion"] == "kustomize.toolkit.fluxcd.io/v1")
        .map(|k| k["spec"]["path"].as_str().unwrap_or_default().to_string());
    let argo_paths = objects.of_kind("ApplicationSet").flat_map(|set| {
        set["spec"]["generators"][0]["list"]["elements"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|element| element["path"].as_str().unwrap_or_default().to_string())
            .collect::<Vec<_>>()
    });
    let synced: BTreeSet<String> = flux_paths.chain(argo_paths).collect();
    assert!(!synced.is_empty(), "{context}: nothing syncs this cluster");
    let relative_roots: Vec<String> = kustomize_roots(repo)
        .iter()
        .filter(|root| cluster_of(repo, root).as_deref() == Some(cluster))
        .map(|root| {
            root.strip_prefix(repo)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    for path in &synced {
        let known = relative_roots
            .iter()
            .any(|r| path.ends_with(&format!("/{r}")));
        assert!(
            known,
            "{context}: GitOps syncs {path}, which is no root of this cluster"
        );
    }
    for root in relative_roots
        .iter()
        .filter(|r| !r.starts_with("clusters/"))
    {
        let covered = synced.iter().any(|p| p.ends_with(&format!("/{root}")));
        assert!(covered, "{context}: root {root} is never synced");
    }
}

/// istiod values enforce what the mesh relies on: registry-only egress, JSON access logs,
/// proxies that start before applications. A remote runs no istiod: its primary's mesh
/// configuration serves it (`tests/multicluster_wiring.rs` checks its values).
fn check_istio_values(context: &str, cluster_dir: &Path) {
    let text = std::fs::read_to_string(cluster_dir.join("istio/values.yaml"))
        .unwrap_or_else(|e| panic!("{context}: istio/values.yaml: {e}"));
    let values: Value = serde_saphyr::from_str(&text).expect("values parse");
    if values["profile"] == "remote" {
        assert!(
            values["meshConfig"].is_null(),
            "{context}: a remote's meshConfig is ignored"
        );
        return;
    }
    let mesh_config = &values["meshConfig"];
    assert_eq!(
        mesh_config["outboundTrafficPolicy"]["mode"], "REGISTRY_ONLY",
        "{context}"
    );
    assert_eq!(mesh_config["accessLogEncoding"], "JSON", "{context}");
    assert_eq!(mesh_config["accessLogFile"], "/dev/stdout", "{context}");
    assert_eq!(
        mesh_config["defaultConfig"]["holdApplicationUntilProxyStarts"], true,
        "{context}"
    );
}

fn check_mtls(context: &str, objects: &ClusterObjects) {
    let peer_auths: Vec<&Value> = objects.of_kind("PeerAuthentication").collect();
    let mesh_wide = peer_auths
        .iter()
        .find(|p| namespace(p) == "istio-system" && p["spec"]["selector"].is_null())
        .unwrap_or_else(|| panic!("{context}: no mesh-wide PeerAuthentication"));
    assert_eq!(mesh_wide["spec"]["mtls"]["mode"], "STRICT", "{context}");
    // istio-system is the control plane's: no injection, and its policies are mesh-wide.
    for namespace_object in objects
        .of_kind("Namespace")
        .filter(|n| name(n) != "istio-system")
    {
        let ns = name(namespace_object);
        assert_eq!(
            namespace_object["metadata"]["labels"]["istio-injection"], "enabled",
            "{context}: namespace {ns} must have sidecar injection"
        );
        let strict = peer_auths
            .iter()
            .any(|p| namespace(p) == ns && p["spec"]["mtls"]["mode"] == "STRICT");
        assert!(
            strict,
            "{context}: namespace {ns} has no STRICT PeerAuthentication"
        );
        let allow_nothing = objects.of_kind("AuthorizationPolicy").any(|p| {
            namespace(p) == ns && p["spec"].as_object().is_none_or(|spec| spec.is_empty())
        });
        assert!(
            allow_nothing,
            "{context}: namespace {ns} has no allow-nothing policy"
        );
    }
    let mutual = objects.of_kind("DestinationRule").any(|d| {
        namespace(d) == "istio-system"
            && d["spec"]["host"] == "*.local"
            && d["spec"]["trafficPolicy"]["tls"]["mode"] == "ISTIO_MUTUAL"
    });
    assert!(
        mutual,
        "{context}: no mesh-wide ISTIO_MUTUAL DestinationRule for *.local"
    );
}

fn check_principals(
    context: &str,
    objects: &ClusterObjects,
    trust_domain: &str,
    accounts: &BTreeSet<(String, String)>,
) {
    let mut checked = 0;
    for policy in objects.of_kind("AuthorizationPolicy") {
        for rule in policy["spec"]["rules"].as_array().into_iter().flatten() {
            for from in rule["from"].as_array().into_iter().flatten() {
                for principal in from["source"]["principals"]
                    .as_array()
                    .into_iter()
                    .flatten()
                {
                    let principal = principal.as_str().expect("principal is a string");
                    let parts: Vec<&str> = principal.split('/').collect();
                    assert!(
                        matches!(parts.as_slice(), [td, "ns", _, "sa", _] if *td == trust_domain),
                        "{context}: principal {principal} is not {trust_domain}/ns/<ns>/sa/<sa>"
                    );
                    let account = (parts[2].to_string(), parts[4].to_string());
                    assert!(
                        accounts.contains(&account),
                        "{context}: policy {}/{} allows {principal}, but the repo declares no \
                         ServiceAccount {}/{}",
                        namespace(policy),
                        name(policy),
                        account.0,
                        account.1
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 0, "{context}: no principals at all");
}

fn check_issuers(context: &str, objects: &ClusterObjects) {
    let cluster_issuers: BTreeSet<String> = objects
        .names("ClusterIssuer")
        .into_iter()
        .map(|(_, n)| n)
        .collect();
    let issuers = objects.names("Issuer");
    let mut intermediates = 0;
    for certificate in objects.of_kind("Certificate") {
        let issuer = &certificate["spec"]["issuerRef"];
        let issuer_name = issuer["name"].as_str().unwrap_or_default().to_string();
        let resolved = match issuer["kind"].as_str().unwrap_or("Issuer") {
            "ClusterIssuer" => cluster_issuers.contains(&issuer_name),
            _ => issuers.contains(&(namespace(certificate).to_string(), issuer_name.clone())),
        };
        assert!(
            resolved,
            "{context}: Certificate {}/{} names issuer {issuer} that the repo does not declare",
            namespace(certificate),
            name(certificate)
        );
        if certificate["spec"]["secretName"] == "cacerts" {
            intermediates += 1;
            assert_eq!(
                namespace(certificate),
                "istio-system",
                "{context}: cacerts lives in istio-system"
            );
            assert_eq!(
                certificate["spec"]["isCA"], true,
                "{context}: intermediate must be a CA"
            );
            let usages = certificate["spec"]["usages"].to_string();
            assert!(
                usages.contains("cert sign"),
                "{context}: intermediate needs cert sign: {usages}"
            );
        }
    }
    assert_eq!(
        intermediates, 1,
        "{context}: exactly one intermediate CA per cluster"
    );
}

fn check_gateway_credentials(context: &str, objects: &ClusterObjects) {
    let secrets: BTreeSet<(String, String)> = objects
        .of_kind("Certificate")
        .map(|c| {
            let secret = c["spec"]["secretName"].as_str().unwrap_or_default();
            (namespace(c).to_string(), secret.to_string())
        })
        .collect();
    for gateway in objects.of_kind("Gateway") {
        for server in gateway["spec"]["servers"].as_array().into_iter().flatten() {
            if let Some(credential) = server["tls"]["credentialName"].as_str() {
                assert!(
                    secrets.contains(&(namespace(gateway).to_string(), credential.to_string())),
                    "{context}: Gateway {} serves {credential}, which no Certificate produces",
                    name(gateway)
                );
            }
        }
    }
}

fn check_routes_and_selectors(context: &str, objects: &ClusterObjects) {
    let services: BTreeMap<String, &Value> = objects
        .of_kind("Service")
        .map(|s| (format!("{}.{}.svc.cluster.local", name(s), namespace(s)), s))
        .collect();
    for virtual_service in objects.of_kind("VirtualService") {
        for route in virtual_service["spec"]["http"]
            .as_array()
            .into_iter()
            .flatten()
        {
            for destination in route["route"].as_array().into_iter().flatten() {
                let host = destination["destination"]["host"]
                    .as_str()
                    .unwrap_or_default();
                let service = services.get(host).unwrap_or_else(|| {
                    panic!("{context}: route to {host}, which is no Service here")
                });
                let port = &destination["destination"]["port"]["number"];
                let has_port = service["spec"]["ports"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|p| p["port"] == *port);
                assert!(has_port, "{context}: {host} has no port {port}");
            }
        }
    }
    let workload_labels: Vec<(String, &Value)> = ["Deployment", "Job"]
        .into_iter()
        .flat_map(|k| objects.of_kind(k))
        .map(|w| {
            (
                namespace(w).to_string(),
                &w["spec"]["template"]["metadata"]["labels"],
            )
        })
        .chain(objects.of_kind("CronJob").map(|w| {
            (
                namespace(w).to_string(),
                &w["spec"]["jobTemplate"]["spec"]["template"]["metadata"]["labels"],
            )
        }))
        .collect();
    for policy in objects.of_kind("AuthorizationPolicy") {
        let Some(match_labels) = policy["spec"]["selector"]["matchLabels"].as_object() else {
            continue;
        };
        let selected = workload_labels.iter().any(|(ns, labels)| {
            ns == namespace(policy) && match_labels.iter().all(|(k, v)| labels[k] == *v)
        });
        assert!(
            selected,
            "{context}: AuthorizationPolicy {}/{} selects no workload",
            namespace(policy),
            name(policy)
        );
    }
}

fn check_batch_workloads(context: &str, objects: &ClusterObjects) {
    let templates = objects
        .of_kind("Job")
        .map(|j| (name(j), &j["spec"]["template"]))
        .chain(
            objects
                .of_kind("CronJob")
                .map(|c| (name(c), &c["spec"]["jobTemplate"]["spec"]["template"])),
        );
    for (job, template) in templates {
        let annotations = &template["metadata"]["annotations"];
        let proxy_config = annotations["proxy.istio.io/config"]
            .as_str()
            .unwrap_or_default();
        let config: Value = serde_json::from_str(proxy_config)
            .unwrap_or_else(|_| panic!("{context}: job {job} lacks a JSON proxy.istio.io/config"));
        assert_eq!(
            config["holdApplicationUntilProxyStarts"], true,
            "{context}: job {job}"
        );
        assert_eq!(
            annotations["sidecar.istio.io/nativeSidecar"], "true",
            "{context}: job {job} needs the native sidecar so the proxy exits with the job"
        );
    }
}

fn check_service_port_names(context: &str, objects: &ClusterObjects) {
    const PREFIXES: [&str; 6] = ["http", "http2", "grpc", "tcp", "tls", "https"];
    // The control plane's gateways keep the names of Istio's own charts (`status-port`), as
    // Istio's port-name analyzer allows.
    let services = objects
        .of_kind("Service")
        .filter(|s| namespace(s) != "istio-system");
    for service in services {
        for port in service["spec"]["ports"].as_array().into_iter().flatten() {
            let port_name = port["name"].as_str().unwrap_or_default();
            let prefix = port_name.split('-').next().unwrap_or_default();
            assert!(
                PREFIXES.contains(&prefix),
                "{context}: Service {} port {port_name:?} is not named <protocol>[-suffix]",
                name(service)
            );
        }
    }
}
