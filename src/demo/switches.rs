//! What flaw switches, shape switches and the session-id families share: kebab-case names, parsing a
//! comma-separated list (with `all` and `none`) or a single name that suggests the nearest name for a
//! typo, and the aligned `--list-*` output.

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
