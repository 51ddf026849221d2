//! The `measured` values the checks record, as a JSON Schema fragment for `results.json`. Readers (and
//! `report::baseline`) key on these names, so the schema spells them out; keys not listed stay allowed
//! so that a new measurement does not break an older reader.

use schemars::{Schema, SchemaGenerator, json_schema};

/// The name of a measured value: what checks write into `measured` and baselines read back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    IdleTimeoutLowerS,
    IdleTimeoutUpperS,
    EndedAfterS,
    AliveAfterS,
    PolicyS,
    ObservedCap,
    PolicyCap,
    AtCap,
    LoginsAlive,
    EntropyBits,
    Samples,
    Sampling,
    Analysis,
    Cookie,
    IdleS,
    PurchaseCompleted,
    BoundToUserAgent,
    BoundToAddress,
    LoggedIn,
    Status,
    AuthenticatedResponses,
    Cacheable,
    CrossOriginRequests,
    ProvokedPages,
    ReferrerPolicy,
    Exposures,
    UrlsScanned,
    Leaks,
    ControlEndedAfterS,
    TokenLifetimeS,
    ForgeriesTried,
    ForgeriesAccepted,
}

impl Measure {
    pub const ALL: [Measure; 32] = [
        Measure::IdleTimeoutLowerS,
        Measure::IdleTimeoutUpperS,
        Measure::EndedAfterS,
        Measure::AliveAfterS,
        Measure::PolicyS,
        Measure::ObservedCap,
        Measure::PolicyCap,
        Measure::AtCap,
        Measure::LoginsAlive,
        Measure::EntropyBits,
        Measure::Samples,
        Measure::Sampling,
        Measure::Analysis,
        Measure::Cookie,
        Measure::IdleS,
        Measure::PurchaseCompleted,
        Measure::BoundToUserAgent,
        Measure::BoundToAddress,
        Measure::LoggedIn,
        Measure::Status,
        Measure::AuthenticatedResponses,
        Measure::Cacheable,
        Measure::CrossOriginRequests,
        Measure::ProvokedPages,
        Measure::ReferrerPolicy,
        Measure::Exposures,
        Measure::UrlsScanned,
        Measure::Leaks,
        Measure::ControlEndedAfterS,
        Measure::TokenLifetimeS,
        Measure::ForgeriesTried,
        Measure::ForgeriesAccepted,
    ];

    /// The key in `measured` (results.json).
    pub const fn key(self) -> &'static str {
        match self {
            Measure::IdleTimeoutLowerS => "idle_timeout_lower_s",
            Measure::IdleTimeoutUpperS => "idle_timeout_upper_s",
            Measure::EndedAfterS => "ended_after_s",
            Measure::AliveAfterS => "alive_after_s",
            Measure::PolicyS => "policy_s",
            Measure::ObservedCap => "observed_cap",
            Measure::PolicyCap => "policy_cap",
            Measure::AtCap => "at_cap",
            Measure::LoginsAlive => "logins_alive",
            Measure::EntropyBits => "entropy_bits",
            Measure::Samples => "samples",
            Measure::Sampling => "sampling",
            Measure::Analysis => "analysis",
            Measure::Cookie => "cookie",
            Measure::IdleS => "idle_s",
            Measure::PurchaseCompleted => "purchase_completed",
            Measure::BoundToUserAgent => "bound_to_user_agent",
            Measure::BoundToAddress => "bound_to_address",
            Measure::LoggedIn => "logged_in",
            Measure::Status => "status",
            Measure::AuthenticatedResponses => "authenticated_responses",
            Measure::Cacheable => "cacheable",
            Measure::CrossOriginRequests => "cross_origin_requests",
            Measure::ProvokedPages => "provoked_pages",
            Measure::ReferrerPolicy => "referrer_policy",
            Measure::Exposures => "exposures",
            Measure::UrlsScanned => "urls_scanned",
            Measure::Leaks => "leaks",
            Measure::ControlEndedAfterS => "control_ended_after_s",
            Measure::TokenLifetimeS => "token_lifetime_s",
            Measure::ForgeriesTried => "forgeries_tried",
            Measure::ForgeriesAccepted => "forgeries_accepted",
        }
    }
}

pub fn schema(_: &mut SchemaGenerator) -> Schema {
    let number_or_null = |d: &str| json_schema!({"type": ["number", "null"], "description": d});
    let integer = |d: &str| json_schema!({"type": "integer", "minimum": 0, "description": d});
    let boolean = |d: &str| json_schema!({"type": "boolean", "description": d});
    json_schema!({
        "type": "object",
        "description": "Values the check measured, keyed by name; which keys appear depends on the check.",
        "properties": {
            "idle_timeout_lower_s": number_or_null("idle_timeout_at_most: the longest idle wait after which the session was still logged in, seconds (null: none was)"),
            "idle_timeout_upper_s": number_or_null("idle_timeout_at_most: the shortest idle wait after which it was logged out, seconds (null: none was)"),
            "ended_after_s": number_or_null("absolute_timeout_at_most: when a session kept busy ended, seconds (null: it outlived the wait)"),
            "alive_after_s": number_or_null("absolute_timeout_at_most: how long a session kept busy was seen still logged in, seconds (null: it ended)"),
            "policy_s": {"type": "number", "description": "idle_timeout_at_most, absolute_timeout_at_most: the policy's limit, seconds"},
            "observed_cap": integer("concurrent_sessions_at_most: sessions of one account logged in at once at the end"),
            "policy_cap": integer("concurrent_sessions_at_most: the policy's max_sessions"),
            "at_cap": {"type": "string", "description": "concurrent_sessions_at_most: what the app did at the cap"},
            "logins_alive": {"type": "array", "items": {"type": "boolean"}, "description": "concurrent_sessions_at_most: per login, in login order, whether it was still logged in at the end"},
            "entropy_bits": {"type": ["integer", "null"], "minimum": 0, "description": "entropy_at_least: effective entropy of the sampled tokens, bits (null: not estimated)"},
            "samples": integer("entropy_at_least: tokens sampled"),
            "sampling": {"type": "string", "enum": ["http", "browser"], "description": "entropy_at_least: how the tokens were sampled: logins replayed over HTTP, or browser logins (the login could not be replayed)"},
            "analysis": {"type": "object", "description": "entropy_at_least: the full token analysis (never a token)"},
            "cookie": {
                "type": "object",
                "description": "cookie_attributes: the session cookie's attributes from the raw Set-Cookie (never its value)",
                "properties": {
                    "name": {"type": "string"},
                    "http_only": {"type": "boolean"},
                    "secure": {"type": "boolean"},
                    "same_site": {"type": ["string", "null"]},
                    "domain": {"type": ["string", "null"], "description": "null: host-only"},
                    "path": {"type": ["string", "null"]},
                    "expires": {"type": ["string", "null"]},
                    "max_age": {"type": ["string", "null"]}
                }
            },
            "idle_s": {"type": "number", "description": "checkout_expires: how long the checkout step was left idle, seconds"},
            "purchase_completed": boolean("checkout_expires: whether the purchase went through after the wait"),
            "bound_to_user_agent": boolean("client_binding: whether a changed User-Agent lost the session"),
            "bound_to_address": {"type": ["boolean", "null"], "description": "client_binding: whether another client address lost the session (null: not tried)"},
            "logged_in": boolean("logged_in, logged_out: the oracle's answer"),
            "status": integer("http_status: the replayed request's status"),
            "authenticated_responses": integer("no_cacheable_pages: authenticated responses judged"),
            "cacheable": integer("no_cacheable_pages: of those, cacheable ones"),
            "cross_origin_requests": integer("no_token_in_referer: requests to other origins seen"),
            "provoked_pages": integer("no_token_in_referer: authenticated pages whose image or link reached usher's loopback origin"),
            "referrer_policy": {"type": "string", "description": "no_token_in_referer: the Referrer-Policy the app sent"},
            "exposures": integer("no_token_in_storage: places in storage holding the token"),
            "urls_scanned": integer("no_token_in_url: URLs looked at"),
            "leaks": integer("no_token_in_url: URLs holding the token"),
            "token_lifetime_s": {"type": "integer", "description": "jwt_lifetime: the JWT's `exp − iat` (or the time left until `exp` when it has no `iat`), seconds"},
            "forgeries_tried": integer("jwt_forgery: forged tokens replayed to the identity endpoint"),
            "forgeries_accepted": integer("jwt_forgery: of those, accepted as a persona")
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The schema names the measured values by the same keys the checks write; only the idle-timeout
    /// control's is left out of it (allowed, not described).
    #[test]
    fn the_schema_lists_the_measured_keys() {
        let schema = schema(&mut SchemaGenerator::default()).to_value();
        let listed: Vec<&str> = schema["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let keys: Vec<&str> = (Measure::ALL.iter())
            .map(|m| m.key())
            .filter(|k| *k != Measure::ControlEndedAfterS.key())
            .collect();
        assert_eq!(listed, keys);
    }
}
