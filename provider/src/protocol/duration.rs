//! Go duration strings (`30m`, `1h30m`, `90s`), the syntax Terraform users write in `timeouts`
//! blocks and in `assume_role.duration`.

use std::time::Duration;

/// Go's longest duration (`1<<63 - 1` ns, 2562047h47m16.854775807s, about 292 years): Go
/// refuses longer ones as invalid, and a deadline that far from now still fits an `Instant`.
const MAX_SECONDS: f64 = i64::MAX as f64 / 1e9;

/// Parses a Go duration: a sequence of decimal numbers, each with a unit (`ns`, `us`, `µs`,
/// `ms`, `s`, `m`, `h`). Negative durations are refused: no timeout can be negative; so are
/// durations longer than Go's (about 292 years), as Go does.
pub(crate) fn parse_go_duration(text: &str) -> Result<Duration, String> {
    let invalid = || {
        format!(
            "{text:?} is not a duration: use a number with a unit, such as \"30m\", \"1h30m\" or \"90s\""
        )
    };
    let mut rest = text.trim();
    if rest == "0" {
        return Ok(Duration::ZERO);
    }
    if rest.is_empty() || rest.starts_with('-') {
        return Err(invalid());
    }
    rest = rest.strip_prefix('+').unwrap_or(rest);
    let mut total = 0f64;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (number, after) = rest.split_at(number_len);
        let value: f64 = number.parse().map_err(|_| invalid())?;
        let unit_len = after
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after.len());
        let (unit, after) = after.split_at(unit_len);
        let seconds = match unit {
            "ns" => 1e-9,
            "us" | "µs" | "μs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return Err(invalid()),
        };
        total += value * seconds;
        rest = after;
    }
    if total > MAX_SECONDS {
        return Err(format!(
            "{text:?} is longer than the longest duration, 2562047h (about 292 years)"
        ));
    }
    Duration::try_from_secs_f64(total).map_err(|_| invalid())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations() {
        assert_eq!(parse_go_duration("30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(parse_go_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_go_duration("1.5h"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_go_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_go_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_go_duration("0"), Ok(Duration::ZERO));
        // Go's longest duration, and longer ones (which once overflowed a deadline).
        assert_eq!(
            parse_go_duration("2562047h47m16.854775807s").map(|d| d.as_secs()),
            Ok(9_223_372_036)
        );
        for too_long in ["2562048h", "3000000000000000h", "18446744073709551615s"] {
            let err = parse_go_duration(too_long).unwrap_err();
            assert!(err.contains("longest duration"), "{too_long}: {err}");
        }
        for bad in ["", "30", "m", "-5m", "5 minutes", "1d", "1h30"] {
            let err = parse_go_duration(bad).unwrap_err();
            assert!(err.contains("\"30m\""), "{bad}: {err}");
        }
    }
}
