//! The controls that prove the identity oracle before any token is judged by it: the original token is
//! accepted as its persona, and no token at all is refused. If either fails the oracle cannot tell an
//! accepted token from a refused one, and the check is ERROR, never PASS or FAIL.
//!
//! The corrupted-signature control (the original claims under a signature with one byte changed) is
//! separate: an API that accepts it verifies no signature at all. That is the finding of the
//! `signature` forgeries (FAIL there); for every other family it is a failed control (a forgery that
//! needs a bypass proves nothing where nothing is verified): ERROR naming the control, never PASS or
//! FAIL, as issue 17 asks.

use super::Held;
use super::api_oracle::Answer;
use crate::engine::checks::Outcome;
use crate::record::Evidence;

/// Runs the two oracle controls; their evidence, or the ERROR outcome.
pub async fn prove_oracle(held: &Held) -> Result<Vec<Evidence>, Outcome> {
    let original = held.oracle.ask(Some(&held.text)).await.map_err(|e| {
        Outcome::error(format!(
            "control: the original token could not be replayed: {e}"
        ))
    })?;
    if original.accepted() != Some(held.owner.as_str()) {
        return Err(Outcome::error(format!(
            "control failed: the original token replayed to {} was {}, not accepted as {}; the identity \
             oracle cannot be trusted, so no forgery is judged (is `api.identity` the call that answers \
             the logged-in user's username?)",
            held.oracle.endpoint,
            original.describe(),
            held.owner
        ))
        .with("identity endpoint", held.oracle.endpoint.to_string()));
    }
    let none =
        held.oracle.ask(None).await.map_err(|e| {
            Outcome::error(format!("control: the request without a token failed: {e}"))
        })?;
    if none.accepted().is_some() || matches!(none, Answer::Ambiguous(_)) {
        return Err(Outcome::error(format!(
            "control failed: {} without any token was {}; the identity oracle cannot tell a refused \
             token, so no forgery is judged",
            held.oracle.endpoint,
            none.describe()
        )));
    }
    Ok(vec![
        Evidence::new(
            "control: original token",
            format!("{} at {}", original.describe(), held.oracle.endpoint),
        ),
        Evidence::new("control: no token", none.describe()),
    ])
}

/// The original token with its signature corrupted (one character of the signature part changed, so
/// the decoded bytes change too), or `None` when it has no signature to corrupt.
pub fn corrupted_signature(text: &str) -> Option<String> {
    let (signing_input, sig) = text.rsplit_once('.')?;
    let mut chars: Vec<char> = sig.chars().collect();
    let first = chars.first_mut()?;
    *first = if *first == 'A' { 'B' } else { 'A' };
    Some(format!(
        "{signing_input}.{}",
        chars.into_iter().collect::<String>()
    ))
}

/// Whether the API accepts the corrupted-signature token as anyone (`Some(answer)`), else `None`.
pub async fn accepts_corrupted(held: &Held) -> Result<Option<Answer>, Outcome> {
    let Some(bad) = corrupted_signature(&held.text) else {
        return Ok(None);
    };
    let a = held.oracle.ask(Some(&bad)).await.map_err(|e| {
        Outcome::error(format!(
            "control: the corrupted-signature token could not be replayed: {e}"
        ))
    })?;
    Ok(a.accepted().is_some().then_some(a))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_corrupted_signature_differs_in_its_first_byte() {
        assert_eq!(corrupted_signature("h.p.Abc").as_deref(), Some("h.p.Bbc"));
        assert_eq!(corrupted_signature("h.p.xyz").as_deref(), Some("h.p.Ayz"));
        assert_eq!(corrupted_signature("h.p."), None);
    }
}
