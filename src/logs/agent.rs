//! User agents compared by browser family and platform, so a browser that updates itself inside one
//! session is still the same agent.

/// `Chrome on Windows`, `Firefox on Linux`, `curl on other`.
pub fn family_platform(ua: &[u8]) -> (&'static str, &'static str) {
    (family(ua), platform(ua))
}

fn has(ua: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(ua, needle).is_some()
}

fn family(ua: &[u8]) -> &'static str {
    const TABLE: [(&[u8], &str); 14] = [
        (b"HeadlessChrome/", "HeadlessChrome"),
        (b"Edg/", "Edge"),
        (b"OPR/", "Opera"),
        (b"SamsungBrowser/", "Samsung Internet"),
        (b"Firefox/", "Firefox"),
        (b"FxiOS/", "Firefox"),
        (b"CriOS/", "Chrome"),
        (b"Chrome/", "Chrome"),
        (b"Chromium/", "Chrome"),
        (b"Safari/", "Safari"),
        (b"curl/", "curl"),
        (b"python-requests/", "python-requests"),
        (b"Go-http-client/", "Go"),
        (b"okhttp/", "okhttp"),
    ];
    TABLE
        .iter()
        .find(|(needle, _)| has(ua, needle))
        .map(|(_, name)| *name)
        .unwrap_or(if ua.is_empty() { "none" } else { "other" })
}

fn platform(ua: &[u8]) -> &'static str {
    const TABLE: [(&[u8], &str); 8] = [
        (b"Android", "Android"),
        (b"iPhone", "iOS"),
        (b"iPad", "iOS"),
        (b"Windows", "Windows"),
        (b"Mac OS X", "macOS"),
        (b"CrOS", "ChromeOS"),
        (b"Linux", "Linux"),
        (b"X11", "Unix"),
    ];
    TABLE
        .iter()
        .find(|(needle, _)| has(ua, needle))
        .map(|(_, name)| *name)
        .unwrap_or("other")
}

/// The pair as one small number, for a session's list of agents.
pub fn key(ua: &[u8]) -> u64 {
    let (f, p) = family_platform(ua);
    crate::logs::hash::of(f.as_bytes()) ^ crate::logs::hash::of(p.as_bytes()).rotate_left(17)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_update_is_the_same_agent_another_browser_is_not() {
        let c119 = b"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36";
        let c120 = b"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.71 Safari/537.36";
        let ff = b"Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0";
        assert_eq!(key(c119), key(c120));
        assert_ne!(key(c119), key(ff));
        assert_eq!(family_platform(ff), ("Firefox", "Linux"));
        assert_eq!(family_platform(b"curl/8.5.0"), ("curl", "other"));
    }
}
