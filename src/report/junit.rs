//! `junit.xml` through quick-junit (it escapes hostile page text correctly, which
//! tests/it/report_junit.rs proves with hostile page text).
//! One testsuite per profile, one testcase per flow: `<failure>` for a flaw, `<error>` for the harness.
//! The shape follows what Jenkins (junit-10 model), GitLab and Azure read; tests/it/report_junit.rs checks
//! it against tests/data/junit/jenkins-junit.xsd with xmllint.
//!
//! Regressions against a baseline get their own testsuite `regressions`, one testcase per flow that
//! regressed, rather than turning the flow's own testcase red: the flow's testcase keeps its verdict
//! against the policy (as in the console and results.json), a flow that still passes but measured worse
//! still shows up as a failure under a name of its own, and GitLab (which keys tests on classname +
//! name) lists it as a new failure when it appears and as fixed when it goes.

use crate::record::{FlowRecord, Regression, RegressionKind, RunInfo, RunSummary, Verdict};
use crate::scenario::Policy;
use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};
use std::collections::{BTreeMap, HashSet};

pub fn junit_xml(run: &RunInfo, summary: &RunSummary, flows: &[FlowRecord]) -> String {
    let mut report = Report::new("usher");
    let mut names = UniqueNames::new(flows);
    let mut suites: BTreeMap<&str, Vec<&FlowRecord>> = BTreeMap::new();
    for f in flows {
        suites.entry(f.suite.as_str()).or_default().push(f);
    }
    for (name, flows) in suites {
        let mut suite = TestSuite::new(name);
        suite.add_property(Property::new("browser", run.browser.as_str()));
        let mut targets: Vec<&str> = Vec::new();
        for f in &flows {
            if !targets.contains(&f.target.as_str()) {
                targets.push(&f.target);
            }
        }
        suite.add_property(Property::new("target", targets.join(" ")));
        for f in flows {
            let mut tc = test_case(f);
            tc.name = names.take(f).into();
            tc.add_property(Property::new("browser", run.browser.as_str()));
            suite.add_test_case(tc);
        }
        let total: std::time::Duration = suite.test_cases.iter().filter_map(|t| t.time).sum();
        suite.set_time(total);
        report.add_test_suite(suite);
    }
    if let Some(baseline) = &summary.baseline {
        report.add_test_suite(regressions_suite(
            baseline,
            &summary.regressions,
            &mut names,
        ));
    }
    report.set_time(summary.duration);
    report.to_string().expect("JUnit serializes")
}

/// Testcase names unique within the report (GitLab drops a second testcase with the same classname and
/// name): a name used twice gets its suite, then its file, then a number.
struct UniqueNames {
    repeated: HashSet<String>,
    used: HashSet<String>,
}

impl UniqueNames {
    fn new(flows: &[FlowRecord]) -> Self {
        let mut seen = HashSet::new();
        let repeated = flows
            .iter()
            .filter(|f| !seen.insert(f.name.clone()))
            .map(|f| f.name.clone())
            .collect();
        UniqueNames {
            repeated,
            used: HashSet::new(),
        }
    }

    fn take(&mut self, f: &FlowRecord) -> String {
        let mut tries = vec![f.name.clone()];
        if self.repeated.contains(&f.name) {
            tries = vec![
                format!("{} [{}]", f.name, f.suite),
                format!("{} [{}]", f.name, f.file),
            ];
        }
        self.claim(tries)
    }

    fn claim(&mut self, tries: Vec<String>) -> String {
        // Compared as written: the XML drops control characters, so names differing only there collide.
        let tries: Vec<String> = tries
            .into_iter()
            .map(|t| quick_junit::XmlString::new(t).into_string())
            .collect();
        let last = tries.last().cloned().unwrap_or_default();
        for t in tries {
            if self.used.insert(t.clone()) {
                return t;
            }
        }
        (2..)
            .map(|n| format!("{last} #{n}"))
            .find(|t| self.used.insert(t.clone()))
            .expect("some number is free")
    }
}

fn regressions_suite(baseline: &str, all: &[Regression], names: &mut UniqueNames) -> TestSuite {
    let mut suite = TestSuite::new("regressions");
    suite.add_property(Property::new("baseline", baseline));
    let mut by_flow: Vec<((&str, &str), Vec<&Regression>)> = Vec::new();
    for r in all {
        let key = (r.suite.as_str(), r.flow.as_str());
        match by_flow.iter_mut().find(|(k, _)| *k == key) {
            Some((_, list)) => list.push(r),
            None => by_flow.push((key, vec![r])),
        }
    }
    for ((app, flow), list) in by_flow {
        // A regression to ERROR alone says the harness or target broke, not the app: an error, not a failure.
        let kind = if list.iter().all(|r| r.kind == RegressionKind::NowErrors) {
            NonSuccessKind::Error
        } else {
            NonSuccessKind::Failure
        };
        let mut status = TestCaseStatus::non_success(kind);
        let what: Vec<&str> = list.iter().map(|r| r.message.as_str()).collect();
        status.set_message(one_line(&format!(
            "{} since the baseline: {}",
            plural(list.len(), "regression"),
            what.join("; ")
        )));
        status.set_type("regression");
        let mut body = String::new();
        for r in &list {
            let at = match (&r.check, &r.persona) {
                (Some(c), Some(p)) => format!(" [{c} ({p})]"),
                _ => String::new(),
            };
            body.push_str(&format!(
                "{}{at}: {} -> {}\n",
                kind_label(r.kind),
                r.before,
                r.after
            ));
        }
        status.set_description(body);
        let name = names.claim(vec![format!("regression: {flow}")]);
        let mut tc = TestCase::new(name, status);
        tc.set_classname(format!("usher.{}.regressions", dotless(app)));
        tc.add_property(Property::new("flow", flow));
        tc.add_property(Property::new("baseline", baseline));
        suite.add_test_case(tc);
    }
    suite
}

fn kind_label(k: RegressionKind) -> &'static str {
    match k {
        RegressionKind::NowFails => "verdict",
        RegressionKind::NowErrors => "verdict",
        RegressionKind::IdleTimeout => "idle timeout",
        RegressionKind::ConcurrentSessions => "concurrent sessions",
        RegressionKind::EntropyBits => "token entropy",
        RegressionKind::CookieAttribute => "cookie attribute",
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Attribute values are one line: parsers normalise newlines in attributes to spaces anyway, and CI
/// systems show the message as a title.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A classname segment: dots would add levels to the dotted `usher.<app>.<category>`.
fn dotless(text: &str) -> String {
    text.replace('.', "-")
}

/// The effective policy on one line, for a testcase property.
fn policy_line(p: &Policy) -> String {
    let d = |d: std::time::Duration| crate::duration::format_duration(d);
    let name = |v: serde_json::Value| v.as_str().map(str::to_string).unwrap_or_default();
    let c = &p.cookie;
    let mut cookie = Vec::new();
    if c.http_only {
        cookie.push("HttpOnly".to_string());
    }
    if c.secure {
        cookie.push("Secure".into());
    }
    cookie.push(format!("SameSite>={:?}", c.same_site));
    if c.host_only {
        cookie.push("host-only".into());
    }
    if c.host_prefix {
        cookie.push("__Host-".into());
    }
    if !c.allow_persistent {
        cookie.push("session-only".into());
    }
    format!(
        "preset={} idle_timeout={} absolute_timeout={} checkout_timeout={} max_sessions={} at_cap={} min_entropy_bits={} cookie={}",
        name(serde_json::to_value(p.preset).unwrap_or_default()),
        d(p.idle_timeout),
        d(p.absolute_timeout),
        d(p.checkout_timeout),
        p.max_sessions,
        name(serde_json::to_value(p.at_cap).unwrap_or_default()),
        p.min_entropy_bits,
        cookie.join(","),
    )
}

fn test_case(f: &FlowRecord) -> TestCase {
    let status = match f.verdict {
        Verdict::Pass => TestCaseStatus::success(),
        Verdict::Skipped => {
            let mut s = TestCaseStatus::skipped();
            s.set_message(one_line(&f.summary));
            s
        }
        Verdict::Fail | Verdict::Error => {
            let kind = if f.verdict == Verdict::Fail {
                NonSuccessKind::Failure
            } else {
                NonSuccessKind::Error
            };
            let mut s = TestCaseStatus::non_success(kind);
            s.set_message(one_line(&f.summary));
            s.set_type(if f.verdict == Verdict::Fail {
                "flaw"
            } else {
                "harness"
            });
            s.set_description(details(f));
            s
        }
    };
    let mut tc = TestCase::new(f.name.as_str(), status);
    tc.set_classname(format!("usher.{}.{}", dotless(&f.suite), category(f)));
    tc.set_time(f.duration);
    for tag in &f.tags {
        let key = if tag.starts_with("wstg") {
            "wstg"
        } else if tag.starts_with("asvs") {
            "asvs"
        } else {
            "tag"
        };
        tc.add_property(Property::new(key, tag.as_str()));
    }
    tc.add_property(Property::new("personas", f.personas.join(",")));
    tc.add_property(Property::new("target", f.target.as_str()));
    tc.add_property(Property::new("policy", policy_line(&f.policy)));
    tc.add_property(Property::new("file", f.file.as_str()));
    // What was tried and what was observed, for every verdict: CI systems show system-out per testcase.
    let mut out = String::new();
    if let Some(d) = &f.description {
        out.push_str(d.trim());
        out.push_str("\n\n");
    }
    out.push_str(&check_lines(f));
    for a in &f.artifacts {
        out.push_str(&format!("[[ATTACHMENT|{a}]]\n"));
    }
    if !out.is_empty() {
        tc.set_system_out(out);
    }
    tc
}

/// The category part of the classname: the scenario's first non-standard tag, else `scenario`.
fn category(f: &FlowRecord) -> String {
    f.tags
        .iter()
        .find(|t| !t.starts_with("wstg") && !t.starts_with("asvs"))
        .map(|t| t.replace('.', "-"))
        .unwrap_or_else(|| "scenario".into())
}

fn details(f: &FlowRecord) -> String {
    let mut s = String::new();
    if let Some(e) = &f.error {
        s.push_str(&format!("error: {e}\n"));
    }
    s.push_str(&check_lines(f));
    s
}

/// Each check's verdict, where it was written, its message and its evidence, one line each.
fn check_lines(f: &FlowRecord) -> String {
    let mut s = String::new();
    for c in &f.checks {
        s.push_str(&format!(
            "{} {} ({}) at {}: {}\n",
            c.verdict.label(),
            c.check,
            c.persona,
            c.origin,
            c.message
        ));
        for e in &c.evidence {
            s.push_str(&format!("    {}: {}\n", e.label, e.value));
        }
    }
    s
}
