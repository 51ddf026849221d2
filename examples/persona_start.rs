//! Persona start time: from "this persona needs a browser" to "its session is ready", as the engine
//! asks for it (`Launcher::new_session`: a fresh profile, New Session, timeouts, the performance log
//! emptied), against a bare thirtyfour `WebDriver::new` with the same switches on the same
//! chromedriver. Samples alternate between the two; then pairs of personas started at once.
//!
//!   cargo run --release --example persona_start -- [SAMPLES]
//!
//! Prints one line per measurement and the medians.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use thirtyfour::{Capabilities, WebDriver};
use usher::driver::{DriverConfig, Launcher};

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
];

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

fn spread(v: &mut [f64]) -> String {
    let m = median(v);
    format!(
        "median {m:.3} s (min {:.3}, max {:.3}, n {})",
        v[0],
        v[v.len() - 1],
        v.len()
    )
}

/// A bare session with the launcher's switches, on the launcher's chromedriver and start script.
async fn raw_session(launcher: &Launcher, n: usize) -> Result<(WebDriver, tempfile::TempDir)> {
    let work = launcher
        .work_dir()
        .ok_or("the launcher started no local driver")?;
    let browser = work.join("headless-shell");
    if !browser.exists() {
        return Err(
            "this comparison needs chromium-headless-shell (the launcher's start script)".into(),
        );
    }
    let profile = tempfile::Builder::new()
        .prefix(&format!("raw-persona-{n}-"))
        .tempdir_in(work)?;
    let mut args: Vec<String> = CHROME_ARGS.iter().map(|s| s.to_string()).collect();
    args.push(format!("--user-data-dir={}", profile.path().display()));
    let Value::Object(caps) = json!({
        "browserName": "chrome",
        "goog:chromeOptions": { "binary": browser.display().to_string(), "args": args },
    }) else {
        unreachable!("a JSON object")
    };
    let driver = WebDriver::new(launcher.endpoint(), Capabilities::from(caps)).await?;
    Ok((driver, profile))
}

async fn measure(launcher: &Launcher, samples: usize) -> Result<()> {
    let (mut usher, mut raw, mut usher_pair, mut raw_pair) = (vec![], vec![], vec![], vec![]);
    for i in 0..samples {
        // Alternate which goes first so drift in machine load falls on both.
        for first in [i % 2 == 0, i % 2 == 1] {
            let t = Instant::now();
            if first {
                let s = launcher.new_session("persona").await?;
                usher.push(t.elapsed().as_secs_f64());
                s.close().await?;
            } else {
                let (d, _profile) = raw_session(launcher, i).await?;
                raw.push(t.elapsed().as_secs_f64());
                d.quit().await?;
            }
        }
        for first in [i % 2 == 0, i % 2 == 1] {
            let t = Instant::now();
            if first {
                let (a, b) = tokio::join!(
                    launcher.new_session("victim"),
                    launcher.new_session("attacker")
                );
                usher_pair.push(t.elapsed().as_secs_f64());
                a?.close().await?;
                b?.close().await?;
            } else {
                let (a, b) = tokio::join!(
                    raw_session(launcher, 1000 + i),
                    raw_session(launcher, 2000 + i)
                );
                raw_pair.push(t.elapsed().as_secs_f64());
                a?.0.quit().await?;
                b?.0.quit().await?;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (mu, mr) = (median(&mut usher), median(&mut raw));
    println!(
        "one persona, usher Launcher::new_session: {}",
        spread(&mut usher)
    );
    println!(
        "one persona, bare thirtyfour WebDriver::new: {}",
        spread(&mut raw)
    );
    println!("two personas at once, usher: {}", spread(&mut usher_pair));
    println!(
        "two personas at once, bare thirtyfour: {}",
        spread(&mut raw_pair)
    );
    println!("usher minus bare (medians, one persona): {:+.3} s", mu - mr);
    Ok(())
}

#[tokio::main]
async fn main() {
    let samples = std::env::args()
        .nth(1)
        .map_or(Ok(10), |s| s.parse::<usize>())
        .unwrap_or_else(|e| {
            eprintln!("error: SAMPLES: {e}");
            std::process::exit(2)
        });
    let t = Instant::now();
    let launcher = match Launcher::start(DriverConfig::default()).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(3)
        }
    };
    println!(
        "driver ready in {:.3} s: {}",
        t.elapsed().as_secs_f64(),
        launcher.describe()
    );
    let outcome = measure(&launcher, samples.max(1)).await;
    launcher.shutdown().await;
    if let Err(e) = outcome {
        eprintln!("error: {e}");
        std::process::exit(3);
    }
}
