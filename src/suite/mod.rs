//! The built-in adversarial suite: one scenario per flaw class of the catalogue, parameterised only by
//! the profile (flows, token location, personas `victim`/`attacker`, policy). `usher generate` writes
//! it out as editable files; `usher run --suite builtin` runs it without writing anything.

mod builtin;
mod expected;
mod generate;

pub use builtin::{BUILTIN, BuiltinScenario, select};
pub use expected::{
    DECIDED_BY_ONE_FLAW, DEMO_TOKEN_SAMPLES, JWT_ERRORS, JWT_EXPECTED, SPA_SKIPS, TIMING_POLICY,
    TIMING_SCENARIOS, TRIGGERED_ONLY, Trigger, expected_failures, expected_skip, triggered_by,
};
pub use generate::{Generated, generate};
