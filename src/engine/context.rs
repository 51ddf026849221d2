//! What a run shares across flows, and what one flow knows about its personas.

use super::events::Event;
use super::token::Token;
use crate::driver::{Launcher, NetEvent, Session};
use crate::record::{CheckOutcome, StepRecord, TimelineEntry};
use crate::redact::Redactor;
use crate::scenario::{Inputs, Profile};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// Receives every event of the run (the console sits behind it; reports are made from the records).
pub type Sink = Arc<dyn Fn(Event) + Send + Sync>;

pub struct RunCtx {
    pub launcher: Arc<Launcher>,
    pub redactor: Redactor,
    pub cancel: CancellationToken,
    pub report_dir: PathBuf,
    /// `--step-timeout`: overrides the profile's default bound on every step.
    pub step_timeout: Option<Duration>,
    pub inputs: Inputs,
    /// `--target`: overrides the profile's `base_url`.
    pub target: Option<String>,
    pub http: reqwest::Client,
    pub sink: Sink,
}

impl RunCtx {
    pub fn emit(&self, event: Event) {
        (self.sink)(event)
    }

    /// The URL a suite of this run is tested at (see [`base_url`]).
    pub fn base_url(&self, profile: &Profile) -> String {
        base_url(self.target.as_deref(), profile)
    }
}

/// The URL a profile's flows are tested at, `${var}`s still in it: `--target` over the profile's
/// `base_url`; empty when neither is given (the flow then says so).
pub fn base_url(target: Option<&str>, profile: &Profile) -> String {
    target
        .map(str::to_string)
        .or_else(|| profile.base_url.clone())
        .unwrap_or_default()
}

/// One persona's isolated browser and what was observed through it.
pub struct Persona {
    pub name: String,
    pub session: Option<Arc<dyn Session>>,
    /// Every request and response seen, in order (raw Set-Cookie headers included).
    pub net: Vec<NetEvent>,
    /// Top-level documents navigated to, in order, redirect hops included.
    pub history: Vec<String>,
    /// A token carried as a URL parameter on this persona's navigations (`url_param` tokens).
    pub url_token: Option<(String, String)>,
    /// Whether it has run the `login` flow in this flow: before that, holding no token is the app's
    /// way (no anonymous sessions), not a broken page.
    pub ran_login: bool,
    /// The URL of the last page shown logged in (the `logged_in` flow held there), for `back_to`.
    pub last_authenticated: Option<String>,
}

impl Persona {
    pub fn new(name: &str) -> Self {
        Persona {
            name: name.to_string(),
            session: None,
            net: Vec::new(),
            history: Vec::new(),
            url_token: None,
            ran_login: false,
            last_authenticated: None,
        }
    }
}

/// The last plain-HTTP response (from `replay ... http`), for `http_status` and `header` checks.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    pub url: String,
    pub status: u16,
    pub headers: Vec<(String, String)>,
}

pub struct FlowCtx {
    pub run: Arc<RunCtx>,
    pub profile: Arc<Profile>,
    pub suite: String,
    pub flow: String,
    pub base_url: String,
    pub personas: BTreeMap<String, Persona>,
    pub captured: HashMap<String, Token>,
    pub saved: HashMap<String, String>,
    /// Every token value seen in this flow, any persona: what leak checks search for.
    pub tokens_seen: BTreeSet<String>,
    pub last_http: Option<HttpResponse>,
    pub started: Instant,
    pub timeline: Vec<TimelineEntry>,
    pub steps: Vec<StepRecord>,
    pub checks: Vec<CheckOutcome>,
    pub default_persona: String,
    /// Probe personas a check creates on the fly, and the persona whose account each one uses.
    pub aliases: HashMap<String, String>,
    /// The account each pooled persona leased for this flow: owner persona → index into its pool.
    pub leased: BTreeMap<String, usize>,
    /// Start browsers in full Chromium even on a headless-shell run (the flow needs a back/forward cache).
    pub full_browser: bool,
    /// Browsers being started ahead of their persona's first step (`prestart`).
    pub warming: HashMap<String, Warming>,
    /// Personas whose browsers `prestart` will start once the first browser is up.
    pub warm_plan: Vec<String>,
}

/// A browser session starting in the background.
pub type Warming = tokio::task::JoinHandle<crate::driver::DriverResult<Box<dyn Session>>>;

impl FlowCtx {
    pub fn new(
        run: Arc<RunCtx>,
        profile: Arc<Profile>,
        flow: &str,
        base_url: String,
        default_persona: String,
    ) -> Self {
        FlowCtx {
            run,
            suite: profile.app.clone(),
            profile,
            flow: flow.to_string(),
            base_url,
            personas: BTreeMap::new(),
            captured: HashMap::new(),
            saved: HashMap::new(),
            tokens_seen: BTreeSet::new(),
            last_http: None,
            started: Instant::now(),
            timeline: Vec::new(),
            steps: Vec::new(),
            checks: Vec::new(),
            default_persona,
            aliases: HashMap::new(),
            leased: BTreeMap::new(),
            full_browser: false,
            warming: HashMap::new(),
            warm_plan: Vec::new(),
        }
    }
}
