//! JSON lines: one object per line, fields found by a mapping (`--field time=@timestamp`, dotted paths
//! for nested objects) or, unmapped, by the names common loggers use.

use super::fields::{Fields, present};
use super::request::split_request;
use super::template::parse_status;
use super::time;
use serde_json::Value;

/// Our field names, in the order of the scratch vector.
const KEYS: [&str; 11] = [
    "addr",
    "user",
    "time",
    "method",
    "target",
    "request",
    "status",
    "referer",
    "agent",
    "cookie",
    "set_cookie",
];

fn defaults(key: &str) -> &'static [&'static str] {
    match key {
        "addr" => &[
            "remote_addr",
            "client_ip",
            "ip",
            "clientip",
            "client.ip",
            "remote_ip",
        ],
        "user" => &["remote_user", "user", "username", "user_id", "account"],
        "time" => &[
            "time",
            "timestamp",
            "@timestamp",
            "time_iso8601",
            "time_local",
            "ts",
            "msec",
        ],
        "method" => &["method", "request_method", "http.method"],
        "target" => &["uri", "request_uri", "path", "url", "http.url"],
        "request" => &["request"],
        "status" => &["status", "status_code", "http.status_code", "response"],
        "referer" => &["referer", "http_referer", "referrer"],
        "agent" => &[
            "user_agent",
            "http_user_agent",
            "agent",
            "ua",
            "http.user_agent",
        ],
        "cookie" => &["cookie", "http_cookie", "cookies"],
        "set_cookie" => &[
            "set_cookie",
            "upstream_http_set_cookie",
            "sent_http_set_cookie",
        ],
        _ => &[],
    }
}

#[derive(Debug, Clone, Default)]
pub struct JsonFormat {
    /// Per entry of KEYS: the paths to try, the mapping's first.
    paths: Vec<Vec<String>>,
    /// `cookie:NAME`, `arg:NAME`, `header:NAME` mappings: (kind, name, path).
    named: Vec<(String, String, String)>,
    /// The mapping names the user field: then only uses naming a user count as accepted.
    user_mapped: bool,
}

/// The owned values of one line, which `Fields` then borrows.
#[derive(Debug, Default)]
pub struct Scratch {
    values: Vec<String>,
    named: Vec<String>,
}

impl JsonFormat {
    /// `mapping`: (our key, the log's field path), e.g. ("time", "@timestamp"), ("cookie:sid", "sid").
    pub fn new(mapping: &[(String, String)]) -> Result<JsonFormat, String> {
        let mut paths: Vec<Vec<String>> = KEYS
            .iter()
            .map(|k| defaults(k).iter().map(|s| s.to_string()).collect())
            .collect();
        let mut named = Vec::new();
        for (key, path) in mapping {
            if let Some((kind, name)) = key.split_once(':') {
                if !["cookie", "arg", "header"].contains(&kind) {
                    return Err(format!(
                        "--field {key}: the kinds are cookie:, arg: and header:"
                    ));
                }
                named.push((kind.to_string(), name.to_string(), path.clone()));
                continue;
            }
            let i = KEYS.iter().position(|k| k == key).ok_or_else(|| {
                format!(
                    "--field {key}: unknown field; valid: {}, cookie:NAME, arg:NAME, header:NAME",
                    KEYS.join(", ")
                )
            })?;
            paths[i].insert(0, path.clone());
        }
        let user_mapped = mapping.iter().any(|(k, _)| k == "user");
        Ok(JsonFormat {
            paths,
            named,
            user_mapped,
        })
    }

    pub fn read<'a>(
        &'a self,
        line: &[u8],
        scratch: &'a mut Scratch,
    ) -> Result<Fields<'a>, &'static str> {
        let v: Value = serde_json::from_slice(line).map_err(|_| "not a JSON object")?;
        if !v.is_object() {
            return Err("not a JSON object");
        }
        scratch.values.clear();
        scratch.named.clear();
        for paths in &self.paths {
            let found = paths.iter().find_map(|p| lookup(&v, p)).unwrap_or_default();
            scratch.values.push(found);
        }
        for (_, _, path) in &self.named {
            scratch.named.push(lookup(&v, path).unwrap_or_default());
        }
        let s: &'a Scratch = scratch;
        let get = |k: &str| -> &'a [u8] {
            let i = KEYS.iter().position(|x| *x == k).expect("a known key");
            present(s.values[i].as_bytes())
        };
        let mut f = Fields {
            addr: get("addr"),
            user: get("user"),
            method: get("method"),
            target: get("target"),
            referer: get("referer"),
            agent: get("agent"),
            cookie_header: get("cookie"),
            set_cookie: get("set_cookie"),
            ..Fields::default()
        };
        let request = get("request");
        if f.target.is_empty() && !request.is_empty() {
            let (m, t) = split_request(request);
            f.method = m;
            f.target = t;
        }
        if f.target.is_empty() {
            return Err("no request URL field");
        }
        f.time = Some(time::parse_any(get("time")).ok_or("no time field, or it does not parse")?);
        let status = get("status");
        f.status = parse_status(status).ok_or("no status field")?;
        for ((kind, name, _), value) in self.named.iter().zip(&s.named) {
            let value = present(value.as_bytes());
            match kind.as_str() {
                "cookie" => f.cookies.push(name.as_bytes(), value),
                "arg" => f.args.push(name.as_bytes(), value),
                _ => f.headers.push(name.as_bytes(), value),
            }
        }
        Ok(f)
    }

    pub fn has_user(&self) -> bool {
        self.user_mapped
    }
}

/// A dotted path in the object; a literal key with dots (`client.ip`) is tried first.
fn lookup(v: &Value, path: &str) -> Option<String> {
    let found = v
        .get(path)
        .or_else(|| path.split('.').try_fold(v, |cur, part| cur.get(part)))?;
    match found {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_mapping() {
        let j = JsonFormat::new(&[("cookie:sid".into(), "session.id".into())]).unwrap();
        let mut s = Scratch::default();
        let f = j
            .read(
                br#"{"@timestamp":"2024-01-02T03:04:05Z","client_ip":"1.2.3.4","request":"GET /x?a=1 HTTP/1.1","status":200,"user_agent":"curl/8","session":{"id":"abc123"}}"#,
                &mut s,
            )
            .unwrap();
        assert_eq!(f.addr, b"1.2.3.4");
        assert_eq!(f.target, b"/x?a=1");
        assert_eq!(f.status, 200);
        assert_eq!(f.cookies.iter().next().unwrap().1, b"abc123");
        let mut s = Scratch::default();
        assert!(j.read(b"{\"status\":200}", &mut s).is_err());
        assert!(j.read(b"not json", &mut s).is_err());
    }
}
