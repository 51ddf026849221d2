//! Appium and its installed drivers (mobile and Appium-driven runs; optional).

use std::time::Duration;

use super::finding::Finding;
use super::probe::{excerpt, locate, probe};

/// Node starts slowly on a cold cache, and `driver list` loads every installed driver's manifest.
const APPIUM_LIMIT: Duration = Duration::from_secs(20);

const INSTALL_DRIVERS: &str = "appium driver install chromium  (tests: appium driver install --source=npm @appium/fake-driver)";

pub(super) async fn check() -> Vec<Finding> {
    let Some(appium) = locate(&["appium"], APPIUM_LIMIT).await else {
        return vec![
            Finding::missing("appium", "not on PATH (optional: Appium-driven runs)")
                .install("npm install -g appium && appium driver install chromium"),
        ];
    };
    let path = appium.path.display().to_string();
    let line = match &appium.version {
        Ok(Some(v)) => Finding::ok("appium", format!("{v}  {path}")),
        Ok(None) => Finding::warn(
            "appium",
            format!("{path}: `appium --version` printed no version"),
        ),
        Err(e) => {
            return vec![Finding::warn(
                "appium",
                format!("{path}: `appium --version` {e}"),
            )];
        }
    };
    let args = ["driver", "list", "--installed", "--json"];
    let drivers = match probe(&appium.path, &args, APPIUM_LIMIT).await {
        Ok(out) => match installed_drivers(&out.stdout, &out.stderr) {
            Some(list) if list.is_empty() => {
                Finding::warn("appium drivers", "none installed").install(INSTALL_DRIVERS)
            }
            Some(list) => {
                let has_chromium = list.iter().any(|d| d.starts_with("chromium@"));
                let note = if has_chromium {
                    ""
                } else {
                    "  (no chromium driver: `appium driver install chromium` adds it)"
                };
                Finding::ok("appium drivers", format!("{}{note}", list.join(", ")))
            }
            None if !out.success => Finding::warn(
                "appium drivers",
                format!(
                    "`appium driver list --installed` failed: {}",
                    excerpt(&out.stderr, 160)
                ),
            ),
            None => Finding::warn(
                "appium drivers",
                "could not read `appium driver list --installed`",
            ),
        },
        Err(e) => Finding::warn(
            "appium drivers",
            format!("`appium driver list --installed` {e}"),
        ),
    };
    vec![line, drivers]
}

/// `name@version` of every installed driver: from the `--json` object on stdout
/// (`{"fake": {"version": "6.2.4", "installed": true, ...}}`), else from the human listing on
/// stderr (`- fake@6.2.4 [installed (npm)]`). `None` when neither can be read.
fn installed_drivers(stdout: &str, stderr: &str) -> Option<Vec<String>> {
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_str(stdout.trim()) {
        let list = map
            .iter()
            .filter(|(_, d)| d.get("installed").and_then(|i| i.as_bool()) != Some(false))
            .map(
                |(name, d)| match d.get("version").and_then(|v| v.as_str()) {
                    Some(v) => format!("{name}@{v}"),
                    None => name.clone(),
                },
            )
            .collect();
        return Some(list);
    }
    let listed: Vec<String> = format!("{stdout}\n{stderr}")
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- "))
        .filter(|l| l.contains("[installed"))
        .filter_map(|l| l.split_whitespace().next())
        .map(String::from)
        .collect();
    let said_listing = stderr.contains("Listing installed drivers");
    (!listed.is_empty() || said_listing).then_some(listed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drivers_from_json() {
        let json = r#"{"fake":{"pkgName":"@appium/fake-driver","version":"6.2.4","installed":true},
                       "chromium":{"version":"2.1.0","installed":true}}"#;
        assert_eq!(
            installed_drivers(json, "").unwrap(),
            ["fake@6.2.4", "chromium@2.1.0"]
        );
        assert_eq!(installed_drivers("{}", "").unwrap(), Vec::<String>::new());
    }

    #[test]
    fn drivers_from_the_human_listing() {
        let stderr = "- Listing installed drivers (rerun with --verbose for more info)\n\
                      ✔ Listing installed drivers (rerun with --verbose for more info)\n\
                      - fake@6.2.4 [installed (npm)]\n";
        assert_eq!(installed_drivers("", stderr).unwrap(), ["fake@6.2.4"]);
        let none = "✔ Listing installed drivers (rerun with --verbose for more info)\n";
        assert_eq!(installed_drivers("", none).unwrap(), Vec::<String>::new());
        assert_eq!(installed_drivers("", "Error: unknown command"), None);
    }
}
