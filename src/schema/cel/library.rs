//! The CEL environment CRD rules run in: CEL's standard library and strings extension (as
//! the API server has them), plus the Kubernetes library functions CRDs use that the `cel`
//! crate lacks — `url`/`isURL` with the URL getters, `isIP`/`isCIDR`, and regex
//! `find`/`findAll` — following the Kubernetes CEL library's documented behaviour
//! (<https://kubernetes.io/docs/reference/using-api/cel/>).
//!
//! A URL is represented by its text, checked by `url()`, so `url(x).getScheme()` works as in
//! Kubernetes; the getters parse it again.

use std::net::IpAddr;
use std::sync::{Arc, LazyLock};

use cel::common::types::{CelBool, CelList, CelString};
use cel::common::value::Val;
use cel::{Env, ExecutionError};

/// The shared environment: building it registers a few hundred overloads, so it is built once.
pub(super) static ENV: LazyLock<Arc<Env>> = LazyLock::new(|| Arc::new(environment()));

fn environment() -> Env {
    let mut env = Env::stdlib();
    let registered = env
        .add_extension(cel::extensions::strings)
        .and_then(|()| kubernetes_library(&mut env));
    if let Err(error) = registered {
        unreachable!("the Kubernetes CEL library declares each overload once: {error}");
    }
    env
}

fn kubernetes_library(env: &mut Env) -> Result<(), cel::DeclarationError> {
    cel::add_overload!(env, fn url: (CelString) -> Result<CelString>)?;
    cel::add_overload!(env, fn is_url: (CelString) -> CelBool, name = "isURL")?;
    cel::add_member_overload!(env, fn get_scheme: (CelString) -> Result<CelString>)?;
    cel::add_member_overload!(env, fn get_host: (CelString) -> Result<CelString>)?;
    cel::add_member_overload!(env, fn get_hostname: (CelString) -> Result<CelString>)?;
    cel::add_member_overload!(env, fn get_port: (CelString) -> Result<CelString>)?;
    cel::add_member_overload!(env, fn get_escaped_path: (CelString) -> Result<CelString>)?;
    cel::add_overload!(env, fn is_ip: (CelString) -> CelBool, name = "isIP")?;
    cel::add_overload!(env, fn is_cidr: (CelString) -> CelBool, name = "isCIDR")?;
    cel::add_member_overload!(env, fn find: (CelString, CelString) -> Result<CelString>)?;
    cel::add_member_overload!(env, fn find_all: (CelString, CelString) -> Result<CelList>)?;
    Ok(())
}

/// The parts of a URL as Go's `url.ParseRequestURI` reads it, which Kubernetes' `url()` uses:
/// an absolute URI (`scheme:...`) or an absolute path.
#[derive(Debug, PartialEq, Eq)]
struct Url<'a> {
    scheme: &'a str,
    host: &'a str,
    path: &'a str,
}

fn parse_url(text: &str) -> Result<Url<'_>, String> {
    if text.is_empty() {
        return Err("empty url".into());
    }
    if text.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return Err("invalid control character in URL".into());
    }
    let (scheme, rest) = split_scheme(text)?;
    let rest = rest.split_once('?').map_or(rest, |(before, _)| before);
    if !rest.starts_with('/') {
        return if scheme.is_empty() {
            Err(format!("parse {text:?}: invalid URI for request"))
        } else {
            Ok(Url {
                scheme,
                host: "",
                path: "",
            })
        };
    }
    let (host, path) = match rest.strip_prefix("//") {
        Some(authority) if !scheme.is_empty() => {
            let end = authority.find('/').unwrap_or(authority.len());
            (&authority[..end], &authority[end..])
        }
        _ => ("", rest),
    };
    let host = host.rsplit_once('@').map_or(host, |(_, host)| host);
    check_host(host)?;
    check_escapes(path)?;
    Ok(Url { scheme, host, path })
}

/// Go's `getScheme`: a letter, then letters, digits, `+`, `-` or `.`, up to the first `:`.
fn split_scheme(text: &str) -> Result<(&str, &str), String> {
    for (i, c) in text.char_indices() {
        match c {
            'a'..='z' | 'A'..='Z' => {}
            '0'..='9' | '+' | '-' | '.' if i > 0 => {}
            ':' if i == 0 => return Err("missing protocol scheme".into()),
            ':' => return Ok((&text[..i], &text[i + 1..])),
            _ => return Ok(("", text)),
        }
    }
    Ok(("", text))
}

/// Go's `parseHost`: a bracketed IPv6 literal or a name, then an optional all-digit port; the
/// name may hold only the characters URLs allow in hosts.
fn check_host(host: &str) -> Result<(), String> {
    let (name, port) = if let Some(literal) = host.strip_prefix('[') {
        let Some((_, after)) = literal.split_once(']') else {
            return Err("missing ']' in host".into());
        };
        ("", after)
    } else {
        match host.rsplit_once(':') {
            Some((name, _)) => (name, &host[name.len()..]),
            None => (host, ""),
        }
    };
    if let Some(digits) = port.strip_prefix(':') {
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("invalid port {port:?} after host"));
        }
    } else if !port.is_empty() {
        return Err(format!("invalid port {port:?} after host"));
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=%\"<>".contains(c);
    match name.chars().find(|c| c.is_ascii() && !allowed(*c)) {
        Some(c) => Err(format!("invalid character {c:?} in host name")),
        None => check_escapes(name),
    }
}

/// Every `%` starts a two-digit hexadecimal escape.
fn check_escapes(text: &str) -> Result<(), String> {
    let bytes = text.as_bytes();
    for (i, _) in text.match_indices('%') {
        let hex = bytes.get(i + 1..i + 3).unwrap_or_default();
        if hex.len() != 2 || !hex.iter().all(u8::is_ascii_hexdigit) {
            return Err(format!("invalid URL escape {:?}", &text[i..]));
        }
    }
    Ok(())
}

fn url(text: &CelString<'_>) -> Result<CelString<'static>, ExecutionError> {
    parse_url(text.inner()).map_err(|e| ExecutionError::function_error("url", e))?;
    Ok(text.inner().to_string().into())
}

fn is_url(text: &CelString<'_>) -> CelBool {
    parse_url(text.inner()).is_ok().into()
}

/// A getter of a URL value: `part` of its parse.
fn url_part(
    function: &str,
    text: &CelString<'_>,
    part: impl Fn(&Url<'_>) -> String,
) -> Result<CelString<'static>, ExecutionError> {
    let parsed =
        parse_url(text.inner()).map_err(|e| ExecutionError::function_error(function, e))?;
    Ok(part(&parsed).into())
}

fn get_scheme(text: &CelString<'_>) -> Result<CelString<'static>, ExecutionError> {
    url_part("getScheme", text, |url| url.scheme.to_string())
}

fn get_host(text: &CelString<'_>) -> Result<CelString<'static>, ExecutionError> {
    url_part("getHost", text, |url| url.host.to_string())
}

/// The host without its port and without the brackets of an IPv6 literal.
fn get_hostname(text: &CelString<'_>) -> Result<CelString<'static>, ExecutionError> {
    url_part("getHostname", text, |url| {
        let (name, _) = split_port(url.host);
        name.trim_start_matches('[')
            .trim_end_matches(']')
            .to_string()
    })
}

fn get_port(text: &CelString<'_>) -> Result<CelString<'static>, ExecutionError> {
    url_part("getPort", text, |url| split_port(url.host).1.to_string())
}

fn get_escaped_path(text: &CelString<'_>) -> Result<CelString<'static>, ExecutionError> {
    url_part("getEscapedPath", text, |url| url.path.to_string())
}

/// (name, port) of a URL host, the port empty when absent.
fn split_port(host: &str) -> (&str, &str) {
    let after_literal = host.rfind(']').map_or(0, |i| i + 1);
    match host[after_literal..].rfind(':') {
        Some(i) => (&host[..after_literal + i], &host[after_literal + i + 1..]),
        None => (host, ""),
    }
}

/// Kubernetes' `isIP`: an IPv4 or IPv6 address, without a zone and not IPv4-mapped.
fn parse_ip(text: &str) -> Option<IpAddr> {
    let address: IpAddr = text.parse().ok()?;
    match address {
        IpAddr::V6(v6) if v6.to_ipv4_mapped().is_some() => None,
        _ => Some(address),
    }
}

fn is_ip(text: &CelString<'_>) -> CelBool {
    parse_ip(text.inner()).is_some().into()
}

/// Kubernetes' `isCIDR`: an address as `isIP` takes it, `/`, and a prefix length that fits it.
fn is_cidr(text: &CelString<'_>) -> CelBool {
    let valid = text.inner().split_once('/').is_some_and(|(address, bits)| {
        let bits_ok = |max: u8| {
            bits.parse::<u8>()
                .is_ok_and(|b| b <= max && b.to_string() == bits)
        };
        match parse_ip(address) {
            Some(IpAddr::V4(_)) => bits_ok(32),
            Some(IpAddr::V6(_)) => bits_ok(128),
            None => false,
        }
    });
    valid.into()
}

fn regex(function: &str, pattern: &str) -> Result<regex::Regex, ExecutionError> {
    regex::Regex::new(pattern).map_err(|e| ExecutionError::function_error(function, e))
}

/// The first match of the regex in the string, or `''`.
fn find(
    text: &CelString<'_>,
    pattern: &CelString<'_>,
) -> Result<CelString<'static>, ExecutionError> {
    let found = regex("find", pattern.inner())?.find(text.inner());
    Ok(found.map_or("", |m| m.as_str()).to_string().into())
}

/// Every match of the regex in the string.
fn find_all(
    text: &CelString<'_>,
    pattern: &CelString<'_>,
) -> Result<CelList<'static>, ExecutionError> {
    let matches: Vec<Box<dyn Val>> = regex("findAll", pattern.inner())?
        .find_iter(text.inner())
        .map(|m| Box::new(CelString::from(m.as_str().to_owned())) as Box<dyn Val>)
        .collect();
    Ok(matches.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(expression: &str) -> Result<cel::Value, String> {
        let program = ENV.compile(expression).map_err(|e| e.to_string())?;
        let context = cel::Context::with_env(ENV.clone());
        program.execute(&context).map_err(|e| e.to_string())
    }

    #[test]
    fn urls_follow_go_parse_request_uri() {
        for (text, valid) in [
            ("https://example.com/a", true),
            ("oci://ghcr.io/org/plugin:1.0", true),
            ("/absolute/path", true),
            ("file:///opt/filter.wasm", true),
            ("example.com/plugin", false),
            ("", false),
            (":missing", false),
            ("http://host:port/", false),
            ("http://bad host/", false),
            ("http://h/%zz", false),
            ("mailto:someone@example.com", true),
        ] {
            assert_eq!(parse_url(text).is_ok(), valid, "{text}");
        }
        assert_eq!(
            eval("url('https://example.com:8443/p?q=1').getScheme()"),
            Ok("https".into())
        );
        assert_eq!(
            eval("url('https://[::1]:8443/p').getHostname()"),
            Ok("::1".into())
        );
        assert_eq!(
            eval("url('https://example.com:8443/p').getPort()"),
            Ok("8443".into())
        );
        assert_eq!(
            eval("url('https://example.com/a%20b?x').getEscapedPath()"),
            Ok("/a%20b".into())
        );
        assert!(eval("url('not a url')").is_err());
        assert_eq!(eval("isURL('ghcr.io/x')"), Ok(false.into()));
    }

    #[test]
    fn ip_and_cidr_follow_the_kubernetes_library() {
        for (expression, expected) in [
            ("isIP('10.0.0.1')", true),
            ("isIP('2001:db8::1')", true),
            ("isIP('::ffff:10.0.0.1')", false),
            ("isIP('010.0.0.1')", false),
            ("isIP('example.com')", false),
            ("isCIDR('10.0.0.0/8')", true),
            ("isCIDR('2001:db8::/129')", false),
            ("isCIDR('10.0.0.0/08')", false),
            ("isCIDR('10.0.0.0')", false),
        ] {
            assert_eq!(eval(expression), Ok(expected.into()), "{expression}");
        }
    }

    #[test]
    fn strings_extension_and_regex_finders_are_available() {
        assert_eq!(eval("'unix://x'.substring(7, 8)"), Ok("x".into()));
        assert_eq!(eval("'a/b'.split('/')[0]"), Ok("a".into()));
        assert_eq!(eval("'abc 123 45'.find('[0-9]+')"), Ok("123".into()));
        assert_eq!(eval("'abc 123 45'.findAll('[0-9]+').size()"), Ok(2.into()));
        assert_eq!(eval("'abc'.find('[0-9]+')"), Ok("".into()));
    }
}
