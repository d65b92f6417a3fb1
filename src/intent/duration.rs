//! Go-style durations (`8760h`, `1h30m`, `500ms`), as cert-manager and Istio accept them:
//! the grammar and the range of Go's `time.ParseDuration`, which the API server applies.

use std::fmt;
use std::time::Duration;

/// The longest Go duration, `2562047h47m16.854775807s` (`math.MaxInt64` nanoseconds).
pub const MAX_GO_DURATION: &str = "2562047h47m16.854775807s";

/// Why a text is not an acceptable duration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DurationError {
    /// Not Go duration syntax.
    Invalid,
    /// Syntax is fine but the value does not fit Go's `time.Duration` (an int64 of nanoseconds).
    OutOfRange,
    /// A negative value where only non-negative ones make sense.
    Negative,
}

impl fmt::Display for DurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Invalid => {
                f.write_str("is not a duration; use Go syntax such as 2160h, 90m or 30s")
            }
            Self::OutOfRange => write!(
                f,
                "is an invalid duration: out of range (the longest is {MAX_GO_DURATION})"
            ),
            Self::Negative => f.write_str("must not be negative"),
        }
    }
}

/// Parses a non-negative Go duration, as mesh.yaml's fields need.
pub fn parse_go_duration(text: &str) -> Result<Duration, DurationError> {
    let nanos = parse_go_nanos(text)?;
    u64::try_from(nanos)
        .map(Duration::from_nanos)
        .map_err(|_| DurationError::Negative)
}

/// Parses a Go duration, optionally signed, into nanoseconds exactly as Go's
/// `time.ParseDuration` does, including its overflow checks.
pub fn parse_go_nanos(text: &str) -> Result<i64, DurationError> {
    const LIMIT: u64 = 1 << 63;
    let (negative, mut rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(DurationError::Invalid);
    }
    let mut total: u64 = 0;
    while !rest.is_empty() {
        let (whole, after_whole) = leading_int(rest)?;
        let had_whole = after_whole.len() != rest.len();
        rest = after_whole;
        let mut fraction = (0, 1.0);
        let mut had_fraction = false;
        if let Some(after_dot) = rest.strip_prefix('.') {
            let (digits, scale, after_fraction) = leading_fraction(after_dot);
            had_fraction = after_fraction.len() != after_dot.len();
            fraction = (digits, scale);
            rest = after_fraction;
        }
        if !had_whole && !had_fraction {
            return Err(DurationError::Invalid);
        }
        let unit_len = rest
            .find(|c: char| c == '.' || c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit: u64 = match &rest[..unit_len] {
            "ns" => 1,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => return Err(DurationError::Invalid),
        };
        rest = &rest[unit_len..];
        if whole > LIMIT / unit {
            return Err(DurationError::OutOfRange);
        }
        let mut value = whole * unit;
        let (digits, scale) = fraction;
        if digits > 0 {
            // Same float arithmetic as Go, so the same rounding.
            value += (digits as f64 * (unit as f64 / scale)) as u64;
            if value > LIMIT {
                return Err(DurationError::OutOfRange);
            }
        }
        total += value;
        if total > LIMIT {
            return Err(DurationError::OutOfRange);
        }
    }
    if negative {
        Ok((total as i64).wrapping_neg())
    } else {
        i64::try_from(total).map_err(|_| DurationError::OutOfRange)
    }
}

/// The leading decimal integer of `text` and what follows it; too large is out of range.
fn leading_int(text: &str) -> Result<(u64, &str), DurationError> {
    let len = text.bytes().take_while(u8::is_ascii_digit).count();
    let mut value: u64 = 0;
    for digit in text[..len].bytes() {
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(digit - b'0')))
            .filter(|v| *v <= 1 << 63)
            .ok_or(DurationError::OutOfRange)?;
    }
    Ok((value, &text[len..]))
}

/// The leading fraction digits of `text` as (digits, 10^precision kept) and what follows;
/// digits beyond what fits are read but ignored, as Go does.
fn leading_fraction(text: &str) -> (u64, f64, &str) {
    let len = text.bytes().take_while(u8::is_ascii_digit).count();
    let mut value: u64 = 0;
    let mut scale = 1.0;
    let mut overflowed = false;
    for digit in text[..len].bytes() {
        if overflowed {
            continue;
        }
        match value
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(digit - b'0')))
            .filter(|v| *v <= 1 << 63)
        {
            Some(next) => {
                value = next;
                scale *= 10.0;
            }
            None => overflowed = true,
        }
    }
    (value, scale, &text[len..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_go_durations() {
        assert_eq!(parse_go_duration("24h"), Ok(Duration::from_secs(86_400)));
        assert_eq!(parse_go_duration("1h30m"), Ok(Duration::from_secs(5_400)));
        assert_eq!(parse_go_duration("1.5s"), Ok(Duration::from_millis(1_500)));
        assert_eq!(parse_go_duration(".5s"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_go_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_go_duration("3µs"), Ok(Duration::from_micros(3)));
        assert_eq!(parse_go_duration("+1h"), Ok(Duration::from_secs(3_600)));
        assert_eq!(parse_go_duration("0"), Ok(Duration::ZERO));
        assert_eq!(parse_go_nanos("-1h30m"), Ok(-5_400_000_000_000));
    }

    #[test]
    fn rejects_what_go_rejects() {
        for bad in [
            "", "24", "1d", "h", ".h", "1h-5m", "1 h", "1.2.3s", "-", "+",
        ] {
            assert_eq!(
                parse_go_duration(bad),
                Err(DurationError::Invalid),
                "{bad:?} must be rejected"
            );
        }
        assert_eq!(parse_go_duration("-1h"), Err(DurationError::Negative));
    }

    #[test]
    fn the_range_ends_where_go_int64_nanoseconds_end() {
        assert_eq!(
            parse_go_nanos(MAX_GO_DURATION),
            Ok(i64::MAX),
            "the longest duration itself is accepted"
        );
        assert_eq!(parse_go_nanos("-2562047h47m16.854775808s"), Ok(i64::MIN));
        for too_long in [
            "99999999999999999999999999999999999999999h1ns2160h",
            "2562047h47m16.854775808s",
            "2562048h",
            "9223372036854775808ns",
            "1537228672809129302m",
            "2562047h2562047h",
            "2562047.9999999h",
        ] {
            assert_eq!(
                parse_go_nanos(too_long),
                Err(DurationError::OutOfRange),
                "{too_long:?} must be out of range"
            );
        }
    }
}
