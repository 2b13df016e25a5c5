//! Durations as scenario files write them: `30s`, `2m`, `1h`, `1m30s`.

use std::time::Duration;

/// Parses `1h`, `2m`, `30s` and combinations in that order (`1h2m3s`, `1m30s`).
///
/// ```
/// use std::time::Duration;
/// assert_eq!(vpcsim::scenario::parse_duration("1m30s"), Some(Duration::from_secs(90)));
/// assert_eq!(vpcsim::scenario::parse_duration("90"), None);
/// ```
pub fn parse_duration(text: &str) -> Option<Duration> {
    let mut rest = text.trim();
    if rest.is_empty() {
        return None;
    }
    let mut total: u64 = 0;
    let mut units = [('h', 3600), ('m', 60), ('s', 1)].into_iter();
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).filter(|n| *n > 0)?;
        let n: u64 = rest[..digits].parse().ok()?;
        let unit = rest[digits..].chars().next()?;
        let seconds = units.find(|u| u.0 == unit)?.1;
        total = total.checked_add(n.checked_mul(seconds)?)?;
        rest = &rest[digits + unit.len_utf8()..];
    }
    Some(Duration::from_secs(total))
}

/// Writes a duration the way [`parse_duration`] reads it (`1m30s`, `0s`).
pub fn format_duration(d: Duration) -> String {
    let secs = d.as_secs();
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let mut out = String::new();
    for (n, unit) in [(h, "h"), (m, "m"), (s, "s")] {
        if n > 0 {
            out.push_str(&format!("{n}{unit}"));
        }
    }
    if out.is_empty() {
        out.push_str("0s");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_combine_in_order() {
        assert_eq!(parse_duration("30s"), Some(Duration::from_secs(30)));
        assert_eq!(parse_duration("2m"), Some(Duration::from_secs(120)));
        assert_eq!(parse_duration("1h"), Some(Duration::from_secs(3600)));
        assert_eq!(parse_duration("1h2m3s"), Some(Duration::from_secs(3723)));
    }

    #[test]
    fn malformed_durations_are_refused() {
        for bad in
            ["", "30", "s", "1x", "30s2m", "1m1m", "-5s", "5 m", "99999999999999999999h", "1.5m", "5µ", "µ"]
        {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn formatting_round_trips() {
        assert_eq!(format_duration(Duration::from_secs(90)), "1m30s");
        assert_eq!(format_duration(Duration::ZERO), "0s");
        assert_eq!(
            parse_duration(&format_duration(Duration::from_secs(3723))),
            Some(Duration::from_secs(3723))
        );
    }
}
