//! MW403: a DestinationRule whose `host` is neither a Service nor a ServiceEntry host.
//!
//! Istio applies a DestinationRule only to hosts in its service registry; one for an unknown
//! host (often a typo, or a short name resolved in the wrong namespace) configures nothing,
//! so the TLS mode, load balancing and outlier detection it promises never apply. Wildcard
//! hosts, and hosts in namespaces the repository writes nothing to, are not judged.

use crate::analyze::refs::{Registry, egress_owned, is_istio, namespace_of};
use crate::analyze::{Cluster, Rule};
use crate::findings::{Finding, codes};

pub static RULE: Rule = Rule {
    code: &codes::DESTINATION_RULE_UNKNOWN_HOST,
    check,
};

fn check(cluster: &Cluster) -> Vec<Finding> {
    let registry = Registry::read(cluster.objects);
    cluster
        .objects
        .iter()
        .filter(|o| is_istio(o, "DestinationRule"))
        .filter_map(|object| {
            let node = object.at(&["spec", "host"])?;
            let written = node.as_str().filter(|h| !h.contains('*'))?;
            let host = registry.resolve(written, namespace_of(object));
            let unknown = !registry.knows(&host)
                && registry.judges(&host)
                && !egress_owned(cluster.model, &registry, &host);
            unknown.then(|| {
                Finding::new(
                    &codes::DESTINATION_RULE_UNKNOWN_HOST,
                    format!(
                        "host {host} is neither a Service nor a ServiceEntry host in this \
                         cluster; this DestinationRule's traffic policy applies to nothing"
                    ),
                    Some(node.origin.clone()),
                )
                .on(object)
            })
        })
        .collect()
}
