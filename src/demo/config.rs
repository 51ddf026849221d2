//! How one Ticketbooth instance runs. The defaults are the catalogue's secure numbers.

use std::time::Duration;

use super::flaws::FlawSet;
use super::session_ids::SessionIds;
use super::shapes::{MOUNT, Shape, ShapeSet};

#[derive(Debug, Clone)]
pub struct DemoConfig {
    /// 0 picks any free port.
    pub port: u16,
    /// Port of the third-party analytics origin; 0 picks any free port.
    pub analytics_port: u16,
    /// Host name of the ticketing site; its parent domain is what a loose cookie scope leaks to.
    pub host: String,
    pub flaws: FlawSet,
    /// Ways real apps are built; none is Ticketbooth's own shape.
    pub shapes: ShapeSet,
    pub idle_timeout: Duration,
    pub absolute_timeout: Duration,
    pub checkout_timeout: Duration,
    /// Concurrent sessions per user; the oldest is evicted beyond it. 0 behaves as 1.
    pub max_sessions: usize,
    /// Where session ids come from (`--session-ids`); `csprng` is the secure default.
    pub session_ids: SessionIds,
    /// How long the `lockout` shape locks an account after its fifth consecutive failed login.
    pub lockout_period: Duration,
    /// How the pages are written (`--markup`); the server behaves the same under every variant.
    pub markup: super::markup::Markup,
    /// Under `late-render`: how long the account data takes to appear after the page loads (varied
    /// by ±25 % per view).
    pub render_delay: Duration,
    /// Where to write the access log (`--access-log`), one line per request; none by default.
    pub access_log: Option<std::path::PathBuf>,
    /// `--auth jwt`: the single-page app over a JSON API with JWT access tokens instead of the
    /// server-rendered cookie app (docs/demo-jwt.md); none is the cookie app.
    pub jwt: Option<super::jwt::JwtConfig>,
}

impl Default for DemoConfig {
    fn default() -> Self {
        DemoConfig {
            port: 0,
            analytics_port: 0,
            host: "tickets.ticketbooth.localhost".to_string(),
            flaws: FlawSet::none(),
            shapes: ShapeSet::none(),
            idle_timeout: Duration::from_secs(15 * 60),
            absolute_timeout: Duration::from_secs(8 * 60 * 60),
            checkout_timeout: Duration::from_secs(10 * 60),
            max_sessions: 3,
            session_ids: SessionIds::Csprng,
            lockout_period: Duration::from_secs(60),
            markup: super::markup::Markup::Plain,
            render_delay: Duration::from_millis(1500),
            access_log: None,
            jwt: None,
        }
    }
}

impl DemoConfig {
    /// `ticketbooth.localhost` for `tickets.ticketbooth.localhost`: the domain a loosely scoped cookie
    /// is set on, and the one the blog sibling lives under.
    pub fn parent_domain(&self) -> String {
        match self.host.split_once('.') {
            Some((_, parent)) if parent.contains('.') || parent == "localhost" => {
                parent.to_string()
            }
            _ => self.host.clone(),
        }
    }

    pub fn has(&self, shape: Shape) -> bool {
        self.shapes.contains(shape)
    }

    /// The path the ticketing site lives under: `/app` when mounted, else "" (the server root).
    pub fn mount(&self) -> &'static str {
        if self.has(Shape::Mounted) { MOUNT } else { "" }
    }

    /// A site path (`/account`) as the browser sees it (`/app/account` when mounted).
    pub fn path(&self, path: &str) -> String {
        format!("{}{path}", self.mount())
    }

    pub fn blog_host(&self) -> String {
        format!("blog.{}", self.parent_domain())
    }
}
