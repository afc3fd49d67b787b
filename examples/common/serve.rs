//! The connection side of the example server: accepts on a listener,
//! serves each connection with hyper's HTTP/1 (plain HTTP: a real
//! deployment puts it behind TLS) and stops on a signal, letting the
//! answers in flight finish. Shared by `examples/license_server.rs` and the
//! tests (`tests/it/http.rs`, `tests/it/http_hostile.rs`).
//!
//! The limits on each connection, held by hyper's connection builder with
//! hyper-util's tokio timer:
//!
//! | limit | answer |
//! |---|---|
//! | request headers not complete [`HEADER_READ_TIMEOUT`] after the server starts waiting for them (slow clients) | connection closed |
//! | nothing sent for [`HEADER_READ_TIMEOUT`] on a fresh or kept-alive connection (idle clients): hyper's header timer starts when it waits for the next request, so it is the idle timeout too | connection closed |
//! | request line and headers over [`MAX_HEADER_BYTES`] | 431, connection closed |
//!
//! HTTP/1 only: the endpoints need nothing more, and HTTP/2's streams would
//! need limits of their own (streams per connection, window sizes).

use std::future::Future;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;

/// How long a client has to send a request's line and headers, counted from
/// when the server starts waiting for them: on a new connection, and after
/// each answer on a kept-alive one. A client's request line and headers
/// take one packet; five seconds is generous for a slow network and closes
/// a slow-header client (slowloris) long before it matters.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(5);
/// The most bytes of request line and headers hyper buffers per connection
/// (its default is about 400 KB); the GET endpoint's query is in them.
/// hyper's minimum is 8 KiB.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// How long a shutdown waits for the answers in flight. A connection still
/// open then is dropped.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Serves `app` on `listener` until `shutdown` completes, then stops
/// accepting and waits (at most [`SHUTDOWN_GRACE`]) for the connections:
/// an idle one closes at once, one with a request in flight after its
/// answer. Returns whether all connections finished within the wait.
pub async fn serve(listener: TcpListener, app: Router, shutdown: impl Future<Output = ()>) -> bool {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .max_buf_size(MAX_HEADER_BYTES);
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of file descriptors, or a connection reset before it
                // was accepted: the next accept may succeed; the pause
                // keeps a persistent error from spinning.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Answers are one small write each: send them at once.
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(app.clone());
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        // A connection's error is the client's (it went away, timed out, or
        // sent no HTTP): nothing to report to anyone.
        tokio::spawn(async move {
            let _ = connection.await;
        });
    }
    drop(listener);
    tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown())
        .await
        .is_ok()
}
