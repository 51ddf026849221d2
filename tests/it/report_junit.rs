//! junit.xml as CI systems read it: valid against tests/data/junit/jenkins-junit.xsd (xmllint), parsed
//! back with quick-junit, and shaped as the issue asks (one testsuite per profile, dotted classnames,
//! unique names, decimal times, one-line messages, properties, attachments, regressions).

use crate::support::report::*;
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus};
use std::path::Path;
use usher::record::{FlowRecord, Regression, RegressionKind, RunSummary};

const XSD: &str = "tests/data/junit/jenkins-junit.xsd";

fn junit(summary: &RunSummary, flows: &[FlowRecord]) -> String {
    usher::report::junit_xml(&run_info(), summary, flows)
}

/// `Ok(())` when valid, `Err(xmllint's complaint)` when not, `None` when xmllint is missing.
fn xmllint(xml: &str) -> Option<Result<(), String>> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("junit.xml");
    std::fs::write(&file, xml).unwrap();
    let xsd = Path::new(env!("CARGO_MANIFEST_DIR")).join(XSD);
    let out = match std::process::Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(&xsd)
        .arg(&file)
        .output()
    {
        Ok(o) => o,
        Err(e) => {
            skip_or_fail(&format!(
                "xmllint did not start ({e}); ci/install-deps.sh installs it"
            ));
            return None;
        }
    };
    Some(if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    })
}

fn regression(flow: &str, kind: RegressionKind, message: &str) -> Regression {
    Regression {
        suite: "shop".into(),
        flow: flow.into(),
        kind,
        check: None,
        persona: None,
        before: "PASS".into(),
        after: "FAIL".into(),
        message: message.into(),
    }
}

fn with_baseline(flows: &[FlowRecord]) -> RunSummary {
    let mut s = summary_of(flows);
    s.baseline = Some("previous/results.json".into());
    s.regressions = vec![
        regression(
            "cookie-attributes",
            RegressionKind::NowFails,
            "passed in the baseline, FAIL now",
        ),
        Regression {
            check: Some("cookie_attributes".into()),
            persona: Some("victim".into()),
            before: "HttpOnly".into(),
            after: "no HttpOnly".into(),
            ..regression(
                "cookie-attributes",
                RegressionKind::CookieAttribute,
                "the session cookie `__Host-sid` lost HttpOnly: no HttpOnly now",
            )
        },
        regression(
            "idle-timeout",
            RegressionKind::NowErrors,
            "passed in the baseline, ERROR now",
        ),
    ];
    s
}

fn case<'a>(r: &'a Report, name: &str) -> &'a TestCase {
    r.test_suites
        .iter()
        .flat_map(|s| &s.test_cases)
        .find(|t| t.name.as_str() == name)
        .unwrap_or_else(|| panic!("no testcase `{name}`"))
}

fn property<'a>(t: &'a TestCase, name: &str) -> Vec<&'a str> {
    t.properties
        .iter()
        .filter(|p| p.name.as_str() == name)
        .map(|p| p.value.as_str())
        .collect()
}

#[test]
fn every_verdict_and_the_regressions_validate_against_the_xsd() {
    let flows = every_verdict();
    let xml = junit(&with_baseline(&flows), &flows);
    if let Some(result) = xmllint(&xml) {
        result.unwrap_or_else(|e| panic!("junit.xml is not valid against {XSD}:\n{e}\n{xml}"));
    }
    for element in [
        "<failure ",
        "<error ",
        "<skipped ",
        "<properties>",
        "<system-out>",
    ] {
        assert!(xml.contains(element), "{element} missing:\n{xml}");
    }
}

#[test]
fn the_xsd_has_teeth() {
    let flows = every_verdict();
    let good = junit(&summary_of(&flows), &flows);
    let broken = [
        // A time CI cannot read as seconds.
        good.replacen("time=\"1.234\"", "time=\"1,234\"", 1),
        // Two verdicts on one testcase.
        good.replacen("<skipped ", "<failure message=\"x\"/><skipped ", 1),
        // A testsuite without its counts.
        good.replacen(
            " tests=\"4\" skipped=\"1\" errors=\"1\" failures=\"1\"",
            "",
            1,
        ),
    ];
    for xml in broken {
        assert_ne!(xml, good, "the mutation applied");
        if let Some(result) = xmllint(&xml) {
            assert!(result.is_err(), "the XSD accepted:\n{xml}");
        }
    }
}

#[test]
fn parses_back_with_the_shape_ci_systems_expect() {
    let flows = every_verdict();
    let xml = junit(&summary_of(&flows), &flows);
    let report = Report::deserialize_from_str(&xml).expect("quick-junit reads it back");
    assert_eq!(report.tests, 4);
    assert_eq!((report.failures, report.errors), (1, 1));
    let suites: Vec<&str> = report.test_suites.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        suites,
        ["shop"],
        "one testsuite per profile, no regressions suite without a baseline"
    );

    let pass = case(&report, "logout-invalidates-token");
    assert_eq!(pass.classname.as_deref(), Some("usher.shop.logout"));
    assert!(matches!(pass.status, TestCaseStatus::Success { .. }));
    assert_eq!(property(pass, "wstg"), ["wstg-sess-06"]);
    assert_eq!(property(pass, "asvs"), ["asvs-7.4.1"]);
    assert_eq!(property(pass, "personas"), ["victim,attacker"]);
    assert_eq!(property(pass, "target"), ["http://127.0.0.1:8080"]);
    assert_eq!(property(pass, "browser"), ["chrome 139 (chromedriver)"]);
    let policy = property(pass, "policy");
    assert!(
        policy[0].starts_with(
            "preset=seed idle_timeout=15m absolute_timeout=8h checkout_timeout=10m max_sessions=3"
        ),
        "{policy:?}"
    );
    assert!(
        policy[0].ends_with("cookie=HttpOnly,Secure,SameSite>=Strict,host-only,session-only"),
        "{policy:?}"
    );

    let TestCaseStatus::NonSuccess {
        kind,
        message,
        ty,
        description,
        ..
    } = &case(&report, "cookie-attributes").status
    else {
        panic!("cookie-attributes is a failure")
    };
    assert_eq!(*kind, NonSuccessKind::Failure);
    assert_eq!(ty.as_deref(), Some("flaw"));
    assert_eq!(
        message.as_deref(),
        Some("cookie_attributes (victim): __Host-sid: HttpOnly is missing second line"),
        "one line"
    );
    let body = description.as_deref().unwrap();
    assert!(
        body.contains(
            "FAIL cookie_attributes (victim) at scenarios/shop/cookie_attributes.yaml:7:5"
        ),
        "{body}"
    );
    assert!(
        body.contains("    token: tok:3f9a1c"),
        "redacted evidence: {body}"
    );
    let failing = case(&report, "cookie-attributes");
    let out = failing.system_out.as_deref().unwrap();
    assert!(
        out.lines()
            .any(|l| l == "[[ATTACHMENT|artifacts/shop/cookie-attributes/victim.png]]"),
        "{out}"
    );
    // Hostile page text comes back as text (escaped on the way in), minus the terminal escape.
    assert!(
        out.contains("page said <script>alert(1)</script> ]]>  & \"quotes\""),
        "{out}"
    );
    assert!(
        !xml.contains("<script>") && !xml.contains('\u{1b}'),
        "{xml}"
    );

    let TestCaseStatus::NonSuccess { kind, ty, .. } = &case(&report, "idle-timeout").status else {
        panic!("idle-timeout is an error")
    };
    assert_eq!(
        (*kind, ty.as_deref()),
        (NonSuccessKind::Error, Some("harness"))
    );

    let TestCaseStatus::Skipped { message, .. } = &case(&report, "checkout-expires").status else {
        panic!("checkout-expires is skipped")
    };
    assert_eq!(
        message.as_deref(),
        Some("the profile has no `start_checkout` flow")
    );

    // Decimal seconds everywhere, millisecond precision.
    for time in xml.split(" time=\"").skip(1) {
        let value = &time[..time.find('"').unwrap()];
        assert!(
            value.parse::<f64>().is_ok() && value.split('.').nth(1).map(str::len) == Some(3),
            "time `{value}`"
        );
    }
    assert!(xml.contains("<testcase name=\"logout-invalidates-token\" classname=\"usher.shop.logout\" time=\"1.234\">"), "{xml}");
}

#[test]
fn names_are_unique_in_the_whole_report() {
    let mut flows = every_verdict();
    let mut twin = flows[0].clone();
    twin.suite = "admin.portal".into();
    let mut triplet = flows[0].clone();
    triplet.file = "scenarios/shop/again.yaml".into();
    flows.push(twin);
    flows.push(triplet);
    let xml = junit(&summary_of(&flows), &flows);
    let report = Report::deserialize_from_str(&xml).unwrap();
    let names: Vec<(&str, &str)> = report
        .test_suites
        .iter()
        .flat_map(|s| &s.test_cases)
        .map(|t| (t.classname.as_deref().unwrap(), t.name.as_str()))
        .collect();
    assert!(
        names.contains(&(
            "usher.admin-portal.logout",
            "logout-invalidates-token [admin.portal]"
        )),
        "{names:?}"
    );
    assert!(
        names.contains(&("usher.shop.logout", "logout-invalidates-token [shop]")),
        "{names:?}"
    );
    assert!(
        names.contains(&(
            "usher.shop.logout",
            "logout-invalidates-token [scenarios/shop/again.yaml]"
        )),
        "{names:?}"
    );
    let distinct: std::collections::HashSet<&str> = names.iter().map(|n| n.1).collect();
    assert_eq!(distinct.len(), names.len(), "a name repeats: {names:?}");
}

#[test]
fn regressions_are_failures_of_their_own_testcases() {
    let flows = every_verdict();
    let xml = junit(&with_baseline(&flows), &flows);
    let report = Report::deserialize_from_str(&xml).unwrap();
    let suite = report
        .test_suites
        .iter()
        .find(|s| s.name.as_str() == "regressions")
        .expect("a regressions suite");
    assert_eq!(suite.properties[0].value.as_str(), "previous/results.json");
    assert_eq!(
        suite.test_cases.len(),
        2,
        "one testcase per flow that regressed"
    );
    let cookie = case(&report, "regression: cookie-attributes");
    assert_eq!(cookie.classname.as_deref(), Some("usher.shop.regressions"));
    let TestCaseStatus::NonSuccess {
        kind,
        message,
        ty,
        description,
        ..
    } = &cookie.status
    else {
        panic!("a regression is not a success")
    };
    assert_eq!(
        (*kind, ty.as_deref()),
        (NonSuccessKind::Failure, Some("regression"))
    );
    assert_eq!(
        message.as_deref(),
        Some(
            "2 regressions since the baseline: passed in the baseline, FAIL now; the session cookie `__Host-sid` lost HttpOnly: no HttpOnly now"
        )
    );
    assert!(
        description
            .as_deref()
            .unwrap()
            .contains("cookie attribute [cookie_attributes (victim)]: HttpOnly -> no HttpOnly")
    );
    // A flow that only went from PASS to ERROR broke the harness or target, not necessarily the app.
    let TestCaseStatus::NonSuccess { kind, .. } = &case(&report, "regression: idle-timeout").status
    else {
        panic!("a regression is not a success")
    };
    assert_eq!(*kind, NonSuccessKind::Error);
    // The flows' own testcases keep their verdicts.
    assert!(matches!(
        case(&report, "logout-invalidates-token").status,
        TestCaseStatus::Success { .. }
    ));
    assert_eq!((report.failures, report.errors), (2, 2));
    // A baseline without regressions still says it was compared with.
    let quiet = RunSummary {
        regressions: vec![],
        ..with_baseline(&flows)
    };
    let report = Report::deserialize_from_str(&junit(&quiet, &flows)).unwrap();
    let suite = report
        .test_suites
        .iter()
        .find(|s| s.name.as_str() == "regressions")
        .unwrap();
    assert_eq!((suite.tests, suite.properties.len()), (0, 1));
}
