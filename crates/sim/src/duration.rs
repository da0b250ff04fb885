//! Durations as every simulator flag and the traffic profile take them:
//! `30s`, `2m`, `1m30s`, `500ms`, `1h`, or plain (possibly fractional)
//! seconds, read into milliseconds. One reader, so `--pod-start 5s` means the
//! same to the rollout, HPA and StatefulSet simulators. Each caller sets its
//! own upper bound.

/// A duration that does not parse, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not a duration: {reason} (write 30s, 2m, 1m30s, 500ms or plain seconds)")]
pub struct BadDuration {
    /// What was given.
    pub input: String,
    /// What is wrong.
    pub reason: String,
}

/// The longest duration [`parse`] accepts: 24 hours.
pub const MAX_MS: i64 = 24 * 3600 * 1000;

/// Parses a duration of at most 24 hours into milliseconds.
pub fn parse(input: &str) -> Result<i64, BadDuration> {
    parse_within(input, MAX_MS)
}

/// `max_ms` as people write it: `24h`, `7d`, `90s`.
fn limit(max_ms: i64) -> String {
    const DAY: i64 = 24 * 3_600_000;
    if max_ms % DAY == 0 && max_ms >= DAY {
        format!("{}d", max_ms / DAY)
    } else if max_ms % 3_600_000 == 0 {
        format!("{}h", max_ms / 3_600_000)
    } else {
        format!("{}s", max_ms as f64 / 1000.0)
    }
}

/// Parses a duration of at most `max_ms` milliseconds into milliseconds.
pub fn parse_within(input: &str, max_ms: i64) -> Result<i64, BadDuration> {
    let bad = |reason: &str| BadDuration {
        input: input.to_string(),
        reason: reason.to_string(),
    };
    let too_long = || BadDuration {
        input: input.to_string(),
        reason: format!("it is longer than {}", limit(max_ms)),
    };
    let s = input.trim();
    if s.is_empty() {
        return Err(bad("it is empty"));
    }
    if let Ok(secs) = s.parse::<f64>() {
        if !secs.is_finite() || secs < 0.0 {
            return Err(bad("it must be a non-negative number"));
        }
        if secs * 1000.0 > max_ms as f64 {
            return Err(too_long());
        }
        return Ok((secs * 1000.0).round() as i64);
    }
    let mut total: f64 = 0.0;
    let mut rest = s;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_len == 0 {
            return Err(bad("expected a number"));
        }
        let n: f64 = rest[..num_len].parse().map_err(|_| bad("bad number"))?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let factor = match &rest[..unit_len] {
            "ms" => 1.0,
            "s" => 1000.0,
            "m" => 60_000.0,
            "h" => 3_600_000.0,
            "" => return Err(bad("a unit is missing after a number")),
            _ => return Err(bad("units are ms, s, m and h")),
        };
        rest = &rest[unit_len..];
        total += n * factor;
        if total > max_ms as f64 {
            return Err(too_long());
        }
    }
    Ok(total.round() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(input: &str, want: Option<i64>) {
        assert_eq!(parse(input).ok(), want, "{input}");
    }

    #[test]
    fn forms() {
        check("30s", Some(30_000));
        check("2m", Some(120_000));
        check("1m30s", Some(90_000));
        check("500ms", Some(500));
        check("1h", Some(3_600_000));
        check("45", Some(45_000));
        check("1.5", Some(1_500));
        check("0", Some(0));
        check("1.5s", Some(1_500));
        check("", None);
        check("-1", None);
        check("10x", None);
        check("s", None);
        check("1m30", None);
        check("25h", None);
        check("NaN", None);
        check("99999999999999999999", None);
    }
}
