//! A small license server that answers a few of GetKeyManager's endpoints
//! with envelopes signed by respsig, for trying the client side over real
//! HTTP (see `examples/license_client.rs`), and the model of a signing
//! server that holds under hostile clients:
//!
//! ```sh
//! cargo run --release --example license_server -- --port 8080
//! ```
//!
//! By default it signs with the TEST-ONLY keys published in
//! `testdata/keys/` (`product` = rsa2048.pem, `global` = other2048.pem):
//! anyone can forge its responses. Never use those keys for anything else.
//!
//! Plain HTTP on 127.0.0.1 only: a real deployment puts it behind TLS (a
//! reverse proxy or a TLS acceptor in front of `serve`).
//!
//! Which layer holds which limit (each constant says why its value):
//!
//! | limit | held by | answer |
//! |---|---|---|
//! | headers within `HEADER_READ_TIMEOUT` (5 s; slow clients) | hyper's HTTP/1 builder with hyper-util's `TokioTimer` (`common/serve.rs`) | connection closed |
//! | idle connections: the same timer, started whenever hyper waits for a request | the same | connection closed |
//! | request line and headers within `MAX_HEADER_BYTES` (16 KiB) | the same (`max_buf_size`) | 431 |
//! | body within `MAX_BODY` (8 KiB), declared or chunked | tower-http `RequestBodyLimitLayer` (`common/server.rs`) | 413, before the body is read |
//! | at most `MAX_FIELDS` (32) fields, none twice | the handlers' form reader `Fields` | 400 |
//! | at most `MAX_IN_FLIGHT` (512) requests in the handlers | tower `GlobalConcurrencyLimitLayer` + `LoadShedLayer` | 503 |
//! | a request done within `REQUEST_TIMEOUT` (5 s) | tower-http `TimeoutLayer` | 408 |
//! | RSA signing on a pool of one thread per core, off the async workers | `spawn_blocking` on a runtime with `max_blocking_threads` (here) | |
//!
//! 413, 400, 415 and 503 are unsigned, a line of `text/plain`; 408 and 431
//! unsigned and empty: as a front proxy sends them. The catalogue has no
//! code for them, and "Invalid API Key" is for a wrong key only.
//!
//! Ctrl-C stops accepting, lets the answers in flight finish (10 s at
//! most) and exits. Logging cannot block the server: a summary every 10 s
//! (and, with `--log-requests`, a line per request) is printed by a thread
//! of its own, fed through a bounded queue that drops lines when stdout is
//! slow or unread.

#[path = "common/serve.rs"]
mod serve;
#[path = "common/server.rs"]
mod server;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, SyncSender};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;
use respsig::SigningKey;

const USAGE: &str = "\
usage: license_server [--port PORT] [--product-key PATH] [--global-key PATH]
                      [--log-requests]

  --port PORT         TCP port on 127.0.0.1 (default 8080; 0 picks a free one)
  --product-key PATH  PEM private key signing under `product`
                      (default testdata/keys/rsa2048.pem, a published TEST key)
  --global-key PATH   PEM private key signing under `global`
                      (default testdata/keys/other2048.pem, a published TEST key)
  --log-requests      a line per request besides the 10 s summary (dropped,
                      and counted, when stdout falls behind)";

const DEFAULT_PRODUCT_KEY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/keys/rsa2048.pem");
const DEFAULT_GLOBAL_KEY: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/keys/other2048.pem");

struct Args {
    port: u16,
    product_key: PathBuf,
    global_key: PathBuf,
    log_requests: bool,
}

/// The arguments, or `None` for `--help`.
fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut parsed = Args {
        port: 8080,
        product_key: PathBuf::from(DEFAULT_PRODUCT_KEY),
        global_key: PathBuf::from(DEFAULT_GLOBAL_KEY),
        log_requests: false,
    };
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--port" => {
                let port = value()?;
                parsed.port = port
                    .parse()
                    .map_err(|_| format!("--port: {port:?} is not a port number (0 to 65535)"))?;
            }
            "--product-key" => parsed.product_key = value()?.into(),
            "--global-key" => parsed.global_key = value()?.into(),
            "--log-requests" => parsed.log_requests = true,
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(Some(parsed))
}

/// `path`, relative to the repository when it is inside it.
fn shown(path: &Path) -> String {
    let path = path
        .strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(path);
    path.display().to_string()
}

fn load_key(path: &Path) -> Result<SigningKey, String> {
    let pem =
        std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", shown(path)))?;
    // The crate's errors never print key material.
    SigningKey::from_pem(&pem).map_err(|e| format!("{}: {e}", shown(path)))
}

/// How often the log thread prints its summary.
const SUMMARY_EVERY: Duration = Duration::from_secs(10);
/// Lines waiting for the log thread; beyond this they are dropped.
const LOG_QUEUE: usize = 1024;

/// What the server says once it serves. The request path only counts and
/// `try_send`s; printing is the log thread's, so a stdout that is slow or
/// never read stops that thread and nothing else (startup lines, printed
/// before any client, are the only ones printed directly).
struct Log {
    /// Answers by status code (100 to 599).
    statuses: Vec<AtomicU64>,
    /// Lines not queued because the queue was full.
    dropped: AtomicU64,
    /// A line per request (`--log-requests`).
    log_requests: bool,
    /// To the log thread.
    queue: SyncSender<Line>,
}

enum Line {
    Text(String),
    /// Print the summary now, then say so.
    Flush(mpsc::Sender<()>),
}

impl Log {
    /// The log, and its thread started.
    fn start(log_requests: bool) -> Arc<Log> {
        let (queue, receiver) = mpsc::sync_channel(LOG_QUEUE);
        let log = Arc::new(Log {
            statuses: (100..600).map(|_| AtomicU64::new(0)).collect(),
            dropped: AtomicU64::new(0),
            log_requests,
            queue,
        });
        let summarized = Arc::clone(&log);
        // The thread holds the log, so the queue's sender outlives it.
        std::thread::spawn(move || {
            let mut next = Instant::now() + SUMMARY_EVERY;
            loop {
                let wait = next.saturating_duration_since(Instant::now());
                match receiver.recv_timeout(wait) {
                    Ok(Line::Text(line)) => println!("{line}"),
                    Ok(Line::Flush(done)) => {
                        summarized.print_summary();
                        let _ = done.send(());
                    }
                    Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {}
                }
                if Instant::now() >= next {
                    summarized.print_summary();
                    next = Instant::now() + SUMMARY_EVERY;
                }
            }
        });
        log
    }

    /// Queues `line`, or counts it dropped.
    fn say(&self, line: String) {
        if self.queue.try_send(Line::Text(line)).is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn record(&self, line: impl FnOnce() -> String, status: u16) {
        if let Some(count) = self.statuses.get(usize::from(status).wrapping_sub(100)) {
            count.fetch_add(1, Ordering::Relaxed);
        }
        if self.log_requests {
            self.say(line());
        }
    }

    /// Prints the answers since the last summary by status (`answers: 200
    /// x 5120, 413 x 3`), if there were any; the counts start over.
    fn print_summary(&self) {
        let mut parts = Vec::new();
        for (status, count) in (100..).zip(&self.statuses) {
            let count = count.swap(0, Ordering::Relaxed);
            if count > 0 {
                parts.push(format!("{status} x {count}"));
            }
        }
        let dropped = self.dropped.swap(0, Ordering::Relaxed);
        if dropped > 0 {
            parts.push(format!("{dropped} log lines dropped"));
        }
        if !parts.is_empty() {
            println!("answers: {}", parts.join(", "));
        }
    }

    /// The last summary, waiting at most `limit` for the log thread (which
    /// a blocked stdout stops).
    fn flush(&self, limit: Duration) {
        let (done, flushed) = mpsc::channel();
        if self.queue.try_send(Line::Flush(done)).is_ok() {
            let _ = flushed.recv_timeout(limit);
        }
    }
}

/// Counts each answer, and queues a line (method, path, status) for the
/// log thread with `--log-requests`.
async fn log_request(State(log): State<Arc<Log>>, request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = log.log_requests.then(|| request.uri().path().to_owned());
    let response = next.run(request).await;
    let status = response.status();
    log.record(
        || format!("{method} {} -> {status}", path.unwrap_or_default()),
        status.as_u16(),
    );
    response
}

async fn run(args: Args, keys: server::Keys) -> Result<(), String> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, args.port));
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let bound = listener
        .local_addr()
        .map_err(|e| format!("cannot read the bound address: {e}"))?;
    println!("listening on http://{bound}");
    let log = Log::start(args.log_requests);
    // Outermost, so it also counts what the limits refuse.
    let app = server::app(keys).layer(middleware::from_fn_with_state(
        Arc::clone(&log),
        log_request,
    ));
    let ctrl_c = async {
        // Without a signal handler the server runs until killed.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
        log.say("Ctrl-C: finishing the answers in flight".to_owned());
    };
    let finished = serve::serve(listener, app, ctrl_c).await;
    log.flush(Duration::from_secs(1));
    if finished {
        Ok(())
    } else {
        Err(format!(
            "connections still open after {} s were dropped",
            serve::SHUTDOWN_GRACE.as_secs()
        ))
    }
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("license_server: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let (product, global) = match (load_key(&args.product_key), load_key(&args.global_key)) {
        (Ok(product), Ok(global)) => (product, global),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("license_server: {e}");
            return ExitCode::from(2);
        }
    };

    let mut test_keys = false;
    for (name, key, path, default) in [
        ("product", &product, &args.product_key, DEFAULT_PRODUCT_KEY),
        ("global", &global, &args.global_key, DEFAULT_GLOBAL_KEY),
    ] {
        let is_test_key = path == Path::new(default);
        test_keys |= is_test_key;
        println!(
            "{name:<7} key sha256:{} {}{}",
            key.public_key().fingerprint(),
            shown(path),
            if is_test_key { "  (TEST-ONLY KEY)" } else { "" }
        );
    }
    if test_keys {
        println!(
            "WARNING: signing with TEST-ONLY keys published in this repository (testdata/keys/):"
        );
        println!(
            "WARNING: anyone can forge this server's responses. Never use them outside tests."
        );
    }
    println!(
        "demo data: api_key={} product_uuid={} product_id={} license keys {} (assigned), {} (not assigned)",
        server::API_KEY,
        server::PRODUCT_UUID,
        server::PRODUCT_ID,
        server::LICENSE_ASSIGNED,
        server::LICENSE_UNASSIGNED
    );

    let keys = server::Keys {
        product: Some(product),
        global: Some(global),
    };
    // The async workers read and write connections; signing runs on the
    // blocking pool, bounded to a thread per core (tokio's default is 512),
    // its queue bounded by the in-flight limit.
    let cores = std::thread::available_parallelism().map_or(2, usize::from);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(cores)
        .build();
    let runtime = match runtime {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("license_server: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args, keys)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("license_server: {e}");
            ExitCode::FAILURE
        }
    }
}
