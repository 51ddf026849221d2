//! Files kept beside the report: screenshots and (redacted) page sources.

use super::context::FlowCtx;
use super::step_error::{InfraError, StepResult};
use crate::driver::Session;
use std::sync::Arc;

impl FlowCtx {
    pub fn save_artifact(&self, persona: &str, file: &str, bytes: &[u8]) -> StepResult<String> {
        let rel = format!(
            "artifacts/{}/{}/{}-{}",
            slug(&self.suite),
            slug(&self.flow),
            slug(persona),
            file
        );
        let path = self.run.report_dir.join(&rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| InfraError::Io {
                doing: "create",
                path: dir.display().to_string(),
                error: e.to_string(),
            })?;
        }
        std::fs::write(&path, bytes).map_err(|e| InfraError::Io {
            doing: "write",
            path: path.display().to_string(),
            error: e.to_string(),
        })?;
        Ok(rel)
    }

    /// On FAIL or ERROR: each persona's screenshot and (redacted) page source.
    pub async fn keep_artifacts(&mut self) -> Vec<String> {
        let mut out = Vec::new();
        let sessions: Vec<(String, Arc<dyn Session>)> = self
            .personas
            .iter()
            .filter_map(|(n, p)| p.session.clone().map(|s| (n.clone(), s)))
            .collect();
        for (name, s) in sessions {
            if let Ok(png) = s.screenshot_png().await
                && let Ok(rel) = self.save_artifact(&name, "screenshot.png", &png)
            {
                out.push(rel);
            }
            if let Ok(html) = s.page_source().await {
                let clean = self.run.redactor.redact(&html);
                if let Ok(rel) = self.save_artifact(&name, "page.html", clean.as_bytes()) {
                    out.push(rel);
                }
            }
        }
        out
    }
}

pub fn slug(text: &str) -> String {
    let s: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    s.trim_matches('-').chars().take(60).collect()
}
