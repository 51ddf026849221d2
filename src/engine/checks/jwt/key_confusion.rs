//! The public key of the `key_confusion` forgeries: the app's JWKS at its conventional path, or, when
//! it publishes none, the RSA key derived from two tokens it issued (the victim's and the other
//! persona's: `crate::jwt::recover`). Evidence says where the key came from, with the key's
//! fingerprint (the key is public; the tokens it came from are fingerprinted as ever).

use std::time::{Duration, Instant};

use rsa::pkcs8::{EncodePublicKey as _, LineEnding};
use rsa::traits::PublicKeyParts as _;
use serde_json::Value;

use super::{Held, fp};
use crate::engine::checks::Outcome;
use crate::engine::context::FlowCtx;
use crate::jwt::Jwt;

/// How long the derivation may take before the scenario is SKIPPED: a 2048-bit key with e = 65537
/// takes tens of seconds of one core (docs/PERFORMANCE.md, "JWT key recovery"); a 4096-bit key takes
/// several times longer, and a loaded machine stretches both.
const RECOVERY_BUDGET: Duration = Duration::from_secs(600);

/// The key as a text `key_confusion_secrets` reads (a JWKS document or a PEM) and the evidence that
/// says where it came from; or the outcome that ends the check.
pub(super) async fn public_key(
    ctx: &mut FlowCtx,
    persona: &str,
    h: &Held,
    other: Option<&str>,
) -> Result<(String, Vec<(String, String)>), Outcome> {
    if let Some((url, doc)) = published_keys(ctx, persona).await {
        return Ok((doc, vec![("public key".into(), format!("from {url}"))]));
    }
    let Some(other) = other else {
        return Err(Outcome::skipped(
            "the app publishes no JWKS at /.well-known/jwks.json, and the check names no second persona \
             (`other`) whose token the public key could be derived from",
        ));
    };
    let theirs = match ctx.read_token(other).await {
        Ok(t) if !t.is_empty() => t,
        Ok(_) => {
            return Err(Outcome::error(format!(
                "{other} holds no token to derive the app's public key from; log {other} in first"
            )));
        }
        Err(e) => return Err(Outcome::from_step_error("jwt_forgery", e)),
    };
    let raw = theirs.values().next().unwrap_or_default();
    let text = raw[super::api_oracle::scheme_prefix(raw).len()..].trim();
    let second = Jwt::parse(text).map_err(|e| {
        Outcome::error(format!(
            "{other}'s token is not a JWT ({e}), unlike the victim's"
        ))
    })?;
    let tokens = format!("{} and {}", fp(ctx, &h.text), fp(ctx, text));
    let first = h.jwt.clone();
    let started = Instant::now();
    let job = tokio::task::spawn_blocking(move || crate::jwt::recover(&first, &second));
    let key = match tokio::time::timeout(RECOVERY_BUDGET, job).await {
        Ok(Ok(Ok(key))) => key,
        Ok(Ok(Err(why))) => {
            return Err(Outcome::skipped(format!(
                "the app publishes no JWKS at /.well-known/jwks.json, and no public key could be derived \
                 from two of its tokens ({tokens}): {why}"
            )));
        }
        Ok(Err(e)) => return Err(Outcome::error(format!("the key derivation failed: {e}"))),
        Err(_) => {
            // The computation cannot be interrupted; its thread finishes on its own and is dropped.
            return Err(Outcome::skipped(format!(
                "the app publishes no JWKS at /.well-known/jwks.json, and deriving its public key from two \
                 tokens ({tokens}) took longer than {} s (a large key): key confusion not tried",
                RECOVERY_BUDGET.as_secs()
            )));
        }
    };
    let pem = key
        .to_public_key_pem(LineEnding::LF)
        .map_err(|e| Outcome::error(format!("the derived key could not be written as PEM: {e}")))?;
    let der = key
        .to_public_key_der()
        .map_err(|e| Outcome::error(format!("the derived key could not be encoded: {e}")))?;
    let key_fp = {
        use sha2::Digest as _;
        let digest = sha2::Sha256::digest(der.as_bytes());
        format!(
            "SHA256:{}",
            digest[..8]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        )
    };
    let note = format!(
        "derived from two issued tokens ({tokens}; no JWKS published): RSA-{} e = {}, key {key_fp}, in {:.1} s",
        key.n().bits(),
        key.e(),
        started.elapsed().as_secs_f64()
    );
    Ok((pem, vec![("public key".into(), note)]))
}

/// The app's published keys: its JWKS at the conventional path of its origin.
async fn published_keys(ctx: &FlowCtx, persona: &str) -> Option<(String, String)> {
    let url = ctx.url_of(persona, "/.well-known/jwks.json").ok()?;
    let resp = crate::engine::http_client::replay_client()
        .get(&url)
        .send()
        .await
        .ok()?;
    if !resp.status().is_success() {
        return None;
    }
    let body = resp.text().await.ok()?;
    let json: Value = serde_json::from_str(&body).ok()?;
    json.get("keys")?.as_array().filter(|k| !k.is_empty())?;
    Some((url, body))
}
