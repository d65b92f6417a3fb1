//! The `edge` example against Istio's multi-cluster installation guides ("Install
//! Multi-Primary on different networks", "Install Primary-Remote on different networks",
//! and their single-network forms on istio.io): every cluster root is built with the real
//! `kubectl kustomize`, and each step of the guides is checked on the rendered objects and
//! the istiod values — against Istio's own `samples/multicluster/` manifests where the guide
//! applies one.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::rendered::{ClusterObjects, name, namespace, render_clusters};
use common::{example_text, init_example, meshwright};
use serde_json::Value;

/// Istio's sample, as the guide applies it (`kubectl apply -n istio-system -f …`).
fn istio_sample(file: &str) -> Vec<Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("upstream/istio/samples/multicluster")
        .join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    serde_saphyr::from_multiple(&text).unwrap()
}

fn values(repo: &Path, cluster: &str) -> Value {
    let path = repo.join(format!("clusters/{cluster}/istio/values.yaml"));
    serde_saphyr::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The object of `kind` and `name_` in istio-system (or, a Namespace, so named).
fn object<'a>(objects: &'a ClusterObjects, kind: &'a str, name_: &str) -> Option<&'a Value> {
    objects
        .of_kind(kind)
        .find(|o| name(o) == name_ && (kind == "Namespace" || namespace(o) == "istio-system"))
}

/// The spec of the sample's object of `kind` (the sample's `$CREDENTIAL_NAME`-free form).
fn sample_spec(file: &str, kind: &str) -> Value {
    istio_sample(file)
        .into_iter()
        .find(|o| o["kind"] == kind)
        .unwrap()["spec"]
        .clone()
}

/// "Install the east-west gateway": what the gateway chart renders with
/// `networkGateway: <network>` — the network label on the Service and the pods, the
/// requested network view, and the chart's four ports.
fn check_east_west_gateway(cluster: &str, objects: &ClusterObjects, network: &str) {
    let service = object(objects, "Service", "istio-eastwestgateway")
        .unwrap_or_else(|| panic!("{cluster}: no east-west gateway"));
    assert_eq!(
        service["metadata"]["labels"]["topology.istio.io/network"], network,
        "{cluster}: istiod finds a network's gateway by this label"
    );
    let ports: BTreeMap<&str, u64> = service["spec"]["ports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["name"].as_str().unwrap(), p["port"].as_u64().unwrap()))
        .collect();
    let chart_ports = BTreeMap::from([
        ("status-port", 15021),
        ("tls", 15443),
        ("tls-istiod", 15012),
        ("tls-webhook", 15017),
    ]);
    assert_eq!(ports, chart_ports, "{cluster}");
    let deployment = object(objects, "Deployment", "istio-eastwestgateway").unwrap();
    let pod = &deployment["spec"]["template"];
    assert_eq!(
        pod["metadata"]["labels"]["topology.istio.io/network"],
        network
    );
    assert_eq!(
        pod["metadata"]["labels"]["istio"], "eastwestgateway",
        "{cluster}: Istio's expose-*.yaml samples select `istio: eastwestgateway`"
    );
    let env = &pod["spec"]["containers"][0]["env"];
    assert!(
        env.as_array()
            .unwrap()
            .iter()
            .any(|e| { e["name"] == "ISTIO_META_REQUESTED_NETWORK_VIEW" && e["value"] == network }),
        "{cluster}: {env}"
    );
}

#[test]
fn the_edge_example_carries_every_step_of_istios_multi_network_guides() {
    let (_temp, repo) = init_example("edge");
    let clusters = render_clusters(&repo);
    let networks = [
        ("central", "net-central"),
        ("edge-eu", "net-eu"),
        ("edge-us", "net-us"),
    ];
    assert_eq!(
        clusters.keys().map(String::as_str).collect::<Vec<_>>(),
        networks.map(|(c, _)| c)
    );
    let expose_services = sample_spec("expose-services.yaml", "Gateway");
    for (cluster, network) in networks {
        let objects = &clusters[cluster];
        let values = values(&repo, cluster);
        // "Configure clusterN as a primary / a remote": one mesh ID, the cluster's name and
        // network.
        assert_eq!(values["global"]["meshID"], "acme", "{cluster}");
        assert_eq!(
            values["global"]["multiCluster"]["clusterName"], cluster,
            "{cluster}"
        );
        assert_eq!(values["global"]["network"], network, "{cluster}");
        // "Set the default network for clusterN".
        let root = object(objects, "Namespace", "istio-system")
            .unwrap_or_else(|| panic!("{cluster}: istio-system is not declared"));
        assert_eq!(
            root["metadata"]["labels"]["topology.istio.io/network"], network,
            "{cluster}"
        );
        // "Install the east-west gateway in clusterN": every cluster, the networks differ.
        check_east_west_gateway(cluster, objects, network);
    }

    // "Expose services in cluster1 (and cluster2)": on the primaries, exactly Istio's
    // sample; the remote's gateway takes it from its primary, as the guide notes.
    for primary in ["central", "edge-eu"] {
        let gateway = object(&clusters[primary], "Gateway", "cross-network-gateway")
            .unwrap_or_else(|| panic!("{primary}: services are not exposed"));
        assert_eq!(gateway["spec"], expose_services, "{primary}");
    }
    assert!(object(&clusters["edge-us"], "Gateway", "cross-network-gateway").is_none());

    // "Expose the control plane in cluster1": Istio's expose-istiod.yaml on the primary
    // with a remote, and `global.externalIstiod` so istiod serves it.
    let central = &clusters["central"];
    let istiod_gateway = object(central, "Gateway", "istiod-gateway").unwrap();
    assert_eq!(
        istiod_gateway["spec"],
        sample_spec("expose-istiod.yaml", "Gateway")
    );
    let istiod_route = object(central, "VirtualService", "istiod-vs").unwrap();
    assert_eq!(
        istiod_route["spec"],
        sample_spec("expose-istiod.yaml", "VirtualService")
    );
    assert_eq!(values(&repo, "central")["global"]["externalIstiod"], true);
    assert!(values(&repo, "edge-eu")["global"]["externalIstiod"].is_null());
    assert!(object(&clusters["edge-eu"], "Gateway", "istiod-gateway").is_none());

    // "Set the control plane cluster for cluster2" and "Configure cluster2 as a remote".
    let remote_root = object(&clusters["edge-us"], "Namespace", "istio-system").unwrap();
    assert_eq!(
        remote_root["metadata"]["annotations"]["topology.istio.io/controlPlaneClusters"],
        "central"
    );
    let remote = values(&repo, "edge-us");
    assert_eq!(remote["profile"], "remote");
    assert_eq!(
        remote["istiodRemote"]["injectionPath"],
        "/inject/cluster/edge-us/net/net-us"
    );
    assert_eq!(
        remote["global"]["remotePilotAddress"],
        "eastwest.central.acme.example"
    );
    assert!(remote["meshConfig"].is_null());

    // "Enable Endpoint Discovery" / "Attach cluster2 as a remote cluster of cluster1": not
    // in Git, but in the runbook, once per primary and other cluster, and never into the
    // remote.
    let readme = std::fs::read_to_string(repo.join("README.md")).unwrap();
    let secrets: Vec<(String, String)> = readme
        .lines()
        .zip(readme.lines().skip(1))
        .filter_map(|(create, apply)| {
            let from = create.split("--name=").nth(1)?.split_whitespace().next()?;
            let into = apply.split("--context=\"${").nth(1)?.split('}').next()?;
            Some((from.to_string(), into.to_string()))
        })
        .collect();
    let expected = [
        ("edge-eu", "CTX_CENTRAL"),
        ("edge-us", "CTX_CENTRAL"),
        ("central", "CTX_EDGE_EU"),
        ("edge-us", "CTX_EDGE_EU"),
    ]
    .map(|(f, i)| (f.to_string(), i.to_string()));
    assert_eq!(secrets, expected);
    assert!(readme.contains("never commit them"));
    assert!(!repo.join("clusters/central/remote-secrets.yaml").exists());
}

/// Generates the `edge` example with `edit` applied to its mesh.yaml.
fn generate_edited(edit: impl Fn(String) -> String) -> (tempfile::TempDir, std::path::PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let repo = temp.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    std::fs::write(repo.join("mesh.yaml"), edit(example_text("edge"))).unwrap();
    meshwright().arg("generate").arg(&repo).assert().success();
    (temp, repo)
}

#[test]
fn one_network_needs_no_east_west_gateway_for_data_traffic() {
    // Every cluster on one network: pods reach each other directly ("Install Primary-Remote"
    // and "Install Multi-Primary" on one network). Only the primary with a remote keeps an
    // east-west gateway, for istiod.
    let one_network = |text: String| {
        text.replace("network: net-eu", "network: net-central")
            .replace("network: net-us", "network: net-central")
    };
    let (_temp, repo) = generate_edited(one_network);
    let clusters = render_clusters(&repo);
    for objects in clusters.values() {
        assert!(object(objects, "Gateway", "cross-network-gateway").is_none());
    }
    check_east_west_gateway("central", &clusters["central"], "net-central");
    assert!(object(&clusters["central"], "Gateway", "istiod-gateway").is_some());
    for edge in ["edge-eu", "edge-us"] {
        assert!(object(&clusters[edge], "Service", "istio-eastwestgateway").is_none());
    }
    let readme = std::fs::read_to_string(repo.join("README.md")).unwrap();
    assert!(readme.contains("on one network"), "{readme}");

    // Multi-primary on one network: no east-west gateway at all, and no eastWestHost needed.
    let multi_primary = |text: String| {
        one_network(text)
            .replace("topology: primary-remote", "topology: multi-primary")
            .replace("      eastWestHost: eastwest.central.acme.example\n", "")
    };
    let (_temp, repo) = generate_edited(multi_primary);
    for objects in render_clusters(&repo).values() {
        assert!(object(objects, "Service", "istio-eastwestgateway").is_none());
    }
    assert!(!repo.join("clusters/central/east-west.yaml").exists());
    assert!(values(&repo, "central")["global"]["externalIstiod"].is_null());
}

#[test]
fn a_remote_takes_its_mesh_settings_from_the_primary_that_serves_it() {
    // A remote runs no istiod: its proxies get the mesh config of the primary named by its
    // istio-system annotation ("Set the control plane cluster for cluster2").
    let temp = tempfile::tempdir().unwrap();
    let workload = |ns: &str| {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web, namespace: {ns}}}\nspec:\n  selector: {{matchLabels: {{app: web}}}}\n  template:\n    metadata: {{labels: {{app: web}}}}\n    spec: {{containers: [{{name: web, image: web}}]}}\n"
        )
    };
    let primary_values = |domain: &str| {
        format!(
            "global: {{meshID: m, network: n}}\nmeshConfig:\n  trustDomain: {domain}\n  outboundTrafficPolicy: {{mode: REGISTRY_ONLY}}\n"
        )
    };
    common::write_files(
        temp.path(),
        &[
            ("mesh.yaml", "# marks the repository root\n"),
            (
                "clusters/a-eu/istio/values.yaml",
                &primary_values("eu.example"),
            ),
            ("clusters/a-eu/web.yaml", &workload("shop")),
            (
                "clusters/hq/istio/values.yaml",
                &primary_values("hq.example"),
            ),
            ("clusters/hq/web.yaml", &workload("shop")),
            (
                "clusters/us/istio/values.yaml",
                "profile: remote\nglobal: {remotePilotAddress: ew.hq.example}\n",
            ),
            (
                "clusters/us/istio-system.yaml",
                "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: istio-system\n  annotations: {topology.istio.io/controlPlaneClusters: hq}\n",
            ),
            ("clusters/us/web.yaml", &workload("shop")),
        ],
    );
    let loaded = meshwright::policy::load(&[temp.path().to_path_buf()], None).unwrap();
    let us = loaded.models.iter().find(|m| m.cluster == "us").unwrap();
    assert_eq!(us.trust_domain, "hq.example");
    assert!(us.registry_only);
}
