//! Starting and stopping Ticketbooth: the app server (ticketing site + blog sibling) and the
//! third-party analytics origin, both on loopback only.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::access_log::{self, AccessLog};
use super::accounts::{DemoAccount, accounts};
use super::analytics;
use super::config::DemoConfig;
use super::flaws::Flaw;
use super::login_guard::LoginStats;
use super::routes;
use super::session_ids::SessionIds;
use super::state::AppState;
use crate::duration::format_duration;

/// How long `shutdown` lets open connections finish before cutting them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// A running Ticketbooth. Dropping it stops the servers too; `shutdown` also waits for them.
pub struct RunningDemo {
    addr: SocketAddr,
    analytics_addr: SocketAddr,
    config: DemoConfig,
    /// Kept for the test hooks (`live_sessions_of`, `login_stats`).
    state: AppState,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<io::Result<()>>>,
    /// The access log's writer: `shutdown` waits for it, so the log is whole when it returns.
    access_log: Option<std::thread::JoinHandle<()>>,
}

impl RunningDemo {
    pub fn base_url(&self) -> String {
        format!("http://{}:{}", self.config.host, self.addr.port())
    }

    pub fn blog_url(&self) -> String {
        format!("http://{}:{}", self.config.blog_host(), self.addr.port())
    }

    pub fn analytics_url(&self) -> String {
        analytics_url(self.analytics_addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn analytics_addr(&self) -> SocketAddr {
        self.analytics_addr
    }

    /// The seeded accounts (with malice instead of mallory under `prefix-usernames`).
    pub fn accounts(&self) -> Vec<DemoAccount> {
        accounts(&self.config.shapes)
    }

    /// Where the ticketing site's pages are: `base_url` itself, or `base_url/app/` when mounted. The
    /// target to give usher.
    pub fn site_url(&self) -> String {
        if self.config.mount().is_empty() {
            self.base_url()
        } else {
            format!("{}{}/", self.base_url(), self.config.mount())
        }
    }

    pub fn config(&self) -> &DemoConfig {
        &self.config
    }

    /// Sessions of the account `email` the server holds now (expired ones not yet purged included):
    /// for tests that prove a client logged its sessions out.
    pub fn live_sessions_of(&self, email: &str) -> usize {
        let store = self.state.store();
        store
            .users
            .find_by_email(email)
            .map_or(0, |u| store.sessions.count_for_user(u.id))
    }

    /// What the login protection saw: failed logins, locks, 429 answers. For tests that must prove a
    /// sampler locked no account and backed off.
    pub fn login_stats(&self) -> LoginStats {
        let store = self.state.store();
        store.login_guard.stats(&store.users, Instant::now())
    }

    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        for mut task in std::mem::take(&mut self.tasks) {
            if tokio::time::timeout(SHUTDOWN_GRACE, &mut task)
                .await
                .is_err()
            {
                task.abort();
            }
        }
        // The servers (and with them every handle on the log) are gone: the writer drains and ends.
        if let Some(writer) = self.access_log.take() {
            let _ = tokio::task::spawn_blocking(move || writer.join()).await;
        }
    }
}

impl Drop for RunningDemo {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

fn analytics_url(addr: SocketAddr) -> String {
    format!("http://analytics.localhost:{}", addr.port())
}

async fn stopped(mut stop: watch::Receiver<bool>) {
    // An Err means the sender is gone, which also means stop.
    let _ = stop.wait_for(|stop| *stop).await;
}

/// Starts both servers on 127.0.0.1 and returns once they accept connections.
pub async fn start(config: DemoConfig) -> io::Result<RunningDemo> {
    let app_listener = TcpListener::bind((Ipv4Addr::LOCALHOST, config.port)).await?;
    let analytics_listener =
        TcpListener::bind((Ipv4Addr::LOCALHOST, config.analytics_port)).await?;
    let addr = app_listener.local_addr()?;
    let analytics_addr = analytics_listener.local_addr()?;

    let state = AppState::new(config.clone(), analytics_url(analytics_addr));
    let (stop, stop_rx) = watch::channel(false);

    let app = routes::app(state.clone());
    let (app, access_log) = match &config.access_log {
        Some(path) => {
            let (log, writer) = AccessLog::open(path)?;
            let app = app.layer(axum::middleware::from_fn_with_state(
                log,
                access_log::record,
            ));
            (app, Some(writer))
        }
        None => (app, None),
    };
    let app_stop = stop_rx.clone();
    let app_task = tokio::spawn(async move {
        // The client's address reaches the access log through `ConnectInfo`.
        axum::serve(
            app_listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(stopped(app_stop))
        .await
    });
    let analytics_app = analytics::router(analytics::Hits::default());
    let analytics_task = tokio::spawn(async move {
        axum::serve(analytics_listener, analytics_app)
            .with_graceful_shutdown(stopped(stop_rx))
            .await
    });

    Ok(RunningDemo {
        addr,
        analytics_addr,
        config,
        state,
        stop,
        tasks: vec![app_task, analytics_task],
        access_log,
    })
}

fn banner(demo: &RunningDemo) -> String {
    let config = demo.config();
    let mut out = String::new();
    out.push_str("Ticketbooth is running (demo app; do not expose it)\n");
    out.push_str(&format!("  tickets    {}\n", demo.site_url()));
    out.push_str(&format!("  blog       {}\n", demo.blog_url()));
    out.push_str(&format!("  analytics  {}\n", demo.analytics_url()));
    out.push_str(&format!(
        "  listening  {} and {} (loopback only)\n",
        demo.addr(),
        demo.analytics_addr()
    ));
    if let Some(jwt) = &config.jwt {
        out.push_str(&jwt.describe());
    } else if config.flaws.is_empty() {
        out.push_str("Flaws on: none (secure by default)\n");
    } else {
        out.push_str("Flaws on:\n");
        for flaw in config.flaws.iter() {
            out.push_str(&format!("  {:24} {}\n", flaw.name(), flaw.description()));
        }
    }
    if let Some(path) = &config.access_log {
        out.push_str(&format!(
            "Access log: {} (read it with `usher logs --format ticketbooth`)\n",
            path.display()
        ));
    }
    if !config.shapes.is_empty() {
        out.push_str("Shapes on:\n");
        for shape in config.shapes.iter() {
            out.push_str(&format!("  {:30} {}\n", shape.name(), shape.description()));
        }
    }
    if config.session_ids != SessionIds::Csprng {
        out.push_str(&format!(
            "Session ids: {} ({})\n",
            config.session_ids,
            config.session_ids.description()
        ));
    }
    // The token app has neither server sessions nor checkouts: its lifetimes are in `describe`.
    if config.jwt.is_none() {
        out.push_str(&session_limits(config));
    }
    out.push_str("Demo accounts (public demo data):\n");
    for account in &demo.accounts() {
        out.push_str(&format!(
            "  {:28} {:24} {}\n",
            account.email, account.password, account.role
        ));
    }
    out.push_str("Press Ctrl-C to stop.");
    out
}

/// The cookie app's timeouts and session cap, as the banner shows them.
fn session_limits(config: &DemoConfig) -> String {
    let mut out = String::new();
    let enforced = |flaw: Flaw| {
        if config.flaws.contains(flaw) {
            " (not enforced)"
        } else {
            ""
        }
    };
    out.push_str(&format!(
        "Timeouts: idle {}{}, absolute {}{}, checkout step {}{}\n",
        format_duration(config.idle_timeout),
        enforced(Flaw::NoIdleTimeout),
        format_duration(config.absolute_timeout),
        enforced(Flaw::NoAbsoluteTimeout),
        format_duration(config.checkout_timeout),
        enforced(Flaw::NoCheckoutTimeout),
    ));
    out.push_str(&format!(
        "Concurrent sessions per user: {}{}\n",
        config.max_sessions,
        enforced(Flaw::UnlimitedSessions)
    ));
    out
}

/// Runs Ticketbooth in the foreground until Ctrl-C.
pub async fn serve_forever(config: DemoConfig) -> io::Result<()> {
    let demo = start(config).await?;
    crate::outln!("{}", banner(&demo));
    tokio::signal::ctrl_c().await?;
    demo.shutdown().await;
    crate::outln!("Ticketbooth stopped");
    Ok(())
}
