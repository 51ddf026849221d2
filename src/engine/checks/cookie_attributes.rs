//! `cookie_attributes`: the session cookie's attributes, judged from the raw `Set-Cookie` header the
//! server sent, never from the browser's view (Chromium reports `SameSite=Lax` for a cookie sent
//! without SameSite, which would hide the flaw).

use super::Outcome;
use crate::driver::NetEvent;
use crate::engine::context::FlowCtx;
use crate::engine::set_cookie::{ObservedCookie, parse_set_cookie};
use crate::record::measured::Measure;
use crate::scenario::TokenLocation;
use crate::scenario::policy::SameSite;

pub async fn check(ctx: &mut FlowCtx, persona: &str) -> Outcome {
    let TokenLocation::Cookie(names) = ctx.profile.token.clone() else {
        return Outcome::skipped(format!(
            "the token lives in {}, not in a cookie",
            ctx.profile.token.describe()
        ));
    };
    if let Some(skip) = super::token_access::unreadable(ctx, persona, "cookie_attributes").await {
        return skip;
    }
    let net = ctx
        .personas
        .get(persona)
        .map(|p| p.net.clone())
        .unwrap_or_default();
    let observed: Vec<ObservedCookie> = net
        .iter()
        .filter_map(|e| match e {
            NetEvent::Response { headers, .. } => Some(headers),
            _ => None,
        })
        .flatten()
        .filter(|(k, _)| k == "set-cookie")
        .filter_map(|(_, line)| parse_set_cookie(line))
        .filter(|c| names.contains(&c.name) && !c.value.is_empty())
        .collect();
    let Some(cookie) = observed.last().cloned() else {
        return Outcome::error(format!(
            "no Set-Cookie for {} was observed in {persona}'s traffic, so its attributes cannot be judged",
            names.join(" | ")
        ))
        .with("hint", "run the login flow for this persona before the check");
    };
    let policy = ctx.profile.policy.cookie.clone();
    let host = url::Url::parse(&ctx.base_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default();
    let mut problems = Vec::new();
    if policy.http_only && !cookie.http_only {
        problems.push("HttpOnly is missing (scripts can read the token)".to_string());
    }
    if policy.secure && !cookie.secure {
        problems.push("Secure is missing (the token may travel over plain HTTP)".to_string());
    }
    let same_site = cookie.same_site.as_deref().and_then(SameSite::parse);
    match same_site {
        None => problems.push(format!(
            "SameSite is not set (policy wants {:?} or stronger; the browser's default is not the server's promise)",
            policy.same_site
        )),
        Some(s) if s.rank() < policy.same_site.rank() => {
            problems.push(format!("SameSite={s:?} is weaker than the policy's {:?}", policy.same_site))
        }
        _ => {}
    }
    if policy.host_only
        && let Some(d) = &cookie.domain
    {
        let d = d.trim_start_matches('.');
        let wider = d != host;
        problems.push(format!(
            "Domain={d} makes the cookie {} (policy: host-only)",
            if wider {
                format!("reach every host under {d}, not only {host}")
            } else {
                "reach subdomains too".to_string()
            }
        ));
    }
    if policy.host_prefix && !cookie.name.starts_with("__Host-") {
        problems.push(format!(
            "the name `{}` lacks the __Host- prefix",
            cookie.name
        ));
    }
    if !policy.allow_persistent && (cookie.expires.is_some() || cookie.max_age.is_some()) {
        problems.push(
            "the session cookie is persistent (Expires/Max-Age): it outlives the browser"
                .to_string(),
        );
    }
    let browser_view = match ctx.session(persona).await {
        Ok(s) => s
            .cookies()
            .await
            .ok()
            .and_then(|all| all.into_iter().find(|c| c.name == cookie.name))
            .map(|c| {
                format!(
                    "httpOnly={:?} secure={:?} sameSite={:?} domain={:?}",
                    c.http_only.unwrap_or(false),
                    c.secure.unwrap_or(false),
                    c.same_site.unwrap_or_default(),
                    c.domain.unwrap_or_default()
                )
            }),
        Err(_) => None,
    };
    let raw = format!(
        "{}=<token>{}{}{}{}{}{}{}",
        cookie.name,
        cookie
            .path
            .as_ref()
            .map(|p| format!("; Path={p}"))
            .unwrap_or_default(),
        cookie
            .domain
            .as_ref()
            .map(|d| format!("; Domain={d}"))
            .unwrap_or_default(),
        cookie
            .expires
            .as_ref()
            .map(|e| format!("; Expires={e}"))
            .unwrap_or_default(),
        cookie
            .max_age
            .as_ref()
            .map(|m| format!("; Max-Age={m}"))
            .unwrap_or_default(),
        if cookie.secure { "; Secure" } else { "" },
        if cookie.http_only { "; HttpOnly" } else { "" },
        cookie
            .same_site
            .as_ref()
            .map(|s| format!("; SameSite={s}"))
            .unwrap_or_default(),
    );
    let mut o = if problems.is_empty() {
        Outcome::pass(format!(
            "{} has every attribute the policy asks for",
            cookie.name
        ))
    } else {
        Outcome::fail(format!("{}: {}", cookie.name, problems.join("; ")))
    };
    o = o.with("Set-Cookie (raw, value hidden)", raw);
    if let Some(v) = browser_view {
        o = o.with("browser's view", v);
    }
    for p in &problems {
        o = o.with("problem", p.clone());
    }
    o.measure(
        Measure::Cookie,
        serde_json::to_value(&cookie).unwrap_or_default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_attributes_case_insensitively() {
        let c =
            parse_set_cookie("__Host-sid=abc; Path=/; secure; HTTPONLY; samesite=Strict").unwrap();
        assert_eq!(c.name, "__Host-sid");
        assert!(c.http_only && c.secure);
        assert_eq!(c.same_site.as_deref(), Some("Strict"));
        assert_eq!(c.domain, None);
        let d = parse_set_cookie("sid=x; Domain=.example.com; Max-Age=60").unwrap();
        assert_eq!(d.domain.as_deref(), Some(".example.com"));
        assert!(!d.http_only && d.max_age.is_some());
    }
}
