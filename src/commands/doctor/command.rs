//! Gathers every finding (concurrently: the slowest tool bounds the wait), prints them, and maps
//! the blocking ones to the exit code.

use crate::cli::DoctorArgs;
use crate::commands::error::CommandError;
use crate::exit::Exit;

use super::finding::Finding;
use super::{appium, chrome, endpoint, optional};

pub async fn doctor(args: &DoctorArgs) -> Result<Exit, CommandError> {
    let endpoint_url = args
        .webdriver_url
        .as_deref()
        .map(endpoint::parse)
        .transpose()
        .map_err(CommandError::BadInput)?;
    let (mut local, optional, appium, remote) =
        tokio::join!(chrome::check(), optional::check(), appium::check(), async {
            match &endpoint_url {
                Some(url) => Some(endpoint::check(url).await),
                None => None,
            }
        },);
    // With an endpoint, `usher run` starts no local browser: local parts can only warn then.
    if remote.is_some() {
        for finding in &mut local {
            finding.blocking = false;
        }
    }
    let findings: Vec<Finding> = local
        .into_iter()
        .chain(optional)
        .chain(appium)
        .chain(remote)
        .collect();
    let (text, exit) = render(&findings, endpoint_url.as_ref().map(endpoint::shown));
    crate::out!("{text}");
    Ok(exit)
}

fn render(findings: &[Finding], endpoint: Option<String>) -> (String, Exit) {
    let mut text = format!(
        "usher {} doctor: what usher can drive on this machine\n\n",
        env!("CARGO_PKG_VERSION")
    );
    for finding in findings {
        text.push_str(&format!("{finding}\n"));
    }
    let blocking: Vec<&Finding> = findings.iter().filter(|f| f.blocking).collect();
    let what = match &endpoint {
        Some(url) => format!("`usher run --webdriver-url {url}`"),
        None => "a local headless Chrome run".to_string(),
    };
    if blocking.is_empty() {
        text.push_str(&format!("\nready: {what} has what it needs\n"));
        return (text, Exit::Passed);
    }
    let names: Vec<&str> = blocking.iter().map(|f| f.name.as_str()).collect();
    text.push_str(&format!(
        "\nnot ready for {what}: see {} above\n",
        names.join(", ")
    ));
    let chrome_missing = endpoint.is_none()
        && blocking
            .iter()
            .any(|f| f.status == super::finding::Status::Missing);
    if chrome_missing {
        text.push_str(&format!("install: {}\n", chrome::APT_CHROME));
    }
    (text, Exit::Infrastructure)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn optional_parts_never_decide_the_exit() {
        let findings = [
            Finding::ok("chromedriver", "156.0  /usr/bin/chromedriver"),
            Finding::missing("firefox", "not on PATH").install("sudo apt-get install firefox-esr"),
        ];
        let (text, exit) = render(&findings, None);
        assert_eq!(exit, Exit::Passed);
        assert!(
            text.contains("ready: a local headless Chrome run"),
            "{text}"
        );
    }

    #[test]
    fn a_blocking_part_gives_exit_3_and_the_install_command() {
        let findings = [Finding::missing("chromedriver", "not on PATH").blocking()];
        let (text, exit) = render(&findings, None);
        assert_eq!(exit, Exit::Infrastructure);
        assert!(text.contains(chrome::APT_CHROME), "{text}");
    }
}
