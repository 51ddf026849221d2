//! `entropy_at_least`: samples tokens from fresh logins (the policy's `token_samples`) and runs the
//! token analysis (src/analysis): uniqueness, character- and bit-level statistics, structure, hashes
//! of counters or timestamps. Too few tokens is ERROR, never PASS.
//!
//! Sampling is Burp Sequencer's: one browser login teaches the login request, which is then replayed
//! over HTTP (src/sampling), each sample proven authenticated and logged out again. Where the login
//! cannot be replayed, browsers sample instead, and the outcome says why.

use super::Outcome;
use super::entropy_browser;
use crate::analysis::{AnalysisOptions, TokenVerdict, analyze};
use crate::engine::context::FlowCtx;
use crate::engine::login_recipe::Learned;
use crate::record::measured::Measure;
use crate::sampling::{Backoff, Plan, Stopped};
use std::time::Duration;

/// The first samples are taken one at a time, so their order is the order the app issued them: what
/// recovering a generator's state from consecutive outputs needs (78 ids of 8 MT19937 outputs).
const IN_ORDER: usize = 200;
/// Replayed samples in flight at once after those, at most (and never more than the policy's
/// session cap, which a sample holds until its logout).
const HTTP_CONCURRENCY: usize = 4;
/// Browser logins take ~100 times as long as replayed ones: the browser fallback samples at most
/// this many.
const BROWSER_SAMPLES: usize = 200;

/// How the tokens were sampled, for the outcome.
enum Sampling {
    Http(String),
    Browser(String),
}

pub async fn check(ctx: &mut FlowCtx, persona: &str) -> Outcome {
    let wanted = ctx.profile.policy.token_samples as usize;
    let learner = format!("{persona}-sample1");
    ctx.aliases.insert(learner.clone(), persona.to_string());
    if let Some(skip) = signed_token(ctx, &learner).await {
        return skip;
    }
    let (recipe, notes) = match ctx.learn_login(persona, &learner).await {
        Ok(Learned::Recipe { recipe, notes }) => (recipe, notes),
        Ok(Learned::NotReplayable(why)) => return through_browser(ctx, persona, wanted, why).await,
        Err(e) => return Outcome::from_step_error("entropy_at_least", e),
    };
    let concurrency = match ctx.profile.policy.max_sessions as usize {
        0 => HTTP_CONCURRENCY,
        cap => cap.min(HTTP_CONCURRENCY),
    };
    let plan = Plan {
        wanted,
        in_order: IN_ORDER,
        concurrency,
        limit: ctx.profile.step_timeout.max(Duration::from_secs(10)),
        backoff: Backoff::default(),
    };
    let how = recipe.describe();
    ctx.mark(
        persona,
        format!("sampling {wanted} tokens over HTTP: {how}"),
    );
    let client = ctx.run.http.clone();
    match crate::sampling::sample(&client, &recipe, &plan).await {
        Ok(s) => {
            let mut how = format!(
                "{} tokens over HTTP: {how}; the first {} one at a time, then {} at a time",
                s.tokens.len(),
                s.in_order,
                s.concurrency
            );
            match &recipe.logout {
                Some(l) => how.push_str(&format!(
                    "; {} of them logged out ({})",
                    s.logged_out,
                    l.describe()
                )),
                None => how.push_str(&format!("; {}", notes.join("; "))),
            }
            if s.logout_ends_session == Some(false) {
                how.push_str("; the first sample's session still worked after its logout");
            }
            if s.throttled > 0 {
                how.push_str(&format!(
                    "; the app answered 429 Too Many Requests {} times, {:.1} s waited",
                    s.throttled,
                    s.waited.as_secs_f64()
                ));
            }
            if s.retried > 0 {
                how.push_str(&format!(
                    "; {} logins retried after yielding no authenticated session",
                    s.retried
                ));
            }
            ctx.mark(persona, format!("sampled {how}"));
            judge(ctx, &s.tokens, Some(s.window_ms), Sampling::Http(how))
        }
        Err(Stopped::NotReplayable(why)) => {
            let why = format!("the first login replayed over HTTP yielded no session: {why}");
            through_browser(ctx, persona, wanted, why).await
        }
        Err(Stopped::Refused { after, why }) => Outcome::error(format!(
            "the app started refusing logins after {after} samples: {why}; sampling stopped \
             rather than lock the account"
        ))
        .measure(Measure::Sampling, "http")
        .measure(Measure::Samples, after),
        Err(Stopped::Failed { after, why }) => Outcome::error(format!(
            "sampling over HTTP failed after {after} samples: {why}"
        ))
        .measure(Measure::Sampling, "http")
        .measure(Measure::Samples, after),
    }
}

async fn through_browser(ctx: &mut FlowCtx, persona: &str, wanted: usize, why: String) -> Outcome {
    let n = wanted.min(BROWSER_SAMPLES);
    ctx.mark(
        persona,
        format!("sampling {n} tokens through the browser: {why}"),
    );
    let (tokens, window) = match entropy_browser::sample(ctx, persona, n).await {
        Ok(t) => t,
        Err(o) => {
            return o
                .with("sampling", format!("through the browser, because {why}"))
                .measure(Measure::Sampling, "browser");
        }
    };
    let mut how = format!(
        "sampled {} tokens through the browser: the login could not be replayed over HTTP because {why}",
        tokens.len()
    );
    if n < wanted {
        how.push_str(&format!(
            " (the policy asks for {wanted}; browser sampling takes at most {BROWSER_SAMPLES})"
        ));
    }
    judge(ctx, &tokens, Some(window), Sampling::Browser(how))
}

fn judge(
    ctx: &FlowCtx,
    tokens: &[String],
    window: Option<(u64, u64)>,
    sampling: Sampling,
) -> Outcome {
    let opts = AnalysisOptions {
        min_entropy_bits: ctx.profile.policy.min_entropy_bits,
        sample_window_ms: window,
        ..AnalysisOptions::default()
    };
    let a = analyze(tokens, &opts);
    let bits = a.effective_entropy_bits();
    let from = match sampling {
        Sampling::Http(_) => "fresh logins replayed over HTTP",
        Sampling::Browser(_) => "fresh browser logins",
    };
    let summary = match bits {
        Some(b) => format!(
            "{} tokens from {from}: about {b} bits of effective entropy",
            tokens.len()
        ),
        None => format!("{} tokens from {from}", tokens.len()),
    };
    let mut o = match &a.verdict {
        TokenVerdict::Pass => Outcome::pass(format!(
            "{summary} (policy: at least {})",
            opts.min_entropy_bits
        )),
        TokenVerdict::Fail => Outcome::fail(format!("{summary}: {}", a.reasons.join("; "))),
        TokenVerdict::Inconclusive(why) => {
            Outcome::error(format!("the tokens could not be judged: {why}"))
        }
    };
    for r in &a.reasons {
        o = o.with("reason", r.clone());
    }
    o = o.with("note", a.note.clone());
    let (kind, how) = match sampling {
        Sampling::Http(how) => ("http", how),
        Sampling::Browser(how) => ("browser", how),
    };
    o.with("sampling", how)
        .measure(Measure::Sampling, kind)
        .measure(Measure::EntropyBits, bits)
        .measure(Measure::Samples, tokens.len())
        .measure(Measure::Analysis, a.to_json())
}

/// SKIPPED when the token the profile names is a JWT (after a login, as the app hands it out): its
/// header and claims are readable, structured data, not a random id, so bit statistics over it say
/// nothing; what makes it unguessable is the signature's key, which the JWT scenarios attack
/// (jwt-signature-verified, jwt-weak-secret, jwt-key-confusion, jwt-header-keys).
async fn signed_token(ctx: &mut FlowCtx, persona: &str) -> Option<Outcome> {
    // Only a profile with a token API pays the extra login: a cookie app's session id is a random id.
    ctx.profile.api.as_ref()?;
    let limit = ctx.profile.step_timeout.max(Duration::from_secs(10));
    ctx.parallel(&[persona.to_string()], "login", limit)
        .await
        .ok()?;
    let t = ctx.read_token(persona).await.ok()?;
    let raw = t.values().next()?.to_string();
    crate::jwt::Jwt::parse(crate::engine::token::bare_credential(&raw)).ok()?;
    Some(Outcome::skipped(
        "the session token is a signed JWT (readable header and claims, not a random id): its \
         unpredictability is its signature key's, judged by jwt-signature-verified, jwt-weak-secret, \
         jwt-key-confusion and jwt-header-keys",
    ))
}
