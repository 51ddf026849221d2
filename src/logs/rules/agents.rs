//! One session used by more user agents than the policy allows: a stolen id replayed from another
//! browser. Agents are compared by family and platform (`agent.rs`), so an update is not a new agent.

use super::incident;
use crate::logs::agent::family_platform;
use crate::logs::outcome::Found;
use crate::logs::session::{AGENTS, Agent, Session, Use, flag};

pub const ID: &str = "multiple-agents";
pub const TITLE: &str = "one session used from more user agents than allowed";

pub fn on_accepted(s: &mut Session, u: &Use, max_agents: usize, found: &mut Found) {
    // Most requests of a session repeat its agent string: classify only a string not seen last.
    let seen = u.agent_hash;
    if seen == s.last_agent {
        return;
    }
    s.last_agent = seen;
    let (family, platform) = family_platform(u.agent);
    let n = s.n_agents as usize;
    if s.agents[..n]
        .iter()
        .any(|a| a.family == family && a.platform == platform)
    {
        return;
    }
    if n < AGENTS {
        s.agents[n] = Agent {
            family,
            platform,
            line: u.line,
            time: u.time,
        };
        s.n_agents += 1;
    }
    let distinct = s.n_agents as usize;
    if distinct > max_agents && !s.raised(flag::AGENTS) {
        let names: Vec<String> = s.agents[..distinct]
            .iter()
            .map(|a| format!("{} on {} (line {})", a.family, a.platform, a.line))
            .collect();
        let earlier: Vec<(u64, i64)> = s.agents[..distinct - 1]
            .iter()
            .map(|a| (a.line, a.time))
            .collect();
        found.add(incident(
            s,
            u,
            &earlier,
            None,
            format!(
                "{distinct} user agents used this session (at most {max_agents} allowed): {}",
                names.join(", ")
            ),
        ));
    }
}
