//! One session-id generator per server, for the family chosen with `--session-ids`. The store calls it
//! under its lock, so ids come out in issue order: what a sampler sees in order is the generator's own
//! sequence (an anonymous id issued for a login page is a step of it too).

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use md5::{Digest, Md5};
use rand::{Rng, RngCore};
use sha1::Sha1;

use super::accounts::UserId;
use super::java_random::JavaRandom;
use super::session_ids::{COUNTER_START, SessionIds};

/// The user a session id is issued to (signed cookies carry it in their payload).
#[derive(Debug, Clone, Copy)]
pub struct Owner<'a> {
    pub id: UserId,
    pub email: &'a str,
}

const BASE36: &[u8; 36] = b"abcdefghijklmnopqrstuvwxyz0123456789";
const BASE36_LEN: usize = 24;
/// 100 ns ticks between the UUID epoch (1582-10-15) and the Unix epoch.
const UUID_TICKS_TO_UNIX: u64 = 0x01B2_1DD2_1381_4000;

enum State {
    Csprng,
    Base36Short,
    SignedCookie {
        key: [u8; 32],
    },
    Uuid1 {
        node: [u8; 6],
        clock_seq: u16,
        last_ticks: u64,
    },
    Lcg(JavaRandom),
    // Boxed: the state is 2.5 KiB.
    Mt(Box<rand_mt::Mt>),
    CounterHash {
        next: u64,
    },
}

pub struct IdGenerator {
    family: SessionIds,
    state: State,
}

impl std::fmt::Debug for IdGenerator {
    // The state would let anyone reading a debug log predict every id.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdGenerator({})", self.family)
    }
}

impl IdGenerator {
    /// A generator seeded from the OS CSPRNG; the insecure families are seeded once, as the apps they
    /// model do at start-up.
    pub fn new(family: SessionIds) -> Self {
        let mut rng = rand::rng();
        let state = match family {
            SessionIds::Csprng => State::Csprng,
            SessionIds::Base36Short => State::Base36Short,
            SessionIds::SignedCookie => {
                let mut key = [0u8; 32];
                rng.fill_bytes(&mut key);
                State::SignedCookie { key }
            }
            SessionIds::Uuid1 => {
                let mut node = [0u8; 6];
                rng.fill_bytes(&mut node);
                // RFC 4122 4.5: a random node id sets the multicast bit, so it never names a real card.
                node[0] |= 0x01;
                State::Uuid1 {
                    node,
                    clock_seq: rng.random::<u16>() & 0x3FFF,
                    last_ticks: 0,
                }
            }
            SessionIds::Lcg => State::Lcg(JavaRandom::new(rng.next_u64() as i64)),
            SessionIds::Mt => {
                let key: Vec<u32> = (0..8).map(|_| rng.next_u32()).collect();
                State::Mt(Box::new(rand_mt::Mt::new_with_key(key)))
            }
            SessionIds::CounterHash => State::CounterHash {
                next: COUNTER_START,
            },
        };
        IdGenerator { family, state }
    }

    pub fn family(&self) -> SessionIds {
        self.family
    }

    /// The next id, for an anonymous session (`owner` None) or one of `owner`.
    pub fn issue(&mut self, owner: Option<Owner<'_>>) -> String {
        match &mut self.state {
            State::Csprng => {
                let mut bytes = [0u8; 32];
                rand::rng().fill_bytes(&mut bytes);
                hex::encode(bytes)
            }
            State::Base36Short => {
                let mut rng = rand::rng();
                (0..BASE36_LEN)
                    .map(|_| char::from(BASE36[rng.random_range(0..BASE36.len())]))
                    .collect()
            }
            State::SignedCookie { key } => signed_cookie(key, owner, unix_now().as_secs()),
            State::Uuid1 {
                node,
                clock_seq,
                last_ticks,
            } => {
                let now = unix_now();
                let ticks = UUID_TICKS_TO_UNIX
                    + now.as_secs() * 10_000_000
                    + u64::from(now.subsec_nanos()) / 100;
                // Two ids in one 100 ns tick (or a clock stepping back) take the next tick, as
                // generators that keep the last timestamp do; the clock sequence stays fixed.
                *last_ticks = ticks.max(*last_ticks + 1);
                uuid::Builder::from_gregorian_timestamp(*last_ticks, *clock_seq, node)
                    .into_uuid()
                    .hyphenated()
                    .to_string()
            }
            State::Lcg(random) => format!(
                "{:016x}{:016x}",
                random.next_long() as u64,
                random.next_long() as u64
            ),
            State::Mt(mt) => (0..8).map(|_| format!("{:08x}", mt.next_u32())).collect(),
            State::CounterHash { next } => {
                let id = hex::encode(Md5::digest(next.to_string()));
                *next += 1;
                id
            }
        }
    }
}

fn unix_now() -> std::time::Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

/// `base64url(json).base64url(4-byte big-endian unix seconds).base64url(HMAC-SHA1 of the first two
/// parts)`, as frameworks' default signed session cookies are: the payload is only signed, not
/// encrypted, so anyone can read it.
fn signed_cookie(key: &[u8; 32], owner: Option<Owner<'_>>, secs: u64) -> String {
    let payload = match owner {
        Some(o) => format!(
            r#"{{"uid":{},"user":{}}}"#,
            o.id,
            serde_json::Value::from(o.email)
        ),
        None => {
            let mut sid = [0u8; 8];
            rand::rng().fill_bytes(&mut sid);
            format!(r#"{{"sid":"{}"}}"#, hex::encode(sid))
        }
    };
    // A 4-byte field, as the frameworks' own: it wraps in 2106.
    let time = (secs as u32).to_be_bytes();
    let signed = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(payload),
        URL_SAFE_NO_PAD.encode(time)
    );
    let mut mac = Hmac::<Sha1>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(signed.as_bytes());
    format!(
        "{signed}.{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(family: SessionIds) -> (usize, String) {
        let id = IdGenerator::new(family).issue(None);
        (id.len(), id)
    }

    #[test]
    fn each_family_has_its_length_and_alphabet() {
        let hex = |s: &str| {
            s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        };
        for family in SessionIds::ALL {
            let (len, id) = shape(family);
            let ok = match family {
                SessionIds::Csprng | SessionIds::Mt => len == 64 && hex(&id),
                SessionIds::Base36Short => {
                    len == 24
                        && id
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
                }
                SessionIds::SignedCookie => id.split('.').count() == 3,
                SessionIds::Uuid1 => {
                    uuid::Uuid::parse_str(&id).is_ok_and(|u| u.get_version_num() == 1)
                }
                SessionIds::Lcg | SessionIds::CounterHash => len == 32 && hex(&id),
            };
            assert!(ok, "{family}: {id}");
            assert!(
                super::super::sessions::plausible_token(&id),
                "{family}: {id}"
            );
        }
    }

    #[test]
    fn counter_hash_starts_at_the_documented_counter() {
        let mut g = IdGenerator::new(SessionIds::CounterHash);
        assert_eq!(g.issue(None), hex::encode(Md5::digest("100000")));
        assert_eq!(g.issue(None), hex::encode(Md5::digest("100001")));
    }

    #[test]
    fn signed_cookies_of_one_user_in_one_second_are_identical() {
        let key = [7u8; 32];
        let alice = Owner {
            id: 1,
            email: "alice@ticketbooth.test",
        };
        let a = signed_cookie(&key, Some(alice), 1_700_000_000);
        assert_eq!(a, signed_cookie(&key, Some(alice), 1_700_000_000));
        assert_ne!(a, signed_cookie(&key, Some(alice), 1_700_000_001));
        let payload = URL_SAFE_NO_PAD
            .decode(a.split('.').next().unwrap())
            .unwrap();
        assert_eq!(
            String::from_utf8(payload).unwrap(),
            r#"{"uid":1,"user":"alice@ticketbooth.test"}"#
        );
    }
}
