//! The summary printed on stdout.

use crate::logs::outcome::Outcome;

pub fn summary(o: &Outcome) -> String {
    let i = &o.input;
    let mut s = format!(
        "read {} lines ({:.1} MB) in {:.2}s: {} parsed, {} malformed, {} sessions, {} accounts\n",
        i.lines,
        i.bytes as f64 / 1e6,
        i.seconds,
        i.parsed,
        i.malformed,
        i.sessions,
        i.accounts
    );
    if !i.malformed_lines.is_empty() {
        let shown: Vec<String> = i
            .malformed_lines
            .iter()
            .map(|m| format!("line {} ({})", m.line, m.reason))
            .collect();
        s.push_str(&format!(
            "  malformed: {}{}\n",
            shown.join(", "),
            if i.malformed as usize > shown.len() {
                ", …"
            } else {
                ""
            }
        ));
    }
    for r in &o.rules {
        s.push_str(&format!(
            "{:8} {:20} {}\n",
            r.verdict.label(),
            r.id,
            r.summary
        ));
        for inc in r.incidents.iter().take(5) {
            let who = [inc.session.as_deref(), inc.account.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            let lines: Vec<String> = inc.lines.iter().map(u64::to_string).collect();
            s.push_str(&format!(
                "           {who} lines {}: {}\n",
                lines.join(","),
                inc.message
            ));
        }
        if r.count > 5 {
            s.push_str(&format!(
                "           … {} in all (see the reports)\n",
                r.count
            ));
        }
    }
    s
}
