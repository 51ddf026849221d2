//! The plain-HTTP client for `replay ... http`. Like browsers (RFC 6761), it resolves `localhost` and
//! every `*.localhost` name to loopback without asking DNS: glibc does not, and targets such as
//! Ticketbooth live on `tickets.ticketbooth.localhost`.

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

struct LocalhostAware;

impl Resolve for LocalhostAware {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_ascii_lowercase();
        Box::pin(async move {
            if host == "localhost" || host.ends_with(".localhost") {
                let addrs: Addrs =
                    Box::new(std::iter::once(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))));
                return Ok(addrs);
            }
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let addrs: Addrs = Box::new(found.into_iter());
            Ok(addrs)
        })
    }
}

/// A replay client whose requests leave from `local` (e.g. 127.0.0.2, to test binding to the source
/// address); `None` when the address cannot be used.
pub fn replay_client_from(local: std::net::IpAddr) -> Option<reqwest::Client> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .dns_resolver(std::sync::Arc::new(LocalhostAware))
        .local_address(local)
        .build()
        .ok()
}

/// No redirects are followed: a replayed token answered with a redirect to the login page is itself the
/// observation.
pub fn replay_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .dns_resolver(std::sync::Arc::new(LocalhostAware))
        .user_agent(concat!(
            "usher/",
            env!("CARGO_PKG_VERSION"),
            " (token replay)"
        ))
        .build()
        .expect("HTTP client builds")
}
