//! Which built-in scenarios each Ticketbooth flaw switch must turn to FAIL, and why: the verdict
//! matrix that `usher demo matrix` checks (and writes into the README). A false PASS is the worst bug
//! this product can have, so this table is the contract.

use crate::demo::Flaw;

/// The scenarios a flaw alone must fail, with the reason in one line.
pub fn expected_failures(flaw: Flaw) -> (&'static [&'static str], &'static str) {
    match flaw {
        Flaw::Fixation => (
            &[
                "fixation-token-rotates",
                "fixation-planted-valid-id",
                "fixation-planted-chosen-id",
            ],
            "the pre-login id survives login, so planted ids (valid or chosen) act as the victim",
        ),
        Flaw::NoLogoutInvalidation => (
            &["logout-invalidates-token"],
            "the server keeps the session after logout, so the attacker's copy still works",
        ),
        Flaw::NoResetInvalidation => (
            &[
                "password-change-ends-sessions",
                "password-reset-ends-sessions",
            ],
            "other sessions survive a password change or reset",
        ),
        Flaw::NoIdleTimeout => (&["idle-timeout"], "idle sessions never expire"),
        Flaw::NoAbsoluteTimeout => (&["absolute-timeout"], "busy sessions live forever"),
        Flaw::NoCheckoutTimeout => (
            &["checkout-step-timer"],
            "an idle checkout can still be paid",
        ),
        Flaw::UnlimitedSessions => (&["concurrent-sessions"], "no cap on concurrent sessions"),
        Flaw::TokenInUrl => (
            &["token-not-in-url"],
            "links and redirects carry ?sid=TOKEN",
        ),
        Flaw::RefererLeak => (
            &["token-not-in-referer"],
            "Referrer-Policy unsafe-url sends full checkout URLs to the analytics origin",
        ),
        Flaw::WeakCookieFlags => (
            &["cookie-attributes", "token-not-in-client-storage"],
            "no HttpOnly/Secure/SameSite: the cookie is weak and document.cookie exposes the token",
        ),
        Flaw::LooseCookieScope => (
            &["cookie-attributes"],
            "Domain=ticketbooth.localhost reaches sibling hosts",
        ),
        Flaw::TokenInStorage => (
            &["token-not-in-client-storage"],
            "the token sits in localStorage",
        ),
        Flaw::PredictableIds => (&["token-predictability"], "ids come from a counter"),
        Flaw::NoClientBinding => (
            &["client-binding"],
            "the token works from another User-Agent",
        ),
        Flaw::CacheablePages => (
            &["authenticated-pages-not-cacheable", "logout-back-button"],
            "authenticated pages are cacheable, so back after logout shows the account",
        ),
        Flaw::FixationAuthenticatedOnly => (
            &["fixation-planted-valid-id"],
            "an authenticated id presented at login is kept and rebound to the user who logs in",
        ),
    }
}

/// Which JWT scenarios each `--auth jwt` flaw switch alone must turn to FAIL, and why (by the switch's
/// name, as `usher demo serve --auth jwt --flaws` takes it); every other JWT scenario must PASS. The
/// JWT rows of the matrix run only the JWT scenarios (`BuiltinScenario::needs_token_api`).
/// `jwt-signature-unchecked` also turns the other forgery scenarios to ERROR: their corrupted-signature
/// control fails, and an alg/key bypass proves nothing more (`JWT_ERRORS`).
pub const JWT_EXPECTED: &[(&str, &[&str], &str)] = &[
    (
        "jwt-alg-none",
        &["jwt-alg-none"],
        "`alg: none` tokens are accepted",
    ),
    (
        "jwt-signature-unchecked",
        &["jwt-signature-verified"],
        "claims are decoded without verifying the signature",
    ),
    (
        "jwt-weak-secret",
        &["jwt-weak-secret"],
        "HS256 with jwt.io's example secret, found offline",
    ),
    (
        "jwt-key-confusion",
        &["jwt-key-confusion"],
        "HS256 verified with the RSA public key as the secret",
    ),
    (
        "jwt-no-expiry",
        &["jwt-lifetime"],
        "access tokens have no `exp`",
    ),
    (
        "jwt-long-expiry",
        &["jwt-lifetime"],
        "access tokens live 30 days",
    ),
    // The cookie-era revocation scenarios judge the same protection from the browser: the attacker's
    // copy of the bearer token (stolen before logout / before the password change) is replayed in a
    // browser of its own, and still shows the account.
    (
        "jwt-no-revocation",
        &[
            "logout-invalidates-token",
            "password-change-ends-sessions",
            "jwt-logout-revokes",
            "jwt-password-change-revokes",
        ],
        "logout and password change revoke nothing",
    ),
    (
        "refresh-not-rotated",
        &["jwt-refresh-rotates", "jwt-refresh-reuse-detected"],
        "refresh hands back the same refresh token, which stays valid",
    ),
    (
        "refresh-reuse-undetected",
        &["jwt-refresh-reuse-detected"],
        "a used refresh token still works and revokes nothing",
    ),
    (
        "jwt-sensitive-claims",
        &["jwt-payload-hygiene"],
        "the payload carries the password hash and the phone number",
    ),
];

/// Built-in scenarios whose precondition Ticketbooth `--auth jwt` lacks in every row, and why: they end
/// SKIPPED with that reason (never PASS, never ERROR). The timing scenarios are left out of the JWT rows
/// as the cookie rows leave them to their own instance (`TIMING_SCENARIOS`).
pub const SPA_SKIPS: &[(&str, &str)] = &[
    (
        "fixation-token-rotates",
        "no session id is issued before login (the SPA holds no token until it logs in)",
    ),
    (
        "fixation-planted-valid-id",
        "the bearer token travels in a header the page's script sets: nothing can plant one",
    ),
    (
        "fixation-planted-chosen-id",
        "the bearer token travels in a header the page's script sets: nothing can plant one",
    ),
    (
        "password-reset-ends-sessions",
        "the token app has no password reset (no `reset_password` flow)",
    ),
    (
        "cookie-attributes",
        "the session token is a bearer header, not a cookie",
    ),
    (
        "token-predictability",
        "the token is a signed JWT, not a random id (the jwt-* scenarios judge its key)",
    ),
];

/// JWT scenarios a flaw turns to ERROR, with the flaw's name: their control fails (the API accepts the
/// token with a corrupted signature, so an alg or key bypass proves nothing more), and a failed control
/// is ERROR, never PASS or FAIL; the finding is `jwt-signature-verified`'s FAIL.
pub const JWT_ERRORS: &[(&str, &[&str])] = &[(
    "jwt-signature-unchecked",
    &[
        "jwt-alg-none",
        "jwt-weak-secret",
        "jwt-key-confusion",
        "jwt-header-keys",
    ],
)];

/// Scenarios that measure timers. The demo runs them against a Ticketbooth with timeouts of seconds
/// (`TIMING_POLICY`), beside a second instance with the catalogue's real numbers for everything else:
/// a 5-second idle timeout would otherwise end the sessions of slow multi-persona flows.
pub const TIMING_SCENARIOS: [&str; 3] = ["idle-timeout", "absolute-timeout", "checkout-step-timer"];

/// The policy the timing scenarios judge the short-timeout Ticketbooth against.
/// The numbers leave room for a loaded 2-core CI machine: a checkout flow's steps must each finish
/// within the checkout limit, and every timing flow within the absolute lifetime.
pub const TIMING_POLICY: &[(&str, &str)] = &[
    ("idle_timeout", "8s"),
    ("checkout_timeout", "4s"),
    ("absolute_timeout", "20s"),
];

/// Tokens the predictability scenario samples in the demo: the policy's default, since logins replayed
/// over HTTP take about a millisecond each (browser logins, which once made the demo sample 40, ~0.5 s).
pub const DEMO_TOKEN_SAMPLES: &str = "1000";

/// Scenarios whose verdict only one flaw can change, because they judge one server protection and
/// nothing a browser does around it (tests/it/demo_flaws.rs proves at HTTP level that no other flaw
/// breaks that protection). `usher demo matrix --skip-repeats` runs them only in the no-flaw row,
/// their flaw's row and the all-flaws row; elsewhere their verdict would repeat the no-flaw row's.
pub const DECIDED_BY_ONE_FLAW: &[(&str, Flaw)] = &[("token-predictability", Flaw::PredictableIds)];

/// What makes a flaw's switch change anything: the one thing a flow must do for the app to answer
/// differently from the secure app (tests/it/demo_flaws.rs proves at HTTP level that each switch
/// breaks its own protection and no other).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// Running one of these profile flows (a scenario step `run: NAME`).
    Flows(&'static [&'static str]),
    /// A session or checkout outliving its timer: only on the instance with timeouts of seconds that
    /// the timing scenarios run against; the other instance's timers (minutes to hours, the
    /// catalogue's) are beyond any other flow, which `usher demo matrix` checks in its full rows.
    Expiry,
}

/// Flaws whose switch changes the app only when a flow does one thing ([`Trigger`]). In the row of
/// such a flaw alone, `usher demo matrix --skip-repeats` runs only the scenarios that do it
/// ([`triggered_by`]): any other would meet the secure app's answers and repeat the no-flaw row.
/// Switches that change every page (cookie flags and scope, a token in URLs or storage, caching and
/// Referer headers, the id kept at login) or what any login meets (the session cap, the client
/// binding, a kept authenticated id) are not here: their rows run the whole suite.
pub const TRIGGERED_ONLY: &[(Flaw, Trigger)] = &[
    (Flaw::NoLogoutInvalidation, Trigger::Flows(&["logout"])),
    (
        Flaw::NoResetInvalidation,
        Trigger::Flows(&["change_password", "reset_password"]),
    ),
    (Flaw::NoIdleTimeout, Trigger::Expiry),
    (Flaw::NoAbsoluteTimeout, Trigger::Expiry),
    (Flaw::NoCheckoutTimeout, Trigger::Expiry),
];

/// The built-in scenarios that do what changes `flaw`'s answer, when only one thing does (see
/// [`TRIGGERED_ONLY`]); read from the scenarios' own steps, so a scenario that starts to log out is
/// counted without anyone updating a list. Token-predictability's sampler also logs out in its
/// browser rounds, but only `predictable-ids` changes its verdict ([`DECIDED_BY_ONE_FLAW`]).
pub fn triggered_by(flaw: Flaw) -> Option<Vec<&'static str>> {
    let (_, trigger) = TRIGGERED_ONLY.iter().find(|(f, _)| *f == flaw)?;
    Some(
        crate::suite::BUILTIN
            .iter()
            .filter(|b| match trigger {
                Trigger::Expiry => TIMING_SCENARIOS.contains(&b.name),
                Trigger::Flows(flows) => b.text.lines().any(|l| {
                    l.trim_start()
                        .strip_prefix("- run:")
                        .is_some_and(|f| flows.contains(&f.trim()))
                }),
            })
            .map(|b| b.name)
            .collect(),
    )
}

/// Why `scenario` cannot be judged on a Ticketbooth of these shapes (its precondition is gone), if it
/// cannot: it must then end SKIPPED with a reason, whatever the flaws, never PASS or ERROR.
pub fn expected_skip(scenario: &str, shapes: crate::demo::ShapeSet) -> Option<&'static str> {
    use crate::demo::Shape;
    match scenario {
        "fixation-token-rotates" if shapes.contains(Shape::NoAnonymousSessions) => {
            Some("no session id is issued before login")
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{Shape, ShapeSet};

    #[test]
    fn the_jwt_table_names_only_jwt_scenarios() {
        let jwt: Vec<&str> = crate::suite::BUILTIN
            .iter()
            .filter(|b| b.needs_token_api())
            .map(|b| b.name)
            .collect();
        for (flaw, fails, _) in JWT_EXPECTED {
            for f in *fails {
                let spa = crate::suite::BUILTIN.iter().any(|b| b.name == *f)
                    && !TIMING_SCENARIOS.contains(f)
                    && !SPA_SKIPS.iter().any(|(s, _)| s == f);
                assert!(spa, "{flaw}: {f}");
            }
        }
        for (flaw, skips) in JWT_ERRORS {
            for f in *skips {
                assert!(jwt.contains(f), "{flaw}: {f}");
            }
        }
        // Every JWT scenario can fail: each is named by some flaw (but the header-keys family, which
        // no Ticketbooth switch breaks).
        for name in jwt.iter().filter(|n| **n != "jwt-header-keys") {
            assert!(
                JWT_EXPECTED.iter().any(|(_, f, _)| f.contains(name)),
                "{name}"
            );
        }
    }

    #[test]
    fn a_triggered_flaw_row_runs_every_scenario_it_can_fail_and_every_one_that_triggers_it() {
        let names = |flaw| {
            let mut v = triggered_by(flaw).unwrap_or_default();
            v.sort();
            v
        };
        assert_eq!(
            names(Flaw::NoLogoutInvalidation),
            [
                "logout-back-button",
                "logout-invalidates-token",
                "token-not-in-client-storage"
            ]
        );
        assert_eq!(
            names(Flaw::NoResetInvalidation),
            [
                "jwt-password-change-revokes",
                "password-change-ends-sessions",
                "password-reset-ends-sessions"
            ]
        );
        let mut timing = TIMING_SCENARIOS.to_vec();
        timing.sort();
        assert_eq!(names(Flaw::NoIdleTimeout), timing);
        assert_eq!(triggered_by(Flaw::UnlimitedSessions), None);
        for (flaw, _) in TRIGGERED_ONLY {
            for must in expected_failures(*flaw).0 {
                assert!(names(*flaw).contains(must), "{flaw}: {must}");
            }
        }
    }

    #[test]
    fn only_a_shape_that_removes_a_precondition_expects_a_skip() {
        assert_eq!(
            expected_skip("fixation-token-rotates", ShapeSet::none()),
            None
        );
        assert!(
            expected_skip(
                "fixation-token-rotates",
                ShapeSet::only(Shape::NoAnonymousSessions)
            )
            .is_some()
        );
        for b in crate::suite::BUILTIN
            .iter()
            .filter(|b| b.name != "fixation-token-rotates")
        {
            assert_eq!(expected_skip(b.name, ShapeSet::all()), None, "{}", b.name);
        }
    }
}
