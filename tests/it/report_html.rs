//! The HTML report: its structure, HTML injection (and the JUnit XML of the same records), the file
//! opened in real headless Chromium through usher's own driver, and `usher run` against a hostile
//! target. The browser tests need Chromium and chromedriver on PATH, like tests/it/driver_chrome.rs.

use crate::support::turns;
use crate::support::usher::{UsherCommand, usher};
mod hostile_target;
mod records;

use records::*;
use serde_json::Value;
use std::path::Path;
use usher::driver::Locator;
use usher::record::Verdict;
use usher::redact::Redactor;
use usher::report::{html_report, junit_xml};

fn render(flows: &[usher::record::FlowRecord], report_dir: &Path) -> String {
    html_report(
        &run_info(),
        &summary_of(flows),
        flows,
        report_dir,
        &Redactor::new(),
    )
}

#[test]
fn report_holds_table_filters_timeline_steps_evidence_and_screenshots() {
    let dir = tempfile::tempdir().unwrap();
    write_artifacts(dir.path(), "<html><title>Account</title></html>");
    let html = render(&four_flows(), dir.path());
    assert_inert_html(&html);

    // Summary counts double as the verdict filter; the tag filter lists every tag once.
    for (verdict, n) in [("FAIL", 1), ("ERROR", 1), ("SKIPPED", 1), ("PASS", 1)] {
        assert!(html.contains(&format!(
            r#"data-filter-verdict="{verdict}" aria-pressed="false"><span class="n">{n}</span> {verdict}</button>"#
        )));
    }
    assert!(html.contains(r#"<span class="n">4</span> all"#));
    assert!(html.contains(r#"<select id="tag-filter">"#));
    assert_eq!(html.matches(r#"<option value="wstg-sess-03">"#).count(), 1);
    assert_eq!(
        html.matches(r#"<option value="#).count(),
        10,
        "all tags + 9 distinct"
    );

    // The flows × verdict table, one row per flow, worst first as recorded.
    let rows: Vec<_> = tags(&html)
        .into_iter()
        .filter(|(n, a)| n == "tr" && a.contains(&"data-verdict".to_string()))
        .collect();
    assert_eq!(rows.len(), 4);
    assert!(html.contains(
        r#"<tr class="fail" data-verdict="FAIL" data-tags="fixation wstg-sess-03 asvs-7.2.4">"#
    ));

    // Per flow: open unless it passed; summary, description, timeline per persona, steps, checks.
    assert!(html.contains(r#"<details class="flow fail" id="flow-0" data-verdict="FAIL" data-tags="fixation wstg-sess-03 asvs-7.2.4" open>"#));
    assert!(html.contains(r#"<details class="flow pass" id="flow-3" data-verdict="PASS" data-tags="cookies wstg-sess-02">"#));
    assert!(html.contains("victim&#39;s token tok:3f9a1c is the same as `before_login`"));
    assert!(html.contains(r#"<span class="who">victim</span>"#));
    assert!(html.contains(r#"<span class="who">attacker</span>"#));
    let victim_lane = html
        .split(r#"<span class="who">victim</span>"#)
        .nth(1)
        .unwrap()
        .split("</ol>")
        .next()
        .unwrap();
    let order: Vec<usize> = ["oracle: logged out", "ran login", "oracle: logged in"]
        .iter()
        .map(|s| {
            victim_lane
                .find(s)
                .unwrap_or_else(|| panic!("{s} in the victim's lane"))
        })
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{victim_lane}");
    assert!(victim_lane.contains(r#"<li class="st in"><time>2.2 s</time> oracle: logged in</li>"#));
    assert!(html.contains(r#"<li class="st token"><time>0.9 s</time> planted id tok:3f9a1c</li>"#));
    assert!(html.contains(r#"<span class="label">run login</span>"#));
    assert!(html.contains(r#"<span class="time">0.142 s</span>"#));
    assert!(html.contains(r#"<code class="origin">suite/flow.yaml:10:5</code>"#));
    assert!(
        html.contains(r#"<pre class="step-error">no element matches `#login` (waited 10s)</pre>"#)
    );
    assert!(html.contains(r#"<pre class="harness-error">suite/idle-timeout.yaml:11:5"#));
    assert!(html.contains("<dt>before</dt><dd>tok:3f9a1c</dd>"));
    assert!(html.contains("<dt>idle_timeout_upper_s</dt><dd>16.5</dd>"));
    assert!(html.contains("<dt>idle_timeout_lower_s</dt><dd>not observed</dd>"));
    assert!(html.contains("<dt>Set-Cookie (raw, value hidden)</dt><dd>tb_sid=&lt;token&gt;; Path=/; Secure; HttpOnly; SameSite=Strict</dd>"));
    assert!(
        html.contains("<dt>idle_timeout</dt><dd>15m</dd>"),
        "the policy"
    );

    // Standards link to their documents; other tags are plain.
    assert!(html.contains(r#"<a class="tag std" href="https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/06-Session_Management_Testing/" title="OWASP WSTG-SESS-03 (Session Management Testing)""#));
    assert!(html.contains(r#"<a class="tag std" href="https://github.com/OWASP/ASVS" title="OWASP ASVS 5.0 requirement 7.2.4""#));
    assert!(html.contains(r#"<span class="tag">fixation</span>"#));

    // Self-contained: the screenshot inline, the page source inline (escaped), nothing fetched.
    let png = base64_of(&PNG);
    assert!(html.contains(&format!(
        r#"<img src="data:image/png;base64,{png}" alt="screenshot {SCREENSHOT}">"#
    )));
    assert!(html.contains("&lt;title&gt;Account&lt;/title&gt;"));
    for (name, attrs) in tags(&html) {
        assert!(!attrs.contains(&"src".to_string()) || name == "img");
    }
    assert_eq!(html.matches(r#" src="data:image/png;base64,"#).count(), 1);
    assert!(!html.contains("<link"));
    assert!(
        html.contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
    );
    assert!(html.contains("default-src &#39;none&#39;; img-src data:;"));
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[test]
fn hostile_text_leaves_the_html_inert_and_the_junit_well_formed() {
    let dir = tempfile::tempdir().unwrap();
    write_artifacts(dir.path(), &format!("<title>{HOSTILE}</title>"));
    let flows = vec![
        hostile_flow(HOSTILE, Verdict::Fail),
        hostile_flow(HOSTILE, Verdict::Error),
        hostile_flow(HOSTILE, Verdict::Skipped),
        hostile_flow(&format!("{HOSTILE} pass"), Verdict::Pass),
    ];
    let html = render(&flows, dir.path());
    assert_inert_html(&html);
    let escaped = "&lt;script&gt;alert(1)&lt;/script&gt;]]&gt;␀␛[31m&quot;dq&quot; &#39;sq&#39; &amp;amp; &lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt;";
    assert!(html.contains(escaped), "hostile text shown, escaped");
    assert!(html.contains(&format!(
        "<dt>Set-Cookie (raw, value hidden)</dt><dd>{escaped}=&lt;token&gt;; Path=/</dd>"
    )));
    // Paths from records are data: a hostile one is listed, never read or linked.
    assert!(html.contains(&format!("<code>{escaped}</code>")));

    let xml = junit_xml(&run_info(), &summary_of(&flows), &flows);
    let report = assert_well_formed_junit(&xml, dir.path());
    let cases: Vec<_> = report
        .test_suites
        .iter()
        .flat_map(|s| &s.test_cases)
        .collect();
    assert_eq!(cases.len(), 4);
    assert!(
        cases
            .iter()
            .any(|c| c.name.as_str().contains("<script>alert(1)</script>]]>")),
        "the markup survives the round trip as text"
    );
}

#[test]
fn screenshots_outside_the_report_dir_or_not_png_are_not_inlined() {
    let dir = tempfile::tempdir().unwrap();
    write_artifacts(dir.path(), "x");
    std::fs::write(
        dir.path().join("artifacts/app/fake.png"),
        b"<svg onload=alert(1)>",
    )
    .unwrap();
    let mut flows = four_flows();
    flows[0].artifacts = vec![
        "artifacts/app/fake.png".into(),
        "../outside.png".into(),
        SCREENSHOT.into(),
    ];
    let html = render(&flows, dir.path());
    assert_eq!(html.matches("data:image/png;base64,").count(), 1);
    assert!(html.contains("<code>artifacts/app/fake.png</code>"));
    assert!(html.contains("<code>../outside.png</code>"));
}

// ---------------------------------------------------------------- in Chromium

async fn probe(s: &dyn usher::driver::Session) -> Value {
    s.execute(PROBE, vec![]).await.expect("the probe runs")
}

fn verdicts(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_shows_the_report_without_console_errors_and_the_filters_work() {
    let _turn = turns::shared();
    let dir = tempfile::tempdir().unwrap();
    let reports = dir.path().join("reports");
    write_artifacts(&reports, "<title>Account</title>");
    let mut flows = four_flows();
    flows.push(hostile_flow(HOSTILE, Verdict::Fail));
    let path = reports.join("index.html");
    std::fs::write(&path, render(&flows, &reports)).unwrap();

    let browser = Browser::start(false).await;
    let s = browser.session().await;
    s.goto(&file_url(&path)).await.unwrap();
    let p = probe(s.as_ref()).await;
    assert_eq!(p["scripts"], 1, "{p}");
    assert_eq!(p["pwned"], "undefined", "no script from the data ran");
    assert_eq!(p["handlers"], serde_json::json!([]), "{p}");
    assert_eq!(
        p["resources"],
        serde_json::json!([]),
        "nothing fetched: {p}"
    );
    assert_eq!(p["images"], 1, "the screenshot inline: {p}");
    assert_eq!(p["broken_images"], 0, "{p}");
    assert_eq!(
        verdicts(&p["rows"]),
        ["FAIL", "ERROR", "SKIPPED", "PASS", "FAIL"]
    );
    assert!(
        p["title"]
            .as_str()
            .unwrap()
            .starts_with("usher report: 2 failed, 1 error, 1 skipped, 1 passed")
    );

    let shot = s.screenshot_png().await.unwrap();
    assert!(shot.starts_with(b"\x89PNG"));
    std::fs::write(dir.path().join("report.png"), &shot).unwrap();

    // The drawings render, and their marks take the keyboard focus like any link.
    let drawn = s
        .execute(
            r#"const svg = document.querySelector('#flow-0 svg.swimlane');
               const box = svg.getBoundingClientRect();
               const mark = svg.querySelector('a.failmark');
               mark.focus();
               return {width: box.width, height: box.height, lanes: svg.querySelectorAll('g.lane').length,
                       focused: document.activeElement === mark,
                       };"#,
            vec![],
        )
        .await
        .unwrap();
    assert!(drawn["width"].as_f64().unwrap() > 300.0, "{drawn}");
    assert!(drawn["height"].as_f64().unwrap() > 40.0, "{drawn}");
    assert_eq!(drawn["lanes"], 2, "{drawn}");
    assert_eq!(drawn["focused"], true, "{drawn}");

    // The FAIL filter hides the other verdicts; pressed again, it shows all.
    let fail = Locator::css(r#"[data-filter-verdict="FAIL"]"#);
    s.click(&fail).await.unwrap();
    let p = probe(s.as_ref()).await;
    assert_eq!(verdicts(&p["rows"]), ["FAIL", "FAIL"]);
    assert_eq!(verdicts(&p["flows"]), ["FAIL", "FAIL"]);
    assert_eq!(p["shown"], "showing 2 of 5 flows");
    s.click(&fail).await.unwrap();
    assert_eq!(verdicts(&probe(s.as_ref()).await["rows"]).len(), 5);

    // The tag filter, alone and with a verdict.
    s.select(&Locator::css("#tag-filter"), "wstg-sess-02")
        .await
        .unwrap();
    let p = probe(s.as_ref()).await;
    assert_eq!(verdicts(&p["rows"]), ["PASS", "FAIL"]);
    s.click(&Locator::css(r#"[data-filter-verdict="PASS"]"#))
        .await
        .unwrap();
    assert_eq!(verdicts(&probe(s.as_ref()).await["rows"]), ["PASS"]);

    // A link from the table opens a closed flow.
    s.click(&Locator::css(r##"a[href="#flow-3"]"##))
        .await
        .unwrap();
    let open = s
        .execute("return document.getElementById('flow-3').open", vec![])
        .await
        .unwrap();
    assert_eq!(open, true);

    // Loading, filtering and following links wrote nothing to the console. The probe message
    // proves the log is really read.
    s.execute("console.error('usher-probe')", vec![])
        .await
        .unwrap();
    let console = browser.console().await;
    browser.shutdown().await;
    assert!(
        console.iter().any(|l| l.contains("usher-probe")),
        "{console:?}"
    );
    let others: Vec<_> = console
        .iter()
        .filter(|l| !l.contains("usher-probe"))
        .collect();
    assert!(others.is_empty(), "console messages: {others:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_fits_a_phone_screen() {
    let _turn = turns::shared();
    let dir = tempfile::tempdir().unwrap();
    write_artifacts(dir.path(), "<title>Account</title>");
    let path = dir.path().join("index.html");
    std::fs::write(&path, render(&four_flows(), dir.path())).unwrap();

    let browser = Browser::start(true).await;
    let s = browser.session().await;
    s.goto(&file_url(&path)).await.unwrap();
    let p = probe(s.as_ref()).await;
    let width = s.execute("return window.innerWidth", vec![]).await.unwrap();
    assert!(width.as_i64().unwrap() < 500, "phone emulation: {width}");
    assert!(
        p["overflow"].as_i64().unwrap() <= 0,
        "no sideways scrolling: {p}"
    );
    std::fs::write(
        dir.path().join("phone.png"),
        s.screenshot_png().await.unwrap(),
    )
    .unwrap();
    let console = browser.console().await;
    browser.shutdown().await;
    assert!(console.is_empty(), "{console:?}");
}

/// The drawn parts of the report: what lies between `<svg class="drawing {kind}"` and `</svg>`.
fn drawings<'a>(html: &'a str, kind: &str) -> Vec<&'a str> {
    html.split(&format!(r#"<svg class="drawing {kind}""#))
        .skip(1)
        .map(|s| s.split("</svg>").next().unwrap())
        .collect()
}

#[test]
fn the_session_timeline_and_the_run_are_drawn() {
    let dir = tempfile::tempdir().unwrap();
    write_artifacts(dir.path(), "<title>Account</title>");
    let mut flows = four_flows();
    for (i, f) in flows.iter_mut().enumerate() {
        f.started = Some(std::time::Duration::from_millis(700 * i as u64));
    }
    let html = render(&flows, dir.path());
    std::fs::write("/tmp/usher-report-drawn.html", &html).ok();
    assert_inert_html(&html);

    let lanes = drawings(&html, "swimlane");
    assert_eq!(lanes.len(), 1, "only the flow with a timeline");
    let fixation = lanes[0];
    for persona in ["victim", "attacker"] {
        assert!(
            fixation.contains(&format!(">{persona}</text>")),
            "{fixation}"
        );
    }
    // The attacker's id is planted into the victim: one arrow, from the attacker's lane to the
    // victim's, from where it was captured to where it was planted.
    assert_eq!(fixation.matches(r#"<line class="move plant""#).count(), 1);
    assert!(fixation.contains("planted id tok:3f9a1c"));
    assert!(fixation.contains(r#"<text class="fp""#) && fixation.contains(">tok:3f9a1c</text>"));
    // The victim logs in holding that id, so the attacker, found logged in with it, acts as the victim.
    let lane = |persona: &str| {
        fixation
            .split(&format!(">{persona}</text>"))
            .nth(1)
            .and_then(|l| l.split("</g>").next())
            .unwrap_or_else(|| panic!("{persona}'s lane in {fixation}"))
    };
    assert!(lane("attacker").contains(r#"<rect class="seg s-other""#));
    assert!(lane("attacker").contains("<title>acting as victim, 2.3 s–2.5 s</title>"));
    assert!(lane("victim").contains("<title>logged in as itself, 2.1 s–2.5 s</title>"));
    assert!(!lane("victim").contains("s-other"));
    // The failed check is marked and links to its evidence; token moves link to their steps.
    assert!(fixation.contains(r##"<a href="#flow-0-check-0" class="failmark fail">"##));
    assert!(fixation.contains(">FAIL token_changed</text>"));
    assert!(html.contains(r#"<li class="check fail" id="flow-0-check-0">"#));
    assert!(fixation.contains(r##"<a href="#flow-0-step-"##));
    assert!(html.contains(r#"<li id="flow-0-step-2">"#));
    // Readable without the picture.
    assert!(fixation.contains(
        "<desc id=\"flow-0-lanes-desc\">Session timeline of token-fixation: victim, attacker"
    ));

    let gantt = drawings(&html, "gantt");
    assert_eq!(gantt.len(), 1);
    assert_eq!(gantt[0].matches(r#"<rect class="bar "#).count(), 4);
    for (i, verdict) in ["fail", "error", "skipped", "pass"].iter().enumerate() {
        assert!(
            gantt[0].contains(&format!(r##"<a href="#flow-{i}">"##)),
            "{verdict}"
        );
        assert!(gantt[0].contains(&format!(r#"<rect class="bar {verdict}""#)));
    }
}

#[test]
fn measured_values_are_drawn_against_the_policy() {
    let dir = tempfile::tempdir().unwrap();
    let mut flows = four_flows();
    let c = &mut flows[0].checks[0];
    c.measured
        .insert("idle_timeout_lower_s".into(), serde_json::json!(8.0));
    c.measured
        .insert("policy_s".into(), serde_json::json!(10.0));
    let mut probes = flows[3].checks[0].clone();
    probes.measured = serde_json::from_value(serde_json::json!({
        "observed_cap": 2, "policy_cap": 3, "logins_alive": [false, true, true, false, false]
    }))
    .unwrap();
    flows[3].checks.push(probes);
    let html = render(&flows, dir.path());
    assert_inert_html(&html);
    let charts = drawings(&html, "chart");
    assert_eq!(charts.len(), 2, "{charts:?}");
    // Idle timeout between 8 s and 16.5 s against a 10 s policy: the bracket crosses the line.
    assert!(
        charts[0].contains(r#"<rect class="bracket fail""#),
        "{}",
        charts[0]
    );
    assert!(charts[0].contains("ended between 8 s and 16 s; the policy allows 10 s"));
    assert!(charts[0].contains(">policy 10 s</text>"));
    assert_eq!(
        charts[1].matches(r#"<circle class="probe alive""#).count(),
        2
    );
    assert_eq!(charts[1].matches(r#"<circle class="probe""#).count(), 3);
    assert!(charts[1].contains(">cap 3</text>"));
}

/// A report from a real run, not from records written by hand: `usher demo` on two scenarios whose
/// flawed column moves tokens between personas and measures values, opened in real Chromium.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_demo_report_draws_its_flows_and_opens_without_console_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = usher()
        .args(["demo", "--only", "fixation-planted-chosen-id", "--only"])
        .args(["concurrent-sessions", "--report-dir"])
        .arg(dir.path())
        .run();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let browser = Browser::start(false).await;
    let s = browser.session().await;
    for column in ["secure", "flawed"] {
        let path = dir.path().join(column).join("index.html");
        assert_inert_html(&std::fs::read_to_string(&path).unwrap());
        s.goto(&file_url(&path)).await.unwrap();
        let drawn = s
            .execute(
                r#"const lanes = [...document.querySelectorAll('svg.swimlane')];
                   return {swimlanes: lanes.length,
                           drawn: lanes.filter(l => l.getBoundingClientRect().width > 300).length,
                           moves: document.querySelectorAll('svg.swimlane line.move').length,
                           failed: document.querySelectorAll('svg.swimlane a.failmark.fail').length,
                           probes: document.querySelectorAll('svg.chart circle.probe').length,
                           bars: document.querySelectorAll('svg.gantt rect.bar').length};"#,
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(drawn["swimlanes"], 2, "{column}: {drawn}");
        assert_eq!(
            drawn["drawn"], 2,
            "{column}: every drawing lays out: {drawn}"
        );
        assert_eq!(drawn["bars"], 2, "{column}: {drawn}");
        assert!(drawn["moves"].as_u64().unwrap() >= 1, "{column}: {drawn}");
        assert!(drawn["probes"].as_u64().unwrap() >= 4, "{column}: {drawn}");
        let failed = if column == "flawed" { 2 } else { 0 };
        assert_eq!(drawn["failed"], failed, "{column}: {drawn}");
    }
    let console = browser.console().await;
    browser.shutdown().await;
    assert!(console.is_empty(), "console messages: {console:?}");
}
