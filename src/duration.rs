//! Human durations (`3s`, `15m`, `8h`, `1h30m`, `250ms`) shared by the CLI, profiles and the demo.

use std::time::Duration;

/// Parses a human duration. A bare number is rejected: `15` could mean seconds or minutes, and a
/// security policy must not guess.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err("empty duration; write e.g. `30s`, `15m` or `8h`".into());
    }
    if trimmed.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!(
            "`{trimmed}` has no unit; write e.g. `{trimmed}s` or `{trimmed}m`"
        ));
    }
    humantime::parse_duration(trimmed).map_err(|e| {
        format!("`{trimmed}` is not a duration ({e}); write e.g. `30s`, `15m` or `8h`")
    })
}

/// Formats a duration compactly for humans and reports (`15m`, `1h 30m`, `2.5s`).
pub fn format_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms == 0 {
        return "0s".into();
    }
    if !ms.is_multiple_of(1000) && ms < 60_000 {
        return format!("{:.1}s", d.as_secs_f64());
    }
    humantime::format_duration(Duration::from_secs(d.as_secs())).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units() {
        assert_eq!(parse_duration("3s").unwrap(), Duration::from_secs(3));
        assert_eq!(parse_duration("15m").unwrap(), Duration::from_secs(900));
        assert_eq!(parse_duration("8h").unwrap(), Duration::from_secs(28_800));
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
    }

    #[test]
    fn rejects_bare_numbers_and_garbage() {
        assert!(parse_duration("15").unwrap_err().contains("no unit"));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("").is_err());
    }

    #[test]
    fn formats() {
        assert_eq!(format_duration(Duration::from_secs(900)), "15m");
        assert_eq!(format_duration(Duration::from_millis(2500)), "2.5s");
    }
}
