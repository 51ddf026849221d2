//! Offline HMAC secret guessing against the token's own signature (what `jwt_tool -C -d` and hashcat
//! mode 16500 do). Needs no request to the app: a found secret is certain, not a guess.

use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};

use super::token::Jwt;

fn matches<M: Mac + KeyInit>(key: &[u8], input: &[u8], signature: &[u8]) -> bool {
    let mut mac = <M as KeyInit>::new_from_slice(key).expect("HMAC takes any key");
    mac.update(input);
    mac.verify_slice(signature).is_ok()
}

/// The first candidate that reproduces the token's signature with the token's HMAC alg (HS256, HS384
/// or HS512), or `None` (also for a token that is not HMAC-signed). The caller must show a found
/// secret only as a fingerprint.
pub fn crack_hs256<I, S>(jwt: &Jwt, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let check: fn(&[u8], &[u8], &[u8]) -> bool = match jwt.alg() {
        "HS256" => matches::<Hmac<sha2::Sha256>>,
        "HS384" => matches::<Hmac<sha2::Sha384>>,
        "HS512" => matches::<Hmac<sha2::Sha512>>,
        _ => return None,
    };
    if jwt.signature.is_empty() {
        return None;
    }
    let input = jwt.signing_input();
    candidates
        .into_iter()
        .find(|c| check(c.as_ref().as_bytes(), input.as_bytes(), &jwt.signature))
        .map(|c| c.as_ref().to_string())
}

/// Common top-level and second-level labels that say nothing about the app.
const GENERIC_LABELS: &[&str] = &[
    "www",
    "com",
    "net",
    "org",
    "io",
    "dev",
    "app",
    "co",
    "uk",
    "de",
    "fr",
    "eu",
    "info",
    "biz",
    "local",
    "internal",
    "lan",
    "test",
    "example",
    "localdomain",
    "api",
    "auth",
];

/// Secrets a developer derives from the app's name: `tickets.example.com` gives `tickets`,
/// `tickets-secret`, `TICKETS_JWT_SECRET`, `example.com`, … (ports and IP addresses give nothing).
pub fn host_secrets(host: &str) -> Vec<String> {
    let host = host
        .trim()
        .trim_start_matches("http://")
        .trim_start_matches("https://");
    let host = host.split(['/', '?', '#']).next().unwrap_or("");
    let host = match host.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
        _ => host,
    }
    .trim_matches(['[', ']'])
    .to_ascii_lowercase();
    if host.is_empty() || host.parse::<std::net::IpAddr>().is_ok() {
        return Vec::new();
    }
    let labels: Vec<&str> = host.split('.').filter(|l| !l.is_empty()).collect();
    let mut bases: Vec<String> = vec![host.clone()];
    if labels.len() > 1 {
        bases.push(labels[..labels.len() - 1].join("."));
        bases.push(labels[labels.len() - 2..].join("."));
    }
    for label in &labels {
        if !GENERIC_LABELS.contains(label) && !label.chars().all(|c| c.is_ascii_digit()) {
            bases.push((*label).to_string());
            if label.contains('-') {
                bases.push(label.replace('-', ""));
                bases.push(label.replace('-', "_"));
            }
        }
    }
    let mut out: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut add = |s: String| {
        if seen.insert(s.clone()) {
            out.push(s);
        }
    };
    const SUFFIXES: &[&str] = &[
        "",
        "secret",
        "-secret",
        "_secret",
        "key",
        "-key",
        "_key",
        "jwt",
        "-jwt",
        "_jwt",
        "-jwt-secret",
        "_jwt_secret",
        "jwtsecret",
        "-secret-key",
        "_secret_key",
        "123",
        "!",
        "1",
        "-dev",
        "_dev",
        "-prod",
        "_prod",
        "-token",
        "_token",
        "2024",
        "2025",
        "2026",
    ];
    for base in &bases {
        for suffix in SUFFIXES {
            let s = format!("{base}{suffix}");
            add(s.to_ascii_uppercase().replace(['-', '.'], "_"));
            let mut cap = s.clone();
            if let Some(first) = cap.get_mut(..1) {
                first.make_ascii_uppercase();
            }
            add(cap);
            add(s);
        }
        add(format!("secret-{base}"));
        add(format!("{base}-{base}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jwt::forge::hmac_sign;
    use crate::jwt::token::b64;

    fn hs(alg: &str, secret: &str) -> Jwt {
        let header = b64(format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#).as_bytes());
        let claims = b64(br#"{"sub":"42"}"#);
        let input = format!("{header}.{claims}");
        let sig = hmac_sign(alg, secret.as_bytes(), input.as_bytes());
        Jwt::parse(&format!("{input}.{}", b64(&sig))).unwrap()
    }

    #[test]
    fn finds_the_secret_for_each_hmac_alg_and_nothing_else() {
        for alg in ["HS256", "HS384", "HS512"] {
            let jwt = hs(alg, "your-256-bit-secret");
            assert_eq!(
                crack_hs256(&jwt, ["nope", "your-256-bit-secret"]),
                Some("your-256-bit-secret".into())
            );
            assert_eq!(crack_hs256(&jwt, ["nope", "your-256-bit-secreT"]), None);
        }
        let strong = hs("HS256", "k9#Vq2!mZp7$Lw4@Xr8^Tn1&Hy6*Bc3%");
        assert_eq!(crack_hs256(&strong, crate::jwt::weak_secrets()), None);
    }

    #[test]
    fn host_names_give_app_secrets_and_ip_addresses_nothing() {
        let got = host_secrets("https://tickets.example.com:8443/login");
        for want in [
            "tickets",
            "tickets-secret",
            "TICKETS_JWT_SECRET",
            "example.com",
            "Tickets",
        ] {
            assert!(got.iter().any(|g| g == want), "{want} missing");
        }
        assert!(host_secrets("127.0.0.1:8080").is_empty());
        assert!(host_secrets("[::1]:8080").is_empty());
        let jwt = hs("HS256", "tickets_jwt_secret");
        assert_eq!(
            crack_hs256(&jwt, host_secrets("tickets.example.com")),
            Some("tickets_jwt_secret".into())
        );
    }
}
