//! Parts only some runs need: Firefox and geckodriver (`--browser firefox`), Java (Selenium Grid),
//! xmllint (checking report XML by hand, as ci/test.sh does). Missing ones never change the exit code.

use super::finding::Finding;
use super::probe::{Found, VERSION_LIMIT, excerpt, locate, probe};
use crate::driver::find_on_path;

pub(super) async fn check() -> Vec<Finding> {
    let (firefox, geckodriver, java, xmllint) = tokio::join!(
        locate(crate::driver::FIREFOX_NAMES, VERSION_LIMIT),
        locate(&["geckodriver"], VERSION_LIMIT),
        java(),
        xmllint(),
    );
    vec![
        match firefox {
            Some(f) => found(&f, "  (for --browser firefox)"),
            None => Finding::missing("firefox", "not on PATH (optional: --browser firefox)")
                .install("sudo apt-get install firefox-esr"),
        },
        match geckodriver {
            Some(g) => found(&g, ""),
            None => Finding::missing("geckodriver", "not on PATH (optional: drives Firefox)")
                .install("cargo install geckodriver --locked"),
        },
        java,
        xmllint,
    ]
}

fn found(found: &Found, note: &str) -> Finding {
    let path = found.path.display();
    match found.version() {
        Some(v) => Finding::ok(found.name(), format!("{v}  {path}{note}")),
        None => Finding::warn(
            found.name(),
            format!("{path}: no version from `--version`{note}"),
        ),
    }
}

const APT_JAVA: &str = "sudo apt-get install openjdk-17-jre-headless";

/// `java -version` prints `openjdk version "17.0.15" 2025-04-15` on stderr.
async fn java() -> Finding {
    let Some(path) = find_on_path(&["java"]) else {
        return Finding::missing("java", "not on PATH (optional: runs a local Selenium Grid)")
            .install(APT_JAVA);
    };
    let shown = path.display();
    let out = match probe(&path, &["-version"], VERSION_LIMIT).await {
        Ok(out) => out,
        Err(e) => return Finding::warn("java", format!("{shown}: `java -version` {e}")),
    };
    let Some(version) = java_version(&format!("{}\n{}", out.stderr, out.stdout)) else {
        return Finding::warn("java", format!("{shown}: no version from `java -version`"));
    };
    match java_major(&version) {
        Some(major) if major < 11 => Finding::warn(
            "java",
            format!("{version}  {shown}: Selenium Grid 4 needs Java 11 or newer"),
        )
        .install(APT_JAVA),
        _ => Finding::ok("java", format!("{version}  {shown}  (for Selenium Grid)")),
    }
}

fn java_version(text: &str) -> Option<String> {
    let line = text.lines().find(|l| l.contains("version"))?;
    let quoted = line.split('"').nth(1)?;
    Some(quoted.to_string()).filter(|v| !v.is_empty())
}

/// "17.0.15" -> 17; the old scheme "1.8.0_292" -> 8.
fn java_major(version: &str) -> Option<u32> {
    let mut parts = version.split(['.', '_', '-', '+']);
    match parts.next()?.parse().ok()? {
        1 => parts.next()?.parse().ok(),
        n => Some(n),
    }
}

/// `xmllint --version` prints `xmllint: using libxml version 20914` on stderr.
async fn xmllint() -> Finding {
    let Some(path) = find_on_path(&["xmllint"]) else {
        return Finding::missing(
            "xmllint",
            "not on PATH (optional: checks junit.xml by hand, as ci/test.sh does)",
        )
        .install("sudo apt-get install libxml2-utils");
    };
    let shown = path.display();
    match probe(&path, &["--version"], VERSION_LIMIT).await {
        Ok(out) => {
            let text = format!("{}\n{}", out.stderr, out.stdout);
            let version = text
                .lines()
                .find_map(|l| l.split_once("libxml version "))
                .map(|(_, v)| excerpt(v, 20));
            match version {
                Some(v) => Finding::ok("xmllint", format!("libxml {v}  {shown}")),
                None => Finding::ok("xmllint", shown.to_string()),
            }
        }
        Err(e) => Finding::warn("xmllint", format!("{shown}: `xmllint --version` {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_versions() {
        let text = "openjdk version \"17.0.15\" 2025-04-15\nOpenJDK Runtime Environment";
        assert_eq!(java_version(text).as_deref(), Some("17.0.15"));
        assert_eq!(java_major("17.0.15"), Some(17));
        assert_eq!(java_major("1.8.0_292"), Some(8));
        assert_eq!(java_major("21"), Some(21));
        assert_eq!(java_version("no quotes here"), None);
    }
}
