//! Account leases: which flow may run now. A flow starts when a job slot (`--jobs`) is free and it can
//! hold every account it needs for its whole run: the one account of each single-account persona it
//! uses, and any one free account of each pool. Accounts are held by one flow at a time, so a logout,
//! a password change or a concurrent-session probe never touches another running flow's account.
//!
//! Everything a flow needs is granted at once (no flow holds some accounts while waiting for others),
//! so there is no deadlock. Waiting flows are considered in file order and an earlier waiting flow
//! keeps the single accounts it waits for from later ones, so flows sharing an account run one after
//! another in file order, as serial groups did before pools. Only flows needing nothing but pooled
//! accounts are taken heaviest first (see `weight`): their order cannot matter to one another.

use super::context::FlowCtx;
use crate::scenario::step::ParallelArgs;
use crate::scenario::{Action, Check, Profile, Scenario, Step, Suite};
use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

/// One account a flow must hold: any one of `candidates` (one for a single account, the pool's
/// accounts for a pool), for the personas `owners` (owner persona, as `same_account_as` chains end).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need {
    pub owners: Vec<String>,
    pub candidates: Vec<String>,
}

/// The accounts a flow using `personas` must hold. Accounts are told apart by suite and username, the
/// username as written (before `${VARS}`): serialisation covers one suite.
pub fn needs(suite_tag: usize, profile: &Profile, personas: &[String]) -> Vec<Need> {
    let key = |username: &str| format!("{suite_tag}/{username}");
    let mut out: Vec<Need> = Vec::new();
    for persona in personas {
        let owner = profile.owner_of(persona);
        let Some(def) = profile.personas.get(owner) else {
            continue;
        };
        let candidates: Vec<String> = if def.pooled {
            def.accounts.iter().map(|a| key(&a.username)).collect()
        } else {
            def.accounts
                .iter()
                .take(1)
                .map(|a| key(&a.username))
                .collect()
        };
        if candidates.is_empty() {
            continue;
        }
        // Two single-account personas with the same username are one account.
        match out.iter_mut().find(|n| n.candidates == candidates) {
            Some(n) if !n.owners.iter().any(|o| o == owner) => n.owners.push(owner.to_string()),
            Some(_) => {}
            None => out.push(Need {
                owners: vec![owner.to_string()],
                candidates,
            }),
        }
    }
    out
}

/// Every step a scenario can reach: its own and those of the flows they run, transitively.
fn steps_reached<'a>(suite: &'a Suite, s: &'a Scenario) -> Vec<&'a Step> {
    let mut out = Vec::new();
    let mut flows_seen = HashSet::new();
    let mut pending: Vec<&Step> = s.steps.iter().collect();
    while let Some(step) = pending.pop() {
        out.push(step);
        pending.extend(step.nested());
        let called = match &step.action {
            Action::Parallel(ParallelArgs { run: f, .. }) => Some(f.as_str()),
            Action::Browse => Some("browse"),
            a => a.flow_run(),
        };
        if let Some(f) = called
            && flows_seen.insert(f.to_string())
            && let Some(flow) = suite.profile.flows.get(f)
        {
            pending.extend(flow.steps.iter());
        }
    }
    out
}

/// The personas a scenario uses: its `personas:`, its default performer, and every persona its steps
/// and the flows they run name, transitively. (Probe browsers of measuring checks use the judged
/// persona's account and so are covered by it.)
pub fn personas_used(suite: &Suite, s: &Scenario) -> Vec<String> {
    let mut v = s.personas.clone();
    v.push(default_persona(suite, s));
    for step in steps_reached(suite, s) {
        v.extend(step.personas_of().into_iter().map(String::from));
    }
    v.sort();
    v.dedup();
    v
}

/// How long a flow is likely to take, coarsely: 3 when it waits out real time (`idle`, the timeout
/// checks), 2 when it samples many logins (`entropy_at_least`), 1 for `concurrent_sessions_at_most`,
/// else 0. Among flows that need only pooled accounts the heavier start first, so that the longest
/// flows do not start last and stretch the run.
pub fn weight(suite: &Suite, s: &Scenario) -> u8 {
    steps_reached(suite, s)
        .iter()
        .map(|step| match &step.action {
            Action::Idle(_)
            | Action::Check(
                Check::IdleTimeoutAtMost | Check::AbsoluteTimeoutAtMost | Check::CheckoutExpires,
            ) => 3,
            Action::Check(Check::EntropyAtLeast) => 2,
            Action::Check(Check::ConcurrentSessionsAtMost) => 1,
            _ => 0,
        })
        .max()
        .unwrap_or(0)
}

/// The persona that performs steps naming none.
pub fn default_persona(suite: &Suite, s: &Scenario) -> String {
    s.personas
        .first()
        .cloned()
        .or_else(|| suite.profile.personas.keys().next().cloned())
        .unwrap_or_else(|| "user".into())
}

/// What a persona's account was in a flow, for the record: persona → username (expanded; redacted with
/// everything else when written).
pub fn used_accounts(ctx: &FlowCtx, personas: &[String]) -> BTreeMap<String, String> {
    personas
        .iter()
        .filter(|p| ctx.profile.personas.contains_key(p.as_str()))
        .filter_map(|p| {
            let u = ctx.expand("${persona.username}", p).ok()?;
            Some((p.clone(), ctx.run.redactor.redact(&u)))
        })
        .collect()
}

/// Hands out job slots and accounts.
pub struct Scheduler {
    state: Mutex<State>,
}

struct State {
    /// Nothing is granted before every flow is queued, so that the first grants see them all.
    open: bool,
    free_jobs: usize,
    busy: HashSet<String>,
    /// By file order.
    waiting: BTreeMap<usize, Waiter>,
}

struct Waiter {
    /// `weight`, kept only when every need is a pool of more than one account.
    rank: u8,
    needs: Vec<Vec<String>>,
    reply: oneshot::Sender<Lease>,
}

/// A job slot and accounts held by one flow; dropping it gives them back and starts whatever can
/// start now.
pub struct Lease {
    scheduler: Arc<Scheduler>,
    held: Vec<String>,
    /// For each need, in order, the index of the candidate granted.
    pub chosen: Vec<usize>,
}

impl Drop for Lease {
    fn drop(&mut self) {
        let grants = {
            let mut st = self.scheduler.lock();
            st.free_jobs += 1;
            for k in &self.held {
                st.busy.remove(k);
            }
            self.scheduler.grant(&mut st)
        };
        send(grants);
    }
}

impl Scheduler {
    pub fn new(jobs: usize) -> Arc<Self> {
        Arc::new(Scheduler {
            state: Mutex::new(State {
                open: false,
                free_jobs: jobs.max(1),
                busy: HashSet::new(),
                waiting: BTreeMap::new(),
            }),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock leaves the counts as they were; carry on with them.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues a flow (call in file order: `order` must grow) of the given `weight` needing one of each
    /// `needs` list; the lease arrives when it may start (not before `open`).
    pub fn enqueue(
        self: &Arc<Self>,
        order: usize,
        weight: u8,
        needs: Vec<Vec<String>>,
    ) -> oneshot::Receiver<Lease> {
        let (reply, rx) = oneshot::channel();
        let pooled_only = needs.iter().all(|c| c.len() > 1);
        let rank = if pooled_only { weight } else { 0 };
        let grants = {
            let mut st = self.lock();
            st.waiting.insert(order, Waiter { rank, needs, reply });
            self.grant(&mut st)
        };
        send(grants);
        rx
    }

    /// Starts granting: call once every flow is queued.
    pub fn open(self: &Arc<Self>) {
        let grants = {
            let mut st = self.lock();
            st.open = true;
            self.grant(&mut st)
        };
        send(grants);
    }

    /// Starts waiting flows, heaviest pooled-only flows first and otherwise in file order, while job
    /// slots last. A flow that cannot start keeps its single accounts from later flows, so those keep
    /// their file order.
    fn grant(self: &Arc<Self>, st: &mut State) -> Vec<(oneshot::Sender<Lease>, Lease)> {
        let mut out = Vec::new();
        if !st.open {
            return out;
        }
        let mut reserved: HashSet<String> = HashSet::new();
        let mut orders: Vec<(std::cmp::Reverse<u8>, usize)> = st
            .waiting
            .iter()
            .map(|(o, w)| (std::cmp::Reverse(w.rank), *o))
            .collect();
        orders.sort_unstable();
        let orders = orders.into_iter().map(|(_, o)| o);
        for order in orders {
            if st.free_jobs == 0 {
                break;
            }
            let needs = &st.waiting[&order].needs;
            let mut chosen = Vec::new();
            let mut held: Vec<String> = Vec::new();
            for candidates in needs {
                let free = candidates.iter().position(|k| {
                    !st.busy.contains(k) && !reserved.contains(k) && !held.contains(k)
                });
                match free {
                    Some(i) => {
                        chosen.push(i);
                        held.push(candidates[i].clone());
                    }
                    None => break,
                }
            }
            if chosen.len() < needs.len() {
                reserved.extend(needs.iter().filter(|c| c.len() == 1).flatten().cloned());
                continue;
            }
            let waiter = st.waiting.remove(&order).expect("listed above");
            st.free_jobs -= 1;
            st.busy.extend(held.iter().cloned());
            out.push((
                waiter.reply,
                Lease {
                    scheduler: self.clone(),
                    held,
                    chosen,
                },
            ));
        }
        out
    }
}

/// Delivers leases outside the lock: a lease whose flow is gone comes back and is dropped, which
/// takes the lock again to release it.
fn send(grants: Vec<(oneshot::Sender<Lease>, Lease)>) {
    for (reply, lease) in grants {
        let _ = reply.send(lease);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Flows queued in order, and the leases handed out so far (flow index → lease).
    struct Sim {
        waiting: Vec<Option<oneshot::Receiver<Lease>>>,
        needs: Vec<Vec<Vec<String>>>,
        running: BTreeMap<usize, Lease>,
    }

    impl Sim {
        fn new(jobs: usize, flows: &[&[&[&str]]]) -> Self {
            Self::weighted(jobs, flows, &[])
        }

        fn weighted(jobs: usize, flows: &[&[&[&str]]], weights: &[u8]) -> Self {
            let sched = Scheduler::new(jobs);
            let needs: Vec<Vec<Vec<String>>> = flows
                .iter()
                .map(|f| {
                    f.iter()
                        .map(|c| c.iter().map(|k| k.to_string()).collect())
                        .collect()
                })
                .collect();
            let waiting = needs
                .iter()
                .enumerate()
                .map(|(i, n)| {
                    Some(sched.enqueue(i, weights.get(i).copied().unwrap_or(0), n.clone()))
                })
                .collect();
            sched.open();
            let mut sim = Sim {
                waiting,
                needs,
                running: BTreeMap::new(),
            };
            sim.collect();
            sim
        }

        /// Takes the leases granted since the last call; checks no account is held twice.
        fn collect(&mut self) {
            for (i, rx) in self.waiting.iter_mut().enumerate() {
                if let Some(r) = rx
                    && let Ok(lease) = r.try_recv()
                {
                    *rx = None;
                    self.running.insert(i, lease);
                }
            }
            let mut held = HashSet::new();
            for (i, lease) in &self.running {
                for k in self.held(*i, lease) {
                    assert!(held.insert(k.clone()), "{k} held by two flows at once");
                }
            }
        }

        fn held(&self, flow: usize, lease: &Lease) -> Vec<String> {
            lease
                .chosen
                .iter()
                .zip(&self.needs[flow])
                .map(|(i, c)| c[*i].clone())
                .collect()
        }

        fn running(&self) -> Vec<usize> {
            self.running.keys().copied().collect()
        }

        fn finish(&mut self, flow: usize) {
            drop(self.running.remove(&flow).expect("running"));
            self.collect();
        }
    }

    #[test]
    fn never_two_flows_on_one_account_at_once() {
        let flows: Vec<&[&[&str]]> = (0..9)
            .map(|i| -> &[&[&str]] {
                match i % 3 {
                    0 => &[&["v1", "v2"], &["a1", "a2"]],
                    1 => &[&["v1", "v2"]],
                    _ => &[&["a1", "a2"], &["carol"]],
                }
            })
            .collect();
        let mut sim = Sim::new(4, &flows);
        let mut done = 0;
        let mut most = 0;
        // Finish the oldest running flow, over and over: `collect` checks every state on the way.
        while let Some(&first) = sim.running().first() {
            most = most.max(sim.running().len());
            sim.finish(first);
            done += 1;
        }
        assert_eq!(done, 9, "every flow ran");
        assert_eq!(
            most, 3,
            "two victims, two attackers and carol let three flows run at once"
        );
    }

    #[test]
    fn a_pool_of_k_runs_k_flows_at_once() {
        let pool: &[&str] = &["v1", "v2", "v3"];
        let flows: Vec<&[&[&str]]> = vec![std::slice::from_ref(&pool); 6];
        let mut sim = Sim::new(8, &flows);
        assert_eq!(sim.running(), [0, 1, 2]);
        let mut accounts: Vec<String> = sim
            .running
            .iter()
            .flat_map(|(i, l)| sim.held(*i, l))
            .collect();
        accounts.sort();
        assert_eq!(accounts, ["v1", "v2", "v3"]);
        sim.finish(1);
        assert_eq!(sim.running(), [0, 2, 3]);
        assert_eq!(
            sim.held(3, &sim.running[&3]),
            ["v2"],
            "the account flow 1 gave back"
        );
    }

    #[test]
    fn jobs_bound_a_pool() {
        let pool: &[&str] = &["v1", "v2", "v3", "v4"];
        let flows: Vec<&[&[&str]]> = vec![std::slice::from_ref(&pool); 4];
        let mut sim = Sim::new(2, &flows);
        assert_eq!(sim.running(), [0, 1]);
        sim.finish(0);
        assert_eq!(sim.running(), [1, 2]);
    }

    #[test]
    fn a_shared_single_account_still_serialises_in_file_order() {
        let flows: &[&[&[&str]]] = &[
            &[&["alice"]],
            &[&["bob"]],
            &[&["alice"]],
            &[&["bob"]],
            &[&["alice"]],
            &[&["alice"], &["bob"]],
        ];
        let mut sim = Sim::new(4, flows);
        assert_eq!(
            sim.running(),
            [0, 1],
            "alice's and bob's first flows run together"
        );
        sim.finish(0);
        assert_eq!(sim.running(), [1, 2]);
        sim.finish(1);
        assert_eq!(sim.running(), [2, 3]);
        sim.finish(2);
        assert_eq!(sim.running(), [3, 4]);
        sim.finish(3);
        assert_eq!(sim.running(), [4], "flow 5 needs alice too");
        sim.finish(4);
        assert_eq!(sim.running(), [5]);
    }

    #[test]
    fn heavy_pooled_flows_start_first_but_single_accounts_keep_file_order() {
        let pool: &[&str] = &["v1", "v2"];
        let flows: &[&[&[&str]]] = &[&[pool], &[pool], &[pool], &[&["alice"]], &[&["alice"]]];
        // Flow 2 (pooled, heavy) goes before 0 and 1; flow 4 is heavy but waits for alice behind 3.
        let mut sim = Sim::weighted(2, flows, &[0, 0, 3, 0, 3]);
        assert_eq!(sim.running(), [0, 2]);
        sim.finish(2);
        assert_eq!(sim.running(), [0, 1]);
        sim.finish(0);
        assert_eq!(sim.running(), [1, 3]);
        sim.finish(3);
        assert_eq!(sim.running(), [1, 4]);
    }

    #[test]
    fn a_later_flow_cannot_overtake_an_earlier_one_on_its_account() {
        // Flow 1 waits for bob (held by 0) and alice; flow 2 wants alice alone and waits for flow 1.
        let flows: &[&[&[&str]]] = &[&[&["bob"]], &[&["alice"], &["bob"]], &[&["alice"]]];
        let mut sim = Sim::new(4, flows);
        assert_eq!(sim.running(), [0]);
        sim.finish(0);
        assert_eq!(sim.running(), [1]);
        sim.finish(1);
        assert_eq!(sim.running(), [2]);
    }

    #[test]
    fn a_lease_whose_flow_is_gone_is_given_back() {
        let sched = Scheduler::new(1);
        let first = sched.enqueue(0, 0, vec![vec!["alice".into()]]);
        let mut second = sched.enqueue(1, 0, vec![vec!["alice".into()]]);
        sched.open();
        assert!(second.try_recv().is_err());
        drop(first);
        assert!(
            second.try_recv().is_ok(),
            "the slot and the account came back"
        );
    }

    /// The built-in suite on the pool profile: the password change needs one victim (its phone
    /// follows) and one attacker, and the flows that wait out time are the heaviest.
    #[test]
    fn builtin_suite_on_the_pool_profile() {
        let inputs = crate::scenario::Inputs {
            secrets: crate::demo::ACCOUNTS
                .iter()
                .map(|a| {
                    let user = a.email.split('@').next().unwrap().to_ascii_uppercase();
                    (format!("TB_{user}_PASSWORD"), a.password.to_string())
                })
                .collect(),
            ..Default::default()
        };
        let sources: Vec<(String, String)> = crate::suite::BUILTIN
            .iter()
            .map(|b| (format!("builtin/{}.yaml", b.name), b.text.to_string()))
            .collect();
        let project = crate::scenario::load::load_embedded(
            std::path::Path::new("scenarios/ticketbooth-pool/app.yaml"),
            &sources,
            &inputs,
        )
        .unwrap_or_else(|d| panic!("{}", d.render()));
        let suite = &project.suites[0];
        let find = |name: &str| suite.scenarios.iter().find(|s| s.name == name).unwrap();
        let change = find("password-change-ends-sessions");
        let n = needs(0, &suite.profile, &personas_used(suite, change));
        let owners: Vec<&[String]> = n.iter().map(|n| n.owners.as_slice()).collect();
        assert_eq!(owners, [["attacker"], ["victim"]]);
        assert!(n.iter().all(|n| n.candidates.len() == 4));
        let weights: Vec<u8> = [
            "idle-timeout",
            "token-predictability",
            "concurrent-sessions",
            "cookie-attributes",
        ]
        .map(|name| weight(suite, find(name)))
        .into();
        assert_eq!(weights, [3, 2, 1, 0]);
    }

    #[test]
    fn needs_follow_same_account_as_and_merge_shared_usernames() {
        // The persona loader's pools, and an admin on the attacker's account.
        let pools: String = crate::scenario::persona::tests::POOLS
            .lines()
            .map(|l| format!("  {l}\n"))
            .collect();
        let yaml = format!(
            r##"
app: a
token: auto
personas:
{pools}  admin:
    username: mallory
    password: ${{M}}
flows:
  login: [{{open: /}}]
  logged_in: [{{see: "#x"}}]
"##
        );
        let root = crate::scenario::node::parse(&yaml).unwrap();
        let mut ctx = crate::scenario::convert::Ctx::new("app.yaml".into());
        let profile =
            crate::scenario::profile::from_node(&mut ctx, &root, std::path::PathBuf::new())
                .unwrap_or_else(|| panic!("{:?}", ctx.diags));
        let used: Vec<String> = ["admin", "attacker", "victim", "victim_phone"]
            .map(String::from)
            .into();
        let needs = needs(3, &profile, &used);
        assert_eq!(
            needs,
            [
                Need {
                    owners: vec!["admin".into(), "attacker".into()],
                    candidates: vec!["3/mallory".into()],
                },
                Need {
                    owners: vec!["victim".into()],
                    candidates: vec!["3/alice".into(), "3/bob".into()],
                },
            ]
        );
    }
}
