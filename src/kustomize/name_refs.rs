//! Name-reference fix-ups: when a transformer renames or moves an object (prefix, suffix,
//! namespace, generator hash), every reference to it from another object follows — pod
//! specs to ConfigMaps, Secrets, ServiceAccounts and claims, ServiceAccounts to image pull
//! Secrets, roles to the ConfigMaps and Secrets of their `resourceNames`, bindings to roles
//! and subjects, Ingresses to Services (not IngressClasses: kustomize's entry for them
//! names the group `networking.k8s.io/v1` and never matches), webhooks and APIServices to
//! Services, admission policy bindings to policies, claims and volumes to StorageClasses,
//! pods to PriorityClasses, autoscalers to workloads — and the references a
//! `configurations:` file or a CRD declares for custom kinds.

use std::cell::RefCell;

use super::error::KustomizeError;
use super::field_specs::{is_cluster_scoped, pod_spec_path};
use super::history::{affixes, id_stored, previous_ids};
use super::transformer_config::NameBackReference;
use crate::manifest::{Node, Origin, Value};

/// An object's identity before and after this level's transformers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

impl Identity {
    pub fn of(object: &Node) -> Identity {
        let text = |path: &[&str]| object.str_at(path).unwrap_or_default().to_string();
        Identity {
            kind: text(&["kind"]),
            namespace: text(&["metadata", "namespace"]),
            name: text(&["metadata", "name"]),
        }
    }
}

/// An object a reference may mean: the identities it had (a reference may name any of them),
/// the first of them, the one it has now, and the prefixes and suffixes added to its name.
struct Candidate {
    known: Vec<Identity>,
    original: Identity,
    current: Identity,
    prefixes: Vec<String>,
    suffixes: Vec<String>,
}

/// Rewrites references in `objects` to objects whose identity changed since `before`
/// (one identity per object, same order): the built-in ones and the `custom` ones.
pub fn fix_references(
    objects: &mut [Node],
    before: &[Identity],
    custom: &[NameBackReference],
) -> Result<(), KustomizeError> {
    let candidates: Vec<Candidate> = objects
        .iter()
        .zip(before)
        .map(|(object, before)| Candidate {
            known: vec![before.clone()],
            original: before.clone(),
            current: Identity::of(object),
            prefixes: Vec::new(),
            suffixes: Vec::new(),
        })
        .filter(|c| c.original != c.current)
        .collect();
    if candidates.is_empty() {
        return Ok(());
    }
    resolve(objects, &candidates, custom)
}

/// kustomize's one back-reference fix at the end of a build: a reference naming any
/// identity an object had follows it to its current one (objects never renamed, nor visited
/// by a namespace, prefix or suffix, are no candidates: kustomize stored no identity of
/// theirs). Among several such objects the
/// ones in the referrer's namespace, then the ones whose prefixes and suffixes agree with the
/// referrer's count; if more than one differing object remains, the build fails as
/// kustomize's does ("found multiple possible referrals").
pub fn fix_all_references(
    objects: &mut [Node],
    custom: &[NameBackReference],
) -> Result<(), KustomizeError> {
    let candidates: Vec<Candidate> = objects
        .iter()
        .map(|object| {
            let current = Identity::of(object);
            let known: Vec<Identity> = previous_ids(object)
                .into_iter()
                .map(Identity::from)
                .collect();
            let (prefixes, suffixes) = affixes(object);
            Candidate {
                original: known.first().cloned().unwrap_or_else(|| current.clone()),
                known,
                current,
                prefixes,
                suffixes,
            }
        })
        .zip(objects.iter())
        .filter(|(c, object)| id_stored(object) || c.known.iter().any(|id| *id != c.current))
        .map(|(candidate, _)| candidate)
        .collect();
    resolve(objects, &candidates, custom)
}

fn resolve(
    objects: &mut [Node],
    candidates: &[Candidate],
    custom: &[NameBackReference],
) -> Result<(), KustomizeError> {
    for object in objects.iter_mut() {
        let referrer = Identity::of(object);
        let (prefixes, suffixes) = affixes(object);
        let mut resolver = Resolver {
            candidates,
            referrer: &referrer,
            prefixes,
            suffixes,
            ambiguity: RefCell::new(None),
        };
        resolver.fix_object(object);
        let origin = object.origin.clone();
        for reference in custom {
            for spec in &reference.referrers {
                spec.apply(object, None, &mut |node| {
                    resolver.rename_any(node, &reference.gvk.kind);
                    Ok(())
                })
                .map_err(|why| {
                    KustomizeError::at(&origin, format!("updating a name reference: {why}"))
                })?;
            }
        }
        if let Some(error) = resolver.ambiguity.into_inner() {
            return Err(error);
        }
    }
    Ok(())
}

/// kustomize's `SameEndingSubSlice`: the shorter list is the end of the longer one (two
/// empty lists agree, an empty one agrees with no other).
fn same_ending(a: &[String], b: &[String]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.is_empty() {
        return long.is_empty();
    }
    long.ends_with(short)
}

struct Resolver<'a> {
    candidates: &'a [Candidate],
    /// The referring object as it is now, and the prefixes and suffixes added to its name.
    referrer: &'a Identity,
    prefixes: Vec<String>,
    suffixes: Vec<String>,
    /// The first reference that means several objects (kustomize refuses the build).
    ambiguity: RefCell<Option<KustomizeError>>,
}

impl Resolver<'_> {
    /// kustomize's `PrefixesSuffixesEquals`: with `allow_empty`, an empty list agrees with
    /// any.
    fn affixes_agree(&self, candidate: &Candidate, allow_empty: bool) -> bool {
        let agree = |theirs: &[String], ours: &[String]| {
            (allow_empty && (theirs.is_empty() || ours.is_empty())) || same_ending(theirs, ours)
        };
        agree(&candidate.prefixes, &self.prefixes) && agree(&candidate.suffixes, &self.suffixes)
    }

    /// kustomize's `selectReferral`: the object a reference to `kind`/`name` (at `at`) means;
    /// `mapping` when the reference is a `{name, namespace}` mapping, which takes both from
    /// the object (and its `namespace`, if any, narrows the candidates). As in kustomize, a
    /// namespaced object is only referred to from its own (current) namespace (`""` and
    /// `default` are the same), except ServiceAccounts and references from cluster-scoped
    /// objects.
    fn select(
        &self,
        kind: &str,
        name: &str,
        mapping: Option<Option<&str>>,
        at: &Origin,
    ) -> Option<&Identity> {
        let effective = |ns: &str| if ns.is_empty() { "default" } else { ns }.to_string();
        let any_namespace = is_cluster_scoped(kind)
            || kind == "ServiceAccount"
            || is_cluster_scoped(&self.referrer.kind);
        let mut found: Vec<&Candidate> = self
            .candidates
            .iter()
            .filter(|c| c.known.iter().any(|id| id.kind == kind && id.name == name))
            .filter(|c| {
                any_namespace
                    || effective(&c.current.namespace) == effective(&self.referrer.namespace)
            })
            .collect();
        if let Some(Some(namespace)) = mapping {
            // kustomize groups candidates by original namespace, else by current one.
            let in_original = |c: &&Candidate| effective(&c.original.namespace) == namespace;
            if found.iter().any(in_original) {
                found.retain(in_original);
            } else {
                found.retain(|c| effective(&c.current.namespace) == namespace);
            }
        }
        if found.len() > 1 {
            found.retain(|c| self.affixes_agree(c, true));
        }
        if found.len() > 1 {
            found.retain(|c| self.affixes_agree(c, false));
        }
        let first = &found.first()?.current;
        let identical = found.iter().all(|c| {
            c.current.name == first.name
                && (mapping.is_none() || c.current.namespace == first.namespace)
        });
        if !identical {
            let ids: Vec<String> = found
                .iter()
                .map(|c| match c.current.namespace.as_str() {
                    "" => format!("{}/{}", c.current.kind, c.current.name),
                    ns => format!("{}/{}.{ns}", c.current.kind, c.current.name),
                })
                .collect();
            let message = format!(
                "`{name}` may refer to several {kind} objects (kustomize fails with \"found \
                 multiple possible referrals\"): {}",
                ids.join(", ")
            );
            self.ambiguity
                .borrow_mut()
                .get_or_insert_with(|| KustomizeError::at(at, message));
            return None;
        }
        Some(first)
    }

    /// Renames the string at `path` below `node` if it names a renamed `kind`.
    fn rename_at(&self, node: &mut Node, path: &[&str], kind: &str) {
        if let Some(target) = node.at_mut(path)
            && let Value::String(name) = &target.value
            && let Some(after) = self.select(kind, name, None, &target.origin)
        {
            target.value = Value::String(after.name.clone());
        }
    }

    /// kustomize's name reference filter on a field a custom reference names: a name, a
    /// `{name, namespace}` mapping, or a list of either.
    fn rename_any(&self, node: &mut Node, kind: &str) {
        match &mut node.value {
            Value::String(_) => self.rename_at(node, &[], kind),
            Value::Seq(items) => {
                for item in items {
                    self.rename_any(item, kind);
                }
            }
            Value::Map(_) => {
                let name = node.str_at(&["name"]).unwrap_or_default().to_string();
                let namespace = node.str_at(&["namespace"]);
                let found = self.select(kind, &name, Some(namespace), &node.origin);
                if let Some(after) = found {
                    let origin = node.origin.clone();
                    node.set("name", Node::string(after.name.clone(), origin.clone()));
                    if !after.namespace.is_empty() {
                        node.set("namespace", Node::string(after.namespace.clone(), origin));
                    }
                }
            }
            _ => {}
        }
    }

    fn each<'n>(node: &'n mut Node, key: &str) -> impl Iterator<Item = &'n mut Node> {
        node.get_mut(key)
            .and_then(Node::as_seq_mut)
            .into_iter()
            .flatten()
    }

    fn fix_object(&mut self, object: &mut Node) {
        let kind = object.str_at(&["kind"]).unwrap_or_default().to_string();
        if let Some(path) = pod_spec_path(&kind)
            && let Some(pod_spec) = object.at_mut(path)
        {
            self.fix_pod_spec(pod_spec);
            // kustomize's PriorityClass references leave out ReplicaSets.
            if kind != "ReplicaSet" {
                self.rename_at(pod_spec, &["priorityClassName"], "PriorityClass");
            }
        }
        match kind.as_str() {
            "RoleBinding" | "ClusterRoleBinding" => self.fix_binding(object),
            "Ingress" => self.fix_ingress(object),
            "StatefulSet" => {
                self.rename_at(object, &["spec", "serviceName"], "Service");
                if let Some(spec) = object.get_mut("spec") {
                    for claim in Self::each(spec, "volumeClaimTemplates") {
                        self.rename_at(claim, &["spec", "storageClassName"], "StorageClass");
                    }
                }
            }
            "Role" | "ClusterRole" => self.fix_role(object),
            "ServiceAccount" => {
                for secret in Self::each(object, "imagePullSecrets") {
                    self.rename_at(secret, &["name"], "Secret");
                }
            }
            "ValidatingAdmissionPolicyBinding" => {
                self.rename_at(object, &["spec", "policyName"], "ValidatingAdmissionPolicy")
            }
            "ValidatingWebhookConfiguration" | "MutatingWebhookConfiguration" => {
                for webhook in Self::each(object, "webhooks") {
                    if let Some(service) = webhook.at_mut(&["clientConfig", "service"]) {
                        self.fix_name_and_namespace(service, "Service");
                    }
                }
            }
            "APIService" => self.rename_at(object, &["spec", "service", "name"], "Service"),
            "PersistentVolume" => {
                self.rename_at(object, &["spec", "storageClassName"], "StorageClass")
            }
            "PersistentVolumeClaim" => {
                self.rename_at(object, &["spec", "storageClassName"], "StorageClass");
                self.rename_at(object, &["spec", "volumeName"], "PersistentVolume");
            }
            "HorizontalPodAutoscaler" => {
                let target = object
                    .str_at(&["spec", "scaleTargetRef", "kind"])
                    .unwrap_or_default()
                    .to_string();
                self.rename_at(object, &["spec", "scaleTargetRef", "name"], &target);
            }
            _ => {}
        }
    }

    fn fix_pod_spec(&self, pod_spec: &mut Node) {
        self.rename_at(pod_spec, &["serviceAccountName"], "ServiceAccount");
        self.rename_at(pod_spec, &["serviceAccount"], "ServiceAccount");
        for secret in Self::each(pod_spec, "imagePullSecrets") {
            self.rename_at(secret, &["name"], "Secret");
        }
        for volume in Self::each(pod_spec, "volumes") {
            self.rename_at(volume, &["configMap", "name"], "ConfigMap");
            self.rename_at(volume, &["secret", "secretName"], "Secret");
            self.rename_at(
                volume,
                &["persistentVolumeClaim", "claimName"],
                "PersistentVolumeClaim",
            );
            if let Some(projected) = volume.get_mut("projected") {
                for source in Self::each(projected, "sources") {
                    self.rename_at(source, &["configMap", "name"], "ConfigMap");
                    self.rename_at(source, &["secret", "name"], "Secret");
                }
            }
        }
        for list in ["containers", "initContainers"] {
            for container in Self::each(pod_spec, list) {
                for env in Self::each(container, "env") {
                    self.rename_at(env, &["valueFrom", "configMapKeyRef", "name"], "ConfigMap");
                    self.rename_at(env, &["valueFrom", "secretKeyRef", "name"], "Secret");
                }
                for source in Self::each(container, "envFrom") {
                    self.rename_at(source, &["configMapRef", "name"], "ConfigMap");
                    self.rename_at(source, &["secretRef", "name"], "Secret");
                }
            }
        }
    }

    fn fix_binding(&self, binding: &mut Node) {
        let role_kind = binding
            .str_at(&["roleRef", "kind"])
            .unwrap_or_default()
            .to_string();
        self.rename_at(binding, &["roleRef", "name"], &role_kind);
        // kustomize matches subjects by name whatever their kind (a User named like a
        // moved ServiceAccount follows it too); reproduced for identical output.
        for subject in Self::each(binding, "subjects") {
            self.fix_name_and_namespace(subject, "ServiceAccount");
        }
    }

    /// A `{name, namespace}` reference (a binding subject, a webhook's service): both follow
    /// the renamed object; a given namespace must be the object's before or after.
    fn fix_name_and_namespace(&self, reference: &mut Node, kind: &str) {
        let name = reference.str_at(&["name"]).unwrap_or_default().to_string();
        let namespace = reference.str_at(&["namespace"]);
        let found = self.select(kind, &name, Some(namespace), &reference.origin);
        if let Some(after) = found {
            let origin = reference.origin.clone();
            reference.set("name", Node::string(after.name.clone(), origin.clone()));
            if !after.namespace.is_empty() {
                reference.set("namespace", Node::string(after.namespace.clone(), origin));
            }
        }
    }

    /// kustomize renames ConfigMaps and Secrets named in any rule's `resourceNames`,
    /// whatever resources the rule is about.
    fn fix_role(&self, role: &mut Node) {
        for rule in Self::each(role, "rules") {
            for resource_name in Self::each(rule, "resourceNames") {
                self.rename_at(resource_name, &[], "ConfigMap");
                self.rename_at(resource_name, &[], "Secret");
            }
        }
    }

    fn fix_ingress(&self, ingress: &mut Node) {
        let Some(spec) = ingress.get_mut("spec") else {
            return;
        };
        self.rename_at(spec, &["defaultBackend", "service", "name"], "Service");
        // extensions/v1beta1 Ingresses name their Services so.
        self.rename_at(spec, &["backend", "serviceName"], "Service");
        for tls in Self::each(spec, "tls") {
            self.rename_at(tls, &["secretName"], "Secret");
        }
        for rule in Self::each(spec, "rules") {
            if let Some(http) = rule.get_mut("http") {
                for path in Self::each(http, "paths") {
                    self.rename_at(path, &["backend", "service", "name"], "Service");
                    self.rename_at(path, &["backend", "serviceName"], "Service");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::same_ending;

    #[test]
    fn affix_lists_agree_when_one_ends_the_other() {
        let list = |items: &[&str]| items.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(same_ending(&list(&["pfx-", "a-"]), &list(&["a-"])));
        assert!(same_ending(&list(&[]), &list(&[])));
        assert!(!same_ending(&list(&["pfx-", "a-"]), &list(&["pfx-"])));
        assert!(!same_ending(&list(&["-private"]), &list(&[])));
    }
}
