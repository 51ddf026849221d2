//! `junit.xml` through quick-junit (it escapes hostile page text correctly; see DESIGN.md).
//! One testsuite per profile, one testcase per flow: `<failure>` for a flaw, `<error>` for the harness.

use crate::engine::events::{FlowRecord, RunInfo, Verdict};
use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};
use std::collections::BTreeMap;

pub fn junit_xml(run: &RunInfo, flows: &[FlowRecord]) -> String {
    let mut report = Report::new("usher");
    let mut suites: BTreeMap<&str, Vec<&FlowRecord>> = BTreeMap::new();
    for f in flows {
        suites.entry(f.suite.as_str()).or_default().push(f);
    }
    for (name, flows) in suites {
        let mut suite = TestSuite::new(name);
        suite.add_property(Property::new("browser", run.browser.as_str()));
        suite.add_property(Property::new("target", run.targets.join(" ")));
        for f in flows {
            suite.add_test_case(test_case(f));
        }
        let total: std::time::Duration = suite.test_cases.iter().filter_map(|t| t.time).sum();
        suite.set_time(total);
        report.add_test_suite(suite);
    }
    report.to_string().expect("JUnit serializes")
}

fn test_case(f: &FlowRecord) -> TestCase {
    let status = match f.verdict {
        Verdict::Pass => TestCaseStatus::success(),
        Verdict::Skipped => {
            let mut s = TestCaseStatus::skipped();
            s.set_message(f.summary.as_str());
            s
        }
        Verdict::Fail | Verdict::Error => {
            let kind = if f.verdict == Verdict::Fail {
                NonSuccessKind::Failure
            } else {
                NonSuccessKind::Error
            };
            let mut s = TestCaseStatus::non_success(kind);
            s.set_message(f.summary.as_str());
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
    tc.set_classname(format!("usher.{}.{}", f.suite, category(f)));
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
