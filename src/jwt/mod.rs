//! JSON Web Tokens, attacked as a tester would with jwt_tool or Burp's JWT Editor: pure functions (no
//! network, no files, no engine), called by the engine's token scenarios (issue 17, OWASP WSTG-SESS-10,
//! ASVS V9).
//!
//! The API, in the order a scenario uses it:
//! - [`Jwt::parse`] reads a compact JWS (`header.claims.signature`, base64url with or without padding);
//!   anything else is a [`NotAJwt`] whose `Display` is the reason a scenario is SKIPPED with
//!   ("the token is not a JWT: …").
//! - [`forgeries`]`(&Jwt, &ForgeInputs) -> Vec<Forgery>`: every forged token of every [`Family`] that
//!   the inputs allow (see [`Family`] for the list and what each one needs). With
//!   [`ForgeInputs::claim_change`] set, every forgery carries the changed claims (another account's
//!   `sub`/`email`: impersonation); without it, the victim's claims are kept byte for byte.
//! - [`crack_hs256`] tries HMAC secrets (HS256/384/512, from the token's `alg`) against the token's own
//!   signature; [`weak_secrets`] is the dictionary usher ships and [`host_secrets`] the candidates
//!   derived from the app's host name; [`crack_with_shipped_list`] tries both. A cracked secret goes
//!   into [`ForgeInputs::cracked_secret`].
//! - [`AttackerKey`] is the RSA key pair usher signs the `jwk`/`jku`/`x5u` forgeries with; it also gives
//!   the JWKS document (for `jku`) and the self-signed certificate (for `x5u`) the caller serves at the
//!   URL it put in [`ForgeInputs`].
//! - [`corrupted_signature`] is the control token (the victim's, signature bit-flipped) a scenario
//!   must see refused before any forgery verdict counts.
//! - [`key_confusion_secrets`] turns a published JWKS into the PEM texts a confused verifier would use
//!   as an HMAC secret (SPKI and PKCS#1, LF and CRLF, with and without the final newline).
//! - [`lifetime`] (`iat`, `nbf`, `exp` as times), [`sensitive_claims`] (claim names that look secret or
//!   personal, with why; never the values) and [`describe`] (header and claim names, values only when
//!   they are not secret-like, token-like values as `src/redact.rs` fingerprints).
//!
//! Nothing here prints, logs or formats a token or a secret in clear: `Debug` of [`Jwt`], [`Forgery`]
//! and [`AttackerKey`] shows fingerprints, and forgery labels name secrets by fingerprint only.
//!
//! - [`recover_public_key`] (and [`recover`], with the reason when it fails) derives the server's RSA
//!   public key from two RS256/384/512 tokens when no JWKS is published: CPU-bound, tens of seconds
//!   for a 2048-bit key (see [`recovery`]); its PEM forms then go through [`key_confusion_secrets`].

mod claims;
mod crack;
mod dictionary;
mod forge;
mod keys;
pub mod recovery;
mod token;

pub use claims::{Description, Lifetime, SensitiveClaim, describe, lifetime, sensitive_claims};
pub use crack::{crack_hs256, crack_with_shipped_list, host_secrets};
pub use dictionary::weak_secrets;
pub use forge::{Family, ForgeInputs, Forgery, corrupted_signature, forgeries};
pub use keys::{AttackerKey, ConfusionKey, KeyError, key_confusion_secrets};
pub use recovery::{NotRecovered, recover, recover_public_key};
pub use token::{Jwt, NotAJwt};

#[cfg(test)]
mod tests;
