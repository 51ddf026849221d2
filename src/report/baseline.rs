//! Baselines: what got worse between an earlier run and this one (`usher run --baseline`, `usher diff`).
//!
//! Both sides are read as [`RunResults`], a lenient view of results.json that keeps only what the
//! comparison needs and ignores every other field, so files written by older or newer versions load. A
//! finished run is turned into the same view through its JSON form, so `run --baseline` and `diff`
//! cannot disagree. Flows are matched by suite and name; checks within a flow by name, persona and
//! occurrence. The measured keys compared are the ones the checks write (`record::measured::Measure`).

use crate::record::measured::Measure;
use crate::record::{FlowRecord, Regression, RegressionKind};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

/// The part of a results.json the comparison reads.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RunResults {
    pub flows: Vec<FlowResult>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct FlowResult {
    #[serde(default)]
    pub suite: String,
    pub name: String,
    /// Kept as text: a verdict this version does not know must not make the file unreadable.
    #[serde(default)]
    pub verdict: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub checks: Vec<CheckResult>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct CheckResult {
    pub check: String,
    #[serde(default)]
    pub persona: String,
    #[serde(default)]
    pub measured: Map<String, Value>,
}

/// The outcome of comparing two runs.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Comparison {
    pub regressions: Vec<Regression>,
    /// Flows present in both runs.
    pub compared: usize,
    /// Flows only in the newer run (`suite › name`): nothing to compare them with.
    pub added: Vec<String>,
    /// Flows only in the baseline.
    pub removed: Vec<String>,
}

impl RunResults {
    pub fn from_flows(flows: &[FlowRecord]) -> RunResults {
        let value = serde_json::json!({ "flows": flows });
        parse_value(value).expect("a run's own flows read back")
    }
}

/// Reads a results.json; the error says which file and what is wrong with it.
pub fn load(path: &Path) -> Result<RunResults, String> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        format!(
            "cannot read {}: {e}; expected the results.json of a run",
            path.display()
        )
    })?;
    parse(&text).map_err(|e| format!("{} {e}", path.display()))
}

/// Parses results.json text. The error completes the sentence "FILE ...".
pub fn parse(text: &str) -> Result<RunResults, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        format!("is not JSON ({e}); expected the results.json written by `usher run`")
    })?;
    parse_value(value)
}

fn parse_value(value: Value) -> Result<RunResults, String> {
    let Value::Object(mut top) = value else {
        return Err("is not a results.json: expected a JSON object".into());
    };
    if let Some(tool) = top.get("tool").and_then(Value::as_str)
        && tool != "usher"
    {
        return Err(format!(
            "was written by `{tool}`, not usher: expected an usher results.json"
        ));
    }
    let Some(Value::Array(flows)) = top.remove("flows") else {
        return Err("is not a results.json: it has no `flows` list".into());
    };
    let flows = flows
        .into_iter()
        .enumerate()
        .map(|(i, f)| {
            serde_json::from_value::<FlowResult>(f)
                .map_err(|e| format!("is not a results.json: flows[{i}]: {e}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(RunResults { flows })
}

/// What got worse from `old` to `new`, in the order of `new`'s flows.
pub fn compare(old: &RunResults, new: &RunResults) -> Comparison {
    let key = |f: &FlowResult| format!("{} › {}", f.suite, f.name);
    let before: HashMap<String, &FlowResult> = old.flows.iter().map(|f| (key(f), f)).collect();
    let mut out = Comparison::default();
    for flow in &new.flows {
        match before.get(&key(flow)) {
            Some(was) => {
                out.compared += 1;
                out.regressions.extend(flow_regressions(was, flow));
            }
            None => out.added.push(key(flow)),
        }
    }
    let now: std::collections::HashSet<String> = new.flows.iter().map(key).collect();
    out.removed = old
        .flows
        .iter()
        .map(key)
        .filter(|k| !now.contains(k))
        .collect();
    out
}

fn flow_regressions(was: &FlowResult, now: &FlowResult) -> Vec<Regression> {
    let mut out = Vec::new();
    let regression =
        |kind, check: Option<&CheckResult>, before: String, after: String, message| Regression {
            suite: now.suite.clone(),
            flow: now.name.clone(),
            kind,
            check: check.map(|c| c.check.clone()),
            persona: check.map(|c| c.persona.clone()),
            before,
            after,
            message,
        };
    if was.verdict == "PASS" && (now.verdict == "FAIL" || now.verdict == "ERROR") {
        let kind = if now.verdict == "FAIL" {
            RegressionKind::NowFails
        } else {
            RegressionKind::NowErrors
        };
        let why = one_line(&now.summary);
        out.push(regression(
            kind,
            None,
            "PASS".into(),
            now.verdict.clone(),
            format!("passed in the baseline, {} now: {why}", now.verdict),
        ));
    }
    for (old_check, new_check) in pair_checks(was, now) {
        let (a, b) = (&old_check.measured, &new_check.measured);
        let found = [
            idle_timeout(a, b),
            concurrent_sessions(a, b),
            entropy_bits(a, b),
        ]
        .into_iter()
        .flatten()
        .chain(cookie_attributes(a, b));
        for (kind, before, after, message) in found {
            out.push(regression(kind, Some(new_check), before, after, message));
        }
    }
    out
}

/// Checks of both runs with the same name and persona, the n-th with the n-th.
fn pair_checks<'a>(
    was: &'a FlowResult,
    now: &'a FlowResult,
) -> Vec<(&'a CheckResult, &'a CheckResult)> {
    let mut seen: HashMap<(&str, &str), usize> = HashMap::new();
    let mut pairs = Vec::new();
    for c in &now.checks {
        let n = seen.entry((&c.check, &c.persona)).or_default();
        if let Some(old) = was
            .checks
            .iter()
            .filter(|o| o.check == c.check && o.persona == c.persona)
            .nth(*n)
        {
            pairs.push((old, c));
        }
        *n += 1;
    }
    pairs
}

type Found = (RegressionKind, String, String, String);

/// The idle timeout lies between the longest wait still logged in and the shortest wait logged out;
/// the upper end is compared (no upper end: longer than every wait, so unbounded).
fn idle_timeout(was: &Map<String, Value>, now: &Map<String, Value>) -> Option<Found> {
    let bracket = |m: &Map<String, Value>| {
        let lower = m.get(Measure::IdleTimeoutLowerS.key())?.as_f64();
        let upper = m.get(Measure::IdleTimeoutUpperS.key())?.as_f64();
        (lower.is_some() || upper.is_some()).then_some((lower, upper))
    };
    let ((old_lower, old_upper), (new_lower, new_upper)) = (bracket(was)?, bracket(now)?);
    let longer = match (old_upper, new_upper) {
        (Some(o), Some(n)) => n > o,
        (Some(_), None) => true,
        (None, Some(_)) => false,
        (None, None) => new_lower.unwrap_or(0.0) > old_lower.unwrap_or(0.0),
    };
    let say = |lower: Option<f64>, upper: Option<f64>| match upper {
        Some(u) => format!("at most {}", secs(u)),
        None => format!("longer than {}", secs(lower.unwrap_or(0.0))),
    };
    longer.then(|| {
        let (before, after) = (say(old_lower, old_upper), say(new_lower, new_upper));
        let message = format!("idle timeout got longer: {before} in the baseline, {after} now");
        (RegressionKind::IdleTimeout, before, after, message)
    })
}

fn concurrent_sessions(was: &Map<String, Value>, now: &Map<String, Value>) -> Option<Found> {
    let (old, new) = (
        was.get(Measure::ObservedCap.key())?.as_u64()?,
        now.get(Measure::ObservedCap.key())?.as_u64()?,
    );
    (new > old).then(|| {
        let message = format!(
            "more sessions of one account stay logged in at once: {old} in the baseline, {new} now"
        );
        let kind = RegressionKind::ConcurrentSessions;
        (kind, old.to_string(), new.to_string(), message)
    })
}

fn entropy_bits(was: &Map<String, Value>, now: &Map<String, Value>) -> Option<Found> {
    let (old, new) = (
        was.get(Measure::EntropyBits.key())?.as_u64()?,
        now.get(Measure::EntropyBits.key())?.as_u64()?,
    );
    (new < old).then(|| {
        let message = format!(
            "tokens have less effective entropy: {old} bits in the baseline, {new} bits now"
        );
        let kind = RegressionKind::EntropyBits;
        (kind, format!("{old} bits"), format!("{new} bits"), message)
    })
}

/// Each protection the session cookie had in the baseline and lacks now, one regression each.
fn cookie_attributes(was: &Map<String, Value>, now: &Map<String, Value>) -> Vec<Found> {
    let (Some(Value::Object(old)), Some(Value::Object(new))) = (
        was.get(Measure::Cookie.key()),
        now.get(Measure::Cookie.key()),
    ) else {
        return Vec::new();
    };
    let flag = |c: &Map<String, Value>, k: &str| c.get(k).and_then(Value::as_bool) == Some(true);
    let text = |c: &Map<String, Value>, k: &str| {
        c.get(k)
            .and_then(Value::as_str)
            .map(str::to_string)
            .filter(|s| !s.is_empty())
    };
    let same_site = |c: &Map<String, Value>| text(c, "same_site");
    let rank = |s: &Option<String>| match s.as_deref().map(str::to_ascii_lowercase).as_deref() {
        Some("strict") => 2,
        Some("lax") => 1,
        _ => 0,
    };
    let persistent =
        |c: &Map<String, Value>| text(c, "expires").is_some() || text(c, "max_age").is_some();
    let name = |c: &Map<String, Value>| text(c, "name").unwrap_or_default();
    let mut lost: Vec<(String, String)> = Vec::new();
    for (key, label) in [("http_only", "HttpOnly"), ("secure", "Secure")] {
        if flag(old, key) && !flag(new, key) {
            lost.push((label.into(), format!("no {label}")));
        }
    }
    let (old_ss, new_ss) = (same_site(old), same_site(new));
    if rank(&new_ss) < rank(&old_ss) {
        let say = |s: &Option<String>| {
            s.as_ref()
                .map_or("no SameSite".to_string(), |v| format!("SameSite={v}"))
        };
        lost.push((say(&old_ss), say(&new_ss)));
    }
    if text(old, "domain").is_none()
        && let Some(d) = text(new, "domain")
    {
        lost.push(("host-only".into(), format!("Domain={d}")));
    }
    if !persistent(old) && persistent(new) {
        lost.push(("session-only".into(), "persistent (Expires/Max-Age)".into()));
    }
    if name(old).starts_with("__Host-") && !name(new).starts_with("__Host-") {
        lost.push(("__Host- prefix".into(), format!("named `{}`", name(new))));
    }
    lost.into_iter()
        .map(|(before, after)| {
            let message = format!(
                "the session cookie `{}` lost {before}: {after} now",
                name(new)
            );
            (RegressionKind::CookieAttribute, before, after, message)
        })
        .collect()
}

fn secs(s: f64) -> String {
    crate::duration::format_duration(Duration::from_secs_f64(s.max(0.0)))
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(flows: Value) -> RunResults {
        parse(&json!({"schema_version": 1, "tool": "usher", "flows": flows}).to_string()).unwrap()
    }

    fn flow(name: &str, verdict: &str, checks: Value) -> Value {
        json!({"suite": "shop", "name": name, "verdict": verdict, "summary": "why\nit ended", "checks": checks})
    }

    fn check(name: &str, measured: Value) -> Value {
        json!({"check": name, "persona": "victim", "measured": measured})
    }

    fn kinds(c: &Comparison) -> Vec<RegressionKind> {
        c.regressions.iter().map(|r| r.kind).collect()
    }

    fn cookie(extra: Value) -> Value {
        let mut c = json!({"name": "__Host-sid", "http_only": true, "secure": true,
            "same_site": "Strict", "domain": null, "path": "/", "expires": null, "max_age": null});
        for (k, v) in extra.as_object().unwrap() {
            c[k] = v.clone();
        }
        check("cookie_attributes", json!({"cookie": c}))
    }

    #[test]
    fn nothing_worse_is_no_regression() {
        let old = run(json!([
            flow(
                "a",
                "FAIL",
                json!([check("entropy_at_least", json!({"entropy_bits": 60}))])
            ),
            flow(
                "b",
                "PASS",
                json!([check(
                    "concurrent_sessions_at_most",
                    json!({"observed_cap": 5})
                )])
            ),
            flow("c", "PASS", json!([cookie(json!({"http_only": false}))])),
        ]));
        // Better everywhere: fixed flow, more entropy, fewer sessions, an attribute gained.
        let new = run(json!([
            flow(
                "a",
                "PASS",
                json!([check("entropy_at_least", json!({"entropy_bits": 128}))])
            ),
            flow(
                "b",
                "PASS",
                json!([check(
                    "concurrent_sessions_at_most",
                    json!({"observed_cap": 3})
                )])
            ),
            flow("c", "PASS", json!([cookie(json!({}))])),
        ]));
        let c = compare(&old, &new);
        assert_eq!(c.regressions, vec![]);
        assert_eq!(c.compared, 3);
        assert_eq!(compare(&new, &new).regressions, vec![]);
    }

    #[test]
    fn a_flow_that_passed_and_now_fails_or_errors() {
        let old = run(json!([
            flow("a", "PASS", json!([])),
            flow("b", "PASS", json!([])),
            flow("c", "FAIL", json!([]))
        ]));
        let new = run(json!([
            flow("a", "FAIL", json!([])),
            flow("b", "ERROR", json!([])),
            flow("c", "FAIL", json!([]))
        ]));
        let c = compare(&old, &new);
        assert_eq!(
            kinds(&c),
            vec![RegressionKind::NowFails, RegressionKind::NowErrors]
        );
        let r = &c.regressions[0];
        assert_eq!((r.suite.as_str(), r.flow.as_str()), ("shop", "a"));
        assert_eq!((r.before.as_str(), r.after.as_str()), ("PASS", "FAIL"));
        assert_eq!(r.message, "passed in the baseline, FAIL now: why it ended");
        assert_eq!(r.check, None);
    }

    #[test]
    fn a_longer_idle_timeout_by_the_upper_end_of_the_bracket() {
        let idle = |lower: Value, upper: Value| {
            flow(
                "idle",
                "PASS",
                json!([check(
                    "idle_timeout_at_most",
                    json!({"idle_timeout_lower_s": lower, "idle_timeout_upper_s": upper, "policy_s": 8.0})
                )]),
            )
        };
        let cmp = |a: Value, b: Value| compare(&run(json!([a])), &run(json!([b])));
        let c = cmp(idle(json!(4.0), json!(9.0)), idle(json!(9.0), json!(null)));
        assert_eq!(kinds(&c), vec![RegressionKind::IdleTimeout]);
        assert_eq!(c.regressions[0].before, "at most 9s");
        assert_eq!(c.regressions[0].after, "longer than 9s");
        assert_eq!(
            c.regressions[0].check.as_deref(),
            Some("idle_timeout_at_most")
        );
        assert_eq!(c.regressions[0].persona.as_deref(), Some("victim"));
        assert_eq!(
            kinds(&cmp(
                idle(json!(4.0), json!(9.0)),
                idle(json!(9.0), json!(12.5))
            )),
            vec![RegressionKind::IdleTimeout]
        );
        assert_eq!(
            kinds(&cmp(
                idle(json!(9.0), json!(null)),
                idle(json!(20.0), json!(null))
            )),
            vec![RegressionKind::IdleTimeout]
        );
        // Same or shorter: nothing.
        assert_eq!(
            kinds(&cmp(
                idle(json!(4.0), json!(9.0)),
                idle(json!(4.0), json!(9.0))
            )),
            vec![]
        );
        assert_eq!(
            kinds(&cmp(
                idle(json!(9.0), json!(null)),
                idle(json!(4.0), json!(9.0))
            )),
            vec![]
        );
        assert_eq!(
            kinds(&cmp(
                idle(json!(4.0), json!(9.0)),
                idle(json!(null), json!(4.0))
            )),
            vec![]
        );
    }

    #[test]
    fn a_higher_concurrent_cap() {
        let cap = |n: u64| {
            flow(
                "cap",
                "FAIL",
                json!([check(
                    "concurrent_sessions_at_most",
                    json!({"observed_cap": n, "policy_cap": 3})
                )]),
            )
        };
        let c = compare(&run(json!([cap(4)])), &run(json!([cap(5)])));
        assert_eq!(kinds(&c), vec![RegressionKind::ConcurrentSessions]);
        assert_eq!(
            (
                c.regressions[0].before.as_str(),
                c.regressions[0].after.as_str()
            ),
            ("4", "5")
        );
    }

    #[test]
    fn fewer_entropy_bits() {
        let bits = |b: Value| {
            flow(
                "entropy",
                "PASS",
                json!([check(
                    "entropy_at_least",
                    json!({"entropy_bits": b, "samples": 200})
                )]),
            )
        };
        let c = compare(
            &run(json!([bits(json!(128))])),
            &run(json!([bits(json!(127))])),
        );
        assert_eq!(kinds(&c), vec![RegressionKind::EntropyBits]);
        assert_eq!(
            c.regressions[0].message,
            "tokens have less effective entropy: 128 bits in the baseline, 127 bits now"
        );
        // Not estimated this time: no claim either way.
        assert_eq!(
            kinds(&compare(
                &run(json!([bits(json!(128))])),
                &run(json!([bits(json!(null))]))
            )),
            vec![]
        );
    }

    #[test]
    fn each_lost_cookie_attribute() {
        let with = |c: Value| flow("cookie", "PASS", json!([c]));
        let old = run(json!([with(cookie(json!({})))]));
        let new = run(json!([with(cookie(
            json!({"name": "sid", "http_only": false, "secure": false,
            "same_site": "Lax", "domain": ".example.com", "max_age": "3600"})
        ))]));
        let c = compare(&old, &new);
        let lost: Vec<&str> = c.regressions.iter().map(|r| r.before.as_str()).collect();
        assert_eq!(
            lost,
            vec![
                "HttpOnly",
                "Secure",
                "SameSite=Strict",
                "host-only",
                "session-only",
                "__Host- prefix"
            ]
        );
        assert!(
            c.regressions
                .iter()
                .all(|r| r.kind == RegressionKind::CookieAttribute)
        );
        assert_eq!(
            c.regressions[0].message,
            "the session cookie `sid` lost HttpOnly: no HttpOnly now"
        );
        // SameSite gone entirely is weaker than Lax; None and absent are equally weak.
        let lax = run(json!([with(cookie(json!({"same_site": "Lax"})))]));
        let absent = run(json!([with(cookie(json!({"same_site": null})))]));
        let none = run(json!([with(cookie(json!({"same_site": "None"})))]));
        assert_eq!(compare(&lax, &absent).regressions[0].after, "no SameSite");
        assert_eq!(kinds(&compare(&none, &absent)), vec![]);
    }

    #[test]
    fn checks_pair_by_name_persona_and_occurrence() {
        let m = |bits: u64, persona: &str| json!({"check": "entropy_at_least", "persona": persona, "measured": {"entropy_bits": bits}});
        let old = run(json!([flow(
            "e",
            "PASS",
            json!([m(128, "victim"), m(64, "victim"), m(128, "attacker")])
        )]));
        let new = run(json!([flow(
            "e",
            "PASS",
            json!([m(128, "attacker"), m(128, "victim"), m(32, "victim")])
        )]));
        let c = compare(&old, &new);
        assert_eq!(kinds(&c), vec![RegressionKind::EntropyBits]);
        assert_eq!(c.regressions[0].before, "64 bits");
    }

    #[test]
    fn flows_only_on_one_side_are_listed_not_judged() {
        let c = compare(
            &run(json!([flow("gone", "PASS", json!([]))])),
            &run(json!([flow("new", "FAIL", json!([]))])),
        );
        assert_eq!(c.regressions, vec![]);
        assert_eq!(
            (c.compared, c.added.clone(), c.removed.clone()),
            (
                0,
                vec!["shop › new".to_string()],
                vec!["shop › gone".to_string()]
            )
        );
    }

    #[test]
    fn reads_older_and_newer_files_and_names_what_is_wrong() {
        // Unknown fields, an unknown verdict and missing optional fields all load.
        let r = parse(r#"{"schema_version": 9, "future": 1, "flows": [{"name": "a", "verdict": "FLAKY", "x": []}]}"#).unwrap();
        assert_eq!(
            (r.flows[0].name.as_str(), r.flows[0].suite.as_str()),
            ("a", "")
        );
        assert!(parse("{not json").unwrap_err().starts_with("is not JSON"));
        assert!(parse("[]").unwrap_err().contains("expected a JSON object"));
        assert!(
            parse(r#"{"schema_version": 1}"#)
                .unwrap_err()
                .contains("no `flows` list")
        );
        assert!(
            parse(r#"{"tool": "pytest", "flows": []}"#)
                .unwrap_err()
                .contains("written by `pytest`")
        );
        assert!(
            parse(r#"{"flows": [{"verdict": "PASS"}]}"#)
                .unwrap_err()
                .contains("flows[0]: missing field `name`")
        );
        let missing = load(Path::new("/nonexistent/results.json")).unwrap_err();
        assert!(
            missing.starts_with("cannot read /nonexistent/results.json"),
            "{missing}"
        );
    }
}
