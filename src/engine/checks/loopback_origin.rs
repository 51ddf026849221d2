//! A throwaway HTTP origin a check serves on 127.0.0.1 (a free port) for its own duration: the
//! Referer probe the browser is sent to, the key origin a `jku`/`x5u` forgery points the API at.
//! Stopped gracefully, so the requests it is still answering are not cut off mid-way.

use axum::Router;
use std::net::Ipv4Addr;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

pub struct LoopbackOrigin {
    /// `http://127.0.0.1:PORT`
    pub origin: String,
    stop: CancellationToken,
    task: tokio::task::JoinHandle<()>,
}

impl LoopbackOrigin {
    pub async fn start(app: Router) -> std::io::Result<LoopbackOrigin> {
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let port = listener.local_addr()?.port();
        let stop = CancellationToken::new();
        let stopped = stop.clone().cancelled_owned();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(stopped)
                .await;
        });
        Ok(LoopbackOrigin {
            origin: format!("http://127.0.0.1:{port}"),
            stop,
            task,
        })
    }

    /// Stops accepting and waits briefly for open connections to close.
    pub async fn stop(mut self) {
        self.stop.cancel();
        if tokio::time::timeout(Duration::from_secs(2), &mut self.task)
            .await
            .is_err()
        {
            self.task.abort();
        }
    }
}

/// A check that ends early (an error, a cancelled run) still closes its origin.
impl Drop for LoopbackOrigin {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}
