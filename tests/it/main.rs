//! The integration tests, one binary: a module per concern (what was one test binary each), the helpers
//! they share in `support`. One binary links once, where fifty took a minute of linking each build.
//! Run one module with `cargo test --test it <module>::`, e.g. `cargo test --test it diagnostics::`.

mod support;

mod account_pools;
mod analysis;
mod analysis_corpus;
mod app_file_token;
mod appium;
mod appium_native;
mod apps_without_checkout;
mod architecture;
mod back_button;
mod baseline_chrome;
mod check_profile_chrome;
mod ci_templates;
mod closed_stdout;
mod completions;
mod demo_access_log;
mod demo_flaws;
mod demo_jwt;
mod demo_late_render;
mod demo_login_protection;
mod demo_markup;
mod demo_pages;
mod demo_session_ids;
mod demo_shapes;
mod diagnostics;
mod discover_chrome;
mod doctor;
mod driver_chrome;
mod engine_chrome;
mod faults;
mod firefox;
mod fixation_shapes;
mod grid;
mod identity_chrome;
mod idle_control;
mod jwt_chrome;
mod jwt_key_recovery;
mod late_render;
mod logs;
mod max_wait;
mod mobile_emulation;
mod oracle_grace;
mod oracle_otherwise;
mod preconditions;
mod report_html;
mod report_json;
mod report_junit;
mod sampling_faults;
mod session_ids;
mod settled_pages;
mod suite_cli;
mod suite_matrix;
mod token_sampling;
