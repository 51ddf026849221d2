//! The shape switches. A shape is not a flaw: it is a way real apps are built (mounted under a path,
//! no session before login, a CSRF nonce bound to the session, ...) that the built-in suite must judge
//! correctly. Ticketbooth takes any set of shapes with any set of flaws; no shape is the app as it was.

use std::fmt;

use super::switches::{self, Switch, SwitchSet};

/// Where the whole ticketing site lives under the `mounted` shape.
pub const MOUNT: &str = "/app";

/// What `title-has-username` puts in every page's title and brand: the victim's username
/// (alice@ticketbooth.test) inside a longer token, never as a whole word.
pub const CHROME_TAG: &str = "alice@ticketbooth.testing";

/// One way a real app is built that Ticketbooth can take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Shape {
    Mounted,
    LoginRedirectsAuthenticated,
    SessionBoundCsrf,
    NoAnonymousSessions,
    LogoutOnAccountPage,
    Anonymous200,
    PrefixUsernames,
    TitleHasUsername,
    EchoParam,
    NoThirdParty,
    ThrottledLogin,
    Lockout,
    LateRender,
}

impl Shape {
    pub const ALL: [Shape; 13] = [
        Shape::Mounted,
        Shape::LoginRedirectsAuthenticated,
        Shape::SessionBoundCsrf,
        Shape::NoAnonymousSessions,
        Shape::LogoutOnAccountPage,
        Shape::Anonymous200,
        Shape::PrefixUsernames,
        Shape::TitleHasUsername,
        Shape::EchoParam,
        Shape::NoThirdParty,
        Shape::ThrottledLogin,
        Shape::Lockout,
        Shape::LateRender,
    ];

    /// The kebab-case name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Shape::Mounted => "mounted",
            Shape::LoginRedirectsAuthenticated => "login-redirects-authenticated",
            Shape::SessionBoundCsrf => "session-bound-csrf",
            Shape::NoAnonymousSessions => "no-anonymous-sessions",
            Shape::LogoutOnAccountPage => "logout-on-account-page",
            Shape::Anonymous200 => "anonymous-200",
            Shape::PrefixUsernames => "prefix-usernames",
            Shape::TitleHasUsername => "title-has-username",
            Shape::EchoParam => "echo-param",
            Shape::NoThirdParty => "no-third-party",
            Shape::ThrottledLogin => "throttled-login",
            Shape::Lockout => "lockout",
            Shape::LateRender => "late-render",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Shape::Mounted => {
                "the site lives under /app/ (cookie Path=/app/, / is 404); the last cookie of a name wins"
            }
            Shape::LoginRedirectsAuthenticated => {
                "the login page redirects a logged-in visitor to the account page (no form)"
            }
            Shape::SessionBoundCsrf => {
                "every POST form carries a `csrf` nonce bound to the presented session; others are refused"
            }
            Shape::NoAnonymousSessions => "no session cookie is issued before login",
            Shape::LogoutOnAccountPage => "the logout button is on the account page only",
            Shape::Anonymous200 => {
                "protected pages answer anonymous visitors 200 \"please log in\" instead of redirecting"
            }
            Shape::PrefixUsernames => {
                "the attacker is malice@ticketbooth.test, whose name contains the victim's (alice@...)"
            }
            Shape::TitleHasUsername => {
                "every page's title and brand contain alice@ticketbooth.testing (the victim's name inside)"
            }
            Shape::EchoParam => {
                "logout goes to /?bye=EMAIL (\"Goodbye, EMAIL!\"); the login page echoes ?email="
            }
            Shape::NoThirdParty => "pages load nothing from another origin (no analytics)",
            Shape::ThrottledLogin => {
                "more than 20 login posts within 1 s (whole server) answer 429 with Retry-After: 1"
            }
            Shape::Lockout => {
                "5 consecutive failed logins lock the account (423 \"Account locked\", 60 s by default)"
            }
            Shape::LateRender => {
                "the account page is a script that fetches and renders the account after --render-delay \
                 (1.5 s, with jitter); logged-in pages keep a long-poll open, every page sends a slow analytics beacon \
                 (opt-in: not part of `all`)"
            }
        }
    }

    /// Whether `all` takes this shape. Not `throttled-login`: its limit is server-wide, so a
    /// token sampler spending it would make the logins of flows running beside it fail, and every
    /// HTTP probe run at once would too; a suite is run on it deliberately (`--shape throttled-login`).
    /// Not `late-render`: it slows every page view down, so the shaped matrix would take far longer
    /// for what one targeted test proves (tests/it/late_render.rs).
    pub fn in_all(self) -> bool {
        !matches!(self, Shape::ThrottledLogin | Shape::LateRender)
    }

    pub fn from_name(name: &str) -> Option<Shape> {
        switches::from_name(name)
    }
}

impl Switch for Shape {
    const KIND: &'static str = "shape";

    fn all() -> &'static [Self] {
        &Shape::ALL
    }

    fn name(self) -> &'static str {
        Shape::name(self)
    }

    fn description(self) -> &'static str {
        Shape::description(self)
    }

    fn in_all(self) -> bool {
        Shape::in_all(self)
    }
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

// One bit per shape.
const _: () = assert!(Shape::ALL.len() <= u32::BITS as usize);

/// A set of switched-on shapes; the empty set is Ticketbooth's own shape.
pub type ShapeSet = SwitchSet<Shape>;

/// One line per shape, name padded, for `usher demo serve --list-shapes`.
pub fn list_shapes() -> String {
    switches::list::<Shape>()
}
