//! `replay ... http:`: a captured token sent again over plain HTTP, outside any browser.

use super::context::{FlowCtx, HttpResponse};
use super::step_error::{Awaited, InfraError, StepError, StepResult};
use super::token::Token;
use crate::scenario::TokenLocation;
use std::time::Duration;

impl FlowCtx {
    pub(super) async fn replay_http(
        &mut self,
        t: &Token,
        method: &str,
        path: &str,
        limit: Duration,
    ) -> StepResult<()> {
        let mut url = url::Url::parse(&self.url_of("", path)?)
            .map_err(|e| StepError::input(e.to_string()))?;
        let method = reqwest::Method::from_bytes(method.to_ascii_uppercase().as_bytes())
            .map_err(|_| StepError::input(format!("bad HTTP method `{method}`")))?;
        let mut req = self.run.http.request(method.clone(), url.clone());
        match &self.profile.token {
            TokenLocation::Cookie(_) => {
                let cookie = t
                    .parts
                    .iter()
                    .map(|p| format!("{}={}", p.name, p.value))
                    .collect::<Vec<_>>()
                    .join("; ");
                req = req.header("cookie", cookie);
            }
            TokenLocation::Header(name) => {
                req = req.header(name.as_str(), t.values().next().unwrap_or_default());
            }
            TokenLocation::UrlParam(param) => {
                url.query_pairs_mut()
                    .append_pair(param, t.values().next().unwrap_or_default());
                req = self.run.http.request(method, url.clone());
            }
            other => {
                return Err(StepError::input(format!(
                    "a token in {} cannot be replayed over plain HTTP; replay it `into` a persona",
                    other.describe()
                )));
            }
        }
        let resp = tokio::time::timeout(limit, req.send())
            .await
            .map_err(|_| StepError::Timeout {
                limit,
                awaited: Awaited::Http {
                    path: url.path().to_string(),
                },
            })?
            .map_err(|e| {
                let mut why = e.to_string();
                let mut src = std::error::Error::source(&e);
                while let Some(s) = src {
                    why.push_str(&format!(": {s}"));
                    src = s.source();
                }
                StepError::Infra(InfraError::HttpReplay {
                    url: url.to_string(),
                    why,
                })
            })?;
        self.last_http = Some(HttpResponse {
            url: resp.url().to_string(),
            status: resp.status().as_u16(),
            headers: resp
                .headers()
                .iter()
                .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
                .collect(),
        });
        Ok(())
    }
}
