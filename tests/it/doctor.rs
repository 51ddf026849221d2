//! `usher doctor` as a new user meets it: on this machine's real PATH, on an empty one, beside fake
//! browsers and drivers (mismatching, hanging), and against a WebDriver endpoint that is ready, not
//! ready, or not there.

use crate::support::usher::{UsherCommand, usher};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn doctor(path: Option<&Path>, args: &[&str]) -> (i32, String) {
    let mut cmd = usher();
    cmd.arg("doctor").args(args);
    if let Some(path) = path {
        cmd.env("PATH", path);
    }
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.run();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&stdout),
        String::from_utf8_lossy(&stderr)
    );
    (status.code().expect("an exit code"), text)
}

/// The line about `name` (status, name, detail), e.g. "ok       chromedriver   156.0 ...".
fn line<'a>(text: &'a str, name: &str) -> &'a str {
    text.lines()
        .find(|l| l.split_whitespace().nth(1) == Some(name))
        .unwrap_or_else(|| panic!("no line for {name} in:\n{text}"))
}

fn status_of<'a>(text: &'a str, name: &str) -> &'a str {
    line(text, name).split_whitespace().next().unwrap()
}

/// A directory holding only these executable shell scripts.
fn fake_bin(scripts: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, body) in scripts {
        let path = dir.path().join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    dir
}

fn version_of(program: &str) -> String {
    let out = Command::new(program)
        .arg("--version")
        .output()
        .unwrap_or_else(|e| panic!("{program} is installed here ({e})"));
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    text.split_whitespace()
        .find(|t| t.starts_with(|c: char| c.is_ascii_digit()) && t.contains('.'))
        .unwrap_or_else(|| panic!("a version in {text:?}"))
        .to_string()
}

#[test]
fn real_path_finds_chromium_and_a_matching_chromedriver() {
    let (code, text) = doctor(None, &[]);
    assert_eq!(code, 0, "{text}");
    let driver = line(&text, "chromedriver");
    assert!(driver.starts_with("ok"), "{text}");
    assert!(driver.contains(&version_of("chromedriver")), "{text}");
    let browser = ["chromium-headless-shell", "chromium"]
        .into_iter()
        .find(|b| {
            text.lines()
                .any(|l| l.split_whitespace().nth(1) == Some(*b))
        })
        .expect("a chromium line");
    assert!(line(&text, browser).starts_with("ok"), "{text}");
    assert!(
        line(&text, browser).contains(&version_of(browser)),
        "{text}"
    );
    assert!(
        text.contains("ready: a local headless Chrome run"),
        "{text}"
    );
}

#[test]
fn empty_path_exits_3_with_the_install_commands() {
    let empty = tempfile::tempdir().unwrap();
    let (code, text) = doctor(Some(empty.path()), &[]);
    assert_eq!(code, 3, "{text}");
    for name in [
        "chromium",
        "chromedriver",
        "firefox",
        "geckodriver",
        "appium",
        "java",
        "xmllint",
    ] {
        assert_eq!(status_of(&text, name), "missing", "{name} in:\n{text}");
    }
    for command in [
        "sudo apt-get install chromium chromium-headless-shell chromium-driver",
        "sudo apt-get install firefox-esr",
        "cargo install geckodriver",
        "npm install -g appium",
        "appium driver install chromium",
        "sudo apt-get install openjdk-17-jre-headless",
        "sudo apt-get install libxml2-utils",
    ] {
        assert!(text.contains(command), "`{command}` missing from:\n{text}");
    }
    assert!(text.contains("not ready"), "{text}");
}

#[test]
fn a_chromedriver_of_another_major_version_is_reported() {
    let bin = fake_bin(&[
        ("chromium", "echo 'Chromium 156.0.7000.1 built on Debian'"),
        (
            "chromedriver",
            "echo 'ChromeDriver 120.0.6099.71 (abc-refs/heads/main)'",
        ),
    ]);
    let (code, text) = doctor(Some(bin.path()), &[]);
    assert_eq!(code, 3, "{text}");
    let driver = line(&text, "chromedriver");
    assert!(driver.starts_with("warn"), "{text}");
    assert!(
        driver.contains("major version 120") && driver.contains("156"),
        "{text}"
    );
    assert!(text.contains("--driver-path"), "{text}");
}

#[test]
fn a_headless_shell_and_its_chromedriver_are_enough() {
    let bin = fake_bin(&[
        ("chromium-headless-shell", "echo 'Chromium 156.0.7000.1'"),
        ("chromedriver", "echo 'ChromeDriver 156.0.7000.1 (abc)'"),
    ]);
    let (code, text) = doctor(Some(bin.path()), &[]);
    assert_eq!(code, 0, "{text}");
    assert_eq!(status_of(&text, "chromium"), "missing", "{text}");
    assert!(line(&text, "chromium").contains("optional"), "{text}");
    assert!(
        line(&text, "chromedriver").contains("same as chromium-headless-shell"),
        "{text}"
    );
}

#[test]
fn a_hanging_browser_does_not_hang_doctor() {
    let bin = fake_bin(&[
        ("chromium", "exec /bin/sleep 60"),
        ("chromedriver", "echo 'ChromeDriver 156.0.7000.1 (abc)'"),
    ]);
    let started = Instant::now();
    let (_, text) = doctor(Some(bin.path()), &[]);
    assert!(started.elapsed() < Duration::from_secs(30), "{text}");
    let browser = line(&text, "chromium");
    assert!(
        browser.starts_with("warn") && browser.contains("did not answer"),
        "{text}"
    );
}

#[test]
fn appium_and_its_installed_drivers_are_listed() {
    // What Appium 3 prints for `driver list --installed --json` (trimmed).
    let bin = fake_bin(&[(
        "appium",
        r#"case "$*" in
  --version) echo 3.8.0 ;;
  "driver list --installed --json") echo '{"fake":{"pkgName":"@appium/fake-driver","version":"6.2.4","installed":true}}' ;;
  *) exit 1 ;;
esac"#,
    )]);
    let (_, text) = doctor(Some(bin.path()), &[]);
    assert!(line(&text, "appium").contains("3.8.0"), "{text}");
    let drivers = text
        .lines()
        .find(|l| l.contains("appium drivers"))
        .expect("an appium drivers line");
    assert!(
        drivers.starts_with("ok") && drivers.contains("fake@6.2.4"),
        "{text}"
    );
    assert!(drivers.contains("appium driver install chromium"), "{text}");
}

/// Answers one HTTP request on 127.0.0.1 with `body`; gives the port and the request it got.
fn status_server(body: &'static str) -> (u16, std::thread::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut request = Vec::new();
        let mut buf = [0u8; 1024];
        while !request.windows(4).any(|w| w == b"\r\n\r\n") {
            match stream.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => request.extend_from_slice(&buf[..n]),
            }
        }
        let response = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json; charset=utf-8\r\n\
             content-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(response.as_bytes()).unwrap();
        String::from_utf8_lossy(&request).to_string()
    });
    (port, handle)
}

#[test]
fn a_ready_endpoint_is_enough_without_a_local_browser() {
    let (port, server) = status_server(r#"{"value":{"ready":true,"message":"ok"}}"#);
    let empty = tempfile::tempdir().unwrap();
    let url = format!("http://127.0.0.1:{port}/wd/hub");
    let (code, text) = doctor(Some(empty.path()), &["--webdriver-url", &url]);
    assert_eq!(code, 0, "{text}");
    let endpoint = line(&text, "webdriver-url");
    assert!(
        endpoint.starts_with("ok") && endpoint.contains("ready: ok"),
        "{text}"
    );
    let request = server.join().unwrap();
    assert!(
        request.starts_with("GET /wd/hub/status HTTP/1.1"),
        "{request}"
    );
}

#[test]
fn a_not_ready_endpoint_exits_3_with_its_message() {
    let (port, _server) = status_server(r#"{"value":{"ready":false,"message":"no nodes yet"}}"#);
    let url = format!("http://127.0.0.1:{port}/");
    let (code, text) = doctor(None, &["--webdriver-url", &url]);
    assert_eq!(code, 3, "{text}");
    let endpoint = line(&text, "webdriver-url");
    assert!(
        endpoint.starts_with("warn") && endpoint.contains("not ready: no nodes yet"),
        "{text}"
    );
}

#[test]
fn a_closed_port_exits_3_and_says_so() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let (code, text) = doctor(None, &["--webdriver-url", &url]);
    assert_eq!(code, 3, "{text}");
    let endpoint = line(&text, "webdriver-url");
    assert!(
        endpoint.starts_with("missing") && endpoint.contains("no answer"),
        "{text}"
    );
}

#[test]
fn endpoint_credentials_are_never_printed() {
    let (port, _server) = status_server(r#"{"value":{"ready":true,"message":"ok"}}"#);
    let url = format!("http://grid-user:access-key-5ec7e7@127.0.0.1:{port}/");
    let (code, text) = doctor(None, &["--webdriver-url", &url]);
    assert_eq!(code, 0, "{text}");
    assert!(
        !text.contains("access-key-5ec7e7") && !text.contains("grid-user"),
        "{text}"
    );
}

#[test]
fn a_malformed_endpoint_is_bad_input() {
    let (code, text) = doctor(None, &["--webdriver-url", "ftp://127.0.0.1/"]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("http://"), "{text}");
}
