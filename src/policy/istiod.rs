//! istiod's installation settings as multi-cluster wiring reads them, in either form Istio
//! installs from — Helm values of the `istiod`/`base` charts or an IstioOperator — and the
//! `istio-system` annotation that names a remote cluster's control plane.

use crate::manifest::Node;
use crate::policy::ROOT_NAMESPACE;
use crate::policy::cluster::istiod_env;
use crate::policy::workload::scalar;

/// The `istio-system` annotation naming the primaries that control a remote cluster.
pub const CONTROL_PLANE_CLUSTERS: &str = "topology.istio.io/controlPlaneClusters";

/// One cluster's istiod configuration, in either form Istio installs from.
pub struct Istiod<'a> {
    /// The Helm values document or the IstioOperator.
    pub document: &'a Node,
    /// Helm values' top level, or the IstioOperator's `spec.values`.
    values: &'a Node,
    /// `profile` (Helm) or `spec.profile` (IstioOperator).
    pub profile: Option<&'a Node>,
}

impl<'a> Istiod<'a> {
    /// `document` as istiod configuration: Helm values of the `istiod` (or `base`) chart —
    /// a document without `kind` carrying `global`, `meshConfig`, `pilot`, `istiodRemote` or
    /// `profile` — or an IstioOperator.
    pub fn read(document: &'a Node) -> Option<Self> {
        match document.str_at(&["kind"]) {
            None => ["global", "meshConfig", "pilot", "istiodRemote", "profile"]
                .iter()
                .any(|key| document.get(key).is_some())
                .then_some(Istiod {
                    document,
                    values: document,
                    profile: document.get("profile"),
                }),
            Some("IstioOperator") => Some(Istiod {
                document,
                values: document.at(&["spec", "values"]).unwrap_or(document),
                profile: document.at(&["spec", "profile"]),
            }),
            Some(_) => None,
        }
    }

    /// A value under the chart values (`global.network` is `["global", "network"]`).
    pub fn value(&self, path: &[&str]) -> Option<&'a Node> {
        self.values.at(path)
    }

    /// The text of a scalar value under the chart values.
    pub fn text(&self, path: &[&str]) -> Option<String> {
        self.value(path).and_then(scalar).filter(|v| !v.is_empty())
    }

    /// `global.meshID`.
    pub fn mesh_id(&self) -> Option<String> {
        self.text(&["global", "meshID"])
    }

    /// `global.multiCluster.clusterName`.
    pub fn cluster_name(&self) -> Option<String> {
        self.text(&["global", "multiCluster", "clusterName"])
    }

    /// `global.network`.
    pub fn network(&self) -> Option<String> {
        self.text(&["global", "network"])
    }

    /// Whether this installs a remote: the `remote` profile, `istiodRemote.enabled`, or a
    /// `global.remotePilotAddress` (a control plane elsewhere).
    pub fn is_remote(&self) -> bool {
        self.profile.and_then(scalar).as_deref() == Some("remote")
            || self.text(&["istiodRemote", "enabled"]).as_deref() == Some("true")
            || self.text(&["global", "remotePilotAddress"]).is_some()
    }

    /// Whether this istiod also serves remote clusters: `global.externalIstiod: true` or
    /// istiod's `EXTERNAL_ISTIOD` environment variable.
    pub fn serves_remotes(&self) -> bool {
        self.text(&["global", "externalIstiod"]).as_deref() == Some("true")
            || istiod_env(self.document, "EXTERNAL_ISTIOD")
                .and_then(|env| env.value)
                .and_then(scalar)
                .is_some_and(|v| v == "true")
    }
}

/// Whether `document` is istiod configuration that installs a remote cluster.
pub fn installs_remote(document: &Node) -> bool {
    Istiod::read(document).is_some_and(|istiod| istiod.is_remote())
}

/// The clusters the `istio-system` Namespace among `objects` names as its control plane
/// (`topology.istio.io/controlPlaneClusters`, comma-separated).
pub fn control_plane_clusters(objects: &[Node]) -> Vec<String> {
    objects
        .iter()
        .filter(|o| {
            o.str_at(&["kind"]) == Some("Namespace")
                && o.str_at(&["metadata", "name"]) == Some(ROOT_NAMESPACE)
        })
        .filter_map(|o| o.at(&["metadata", "annotations", CONTROL_PLANE_CLUSTERS]))
        .filter_map(scalar)
        .flat_map(|names| {
            names
                .split(',')
                .map(|n| n.trim().to_string())
                .filter(|n| !n.is_empty())
                .collect::<Vec<_>>()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::parse_documents;

    fn node(text: &str) -> Node {
        parse_documents(std::path::Path::new("t.yaml"), text.as_bytes()).unwrap()[0].clone()
    }

    #[test]
    fn istiod_configuration_is_read_from_helm_values_and_istio_operators() {
        let helm = node(
            "profile: remote\nglobal:\n  meshID: m\n  network: n2\n  multiCluster: {clusterName: c2}\n  remotePilotAddress: 10.0.0.1\n",
        );
        let istiod = Istiod::read(&helm).unwrap();
        assert_eq!(istiod.mesh_id().as_deref(), Some("m"));
        assert_eq!(istiod.network().as_deref(), Some("n2"));
        assert_eq!(istiod.cluster_name().as_deref(), Some("c2"));
        assert!(istiod.is_remote());

        let operator = node(
            "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  values:\n    global: {meshID: m, network: n1, externalIstiod: true}\n",
        );
        let istiod = Istiod::read(&operator).unwrap();
        assert_eq!(istiod.network().as_deref(), Some("n1"));
        assert!(!istiod.is_remote());
        assert!(istiod.serves_remotes());

        let env = node("pilot:\n  env: {EXTERNAL_ISTIOD: \"true\"}\n");
        assert!(Istiod::read(&env).unwrap().serves_remotes());
        // The gateway chart's values and other objects are not istiod's.
        assert!(
            Istiod::read(&node("networkGateway: n1\nservice: {type: LoadBalancer}\n")).is_none()
        );
        assert!(Istiod::read(&node("kind: Service\nmetadata: {name: x}\n")).is_none());
    }

    #[test]
    fn a_remote_names_its_control_plane_on_istio_system() {
        let objects = parse_documents(
            std::path::Path::new("t.yaml"),
            b"kind: Namespace\nmetadata:\n  name: istio-system\n  annotations: {topology.istio.io/controlPlaneClusters: \"hq, eu\"}\n---\nkind: Namespace\nmetadata:\n  name: other\n  annotations: {topology.istio.io/controlPlaneClusters: x}\n",
        )
        .unwrap();
        assert_eq!(control_plane_clusters(&objects), ["hq", "eu"]);
        assert!(installs_remote(&node("profile: remote\n")));
        assert!(!installs_remote(&node("global: {network: n1}\n")));
    }
}
