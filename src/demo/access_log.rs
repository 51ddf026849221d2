//! Ticketbooth's access log (`usher demo serve --access-log FILE`): one line per request in nginx's
//! combined format, with the logged-in user in the `$remote_user` slot and the session cookie's value
//! last, so a suite run leaves its attack traffic behind for `usher logs --format ticketbooth`:
//!
//! ```text
//! log_format ticketbooth '$remote_addr - $remote_user [$time_local] "$request" $status '
//!                        '$body_bytes_sent "$http_referer" "$http_user_agent" "$cookie_tb_sid"';
//! ```
//!
//! `$remote_user` is the account the request's session belonged to when it arrived (`-` if none: a
//! login is logged as anonymous, a logout as its user); `$cookie_tb_sid` is the session cookie the
//! request carried under any of its three names. The line is formatted in the request and handed to a
//! writer thread through a channel: the file and its buffer are never on the request path.

use std::io::{BufWriter, Write};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::Duration;

use axum::body::HttpBody as _;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{REFERER, USER_AGENT};
use axum::http::{HeaderMap, Version};
use axum::middleware::Next;
use axum::response::Response;

use super::cookies::session_cookie_values;

/// The user a request's session belonged to, left on the response by `visit::finish` for the log.
#[derive(Debug, Clone)]
pub struct LoggedUser(pub Option<String>);

/// The sending end; the writer thread ends (and flushes) when the last clone is dropped.
#[derive(Clone)]
pub struct AccessLog {
    tx: Sender<String>,
}

impl AccessLog {
    /// Opens (appends to) `path` and starts the writer thread, whose handle ends once every clone of
    /// the log is gone and the last line is on disk.
    pub fn open(path: &Path) -> std::io::Result<(AccessLog, std::thread::JoinHandle<()>)> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        let (tx, rx) = channel();
        let writer = std::thread::Builder::new()
            .name("access-log".into())
            .spawn(move || write_lines(rx, BufWriter::with_capacity(64 * 1024, file)))?;
        Ok((AccessLog { tx }, writer))
    }
}

/// Writes what arrives; flushes whenever the queue is empty, so a reader sees each request within a
/// moment of its answer, and a busy server still writes in large blocks.
fn write_lines(rx: Receiver<String>, mut out: BufWriter<std::fs::File>) {
    loop {
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(line) => {
                let _ = out.write_all(line.as_bytes());
                while let Ok(more) = rx.try_recv() {
                    let _ = out.write_all(more.as_bytes());
                }
                let _ = out.flush();
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                let _ = out.flush();
                return;
            }
        }
    }
}

pub async fn record(State(log): State<AccessLog>, req: Request, next: Next) -> Response {
    let addr = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "-".into());
    let request = format!(
        "{} {} {}",
        req.method(),
        req.uri(),
        match req.version() {
            Version::HTTP_09 => "HTTP/0.9",
            Version::HTTP_10 => "HTTP/1.0",
            Version::HTTP_2 => "HTTP/2.0",
            Version::HTTP_3 => "HTTP/3.0",
            _ => "HTTP/1.1",
        }
    );
    let headers = req.headers();
    let referer = header(headers, REFERER.as_str());
    let agent = header(headers, USER_AGENT.as_str());
    let cookie = session_cookie_values(headers, false)
        .into_iter()
        .next()
        .unwrap_or_default();
    let response = next.run(req).await;
    let user = response
        .extensions()
        .get::<LoggedUser>()
        .and_then(|u| u.0.clone())
        .unwrap_or_default();
    let bytes = response.body().size_hint().exact().unwrap_or(0);
    let now = time::OffsetDateTime::now_utc();
    let stamp = now
        .format(time::macros::format_description!(
            "[day]/[month repr:short]/[year]:[hour]:[minute]:[second] +0000"
        ))
        .unwrap_or_default();
    let line = format!(
        "{addr} - {} [{stamp}] \"{}\" {} {bytes} \"{}\" \"{}\" \"{}\"\n",
        dash(&escape(&user)),
        escape(&request),
        response.status().as_u16(),
        dash(&escape(&referer)),
        dash(&escape(&agent)),
        dash(&escape(&cookie)),
    );
    let _ = log.tx.send(line);
    response
}

fn header(headers: &HeaderMap, name: &str) -> String {
    headers
        .get(name)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default()
}

fn dash(v: &str) -> &str {
    if v.is_empty() { "-" } else { v }
}

/// As nginx's default escaping: `"`, `\` and bytes outside printable ASCII as `\xHH`, so a value can
/// never end its field or the line.
fn escape(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for b in v.bytes() {
        if b == b'"' || b == b'\\' || !(0x20..0x7f).contains(&b) {
            out.push_str(&format!("\\x{b:02X}"));
        } else {
            out.push(b as char);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn escaping_keeps_fields_whole() {
        assert_eq!(super::escape("a\"b\\c\nd"), "a\\x22b\\x5Cc\\x0Ad");
    }
}
