//! `--shard I/N`: one CI job's share of the flows. Scenarios are dealt round-robin in name order, so
//! shards 1..N together run every flow exactly once, whatever order the files were given in, and
//! each shard gets nearly the same number of flows.

use super::project::Project;
use std::collections::HashSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 1-based.
    pub index: usize,
    pub count: usize,
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("`{s}` is not a shard: write I/N with 1 <= I <= N, e.g. 2/3");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let index: usize = i.trim().parse().map_err(|_| bad())?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Project {
    /// Keeps this shard's scenarios (skipped ones too, so their SKIPPED record appears once).
    pub fn keep_shard(&mut self, shard: Shard) {
        let mut names: Vec<&str> = self
            .suites
            .iter()
            .flat_map(|s| {
                s.scenarios
                    .iter()
                    .map(|x| x.name.as_str())
                    .chain(s.skipped.iter().map(|(x, _)| x.name.as_str()))
            })
            .collect();
        names.sort_unstable();
        names.dedup();
        let mine: HashSet<String> = names
            .iter()
            .enumerate()
            .filter(|(i, _)| i % shard.count == shard.index - 1)
            .map(|(_, n)| n.to_string())
            .collect();
        for suite in &mut self.suites {
            suite.scenarios.retain(|s| mine.contains(&s.name));
            suite.skipped.retain(|(s, _)| mine.contains(&s.name));
        }
        self.suites
            .retain(|s| !s.scenarios.is_empty() || !s.skipped.is_empty());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_refuses() {
        assert_eq!("2/3".parse::<Shard>(), Ok(Shard { index: 2, count: 3 }));
        for bad in ["0/3", "4/3", "1/0", "3", "a/b", "1/2/3", ""] {
            let e = bad.parse::<Shard>().unwrap_err();
            assert!(e.contains("I/N"), "{bad}: {e}");
        }
    }
}
