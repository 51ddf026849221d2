//! One `Set-Cookie` header line read into its attributes: what the server sent, which the token
//! lookup (`token.rs`) and the `cookie_attributes` check both judge from.

use serde::Serialize;

/// The attributes of one `Set-Cookie` line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct ObservedCookie {
    pub name: String,
    #[serde(skip)]
    pub value: String,
    pub http_only: bool,
    pub secure: bool,
    pub same_site: Option<String>,
    pub domain: Option<String>,
    pub path: Option<String>,
    pub expires: Option<String>,
    pub max_age: Option<String>,
}

pub fn parse_set_cookie(line: &str) -> Option<ObservedCookie> {
    let mut parts = line.split(';');
    let (name, value) = parts.next()?.split_once('=')?;
    let mut c = ObservedCookie {
        name: name.trim().to_string(),
        value: value.trim().to_string(),
        ..Default::default()
    };
    for attr in parts {
        let (k, v) = match attr.split_once('=') {
            Some((k, v)) => (k.trim().to_ascii_lowercase(), Some(v.trim().to_string())),
            None => (attr.trim().to_ascii_lowercase(), None),
        };
        match k.as_str() {
            "httponly" => c.http_only = true,
            "secure" => c.secure = true,
            "samesite" => c.same_site = v,
            "domain" => c.domain = v,
            "path" => c.path = v,
            "expires" => c.expires = v,
            "max-age" => c.max_age = v,
            _ => {}
        }
    }
    Some(c)
}
