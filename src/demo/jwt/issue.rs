//! Issuing access tokens: RS256 with the demo key through jsonwebtoken, or what a lifetime, secret or
//! payload flaw makes of them.

use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use rand::RngCore;

use super::claims::{Claims, demo_phone, display_name};
use super::config::JwtConfig;
use super::flaws::JwtFlaw;
use super::keys::{KID, Keys, WEAK_SECRET};
use crate::demo::accounts::User;

pub struct Issued {
    pub token: String,
    pub jti: String,
    /// Seconds until `exp`; none without `exp`.
    pub expires_in: Option<u64>,
}

pub fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

pub fn issue(config: &JwtConfig, keys: &Keys, user: &User) -> Issued {
    let mut jti = [0u8; 16];
    rand::rng().fill_bytes(&mut jti);
    let jti = hex::encode(jti);
    let iat = now_secs();
    // A TTL under a second still expires: rounded up, never to 0.
    let expires_in = config
        .token_lifetime()
        .map(|d| d.as_secs_f64().ceil().max(1.0) as u64);
    let sensitive = config.flaws.contains(JwtFlaw::SensitiveClaims);
    let claims = Claims {
        sub: user.id.to_string(),
        email: user.email.clone(),
        name: display_name(&user.email),
        iat,
        exp: expires_in.map(|s| iat + s),
        jti: Some(jti.clone()),
        password_hash: sensitive.then(|| user.password_hash_hex()),
        phone: sensitive.then(|| demo_phone(user.id)),
    };
    let token = if config.flaws.contains(JwtFlaw::WeakSecret) {
        let header = Header::new(Algorithm::HS256);
        encode(
            &header,
            &claims,
            &EncodingKey::from_secret(WEAK_SECRET.as_bytes()),
        )
    } else {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(KID.to_string());
        encode(&header, &claims, &keys.encoding)
    }
    .expect("signing with the demo keys does not fail");
    Issued {
        token,
        jti,
        expires_in,
    }
}
