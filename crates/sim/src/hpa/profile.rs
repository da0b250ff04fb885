//! The traffic profile language of `kubeprep simulate hpa --traffic`: a
//! comma-separated list of segments such as
//! `1000 for 50m, ramp to 10000 over 60s, 10000 for 30m`.
//!
//! A segment is either `RATE for DURATION` (a constant rate) or
//! `ramp to RATE over DURATION` (linear from the previous rate; the first
//! segment ramps from 0). Rates are requests per second (`1500`, `2.5k`);
//! durations are `90s`, `15m`, `1h`, `500ms` or combinations like `1h30m`.
//! This module only parses and evaluates; it knows nothing of Pods.

use std::fmt;

/// The longest profile accepted: a week, so a simulation is always bounded.
pub const MAX_DURATION_MS: i64 = 7 * 24 * 3600 * 1000;
/// The highest rate accepted, in requests per second.
pub const MAX_RATE: f64 = 1e9;

/// One piece of a profile: the rate goes linearly from `from` to `to`
/// over `[start_ms, start_ms + duration_ms)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// Offset of the segment from the start of the profile, in milliseconds.
    pub start_ms: i64,
    /// Length of the segment in milliseconds (always > 0).
    pub duration_ms: i64,
    /// Rate at the start of the segment, requests per second.
    pub from: f64,
    /// Rate at the end of the segment, requests per second.
    pub to: f64,
}

/// A parsed traffic profile.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// The segments in time order, back to back.
    pub segments: Vec<Segment>,
}

/// Why a profile did not parse: the column (1-based, in characters) and what
/// was expected there.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("traffic profile, column {column}: {message}")]
pub struct ProfileError {
    /// 1-based character column of the problem.
    pub column: usize,
    /// What is wrong and what was expected.
    pub message: String,
}

impl Profile {
    /// Total length in milliseconds.
    pub fn duration_ms(&self) -> i64 {
        self.segments
            .last()
            .map_or(0, |s| s.start_ms + s.duration_ms)
    }

    /// The demand at `t_ms` (requests per second); the last rate holds after the end.
    pub fn rate_at(&self, t_ms: i64) -> f64 {
        for s in &self.segments {
            if t_ms < s.start_ms + s.duration_ms {
                let into = (t_ms - s.start_ms).max(0) as f64 / s.duration_ms as f64;
                return s.from + (s.to - s.from) * into;
            }
        }
        self.segments.last().map_or(0.0, |s| s.to)
    }

    /// The highest rate anywhere in the profile.
    pub fn peak(&self) -> f64 {
        self.segments
            .iter()
            .map(|s| s.from.max(s.to))
            .fold(0.0, f64::max)
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.segments.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            if s.from == s.to {
                write!(f, "{} for {}s", s.to, s.duration_ms as f64 / 1000.0)?;
            } else {
                write!(
                    f,
                    "ramp to {} over {}s",
                    s.to,
                    s.duration_ms as f64 / 1000.0
                )?;
            }
        }
        Ok(())
    }
}

/// A token with its 1-based start column.
#[derive(Debug)]
struct Token<'a> {
    text: &'a str,
    column: usize,
}

fn tokenize(text: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut column = 0;
    let mut start_col = 0;
    for (i, c) in text.char_indices() {
        column += 1;
        if c.is_whitespace() || c == ',' {
            if let Some(s) = start.take() {
                out.push(Token {
                    text: &text[s..i],
                    column: start_col,
                });
            }
            if c == ',' {
                out.push(Token { text: ",", column });
            }
        } else if start.is_none() {
            start = Some(i);
            start_col = column;
        }
    }
    if let Some(s) = start {
        out.push(Token {
            text: &text[s..],
            column: start_col,
        });
    }
    out
}

fn err(column: usize, message: impl Into<String>) -> ProfileError {
    ProfileError {
        column,
        message: message.into(),
    }
}

fn parse_rate(t: &Token<'_>) -> Result<f64, ProfileError> {
    let (digits, scale) = match t.text.strip_suffix(['k', 'K']) {
        Some(d) => (d, 1000.0),
        None => (t.text, 1.0),
    };
    let digits = digits.replace('_', "");
    let ok = !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        && digits.chars().filter(|&c| c == '.').count() <= 1;
    let value: f64 = if ok {
        digits.parse().unwrap_or(f64::NAN)
    } else {
        f64::NAN
    };
    if !value.is_finite() {
        return Err(err(
            t.column,
            format!(
                "expected a rate in requests per second (like 1000 or 2.5k), found {:?}",
                t.text
            ),
        ));
    }
    let value = value * scale;
    if value > MAX_RATE {
        return Err(err(
            t.column,
            format!("rate {} is above the limit of 1e9 req/s", t.text),
        ));
    }
    Ok(value)
}

/// Parses `1h30m`, `90s`, `500ms`, `2.5m` into milliseconds (more than zero,
/// at most the profile's limit), with the column of the token in errors.
fn parse_duration(t: &Token<'_>) -> Result<i64, ProfileError> {
    let ms = crate::duration::parse_within(t.text, MAX_DURATION_MS).map_err(|e| {
        if e.reason.starts_with("it is longer") {
            err(
                t.column,
                format!("duration {} is longer than the limit of 7 days", t.text),
            )
        } else {
            err(
                t.column,
                format!(
                    "expected a duration (like 90s, 15m, 1h30m), found {:?}",
                    t.text
                ),
            )
        }
    })?;
    if ms <= 0 {
        return Err(err(
            t.column,
            format!("duration {} must be longer than zero", t.text),
        ));
    }
    Ok(ms)
}

/// Parses a duration flag such as `30s`, `1m30s` or `500ms` into milliseconds
/// (0 allowed); the error says what was expected.
pub fn parse_duration_ms(text: &str) -> Result<i64, String> {
    let t = text.trim();
    if t == "0" || t.trim_start_matches('0') == "s" || t.trim_start_matches('0') == "ms" {
        return Ok(0);
    }
    parse_duration(&Token { text: t, column: 1 }).map_err(|e| e.message)
}

/// Parses a profile such as `1000 for 50m, ramp to 10000 over 60s, 10000 for 30m`.
pub fn parse(text: &str) -> Result<Profile, ProfileError> {
    let tokens = tokenize(text);
    let end_col = text.chars().count() + 1;
    let mut i = 0;
    let mut segments: Vec<Segment> = Vec::new();
    let mut start_ms = 0i64;
    let mut previous = 0.0;
    let at = |i: usize| tokens.get(i);
    let expect_end =
        |i: usize, what: &str| err(at(i).map_or(end_col, |t| t.column), what.to_string());
    if tokens.is_empty() {
        return Err(err(
            1,
            "empty; expected segments like \"1000 for 10m, ramp to 5000 over 60s\"",
        ));
    }
    loop {
        let first = at(i).ok_or_else(|| {
            expect_end(
                i,
                "expected a segment: \"RATE for DURATION\" or \"ramp to RATE over DURATION\"",
            )
        })?;
        let (from, to, kw_idx) = if first.text.eq_ignore_ascii_case("ramp") {
            match at(i + 1) {
                Some(t) if t.text.eq_ignore_ascii_case("to") => {}
                _ => return Err(expect_end(i + 1, "expected \"to\" after \"ramp\"")),
            }
            let rate_tok =
                at(i + 2).ok_or_else(|| expect_end(i + 2, "expected a rate after \"ramp to\""))?;
            let rate = parse_rate(rate_tok)?;
            match at(i + 3) {
                Some(t) if t.text.eq_ignore_ascii_case("over") => {}
                _ => {
                    return Err(expect_end(
                        i + 3,
                        "expected \"over\" after the rate of a ramp",
                    ))
                }
            }
            (previous, rate, i + 3)
        } else {
            let rate = parse_rate(first)?;
            match at(i + 1) {
                Some(t) if t.text.eq_ignore_ascii_case("for") => {}
                _ => return Err(expect_end(i + 1, "expected \"for\" or \"over\"")),
            }
            (rate, rate, i + 1)
        };
        let dur_tok = at(kw_idx + 1)
            .ok_or_else(|| expect_end(kw_idx + 1, "expected a duration (like 90s, 15m, 1h30m)"))?;
        let duration_ms = parse_duration(dur_tok)?;
        if start_ms + duration_ms > MAX_DURATION_MS {
            return Err(err(
                dur_tok.column,
                "the profile is longer than the limit of 7 days",
            ));
        }
        segments.push(Segment {
            start_ms,
            duration_ms,
            from,
            to,
        });
        start_ms += duration_ms;
        previous = to;
        i = kw_idx + 2;
        match at(i) {
            None => break,
            Some(t) if t.text == "," => {
                i += 1;
                if at(i).is_none() {
                    return Err(expect_end(i, "expected a segment after \",\""));
                }
            }
            Some(t) => {
                return Err(err(
                    t.column,
                    format!("expected \",\" between segments, found {:?}", t.text),
                ))
            }
        }
    }
    Ok(Profile { segments })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check_ok(text: &str, expected: &[(i64, i64, f64, f64)]) {
        let p = parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        let got: Vec<_> = p
            .segments
            .iter()
            .map(|s| (s.start_ms, s.duration_ms, s.from, s.to))
            .collect();
        assert_eq!(got, expected, "{text:?}");
    }

    #[track_caller]
    fn check_err(text: &str, expected: &str) {
        match parse(text) {
            Ok(p) => panic!("{text:?} parsed as {p:?}"),
            Err(e) => assert_eq!(e.to_string(), expected, "{text:?}"),
        }
    }

    #[test]
    fn segments() {
        check_ok("1000 for 50m", &[(0, 3_000_000, 1000.0, 1000.0)]);
        check_ok(
            "1000 for 50m, ramp to 10000 over 60s, 10000 for 30m, 1000 for 10m",
            &[
                (0, 3_000_000, 1000.0, 1000.0),
                (3_000_000, 60_000, 1000.0, 10000.0),
                (3_060_000, 1_800_000, 10000.0, 10000.0),
                (4_860_000, 600_000, 1000.0, 1000.0),
            ],
        );
        check_ok("ramp to 2k over 1h30m", &[(0, 5_400_000, 0.0, 2000.0)]);
        check_ok(
            "1_500 for 500ms,2.5k for 1.5s",
            &[(0, 500, 1500.0, 1500.0), (500, 1500, 2500.0, 2500.0)],
        );
        check_ok("  5  FOR 1h  ", &[(0, 3_600_000, 5.0, 5.0)]);
    }

    #[test]
    fn errors_name_the_column() {
        check_err(
            "1000 for 50m, 10000 in 60s",
            "traffic profile, column 21: expected \"for\" or \"over\"",
        );
        check_err("", "traffic profile, column 1: empty; expected segments like \"1000 for 10m, ramp to 5000 over 60s\"");
        check_err(
            "1000 for",
            "traffic profile, column 9: expected a duration (like 90s, 15m, 1h30m)",
        );
        check_err(
            "1000 for 5x",
            "traffic profile, column 10: expected a duration (like 90s, 15m, 1h30m), found \"5x\"",
        );
        check_err("abc for 5m", "traffic profile, column 1: expected a rate in requests per second (like 1000 or 2.5k), found \"abc\"");
        check_err(
            "1000 for 5m,",
            "traffic profile, column 13: expected a segment after \",\"",
        );
        check_err(
            "1000 for 5m 20 for 1m",
            "traffic profile, column 13: expected \",\" between segments, found \"20\"",
        );
        check_err(
            "ramp 10 over 5s",
            "traffic profile, column 6: expected \"to\" after \"ramp\"",
        );
        check_err(
            "ramp to 10 for 5s",
            "traffic profile, column 12: expected \"over\" after the rate of a ramp",
        );
        check_err(
            "1 for 0s",
            "traffic profile, column 7: duration 0s must be longer than zero",
        );
        check_err(
            "1 for 8d",
            "traffic profile, column 7: expected a duration (like 90s, 15m, 1h30m), found \"8d\"",
        );
        check_err(
            "1 for 200h",
            "traffic profile, column 7: duration 200h is longer than the limit of 7 days",
        );
        check_err(
            "1 for 100h, 1 for 100h",
            "traffic profile, column 19: the profile is longer than the limit of 7 days",
        );
        check_err("2e10 for 1s", "traffic profile, column 1: expected a rate in requests per second (like 1000 or 2.5k), found \"2e10\"");
        check_err(
            "9999999999 for 1s",
            "traffic profile, column 1: rate 9999999999 is above the limit of 1e9 req/s",
        );
    }

    #[test]
    fn duration_flags() {
        assert_eq!(parse_duration_ms("30s"), Ok(30_000));
        assert_eq!(parse_duration_ms("1m30s"), Ok(90_000));
        assert_eq!(parse_duration_ms("0s"), Ok(0));
        assert_eq!(parse_duration_ms("0"), Ok(0));
        assert_eq!(
            parse_duration_ms("soon"),
            Err("expected a duration (like 90s, 15m, 1h30m), found \"soon\"".into())
        );
    }

    #[test]
    fn rate_is_linear_in_a_ramp_and_holds_after_the_end() {
        let p = parse("1000 for 10s, ramp to 2000 over 10s").expect("parses");
        assert_eq!(p.rate_at(0), 1000.0);
        assert_eq!(p.rate_at(9_999), 1000.0);
        assert_eq!(p.rate_at(15_000), 1500.0);
        assert_eq!(p.rate_at(20_000), 2000.0);
        assert_eq!(p.rate_at(99_000), 2000.0);
        assert_eq!(p.peak(), 2000.0);
        assert_eq!(p.duration_ms(), 20_000);
    }
}
