//! Exact decimal numbers.
//!
//! cty numbers are arbitrary-precision, and cty decides that two numbers are equal when their
//! plain decimal text is equal (`rawNumberEqual` in go-cty's `primitive_type.go`). Holding the
//! number as an exact decimal therefore keeps every value Terraform sends (2^70, 1e400, 0.1)
//! and compares the way Terraform does.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// Largest decimal exponent accepted; bounds the text a number can expand to (1e100000 is a
/// 100 kB string), so hostile input cannot exhaust memory.
const MAX_EXPONENT: i64 = 100_000;

/// An exact decimal number of any width or precision.
///
/// Stored normalised as `±digits × 10^exponent` with no leading or trailing zeros in `digits`
/// (zero has no digits and is never negative), so the derived `Eq`/`Hash` compare by value.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Number {
    negative: bool,
    digits: String,
    exponent: i64,
}

/// Text that is not a decimal number (`12`, `-1.5`, `2e70`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseNumberError(String);

impl fmt::Display for ParseNumberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ParseNumberError {}

impl Number {
    fn normalized(negative: bool, digits: &str, exponent: i64) -> Number {
        let trimmed = digits.trim_start_matches('0');
        let significant = trimmed.trim_end_matches('0');
        if significant.is_empty() {
            return Number {
                negative: false,
                digits: String::new(),
                exponent: 0,
            };
        }
        Number {
            negative,
            digits: significant.to_owned(),
            exponent: exponent + (trimmed.len() - significant.len()) as i64,
        }
    }

    fn from_i128(value: i128) -> Number {
        Number::normalized(value < 0, &value.unsigned_abs().to_string(), 0)
    }

    /// The shortest decimal that reads back as `value` (0.1 stays 0.1), or `None` for NaN
    /// and infinities, which Terraform numbers cannot hold here.
    pub fn from_f64(value: f64) -> Option<Number> {
        if !value.is_finite() {
            return None;
        }
        // `{:e}` prints the shortest round-tripping digits, e.g. `1e-1` for 0.1.
        format!("{value:e}").parse().ok()
    }

    /// Whether the number has no fractional part.
    pub fn is_integer(&self) -> bool {
        self.exponent >= 0
    }

    fn as_i128(&self) -> Option<i128> {
        if !self.is_integer() || self.digits.len() as i64 + self.exponent > 39 {
            return None;
        }
        let mut magnitude: u128 = 0;
        for digit in self.digits.bytes() {
            magnitude = magnitude
                .checked_mul(10)?
                .checked_add(u128::from(digit - b'0'))?;
        }
        for _ in 0..self.exponent {
            magnitude = magnitude.checked_mul(10)?;
        }
        let value = i128::try_from(magnitude).ok()?;
        Some(if self.negative { -value } else { value })
    }

    /// The value as `i64` when it is an integer in range.
    pub fn as_i64(&self) -> Option<i64> {
        self.as_i128().and_then(|v| i64::try_from(v).ok())
    }

    /// The value as `u64` when it is a non-negative integer in range.
    pub fn as_u64(&self) -> Option<u64> {
        self.as_i128().and_then(|v| u64::try_from(v).ok())
    }

    /// The nearest `f64` (infinite when out of range).
    pub fn as_f64(&self) -> f64 {
        if self.digits.is_empty() {
            return 0.0;
        }
        let sign = if self.negative { "-" } else { "" };
        // Rust's float parser rounds correctly and accepts any length of digits.
        format!("{sign}{}e{}", self.digits, self.exponent)
            .parse()
            .unwrap_or(f64::NAN)
    }

    /// The `f64` whose shortest decimal form is exactly this number, if there is one. Such a
    /// number can travel as a msgpack float64 and still compare equal in cty.
    pub fn to_f64_lossless(&self) -> Option<f64> {
        let float = self.as_f64();
        (Number::from_f64(float).as_ref() == Some(self)).then_some(float)
    }

    fn sign(&self) -> i8 {
        match (self.digits.is_empty(), self.negative) {
            (true, _) => 0,
            (false, true) => -1,
            (false, false) => 1,
        }
    }
}

impl FromStr for Number {
    type Err = ParseNumberError;

    /// Reads decimal and scientific notation: `42`, `-0.5`, `.5`, `1e400`, `2.5E-3`.
    fn from_str(text: &str) -> Result<Number, ParseNumberError> {
        let invalid = || ParseNumberError(format!("{text:?} is not a decimal number"));
        let (negative, rest) = match text.as_bytes().first() {
            Some(b'-') => (true, &text[1..]),
            Some(b'+') => (false, &text[1..]),
            _ => (false, text),
        };
        let (mantissa, exponent_text) = match rest.find(['e', 'E']) {
            Some(at) => (&rest[..at], Some(&rest[at + 1..])),
            None => (rest, None),
        };
        let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.len() + fraction.len() == 0 || !all_digits(whole) || !all_digits(fraction) {
            return Err(invalid());
        }
        let exponent = match exponent_text {
            None => 0,
            Some(e) => {
                let unsigned = e.strip_prefix(['-', '+']).unwrap_or(e);
                if unsigned.is_empty() || !all_digits(unsigned) {
                    return Err(invalid());
                }
                // Saturate: anything this large is rejected by the range check below.
                let magnitude = unsigned
                    .parse::<i64>()
                    .unwrap_or(i64::MAX / 4)
                    .min(i64::MAX / 4);
                if e.starts_with('-') {
                    -magnitude
                } else {
                    magnitude
                }
            }
        };
        let number = Number::normalized(
            negative,
            &format!("{whole}{fraction}"),
            exponent - fraction.len() as i64,
        );
        let top = number.exponent + number.digits.len() as i64;
        if number.exponent.abs() > MAX_EXPONENT || top.abs() > MAX_EXPONENT {
            return Err(ParseNumberError(format!(
                "{text:?} is outside the supported range (decimal exponent within ±{MAX_EXPONENT})"
            )));
        }
        Ok(number)
    }
}

impl fmt::Display for Number {
    /// Plain decimal without an exponent, as cty prints numbers (`Text('f', -1)`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.digits.is_empty() {
            return f.write_str("0");
        }
        if self.negative {
            f.write_str("-")?;
        }
        let point = self.digits.len() as i64 + self.exponent;
        if self.exponent >= 0 {
            write!(f, "{}{}", self.digits, "0".repeat(self.exponent as usize))
        } else if point > 0 {
            let (whole, fraction) = self.digits.split_at(point as usize);
            write!(f, "{whole}.{fraction}")
        } else {
            write!(f, "0.{}{}", "0".repeat(-point as usize), self.digits)
        }
    }
}

impl fmt::Debug for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Ord for Number {
    fn cmp(&self, other: &Number) -> Ordering {
        let by_sign = self.sign().cmp(&other.sign());
        if by_sign != Ordering::Equal || self.sign() == 0 {
            return by_sign;
        }
        // Same sign: compare magnitudes by the position of the leading digit, then digit by
        // digit (normalised digits have no trailing zeros, so a prefix is the smaller one).
        let top = |n: &Number| n.digits.len() as i64 + n.exponent;
        let magnitude = top(self)
            .cmp(&top(other))
            .then_with(|| self.digits.cmp(&other.digits));
        if self.negative {
            magnitude.reverse()
        } else {
            magnitude
        }
    }
}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Number) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

macro_rules! from_integer {
    ($($t:ty),*) => {$(
        impl From<$t> for Number {
            fn from(value: $t) -> Number {
                Number::from_i128(value as i128)
            }
        }
    )*};
}
from_integer!(i32, i64, u32, u64, usize);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn n(text: &str) -> Number {
        text.parse().unwrap()
    }

    #[test]
    fn parses_and_prints_canonically() {
        for (input, canonical) in [
            ("0", "0"),
            ("-0.0", "0"),
            ("007", "7"),
            ("1.50", "1.5"),
            (".5", "0.5"),
            ("5.", "5"),
            ("-12.034", "-12.034"),
            ("1e3", "1000"),
            ("+2.5E-3", "0.0025"),
            ("1180591620717411303424", "1180591620717411303424"),
        ] {
            assert_eq!(n(input).to_string(), canonical, "{input}");
        }
        assert_eq!(n("1e400").to_string(), format!("1{}", "0".repeat(400)));
        for bad in [
            "", "-", ".", "1e", "1e+", "0x10", "inf", "NaN", "1.2.3", " 1", "1_0",
        ] {
            assert!(bad.parse::<Number>().is_err(), "{bad:?}");
        }
        assert!("1e100001".parse::<Number>().is_err());
        assert!("1e99999999999999999999999".parse::<Number>().is_err());
    }

    #[test]
    fn compares_by_value() {
        assert_eq!(n("1"), n("1.0"));
        assert_eq!(Number::from(1), Number::from_f64(1.0).unwrap());
        assert!(n("-2") < n("-1.5"));
        assert!(n("1.2") < n("1.25"));
        assert!(n("99") < n("100"));
        assert!(n("0") < n("0.001"));
        assert!(n("-0.001") < n("0"));
        assert!(n("1e400") > Number::from(u64::MAX));
    }

    #[test]
    fn converts_to_machine_numbers() {
        assert_eq!(Number::from(i64::MIN).as_i64(), Some(i64::MIN));
        assert_eq!(Number::from(u64::MAX).as_u64(), Some(u64::MAX));
        assert_eq!(Number::from(u64::MAX).as_i64(), None);
        assert_eq!(Number::from(-1).as_u64(), None);
        assert_eq!(n("1.5").as_i64(), None);
        assert_eq!(n("1e400").as_i64(), None);
        assert_eq!(n("1e400").as_f64(), f64::INFINITY);
        assert_eq!(Number::from_f64(0.1).unwrap().to_string(), "0.1");
        assert_eq!(Number::from_f64(f64::NAN), None);
        assert_eq!(n("0.1").to_f64_lossless(), Some(0.1));
        assert_eq!(n("0.10000000000000001").to_f64_lossless(), None);
    }

    proptest! {
        #[test]
        fn f64_round_trips_and_orders(a in any::<f64>(), b in any::<f64>()) {
            if let (Some(na), Some(nb)) = (Number::from_f64(a), Number::from_f64(b)) {
                prop_assert_eq!(na.as_f64(), if a == 0.0 { 0.0 } else { a });
                prop_assert_eq!(na.cmp(&nb), a.partial_cmp(&b).unwrap());
                prop_assert_eq!(na.to_string().parse::<Number>().unwrap(), na);
            }
        }

        #[test]
        fn integers_round_trip(a in any::<i64>(), b in any::<i64>()) {
            prop_assert_eq!(Number::from(a).as_i64(), Some(a));
            prop_assert_eq!(Number::from(a).to_string(), a.to_string());
            prop_assert_eq!(Number::from(a).cmp(&Number::from(b)), a.cmp(&b));
        }
    }
}
