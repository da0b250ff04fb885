//! Kubernetes resource quantities (`resource.Quantity`): `500m`, `2`, `512Mi`,
//! `536870912`, `1e3`, `1.5Gi`, read into numbers so that equal amounts
//! written differently compare equal.

use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

/// A quantity that does not follow the Kubernetes quantity syntax.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a quantity: write a number with an optional suffix (250m, 2, 512Mi, 1Gi, 1e3)")]
pub struct QuantityError {
    /// The text as written.
    pub value: String,
}

/// The value of a quantity in base units (cores for CPU, bytes for memory).
pub fn parse(q: &Quantity) -> Result<f64, QuantityError> {
    parse_str(&q.0)
}

/// The value of a quantity written as text, in base units.
pub fn parse_str(text: &str) -> Result<f64, QuantityError> {
    let err = || QuantityError {
        value: text.to_string(),
    };
    let s = text.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
        .unwrap_or(s.len());
    let (number, suffix) = s.split_at(split);
    if number.is_empty() || number == "+" || number == "-" || number == "." {
        return Err(err());
    }
    let base: f64 = number.parse().map_err(|_| err())?;
    let factor = match suffix {
        "" => 1.0,
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        s if s.starts_with(['e', 'E']) => {
            let exp: i32 = s[1..].parse().map_err(|_| err())?;
            10f64.powi(exp)
        }
        _ => return Err(err()),
    };
    let v = base * factor;
    if v.is_finite() {
        Ok(v)
    } else {
        Err(err())
    }
}

/// The value in thousandths of a base unit, rounded up as Kubernetes rounds
/// `MilliValue()` (CPU requests are compared in millicores).
pub fn millis(q: &Quantity) -> Result<i64, QuantityError> {
    Ok((parse(q)? * 1000.0).ceil() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_amounts_written_differently_are_equal() {
        assert_eq!(parse_str("512Mi").unwrap(), parse_str("536870912").unwrap());
        assert_eq!(parse_str("1e3").unwrap(), parse_str("1k").unwrap());
        assert_eq!(parse_str("0.5").unwrap(), parse_str("500m").unwrap());
        assert_eq!(millis(&Quantity("250m".into())).unwrap(), 250);
        assert_eq!(parse_str("1.5Gi").unwrap(), 1.5 * 1024.0 * 1024.0 * 1024.0);
    }

    #[test]
    fn malformed_quantities_are_errors() {
        for bad in ["", "Mi", "12XB", "1.2.3", "--1", "1e", "abc"] {
            assert!(parse_str(bad).is_err(), "{bad:?} parsed");
        }
    }
}
