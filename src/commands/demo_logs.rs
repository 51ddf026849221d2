//! `usher demo`'s other side: the access logs the suite's browsers left in each Ticketbooth, read by
//! `usher logs` against the policy that instance was started with, and reported next to the suite's
//! reports. Browser flows prove what the app does; the log shows what production traffic of the same
//! attacks would look like.

use crate::demo::DemoConfig;
use crate::logs::format::Format;
use crate::logs::policy::LogPolicy;
use crate::logs::session_id::Sources;
use crate::logs::{Input, Options, Outcome, Verdict, analyse, report};
use std::path::{Path, PathBuf};

/// Where an instance of a column writes its access log (`timing`: the instance with timeouts of seconds).
pub fn access_log(column_dir: &Path, timing: bool) -> PathBuf {
    column_dir.join(if timing {
        "access-timing.log"
    } else {
        "access.log"
    })
}

/// One access log judged: its reports' folder and what was found.
pub struct Judged {
    pub name: &'static str,
    pub reports: PathBuf,
    pub outcome: Result<Outcome, String>,
}

fn options(config: &DemoConfig) -> Result<Options, String> {
    let mut policy = LogPolicy::default();
    for kv in [
        format!("idle_timeout={}s", config.idle_timeout.as_secs()),
        format!("absolute_timeout={}s", config.absolute_timeout.as_secs()),
        format!("max_sessions={}", config.max_sessions),
        // Ticketbooth stamps each line as it answers: no slack for clocks or rounding is needed.
        "slack=0s".to_string(),
    ] {
        policy.set_pair(&kv)?;
    }
    Ok(Options {
        format: Format::parse("ticketbooth", &[])?,
        format_name: "ticketbooth".into(),
        sources: Sources::default(),
        policy,
        redact_ips: false,
        workers: 0,
        geoip: None,
    })
}

/// Judges a column's two access logs (the main instance's and the timing one's, each against its
/// own timeouts) and writes each one's reports into `logs/` and `logs-timing/` beside the suite's.
pub fn judge_column(column_dir: &Path, main: &DemoConfig, timing: &DemoConfig) -> Vec<Judged> {
    [("main", false, main), ("timing", true, timing)]
        .into_iter()
        .map(|(name, is_timing, config)| {
            let reports = column_dir.join(if is_timing { "logs-timing" } else { "logs" });
            let outcome = options(config).and_then(|o| {
                let input = Input::File(access_log(column_dir, is_timing));
                let outcome = analyse(vec![input], &o).map_err(|(e, _)| e)?;
                report::write_all(&outcome, &reports, None, None, None)
                    .map_err(|e| format!("cannot write {}: {e}", reports.display()))?;
                Ok(outcome)
            });
            Judged {
                name,
                reports,
                outcome,
            }
        })
        .collect()
}

/// `secure: nothing found in 412 lines …` or the rules that failed, one line per log.
pub fn lines(column: &str, judged: &[Judged]) -> Vec<String> {
    judged
        .iter()
        .map(|j| match &j.outcome {
            Err(e) => format!("  {column} ({} instance): not judged: {e}", j.name),
            Ok(o) => {
                let failed: Vec<String> = o
                    .rules
                    .iter()
                    .filter(|r| r.verdict == Verdict::Fail)
                    .map(|r| format!("{} ({})", r.id, r.count))
                    .collect();
                let found = if failed.is_empty() {
                    "nothing found".to_string()
                } else {
                    failed.join(", ")
                };
                format!(
                    "  {column} ({} instance, {} lines): {found} · {}/index.html",
                    j.name,
                    o.input.lines,
                    j.reports.display()
                )
            }
        })
        .collect()
}
