//! The built-in checks, one file each. Every check returns a verdict with evidence in which tokens are
//! fingerprints; a check that cannot be evaluated is ERROR, never PASS.

mod absolute_timeout;
mod account_data;
mod acting_as;
mod cacheable_pages;
mod checkout_timer;
mod client_binding;
mod concurrent_sessions;
mod cookie_attributes;
mod entropy;
mod entropy_browser;
mod http_response;
pub mod identity;
mod idle_timeout;
mod jwt;
mod logged_state;
mod loopback_origin;
mod no_token_in_referer;
mod no_token_in_storage;
mod no_token_in_url;
mod outcome;
mod planned_wait;
mod probes;
mod referer_probe;
mod token_access;
mod token_changed;

pub use outcome::Outcome;
pub use planned_wait::{covering, planned_wait};

use crate::engine::context::FlowCtx;
use crate::engine::events::Event;
use crate::record::CheckOutcome;
use crate::scenario::step::{Check, Origin};

impl FlowCtx {
    /// Keeps a judged check for the flow's record, and tells the listener it finished.
    pub(crate) fn record_check(&mut self, outcome: CheckOutcome) {
        self.run.emit(Event::CheckFinished {
            suite: self.suite.clone(),
            flow: self.flow.clone(),
            check: outcome.clone(),
        });
        self.checks.push(outcome);
    }
}

/// Evaluates one check for `persona` and records it in the flow's timeline.
pub async fn evaluate(
    ctx: &mut FlowCtx,
    check: &Check,
    persona: &str,
    origin: &Origin,
) -> CheckOutcome {
    let outcome = match check {
        Check::LoggedIn => logged_state::check(ctx, persona, true).await,
        Check::LoggedOut => logged_state::check(ctx, persona, false).await,
        Check::TokenChanged(a) => token_changed::check(ctx, persona, &a.since).await,
        Check::CookieAttributes => cookie_attributes::check(ctx, persona).await,
        Check::NoTokenInUrl => no_token_in_url::check(ctx, persona).await,
        Check::NoTokenInStorage => no_token_in_storage::check(ctx, persona).await,
        Check::NoTokenInReferer => no_token_in_referer::check(ctx, persona).await,
        Check::HttpStatus(a) => http_response::status(ctx, a.is),
        Check::Header(a) => http_response::header(ctx, persona, a),
        Check::NotActingAs(other) => acting_as::check(ctx, persona, other).await,
        Check::IdleTimeoutAtMost => idle_timeout::check(ctx, persona).await,
        Check::AbsoluteTimeoutAtMost => absolute_timeout::check(ctx, persona).await,
        Check::CheckoutExpires => checkout_timer::check(ctx, persona).await,
        Check::ConcurrentSessionsAtMost => concurrent_sessions::check(ctx, persona).await,
        Check::NoAccountData => account_data::check(ctx, persona).await,
        Check::NoCacheablePages => cacheable_pages::check(ctx, persona).await,
        Check::ClientBinding => client_binding::check(ctx, persona).await,
        Check::EntropyAtLeast => entropy::check(ctx, persona).await,
        Check::JwtForgery(a) => jwt::forgery(ctx, persona, a).await,
        Check::JwtLifetime => jwt::lifetime(ctx, persona).await,
        Check::JwtPayloadHygiene => jwt::payload(ctx, persona).await,
        Check::JwtRevokedBy(flow) => jwt::revoked_by(ctx, persona, flow).await,
        Check::JwtRefreshRotates => jwt::refresh_rotates(ctx, persona).await,
        Check::JwtRefreshReuseDetected => jwt::refresh_reuse_detected(ctx, persona).await,
    };
    let redactor = &ctx.run.redactor;
    CheckOutcome {
        check: check.name().to_string(),
        persona: persona.to_string(),
        verdict: outcome.verdict,
        message: redactor.redact(&outcome.message),
        evidence: outcome
            .evidence
            .into_iter()
            .map(|mut e| {
                e.value = redactor.redact(&e.value);
                e
            })
            .collect(),
        measured: match redactor.redact_json(&serde_json::Value::Object(outcome.measured)) {
            serde_json::Value::Object(m) => m,
            _ => Default::default(),
        },
        origin: origin.to_string(),
    }
}
