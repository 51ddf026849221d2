//! Proves Ticketbooth's token app (`--auth jwt`, docs/demo-jwt.md) at HTTP level: the secure app holds
//! every protection of issue 17 (forgeries refused after the controls are proved, short-lived tokens
//! refused once expired, refresh rotation with reuse detection, logout and password change revoking
//! both tokens, a clean payload), each JWT flaw alone breaks its own protection and no other, and all
//! of them together break all. The forgeries are written here by hand (base64, hmac, rsa), as a tester
//! would, independent of usher's own attack library. One run in real Chromium logs in through the SPA
//! form with the bundled profile (`check_profile_logs_in_through_the_spa`).

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use futures::future::join_all;
use hmac::{Hmac, Mac};
use reqwest::header::{AUTHORIZATION, COOKIE, SET_COOKIE};
use reqwest::{Client, StatusCode};
use rsa::pkcs8::{EncodePublicKey, LineEnding};
use rsa::{BigUint, RsaPublicKey};
use serde_json::{Value, json};
use sha2::Sha256;
use usher::demo::{DemoConfig, JwtConfig, JwtFlaw, JwtFlawSet, RunningDemo, TokenStorage};

use crate::support::switches;
use crate::support::usher::{ALICE, MALLORY, UsherCommand, quiet_usher, show};

/// Short enough to wait out in a test; whole seconds because `exp` counts in seconds.
const TTL: Duration = Duration::from_secs(1);

/// A token app and a client that resolves its host to loopback and keeps no cookies (the tests pass
/// the refresh cookie by hand, as an attacker who stole it would).
struct Api {
    demo: RunningDemo,
    client: Client,
}

/// What a login, refresh or password change hands out.
#[derive(Debug, Clone)]
struct Pair {
    access: String,
    refresh: String,
    set_cookies: Vec<String>,
}

impl Api {
    async fn start(flaws: JwtFlawSet, storage: TokenStorage) -> Api {
        let demo = usher::demo::start(DemoConfig {
            jwt: Some(JwtConfig {
                flaws,
                storage,
                access_ttl: TTL,
                ..JwtConfig::default()
            }),
            ..DemoConfig::default()
        })
        .await
        .expect("Ticketbooth starts");
        let host = url::Url::parse(&demo.base_url()).unwrap();
        let client = Client::builder()
            .resolve(host.host_str().unwrap(), demo.addr())
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(20))
            .build()
            .unwrap();
        Api { demo, client }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.demo.base_url())
    }

    fn flaws(&self) -> JwtFlawSet {
        self.demo.config().jwt.as_ref().unwrap().flaws
    }

    /// A pair from an answer, or None when it was refused.
    async fn pair(response: reqwest::Response) -> Option<Pair> {
        if response.status() != StatusCode::OK {
            return None;
        }
        let set_cookies: Vec<String> = response
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(String::from))
            .collect();
        let refresh = set_cookies
            .iter()
            .find_map(|c| c.strip_prefix("tb_refresh="))
            .map(|c| c.split(';').next().unwrap().to_string())
            .expect("a refresh cookie");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["token_type"], "Bearer");
        Some(Pair {
            access: body["access_token"].as_str().unwrap().to_string(),
            refresh,
            set_cookies,
        })
    }

    async fn login(&self, email: &str, password: &str) -> Pair {
        let response = self
            .client
            .post(self.url("/api/login"))
            .json(&json!({"email": email, "password": password}))
            .send()
            .await
            .unwrap();
        Api::pair(response).await.expect("the login is taken")
    }

    /// Whose account `/api/me` says the token is; None when it is refused (401).
    async fn me(&self, token: &str) -> Option<String> {
        let response = self
            .client
            .get(self.url("/api/me"))
            .header(AUTHORIZATION, format!("Bearer {token}"))
            .send()
            .await
            .unwrap();
        match response.status() {
            StatusCode::OK => Some(
                response.json::<Value>().await.unwrap()["email"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            ),
            StatusCode::UNAUTHORIZED => None,
            other => panic!("/api/me answered {other}"),
        }
    }

    async fn refresh(&self, refresh: &str) -> Option<Pair> {
        let response = self
            .client
            .post(self.url("/api/token/refresh"))
            .header(COOKIE, format!("tb_refresh={refresh}"))
            .send()
            .await
            .unwrap();
        Api::pair(response).await
    }

    async fn logout(&self, pair: &Pair) {
        let response = self
            .client
            .post(self.url("/api/logout"))
            .header(AUTHORIZATION, format!("Bearer {}", pair.access))
            .header(COOKIE, format!("tb_refresh={}", pair.refresh))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }

    async fn change_password(&self, pair: &Pair, current: &str, new: &str) -> Pair {
        let response = self
            .client
            .post(self.url("/api/password"))
            .header(AUTHORIZATION, format!("Bearer {}", pair.access))
            .json(&json!({"current": current, "new": new}))
            .send()
            .await
            .unwrap();
        Api::pair(response)
            .await
            .expect("the password change is taken")
    }

    async fn jwks(&self) -> Value {
        let response = self
            .client
            .get(self.url("/.well-known/jwks.json"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }
}

const ALICE_EMAIL: &str = "alice@ticketbooth.test";
const MALLORY_EMAIL: &str = "mallory@ticketbooth.test";

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A token's header and claims, decoded.
fn decode(token: &str) -> (Value, Value) {
    let mut parts = token.split('.');
    let mut part =
        || serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts.next().unwrap()).unwrap()).unwrap();
    (part(), part())
}

fn encode(header: &Value, claims: &Value) -> String {
    format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    )
}

fn hs256(header_alg: &str, claims: &Value, secret: &[u8]) -> String {
    let input = encode(&json!({"alg": header_alg, "typ": "JWT"}), claims);
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap();
    mac.update(input.as_bytes());
    format!("{input}.{}", b64(&mac.finalize().into_bytes()))
}

/// Alice's claims with Mallory's `sub` and `email`: a forgery that works makes `/api/me` say Mallory.
async fn as_mallory(api: &Api, alice: &str) -> Value {
    let mallory = api.login(MALLORY_EMAIL, MALLORY).await;
    let (_, theirs) = decode(&mallory.access);
    let (_, mut claims) = decode(alice);
    claims["sub"] = theirs["sub"].clone();
    claims["email"] = theirs["email"].clone();
    claims
}

/// The controls a forgery is judged against: Alice's own token is Alice, the same token with a
/// corrupted signature and no token at all are nobody. Without them a refused forgery proves nothing.
async fn controls(api: &Api) -> String {
    let alice = api.login(ALICE_EMAIL, ALICE).await.access;
    assert_eq!(
        api.me(&alice).await.as_deref(),
        Some(ALICE_EMAIL),
        "the original token is Alice"
    );
    let (signed, signature) = alice.rsplit_once('.').unwrap();
    let mut corrupted = URL_SAFE_NO_PAD.decode(signature).unwrap();
    corrupted[0] ^= 1;
    // `jwt-signature-unchecked` takes any signature: that is its flaw, judged by its own probe.
    if !api.flaws().contains(JwtFlaw::SignatureUnchecked) {
        assert_eq!(
            api.me(&format!("{signed}.{}", b64(&corrupted))).await,
            None,
            "a corrupted signature is refused"
        );
    }
    let anonymous = api.client.get(api.url("/api/me")).send().await.unwrap();
    assert_eq!(
        anonymous.status(),
        StatusCode::UNAUTHORIZED,
        "no token is refused"
    );
    alice
}

/// Does the protection that `flaw` switches off hold on this app?
async fn holds(flaw: JwtFlaw, api: &Api) -> bool {
    match flaw {
        JwtFlaw::AlgNone => alg_none_refused(api).await,
        JwtFlaw::SignatureUnchecked => tampered_claims_refused(api).await,
        JwtFlaw::WeakSecret => weak_secret_refused(api).await,
        JwtFlaw::KeyConfusion => key_confusion_refused(api).await,
        JwtFlaw::NoExpiry => token_has_exp(api).await,
        JwtFlaw::LongExpiry => lifetime_is_short(api).await,
        JwtFlaw::NoRevocation => logout_and_password_change_revoke(api).await,
        JwtFlaw::RefreshNotRotated => refresh_rotates(api).await,
        JwtFlaw::RefreshReuseUndetected => reuse_revokes_the_family(api).await,
        JwtFlaw::SensitiveClaims => payload_is_clean(api).await,
    }
}

/// The protections `flaw` breaks: its own; a token without `exp` also has no short lifetime; a
/// refresh token that is never used up can also be used again (there is no reuse to detect).
fn breaks(flaw: JwtFlaw, protection: JwtFlaw) -> bool {
    flaw == protection
        || (flaw, protection) == (JwtFlaw::NoExpiry, JwtFlaw::LongExpiry)
        || (flaw, protection) == (JwtFlaw::RefreshNotRotated, JwtFlaw::RefreshReuseUndetected)
}

/// `alg: none` in every case spelling, with and without the trailing dot: all refused.
async fn alg_none_refused(api: &Api) -> bool {
    let alice = controls(api).await;
    let (_, claims) = decode(&alice);
    let mut accepted = false;
    for alg in ["none", "None", "NONE", "nOnE"] {
        let unsigned = encode(&json!({"alg": alg, "typ": "JWT"}), &claims);
        for token in [format!("{unsigned}."), unsigned.clone()] {
            accepted |= api.me(&token).await.is_some();
        }
    }
    !accepted
}

/// Alice's token with Mallory's `sub`, the header and signature left as issued.
async fn tampered_claims_refused(api: &Api) -> bool {
    let alice = controls(api).await;
    let claims = as_mallory(api, &alice).await;
    let (header, _) = decode(&alice);
    let signature = alice.rsplit('.').next().unwrap();
    let tampered = format!("{}.{signature}", encode(&header, &claims));
    api.me(&tampered).await.is_none()
}

/// Mallory's claims signed HS256 with jwt.io's example secret.
async fn weak_secret_refused(api: &Api) -> bool {
    let alice = controls(api).await;
    let claims = as_mallory(api, &alice).await;
    let forged = hs256("HS256", &claims, b"your-256-bit-secret");
    api.me(&forged).await.is_none()
}

/// Mallory's claims signed HS256 with the RSA public key from the JWKS, as SPKI PEM text.
async fn key_confusion_refused(api: &Api) -> bool {
    let alice = controls(api).await;
    let claims = as_mallory(api, &alice).await;
    let jwks = api.jwks().await;
    let key = &jwks["keys"][0];
    let number = |name: &str| {
        BigUint::from_bytes_be(&URL_SAFE_NO_PAD.decode(key[name].as_str().unwrap()).unwrap())
    };
    let public = RsaPublicKey::new(number("n"), number("e")).unwrap();
    let pem = public.to_public_key_pem(LineEnding::LF).unwrap();
    let forged = hs256("HS256", &claims, pem.as_bytes());
    api.me(&forged).await.is_none()
}

async fn issued_claims(api: &Api) -> Value {
    let pair = api.login(ALICE_EMAIL, ALICE).await;
    decode(&pair.access).1
}

async fn token_has_exp(api: &Api) -> bool {
    issued_claims(api).await["exp"].is_u64()
}

/// `exp − iat` no longer than the configured TTL; a token without `exp` lives forever.
async fn lifetime_is_short(api: &Api) -> bool {
    let claims = issued_claims(api).await;
    match (claims["exp"].as_u64(), claims["iat"].as_u64()) {
        (Some(exp), Some(iat)) => exp - iat <= TTL.as_secs(),
        _ => false,
    }
}

/// After logout, its access and refresh tokens are refused; after a password change, the tokens of
/// another login of the account are refused (replayed over HTTP, as an attacker who kept them would).
async fn logout_and_password_change_revoke(api: &Api) -> bool {
    let carol = "carol@ticketbooth.test";
    let password = "carol-demo-password";
    // The attacker's copy is an older access token of the login the page logs out of.
    let kept = api.login(carol, password).await;
    let latest = api
        .refresh(&kept.refresh)
        .await
        .expect("a refresh is taken");
    api.logout(&latest).await;
    let logout_revokes = api.me(&kept.access).await.is_none()
        && api.me(&latest.access).await.is_none()
        && api.refresh(&latest.refresh).await.is_none();

    let stolen = api.login(carol, password).await;
    let own = api.login(carol, password).await;
    let changed = api
        .change_password(&own, password, "carol-new-password")
        .await;
    let change_revokes = api.me(&stolen.access).await.is_none()
        && api.refresh(&stolen.refresh).await.is_none()
        && api.me(&own.access).await.is_none();
    // The caller keeps a working pair, and the account gets its password back for the next probe.
    assert_eq!(
        api.me(&changed.access).await.as_deref(),
        Some(carol),
        "the new pair works"
    );
    api.change_password(&changed, "carol-new-password", password)
        .await;
    logout_revokes && change_revokes
}

async fn refresh_rotates(api: &Api) -> bool {
    let first = api.login(ALICE_EMAIL, ALICE).await;
    let next = api
        .refresh(&first.refresh)
        .await
        .expect("a refresh is taken");
    assert_eq!(
        api.me(&next.access).await.as_deref(),
        Some(ALICE_EMAIL),
        "the refreshed token is Alice"
    );
    next.refresh != first.refresh
}

/// A used-up refresh token presented again is refused, and revokes the newer one of its family.
async fn reuse_revokes_the_family(api: &Api) -> bool {
    let first = api.login(ALICE_EMAIL, ALICE).await;
    let next = api
        .refresh(&first.refresh)
        .await
        .expect("a refresh is taken");
    let reuse_refused = api.refresh(&first.refresh).await.is_none();
    let newer_revoked = api.refresh(&next.refresh).await.is_none();
    reuse_refused && newer_revoked
}

/// Only the registered claims and the display ones: no hash, no phone.
async fn payload_is_clean(api: &Api) -> bool {
    let claims = issued_claims(api).await;
    let names: Vec<&str> = claims
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    names
        .iter()
        .all(|n| ["sub", "email", "name", "iat", "exp", "jti"].contains(n))
}

async fn protections(flaws: JwtFlawSet) -> Vec<(JwtFlaw, bool)> {
    let api = Api::start(flaws, TokenStorage::Memory).await;
    let mut out = Vec::new();
    // One after another: the revocation probe changes a password the others must not see changing.
    for flaw in JwtFlaw::ALL {
        out.push((flaw, holds(flaw, &api).await));
    }
    api.demo.shutdown().await;
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn each_jwt_flaw_breaks_its_own_protection_and_no_other() {
    let secure = protections(JwtFlawSet::none()).await;
    let broken: Vec<_> = secure.iter().filter(|(_, held)| !held).collect();
    assert!(broken.is_empty(), "the secure token app breaks {broken:?}");

    let runs = join_all(
        JwtFlaw::ALL.map(|flaw| async move { (flaw, protections(JwtFlawSet::only(flaw)).await) }),
    )
    .await;
    let mut wrong = Vec::new();
    for (flaw, got) in runs {
        wrong.extend(switches::mismatches(
            &format!("`{flaw}`"),
            "the protection against",
            &got,
            |p| !breaks(flaw, p),
            ["holds but should break", "breaks but should hold"],
        ));
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));

    let all = protections(JwtFlawSet::all()).await;
    let held: Vec<_> = all.iter().filter(|(_, held)| *held).collect();
    assert!(
        held.is_empty(),
        "with every JWT flaw these still hold: {held:?}"
    );
}

/// A token the app issued with a 1 s lifetime is refused once it ran out; under `jwt-no-expiry` the
/// same wait changes nothing.
#[tokio::test(flavor = "multi_thread")]
async fn an_expired_access_token_is_refused_and_a_token_without_exp_is_not() {
    let (secure, forever) = tokio::join!(
        Api::start(JwtFlawSet::none(), TokenStorage::Memory),
        Api::start(JwtFlawSet::only(JwtFlaw::NoExpiry), TokenStorage::Memory)
    );
    let (a, b) = tokio::join!(
        secure.login(ALICE_EMAIL, ALICE),
        forever.login(ALICE_EMAIL, ALICE)
    );
    assert_eq!(secure.me(&a.access).await.as_deref(), Some(ALICE_EMAIL));
    assert_eq!(forever.me(&b.access).await.as_deref(), Some(ALICE_EMAIL));
    // `exp` is in whole seconds and a token is valid through its `exp` second.
    tokio::time::sleep(TTL * 2 + Duration::from_millis(200)).await;
    assert_eq!(
        secure.me(&a.access).await,
        None,
        "the expired token is refused"
    );
    assert_eq!(
        forever.me(&b.access).await.as_deref(),
        Some(ALICE_EMAIL),
        "no exp, no expiry"
    );
    // The refresh token outlives the access token: the page gets a new one.
    let again = secure
        .refresh(&a.refresh)
        .await
        .expect("the refresh token still works");
    assert_eq!(secure.me(&again.access).await.as_deref(), Some(ALICE_EMAIL));
}

/// Under `jwt-sensitive-claims` the payload carries the password hash and the phone number.
#[tokio::test(flavor = "multi_thread")]
async fn the_sensitive_claims_are_the_hash_and_the_phone() {
    let api = Api::start(
        JwtFlawSet::only(JwtFlaw::SensitiveClaims),
        TokenStorage::Memory,
    )
    .await;
    let claims = issued_claims(&api).await;
    let hash = claims["password_hash"]
        .as_str()
        .expect("a password hash claim");
    assert_eq!(hash.len(), 64, "a SHA-256 in hex");
    assert!(
        claims["phone"]
            .as_str()
            .expect("a phone claim")
            .starts_with("+1-202-555-01")
    );
}

/// Where the token lives: the refresh cookie is HttpOnly and scoped to the API; only the cookie mode
/// sets `tb_access` and takes it without the header; the page tells the script which mode it is.
#[tokio::test(flavor = "multi_thread")]
async fn token_storage_modes_set_and_take_the_cookies_they_say() {
    let (memory, cookie) = tokio::join!(
        Api::start(JwtFlawSet::none(), TokenStorage::Memory),
        Api::start(JwtFlawSet::none(), TokenStorage::Cookie)
    );
    let in_memory = memory.login(ALICE_EMAIL, ALICE).await;
    let refresh = in_memory
        .set_cookies
        .iter()
        .find(|c| c.starts_with("tb_refresh="))
        .unwrap();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/api"] {
        assert!(refresh.contains(attribute), "{attribute} in {refresh}");
    }
    assert!(
        !in_memory
            .set_cookies
            .iter()
            .any(|c| c.starts_with("tb_access="))
    );
    let in_cookie = cookie.login(ALICE_EMAIL, ALICE).await;
    let access = in_cookie
        .set_cookies
        .iter()
        .find(|c| c.starts_with("tb_access="))
        .expect("an access cookie");
    assert!(access.contains("HttpOnly"), "{access}");
    let with_cookie = |api: &Api, token: &str| {
        api.client
            .get(api.url("/api/me"))
            .header(COOKIE, format!("tb_access={token}"))
            .send()
    };
    assert_eq!(
        with_cookie(&cookie, &in_cookie.access)
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        with_cookie(&memory, &in_memory.access)
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED,
        "memory mode takes the header only"
    );
    for (api, mode) in [(&memory, "memory"), (&cookie, "cookie")] {
        let page = api
            .client
            .get(api.url("/account"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains(&format!(r#"data-token-storage="{mode}""#)),
            "{page}"
        );
    }
}

#[test]
fn the_cli_lists_the_jwt_flaws_and_refuses_what_the_token_app_does_not_take() {
    let listed = quiet_usher()
        .args(["demo", "serve", "--list-flaws"])
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&listed.stdout).to_string();
    for flaw in JwtFlaw::ALL {
        let line = listed
            .lines()
            .find(|l| l.starts_with(flaw.name()))
            .unwrap_or_else(|| panic!("{flaw} in {listed}"));
        assert!(line.contains(flaw.description()), "{line}");
    }
    let help = quiet_usher()
        .args(["demo", "serve", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout).to_string();
    assert!(
        help.contains("--auth")
            && help.contains("--token-storage")
            && help.contains("--access-ttl"),
        "{help}"
    );
    for (args, says) in [
        (&["--flaws", "jwt-alg-none"][..], "add --auth jwt"),
        (
            &["--auth", "jwt", "--flaws", "fixation"][..],
            "flaws of the cookie app",
        ),
        (&["--auth", "jwt", "--shape", "mounted"][..], "--shape"),
        (&["--token-storage", "local"][..], "needs --auth jwt"),
    ] {
        let out = quiet_usher()
            .args(["demo", "serve", "--port", "0"])
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", show(&out));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(says),
            "{args:?}: {}",
            show(&out)
        );
    }
}

/// The one browser run: the bundled profile logs both personas in through the SPA's form in headless
/// Chromium, and the page shows each account in `#whoami` once the script fetched `/api/me`.
#[tokio::test(flavor = "multi_thread")]
async fn check_profile_logs_in_through_the_spa() {
    let api = Api::start(JwtFlawSet::none(), TokenStorage::Memory).await;
    let out = quiet_usher()
        .args([
            "check-profile",
            "scenarios/ticketbooth-jwt/app.yaml",
            "--target",
            &api.demo.base_url(),
        ])
        .ticketbooth_secrets()
        .run();
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    for persona in ["victim", "attacker"] {
        let whoami = format!(
            "ok   {persona}: the oracle page shows the account's username (judged by the profile's `identity` `#whoami`)"
        );
        assert!(stdout.contains(&whoami), "{}", show(&out));
        let header = format!(
            "ok   {persona}: the session token is where the profile says (request header `Authorization`)"
        );
        assert!(stdout.contains(&header), "{}", show(&out));
    }
    api.demo.shutdown().await;
}

/// As the cookie app evicts its oldest session, a login beyond the account's cap (3) ends the oldest
/// login: its access tokens and its refresh family are refused, the newer logins still work.
#[tokio::test(flavor = "multi_thread")]
async fn a_login_beyond_the_cap_ends_the_oldest_one() {
    let api = Api::start(JwtFlawSet::none(), TokenStorage::Memory).await;
    let (dave, password) = ("dave@ticketbooth.test", "dave-demo-password");
    let mut pairs = Vec::new();
    for _ in 0..4 {
        pairs.push(api.login(dave, password).await);
    }
    assert_eq!(
        api.me(&pairs[0].access).await,
        None,
        "the oldest login ended"
    );
    assert!(api.refresh(&pairs[0].refresh).await.is_none());
    for p in &pairs[1..] {
        assert_eq!(api.me(&p.access).await.as_deref(), Some(dave));
    }
    api.demo.shutdown().await;
}
