//! What flaw switches, shape switches and the session-id families share: kebab-case names, parsing a
//! comma-separated list (with `all` and `none`) or a single name that suggests the nearest name for a
//! typo, the aligned `--list-*` output, and a set of switched-on flaws or shapes.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::str::FromStr;

/// One named switch of Ticketbooth (a flaw, a shape or a session-id family).
pub trait Switch: Copy + Eq + 'static {
    /// "flaw" or "shape", for messages.
    const KIND: &'static str;

    fn all() -> &'static [Self];

    /// The kebab-case name used on the command line and in reports.
    fn name(self) -> &'static str;

    fn description(self) -> &'static str;

    /// Whether `all` takes it (every switch unless one says otherwise; those must be named).
    fn in_all(self) -> bool {
        true
    }

    /// Its bit in a [`SwitchSet`]: its place in the catalogue.
    fn index(self) -> u32 {
        let place = Self::all().iter().position(|s| *s == self);
        place.expect("every switch is in its catalogue") as u32
    }
}

pub fn from_name<T: Switch>(name: &str) -> Option<T> {
    let name = name.trim();
    T::all()
        .iter()
        .copied()
        .find(|s| s.name().eq_ignore_ascii_case(name))
}

/// `all`, `none` or names separated by commas; `none` is the empty list.
pub fn parse_list<T: Switch>(text: &str) -> Result<Vec<T>, String> {
    let trimmed = text.trim();
    if trimmed.eq_ignore_ascii_case("all") {
        return Ok(T::all().iter().copied().filter(|s| s.in_all()).collect());
    }
    if trimmed.eq_ignore_ascii_case("none") {
        return Ok(Vec::new());
    }
    let names: Vec<&str> = trimmed
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .collect();
    if names.is_empty() {
        return Err(format!(
            "empty {} list; write `none`, `all` or names separated by commas ({})",
            T::KIND,
            valid_names::<T>()
        ));
    }
    names
        .into_iter()
        .map(|name| from_name(name).ok_or_else(|| unknown_message::<T>(name, &valid_names::<T>())))
        .collect()
}

/// Exactly one name (a choice, not a set: no `all`, no `none`, no list).
pub fn parse_one<T: Switch>(text: &str) -> Result<T, String> {
    let names: Vec<&str> = T::all().iter().map(|s| s.name()).collect();
    let valid = format!("valid: {}", names.join(", "));
    from_name(text).ok_or_else(|| unknown_message::<T>(text.trim(), &valid))
}

fn valid_names<T: Switch>() -> String {
    let names: Vec<&str> = T::all().iter().map(|s| s.name()).collect();
    format!("valid: all, none, {}", names.join(", "))
}

fn unknown_message<T: Switch>(name: &str, valid: &str) -> String {
    let lowered = name.to_ascii_lowercase();
    let names = || T::all().iter().map(|s| s.name());
    let nearest = names()
        .map(|n| (n, strsim::jaro_winkler(&lowered, n)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .filter(|(_, score)| *score >= 0.7)
        .map(|(n, _)| n)
        // "session-fixation" scores low on similarity but obviously means "fixation".
        .or_else(|| names().find(|n| lowered.contains(n) || n.contains(lowered.as_str())));
    let kind = T::KIND;
    match nearest {
        Some(n) => format!("unknown {kind} `{name}`, did you mean `{n}`? ({valid})"),
        None => format!("unknown {kind} `{name}` ({valid})"),
    }
}

/// One line per switch, name padded, for `usher demo serve --list-flaws` / `--list-shapes` /
/// `--list-session-ids`.
pub fn list<T: Switch>() -> String {
    let width = T::all().iter().map(|s| s.name().len()).max().unwrap_or(0);
    let mut out = String::new();
    for s in T::all() {
        out.push_str(&format!("{:width$}  {}\n", s.name(), s.description()));
    }
    out
}

/// A set of switched-on switches of one kind, one bit each (each catalogue asserts it fits).
pub struct SwitchSet<T>(u32, PhantomData<T>);

fn bit<T: Switch>(switch: T) -> u32 {
    1 << switch.index()
}

impl<T: Switch> SwitchSet<T> {
    pub fn none() -> Self {
        SwitchSet(0, PhantomData)
    }

    /// Every switch that `all` takes (`Switch::in_all`).
    pub fn all() -> Self {
        T::all().iter().copied().filter(|s| s.in_all()).collect()
    }

    pub fn only(switch: T) -> Self {
        SwitchSet(bit(switch), PhantomData)
    }

    pub fn contains(&self, switch: T) -> bool {
        self.0 & bit(switch) != 0
    }

    pub fn insert(&mut self, switch: T) {
        self.0 |= bit(switch);
    }

    pub fn is_empty(&self) -> bool {
        self.0 == 0
    }

    pub fn len(&self) -> usize {
        self.0.count_ones() as usize
    }

    /// In catalogue order, so printed lists are stable.
    pub fn iter(&self) -> impl Iterator<Item = T> + use<T> {
        let set = *self;
        T::all().iter().copied().filter(move |s| set.contains(*s))
    }
}

// By hand: derived impls would ask `T` for what only the bits need.
impl<T> Clone for SwitchSet<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for SwitchSet<T> {}

impl<T> Default for SwitchSet<T> {
    fn default() -> Self {
        SwitchSet(0, PhantomData)
    }
}

impl<T> PartialEq for SwitchSet<T> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl<T> Eq for SwitchSet<T> {}

impl<T> Hash for SwitchSet<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl<T: Switch + fmt::Debug> fmt::Debug for SwitchSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl<T: Switch> FromIterator<T> for SwitchSet<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut set = SwitchSet::none();
        for switch in iter {
            set.insert(switch);
        }
        set
    }
}

impl<T: Switch> fmt::Display for SwitchSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("none");
        }
        let names: Vec<&str> = self.iter().map(T::name).collect();
        f.write_str(&names.join(","))
    }
}

impl<T: Switch> FromStr for SwitchSet<T> {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(parse_list::<T>(text)?.into_iter().collect())
    }
}
