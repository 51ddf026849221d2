//! Records to render, checks that HTML and XML are inert and well-formed, and a real Chromium that
//! opens a report and tells what its console said.

#![allow(dead_code)]

use std::path::Path;
use std::time::Duration;
use usher::driver::{DriverConfig, Launcher, Session};
use usher::record::{
    CheckOutcome, Evidence, FlowRecord, Mark, RunInfo, RunSummary, StepRecord, TimelineEntry,
    Verdict,
};

/// Markup, a CDATA end, NUL, an ANSI escape and both quotes: what hostile pages put in titles and cookies.
pub const HOSTILE: &str = "<script>alert(1)</script>]]>\u{0}\u{1b}[31m\"dq\" 'sq' &amp; <img src=x onerror=\"window.__pwned=1\">";

pub const SCREENSHOT: &str = "artifacts/app/token-fixation/victim-screenshot.png";
pub const PAGE_SOURCE: &str = "artifacts/app/token-fixation/victim-page.html";

/// A valid 4×3 red PNG.
pub const PNG: [u8; 73] = [
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x03, 0x08, 0x02, 0x00, 0x00, 0x00, 0x3b, 0x96, 0x39,
    0x91, 0x00, 0x00, 0x00, 0x10, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x38, 0xa3, 0xa4, 0x04,
    0x47, 0x0c, 0x38, 0x39, 0x00, 0x00, 0xce, 0x0c, 0xc1, 0x8d, 0xf7, 0x9b, 0x7d, 0x00, 0x00, 0x00,
    0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

pub fn run_info() -> RunInfo {
    RunInfo {
        targets: vec!["http://127.0.0.1:8080".into()],
        browser: "chrome 1 via chromedriver 1 (local)".into(),
        jobs: 2,
        flows: 4,
        started_at: "2026-01-01T00:00:00Z".into(),
    }
}

pub fn summary_of(flows: &[FlowRecord]) -> RunSummary {
    let mut s = RunSummary {
        duration: Duration::from_secs(12),
        ..Default::default()
    };
    for f in flows {
        s.count(f.verdict);
    }
    s
}

fn step(index: usize, persona: &str, label: &str, line: u32, error: Option<&str>) -> StepRecord {
    StepRecord {
        index,
        keyword: label.split(' ').next().unwrap_or("").into(),
        label: label.into(),
        persona: persona.into(),
        origin: format!("suite/flow.yaml:{line}:5"),
        at: Duration::from_millis(index as u64 * 200),
        duration: Duration::from_millis(142),
        error: error.map(String::from),
    }
}

fn at(ms: u64, persona: &str, state: &str, mark: Option<Mark>) -> TimelineEntry {
    TimelineEntry {
        at: Duration::from_millis(ms),
        persona: persona.into(),
        state: state.into(),
        mark,
    }
}

fn check(name: &str, verdict: Verdict, message: &str, evidence: &[(&str, &str)]) -> CheckOutcome {
    CheckOutcome {
        check: name.into(),
        persona: "victim".into(),
        verdict,
        message: message.into(),
        evidence: evidence
            .iter()
            .map(|(l, v)| Evidence::new(*l, *v))
            .collect(),
        measured: Default::default(),
        origin: "suite/flow.yaml:20:5".into(),
    }
}

fn flow(name: &str, verdict: Verdict, tags: &[&str], summary: &str) -> FlowRecord {
    FlowRecord {
        suite: "app".into(),
        name: name.into(),
        file: format!("suite/{name}.yaml"),
        target: "http://127.0.0.1:8080".into(),
        policy: usher::scenario::Policy::default(),
        description: Some(format!("Tried: {name}. Judged: what the check says.")),
        tags: tags.iter().map(|t| t.to_string()).collect(),
        personas: vec!["victim".into(), "attacker".into()],
        verdict,
        summary: summary.into(),
        duration: Duration::from_millis(2500),
        steps: vec![
            step(0, "victim", "run login", 10, None),
            step(1, "attacker", "plant id", 11, None),
        ],
        checks: vec![],
        error: None,
        artifacts: vec![],
        timeline: vec![],
        accounts: Default::default(),
        started: None,
    }
}

/// One flow of each verdict, as the engine records them; the FAIL has a screenshot and page source.
pub fn four_flows() -> Vec<FlowRecord> {
    let mut fail = flow(
        "token-fixation",
        Verdict::Fail,
        &["fixation", "wstg-sess-03", "asvs-7.2.4"],
        "token_changed (victim): victim's token tok:3f9a1c is the same as `before_login`",
    );
    fail.timeline = vec![
        at(
            100,
            "victim",
            "browser started (no session)",
            Some(Mark::NoSession),
        ),
        at(
            150,
            "attacker",
            "browser started (no session)",
            Some(Mark::NoSession),
        ),
        at(
            300,
            "victim",
            "oracle: logged out",
            Some(Mark::Oracle { logged_in: false }),
        ),
        at(
            600,
            "attacker",
            "token tok:3f9a1c captured as before_login",
            Some(Mark::Captured {
                token: "tok:3f9a1c".into(),
                label: "before_login".into(),
            }),
        ),
        at(
            900,
            "victim",
            "planted id tok:3f9a1c",
            Some(Mark::Planted {
                token: "tok:3f9a1c".into(),
                from: Some("attacker".into()),
            }),
        ),
        at(
            2100,
            "victim",
            "ran login",
            Some(Mark::Ran {
                flow: "login".into(),
            }),
        ),
        at(
            2200,
            "victim",
            "oracle: logged in",
            Some(Mark::Oracle { logged_in: true }),
        ),
        at(
            2300,
            "attacker",
            "oracle: logged in",
            Some(Mark::Oracle { logged_in: true }),
        ),
    ];
    fail.steps
        .push(step(2, "victim", "check token_changed", 20, None));
    let mut c = check(
        "token_changed",
        Verdict::Fail,
        "victim's token tok:3f9a1c is the same as `before_login`: it was not rotated",
        &[("before", "tok:3f9a1c"), ("now", "tok:3f9a1c")],
    );
    c.measured
        .insert("idle_timeout_upper_s".into(), serde_json::json!(16.5));
    c.measured
        .insert("idle_timeout_lower_s".into(), serde_json::Value::Null);
    fail.checks = vec![c];
    fail.artifacts = vec![SCREENSHOT.into(), PAGE_SOURCE.into()];

    let mut error = flow(
        "idle-timeout",
        Verdict::Error,
        &["timeouts", "wstg-sess-07"],
        "no element matches `#login` (waited 10s)",
    );
    error.error = Some("suite/idle-timeout.yaml:11:5: no element matches `#login`".into());
    error.steps[1].error = Some("no element matches `#login` (waited 10s)".into());

    let mut skipped = flow(
        "entropy",
        Verdict::Skipped,
        &["entropy", "asvs-7.2.3"],
        "fewer than 20 tokens",
    );
    skipped.checks = vec![check(
        "entropy_at_least",
        Verdict::Skipped,
        "fewer than 20 tokens",
        &[],
    )];

    let mut pass = flow(
        "cookie-attributes",
        Verdict::Pass,
        &["cookies", "wstg-sess-02"],
        "passed",
    );
    pass.checks = vec![check(
        "cookie_attributes",
        Verdict::Pass,
        "tb_sid has every attribute the policy asks for",
        &[(
            "Set-Cookie (raw, value hidden)",
            "tb_sid=<token>; Path=/; Secure; HttpOnly; SameSite=Strict",
        )],
    )];
    vec![fail, error, skipped, pass]
}

/// Every field a page or a profile can reach, filled with `text`.
pub fn hostile_flow(text: &str, verdict: Verdict) -> FlowRecord {
    let mut f = flow(
        &format!("flow {text}"),
        verdict,
        &["wstg-sess-02", text],
        text,
    );
    f.suite = format!("suite {text}");
    f.file = format!("{text}.yaml");
    f.description = Some(text.into());
    f.personas = vec![text.into()];
    f.error = Some(text.into());
    f.steps = vec![step(0, text, &format!("see {text}"), 3, Some(text))];
    let mut c = check(
        text,
        verdict,
        text,
        &[
            (
                "Set-Cookie (raw, value hidden)",
                &format!("{text}=<token>; Path=/"),
            ),
            (text, text),
        ],
    );
    c.persona = text.into();
    c.origin = text.into();
    c.measured.insert(text.into(), serde_json::json!(text));
    f.checks = vec![c];
    f.timeline = vec![
        at(100, text, text, Some(Mark::NoSession)),
        at(
            150,
            text,
            text,
            Some(Mark::Captured {
                token: text.into(),
                label: text.into(),
            }),
        ),
        at(
            200,
            "attacker",
            text,
            Some(Mark::Stole {
                from: text.into(),
                token: text.into(),
            }),
        ),
        at(250, "attacker", text, Some(Mark::Ran { flow: text.into() })),
    ];
    f.artifacts = vec![PAGE_SOURCE.into(), text.into()];
    f
}

/// Writes the artifacts `four_flows` and `hostile_flow` name.
pub fn write_artifacts(report_dir: &Path, page: &str) {
    let dir = report_dir.join("artifacts/app/token-fixation");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(report_dir.join(SCREENSHOT), PNG).unwrap();
    std::fs::write(report_dir.join(PAGE_SOURCE), page).unwrap();
}

// ---------------------------------------------------------------- judging the output

/// Elements and attributes the report template writes. Data is escaped, so any other came from data.
const OUR_ELEMENTS: &[&str] = &[
    "!doctype",
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "header",
    "h1",
    "h2",
    "h3",
    "p",
    "strong",
    "dl",
    "div",
    "dt",
    "dd",
    "span",
    "main",
    "section",
    "button",
    "label",
    "select",
    "option",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "a",
    "details",
    "summary",
    "pre",
    "ol",
    "ul",
    "li",
    "time",
    "code",
    "figure",
    "img",
    "figcaption",
    "footer",
    "script",
    // the drawings (inline SVG)
    "svg",
    "desc",
    "defs",
    "marker",
    "path",
    "g",
    "line",
    "rect",
    "circle",
    "text",
];
const OUR_ATTRIBUTES: &[&str] = &[
    "html",
    "lang",
    "charset",
    "http-equiv",
    "content",
    "name",
    "id",
    "class",
    "type",
    "role",
    "aria-label",
    "aria-pressed",
    "aria-live",
    "data-filter-verdict",
    "data-verdict",
    "data-tags",
    "value",
    "href",
    "title",
    "target",
    "rel",
    "open",
    "src",
    "alt",
    // the drawings (inline SVG)
    "viewbox",
    "aria-labelledby",
    "aria-hidden",
    "x",
    "y",
    "x1",
    "y1",
    "x2",
    "y2",
    "cx",
    "cy",
    "r",
    "rx",
    "width",
    "height",
    "d",
    "text-anchor",
    "marker-end",
    "refx",
    "refy",
    "markerwidth",
    "markerheight",
    "orient",
];

/// The elements of `html` with their attribute names, read the way a browser tokenizes tags.
pub fn tags(html: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    let b = html.as_bytes();
    let mut i = 0;
    while let Some(off) = html[i..].find('<') {
        i += off + 1;
        if b.get(i) == Some(&b'/') {
            continue;
        }
        let name_end = html[i..]
            .find(|c: char| c.is_whitespace() || c == '>')
            .map_or(html.len(), |e| i + e);
        let name = html[i..name_end].to_ascii_lowercase();
        let mut attrs = Vec::new();
        let mut j = name_end;
        loop {
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            if j >= b.len() || b[j] == b'>' {
                break;
            }
            let start = j;
            while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'=' && b[j] != b'>' {
                j += 1;
            }
            attrs.push(html[start..j].to_ascii_lowercase());
            if j < b.len() && b[j] == b'=' {
                j += 1;
                match b.get(j) {
                    Some(q @ (b'"' | b'\'')) => {
                        let q = *q;
                        j += 1;
                        while j < b.len() && b[j] != q {
                            j += 1;
                        }
                        j += 1;
                    }
                    _ => {
                        while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' {
                            j += 1;
                        }
                    }
                }
            }
        }
        out.push((name, attrs));
        i = j.min(b.len());
    }
    out
}

/// Panics unless every element and attribute is one the template writes, there is exactly one
/// script (ours), and no raw NUL or ESC.
pub fn assert_inert_html(html: &str) {
    for (name, attrs) in tags(html) {
        assert!(
            OUR_ELEMENTS.contains(&name.as_str()),
            "element `<{name}>` is not one the template writes"
        );
        for a in attrs {
            assert!(
                OUR_ATTRIBUTES.contains(&a.as_str()),
                "attribute `{a}` on `<{name}>` is not one the template writes"
            );
        }
    }
    let lower = html.to_ascii_lowercase();
    assert_eq!(lower.matches("<script").count(), 1, "only our own script");
    assert!(!lower.contains("javascript:"));
    assert!(!html.contains('\u{0}'), "raw NUL in the HTML");
    assert!(!html.contains('\u{1b}'), "raw ESC in the HTML");
}

/// Panics unless `xml` is well-formed (strict parser, then quick-junit's reader, then xmllint when
/// installed); returns the parsed report.
pub fn assert_well_formed_junit(xml: &str, dir: &Path) -> quick_junit::Report {
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(quick_xml::events::Event::Text(t)) => {
                t.decode().expect("text decodes");
            }
            Ok(_) => {}
            Err(e) => panic!(
                "JUnit XML is not well-formed at {}: {e}",
                reader.buffer_position()
            ),
        }
    }
    for c in xml.chars() {
        let ok =
            matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{fffe}' && c != '\u{ffff}');
        assert!(ok, "character U+{:04X} is not allowed in XML 1.0", c as u32);
    }
    let report = quick_junit::Report::deserialize_from_str(xml).expect("quick-junit reads it back");
    if let Ok(out) = std::process::Command::new("xmllint")
        .arg("--version")
        .output()
        && out.status.success()
    {
        let path = dir.join("junit-check.xml");
        std::fs::write(&path, xml).unwrap();
        let out = std::process::Command::new("xmllint")
            .arg("--noout")
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "xmllint: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    report
}

// ---------------------------------------------------------------- a real Chromium

/// usher's own launcher and sessions, plus a way to read what the pages wrote to the console.
pub struct Browser {
    launcher: Option<Launcher>,
}

impl Browser {
    /// Chromium keeps every console message (`goog:loggingPrefs`); `phone` emulates a Pixel 7.
    pub async fn start(phone: bool) -> Browser {
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:loggingPrefs".into(),
            serde_json::json!({"browser": "ALL"}),
        );
        if phone {
            capabilities.insert(
                "goog:chromeOptions".into(),
                serde_json::json!({"mobileEmulation": {"deviceName": "Pixel 7"}}),
            );
        }
        let launcher = Launcher::start(DriverConfig {
            capabilities,
            ..DriverConfig::default()
        })
        .await
        .expect("chromedriver and Chromium start");
        Browser {
            launcher: Some(launcher),
        }
    }

    pub async fn session(&self) -> Box<dyn Session> {
        self.launcher
            .as_ref()
            .unwrap()
            .new_session("reader")
            .await
            .expect("a session opens")
    }

    /// Every console message of every open session since the last call, as `LEVEL message`. The
    /// `Session` trait has no log access, so this asks the launcher's chromedriver directly.
    pub async fn console(&self) -> Vec<String> {
        let endpoint = self.launcher.as_ref().unwrap().endpoint().to_string();
        let http = reqwest::Client::new();
        let sessions: serde_json::Value = http
            .get(format!("{endpoint}sessions"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let mut out = Vec::new();
        for s in sessions["value"]
            .as_array()
            .expect("chromedriver lists its sessions")
        {
            let id = s["id"].as_str().unwrap();
            let log: serde_json::Value = http
                .post(format!("{endpoint}session/{id}/se/log"))
                .json(&serde_json::json!({"type": "browser"}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            for e in log["value"].as_array().expect("a browser log") {
                out.push(format!("{} {}", e["level"], e["message"]));
            }
        }
        out
    }

    pub async fn shutdown(mut self) {
        if let Some(l) = self.launcher.take() {
            l.shutdown().await;
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // On a failed assertion: Launcher's own Drop kills the driver and browsers.
        drop(self.launcher.take());
    }
}

pub fn file_url(path: &Path) -> String {
    url::Url::from_file_path(std::path::absolute(path).unwrap())
        .unwrap()
        .to_string()
}

/// Facts about the open report that only a browser can tell.
pub const PROBE: &str = r#"
const visible = sel => Array.from(document.querySelectorAll(sel)).filter(e => !e.hidden);
return {
  scripts: document.scripts.length,
  pwned: typeof window.__pwned,
  rows: visible('#flows tbody tr').map(r => r.getAttribute('data-verdict')),
  flows: visible('details.flow').map(d => d.getAttribute('data-verdict')),
  resources: performance.getEntriesByType('resource').map(e => e.name),
  images: document.images.length,
  broken_images: Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).length,
  handlers: Array.from(document.querySelectorAll('*')).flatMap(e =>
    Array.from(e.attributes).filter(a => a.name.startsWith('on')).map(a => a.name)),
  overflow: document.documentElement.scrollWidth - window.innerWidth,
  shown: document.getElementById('shown').textContent,
  title: document.title,
};
"#;
