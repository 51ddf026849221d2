//! `jwt_forgery: {family, other}`: the persona's JWT, forged as jwt_tool or Burp's JWT Editor would
//! (`crate::jwt::forgeries`), is replayed over plain HTTP to the identity endpoint, keeping the
//! victim's claims and, with `other`, carrying the other persona's identity claims (impersonation).
//! FAIL if any forgery is accepted as any persona. The oracle controls run first (ERROR if they fail);
//! an API that accepts a corrupted signature verifies nothing, which is the `signature` family's
//! finding and, for every other family, a precondition the app lacks (SKIPPED with the reason).
//! Evidence: family, label and fingerprint of each accepted forgery, never a token.

use super::jwks_origin::{CERT_PATH, JWKS_PATH, KeyOrigin};
use super::{Held, controls, fp, held};
use crate::engine::checks::Outcome;
use crate::engine::context::FlowCtx;
use crate::jwt::{Family, ForgeInputs, Forgery, Jwt};
use crate::record::measured::Measure;
use crate::scenario::step::{JwtFamily, JwtForgeryArgs};
use serde_json::{Map, Value};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Claims that change with every token of one account: not identity, never copied from the other.
const PER_TOKEN: &[&str] = &["iat", "exp", "nbf", "jti"];

/// How many of the dictionary's first secrets an RS/ES-signed token is re-signed with as HS256.
const GUESSED_SECRETS: usize = 8;

fn families(f: JwtFamily) -> &'static [Family] {
    match f {
        JwtFamily::Signature => &[Family::TamperedClaims, Family::EmptySignature],
        JwtFamily::AlgNone => &[Family::AlgNone],
        JwtFamily::WeakSecret => &[Family::WeakSecret],
        JwtFamily::KeyConfusion => &[Family::KeyConfusion],
        JwtFamily::HeaderKeys => &[
            Family::EmbeddedJwk,
            Family::Jku,
            Family::X5u,
            Family::GuessableKid,
            Family::PsychicSignature,
        ],
    }
}

pub async fn check(ctx: &mut FlowCtx, persona: &str, args: &JwtForgeryArgs) -> Outcome {
    let what = "jwt_forgery";
    let h = match held(ctx, persona, what).await {
        Ok(h) => h,
        Err(o) => return o,
    };
    let mut evidence = match controls::prove_oracle(&h).await {
        Ok(e) => e,
        Err(o) => return o,
    };
    let corrupted = match controls::accepts_corrupted(&h).await {
        Ok(c) => c,
        Err(o) => return o,
    };
    let token_fp = fp(ctx, &h.text);
    if let Some(a) = &corrupted {
        if args.family == JwtFamily::Signature {
            return Outcome::fail(format!(
                "the API accepts {persona}'s token with a corrupted signature ({}): it verifies no signature, \
                 so anyone can write any claims",
                a.describe()
            ))
            .with("token", token_fp)
            .with("forgery", "signature: the original claims under a corrupted signature");
        }
        // The rule: when the controls fail, the forgery scenarios are ERROR, never PASS or FAIL.
        return Outcome::error(format!(
            "control failed: the API accepts {persona}'s token with a corrupted signature ({}), so it \
             verifies no signature and a forgery of the `{}` family accepted here would prove nothing more; none is \
             judged (the finding is jwt-signature-verified's FAIL)",
            a.describe(),
            args.family.name()
        ))
        .with("token", token_fp)
        .with("control: corrupted signature", a.describe());
    }
    evidence.push(crate::record::Evidence::new(
        "control: corrupted signature",
        "refused",
    ));
    let change = match &args.other {
        Some(other) => match claim_change(ctx, &h, other).await {
            Ok(c) => Some(c),
            Err(o) => return o,
        },
        None => None,
    };
    let mut inputs = ForgeInputs::default();
    let mut notes: Vec<(String, String)> = Vec::new();
    let mut origin = None;
    match args.family {
        JwtFamily::WeakSecret => {
            let host = url::Url::parse(&ctx.base_url)
                .ok()
                .and_then(|u| u.host_str().map(str::to_string))
                .unwrap_or_default();
            let derived = crate::jwt::host_secrets(&host);
            let dict = crate::jwt::weak_secrets();
            let cracked = crate::jwt::crack_hs256(&h.jwt, dict.iter().chain(derived.iter()));
            if let Some(secret) = &cracked {
                ctx.run
                    .redactor
                    .register(crate::redact::Kind::Secret, secret);
                let secret_fp = crate::redact::fingerprint(crate::redact::Kind::Secret, secret);
                return Outcome::fail(format!(
                    "the token's HMAC secret is in usher's dictionary of weak secrets (found offline, \
                     {secret_fp}): anyone can sign any claims"
                ))
                .with("token", token_fp)
                .with("alg", h.jwt.alg().to_string())
                .with("secret", secret_fp)
                .with("candidates tried", (dict.len() + derived.len()).to_string());
            }
            if h.jwt.alg().starts_with("HS") {
                return Outcome::pass(format!(
                    "the token's {} secret is none of the {} weak secrets usher tried offline",
                    h.jwt.alg(),
                    dict.len() + derived.len()
                ))
                .with("token", token_fp);
            }
            notes.push((
                "issued alg".into(),
                format!(
                    "{} (no HMAC secret to crack): HS256 tokens signed with the {GUESSED_SECRETS} commonest \
                     weak secrets replayed instead",
                    h.jwt.alg()
                ),
            ));
        }
        JwtFamily::KeyConfusion => {
            match super::key_confusion::public_key(ctx, persona, &h, args.other.as_deref()).await {
                Ok((doc, found)) => {
                    notes.extend(found);
                    inputs.published_keys = Some(doc);
                }
                Err(o) => return o,
            }
        }
        JwtFamily::HeaderKeys => {
            let key = match crate::jwt::AttackerKey::generate() {
                Ok(k) => Arc::new(k),
                Err(e) => {
                    return Outcome::error(format!("usher's key pair could not be made: {e}"));
                }
            };
            match KeyOrigin::start(key.jwks(), key.certificate_pem().to_string()).await {
                Ok(o) => {
                    inputs.jku_url = Some(format!("{}{JWKS_PATH}", o.origin()));
                    inputs.x5u_url = Some(format!("{}{CERT_PATH}", o.origin()));
                    origin = Some(o);
                }
                Err(e) => {
                    return Outcome::error(format!("usher's key origin could not start: {e}"));
                }
            }
            inputs.attacker_key = Some(key);
        }
        JwtFamily::Signature | JwtFamily::AlgNone => {}
    }
    let wanted = families(args.family);
    // A forger writes any claims: every forgery carries an `exp` an hour ahead, so none is refused for
    // having expired while the replays run (a refusal must mean the forgery was seen through).
    let ahead = |mut m: Map<String, Value>| {
        if h.jwt.claims.contains_key("exp") {
            m.insert("exp".into(), Value::from(now_secs() + 3600));
        }
        m
    };
    let batches: Vec<(Option<Map<String, Value>>, bool)> = std::iter::once((
        h.jwt.claims.contains_key("exp").then(|| ahead(Map::new())),
        false,
    ))
    .chain(change.clone().map(|c| (Some(ahead(c)), true)))
    .collect();
    let make = |inputs: &ForgeInputs| -> Vec<(Forgery, bool)> {
        let mut all = Vec::new();
        for (claims, other) in &batches {
            let mut i = inputs.clone();
            i.claim_change = claims.clone();
            let made: Vec<Forgery> = if args.family == JwtFamily::WeakSecret {
                crate::jwt::weak_secrets()
                    .iter()
                    .take(GUESSED_SECRETS)
                    .flat_map(|s| {
                        let mut j = i.clone();
                        j.cracked_secret = Some(s.clone());
                        crate::jwt::forgeries(&h.jwt, &j)
                    })
                    .collect()
            } else {
                crate::jwt::forgeries(&h.jwt, &i)
            };
            all.extend(
                made.into_iter()
                    .filter(|f| wanted.contains(&f.family))
                    .map(|f| (f, *other)),
            );
        }
        all
    };
    let forged = make(&inputs);
    if forged.is_empty() {
        if let Some(o) = origin {
            o.stop().await;
        }
        return Outcome::error(format!(
            "no {} forgery could be made from this token",
            args.family.name()
        ));
    }
    let mut accepted = Vec::new();
    let mut problems = Vec::new();
    for (f, other) in &forged {
        ctx.run
            .redactor
            .register(crate::redact::Kind::Token, &f.token);
        match h.oracle.ask(Some(&f.token)).await {
            Ok(a) => {
                if let Some(p) = a.accepted() {
                    accepted.push((f, *other, p.to_string()));
                }
            }
            Err(e) => problems.push(e),
        }
    }
    let fetched = origin.as_ref().map(|o| o.fetches());
    if let Some(o) = origin {
        o.stop().await;
    }
    let tried = forged.len();
    let mut o = if !accepted.is_empty() {
        let mut o = Outcome::fail(format!(
            "{} of {tried} {} forgeries of {persona}'s token were accepted by {}",
            accepted.len(),
            args.family.name(),
            h.oracle.endpoint
        ));
        for (f, other, p) in accepted.iter().take(12) {
            o = o.with(
                format!("accepted as {p}"),
                format!(
                    "{}: {}{} ({})",
                    f.family,
                    f.label,
                    if *other {
                        ", another account's claims"
                    } else {
                        ""
                    },
                    fp(ctx, &f.token)
                ),
            );
        }
        o
    } else if !problems.is_empty() {
        return Outcome::error(format!(
            "{} of {tried} forged tokens could not be replayed: {}",
            problems.len(),
            problems[0]
        ));
    } else {
        Outcome::pass(format!(
            "all {tried} {} forgeries of {persona}'s token were refused{}",
            args.family.name(),
            if change.is_some() {
                " (as the victim and with another account's claims)"
            } else {
                ""
            }
        ))
    };
    for (k, v) in notes {
        o = o.with(k, v);
    }
    if let Some(n) = fetched {
        o = o.with("usher's key origin (jku/x5u)", format!("fetched {n} times"));
    }
    o.evidence.extend(evidence);
    o.with("token", token_fp)
        .measure(Measure::ForgeriesTried, tried)
        .measure(Measure::ForgeriesAccepted, accepted.len())
}

/// The other persona's identity claims (those that differ from the victim's, per-token claims left
/// out), read from its own token: the forgeries then name that account.
async fn claim_change(
    ctx: &mut FlowCtx,
    h: &Held,
    other: &str,
) -> Result<Map<String, Value>, Outcome> {
    let theirs = match ctx.read_token(other).await {
        Ok(t) if !t.is_empty() => t,
        Ok(_) => {
            return Err(Outcome::error(format!(
                "{other} holds no token whose claims the forgeries could carry; log {other} in first"
            )));
        }
        Err(e) => return Err(Outcome::from_step_error("jwt_forgery", e)),
    };
    let raw = theirs.values().next().unwrap_or_default();
    let text = raw[super::api_oracle::scheme_prefix(raw).len()..].trim();
    let jwt = Jwt::parse(text).map_err(|e| {
        Outcome::error(format!(
            "{other}'s token is not a JWT ({e}), unlike the victim's"
        ))
    })?;
    let change: Map<String, Value> = jwt
        .claims
        .iter()
        .filter(|(k, v)| !PER_TOKEN.contains(&k.as_str()) && h.jwt.claims.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if change.is_empty() {
        return Err(Outcome::error(format!(
            "{other}'s token carries the same identity claims as the victim's: impersonation cannot be tried"
        )));
    }
    Ok(change)
}
