//! The profile text: every choice with a comment giving its evidence. Values the app holds (cookie
//! values, passwords) are never written; passwords are `${VARIABLES}` given at run time.

use super::Account;
use super::explore::Found;
use crate::driver::BrowserCookie;
use crate::scenario::TokenLocation;

fn q(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// One comment line per piece of evidence, wrapped at nothing: long lines are easier to grep.
fn comment(out: &mut String, indent: &str, text: &str) {
    for line in text.lines() {
        out.push_str(&format!("{indent}# {line}\n"));
    }
}

/// `Path=/, Domain=(this host only)` for the token cookie(s), as the browser reported them.
pub fn cookie_scope(names: &[String], cookies: &[BrowserCookie]) -> String {
    names
        .iter()
        .filter_map(|n| cookies.iter().find(|c| &c.name == n))
        .map(|c| {
            let domain = match c.domain.as_deref() {
                Some(d) if d.starts_with('.') => format!("Domain={d}"),
                _ => "no Domain (this host only)".to_string(),
            };
            format!(
                "`{}`: Path={}, {domain}",
                c.name,
                c.path.as_deref().unwrap_or("/")
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn token_yaml(t: &TokenLocation) -> String {
    match t {
        TokenLocation::Cookie(n) => format!(
            "  cookie: [{}]\n",
            n.iter().map(|s| q(s)).collect::<Vec<_>>().join(", ")
        ),
        TokenLocation::LocalStorage(k) => format!("  local_storage: {}\n", q(k)),
        TokenLocation::SessionStorage(k) => format!("  session_storage: {}\n", q(k)),
        // `token: auto` finds only cookies and storage.
        _ => "  auto\n".into(),
    }
}

pub struct Written {
    pub app: String,
    pub start: String,
    pub base: String,
    /// `None` while the token is still being found (`token: auto`).
    pub token: Option<(TokenLocation, String)>,
}

pub fn profile(w: &Written, f: &Found, victim: &Account, attacker: &Account) -> String {
    let mut o = String::new();
    comment(
        &mut o,
        "",
        &format!(
            "Written by `usher discover` {} from {}. Each choice says what it rests on.\n\
             Prove it again: usher check-profile app.yaml --secret {}=... --secret {}=...",
            env!("CARGO_PKG_VERSION"),
            w.start,
            victim.var,
            attacker.var
        ),
    );
    o.push_str(&format!("app: {}\nbase_url: {}\n\n", q(&w.app), q(&w.base)));
    match &w.token {
        Some((t, why)) => {
            comment(&mut o, "", why);
            o.push_str(&format!("token:\n{}", token_yaml(t)));
        }
        None => o.push_str("token: auto\n"),
    }
    o.push('\n');
    if let Some((sel, why)) = &f.identity {
        comment(
            &mut o,
            "",
            &format!("Who is logged in: `{}`; {why}.", sel.show()),
        );
        o.push_str(&format!("identity: {}\n\n", sel.yaml()));
    }
    o.push_str("personas:\n");
    for a in [victim, attacker] {
        o.push_str(&format!(
            "  {}:\n    username: {}\n    password: ${{{}}}\n",
            a.role,
            q(&a.username),
            a.var
        ));
    }
    o.push('\n');
    comment(
        &mut o,
        "",
        &format!(
            "Negative controls passed during discovery:\n{}",
            f.controls
                .iter()
                .map(|c| format!("  - {c}"))
                .collect::<Vec<_>>()
                .join("\n")
        ),
    );
    o.push_str("flows:\n");
    let l = &f.login;
    comment(&mut o, "  ", &l.evidence.join("\n"));
    o.push_str(&format!("  login:\n    - open: {}\n", l.page));
    if let Some(op) = &l.opener {
        o.push_str(&format!("    - click: {}\n", op.yaml()));
    }
    let user = "\"${persona.username}\"";
    let pass = "\"${persona.password}\"";
    // The form may be built by script after the page loads (or shown by the opener): wait for it.
    let first_field = l
        .first
        .as_ref()
        .map(|(u, _)| u)
        .or(l.user.as_ref())
        .unwrap_or(&l.pass);
    o.push_str(&format!(
        "    - wait_for: {{ element: {} }}\n",
        first_field.yaml()
    ));
    match &l.first {
        Some((u, next)) => {
            o.push_str(&format!(
                "    - fill: {{ field: {}, value: {user} }}\n    - click: {}\n    - wait_for: {{ element: {} }}\n",
                u.yaml(),
                next.yaml(),
                l.pass.yaml()
            ));
        }
        None => {
            if let Some(u) = &l.user {
                o.push_str(&format!(
                    "    - fill: {{ field: {}, value: {user} }}\n",
                    u.yaml()
                ));
            }
        }
    }
    o.push_str(&format!(
        "    - fill: {{ field: {}, value: {pass} }}\n    - click: {}\n    - wait_for: {{ element: {} }}\n\n",
        l.pass.yaml(),
        l.submit.yaml(),
        f.login_wait.yaml()
    ));
    comment(&mut o, "  ", &format!("The oracle: {}.", f.oracle_evidence));
    o.push_str(&format!(
        "  logged_in:\n    - open: {}\n    - see: {{ element: {} }}\n\n",
        f.protected,
        f.oracle.yaml()
    ));
    if let Some(lo) = &f.logout {
        comment(&mut o, "  ", &lo.evidence);
        o.push_str(&format!(
            "  logout:\n    - open: {}\n    - click: {}\n",
            lo.page,
            lo.sel.yaml()
        ));
        if let Some(wait) = &lo.wait {
            o.push_str(&format!("    - wait_for: {{ element: {} }}\n", wait.yaml()));
        }
        o.push('\n');
    }
    if !f.browse.is_empty() {
        comment(&mut o, "  ", &format!("{}.", f.browse_evidence));
        o.push_str("  browse:\n");
        for p in &f.browse {
            o.push_str(&format!("    - open: {}\n", q(p)));
        }
        o.push('\n');
    }
    if let Some(c) = &f.change {
        comment(
            &mut o,
            "  ",
            &format!(
                "{}.\nThe built-in suite sets ${{current_password}} and ${{new_password}}, and changes the password back.",
                c.evidence
            ),
        );
        o.push_str(&format!(
            "  change_password:\n    - open: {}\n    - fill: {{ field: {}, value: \"${{current_password}}\" }}\n    - fill: {{ field: {}, value: \"${{new_password}}\" }}\n",
            q(&c.page),
            c.current.yaml(),
            c.new.yaml()
        ));
        if let Some(cf) = &c.confirm {
            o.push_str(&format!(
                "    - fill: {{ field: {}, value: \"${{new_password}}\" }}\n",
                cf.yaml()
            ));
        }
        o.push_str(&format!("    - click: {}\n", c.submit.yaml()));
    }
    if let Ok(r) = &f.reset {
        o.push('\n');
        comment(
            &mut o,
            "  ",
            &format!(
                "Password reset: {}.\nDiscovery reads no mail, so this is the request only (check-profile locates its fields, never submits it). \
                 To run password-reset-ends-sessions, write `reset_password`: `- run: request_password_reset`, then the steps that \
                 open the reset link from the mail and set ${{new_password}} (docs/scenario-language.md, `reset_password`).",
                r.evidence
            ),
        );
        o.push_str(&format!(
            "  request_password_reset:\n    - open: {}\n    - fill: {{ field: {}, value: \"${{persona.username}}\" }}\n    - click: {}\n",
            q(&r.page),
            r.email.yaml(),
            r.submit.yaml()
        ));
    }
    o
}
