//! Syntax of the names and values mesh.yaml accepts: DNS-1123 labels, host names, image
//! references, URI paths and HTTP methods. Anything that reaches a template passes one of these.

/// A DNS-1123 label: lower-case alphanumerics and `-`, starting and ending alphanumeric,
/// at most 63 characters (Kubernetes namespace, ServiceAccount and Service names).
pub fn is_dns_label(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

/// A DNS-1123 subdomain: dot-separated labels, at most 253 characters.
pub fn is_dns_subdomain(name: &str) -> bool {
    name.len() <= 253 && name.split('.').all(is_dns_label)
}

/// A host name for ingress or an external service; a leading `*.` wildcard is allowed.
pub fn is_host(host: &str) -> bool {
    let bare = host.strip_prefix("*.").unwrap_or(host);
    bare.contains('.') && is_dns_subdomain(bare)
}

/// A container image reference: `[registry[:port]/]path[:tag][@digest]`, no white space.
pub fn is_image_reference(image: &str) -> bool {
    !image.is_empty()
        && image.len() <= 512
        && image.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'/' | b':' | b'@')
        })
        && image
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric())
}

/// An AuthorizationPolicy path: exact (`/api/v1`), prefix (`/api/*`), suffix (`*/health`)
/// or `*`. Istio allows `*` only at the very start or the very end.
pub fn is_authz_path(path: &str) -> bool {
    if path == "*" {
        return true;
    }
    let body = path
        .strip_suffix('*')
        .or_else(|| path.strip_prefix('*'))
        .unwrap_or(path);
    let well_formed = body
        .bytes()
        .all(|b| b.is_ascii_graphic() && !matches!(b, b'*' | b'"' | b'\'' | b'#' | b'\\'));
    well_formed && (path.starts_with('/') || path.starts_with("*/"))
}

/// HTTP methods Envoy recognises, as AuthorizationPolicy `methods` expects them.
pub const HTTP_METHODS: [&str; 9] = [
    "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
];

/// A route prefix for a VirtualService match: starts with `/`, printable, no quotes.
pub fn is_uri_prefix(prefix: &str) -> bool {
    prefix.starts_with('/')
        && prefix
            .bytes()
            .all(|b| b.is_ascii_graphic() && !matches!(b, b'"' | b'\'' | b'#' | b'\\'))
}

/// A URL the GitOps engine or cert-manager connects to: `https://`, `http://`, `ssh://` or
/// scp-like `git@host:path`; printable, no quotes.
pub fn is_url(url: &str) -> bool {
    let known_scheme = ["https://", "http://", "ssh://", "git@"]
        .iter()
        .any(|scheme| url.starts_with(scheme));
    known_scheme
        && url.len() > 8
        && url
            .bytes()
            .all(|b| b.is_ascii_graphic() && !matches!(b, b'"' | b'\'' | b'\\' | b'`'))
}

/// A relative repository path such as `.`, `deploy/mesh`; no `..`, no absolute paths.
pub fn is_repo_path(path: &str) -> bool {
    !path.starts_with('/')
        && path.split('/').all(|part| part != "..")
        && path
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'/'))
}

/// A standard five-field cron schedule (or a `@hourly`-style macro), as CronJob accepts.
pub fn is_cron_schedule(schedule: &str) -> bool {
    const MACROS: [&str; 7] = [
        "@yearly",
        "@annually",
        "@monthly",
        "@weekly",
        "@daily",
        "@midnight",
        "@hourly",
    ];
    if MACROS.contains(&schedule) {
        return true;
    }
    let fields: Vec<&str> = schedule.split(' ').collect();
    fields.len() == 5
        && fields.iter().all(|f| {
            !f.is_empty()
                && f.bytes().all(|b| {
                    b.is_ascii_alphanumeric() || matches!(b, b'*' | b'/' | b',' | b'-' | b'?')
                })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_labels() {
        assert!(is_dns_label("billing"));
        assert!(is_dns_label("a1-b2"));
        assert!(!is_dns_label("Billing"));
        assert!(!is_dns_label("-billing"));
        assert!(!is_dns_label("billing-"));
        assert!(!is_dns_label("bill_ing"));
        assert!(!is_dns_label("../etc"));
        assert!(!is_dns_label(&"a".repeat(64)));
        assert!(!is_dns_label(""));
    }

    #[test]
    fn hosts_and_paths() {
        assert!(is_host("api.example.com"));
        assert!(is_host("*.example.com"));
        assert!(!is_host("localhost"));
        assert!(!is_host("api.example.com/evil"));
        assert!(is_authz_path("/api/*"));
        assert!(is_authz_path("*/healthz"));
        assert!(is_authz_path("/exact"));
        assert!(!is_authz_path("/a/*/b"));
        assert!(!is_authz_path("api"));
        assert!(!is_authz_path("/a\"b"));
    }

    #[test]
    fn images_urls_and_schedules() {
        assert!(is_image_reference("ghcr.io/acme/billing:1.4.2"));
        assert!(is_image_reference("registry:5000/a/b@sha256:abc"));
        assert!(!is_image_reference("nginx latest"));
        assert!(!is_image_reference("nginx\n- evil"));
        assert!(is_url("https://github.com/acme/mesh.git"));
        assert!(is_url("git@github.com:acme/mesh.git"));
        assert!(!is_url("file:///etc/passwd"));
        assert!(is_repo_path("."));
        assert!(is_repo_path("deploy/mesh"));
        assert!(!is_repo_path("../up"));
        assert!(is_cron_schedule("*/15 * * * *"));
        assert!(is_cron_schedule("@daily"));
        assert!(!is_cron_schedule("every day"));
    }
}
