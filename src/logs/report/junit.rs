//! junit.xml of `usher logs`: one testsuite `logs`, one testcase per rule: `<failure>` with the
//! incidents for a FAIL, `<skipped>` with the reason for a rule the log cannot feed.

use crate::logs::outcome::{Outcome, Verdict};
use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

pub fn junit(o: &Outcome) -> String {
    let mut report = Report::new("usher");
    let mut suite = TestSuite::new("logs");
    suite.add_property(Property::new("files", o.input.files.join(" ")));
    suite.add_property(Property::new("format", o.format.as_str()));
    suite.add_property(Property::new("policy", o.policy.line()));
    for r in &o.rules {
        let status = match r.verdict {
            Verdict::Pass => TestCaseStatus::success(),
            Verdict::Skipped => {
                let mut s = TestCaseStatus::skipped();
                s.set_message(r.summary.as_str());
                s
            }
            Verdict::Fail => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(format!("{}: {}", r.title, r.summary));
                s.set_type("flaw");
                s.set_description(incidents(r));
                s
            }
        };
        let mut tc = TestCase::new(r.id, status);
        tc.set_classname("usher.logs");
        tc.add_property(Property::new("rule", r.title));
        if r.verdict != Verdict::Fail {
            tc.set_system_out(format!("{}: {}\n", r.title, r.summary));
        }
        suite.add_test_case(tc);
    }
    suite.set_time(std::time::Duration::from_secs_f64(o.input.seconds));
    report.add_test_suite(suite);
    report.to_string().expect("JUnit serializes")
}

fn incidents(r: &crate::logs::outcome::RuleResult) -> String {
    let mut s = String::new();
    for i in &r.incidents {
        let who = [i.session.as_deref(), i.account.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        let lines: Vec<String> = i.lines.iter().map(u64::to_string).collect();
        s.push_str(&format!(
            "{who} lines {}: {} ({})\n",
            lines.join(","),
            i.message,
            i.times.join(" .. ")
        ));
    }
    if r.count as usize > r.incidents.len() {
        s.push_str(&format!(
            "… and {} more\n",
            r.count as usize - r.incidents.len()
        ));
    }
    s
}
