//! kustomize's transformer configuration: the field specs (`field_specs::FieldSpec`) saying
//! where each transformer writes. The built-in ones are
//! extended per kustomization by `configurations:` files and by the name references
//! `crds:` declare — how users teach kustomize their custom kinds. A configuration merges
//! upward along the build as kustomize's accumulator merges it: what a base declares also
//! applies in the overlays that include it.

use std::sync::OnceLock;

use super::error::KustomizeError;
use super::field_specs::{FieldSpec, Gvk, check_path_depth};
use super::kustomization::{Kustomization, check_keys};
use super::loader::Loader;
use super::restrict::confined;
use crate::manifest::{Node, Value};

/// A custom kind's references to objects of the kind `gvk`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameBackReference {
    pub gvk: Gvk,
    pub referrers: Vec<FieldSpec>,
}

/// The field specs of every transformer. The prefix, suffix, image, var and replica lists start
/// from kustomize's built-in specs (those transformers walk them); the others hold only
/// what configurations and CRDs add, on top of the built-in fields `name_refs` and
/// `transform` know.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransformerConfig {
    pub name_prefix: Vec<FieldSpec>,
    pub name_suffix: Vec<FieldSpec>,
    pub images: Vec<FieldSpec>,
    pub var_reference: Vec<FieldSpec>,
    pub name_reference: Vec<NameBackReference>,
    pub common_labels: Vec<FieldSpec>,
    pub common_annotations: Vec<FieldSpec>,
    pub namespace: Vec<FieldSpec>,
    pub replicas: Vec<FieldSpec>,
    /// Where every `labels:` entry writes, beside `metadata/labels`.
    pub labels: Vec<FieldSpec>,
    /// Where `labels:` entries with `includeTemplates` write, beside pod templates.
    pub template_labels: Vec<FieldSpec>,
}

/// The keys of a configuration file.
const CONFIG_KEYS: [&str; 11] = [
    "namePrefix",
    "nameSuffix",
    "images",
    "varReference",
    "nameReference",
    "commonLabels",
    "commonAnnotations",
    "namespace",
    "replicas",
    "labels",
    "templateLabels",
];

impl TransformerConfig {
    /// kustomize's default configuration, for the lists kept here.
    pub fn builtin() -> TransformerConfig {
        static BUILTIN: OnceLock<TransformerConfig> = OnceLock::new();
        BUILTIN.get_or_init(TransformerConfig::make_builtin).clone()
    }

    fn make_builtin() -> TransformerConfig {
        let mut config = TransformerConfig {
            name_prefix: vec![FieldSpec::builtin("", "metadata/name")],
            name_suffix: vec![FieldSpec::builtin("", "metadata/name")],
            images: [
                "spec/containers[]/image",
                "spec/initContainers[]/image",
                "spec/template/spec/containers[]/image",
                "spec/template/spec/initContainers[]/image",
            ]
            .iter()
            .map(|path| FieldSpec {
                create: true,
                ..FieldSpec::builtin("", path)
            })
            .collect(),
            var_reference: builtin_var_references(),
            replicas: [
                "Deployment",
                "ReplicationController",
                "ReplicaSet",
                "StatefulSet",
            ]
            .iter()
            .map(|kind| FieldSpec {
                create: true,
                ..FieldSpec::builtin(kind, "spec/replicas")
            })
            .collect(),
            ..TransformerConfig::default()
        };
        config.sort();
        config
    }

    /// The built-in configuration merged with the kustomization's `configurations:` files
    /// and the references its `crds:` declare.
    pub fn load(
        kustomization: &Kustomization,
        loader: &Loader,
    ) -> Result<TransformerConfig, KustomizeError> {
        let files = kustomization.string_list("configurations")?;
        if files.is_empty() {
            return Ok(TransformerConfig::builtin());
        }
        let mut custom = TransformerConfig::default();
        for (entry, node) in files {
            for document in read_file(kustomization, entry, node, loader)? {
                custom.merge(&TransformerConfig::parse(&document)?, &document)?;
            }
        }
        let mut config = TransformerConfig::builtin();
        config.merge(
            &custom,
            kustomization
                .field("configurations")
                .unwrap_or(&kustomization.root),
        )?;
        Ok(config)
    }

    fn parse(document: &Node) -> Result<TransformerConfig, KustomizeError> {
        if document.is_null() {
            return Ok(TransformerConfig::default());
        }
        known_keys_ignoring_case(document, &CONFIG_KEYS, "a transformer configuration")?;
        let specs = |key: &str| -> Result<Vec<FieldSpec>, KustomizeError> {
            list(document, key)?.iter().map(parse_spec).collect()
        };
        let name_reference = list(document, "nameReference")?
            .iter()
            .map(|entry| {
                known_keys_ignoring_case(
                    entry,
                    &["group", "version", "kind", "fieldSpecs"],
                    "a nameReference entry",
                )?;
                Ok(NameBackReference {
                    gvk: parse_gvk(entry)?,
                    referrers: list(entry, "fieldSpecs")?
                        .iter()
                        .map(parse_spec)
                        .collect::<Result<_, _>>()?,
                })
            })
            .collect::<Result<_, KustomizeError>>()?;
        let mut config = TransformerConfig {
            name_prefix: specs("namePrefix")?,
            name_suffix: specs("nameSuffix")?,
            images: specs("images")?,
            var_reference: specs("varReference")?,
            name_reference,
            common_labels: specs("commonLabels")?,
            common_annotations: specs("commonAnnotations")?,
            namespace: specs("namespace")?,
            replicas: specs("replicas")?,
            labels: specs("labels")?,
            template_labels: specs("templateLabels")?,
        };
        config.sort();
        Ok(config)
    }

    /// kustomize's `TransformerConfig.Merge`: specs another already covers are dropped,
    /// references to the same kind pool their field specs, and every list is sorted by kind.
    /// `origin` names what is merged, for a conflict.
    pub fn merge(
        &mut self,
        other: &TransformerConfig,
        origin: &Node,
    ) -> Result<(), KustomizeError> {
        if self == other {
            // Every spec covers itself: nothing changes (the common case of a base and an
            // overlay that both use the built-in configuration).
            return Ok(());
        }
        let conflict = |_| {
            KustomizeError::at(
                &origin.origin,
                "conflicting field specs: the same path once with `create` and once without",
            )
        };
        // `spec_lists` lends the lists mutably; a copy of the incoming ones costs little next
        // to comparing every pair of specs.
        let mut theirs = other.clone();
        for (known, incoming) in self.spec_lists().into_iter().zip(theirs.spec_lists()) {
            merge_specs(known, incoming).map_err(conflict)?;
        }
        for incoming in &other.name_reference {
            match self
                .name_reference
                .iter_mut()
                .find(|known| known.gvk == incoming.gvk)
            {
                Some(known) => {
                    merge_specs(&mut known.referrers, &incoming.referrers).map_err(conflict)?
                }
                None => self.name_reference.push(incoming.clone()),
            }
        }
        self.sort();
        Ok(())
    }

    /// Every list of field specs (the name references aside).
    fn spec_lists(&mut self) -> [&mut Vec<FieldSpec>; 10] {
        [
            &mut self.name_prefix,
            &mut self.name_suffix,
            &mut self.images,
            &mut self.var_reference,
            &mut self.common_labels,
            &mut self.common_annotations,
            &mut self.namespace,
            &mut self.replicas,
            &mut self.labels,
            &mut self.template_labels,
        ]
    }

    fn sort(&mut self) {
        for specs in self.spec_lists() {
            specs.sort_by_cached_key(|spec| spec.gvk.order());
        }
        self.name_reference
            .sort_by_cached_key(|reference| reference.gvk.order());
    }
}

/// Appends the specs of `incoming` no spec of `known` covers; `Err` on a conflict.
fn merge_specs(known: &mut Vec<FieldSpec>, incoming: &[FieldSpec]) -> Result<(), ()> {
    for spec in incoming {
        match known.iter().find(|k| k.covers(spec)) {
            Some(k) if k.create != spec.create => return Err(()),
            Some(_) => {}
            None => known.push(spec.clone()),
        }
    }
    Ok(())
}

/// The documents of a file a kustomization names, read through the load restrictor.
pub fn read_file(
    kustomization: &Kustomization,
    entry: &str,
    node: &Node,
    loader: &Loader,
) -> Result<Vec<Node>, KustomizeError> {
    let path = confined(&kustomization.dir, &kustomization.dir.join(entry))
        .map_err(|why| KustomizeError::at(&node.origin, format!("{entry}: {why}")))?;
    Ok(loader.load(&path)?)
}

/// kustomize's `varReference` built-ins: container arguments, commands, environment values
/// and mount paths of every workload, NFS servers, Service ports, Ingress hosts, labels and
/// annotations.
fn builtin_var_references() -> Vec<FieldSpec> {
    let mut specs = Vec::new();
    let workloads = [
        (
            "CronJob",
            "spec/jobTemplate/spec/template/spec",
            "spec/jobTemplate/spec/template/volumes/nfs/server",
        ),
        (
            "DaemonSet",
            "spec/template/spec",
            "spec/template/spec/volumes/nfs/server",
        ),
        (
            "Deployment",
            "spec/template/spec",
            "spec/template/spec/volumes/nfs/server",
        ),
        (
            "Job",
            "spec/template/spec",
            "spec/template/spec/volumes/nfs/server",
        ),
        ("Pod", "spec", "spec/volumes/nfs/server"),
        (
            "ReplicaSet",
            "spec/template/spec",
            "spec/template/spec/volumes/nfs/server",
        ),
        (
            "StatefulSet",
            "spec/template/spec",
            "spec/volumeClaimTemplates/spec/nfs/server",
        ),
    ];
    for (kind, pod_spec, nfs_server) in workloads {
        for list in ["containers", "initContainers"] {
            for field in ["args", "command", "env/value", "volumeMounts/mountPath"] {
                specs.push(FieldSpec::builtin(
                    kind,
                    &format!("{pod_spec}/{list}/{field}"),
                ));
            }
        }
        specs.push(FieldSpec::builtin(kind, nfs_server));
    }
    for (kind, path) in [
        ("Deployment", "spec/template/metadata/annotations"),
        ("Ingress", "spec/rules/host"),
        ("Ingress", "spec/tls/hosts"),
        ("Ingress", "spec/tls/secretName"),
        ("Service", "spec/ports/port"),
        ("Service", "spec/ports/targetPort"),
        ("PersistentVolume", "spec/nfs/server"),
        ("", "metadata/labels"),
        ("", "metadata/annotations"),
    ] {
        specs.push(FieldSpec::builtin(kind, path));
    }
    specs
}

/// The value of `key` in the mapping `node`, the key's case ignored (kustomize decodes its
/// files with Go's JSON decoder, which matches field names so).
pub fn field<'n>(node: &'n Node, key: &str) -> Option<&'n Node> {
    node.as_map()?
        .iter()
        .rev()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

/// The string at `key` (empty when absent).
pub fn text(node: &Node, key: &str) -> Result<String, KustomizeError> {
    match field(node, key).map(|n| &n.value) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(KustomizeError::at(
            &field(node, key).expect("present").origin,
            format!("`{key}` must be a string"),
        )),
    }
}

fn list<'n>(node: &'n Node, key: &str) -> Result<&'n [Node], KustomizeError> {
    match field(node, key) {
        None => Ok(&[]),
        Some(n) if n.is_null() => Ok(&[]),
        Some(n) => n
            .as_seq()
            .ok_or_else(|| KustomizeError::at(&n.origin, format!("`{key}` must be a list"))),
    }
}

/// A field spec of a configuration file: kustomize decodes these strictly (unknown keys
/// refused, `create` a boolean), the case of keys ignored.
pub fn parse_spec(node: &Node) -> Result<FieldSpec, KustomizeError> {
    known_keys_ignoring_case(
        node,
        &["group", "version", "kind", "path", "create"],
        "a field spec",
    )?;
    let create = match field(node, "create").map(|n| &n.value) {
        None | Some(Value::Null) => false,
        Some(Value::Bool(create)) => *create,
        Some(_) => {
            return Err(KustomizeError::at(
                &node.origin,
                "a field spec's `create` must be true or false",
            ));
        }
    };
    let path = text(node, "path")?;
    check_path_depth(&path, node)?;
    Ok(FieldSpec {
        gvk: parse_gvk(node)?,
        path,
        create,
    })
}

/// A selector's `group`, `version` and `kind`.
fn parse_gvk(node: &Node) -> Result<Gvk, KustomizeError> {
    Ok(Gvk {
        group: text(node, "group")?,
        version: text(node, "version")?,
        kind: text(node, "kind")?,
    })
}

/// `known_keys`, comparing keys as kustomize's decoder does: case ignored.
pub fn known_keys_ignoring_case(
    node: &Node,
    allowed: &[&str],
    what: &str,
) -> Result<(), KustomizeError> {
    check_keys(node, what, |key| {
        allowed.iter().any(|known| known.eq_ignore_ascii_case(key))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kustomize::test_support::yaml;

    #[test]
    fn a_custom_spec_sorted_before_the_builtin_one_replaces_it() {
        // kustomize sorts the merged list by kind and drops a later spec an earlier one
        // covers, so `metadata/name` for ConfigMaps pushes out the one for every kind.
        let custom = TransformerConfig::parse(&yaml(
            "namePrefix:\n- path: metadata/name\n  kind: ConfigMap\n",
        ))
        .expect("parses");
        let mut merged = TransformerConfig::builtin();
        merged.merge(&custom, &yaml("a: b")).expect("merges");
        let mut accumulated = TransformerConfig::default();
        accumulated.merge(&merged, &yaml("a: b")).expect("merges");
        let kinds: Vec<&str> = accumulated
            .name_prefix
            .iter()
            .map(|spec| spec.gvk.kind.as_str())
            .collect();
        assert_eq!(kinds, ["ConfigMap"]);
    }
}
