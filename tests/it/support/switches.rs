//! What a Ticketbooth switch (a flaw, a shape) was seen to do, against what it should: the lines the
//! HTTP-level tests of the flaws and the shapes print where the two differ.

use std::fmt::Display;

/// One line per `(switch, seen)` in `got` where `seen` is not `expect(switch)`:
/// "with {label}: {what} `{switch}` {said}", `said` being `seen_wrongly` or `missed`.
pub fn mismatches<T: Display + Copy>(
    label: &str,
    what: &str,
    got: &[(T, bool)],
    expect: impl Fn(T) -> bool,
    [seen_wrongly, missed]: [&str; 2],
) -> Vec<String> {
    got.iter()
        .filter(|(s, seen)| *seen != expect(*s))
        .map(|(s, seen)| {
            format!(
                "with {label}: {what} `{s}` {}",
                if *seen { seen_wrongly } else { missed }
            )
        })
        .collect()
}
