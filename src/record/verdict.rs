//! A judgement: what a check, a flow or a run came to.

use schemars::JsonSchema;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Hash, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum Verdict {
    Pass,
    Skipped,
    Error,
    Fail,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::Fail => "FAIL",
            Verdict::Error => "ERROR",
            Verdict::Skipped => "SKIPPED",
        }
    }

    /// The flow's verdict from its checks: a found flaw outranks a harness error, which outranks a skip.
    pub fn combine(verdicts: impl IntoIterator<Item = Verdict>) -> Option<Verdict> {
        let all: Vec<Verdict> = verdicts.into_iter().collect();
        if all.is_empty() {
            return None;
        }
        if all.iter().all(|v| *v == Verdict::Skipped) {
            return Some(Verdict::Skipped);
        }
        all.into_iter().filter(|v| *v != Verdict::Skipped).max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fail_outranks_error_outranks_pass() {
        use Verdict::*;
        assert_eq!(Verdict::combine([Pass, Error, Fail]), Some(Fail));
        assert_eq!(Verdict::combine([Pass, Error]), Some(Error));
        assert_eq!(Verdict::combine([Pass, Skipped]), Some(Pass));
        assert_eq!(Verdict::combine([Skipped]), Some(Skipped));
        assert_eq!(Verdict::combine([]), None);
    }
}
