//! Proves every session-id family of Ticketbooth (`--session-ids`) at HTTP level: each issues ids of
//! its documented format to anonymous visitors and, rotated, at login, and every one is honoured as a
//! session; the insecure families are what they claim: `lcg` ids are java.util.Random (the test
//! recovers the generator from one id and predicts the next ones), `mt` ids are MT19937 (recovered from
//! 78 ids, the next one predicted), `counter-hash` ids are MD5 of the documented counter, `uuid1` ids
//! carry the issue time, and `signed-cookie` ids carry the user and the second, so two logins of one
//! user in one second get one cookie.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use md5::{Digest, Md5};
use usher::demo::{ACCOUNTS, COUNTER_START, DemoConfig, SessionIds};

use crate::support::ticketbooth::{Browser, PASSWORD, Target, UA};

async fn start(family: SessionIds) -> Target {
    Target::start(DemoConfig {
        session_ids: family,
        ..DemoConfig::default()
    })
    .await
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The id a fresh browser gets on the home page.
async fn anonymous_id(t: &Target) -> (Browser, String) {
    let mut b = t.browser();
    b.get("/").await;
    let id = b.session().expect("an anonymous session id");
    (b, id)
}

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The three parts of a signed cookie, decoded: the JSON payload, the seconds, the MAC.
fn signed_parts(id: &str) -> Result<(serde_json::Value, u32, Vec<u8>), String> {
    let parts: Vec<&str> = id.split('.').collect();
    let [payload, time, mac] = parts[..] else {
        return Err(format!("{} parts, not 3", parts.len()));
    };
    let decode = |p: &str| URL_SAFE_NO_PAD.decode(p).map_err(|e| e.to_string());
    let json = serde_json::from_slice(&decode(payload)?).map_err(|e| e.to_string())?;
    let time: [u8; 4] = decode(time)?
        .try_into()
        .map_err(|_| "time is not 4 bytes")?;
    Ok((json, u32::from_be_bytes(time), decode(mac)?))
}

fn uuid_secs(u: &uuid::Uuid) -> u64 {
    u.get_timestamp().expect("a v1 timestamp").to_unix().0
}

/// Whether `id` has `family`'s documented format; `user` is the (id-less) email of a logged-in owner.
fn check_format(family: SessionIds, id: &str, user: Option<&str>) -> Result<(), String> {
    let ok = match family {
        SessionIds::Csprng | SessionIds::Mt => is_hex(id, 64),
        SessionIds::Base36Short => {
            id.len() == 24
                && id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        }
        SessionIds::Lcg | SessionIds::CounterHash => is_hex(id, 32),
        SessionIds::Uuid1 => {
            let u = uuid::Uuid::parse_str(id).map_err(|e| e.to_string())?;
            id.len() == 36
                && id == id.to_ascii_lowercase()
                && u.get_version_num() == 1
                && u.get_variant() == uuid::Variant::RFC4122
                && uuid_secs(&u).abs_diff(unix_now()) <= 5
        }
        SessionIds::SignedCookie => {
            let (json, secs, mac) = signed_parts(id)?;
            let payload_ok = match user {
                None => {
                    json.as_object().map(|o| o.len()) == Some(1)
                        && json["sid"].as_str().is_some_and(|s| is_hex(s, 16))
                }
                Some(email) => {
                    json.as_object().map(|o| o.len()) == Some(2)
                        && json["uid"].as_u64().is_some()
                        && json["user"] == email
                }
            };
            payload_ok && u64::from(secs).abs_diff(unix_now()) <= 5 && mac.len() == 20
        }
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "not a {family} id: {} ({} characters)",
            usher::redact::fingerprint(usher::redact::Kind::Token, id),
            id.len()
        ))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_family_issues_its_format_anonymous_and_rotated_at_login() {
    let mut wrong = Vec::new();
    for family in SessionIds::ALL {
        let t = start(family).await;
        let email = t.new_user(family.name()).await;
        let mut ids = Vec::new();
        for _ in 0..3 {
            let (mut b, anonymous) = anonymous_id(&t).await;
            let form = b.get("/login").await;
            let page = b
                .submit(
                    &form,
                    "/login",
                    &[("email", &email), ("password", PASSWORD)],
                )
                .await;
            assert_eq!(page.status, reqwest::StatusCode::SEE_OTHER, "{family}");
            let logged_in = b.session().expect("a session after login");
            if let Err(e) = check_format(family, &anonymous, None) {
                wrong.push(format!("anonymous: {e}"));
            }
            if let Err(e) = check_format(family, &logged_in, Some(&email)) {
                wrong.push(format!("after login: {e}"));
            }
            if logged_in == anonymous {
                wrong.push(format!("{family}: login kept the anonymous id"));
            }
            // The id is honoured as a session (so `plausible_token` takes it) and the old one is gone.
            if !b.is_logged_in().await {
                wrong.push(format!("{family}: the id issued at login is not honoured"));
            }
            let mut old = t.browser();
            old.set_cookie(&b.session_cookie_name().unwrap(), &anonymous);
            old.get("/").await;
            if old.session().as_deref() == Some(anonymous.as_str()) {
                wrong.push(format!("{family}: the pre-login id still works"));
            }
            ids.push(anonymous);
            // A signed cookie is the same for a user's logins within one second, by design.
            if family != SessionIds::SignedCookie {
                ids.push(logged_in);
            }
        }
        let mut unique = ids.clone();
        unique.sort();
        unique.dedup();
        if unique.len() != ids.len() {
            wrong.push(format!("{family}: repeated ids"));
        }
        t.demo.shutdown().await;
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// One step of java.util.Random's 48-bit LCG, written out here rather than taken from the demo.
fn lcg_step(state: u64) -> u64 {
    state.wrapping_mul(0x5_DEEC_E66D).wrapping_add(0xB) & ((1 << 48) - 1)
}

/// The four `next(32)` outputs behind one `lcg` id (two nextLong), sign extension undone.
fn lcg_outputs(id: &str) -> [u32; 4] {
    let long = |hex: &str| u64::from_str_radix(hex, 16).unwrap() as i64;
    let split = |l: i64| {
        let low = l as i32;
        let high = (l.wrapping_sub(i64::from(low)) >> 32) as i32;
        [high as u32, low as u32]
    };
    let [a, b] = split(long(&id[..16]));
    let [c, d] = split(long(&id[16..]));
    [a, b, c, d]
}

/// The generator state after the id's last output: the 16 hidden bits of the first output's state
/// are the only unknown, and the next three outputs pin them.
fn lcg_recover(id: &str) -> u64 {
    let outputs = lcg_outputs(id);
    let found: Vec<u64> = (0..1u64 << 16)
        .map(|low| (u64::from(outputs[0]) << 16) | low)
        .filter_map(|first| {
            let mut s = first;
            for want in &outputs[1..] {
                s = lcg_step(s);
                if (s >> 16) as u32 != *want {
                    return None;
                }
            }
            Some(s)
        })
        .collect();
    assert_eq!(found.len(), 1, "one java.util.Random state explains the id");
    found[0]
}

fn lcg_predict(state: &mut u64) -> String {
    let mut next = || {
        *state = lcg_step(*state);
        (*state >> 16) as u32 as i32
    };
    let mut long = || {
        let high = i64::from(next()) << 32;
        high.wrapping_add(i64::from(next())) as u64
    };
    format!("{:016x}{:016x}", long(), long())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lcg_ids_are_java_util_random_and_the_next_ones_are_predicted() {
    let t = start(SessionIds::Lcg).await;
    let (_, first) = anonymous_id(&t).await;
    let (mut b, second) = anonymous_id(&t).await;
    let mut state = lcg_recover(&first);
    assert_eq!(
        lcg_predict(&mut state),
        second,
        "predicted from the first id"
    );
    // The login rotates b's session to the generator's next id, which the test names beforehand.
    let predicted = lcg_predict(&mut state);
    let alice = &ACCOUNTS[0];
    let form = b.get("/login").await;
    b.submit(
        &form,
        "/login",
        &[("email", alice.email), ("password", alice.password)],
    )
    .await;
    assert_eq!(b.session(), Some(predicted), "the id issued at login");
    assert!(b.is_logged_in().await);
    t.demo.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mt_ids_are_mt19937_and_the_next_one_is_predicted_from_78() {
    let t = start(SessionIds::Mt).await;
    let mut outputs = Vec::new();
    for _ in 0..78 {
        let (_, id) = anonymous_id(&t).await;
        outputs.extend((0..8).map(|i| u32::from_str_radix(&id[i * 8..i * 8 + 8], 16).unwrap()));
    }
    assert_eq!(outputs.len(), 624);
    let mut mt = rand_mt::Mt::recover(outputs).expect("624 outputs recover MT19937");
    let predicted: String = (0..8).map(|_| format!("{:08x}", mt.next_u32())).collect();
    let (_, next) = anonymous_id(&t).await;
    assert_eq!(next, predicted);
    t.demo.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counter_hash_ids_are_md5_of_the_documented_counter() {
    let t = start(SessionIds::CounterHash).await;
    let md5 = |n: u64| hex::encode(Md5::digest(n.to_string()));
    let (mut b, first) = anonymous_id(&t).await;
    assert_eq!(COUNTER_START, 100_000);
    assert_eq!(first, md5(COUNTER_START), "the server's first id");
    let alice = &ACCOUNTS[0];
    let form = b.get("/login").await;
    b.submit(
        &form,
        "/login",
        &[("email", alice.email), ("password", alice.password)],
    )
    .await;
    assert_eq!(b.session(), Some(md5(COUNTER_START + 1)), "the next one");
    t.demo.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uuid1_ids_carry_the_issue_time_and_a_fixed_node() {
    let t = start(SessionIds::Uuid1).await;
    let mut uuids = Vec::new();
    for _ in 0..5 {
        let (_, id) = anonymous_id(&t).await;
        uuids.push(uuid::Uuid::parse_str(&id).unwrap());
    }
    let ticks = |u: &uuid::Uuid| u.get_timestamp().unwrap().to_gregorian();
    for pair in uuids.windows(2) {
        assert!(
            ticks(&pair[0]).0 < ticks(&pair[1]).0,
            "issue order is time order"
        );
        assert_eq!(ticks(&pair[0]).1, ticks(&pair[1]).1, "one clock sequence");
        assert_eq!(pair[0].get_node_id(), pair[1].get_node_id(), "one node");
    }
    for u in &uuids {
        assert!(uuid_secs(u).abs_diff(unix_now()) <= 5, "{u}");
    }
    t.demo.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_cookies_name_the_user_and_repeat_within_a_second() {
    let t = start(SessionIds::SignedCookie).await;
    let alice = &ACCOUNTS[0];
    let mut same_second = None;
    // Two logins straddle a second now and then; three tries make that vanishingly rare.
    for _ in 0..3 {
        let (first, _) = t.logged_in(alice.email, alice.password, UA).await;
        let (second, _) = t.logged_in(alice.email, alice.password, UA).await;
        let (a, b) = (first.session().unwrap(), second.session().unwrap());
        let (json, secs_a, _) = signed_parts(&a).unwrap();
        let (_, secs_b, _) = signed_parts(&b).unwrap();
        assert_eq!(json["user"], alice.email, "the payload names the user");
        assert_eq!(json["uid"], 1, "and their id");
        if secs_a == secs_b {
            same_second = Some((first, second, a, b));
            break;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let (mut first, mut second, a, b) = same_second.expect("two logins within one second");
    assert_eq!(a, b, "one user, one second: one cookie");
    assert!(first.is_logged_in().await && second.is_logged_in().await);
    t.demo.shutdown().await;
}

#[test]
fn family_names_round_trip_and_list() {
    for family in SessionIds::ALL {
        assert_eq!(family.name().parse::<SessionIds>(), Ok(family));
        assert_eq!(family.to_string(), family.name());
    }
    assert_eq!(SessionIds::default(), SessionIds::Csprng);
    assert_eq!(DemoConfig::default().session_ids, SessionIds::Csprng);
    let err = "mtt".parse::<SessionIds>().unwrap_err();
    assert!(err.contains("did you mean `mt`"), "{err}");
    assert!("all".parse::<SessionIds>().is_err());
    let list = usher::demo::list_session_ids();
    assert_eq!(list.lines().count(), SessionIds::ALL.len());
}
