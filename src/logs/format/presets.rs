//! Named formats for `--format`.

/// Apache and nginx `combined`.
pub const COMBINED: &str = r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent""#;
/// Apache `common` (no Referer, no User-Agent).
pub const COMMON: &str =
    r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent"#;
/// Ticketbooth's access log (`usher demo serve --access-log`): combined, the logged-in user in the
/// `$remote_user` slot, and the session cookie's value last (whichever of its three names it came under).
pub const TICKETBOOTH: &str = r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$cookie_tb_sid""#;

pub const NAMES: [&str; 4] = ["combined", "common", "ticketbooth", "json"];

pub fn named(name: &str) -> Option<&'static str> {
    match name {
        "combined" => Some(COMBINED),
        "common" => Some(COMMON),
        "ticketbooth" => Some(TICKETBOOTH),
        _ => None,
    }
}
