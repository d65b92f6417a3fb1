//! Offline checks of what the API server's admission (and the webhooks of Istio and
//! cert-manager) enforce beyond the schemas: object names, label and annotation syntax,
//! cert-manager durations and issuer references, Istio's PeerAuthentication,
//! AuthorizationPolicy, host and port validation. Each family has its own code so users can
//! ignore one separately.

use crate::findings::{Code, Finding, codes};
use crate::intent::duration::{DurationError, parse_go_nanos};
use crate::manifest::{Node, Value};

/// CRD validation rules (group, kind, the rule's message) these checks already enforce,
/// with their own codes and messages: the CEL pass (`cel`) skips them, so one mistake is
/// one finding.
pub const CRD_RULES_CHECKED_HERE: &[(&str, &str, &str)] = &[
    (
        "security.istio.io",
        "AuthorizationPolicy",
        "only one of targetRefs or selector can be set",
    ),
    (
        "security.istio.io",
        "PeerAuthentication",
        "portLevelMtls requires selector",
    ),
    (
        "security.istio.io",
        "PeerAuthentication",
        "port must be between 1-65535",
    ),
    (
        "networking.istio.io",
        "ServiceEntry",
        "port must be between 1-65535",
    ),
    (
        "networking.istio.io",
        "ServiceEntry",
        "hostname cannot be wildcard",
    ),
];

/// Runs every admission rule that applies to `object`.
pub fn check(object: &Node) -> Vec<Finding> {
    let mut out = Out::default();
    let api_version = object.str_at(&["apiVersion"]).unwrap_or_default();
    let kind = object.str_at(&["kind"]).unwrap_or_default();
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    metadata(object, group, kind, &mut out);
    match (group, kind) {
        ("cert-manager.io", "Certificate") => {
            certificate_durations(object, &mut out);
            issuer_ref(object, &mut out);
        }
        ("cert-manager.io", "CertificateRequest") => issuer_ref(object, &mut out),
        ("security.istio.io", "PeerAuthentication") => peer_authentication(object, &mut out),
        ("security.istio.io", "AuthorizationPolicy") => authorization_policy(object, &mut out),
        ("networking.istio.io", "VirtualService") => virtual_service(object, &mut out),
        ("networking.istio.io", "DestinationRule") => destination_rule(object, &mut out),
        ("networking.istio.io", "ServiceEntry") => service_entry(object, &mut out),
        ("networking.istio.io", "Gateway") => gateway(object, &mut out),
        ("networking.istio.io", "Sidecar") => {
            ports(
                object,
                &[&["spec", "ingress", "*", "port", "number"]],
                &mut out,
            );
            ports(
                object,
                &[&["spec", "egress", "*", "port", "number"]],
                &mut out,
            );
        }
        _ => {}
    }
    out.0
}

#[derive(Default)]
struct Out(Vec<Finding>);

impl Out {
    fn push(&mut self, code: &'static Code, node: &Node, message: String) {
        self.0
            .push(Finding::new(code, message, Some(node.origin.clone())));
    }
}

/// The nodes at `path`, where `*` is every item of a list or value of a mapping.
fn select<'a>(node: &'a Node, path: &[&str]) -> Vec<&'a Node> {
    select_paths(node, path)
        .into_iter()
        .map(|(_, n)| n)
        .collect()
}

/// Like `select`, with each node's display path (`spec.servers[0].port.number`).
fn select_paths<'a>(node: &'a Node, path: &[&str]) -> Vec<(String, &'a Node)> {
    let mut out = Vec::new();
    walk(node, path, String::new(), &mut out);
    out
}

fn walk<'a>(node: &'a Node, path: &[&str], shown: String, out: &mut Vec<(String, &'a Node)>) {
    let Some((first, rest)) = path.split_first() else {
        out.push((shown, node));
        return;
    };
    let join = |key: &str| {
        if shown.is_empty() {
            key.to_string()
        } else {
            format!("{shown}.{key}")
        }
    };
    if *first == "*" {
        match &node.value {
            Value::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(item, rest, format!("{shown}[{i}]"), out);
                }
            }
            Value::Map(entries) => {
                for (key, value) in entries {
                    walk(value, rest, join(key), out);
                }
            }
            _ => {}
        }
    } else if let Some(child) = node.get(first) {
        walk(child, rest, join(first), out);
    }
}

fn is_empty(node: Option<&Node>) -> bool {
    match node.map(|n| &n.value) {
        None | Some(Value::Null) => true,
        Some(Value::Map(entries)) => entries.is_empty(),
        Some(Value::Seq(items)) => items.is_empty(),
        Some(Value::String(s)) => s.is_empty(),
        _ => false,
    }
}

// ---------------------------------------------------------------- metadata (MW110, MW111)

/// A DNS-1123 label: lowercase alphanumerics and '-', alphanumeric at both ends, ≤ 63.
pub fn is_dns1123_label(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 63
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        && bytes[0] != b'-'
        && bytes[bytes.len() - 1] != b'-'
}

/// A DNS-1123 subdomain: dot-separated labels, ≤ 253.
pub fn is_dns1123_subdomain(name: &str) -> bool {
    name.len() <= 253 && name.split('.').all(is_dns1123_label)
}

/// The name part of a qualified name (label key): ≤ 63 of [A-Za-z0-9._-], alphanumeric ends.
fn is_qualified_name_part(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 63
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && bytes[0].is_ascii_alphanumeric()
        && bytes[bytes.len() - 1].is_ascii_alphanumeric()
}

/// A label or annotation key: `[prefix/]name`, prefix a DNS-1123 subdomain.
pub fn is_qualified_name(key: &str) -> bool {
    match key.split_once('/') {
        Some((prefix, name)) => {
            !prefix.is_empty() && is_dns1123_subdomain(prefix) && is_qualified_name_part(name)
        }
        None => is_qualified_name_part(key),
    }
}

/// A label value: empty, or a qualified name part.
pub fn is_label_value(value: &str) -> bool {
    value.is_empty() || is_qualified_name_part(value)
}

fn metadata(object: &Node, group: &str, kind: &str, out: &mut Out) {
    let Some(metadata) = object.get("metadata") else {
        return;
    };
    if let Some(name_node) = metadata.get("name")
        && let Some(name) = name_node.as_str()
    {
        let problem = if group == "rbac.authorization.k8s.io" {
            (name == "." || name == ".." || name.contains(['/', '%']) || name.is_empty())
                .then_some("may not be '.', '..' or contain '/' or '%'")
        } else if group.is_empty() && matches!(kind, "Namespace" | "Service") {
            (!is_dns1123_label(name)).then_some(
                "must be a DNS-1123 label: at most 63 lowercase letters, digits or '-', starting and ending with a letter or digit",
            )
        } else {
            (!is_dns1123_subdomain(name)).then_some(
                "must be a DNS-1123 subdomain: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253",
            )
        };
        if let Some(problem) = problem {
            out.push(
                &codes::INVALID_NAME,
                name_node,
                format!("metadata.name: {kind} name \"{name}\" {problem}"),
            );
        }
    }
    if let Some(ns_node) = metadata.get("namespace")
        && let Some(namespace) = ns_node.as_str()
        && !is_dns1123_label(namespace)
    {
        out.push(
            &codes::INVALID_NAME,
            ns_node,
            format!("metadata.namespace: \"{namespace}\" must be a DNS-1123 label: at most 63 lowercase letters, digits or '-'"),
        );
    }
    let label_maps: [(&[&str], &str); 4] = [
        (&["metadata", "labels"], "metadata.labels"),
        (
            &["spec", "selector", "matchLabels"],
            "spec.selector.matchLabels",
        ),
        (
            &["spec", "template", "metadata", "labels"],
            "spec.template.metadata.labels",
        ),
        (&["metadata", "annotations"], "metadata.annotations"),
    ];
    for (path, shown) in label_maps {
        let is_annotations = shown == "metadata.annotations";
        let Some(entries) = object.at(path).and_then(Node::as_map) else {
            continue;
        };
        for (key, value) in entries {
            if !is_qualified_name(key) {
                let what = if is_annotations {
                    "annotation"
                } else {
                    "label"
                };
                out.push(
                    &codes::INVALID_LABEL,
                    value,
                    format!("{shown}: {what} key \"{key}\" is invalid: use [prefix/]name, name at most 63 letters, digits, '-', '_' or '.' starting and ending with a letter or digit, prefix a DNS subdomain"),
                );
            } else if !is_annotations
                && let Some(text) = value.as_str()
                && !is_label_value(text)
            {
                out.push(
                    &codes::INVALID_LABEL,
                    value,
                    format!("{shown}.{key}: label value \"{text}\" is invalid: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit"),
                );
            }
        }
    }
}

// ---------------------------------------------------------------- cert-manager (MW112, MW113)

/// Seconds of a Go duration (`1h30m`, `2160h`, `90s`, `1.5h`, negative ones too), or None
/// if it does not parse or is out of Go's range.
pub fn duration_seconds(text: &str) -> Option<f64> {
    go_duration_seconds(text).ok()
}

fn go_duration_seconds(text: &str) -> Result<f64, DurationError> {
    parse_go_nanos(text).map(|nanos| nanos as f64 / 1e9)
}

const HOUR: f64 = 3600.0;
const DEFAULT_DURATION: f64 = 2160.0 * HOUR;

fn certificate_durations(object: &Node, out: &mut Out) {
    let duration_node = object.at(&["spec", "duration"]);
    let renew_node = object.at(&["spec", "renewBefore"]);
    let parse = |node: Option<&Node>, field: &str, out: &mut Out| -> Option<f64> {
        let node = node?;
        let text = node.as_str()?;
        match go_duration_seconds(text) {
            Ok(seconds) => Some(seconds),
            Err(error) => {
                out.push(
                    &codes::CERT_MANAGER_DURATION,
                    node,
                    format!("spec.{field}: \"{text}\" {error}"),
                );
                None
            }
        }
    };
    let duration = parse(duration_node, "duration", out);
    let renew = parse(renew_node, "renewBefore", out);
    if let (Some(duration), Some(node)) = (duration, duration_node)
        && duration < HOUR
    {
        out.push(
            &codes::CERT_MANAGER_DURATION,
            node,
            format!(
                "spec.duration: {} is shorter than the minimum of 1h",
                node.as_str().unwrap_or_default()
            ),
        );
    }
    if let (Some(renew), Some(node)) = (renew, renew_node) {
        let text = node.as_str().unwrap_or_default();
        let effective = duration.unwrap_or(DEFAULT_DURATION);
        if renew < 300.0 {
            out.push(
                &codes::CERT_MANAGER_DURATION,
                node,
                format!("spec.renewBefore: {text} is shorter than the minimum of 5m"),
            );
        } else if renew >= effective {
            let shown = duration_node
                .and_then(Node::as_str)
                .map_or("the default 2160h".to_string(), str::to_string);
            out.push(
                &codes::CERT_MANAGER_DURATION,
                node,
                format!("spec.renewBefore: {text} must be shorter than spec.duration ({shown})"),
            );
        }
    }
    if let Some(node) = renew_node
        && object.at(&["spec", "renewBeforePercentage"]).is_some()
    {
        out.push(
            &codes::CERT_MANAGER_DURATION,
            node,
            "spec.renewBefore: set either renewBefore or renewBeforePercentage, not both"
                .to_string(),
        );
    }
}

fn issuer_ref(object: &Node, out: &mut Out) {
    let Some(reference) = object.at(&["spec", "issuerRef"]) else {
        return;
    };
    let group = reference.str_at(&["group"]).unwrap_or_default();
    if !(group.is_empty() || group == "cert-manager.io") {
        return;
    }
    let Some(kind_node) = reference.get("kind") else {
        return;
    };
    let Some(kind) = kind_node.as_str() else {
        return;
    };
    if matches!(kind, "" | "Issuer" | "ClusterIssuer") {
        return;
    }
    let known = ["Issuer".to_string(), "ClusterIssuer".to_string()];
    let hint = super::validate::did_you_mean(kind, &known)
        .map(|s| format!(" (did you mean {s}?)"))
        .unwrap_or_default();
    out.push(
        &codes::ISSUER_REF_KIND,
        kind_node,
        format!("spec.issuerRef.kind: \"{kind}\" is not Issuer or ClusterIssuer{hint}; an external issuer needs its own issuerRef.group"),
    );
}

// ---------------------------------------------------------------- Istio (MW114–MW117)

fn port_ok(number: u64) -> bool {
    (1..=65535).contains(&number)
}

/// Checks integer ports at each of `paths`.
fn ports(object: &Node, paths: &[&[&str]], out: &mut Out) {
    for path in paths {
        for (shown, node) in select_paths(object, path) {
            let number = match &node.value {
                Value::Number(n) => n.as_u64().or_else(|| n.as_i64().map(|_| 0)),
                _ => None,
            };
            if let Some(number) = number
                && !port_ok(number)
            {
                out.push(
                    &codes::INVALID_PORT,
                    node,
                    format!(
                        "{shown}: {} is not a port number (1-65535)",
                        node_text(node)
                    ),
                );
            }
        }
    }
}

fn node_text(node: &Node) -> String {
    match &node.value {
        Value::Number(n) => n.to_string(),
        Value::String(s) => format!("\"{s}\""),
        _ => "value".to_string(),
    }
}

fn peer_authentication(object: &Node, out: &mut Out) {
    let Some(port_level) = object.at(&["spec", "portLevelMtls"]) else {
        return;
    };
    if let Some(entries) = port_level.as_map() {
        for (port, value) in entries {
            if !port.parse::<u64>().is_ok_and(port_ok) {
                out.push(
                    &codes::INVALID_PORT,
                    value,
                    format!("spec.portLevelMtls: \"{port}\" is not a port number (1-65535)"),
                );
            }
        }
    }
    if !is_empty(Some(port_level)) && is_empty(object.at(&["spec", "selector", "matchLabels"])) {
        out.push(
            &codes::PORT_LEVEL_MTLS_WITHOUT_SELECTOR,
            port_level,
            "spec.portLevelMtls: port-level mTLS needs a workload selector with matchLabels; add spec.selector or use spec.mtls".to_string(),
        );
    }
}

fn authorization_policy(object: &Node, out: &mut Out) {
    let Some(spec) = object.get("spec") else {
        return;
    };
    let action_node = spec.get("action");
    let action = action_node.and_then(Node::as_str).unwrap_or("ALLOW");
    let provider = spec.get("provider");
    if action == "CUSTOM" && is_empty(provider.and_then(|p| p.get("name"))) {
        out.push(
            &codes::AUTHORIZATION_POLICY_SHAPE,
            provider.or(action_node).unwrap_or(spec),
            "spec.provider: action CUSTOM needs provider.name (an extension provider of the mesh config)".to_string(),
        );
    }
    if action != "CUSTOM"
        && let Some(provider) = provider
        && !provider.is_null()
    {
        out.push(
            &codes::AUTHORIZATION_POLICY_SHAPE,
            provider,
            format!("spec.provider: provider is only allowed with action CUSTOM, not {action}"),
        );
    }
    let has_target = !is_empty(spec.get("targetRef")) || !is_empty(spec.get("targetRefs"));
    if !is_empty(spec.get("selector")) && has_target {
        let at = spec
            .get("targetRef")
            .or(spec.get("targetRefs"))
            .unwrap_or(spec);
        out.push(
            &codes::AUTHORIZATION_POLICY_SHAPE,
            at,
            "spec: set either selector or targetRef(s), not both".to_string(),
        );
    }
    for (i, rule) in spec
        .get("rules")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        for (field, inner) in [("from", "source"), ("to", "operation")] {
            let Some(entries) = rule.get(field) else {
                continue;
            };
            if let Some(items) = entries.as_seq() {
                for (j, entry) in items.iter().enumerate() {
                    if is_empty(entry.get(inner)) {
                        out.push(
                            &codes::AUTHORIZATION_POLICY_SHAPE,
                            entry,
                            format!("spec.rules[{i}].{field}[{j}]: {inner} must not be empty; give at least one field or remove the entry"),
                        );
                    }
                }
                if items.is_empty() {
                    out.push(
                        &codes::AUTHORIZATION_POLICY_SHAPE,
                        entries,
                        format!("spec.rules[{i}].{field}: must not be an empty list; remove it to match any {inner}"),
                    );
                }
            }
        }
        for (j, operation) in select(rule, &["to", "*", "operation"])
            .into_iter()
            .enumerate()
        {
            for field in ["ports", "notPorts"] {
                for port in select(operation, &[field, "*"]) {
                    if let Some(text) = port.as_str()
                        && !text.parse::<u64>().is_ok_and(port_ok)
                    {
                        out.push(
                            &codes::INVALID_PORT,
                            port,
                            format!("spec.rules[{i}].to[{j}].operation.{field}: \"{text}\" is not a port number (1-65535)"),
                        );
                    }
                }
            }
        }
        for (k, condition) in rule
            .get("when")
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            if is_empty(condition.get("key")) {
                out.push(
                    &codes::AUTHORIZATION_POLICY_SHAPE,
                    condition,
                    format!("spec.rules[{i}].when[{k}]: key must not be empty"),
                );
            } else if let Some(key_node) = condition.get("key")
                && let Some(key) = key_node.as_str()
                && !is_known_condition_key(key)
            {
                out.push(
                    &codes::AUTHORIZATION_POLICY_SHAPE,
                    key_node,
                    format!("spec.rules[{i}].when[{k}].key: \"{key}\" is not a condition Istio knows (request.headers[...], source.ip, remote.ip, source.namespace, source.principal, request.auth.principal, request.auth.audiences, request.auth.presenter, request.auth.claims[...], destination.ip, destination.port, connection.sni)"),
                );
            } else if is_empty(condition.get("values")) && is_empty(condition.get("notValues")) {
                out.push(
                    &codes::AUTHORIZATION_POLICY_SHAPE,
                    condition.get("key").unwrap_or(condition),
                    format!("spec.rules[{i}].when[{k}]: give values or notValues"),
                );
            }
        }
    }
}

/// Keys Istio accepts in AuthorizationPolicy `when` conditions.
fn is_known_condition_key(key: &str) -> bool {
    const EXACT: &[&str] = &[
        "source.ip",
        "remote.ip",
        "source.namespace",
        "source.principal",
        "source.serviceAccount",
        "request.auth.principal",
        "request.auth.audiences",
        "request.auth.presenter",
        "destination.ip",
        "destination.port",
        "connection.sni",
    ];
    let bracketed = |prefix: &str| {
        key.strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix(']'))
            .is_some_and(|inner| !inner.is_empty())
    };
    EXACT.contains(&key)
        || bracketed("request.headers[")
        || bracketed("request.auth.claims[")
        || key.starts_with("experimental.envoy.filters.")
}

/// Istio's wildcard domain: `*`, `*.suffix`, `*suffix`, or a DNS name (short names allowed).
fn host_problem(host: &str, star_allowed: bool) -> Option<&'static str> {
    if host == "*" {
        return (!star_allowed).then_some("`*` alone is not allowed here");
    }
    if host.is_empty() {
        return Some("a host must not be empty");
    }
    if host.len() > 255 {
        return Some("a host must be at most 255 characters");
    }
    let rest = match host.strip_prefix('*') {
        Some(rest) => rest.strip_prefix('.').unwrap_or(rest),
        None => host,
    };
    if rest.contains('*') {
        return Some("a wildcard may only be the first label (`*.example.com`)");
    }
    let label_ok = |label: &str| {
        let b = label.as_bytes();
        !b.is_empty()
            && b.len() <= 63
            && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
            && b[0] != b'-'
            && b[b.len() - 1] != b'-'
    };
    if !rest.split('.').all(label_ok) {
        return Some("use a DNS name: labels of letters, digits and '-', separated by single dots");
    }
    None
}

fn hosts(nodes: Vec<&Node>, field: &str, star_allowed: bool, out: &mut Out) {
    for node in nodes {
        if let Some(host) = node.as_str()
            && let Some(problem) = host_problem(host, star_allowed)
        {
            out.push(
                &codes::INVALID_HOST,
                node,
                format!("{field}: \"{host}\" is not a valid host: {problem}"),
            );
        }
    }
}

fn virtual_service(object: &Node, out: &mut Out) {
    let gateways: Vec<&str> = select(object, &["spec", "gateways", "*"])
        .into_iter()
        .filter_map(Node::as_str)
        .collect();
    let star_allowed = !gateways.is_empty() && !gateways.contains(&"mesh");
    hosts(
        select(object, &["spec", "hosts", "*"]),
        "spec.hosts",
        star_allowed,
        out,
    );
    ports(
        object,
        &[
            &["spec", "http", "*", "match", "*", "port"],
            &[
                "spec",
                "http",
                "*",
                "route",
                "*",
                "destination",
                "port",
                "number",
            ],
            &["spec", "http", "*", "mirror", "port", "number"],
            &["spec", "tcp", "*", "match", "*", "port"],
            &[
                "spec",
                "tcp",
                "*",
                "route",
                "*",
                "destination",
                "port",
                "number",
            ],
            &["spec", "tls", "*", "match", "*", "port"],
            &[
                "spec",
                "tls",
                "*",
                "route",
                "*",
                "destination",
                "port",
                "number",
            ],
        ],
        out,
    );
}

fn destination_rule(object: &Node, out: &mut Out) {
    hosts(select(object, &["spec", "host"]), "spec.host", true, out);
    ports(
        object,
        &[
            &[
                "spec",
                "trafficPolicy",
                "portLevelSettings",
                "*",
                "port",
                "number",
            ],
            &[
                "spec",
                "subsets",
                "*",
                "trafficPolicy",
                "portLevelSettings",
                "*",
                "port",
                "number",
            ],
        ],
        out,
    );
}

fn service_entry(object: &Node, out: &mut Out) {
    hosts(
        select(object, &["spec", "hosts", "*"]),
        "spec.hosts",
        false,
        out,
    );
    ports(
        object,
        &[
            &["spec", "ports", "*", "number"],
            &["spec", "ports", "*", "targetPort"],
            &["spec", "endpoints", "*", "ports", "*"],
        ],
        out,
    );
}

fn gateway(object: &Node, out: &mut Out) {
    for (i, server) in select(object, &["spec", "servers", "*"])
        .into_iter()
        .enumerate()
    {
        for node in select(server, &["hosts", "*"]) {
            let Some(text) = node.as_str() else { continue };
            let (namespace, host) = match text.split_once('/') {
                Some((namespace, host)) => (Some(namespace), host),
                None => (None, text),
            };
            let problem = match namespace {
                Some(ns) if !(ns == "*" || ns == "." || is_dns1123_label(ns)) => {
                    Some("the namespace before '/' must be `*`, `.` or a namespace name")
                }
                _ => host_problem(host, true),
            };
            if let Some(problem) = problem {
                out.push(
                    &codes::INVALID_HOST,
                    node,
                    format!("spec.servers[{i}].hosts: \"{text}\" is not a valid host: {problem}"),
                );
            }
        }
    }
    ports(object, &[&["spec", "servers", "*", "port", "number"]], out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations() {
        assert_eq!(duration_seconds("1h30m"), Some(5400.0));
        assert_eq!(duration_seconds("2160h"), Some(2160.0 * 3600.0));
        assert_eq!(duration_seconds("1.5h"), Some(5400.0));
        assert_eq!(duration_seconds("90d"), None);
        assert_eq!(duration_seconds("h"), None);
        assert_eq!(duration_seconds(""), None);
    }

    #[test]
    fn names_labels_hosts() {
        assert!(is_dns1123_label("reviews-v2"));
        assert!(!is_dns1123_label("Reviews"));
        assert!(!is_dns1123_label("a.b"));
        assert!(is_dns1123_subdomain("a.b-c"));
        assert!(!is_dns1123_subdomain("a..b"));
        assert!(is_qualified_name("app.kubernetes.io/name"));
        assert!(!is_qualified_name("app/"));
        assert!(!is_qualified_name("-app"));
        assert!(is_label_value(""));
        assert!(!is_label_value("a b"));
        assert_eq!(host_problem("*.example.com", false), None);
        assert_eq!(host_problem("reviews", false), None);
        assert!(host_problem("*", false).is_some());
        assert!(host_problem("a.*.com", true).is_some());
        assert!(host_problem("a..com", true).is_some());
    }
}
