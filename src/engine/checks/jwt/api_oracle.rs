//! The identity oracle for a token API (`api.identity`): a token is replayed over plain HTTP, as an
//! attacker would, and the answer says whose it is. Accepted as persona P = a 2xx answer whose JSON
//! holds a string equal to P's username and none equal to another persona's. Peers judge "accepted" by
//! a 200 or a similarity score; a 200 that names nobody is not acceptance here, and the controls
//! (`super::controls`) prove the oracle tells accepted from refused before anything is judged by it.

use crate::scenario::TokenLocation;
use crate::scenario::api::Endpoint;

/// What the API said about one presented token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// 2xx naming exactly this persona.
    As(String),
    /// 2xx naming more than one persona: the oracle cannot say whose the token is.
    Ambiguous(u16),
    /// 2xx naming no persona (or not JSON).
    Nobody(u16),
    /// 4xx: the token was refused.
    Refused(u16),
    /// Anything else (3xx, 5xx): neither.
    Other(u16),
}

impl Answer {
    pub fn describe(&self) -> String {
        match self {
            Answer::As(p) => format!("accepted as {p}"),
            Answer::Ambiguous(s) => format!("{s}, naming more than one persona"),
            Answer::Nobody(s) => format!("{s}, naming no persona"),
            Answer::Refused(s) => format!("refused ({s})"),
            Answer::Other(s) => format!("answered {s}"),
        }
    }

    /// Whether the token acted as one of the personas.
    pub fn accepted(&self) -> Option<&str> {
        match self {
            Answer::As(p) => Some(p),
            _ => None,
        }
    }
}

/// How a token is put on a request.
#[derive(Debug, Clone)]
pub enum Carrier {
    /// `NAME: PREFIX<token>` (the scheme the app's own requests used, e.g. `Bearer `).
    Header {
        name: String,
        prefix: String,
    },
    Cookie(String),
}

impl Carrier {
    /// The app's own way, from where the profile reads the token: a header as the browser sent it (its
    /// scheme kept), a cookie as that cookie, and a token the page keeps in storage as
    /// `Authorization: Bearer` (RFC 6750), which is how single-page apps send it.
    pub fn for_location(location: &TokenLocation, held: &str) -> Carrier {
        match location {
            TokenLocation::Header(h) => Carrier::Header {
                name: h.clone(),
                prefix: scheme_prefix(held).to_string(),
            },
            TokenLocation::Cookie(names) => {
                Carrier::Cookie(names.first().cloned().unwrap_or_default())
            }
            _ => Carrier::Header {
                name: "Authorization".into(),
                prefix: "Bearer ".into(),
            },
        }
    }
}

/// `Bearer ` of `Bearer eyJ…` (any scheme word followed by a space), or nothing.
pub fn scheme_prefix(held: &str) -> &str {
    match held.find(' ') {
        Some(i) if i > 0 && held[..i].chars().all(|c| c.is_ascii_alphabetic()) => &held[..=i],
        _ => "",
    }
}

pub struct ApiOracle {
    pub client: reqwest::Client,
    pub url: String,
    pub endpoint: Endpoint,
    pub carrier: Carrier,
    /// (persona, username) of every persona with its own account.
    pub people: Vec<(String, String)>,
}

impl ApiOracle {
    /// Presents `token` (none: no credential at all) and reads whose the answer says it is.
    pub async fn ask(&self, token: Option<&str>) -> Result<Answer, String> {
        self.ask_from(&self.client, None, token).await
    }

    /// As `ask`, from another client (source address) and with a User-Agent of the caller's.
    pub async fn ask_from(
        &self,
        client: &reqwest::Client,
        agent: Option<&str>,
        token: Option<&str>,
    ) -> Result<Answer, String> {
        let method = reqwest::Method::from_bytes(self.endpoint.method.as_bytes())
            .map_err(|e| e.to_string())?;
        let mut req = client
            .request(method, &self.url)
            .header("accept", "application/json");
        if let Some(a) = agent {
            req = req.header("user-agent", a);
        }
        if let Some(t) = token {
            req = match &self.carrier {
                Carrier::Header { name, prefix } => {
                    req.header(name.as_str(), format!("{prefix}{t}"))
                }
                Carrier::Cookie(name) => req.header("cookie", format!("{name}={t}")),
            };
        }
        let resp = req
            .send()
            .await
            .map_err(|e| format!("{} failed: {e}", self.endpoint))?;
        let status = resp.status().as_u16();
        let body = resp.text().await.unwrap_or_default();
        Ok(judge(status, &body, &self.people))
    }
}

/// The answer's verdict on whose token it was.
pub fn judge(status: u16, body: &str, people: &[(String, String)]) -> Answer {
    match status {
        200..=299 => {}
        400..=499 => return Answer::Refused(status),
        _ => return Answer::Other(status),
    }
    let Ok(json) = serde_json::from_str::<serde_json::Value>(body) else {
        return Answer::Nobody(status);
    };
    let mut strings = Vec::new();
    collect_strings(&json, &mut strings);
    let named: Vec<&str> = people
        .iter()
        .filter(|(_, user)| strings.iter().any(|s| s.trim().eq_ignore_ascii_case(user)))
        .map(|(p, _)| p.as_str())
        .collect();
    match named.as_slice() {
        [] => Answer::Nobody(status),
        [one] => Answer::As(one.to_string()),
        _ => Answer::Ambiguous(status),
    }
}

fn collect_strings<'a>(v: &'a serde_json::Value, out: &mut Vec<&'a str>) {
    match v {
        serde_json::Value::String(s) => out.push(s),
        serde_json::Value::Array(a) => a.iter().for_each(|x| collect_strings(x, out)),
        serde_json::Value::Object(m) => m.values().for_each(|x| collect_strings(x, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn people() -> Vec<(String, String)> {
        vec![
            ("victim".into(), "alice@ticketbooth.test".into()),
            ("attacker".into(), "mallory@ticketbooth.test".into()),
        ]
    }

    #[test]
    fn acceptance_is_a_2xx_naming_exactly_one_persona() {
        let p = people();
        let me = r#"{"email":"alice@ticketbooth.test","name":"Alice"}"#;
        assert_eq!(judge(200, me, &p), Answer::As("victim".into()));
        assert_eq!(judge(401, me, &p), Answer::Refused(401));
        assert_eq!(judge(302, me, &p), Answer::Other(302));
        assert_eq!(judge(200, "{}", &p), Answer::Nobody(200));
        assert_eq!(
            judge(200, "<html>alice@ticketbooth.test", &p),
            Answer::Nobody(200)
        );
        // A substring is not the username; both named is not an answer.
        assert_eq!(
            judge(200, r#"{"note":"not alice@ticketbooth.test"}"#, &p),
            Answer::Nobody(200)
        );
        let both =
            r#"{"me":{"email":"alice@ticketbooth.test"},"friends":["mallory@ticketbooth.test"]}"#;
        assert_eq!(judge(200, both, &p), Answer::Ambiguous(200));
    }

    #[test]
    fn the_scheme_the_app_used_is_kept() {
        assert_eq!(scheme_prefix("Bearer abc.def.ghi"), "Bearer ");
        assert_eq!(scheme_prefix("abc.def.ghi"), "");
    }
}
