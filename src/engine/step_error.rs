//! Why a step did not do what it was written to do, by kind: the kind decides the flow's verdict
//! (SKIPPED for `Unsupported`, ERROR otherwise) and how reports name it. Each kind carries what
//! went wrong as data (the locator not found, the limit that ran out, the URL that failed), and
//! renders it to the sentence the reports have always shown.

use crate::driver::DriverError;
use crate::duration::format_duration;
use crate::scenario::step::Origin;
use std::time::Duration;

/// Why a step did not do what it was written to do. Every kind but `Unsupported` (SKIPPED) ends the flow in ERROR.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StepError {
    /// The page was not as the scenario expected (element missing, text absent).
    #[error(transparent)]
    Page(PageError),
    /// The driver, browser or target failed.
    #[error(transparent)]
    Infra(InfraError),
    /// `limit` ran out while waiting for `awaited`.
    #[error("the step did not finish within {limit:?}")]
    Timeout { limit: Duration, awaited: Awaited },
    #[error("interrupted")]
    Cancelled,
    /// A scenario mistake only visible at run time (e.g. an unset variable).
    #[error(transparent)]
    Input(InputError),
    /// What the step needs cannot be done in this session at all (the session token of a native
    /// app context): the flow cannot be judged here, which is SKIPPED, never PASS. Free text: the
    /// driver's own words for what it lacks, joined to the way out for this token location.
    #[error("{0}")]
    Unsupported(String),
    /// A step of the flow `flow` (at `origin`), run by a `run:` step, failed with `error`.
    #[error("{} (in flow `{flow}` at {origin})", Inner(error))]
    InFlow {
        flow: String,
        origin: Origin,
        error: Box<StepError>,
    },
}

/// The kind of a [`StepError`], through any flows it was wrapped in: what decides the verdict,
/// how reports name the error, and whether a proof counts it as infrastructure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    Page,
    Infra,
    Timeout,
    Cancelled,
    Input,
    Unsupported,
}

/// What a timed-out step was waiting for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Awaited {
    /// The step as a whole (its `timeout:` or the profile's step timeout).
    Step,
    /// An answer over HTTP to a request for `path` (not the query: it may carry a token).
    Http { path: String },
    /// The app's answer to the login usher sent over HTTP (some hop of it, redirects followed).
    HttpLogin,
    /// A driver command, in the driver's words.
    Driver(String),
}

/// How the page differed from what the scenario expects.
#[derive(Debug, Clone, thiserror::Error)]
pub enum PageError {
    /// `locator` as the driver names it (`css selector `#x``); `waited`, when the step waited for it.
    #[error("no element matches {locator}{}", waited_note(waited))]
    NoElement {
        locator: String,
        waited: Option<Duration>,
    },
    /// An expectation (`see`, `wait_for`) did not hold; `waited`, when the step waited for it.
    #[error("{}", unseen(expected, waited))]
    Unseen {
        expected: String,
        waited: Option<Duration>,
    },
    /// A `not_see` expectation held after all.
    #[error("expected not to see {expected}")]
    Seen { expected: String },
    #[error("no cookie named `{name}`")]
    NoCookie { name: String },
    #[error("{area} has no key `{key}`")]
    NoStorageKey { area: &'static str, key: String },
    /// No native/web context named `name` appeared within `waited`; `known` lists those there were.
    #[error(
        "no context `{name}` (or starting with it) appeared within {}; the session has: {known}",
        format_duration(*waited)
    )]
    NoContext {
        name: String,
        waited: Duration,
        known: String,
    },
    /// A `require:` check ended in `verdict` (its label) with `message`.
    #[error("required check {check} did not hold ({verdict}): {message}")]
    RequiredCheck {
        check: &'static str,
        verdict: &'static str,
        message: String,
    },
    /// `persona` held no token at `token` (the profile's location, described) for `purpose`.
    #[error("{persona} holds no session token ({token}) to {purpose}")]
    NoToken {
        persona: String,
        token: String,
        purpose: &'static str,
    },
    /// A browser step of `persona` inside `parallel` failed at `origin`.
    #[error("{persona}: {error} (at {origin})")]
    InParallel {
        persona: String,
        origin: Origin,
        error: Box<StepError>,
    },
    /// A step of the flow `flow` failed at `origin` while the oracle ran it.
    #[error("the `{flow}` flow failed at {origin}: {error}")]
    FlowFailed {
        flow: String,
        origin: Origin,
        error: Box<StepError>,
    },
    /// `token: auto` could not log in: its `login` flow failed at `origin`.
    #[error("`token: auto` could not log in: {error} (at {origin})")]
    AutoTokenLogin {
        origin: Origin,
        error: Box<StepError>,
    },
    /// Free text: a sentence that arises at one place only (a form's odd method, a login the app
    /// refused, an app file without the key), composed there from what that place knows; a variant
    /// of its own would only move the sentence.
    #[error("{0}")]
    Other(String),
}

/// How the driver, browser or target failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum InfraError {
    /// Free text: the driver's (or WebDriver server's) own words, cut to their first lines.
    #[error("{0}")]
    Driver(String),
    /// `persona`'s browser could not be started; `error` in the task's words.
    #[error("starting {persona}'s browser failed: {error}")]
    BrowserStart { persona: String, error: String },
    /// The request of a `replay` to `url` failed; `why` is the HTTP client's chain of causes.
    #[error("HTTP replay to {url} failed: {why}")]
    HttpReplay { url: String, why: String },
    /// An artifact could not be written: `doing` is "create" or "write", `error` the OS's words
    /// (an `io::Error` is not `Clone`).
    #[error("cannot {doing} {path}: {error}")]
    Io {
        doing: &'static str,
        path: String,
        error: String,
    },
    /// Free text: a failure met at one place only (an unreadable form description, an app file
    /// that could not be pulled), composed there with what to look at.
    #[error("{0}")]
    Other(String),
}

/// A scenario mistake only visible at run time.
#[derive(Debug, Clone, thiserror::Error)]
pub enum InputError {
    #[error("unknown flow `{0}`")]
    UnknownFlow(String),
    #[error("undefined variable `${{{0}}}`")]
    UndefinedVariable(String),
    /// `url` does not parse (`base`: it is the base URL every other URL is joined to).
    #[error("bad {}URL `{url}`: {error}", if *base { "base " } else { "" })]
    BadUrl {
        url: String,
        base: bool,
        error: url::ParseError,
    },
    /// A step whose keyword is not run by the step dispatch (a nested block's own keyword).
    #[error("`{keyword}` is not runnable here")]
    NotRunnable { keyword: &'static str },
    /// A step inside `parallel` that is not a browser step.
    #[error("`{keyword}` cannot run here (inside `parallel`, only browser steps are allowed)")]
    NotInParallel { keyword: &'static str },
    /// `replay` of a token no `capture` saved under this name.
    #[error("no token captured as `{0}`")]
    NotCaptured(String),
    /// Free text: a mistake met at one place only (a bad HTTP method, a profile without the
    /// flow a step needs), composed there with the way to fix it.
    #[error("{0}")]
    Other(String),
}

impl StepError {
    /// The error of a step of the flow `flow` (at `origin`) as the step that ran the flow reports it:
    /// the message names the flow and where in it; the kind stays, but a timeout inside a flow is
    /// told as the page not being as expected, with the limit in words.
    pub fn in_flow(self, flow: &str, origin: &Origin) -> StepError {
        match self {
            StepError::Cancelled => StepError::Cancelled,
            error => StepError::InFlow {
                flow: flow.to_string(),
                origin: origin.clone(),
                error: Box::new(error),
            },
        }
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            StepError::Page(_) => ErrorKind::Page,
            StepError::Infra(_) => ErrorKind::Infra,
            StepError::Timeout { .. } => ErrorKind::Timeout,
            StepError::Cancelled => ErrorKind::Cancelled,
            StepError::Input(_) => ErrorKind::Input,
            StepError::Unsupported(_) => ErrorKind::Unsupported,
            StepError::InFlow { error, .. } => match error.kind() {
                ErrorKind::Timeout => ErrorKind::Page,
                kind => kind,
            },
        }
    }

    /// A step that ran out of `limit` as a whole.
    pub fn step_timeout(limit: Duration) -> StepError {
        StepError::Timeout {
            limit,
            awaited: Awaited::Step,
        }
    }

    /// A page error told in a sentence of its own (see [`PageError::Other`]).
    pub fn page(message: impl Into<String>) -> StepError {
        StepError::Page(PageError::Other(message.into()))
    }

    /// An infrastructure error told in a sentence of its own (see [`InfraError::Other`]).
    pub fn infra(message: impl Into<String>) -> StepError {
        StepError::Infra(InfraError::Other(message.into()))
    }

    /// A scenario mistake told in a sentence of its own (see [`InputError::Other`]).
    pub fn input(message: impl Into<String>) -> StepError {
        StepError::Input(InputError::Other(message.into()))
    }
}

impl From<PageError> for StepError {
    fn from(e: PageError) -> Self {
        StepError::Page(e)
    }
}

impl From<InfraError> for StepError {
    fn from(e: InfraError) -> Self {
        StepError::Infra(e)
    }
}

impl From<InputError> for StepError {
    fn from(e: InputError) -> Self {
        StepError::Input(e)
    }
}

impl From<DriverError> for StepError {
    fn from(e: DriverError) -> Self {
        match e {
            DriverError::NotFound(locator) => PageError::NoElement {
                locator,
                waited: None,
            }
            .into(),
            DriverError::Timeout(limit, what) => StepError::Timeout {
                limit,
                awaited: Awaited::Driver(what),
            },
            other => InfraError::Driver(one_line(&other.to_string())).into(),
        }
    }
}

pub type StepResult<T> = Result<T, StepError>;

/// A step error inside a flow, as the step that ran the flow tells it: a timeout with the limit in
/// words (the flow's own step timed out, not the `run:` step).
struct Inner<'a>(&'a StepError);

impl std::fmt::Display for Inner<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            StepError::Timeout { limit, .. } => write!(
                f,
                "the step did not finish within {}",
                format_duration(*limit)
            ),
            e => e.fmt(f),
        }
    }
}

fn waited_note(waited: &Option<Duration>) -> String {
    waited.map_or_else(String::new, |w| format!(" (waited {})", format_duration(w)))
}

fn unseen(expected: &str, waited: &Option<Duration>) -> String {
    match waited {
        Some(w) => format!("waited {} for {expected} in vain", format_duration(*w)),
        None => format!("expected to see {expected}"),
    }
}

/// WebDriver errors carry multi-line stack traces of the driver binary; users need the first lines.
fn one_line(text: &str) -> String {
    let head = text.split("Stacktrace").next().unwrap_or(text);
    let words: Vec<&str> = head.split_whitespace().collect();
    let joined = words.join(" ");
    if joined.chars().count() > 300 {
        format!("{}…", joined.chars().take(300).collect::<String>())
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::node::Pos;

    fn at(line: u32) -> Origin {
        Origin {
            file: "s.yaml".into(),
            pos: Pos { line, col: 3 },
        }
    }

    #[test]
    fn typed_errors_read_as_the_sentences_reports_show() {
        let none = PageError::NoElement {
            locator: "css selector `#go`".into(),
            waited: Some(Duration::from_secs(5)),
        };
        assert_eq!(
            none.to_string(),
            "no element matches css selector `#go` (waited 5s)"
        );
        let url = InputError::BadUrl {
            url: "::".into(),
            base: true,
            error: url::ParseError::RelativeUrlWithoutBase,
        };
        assert_eq!(
            url.to_string(),
            "bad base URL `::`: relative URL without a base"
        );
        assert_eq!(
            InputError::UndefinedVariable("x".into()).to_string(),
            "undefined variable `${x}`"
        );
        assert_eq!(
            StepError::step_timeout(Duration::from_millis(1500)).to_string(),
            "the step did not finish within 1.5s"
        );
    }

    #[test]
    fn a_flow_names_itself_and_tells_a_timeout_as_the_page() {
        let inner = StepError::step_timeout(Duration::from_secs(2)).in_flow("login", &at(4));
        assert_eq!(inner.kind(), ErrorKind::Page);
        assert_eq!(
            inner.to_string(),
            "the step did not finish within 2s (in flow `login` at s.yaml:4:3)"
        );
        let outer = inner.in_flow("setup", &at(9));
        assert_eq!(outer.kind(), ErrorKind::Page);
        assert_eq!(
            outer.to_string(),
            "the step did not finish within 2s (in flow `login` at s.yaml:4:3) (in flow `setup` at s.yaml:9:3)"
        );
        let infra = StepError::infra("gone").in_flow("login", &at(4));
        assert_eq!(infra.kind(), ErrorKind::Infra);
        assert_eq!(infra.to_string(), "gone (in flow `login` at s.yaml:4:3)");
        assert!(matches!(
            StepError::Cancelled.in_flow("login", &at(4)),
            StepError::Cancelled
        ));
    }
}
