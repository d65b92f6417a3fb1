//! MW403: a DestinationRule whose `host` is neither a Service nor a ServiceEntry host.
//!
//! Istio applies a DestinationRule only to hosts in its service registry; one for an unknown
//! host (often a typo, or a short name resolved in the wrong namespace) configures nothing,
//! so the TLS mode, load balancing and outlier detection it promises never apply. Wildcard
//! hosts, and hosts in namespaces the repository writes nothing to, are not judged.

use crate::analyze::refs::{egress_owned, is_istio, namespace_of};
use crate::analyze::{Cluster, Rule};
use crate::findings::{Code, Finding, Severity};

/// `destination-rule-unknown-host`
pub static CODE: Code = Code {
    code: "MW403",
    name: "destination-rule-unknown-host",
    severity: Severity::Warning,
    help: "fix the host (short names resolve in the DestinationRule's namespace) or add the Service or ServiceEntry",
    docs: r#"## What it does
Finds a DestinationRule whose `host` is neither a Kubernetes Service nor a ServiceEntry host
of the cluster. Wildcard hosts, and hosts in namespaces the repository writes nothing to,
are not judged (their Services may be installed by other means), hence a warning.

`istioctl analyze` reports this as IST0174 (UnknownDestinationRuleHost).

## Why is this bad?
Istio applies a DestinationRule only to hosts in its service registry. For an unknown host
(a typo, or a short name resolved in the rule's own namespace instead of the Service's) the
TLS mode, load balancing, connection pool and outlier detection it declares apply to
nothing, silently.

## Example
```yaml
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: ratings
  namespace: istio-system
spec:
  host: ratings          # means ratings.istio-system.svc.cluster.local
  trafficPolicy:
    tls:
      mode: ISTIO_MUTUAL
```

## Use instead
```yaml
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: ratings
  namespace: istio-system
spec:
  host: ratings.shop.svc.cluster.local
  trafficPolicy:
    tls:
      mode: ISTIO_MUTUAL
```
"#,
};

pub static RULE: Rule = Rule { code: &CODE, check };

fn check(cluster: &Cluster) -> Vec<Finding> {
    let registry = &cluster.lookups.registry;
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
                && !egress_owned(cluster.model, registry, &host);
            unknown.then(|| {
                Finding::new(
                    &CODE,
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
