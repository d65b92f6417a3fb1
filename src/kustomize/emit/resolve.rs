//! Which strings go-yaml v2 would read back as something else (null, boolean, number,
//! timestamp, base-60 float), so that its encoder quotes them; and how a number comes out
//! of kustomize's JSON round trip (`1.0` prints as `1`, `1e6` as `1000000`, `1.5e7` as
//! `1.5e+07`).

use std::sync::LazyLock;

use regex::Regex;

/// The words go-yaml v2's resolver maps to null, booleans (YAML 1.1) and special floats.
const KEYWORDS: [&str; 34] = [
    "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", "n", "N", "no", "No",
    "NO", "false", "False", "FALSE", "off", "Off", "OFF", "~", "null", "Null", "NULL", ".nan",
    ".NaN", ".NAN", ".inf", ".Inf", ".INF", "-.inf", "+.inf",
];
const MORE_KEYWORDS: [&str; 4] = ["+.Inf", "+.INF", "-.Inf", "-.INF"];

static YAML_FLOAT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$").expect("valid regex")
});
static BASE60_FLOAT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$").expect("valid regex")
});

/// Whether go-yaml v2 must quote `s` for it to read back as a string (its `resolve` gives
/// another tag, or it is a base-60 float, which the encoder quotes for older parsers).
pub(super) fn needs_quotes(s: &str) -> bool {
    resolves_to_other_type(s) || (s.contains(':') && BASE60_FLOAT.is_match(s))
}

fn resolves_to_other_type(s: &str) -> bool {
    let Some(first) = s.bytes().next() else {
        return true; // the empty string is null
    };
    if KEYWORDS.contains(&s) || MORE_KEYWORDS.contains(&s) {
        return true;
    }
    match first {
        b'.' => is_finite_float(s),
        b'+' | b'-' | b'0'..=b'9' => {
            let plain = s.replace('_', "");
            is_timestamp(s) || is_go_integer(&plain) || is_finite_float(&plain)
        }
        _ => false,
    }
}

fn is_finite_float(s: &str) -> bool {
    YAML_FLOAT.is_match(s) && s.parse::<f64>().is_ok_and(f64::is_finite)
}

/// Go's `strconv.ParseInt(s, 0, 64)` or `ParseUint(s, 0, 64)` succeeds: an optional sign,
/// then `0x`/`0o`/`0b`-prefixed, `0`-led octal or decimal digits, within range.
fn is_go_integer(s: &str) -> bool {
    let (sign, body) = match s.as_bytes().first() {
        Some(b'-') => (Some('-'), &s[1..]),
        Some(b'+') => (Some('+'), &s[1..]),
        _ => (None, s),
    };
    let lower = body.get(..2).map(str::to_ascii_lowercase);
    let (radix, digits) = match lower.as_deref() {
        Some("0x") => (16, &body[2..]),
        Some("0o") => (8, &body[2..]),
        Some("0b") => (2, &body[2..]),
        _ if body.len() > 1 && body.starts_with('0') => (8, &body[1..]),
        _ => (10, body),
    };
    if digits.is_empty() {
        return false;
    }
    let Ok(magnitude) = u128::from_str_radix(digits, radix) else {
        return false;
    };
    match sign {
        Some('-') => magnitude <= 1 << 63,
        Some(_) => magnitude <= i64::MAX as u128,
        None => magnitude <= u64::MAX as u128,
    }
}

/// The timestamp forms go-yaml v2 resolves: `2006-1-2`, `2006-1-2 15:4:5[.frac]` and
/// `2006-1-2T15:4:5[.frac](Z|±07:00)` (also with `t`), with Go's range checks.
fn is_timestamp(s: &str) -> bool {
    let bytes = s.as_bytes();
    if bytes.len() < 5 || !bytes[..4].iter().all(u8::is_ascii_digit) || bytes[4] != b'-' {
        return false;
    }
    let mut rest = &s[5..];
    let Some(month) = take_number(&mut rest, 1, 12) else {
        return false;
    };
    if !take_separator(&mut rest, '-') {
        return false;
    }
    let Some(day) = take_number(&mut rest, 1, 31) else {
        return false;
    };
    let year: u32 = s[..4].parse().unwrap_or_default();
    if day > days_in_month(year, month) {
        return false;
    }
    if rest.is_empty() {
        return true;
    }
    let zoned = match rest.as_bytes()[0] {
        b'T' | b't' => true,
        b' ' => false,
        _ => return false,
    };
    rest = &rest[1..];
    let time_ok = take_number(&mut rest, 0, 23).is_some()
        && take_separator(&mut rest, ':')
        && take_number(&mut rest, 0, 59).is_some()
        && take_separator(&mut rest, ':')
        && take_number(&mut rest, 0, 59).is_some();
    if !time_ok {
        return false;
    }
    if let Some(fraction) = rest.strip_prefix(['.', ',']) {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 {
            rest = &fraction[digits..];
        }
    }
    if !zoned {
        return rest.is_empty();
    }
    rest == "Z" || is_zone_offset(rest)
}

/// One or two digits within `min..=max`, consumed from `rest`.
fn take_number(rest: &mut &str, min: u32, max: u32) -> Option<u32> {
    let digits = rest.bytes().take(2).take_while(u8::is_ascii_digit).count();
    let value: u32 = rest.get(..digits)?.parse().ok()?;
    *rest = &rest[digits..];
    (min..=max).contains(&value).then_some(value)
}

fn take_separator(rest: &mut &str, separator: char) -> bool {
    match rest.strip_prefix(separator) {
        Some(after) => {
            *rest = after;
            true
        }
        None => false,
    }
}

fn is_zone_offset(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 6
        && matches!(b[0], b'+' | b'-')
        && b[1..3].iter().all(u8::is_ascii_digit)
        && b[3] == b':'
        && b[4..6].iter().all(u8::is_ascii_digit)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A number as kustomize prints it: it marshals the object to JSON (Go's float format)
/// and sigs.k8s.io/yaml reads that back, so integral floats become integers and other
/// floats print in Go's shortest `%g` form.
pub(super) fn go_number(n: &serde_json::Number) -> String {
    if n.is_i64() || n.is_u64() {
        return n.to_string();
    }
    let Some(f) = n.as_f64() else {
        return n.to_string();
    };
    // Go's encoding/json prints integral floats below 1e21 as plain digits, which read
    // back as an integer when they fit int64 or uint64.
    if f.fract() == 0.0 && f.abs() < 1e21 {
        if (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&f) {
            return (f as i64).to_string();
        }
        if (0.0..1.844_674_407_370_955_2e19).contains(&f) {
            return (f as u64).to_string();
        }
    }
    go_shortest_g(f)
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 64)`: the shortest digits that read back as `f`,
/// in exponent form (at least two exponent digits) when the exponent is below -4 or at
/// least 6.
fn go_shortest_g(f: f64) -> String {
    let scientific = format!("{:e}", f.abs());
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let exponent: i32 = exponent.parse().unwrap_or_default();
    let sign = if f.is_sign_negative() { "-" } else { "" };
    if !(-4..6).contains(&exponent) {
        let (head, tail) = digits.split_at(1);
        let point = if tail.is_empty() { "" } else { "." };
        let exp_sign = if exponent < 0 { '-' } else { '+' };
        return format!("{sign}{head}{point}{tail}e{exp_sign}{:02}", exponent.abs());
    }
    let point_at = exponent + 1;
    if point_at <= 0 {
        return format!(
            "{sign}0.{}{digits}",
            "0".repeat(point_at.unsigned_abs() as usize)
        );
    }
    let point_at = point_at as usize;
    if point_at >= digits.len() {
        return format!("{sign}{digits}{}", "0".repeat(point_at - digits.len()));
    }
    let (int_part, frac_part) = digits.split_at(point_at);
    format!("{sign}{int_part}.{frac_part}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_what_go_yaml_v2_reads_as_another_type() {
        for s in [
            "",
            "~",
            "null",
            "y",
            "N",
            "yes",
            "on",
            "OFF",
            "true",
            ".inf",
            "-.Inf",
            ".5",
            "1e3",
            "0755",
            "0x1F",
            "0b101",
            "-0o17",
            "1_000",
            "+12",
            "08",
            "1.",
            "2020-01-01",
            "2001-12-14t21:59:43.10-05:00",
            "2001-12-14 21:59:43.10",
            "1:20",
            "190:20:30.15",
        ] {
            assert!(needs_quotes(s), "{s:?} should be quoted");
        }
        for s in [
            "<<",
            "nginx",
            "1e400",
            "0x",
            "1.2.3",
            "2020-13-01",
            "2019-02-29",
            "12:70",
            "._5",
            "yess",
            "0xFFFFFFFFFFFFFFFFFF",
            "1e",
            "-",
            "2020-01-01T10:00:00",
        ] {
            assert!(!needs_quotes(s), "{s:?} should stay plain");
        }
    }

    #[test]
    fn numbers_print_as_after_kustomizes_json_round_trip() {
        let cases = [
            (serde_json::json!(8080), "8080"),
            (serde_json::json!(1.0), "1"),
            (serde_json::json!(1000.0), "1000"),
            (serde_json::json!(1.5), "1.5"),
            (serde_json::json!(-0.25), "-0.25"),
            (serde_json::json!(1234567.5), "1.2345675e+06"),
            (serde_json::json!(0.00001), "1e-05"),
            (serde_json::json!(0.0001), "0.0001"),
            (serde_json::json!(1e20), "1e+20"),
            (
                serde_json::json!(1.2345678901234569e23),
                "1.2345678901234569e+23",
            ),
            (serde_json::json!(u64::MAX), "18446744073709551615"),
        ];
        for (value, printed) in cases {
            let serde_json::Value::Number(n) = value else {
                unreachable!()
            };
            assert_eq!(go_number(&n), printed, "{n}");
        }
    }
}
