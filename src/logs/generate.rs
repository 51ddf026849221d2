//! `usher logs generate`: a realistic access log in the `ticketbooth` format (combined, user, session
//! cookie) from a fixed seed, with incidents planted at known places and written down beside it
//! (`OUT.planted.json`), so a benchmark can prove every planted incident found and nothing else.
//!
//! The clean traffic keeps to the default policy by construction: one address and one browser per
//! session (a browser update now and then), gaps under the idle timeout, lives under the absolute
//! lifetime, nothing after logout, one session per account at a time, logins from scattered networks.

use crate::logs::format::time::days_from_civil;
use crate::logs::rules::{
    after_logout, agents, concurrent, idle_gap, lifetime, login_burst, networks, token_in_url,
};
use crate::redact::{Kind, fingerprint};
use indexmap::IndexMap;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io::Write;
use std::path::Path;

/// The simulated day the log covers, whatever its size (the rate follows the size).
const DAY: i64 = 86_400;
/// 2026-01-05T00:00:00Z.
fn start() -> i64 {
    days_from_civil(2026, 1, 5) * 86_400
}
const AVG_LINE: f64 = 235.0;
const AVG_LINES_PER_SESSION: f64 = 16.0;
const ACCOUNTS: u64 = 100_000;

const AGENTS: [&str; 8] = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.71 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36",
];
/// The same browser, one version on: an update inside a session is not a new agent.
const UPDATED_CHROME: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.6167.85 Safari/537.36";
const BOT: &str = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

const PAGES: [&str; 10] = [
    "/",
    "/events/12",
    "/events/7",
    "/events/31",
    "/static/app.css?v=3",
    "/static/app.js?v=3",
    "/search?q=rock&page=2",
    "/api/me",
    "/checkout/details",
    "/account",
];

/// One line to write at `time`.
struct Line {
    time: i64,
    seq: u64,
    text: String,
}

impl PartialEq for Line {
    fn eq(&self, o: &Self) -> bool {
        (self.time, self.seq) == (o.time, o.seq)
    }
}
impl Eq for Line {}
impl PartialOrd for Line {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Line {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        (self.time, self.seq).cmp(&(o.time, o.seq))
    }
}

/// A request of a simulated client.
struct Req<'a> {
    ip: &'a str,
    user: &'a str,
    method: &'a str,
    target: &'a str,
    status: u16,
    agent: &'a str,
    cookie: &'a str,
}

struct Gen {
    rng: StdRng,
    heap: BinaryHeap<Reverse<Line>>,
    seq: u64,
    next_account: u64,
    planted: IndexMap<&'static str, Vec<String>>,
}

fn stamp(t: i64) -> String {
    // `10/Oct/2000:13:55:36 +0000` from the ISO form.
    let iso = crate::logs::format::time::format_utc(t);
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let m: usize = iso[5..7].parse().unwrap_or(1);
    format!(
        "{}/{}/{}:{} +0000",
        &iso[8..10],
        MONTHS[m - 1],
        &iso[0..4],
        &iso[11..19]
    )
}

impl Gen {
    /// An anonymous visitor's login form posted, answered with a redirect.
    fn login_post(&mut self, t: i64, ip: &str, agent: &str, cookie: &str) {
        self.push(
            t,
            Req {
                ip,
                user: "",
                method: "POST",
                target: "/login",
                status: 303,
                agent,
                cookie,
            },
        );
    }

    /// A session's logout, answered with a redirect.
    fn logout_post(&mut self, t: i64, ip: &str, user: &str, agent: &str, cookie: &str) {
        self.push(
            t,
            Req {
                ip,
                user,
                method: "POST",
                target: "/logout",
                status: 303,
                agent,
                cookie,
            },
        );
    }

    /// A GET the app answered 200.
    fn get(&mut self, t: i64, ip: &str, user: &str, target: &str, agent: &str, cookie: &str) {
        self.push(
            t,
            Req {
                ip,
                user,
                method: "GET",
                target,
                status: 200,
                agent,
                cookie,
            },
        );
    }

    fn new(seed: u64) -> Gen {
        Gen {
            rng: StdRng::seed_from_u64(seed),
            heap: BinaryHeap::new(),
            seq: 0,
            next_account: 0,
            planted: IndexMap::new(),
        }
    }

    fn id(&mut self) -> String {
        let bytes: [u8; 32] = self.rng.random();
        hex::encode(bytes)
    }

    fn ip(&mut self) -> String {
        let a = self.rng.random_range(11..=223u8);
        format!(
            "{a}.{}.{}.{}",
            self.rng.random::<u8>(),
            self.rng.random::<u8>(),
            self.rng.random_range(1..=254u8)
        )
    }

    fn account(&mut self) -> String {
        self.next_account = (self.next_account + 1) % ACCOUNTS;
        format!("user{}@example.test", self.next_account)
    }

    fn push(&mut self, time: i64, r: Req) {
        self.seq += 1;
        let bytes = if r.status == 200 {
            1200 + (self.seq % 3000)
        } else {
            0
        };
        let text = format!(
            "{} - {} [{}] \"{} {} HTTP/1.1\" {} {bytes} \"-\" \"{}\" \"{}\"\n",
            r.ip,
            if r.user.is_empty() { "-" } else { r.user },
            stamp(time),
            r.method,
            r.target,
            r.status,
            r.agent,
            if r.cookie.is_empty() { "-" } else { r.cookie },
        );
        self.heap.push(Reverse(Line {
            time,
            seq: self.seq,
            text,
        }));
    }

    fn page(&mut self) -> &'static str {
        PAGES[self.rng.random_range(0..PAGES.len())]
    }

    fn gap(&mut self) -> i64 {
        // Mostly seconds to minutes; now and then a long read just under the idle timeout.
        if self.rng.random_bool(0.01) {
            self.rng.random_range(600..=840)
        } else {
            self.rng.random_range(2..=240)
        }
    }

    /// A clean visit: anonymous pages, maybe a login (a new id) and pages as the user, maybe a logout.
    fn visit(&mut self, mut t: i64) {
        let ip = self.ip();
        let agent = AGENTS[self.rng.random_range(0..AGENTS.len())];
        let anon = self.id();
        let pages = self.rng.random_range(1..=6);
        for i in 0..pages {
            let cookie = if i == 0 { "" } else { anon.as_str() };
            let target = self.page();
            self.get(t, &ip, "", target, agent, cookie);
            t += self.gap();
        }
        if !self.rng.random_bool(0.6) {
            return;
        }
        self.get(t, &ip, "", "/login", agent, &anon);
        t += self.rng.random_range(3..=20);
        self.login_post(t, &ip, agent, &anon);
        let user = self.account();
        let sid = self.id();
        let update = agent == AGENTS[7] && self.rng.random_bool(0.3);
        let n = self.rng.random_range(2..=25);
        for i in 0..n {
            t += self.gap();
            let a = if update && i > n / 2 {
                UPDATED_CHROME
            } else {
                agent
            };
            let target = self.page();
            self.get(t, &ip, &user, target, a, &sid);
        }
        if self.rng.random_bool(0.3) {
            t += self.gap();
            self.logout_post(t, &ip, &user, agent, &sid);
            t += 1;
            self.get(t, &ip, "", "/", agent, "");
        }
    }

    fn bot(&mut self, t: i64) {
        let ip = format!(
            "66.249.{}.{}",
            self.rng.random_range(64..=79u8),
            self.rng.random_range(1..=254u8)
        );
        let target = self.page();
        self.get(t, &ip, "", target, BOT, "");
    }

    fn plant(&mut self, rule: &'static str, what: String) {
        self.planted.entry(rule).or_default().push(what);
    }

    /// An authenticated session: its id, account, address and agent, after a login.
    fn logged_in(&mut self, t: i64, ip: &str, agent: &str) -> (String, String) {
        let anon = self.id();
        self.login_post(t, ip, agent, &anon);
        let user = self.account();
        let sid = self.id();
        self.push(
            t + 1,
            Req {
                ip,
                user: &user,
                method: "GET",
                target: "/account",
                status: 200,
                agent,
                cookie: &sid,
            },
        );
        (sid, user)
    }

    fn planted_incidents(&mut self, which: usize, t: i64) {
        let ip = self.ip();
        let agent = AGENTS[0];
        match which {
            0 => {
                let (sid, user) = self.logged_in(t, &ip, agent);
                let target = format!("/account?sid={sid}");
                self.get(t + 30, &ip, &user, &target, agent, &sid);
                self.plant(token_in_url::ID, fingerprint(Kind::Token, &sid));
            }
            1 => {
                let (sid, user) = self.logged_in(t, &ip, agent);
                let target = format!("/events/7?next={sid}");
                self.get(t + 40, &ip, &user, &target, agent, &sid);
                self.plant(token_in_url::ID, fingerprint(Kind::Token, &sid));
            }
            2 => {
                let (sid, user) = self.logged_in(t, &ip, agent);
                self.get(
                    t + 60,
                    &ip,
                    &user,
                    "/api/me",
                    "python-requests/2.31.0",
                    &sid,
                );
                self.plant(agents::ID, fingerprint(Kind::Token, &sid));
            }
            3 => {
                let (sid, user) = self.logged_in(t, &ip, agent);
                let far = if ip.starts_with("203.0.") {
                    "198.51.100.7".to_string()
                } else {
                    format!("203.0.113.{}", self.rng.random_range(1..=254u8))
                };
                self.get(t + 600, &far, &user, "/account", agent, &sid);
                self.plant(networks::ID, fingerprint(Kind::Token, &sid));
            }
            4 => {
                let (sid, user) = self.logged_in(t, &ip, agent);
                self.get(t + 1 + 40 * 60, &ip, &user, "/account", agent, &sid);
                self.plant(idle_gap::ID, fingerprint(Kind::Token, &sid));
            }
            5 => {
                let (sid, user) = self.logged_in(t, &ip, agent);
                for k in 1..=54 {
                    self.get(t + 1 + k * 600, &ip, &user, "/api/me", agent, &sid);
                }
                self.plant(lifetime::ID, fingerprint(Kind::Token, &sid));
            }
            6 => {
                let (sid, user) = self.logged_in(t, &ip, agent);
                self.logout_post(t + 20, &ip, &user, agent, &sid);
                self.get(t + 80, &ip, &user, "/account", agent, &sid);
                self.plant(after_logout::ID, fingerprint(Kind::Token, &sid));
            }
            7 => {
                let user = self.account();
                for k in 0..5 {
                    let ip = self.ip();
                    let sid = self.id();
                    let agent = AGENTS[k % AGENTS.len()];
                    for j in 0..6 {
                        self.get(
                            t + k as i64 * 30 + j * 240,
                            &ip,
                            &user,
                            "/account",
                            agent,
                            &sid,
                        );
                    }
                }
                self.plant(concurrent::ID, user);
            }
            _ => {
                let net = format!("45.33.{}", self.rng.random_range(0..=255u8));
                // Thirty accounts the scalper holds, each logged in and its page opened once.
                for k in 0..30 {
                    let ip = format!("{net}.{}", 10 + k);
                    let anon = self.id();
                    let agent = AGENTS[k % AGENTS.len()];
                    self.login_post(t + k as i64, &ip, agent, &anon);
                    let sid = self.id();
                    let user = format!("holder{k}.{net}@example.test");
                    self.get(t + k as i64 + 1, &ip, &user, "/account", agent, &sid);
                }
                self.plant(login_burst::ID, format!("{net}.0/24"));
            }
        }
    }
}

const PLANTS: usize = 9;

/// `1GB`, `200MB`, `50KB`, `12345` (bytes; decimal units).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim().to_ascii_uppercase();
    let (num, mult) = [
        ("GB", 1e9),
        ("G", 1e9),
        ("MB", 1e6),
        ("M", 1e6),
        ("KB", 1e3),
        ("K", 1e3),
        ("B", 1.0),
    ]
    .iter()
    .find_map(|(u, m)| t.strip_suffix(u).map(|n| (n.trim().to_string(), *m)))
    .unwrap_or((t.clone(), 1.0));
    let n: f64 = num
        .parse()
        .map_err(|_| format!("`{text}` is not a size (e.g. 200MB, 1GB)"))?;
    if n <= 0.0 {
        return Err(format!("`{text}` is not a positive size"));
    }
    Ok((n * mult) as u64)
}

/// Writes about `size` bytes (before compression) to `out` (`-`: stdout) and the planted incidents to
/// `manifest_to` (default `OUT.planted.json`; none for stdout unless given); returns a line for the console.
pub fn write(
    out: &Path,
    size: u64,
    seed: u64,
    manifest_to: Option<&Path>,
) -> std::io::Result<String> {
    let name = out.to_string_lossy();
    let to_stdout = name == "-";
    let file: Box<dyn Write> = if to_stdout {
        Box::new(std::io::stdout().lock())
    } else {
        Box::new(std::fs::File::create(out)?)
    };
    let mut w: Box<dyn Write> = if name.ends_with(".gz") {
        Box::new(flate2::write::GzEncoder::new(
            std::io::BufWriter::new(file),
            flate2::Compression::fast(),
        ))
    } else if name.ends_with(".zst") {
        Box::new(zstd::stream::write::Encoder::new(std::io::BufWriter::new(file), 3)?.auto_finish())
    } else {
        Box::new(std::io::BufWriter::with_capacity(1 << 20, file))
    };
    // A log that starts with a few odd lines must still be read.
    let header = "#Fields: see docs/logs.md\n\ngarbage that is no request\n";
    w.write_all(header.as_bytes())?;
    let mut written = header.len() as u64;
    let mut lines = 3u64;
    let mut g = Gen::new(seed);
    let lines_wanted = size as f64 / AVG_LINE;
    let visits_per_sec = lines_wanted / DAY as f64 / AVG_LINES_PER_SESSION;
    let t0 = start();
    let mut next_visit = t0 as f64;
    let plant_at: Vec<i64> = (0..PLANTS)
        .map(|i| t0 + DAY * (i as i64 + 1) / (PLANTS as i64 + 3))
        .collect();
    let mut planted = 0;
    let mut t = t0;
    loop {
        let growing = written < size || planted < PLANTS;
        if growing {
            while next_visit <= t as f64 {
                let at = next_visit as i64;
                if g.rng.random_bool(0.05) {
                    g.bot(at);
                } else {
                    g.visit(at);
                }
                let u: f64 = g.rng.random_range(f64::EPSILON..1.0);
                next_visit += -u.ln() / visits_per_sec;
            }
            while planted < PLANTS && plant_at[planted] <= t {
                g.planted_incidents(planted, t);
                planted += 1;
            }
        } else if g.heap.is_empty() {
            break;
        }
        while g.heap.peek().is_some_and(|Reverse(l)| l.time <= t) {
            let Reverse(line) = g.heap.pop().expect("peeked");
            w.write_all(line.text.as_bytes())?;
            written += line.text.len() as u64;
            lines += 1;
            if lines.is_multiple_of(200_000) {
                // A line cut short, as a crash or a full disk leaves one.
                let cut = &line.text[..line.text.len() / 2];
                w.write_all(cut.as_bytes())?;
                w.write_all(b"\n")?;
                written += cut.len() as u64 + 1;
                lines += 1;
            }
        }
        t += 1;
    }
    w.flush()?;
    drop(w);
    let manifest = serde_json::json!({
        "seed": seed,
        "format": "ticketbooth",
        "lines": lines,
        "bytes": written,
        "planted": g.planted,
    });
    let manifest_path = match manifest_to {
        Some(p) => Some(p.to_path_buf()),
        None if to_stdout => None,
        None => Some(format!("{name}.planted.json").into()),
    };
    if let Some(p) = &manifest_path {
        std::fs::write(
            p,
            serde_json::to_string_pretty(&manifest).expect("json") + "\n",
        )?;
    }
    Ok(format!(
        "wrote {} lines ({:.1} MB) to {} with {PLANTS} planted incidents{}",
        lines,
        written as f64 / 1e6,
        if to_stdout {
            "stdout".into()
        } else {
            out.display().to_string()
        },
        match &manifest_path {
            Some(p) => format!(" listed in {}", p.display()),
            None => " (give --planted FILE to list them)".into(),
        }
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes() {
        assert_eq!(super::parse_size("1GB").unwrap(), 1_000_000_000);
        assert_eq!(super::parse_size("50kb").unwrap(), 50_000);
        assert!(super::parse_size("big").is_err());
    }
}
