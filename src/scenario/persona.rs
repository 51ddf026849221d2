//! Personas and their accounts: one account (`username`, `password`), a pool of interchangeable
//! accounts (`accounts:`) from which each flow leases one, or another persona's (`same_account_as`).
//!
//! Pools exist so that flows using the same persona can run at the same time: a logout, a password
//! change or a concurrent-session probe in one flow must never touch the account another flow is using,
//! so an account belongs to one flow at a time and may appear in one pool only.

use super::convert::Ctx;
use super::node::{Node, Pos};
use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A persona's account, or a pool of them. Passwords come from `${VARIABLES}` (environment, `--secret`),
/// never literal.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonaDoc {
    pub username: Option<String>,
    pub password: Option<String>,
    /// A pool of interchangeable accounts instead of `username`/`password`: each flow leases one of
    /// them for its whole run, so flows using this persona can run at the same time (`--jobs`).
    pub accounts: Option<Vec<AccountDoc>>,
    /// Another persona whose account this one uses (a second device of the same user); with a pool, the
    /// account that persona leased for the flow.
    pub same_account_as: Option<String>,
}

/// One account of a pool.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountDoc {
    #[schemars(required)]
    pub username: Option<String>,
    /// Must contain a `${VARIABLE}`.
    #[schemars(required)]
    pub password: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Account {
    pub username: String,
    pub password: String,
    /// Where `username` and `password` were written (the persona's key when absent), for diagnostics.
    #[serde(skip)]
    pub field_pos: [Pos; 2],
}

#[derive(Debug, Clone, Serialize)]
pub struct PersonaDef {
    pub name: String,
    /// Its one account, or its pool; empty when it follows `same_account_as`.
    pub accounts: Vec<Account>,
    /// Written as `accounts:`: each flow leases one of `accounts` (even a pool of one).
    pub pooled: bool,
    pub same_account_as: Option<String>,
    pub pos: Pos,
    /// Added by the loader, not written in the profile (the built-in suite's `victim_phone`).
    #[serde(skip)]
    pub implicit: bool,
}

/// Flows `same_account_as` links: at most this many hops (a cycle is reported at load).
const MAX_HOPS: usize = 16;

/// The persona whose account(s) `persona` uses: itself, or the end of its `same_account_as` chain.
pub fn owner<'a>(personas: &'a IndexMap<String, PersonaDef>, persona: &'a str) -> &'a str {
    let mut name = persona;
    for _ in 0..MAX_HOPS {
        match personas
            .get(name)
            .and_then(|p| p.same_account_as.as_deref())
        {
            Some(next) => name = next,
            None => break,
        }
    }
    name
}

/// The account `persona` logs in with: the one its owner leased for this flow (`leased`: owner →
/// index into its pool), else the owner's first.
pub fn account<'a>(
    personas: &'a IndexMap<String, PersonaDef>,
    persona: &str,
    leased: &BTreeMap<String, usize>,
) -> Option<&'a Account> {
    let owner = owner(personas, persona);
    let def = personas.get(owner)?;
    let i = leased.get(owner).copied().unwrap_or(0);
    def.accounts.get(i).or(def.accounts.first())
}

pub fn from_node(ctx: &mut Ctx, node: &Node, out: &mut IndexMap<String, PersonaDef>) {
    let Some(entries) = node.as_map() else {
        ctx.error(
            node.pos,
            1,
            format!(
                "`personas` must be a mapping of names to accounts, found {}",
                node.kind()
            ),
            Some("write each persona as `name:` with `username:` and `password: ${VARIABLE}` indented below it".into()),
        );
        return;
    };
    for (key, value) in entries {
        let what = format!("persona `{}`", key.name);
        let Some(doc) = ctx.typed::<PersonaDoc>(value, &what) else {
            continue;
        };
        let key_at = |field: &str| value.find_key(field).unwrap_or(key.pos);
        let accounts = if let Some(list) = &doc.accounts {
            match pool(ctx, value, &what, &doc, list, &key_at) {
                Some(a) => a,
                None => continue,
            }
        } else if doc.same_account_as.is_some() {
            Vec::new()
        } else {
            if doc.username.is_none() || doc.password.is_none() {
                ctx.error(
                    key.pos,
                    key.name.len(),
                    format!("{what} needs `username` and `password` (or `accounts`, or `same_account_as`)"),
                    Some("passwords come from variables: `password: ${VICTIM_PASSWORD}`".into()),
                );
                continue;
            }
            if !password_ok(ctx, value, &what, doc.password.as_deref()) {
                continue;
            }
            vec![Account {
                username: doc.username.clone().unwrap_or_default(),
                password: doc.password.clone().unwrap_or_default(),
                field_pos: ["username", "password"]
                    .map(|f| value.get(f).map_or(key.pos, |n| n.pos)),
            }]
        };
        out.insert(
            key.name.clone(),
            PersonaDef {
                name: key.name.clone(),
                accounts,
                pooled: doc.accounts.is_some(),
                same_account_as: doc.same_account_as,
                pos: key.pos,
                implicit: false,
            },
        );
    }
    shared_accounts(ctx, out);
    cycles(ctx, out);
}

/// A pool's accounts, or `None` when something about it was reported.
fn pool(
    ctx: &mut Ctx,
    value: &Node,
    what: &str,
    doc: &PersonaDoc,
    list: &[AccountDoc],
    key_at: &dyn Fn(&str) -> Pos,
) -> Option<Vec<Account>> {
    let before = ctx.diags.len();
    for field in ["username", "password", "same_account_as"] {
        let given = match field {
            "username" => doc.username.is_some(),
            "password" => doc.password.is_some(),
            _ => doc.same_account_as.is_some(),
        };
        if given {
            ctx.error(
                key_at(field),
                field.len(),
                format!("{what} has both `accounts` and `{field}`"),
                Some(if field == "same_account_as" {
                    "a persona either follows another's account or has its own pool: drop one".into()
                } else {
                    "a persona has one account (`username`, `password`) or a pool (`accounts:`): move this account into the `accounts` list".into()
                }),
            );
        }
    }
    let list_node = value.get("accounts");
    let items = list_node.and_then(Node::as_seq).unwrap_or_default();
    if list.is_empty() {
        ctx.error(
            list_node.map_or(key_at("accounts"), |n| n.pos),
            1,
            format!("{what} has an empty `accounts` list, so a flow could never lease an account"),
            Some("list at least one `{ username: ..., password: ${VARIABLE} }`".into()),
        );
    }
    let mut out = Vec::new();
    for (i, acc) in list.iter().enumerate() {
        let item = items.get(i);
        let at = item.map_or(key_at("accounts"), |n| n.pos);
        let which = format!("account {} of {what}", i + 1);
        let missing: Vec<&str> = [("username", &acc.username), ("password", &acc.password)]
            .into_iter()
            .filter(|(_, v)| v.is_none())
            .map(|(f, _)| f)
            .collect();
        if !missing.is_empty() {
            ctx.error(
                at,
                1,
                format!("{which} has no `{}`", missing.join("` or `")),
                Some("write each account as `{ username: ..., password: ${VARIABLE} }`".into()),
            );
            continue;
        }
        if let Some(item) = item
            && !password_ok(ctx, item, &which, acc.password.as_deref())
        {
            continue;
        }
        out.push(Account {
            username: acc.username.clone().unwrap_or_default(),
            password: acc.password.clone().unwrap_or_default(),
            field_pos: ["username", "password"]
                .map(|f| item.and_then(|n| n.get(f)).map_or(at, |n| n.pos)),
        });
    }
    (ctx.diags.len() == before).then_some(out)
}

/// A literal password is refused, its text masked in the diagnostic.
fn password_ok(ctx: &mut Ctx, node: &Node, what: &str, password: Option<&str>) -> bool {
    let Some(pw) = password.filter(|pw| !pw.contains("${")) else {
        return true;
    };
    let pos = node.get("password").map_or(node.pos, |n| n.pos);
    ctx.error(
        pos,
        pw.chars().count().min(8),
        format!("{what} has a literal password; secrets never live in the file"),
        Some(
            "write `password: ${NAME}` and pass it with --secret NAME=... or the environment"
                .into(),
        ),
    );
    if let Some(d) = ctx.diags.last_mut() {
        d.mask = Some(pw.to_string());
    }
    false
}

/// An account in a pool belongs to that pool alone: were it also another persona's, one flow's
/// logout or password change could hit a flow that leased it. (Two single-account personas may share
/// an account: their flows run one after another.)
fn shared_accounts(ctx: &mut Ctx, personas: &IndexMap<String, PersonaDef>) {
    let mut first: BTreeMap<&str, (&str, bool)> = BTreeMap::new();
    for p in personas.values() {
        for a in &p.accounts {
            match first.get(a.username.as_str()) {
                Some(&(other, other_pooled)) if p.pooled || other_pooled => {
                    let whose = if other == p.name {
                        format!("twice in the pool of persona `{other}`")
                    } else {
                        format!("in persona `{other}` and in persona `{}`", p.name)
                    };
                    ctx.error(
                        a.field_pos[0],
                        a.username.chars().count(),
                        format!("account `{}` is {whose}", a.username),
                        Some("a pooled account is leased to one flow at a time: give each pool its own accounts".into()),
                    );
                }
                Some(_) => {}
                None => {
                    first.insert(&a.username, (&p.name, p.pooled));
                }
            }
        }
    }
}

/// `same_account_as` chains that come back to where they started name no account at all.
fn cycles(ctx: &mut Ctx, personas: &IndexMap<String, PersonaDef>) {
    // One cycle is reported once, at the first of its personas.
    let mut reported: Vec<&str> = Vec::new();
    for p in personas.values() {
        if reported.contains(&p.name.as_str()) {
            continue;
        }
        let mut seen = vec![p.name.as_str()];
        let mut name = p.name.as_str();
        while let Some(next) = personas
            .get(name)
            .and_then(|d| d.same_account_as.as_deref())
        {
            if next == p.name {
                reported.extend(seen.iter().copied());
                seen.push(next);
                ctx.error(
                    p.pos,
                    p.name.chars().count(),
                    format!(
                        "`same_account_as` goes round in a cycle: {}",
                        seen.join(" → ")
                    ),
                    Some("one persona of the chain must have its own `username` and `password` (or `accounts`)".into()),
                );
                break;
            }
            if seen.contains(&next) {
                break;
            }
            seen.push(next);
            name = next;
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn load(yaml: &str) -> (IndexMap<String, PersonaDef>, Vec<String>) {
        let root = super::super::node::parse(yaml).unwrap();
        let mut ctx = Ctx::new("app.yaml".into());
        let mut out = IndexMap::new();
        from_node(&mut ctx, &root, &mut out);
        (out, ctx.diags.into_iter().map(|d| d.message).collect())
    }

    /// A pool, a persona on its leased account and a single account (the engine's account tests
    /// lease from it too).
    pub(crate) const POOLS: &str = r#"
victim:
  accounts:
    - { username: alice, password: "${A}" }
    - { username: bob, password: "${B}" }
victim_phone:
  same_account_as: victim
attacker:
  username: mallory
  password: ${M}
"#;

    #[test]
    fn same_account_as_follows_the_leased_account_of_a_pool() {
        let (p, diags) = load(POOLS);
        assert!(diags.is_empty(), "{diags:?}");
        assert!(p["victim"].pooled && !p["attacker"].pooled);
        let none = BTreeMap::new();
        assert_eq!(
            account(&p, "victim_phone", &none).unwrap().username,
            "alice"
        );
        let leased: BTreeMap<String, usize> = [("victim".to_string(), 1)].into();
        assert_eq!(account(&p, "victim", &leased).unwrap().username, "bob");
        assert_eq!(
            account(&p, "victim_phone", &leased).unwrap().password,
            "${B}"
        );
        assert_eq!(
            account(&p, "attacker", &leased).unwrap().username,
            "mallory"
        );
        assert_eq!(owner(&p, "victim_phone"), "victim");
    }

    #[test]
    fn single_accounts_load_as_before() {
        let (p, diags) = load("victim:\n  username: alice\n  password: ${A}\n");
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(p["victim"].accounts.len(), 1);
        assert!(!p["victim"].pooled);
    }

    #[test]
    fn bad_pools_are_reported() {
        let (_, diags) = load(
            "v:\n  accounts:\n    - { username: a, password: \"${A}\" }\n    - { username: a, password: \"${A}\" }\n",
        );
        assert_eq!(diags, ["account `a` is twice in the pool of persona `v`"]);
        let (_, diags) = load("v:\n  accounts:\n    - { username: a, password: hunter22 }\n");
        assert_eq!(
            diags,
            ["account 1 of persona `v` has a literal password; secrets never live in the file"]
        );
        let (_, diags) = load(
            "v:\n  same_account_as: w\n  accounts:\n    - { username: a, password: \"${A}\" }\nw:\n  username: b\n  password: ${B}\n",
        );
        assert_eq!(
            diags,
            ["persona `v` has both `accounts` and `same_account_as`"]
        );
        // Two single-account personas may share an account: their flows run one after another.
        let (_, diags) =
            load("v:\n  username: a\n  password: ${A}\nw:\n  username: a\n  password: ${A}\n");
        assert!(diags.is_empty(), "{diags:?}");
    }

    #[test]
    fn a_same_account_as_cycle_is_reported_once() {
        let (p, diags) = load("a:\n  same_account_as: b\nb:\n  same_account_as: a\n");
        assert_eq!(
            diags,
            ["`same_account_as` goes round in a cycle: a → b → a"]
        );
        // Following it still ends.
        let _ = owner(&p, "a");
    }
}
