//! `meshwright validate` over every file of Istio's own `samples/` (written by the Istio
//! project, copied unmodified into upstream/): each file validates clean or gets
//! exactly the findings an Istio engineer would agree with — an API version no longer
//! served, a kind whose CRD is not embedded, a Helm chart, a tool's configuration, a
//! placeholder name — never a crash or a wall of schema errors.

mod common;

use std::path::Path;

use common::{findings_of, validate_json};

/// Every finding expected in the samples: code, file below `samples/`, line.
const EXPECTED: &[(&str, &str, u64)] = &[
    // PodMonitor's CRD is not among the embedded Prometheus Operator CRDs: a warning (a
    // custom group meshwright does not embed whole).
    ("MW104", "addons/extras/prometheus-operator.yaml", 2),
    ("MW105", "ambient-argo/tag-chart/Chart.yaml", 1),
    (
        "MW106",
        "ambient-argo/tag-chart/templates/mutatingwebhooks.yaml",
        1,
    ),
    (
        "MW106",
        "ambient-argo/tag-chart/templates/shimservice.yaml",
        1,
    ),
    (
        "MW106",
        "ambient-argo/tag-chart/templates/validatingwebhook.yaml",
        1,
    ),
    ("MW105", "ambient-argo/tag-chart/values.yaml", 1),
    // IstioOperator is istioctl input since the in-cluster operator was removed.
    ("MW105", "bookinfo/demo-profile-no-gateways.yaml", 2),
    // The samples are applied one at a time; together, four of them put host `*` on port 80
    // of the same `istio: ingressgateway` (MW604 warning; istioctl analyze reports the same,
    // IST0145): cert-manager-gateway, helloworld-gateway, httpbin-gateway, tornado-gateway.
    ("MW604", "bookinfo/networking/certmanager-gateway.yaml", 15),
    // TLS origination to www.googleapis.com with no caCertificates: verified only against
    // the proxy's system roots (MW406 warning; istioctl analyze reports the same, IST0128).
    (
        "MW406",
        "bookinfo/networking/egress-rule-google-apis.yaml",
        46,
    ),
    // The fault-injection sample's second rule follows a rule without match, which takes
    // every request (istioctl's validation warns the same, IST0130).
    (
        "MW614",
        "bookinfo/networking/fault-injection-details-v1.yaml",
        18,
    ),
    // cert-manager's pre-1.0 API group.
    (
        "MW107",
        "bookinfo/platform/kube/bookinfo-certificate.yaml",
        2,
    ),
    (
        "MW107",
        "bookinfo/platform/kube/bookinfo-certificate.yaml",
        19,
    ),
    // An OpenAPI document, not a manifest.
    ("MW105", "bookinfo/swagger.yaml", 1),
    ("MW105", "cicd/skaffold/skaffold.yaml", 17),
    ("MW604", "helloworld/helloworld-gateway.yaml", 14),
    ("MW604", "httpbin/httpbin-gateway.yaml", 14),
    // The east-west gateway originates SIMPLE TLS to istiod with no caCertificates: istiod's
    // certificate is not signed by the proxy's system roots (MW406 warning; istioctl analyze
    // reports the same, IST0129).
    ("MW406", "multicluster/expose-istiod-https.yaml", 69),
    ("MW406", "multicluster/expose-istiod-https.yaml", 76),
    ("MW105", "open-telemetry/loki/iop.yaml", 1),
    // PodSecurityPolicy was removed in Kubernetes 1.25.
    ("MW107", "security/psp/sidecar-psp.yaml", 1),
    // SPIRE's CRDs are not embedded, but security/spire/spire-quickstart.yaml carries them:
    // ClusterSPIFFEID validates against it.
    ("MW105", "security/spire/istio-spire-config.yaml", 1),
    // `name: ${CLUSTER}` is an envsubst placeholder, not a valid name.
    (
        "MW110",
        "security/spire-trust-domain-federation/cluster-federated-trust-domain.yaml",
        4,
    ),
    // The quickstart's ClusterFederatedTrustDomain CRD (an older SPIRE) has no `className`.
    (
        "MW102",
        "security/spire-trust-domain-federation/cluster-federated-trust-domain.yaml",
        6,
    ),
    // SPIRE Helm values.
    (
        "MW105",
        "security/spire-trust-domain-federation/spire-base.yaml",
        1,
    ),
    (
        "MW105",
        "security/spire-trust-domain-federation/spire-east.yaml",
        1,
    ),
    (
        "MW105",
        "security/spire-trust-domain-federation/spire-west.yaml",
        1,
    ),
    // TCPRoute is served as v1 only by Gateway API 1.6.
    ("MW107", "tcp-echo/gateway-api/tcp-echo-20-v2.yaml", 1),
    ("MW107", "tcp-echo/gateway-api/tcp-echo-all-v1.yaml", 39),
    ("MW604", "websockets/route.yaml", 14),
];

#[test]
fn istio_samples_validate_clean_or_with_the_expected_findings() {
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("upstream/istio/samples");
    assert!(samples.is_dir(), "{} is missing", samples.display());
    let (code, report) = validate_json(&samples, &[]);
    assert_eq!(code, 1, "{report:#}");
    let found: Vec<(String, String, u64)> = findings_of(&report)
        .into_iter()
        .map(|(code, file, line, _)| (code, file, line))
        .collect();
    let expected: Vec<(String, String, u64)> = EXPECTED
        .iter()
        .map(|(code, file, line)| (code.to_string(), file.to_string(), *line))
        .collect();
    assert_eq!(found, expected, "{report:#}");
    assert_eq!(report["summary"]["files"], 138);
    assert!(report["summary"]["objects"].as_u64().unwrap() > 300);
}
