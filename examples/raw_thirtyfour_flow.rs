//! The logout-replay flow written by hand on thirtyfour, as the baseline usher is measured against
//! (benches/flow-compare.sh): the victim logs in, the attacker copies the session cookie, the victim
//! logs out, and the attacker's copy must be dead. Same chromedriver, browser binary and switches as
//! usher; no framework: no network capture, no navigation settling, no reports.
//!
//!   TB_ALICE_PASSWORD=... TB_MALLORY_PASSWORD=... cargo run --release --example raw_thirtyfour_flow -- \
//!     --target http://tickets.ticketbooth.localhost:8080 --browser /path/to/headless-shell-wrapper \
//!     [--see-grace-ms 800 | --wait-rendered]
//!
//! `--wait-rendered` is the version for pages that render late (`usher demo serve --render-delay`):
//! "logged in?" waits until either the account's e-mail or the login form is on the page.
//!
//! Prints one JSON line (timings only, never a cookie or password); exits 1 when the app does not
//! behave as a secure one should, 3 on an infrastructure error.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use thirtyfour::{By, Capabilities, Cookie, WebDriver};

/// The switches usher gives the headless shell (src/driver/capabilities.rs), less `--user-data-dir`.
const CHROME_ARGS: &[&str] = &[
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost , EXCLUDE *.localhost",
    // SHELL_PROCESS_ARGS: the bench always runs the headless shell.
    "--no-zygote",
    "--in-process-gpu",
    "--enable-features=NetworkServiceInProcess2",
];
const TOKEN_COOKIES: &[&str] = &["__Host-tb_sid", "__Secure-tb_sid", "tb_sid"];
const WAIT_LIMIT: Duration = Duration::from_secs(10);

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

struct Args {
    target: String,
    browser: PathBuf,
    driver: PathBuf,
    /// How long "is the e-mail on /account" waits for late rendering before answering no (usher's
    /// oracle waits 800 ms); 0 answers at once.
    see_grace: Duration,
    /// Wait for either the account's e-mail or the login form instead.
    wait_rendered: bool,
}

fn parse_args() -> Result<Args> {
    let mut target = None;
    let mut browser = None;
    let mut driver = PathBuf::from("/usr/bin/chromedriver");
    let mut see_grace = Duration::ZERO;
    let mut wait_rendered = false;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--target" => target = Some(value()?),
            "--browser" => browser = Some(PathBuf::from(value()?)),
            "--driver" => driver = PathBuf::from(value()?),
            "--see-grace-ms" => see_grace = Duration::from_millis(value()?.parse()?),
            "--wait-rendered" => wait_rendered = true,
            _ => return Err(format!("unknown argument `{a}`").into()),
        }
    }
    Ok(Args {
        target: target.ok_or("--target URL is required")?,
        browser: browser.ok_or("--browser PATH is required")?,
        driver,
        see_grace,
        wait_rendered,
    })
}

/// A chromedriver of our own, stopped and its temporary directory removed on drop.
struct Driver {
    child: Child,
    url: String,
    dir: tempfile::TempDir,
}

impl Driver {
    async fn start(path: &Path) -> Result<Driver> {
        let dir = tempfile::Builder::new().prefix("raw-flow-").tempdir()?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let child = Command::new(path)
            .arg(format!("--port={port}"))
            .env("TMPDIR", dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let url = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::builder().no_proxy().build()?;
        let start = Instant::now();
        while start.elapsed() < WAIT_LIMIT {
            if let Ok(r) = client.get(format!("{url}/status")).send().await
                && let Ok(v) = r.json::<Value>().await
                && v["value"]["ready"] == json!(true)
            {
                return Ok(Driver { child, url, dir });
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Err("chromedriver was not ready within 10 s".into())
    }

    async fn session(&self, browser: &Path, name: &str) -> Result<WebDriver> {
        let profile = self.dir.path().join(name);
        std::fs::create_dir_all(&profile)?;
        let mut args: Vec<String> = CHROME_ARGS.iter().map(|s| s.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": browser.display().to_string(), "args": args },
        });
        let Value::Object(map) = caps else {
            unreachable!("a JSON object")
        };
        Ok(WebDriver::new(self.url.as_str(), Capabilities::from(map)).await?)
    }
}

impl Driver {
    /// chromedriver's `/shutdown` also ends browsers an error left open, which a kill would orphan.
    async fn stop(mut self) {
        if let Ok(client) = reqwest::Client::builder().no_proxy().build() {
            let _ = client.get(format!("{}/shutdown", self.url)).send().await;
        }
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline && matches!(self.child.try_wait(), Ok(None)) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn present(d: &WebDriver, css: &str) -> Result<bool> {
    Ok(!d.find_all(By::Css(css)).await?.is_empty())
}

async fn wait_for(d: &WebDriver, css: &str) -> Result<()> {
    let start = Instant::now();
    while !present(d, css).await? {
        if start.elapsed() > WAIT_LIMIT {
            return Err(format!("`{css}` did not appear").into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

/// Polls every 100 ms within the grace; with `wait_rendered`, until the page shows either answer.
async fn logged_in(d: &WebDriver, base: &str, args: &Args) -> Result<bool> {
    const POLL: Duration = Duration::from_millis(100);
    let grace = args.see_grace;
    d.goto(format!("{base}/account")).await?;
    if args.wait_rendered {
        let start = Instant::now();
        loop {
            if present(d, "#account-email").await? {
                return Ok(true);
            }
            if present(d, "#login-submit").await? {
                return Ok(false);
            }
            if start.elapsed() > WAIT_LIMIT {
                return Err("neither the account nor the login form appeared".into());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    let deadline = Instant::now() + grace;
    loop {
        if present(d, "#account-email").await? {
            return Ok(true);
        }
        if Instant::now() + POLL > deadline {
            return Ok(false);
        }
        tokio::time::sleep(POLL).await;
    }
}

async fn login(d: &WebDriver, base: &str, email: &str, password: &str) -> Result<()> {
    d.goto(format!("{base}/login")).await?;
    for (css, text) in [("#email", email), ("#password", password)] {
        let field = d.find(By::Css(css)).await?;
        field.clear().await?;
        field.send_keys(text).await?;
    }
    d.find(By::Css("#login-submit")).await?.click().await?;
    wait_for(d, "#account-email").await
}

/// Runs the flow; `Ok(false)` when the app failed a check (a flaw), with the reason on stderr.
async fn flow(args: &Args, timings: &mut Vec<(String, f64)>) -> Result<bool> {
    // Seconds since the start at which each stage ended.
    let t0 = Instant::now();
    let mut mark = |stage: &str| timings.push((format!("{stage}_at"), t0.elapsed().as_secs_f64()));
    let driver = Driver::start(&args.driver).await?;
    mark("driver_ready");
    let outcome = steps(args, &driver, &mut mark).await;
    driver.stop().await;
    mark("driver_stopped");
    outcome
}

/// The flow proper, on a running driver.
async fn steps(args: &Args, driver: &Driver, mark: &mut impl FnMut(&str)) -> Result<bool> {
    let base = args.target.trim_end_matches('/');
    let password = |var: &str| std::env::var(var).map_err(|_| format!("{var} is not set"));
    let victim = driver.session(&args.browser, "victim").await?;
    mark("victim_ready");
    let mut ok = true;
    let mut expect = |what: &str, got: bool, want: bool| {
        if got != want {
            eprintln!("FAIL: {what}");
            ok = false;
        }
    };
    login(
        &victim,
        base,
        "alice@ticketbooth.test",
        &password("TB_ALICE_PASSWORD")?,
    )
    .await?;
    expect(
        "victim not logged in",
        logged_in(&victim, base, args).await?,
        true,
    );
    mark("victim_logged_in");

    let stolen: Vec<Cookie> = victim
        .get_all_cookies()
        .await?
        .into_iter()
        .filter(|c| TOKEN_COOKIES.contains(&c.name.as_str()))
        .collect();
    if stolen.is_empty() {
        return Err("the victim holds no session cookie".into());
    }
    mark("stolen");
    let attacker = driver.session(&args.browser, "attacker").await?;
    mark("attacker_ready");
    attacker.goto(format!("{base}/")).await?;
    for mut c in stolen {
        // Browsers report a host-only cookie's host as its domain; sending it back would widen it.
        c.domain = c.domain.filter(|d| d.starts_with('.'));
        c.expiry = None;
        attacker.add_cookie(c).await?;
    }
    expect(
        "the stolen cookie does not act as the victim",
        logged_in(&attacker, base, args).await?,
        true,
    );

    mark("replayed");
    victim.goto(format!("{base}/")).await?;
    victim.find(By::Css("#logout")).await?.click().await?;
    wait_for(&victim, "#login-link").await?;
    mark("logged_out");
    expect(
        "victim still logged in after logout",
        logged_in(&victim, base, args).await?,
        false,
    );
    expect(
        "the stolen cookie still acts as the victim after logout",
        logged_in(&attacker, base, args).await?,
        false,
    );
    mark("checked");
    attacker.quit().await?;
    victim.quit().await?;
    mark("quit");
    Ok(ok)
}

#[tokio::main]
async fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let start = Instant::now();
    let mut timings = Vec::new();
    let outcome = flow(&args, &mut timings).await;
    let mut line = serde_json::Map::new();
    line.insert("impl".into(), json!("raw-thirtyfour"));
    line.insert("wall_s".into(), json!(start.elapsed().as_secs_f64()));
    for (k, v) in timings {
        line.insert(k, json!(v));
    }
    let code = match outcome {
        Ok(true) => 0,
        Ok(false) => 1,
        Err(e) => {
            eprintln!("error: {e}");
            3
        }
    };
    line.insert("exit".into(), json!(code));
    println!("{}", Value::Object(line));
    std::process::exit(code);
}
