//! Load on the example server over loopback, in one run: normal clients
//! (valid `POST /api/v1/verify` on kept-alive connections, every answer
//! verified with respsig) alone at a few concurrencies, then beside
//! hostile connections of each kind, then alone again. Prints requests per
//! second, p50 and p99 of the normal clients per phase (and as a share of
//! the baseline measured in the same run), what the hostile connections
//! got and how fast, and the server's resident memory after each phase.
//!
//! The server is the example binary, started here on 127.0.0.1:0 and
//! stopped with SIGINT at the end (its graceful shutdown, timed). Every
//! loop stops at its phase's end; hostile tasks are aborted then.
//!
//! Exit status: 0 when every normal answer verified and every hostile one
//! was what the limits promise, 1 otherwise, 2 on bad usage.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use respsig::{Keyring, PublicKey, ResponseCode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::task::JoinHandle;

const REPO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
// The demo data of examples/common/server.rs.
const API_KEY: &str = "2964c3c9-0b5d-4d89-b3ac-4668f30bc492";
const LICENSE: &str = "19d4c2a0-b2ee-47a9-9fa7-f8befcc142fd";
const VERIFY: &str = "/api/v1/verify";
const TEN_MB: usize = 10 * 1024 * 1024;

const USAGE: &str = "\
usage: respsig-load-bench [--server PATH] [--seconds N] [--rounds N]
                          [--hostile N] [--concurrency N,N,...] [--normal N]
                          [--flood]

  --server PATH        the example server binary
                       (default target/release/examples/license_server)
  --seconds N          length of each slice of load (default 6; slow headers
                       are closed after 5 s, so at least 5)
  --rounds N           slices of each hostile kind, each paired with a
                       slice of the normal clients alone (default 3)
  --hostile N          hostile connections of each kind (default 200)
  --concurrency LIST   normal clients of the baseline phases (default 1,16,64)
  --normal N           normal clients beside the hostile ones (default 16)
  --flood              hostile bodies as fast as loopback takes them, retries
                       at once (default: 16 KiB every 25 ms a connection, a
                       retry 50 ms after a refusal)";

struct Args {
    server: String,
    phase: Duration,
    hostile: usize,
    concurrency: Vec<usize>,
    normal: usize,
    rounds: usize,
    flood: bool,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut parsed = Args {
        server: format!("{REPO}/target/release/examples/license_server"),
        phase: Duration::from_secs(6),
        hostile: 200,
        concurrency: vec![1, 16, 64],
        normal: 16,
        rounds: 3,
        flood: false,
    };
    let number = |arg: &str, value: &str| -> Result<usize, String> {
        value
            .parse()
            .map_err(|_| format!("{arg}: {value:?} is not a number"))
    };
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--server" => parsed.server = value()?,
            "--seconds" => parsed.phase = Duration::from_secs(number(&arg, &value()?)? as u64),
            "--hostile" => parsed.hostile = number(&arg, &value()?)?,
            "--normal" => parsed.normal = number(&arg, &value()?)?,
            "--rounds" => parsed.rounds = number(&arg, &value()?)?,
            "--concurrency" => {
                parsed.concurrency = value()?
                    .split(',')
                    .map(|n| number(&arg, n))
                    .collect::<Result<_, _>>()?;
            }
            "--flood" => parsed.flood = true,
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(Some(parsed))
}

/// One answer as read off the wire.
struct Answer {
    status: u16,
    body: Vec<u8>,
}

/// A connection that reads answers (by `Content-Length`, or to the end),
/// its writing half free to go to a task of its own.
struct Conn {
    reader: OwnedReadHalf,
    writer: Option<OwnedWriteHalf>,
    read: Vec<u8>,
}

impl Conn {
    async fn open(addr: SocketAddr) -> std::io::Result<Self> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        let (reader, writer) = stream.into_split();
        Ok(Self {
            reader,
            writer: Some(writer),
            read: Vec::new(),
        })
    }

    async fn send(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match &mut self.writer {
            Some(writer) => writer.write_all(bytes).await,
            None => Err(std::io::ErrorKind::NotConnected.into()),
        }
    }

    async fn fill(&mut self) -> bool {
        let mut buf = [0; 8192];
        match self.reader.read(&mut buf).await {
            Ok(0) | Err(_) => false,
            Ok(n) => {
                self.read.extend_from_slice(&buf[..n]);
                true
            }
        }
    }

    /// The next answer; `None` when the connection ended first.
    async fn answer(&mut self) -> Option<Answer> {
        let head_end = loop {
            if let Some(at) = self.read.windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
            if !self.fill().await {
                return None;
            }
        };
        let head = String::from_utf8_lossy(&self.read[..head_end]).into_owned();
        self.read.drain(..head_end);
        let status: u16 = head.get(9..12)?.parse().ok()?;
        let length = head.lines().find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())?
        });
        match length {
            Some(length) => {
                while self.read.len() < length {
                    if !self.fill().await {
                        return None;
                    }
                }
            }
            None => while self.fill().await {},
        }
        let length = length.unwrap_or(self.read.len());
        Some(Answer {
            status,
            body: self.read.drain(..length).collect(),
        })
    }

    /// Reads until the server closes the connection.
    async fn closed(&mut self) {
        while self.fill().await {}
    }
}

fn post(path: &str, content_type: &str, form: &[u8]) -> Vec<u8> {
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\n\r\n",
        form.len()
    )
    .into_bytes();
    request.extend_from_slice(form);
    request
}

const FORM: &str = "application/x-www-form-urlencoded";

fn valid_form() -> String {
    format!("api_key={API_KEY}&license_key={LICENSE}&identifier=domain.ltd")
}

/// The normal clients' latencies and how many answers did not verify.
#[derive(Default)]
struct Normal {
    latencies: Vec<Duration>,
    failed: usize,
}

/// A normal client until `end`: valid requests on one kept-alive
/// connection, each answer verified as a signed "Valid license key".
async fn normal_client(addr: SocketAddr, keyring: Arc<Keyring>, end: Instant) -> Normal {
    let request = post(VERIFY, FORM, valid_form().as_bytes());
    let mut normal = Normal::default();
    let mut conn = None;
    while Instant::now() < end {
        let sent = Instant::now();
        if conn.is_none() {
            conn = Conn::open(addr).await.ok();
        }
        let Some(open) = &mut conn else {
            normal.failed += 1;
            continue;
        };
        let answer = match open.send(&request).await {
            Ok(()) => open.answer().await,
            Err(_) => None,
        };
        let verified = answer.as_ref().is_some_and(|answer| {
            answer.status == 200
                && keyring.verify(&answer.body, &respsig::Policy::any_age()).is_ok_and(|verified| {
                    verified.response_code() == Some(ResponseCode::VALID_LICENSE_KEY)
                })
        });
        if verified {
            normal.latencies.push(sent.elapsed());
        } else {
            normal.failed += 1;
            conn = None;
        }
    }
    normal
}

/// What hostile connections got, by what they sent and what came back.
#[derive(Default)]
struct Hostile {
    /// (kind, status or "closed") -> times to the answer or the close.
    outcomes: BTreeMap<(&'static str, String), Vec<Duration>>,
}

type Record = Arc<Mutex<Hostile>>;

fn record(record: &Record, kind: &'static str, outcome: String, took: Duration) {
    let mut hostile = record.lock().unwrap_or_else(|e| e.into_inner());
    hostile
        .outcomes
        .entry((kind, outcome))
        .or_default()
        .push(took);
}

fn outcome(answer: Option<Answer>) -> String {
    answer.map_or("closed".to_owned(), |a| a.status.to_string())
}

/// Slow headers: a header line a second, never ending, reconnecting when
/// the server closes. Records the time to the close.
async fn slow_headers(addr: SocketAddr, record_to: Record) {
    loop {
        let Ok(mut conn) = Conn::open(addr).await else {
            continue;
        };
        let opened = Instant::now();
        let mut writer = conn.writer.take();
        let sending = tokio::spawn(async move {
            let lines = ["POST /api/v1/verify HTTP/1.1\r\n".to_owned()]
                .into_iter()
                .chain((0..60).map(|i| format!("x-slow-{i}: {i}\r\n")));
            for line in lines {
                let Some(w) = &mut writer else { break };
                if w.write_all(line.as_bytes()).await.is_err() {
                    break;
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            writer
        });
        conn.closed().await;
        record(
            &record_to,
            "slow headers",
            "closed".to_owned(),
            opened.elapsed(),
        );
        sending.abort();
    }
}

/// How hostile clients send: paced as clients across a network would be,
/// or (`--flood`) as fast as this machine's loopback takes it.
#[derive(Clone, Copy)]
struct Pace {
    /// Body bytes per write.
    piece: usize,
    /// The pause between writes.
    every: Duration,
    /// The pause before a refused client tries again.
    retry: Duration,
}

impl Pace {
    /// 16 KiB every 25 ms (650 KB/s a connection: 200 of them are about
    /// what a gigabit link carries), and a retry 50 ms after a refusal.
    const NETWORK: Pace = Pace {
        piece: 16 * 1024,
        every: Duration::from_millis(25),
        retry: Duration::from_millis(50),
    };
    /// 64 KiB writes back to back, and retries at once: the generator then
    /// competes with the server for the same cores.
    const FLOOD: Pace = Pace {
        piece: 64 * 1024,
        every: Duration::ZERO,
        retry: Duration::ZERO,
    };

    async fn pause(duration: Duration) {
        if !duration.is_zero() {
            tokio::time::sleep(duration).await;
        }
    }
}

/// 10 MB bodies, declared or chunked, pushed at `pace` while the answer
/// is awaited. Records the time to the answer.
async fn big_body(addr: SocketAddr, chunked: bool, pace: Pace, record_to: Record) {
    let kind = if chunked {
        "10 MB chunked"
    } else {
        "10 MB declared"
    };
    let head = if chunked {
        format!(
            "POST {VERIFY} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: {FORM}\r\ntransfer-encoding: chunked\r\n\r\n"
        )
    } else {
        format!(
            "POST {VERIFY} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: {FORM}\r\ncontent-length: {TEN_MB}\r\n\r\n"
        )
    };
    let piece = vec![b'a'; pace.piece];
    let mut data = Vec::new();
    if chunked {
        data.extend(format!("{:x}\r\n", piece.len()).bytes());
        data.extend(&piece);
        data.extend(b"\r\n");
    } else {
        data = piece;
    }
    let data = Arc::new(data);
    loop {
        let Ok(mut conn) = Conn::open(addr).await else {
            continue;
        };
        let started = Instant::now();
        let mut writer = conn.writer.take();
        let head = head.clone();
        let data = Arc::clone(&data);
        let pushing = tokio::spawn(async move {
            let Some(w) = &mut writer else { return };
            if w.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            for _ in 0..TEN_MB / pace.piece {
                if w.write_all(&data).await.is_err() {
                    return;
                }
                Pace::pause(pace.every).await;
            }
        });
        let answer = conn.answer().await;
        record(&record_to, kind, outcome(answer), started.elapsed());
        pushing.abort();
        Pace::pause(pace.retry).await;
    }
}

/// The malformed requests, each with the status the limits promise.
fn malformed() -> Vec<(&'static str, Vec<u8>, u16)> {
    let valid = valid_form();
    let fields_100k = (0..100_000)
        .map(|i| format!("k{i}=v"))
        .collect::<Vec<_>>()
        .join("&");
    let fields_300 = (0..300).fold(valid.clone(), |form, i| form + &format!("&f{i}=1"));
    let query_300 = (0..300).fold(format!("api_key={API_KEY}"), |q, i| q + &format!("&f{i}=1"));
    let truncated = {
        let mut request = post(VERIFY, FORM, valid.as_bytes());
        request.truncate(request.len() - 10);
        request
    };
    let bad_chunk = format!(
        "POST {VERIFY} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: {FORM}\r\ntransfer-encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"
    );
    let no_content_type = format!(
        "POST {VERIFY} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: {}\r\n\r\n{valid}",
        valid.len()
    );
    let big_header = format!(
        "GET /api/v1/get-product-public-key HTTP/1.1\r\nhost: 127.0.0.1\r\nx-big: {}\r\n\r\n",
        "b".repeat(20_000)
    );
    vec![
        (
            "100,000 fields (889 KB)",
            post(VERIFY, FORM, fields_100k.as_bytes()),
            413,
        ),
        ("300 fields", post(VERIFY, FORM, fields_300.as_bytes()), 400),
        (
            "300 query fields",
            format!(
                "GET /api/v1/get-product-public-key?{query_300} HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n"
            )
            .into_bytes(),
            400,
        ),
        (
            "api_key twice",
            post(VERIFY, FORM, format!("{valid}&api_key=x").as_bytes()),
            400,
        ),
        (
            "JSON body",
            post(VERIFY, "application/json", b"{\"api_key\":1}"),
            415,
        ),
        ("no content type", no_content_type.into_bytes(), 415),
        (
            "4,000 empty fields",
            post(VERIFY, FORM, "&".repeat(4000).as_bytes()),
            401,
        ),
        (
            "bad percent-encoding",
            post(VERIFY, FORM, b"api_key=%zz%&license_key=%"),
            401,
        ),
        (
            "non-UTF-8 key",
            post(VERIFY, FORM, b"api_key=%ff%fe%00"),
            401,
        ),
        ("bad chunk size", bad_chunk.into_bytes(), 400),
        ("20 KB header", big_header.into_bytes(), 431),
        (
            "not HTTP (TLS hello)",
            b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03".repeat(40),
            400,
        ),
        ("body 10 bytes short", truncated, 408),
    ]
}

/// Malformed requests, kind after kind (starting at `first`), a new
/// connection each. Records the status (or the close) and the time to it.
async fn malformed_forms(
    addr: SocketAddr,
    kinds: Arc<Vec<(&'static str, Vec<u8>, u16)>>,
    first: usize,
    pace: Pace,
    record_to: Record,
) {
    for i in first.. {
        let (kind, request, _) = &kinds[i % kinds.len()];
        let Ok(mut conn) = Conn::open(addr).await else {
            continue;
        };
        let started = Instant::now();
        let mut writer = conn.writer.take();
        let request = request.clone();
        let sending = tokio::spawn(async move {
            if let Some(w) = &mut writer {
                let _ = w.write_all(&request).await;
            }
            writer
        });
        let answer = conn.answer().await;
        record(&record_to, kind, outcome(answer), started.elapsed());
        sending.abort();
        Pace::pause(pace.retry).await;
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    SlowHeaders,
    Declared,
    Chunked,
    Malformed,
}

/// One phase's figures.
struct Phase {
    name: String,
    requests: usize,
    failed: usize,
    per_second: f64,
    p50: Duration,
    p99: Duration,
    rss_kb: u64,
    /// The server's CPU time over the phase, in cores (2.0: both busy).
    cpu: f64,
    /// This tool's CPU time over the phase, in cores.
    tool_cpu: f64,
    /// Hostile requests answered or closed per second.
    hostile_per_second: f64,
    hostile: Hostile,
}

/// The load's two runtimes: one thread for the normal clients, one for the
/// hostile ones, so that hostile tasks pushing bodies cannot delay the
/// normal clients inside this tool (the server then is what is measured).
struct Tool {
    addr: SocketAddr,
    server: u32,
    keyring: Arc<Keyring>,
    hostile: tokio::runtime::Handle,
    pace: Pace,
}

/// What one stretch of load measured.
struct Slice {
    normal: Normal,
    elapsed: Duration,
    cpu_ticks: u64,
    tool_ticks: u64,
    hostile: Hostile,
}

/// `normal` clients for `length`, beside `hostile` connections started
/// half a second before them and aborted at the end.
async fn slice(tool: &Tool, normal: usize, hostile: &[(Kind, usize)], length: Duration) -> Slice {
    let Tool {
        addr,
        server,
        ref keyring,
        hostile: ref hostile_runtime,
        ..
    } = *tool;
    let cpu_before = cpu_ticks(server);
    let tool_before = cpu_ticks(std::process::id());
    let record_to: Record = Arc::default();
    let kinds = Arc::new(malformed());
    let mut tasks: Vec<JoinHandle<()>> = Vec::new();
    for &(kind, count) in hostile {
        for i in 0..count {
            let record_to = Arc::clone(&record_to);
            tasks.push(hostile_runtime.spawn(match kind {
                Kind::SlowHeaders => Box::pin(slow_headers(addr, record_to))
                    as std::pin::Pin<Box<dyn Future<Output = ()> + Send>>,
                Kind::Declared => Box::pin(big_body(addr, false, tool.pace, record_to)),
                Kind::Chunked => Box::pin(big_body(addr, true, tool.pace, record_to)),
                Kind::Malformed => Box::pin(malformed_forms(
                    addr,
                    Arc::clone(&kinds),
                    i,
                    tool.pace,
                    record_to,
                )),
            }));
        }
    }
    // Hostile connections first, so the normal clients meet them at once.
    tokio::time::sleep(Duration::from_millis(if hostile.is_empty() {
        0
    } else {
        500
    }))
    .await;
    let started = Instant::now();
    let end = started + length;
    let clients: Vec<_> = (0..normal)
        .map(|_| tokio::spawn(normal_client(addr, Arc::clone(keyring), end)))
        .collect();
    let mut all = Normal::default();
    for client in clients {
        let client = client.await.unwrap_or_default();
        all.latencies.extend(client.latencies);
        all.failed += client.failed;
    }
    let elapsed = started.elapsed();
    for task in &tasks {
        task.abort();
    }
    for task in tasks {
        let _ = task.await;
    }
    // Let the server close what the aborted tasks left.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let hostile = std::mem::take(&mut *record_to.lock().unwrap_or_else(|e| e.into_inner()));
    Slice {
        normal: all,
        elapsed,
        cpu_ticks: cpu_ticks(server) - cpu_before,
        tool_ticks: cpu_ticks(std::process::id()) - tool_before,
        hostile,
    }
}

impl Phase {
    /// The figures of `slices` together, the RSS read now.
    fn new(name: String, slices: Vec<Slice>, server: u32) -> Phase {
        let mut latencies = Vec::new();
        let (mut failed, mut elapsed, mut ticks, mut tool_ticks) = (0, Duration::ZERO, 0, 0);
        let mut hostile = Hostile::default();
        for slice in slices {
            latencies.extend(slice.normal.latencies);
            failed += slice.normal.failed;
            elapsed += slice.elapsed;
            ticks += slice.cpu_ticks;
            tool_ticks += slice.tool_ticks;
            for (key, times) in slice.hostile.outcomes {
                hostile.outcomes.entry(key).or_default().extend(times);
            }
        }
        latencies.sort();
        let at = |q: f64| {
            latencies
                .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
                .copied()
                .unwrap_or_default()
        };
        Phase {
            name,
            requests: latencies.len(),
            failed,
            per_second: latencies.len() as f64 / elapsed.as_secs_f64(),
            p50: at(0.50),
            p99: at(0.99),
            rss_kb: rss_kb(server),
            cpu: ticks as f64 / TICKS_PER_SECOND / elapsed.as_secs_f64(),
            tool_cpu: tool_ticks as f64 / TICKS_PER_SECOND / elapsed.as_secs_f64(),
            hostile_per_second: hostile.outcomes.values().map(Vec::len).sum::<usize>() as f64
                / elapsed.as_secs_f64(),
            hostile,
        }
    }
}

/// One phase of `normal` clients alone.
async fn phase(tool: &Tool, name: String, normal: usize, length: Duration) -> Phase {
    let slices = vec![slice(tool, normal, &[], length).await];
    Phase::new(name, slices, tool.server)
}

/// `hostile` beside `normal` clients, and the same clients alone, in
/// `rounds` alternating slices (alone first in even rounds, hostile first
/// in odd ones), so that the machine's drifting load falls on both alike.
/// Returns the baseline phase and the hostile phase.
async fn paired(
    tool: &Tool,
    name: &str,
    normal: usize,
    hostile: &[(Kind, usize)],
    rounds: usize,
    length: Duration,
) -> (Phase, Phase) {
    let (mut alone, mut beside) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        if round % 2 == 0 {
            alone.push(slice(tool, normal, &[], length).await);
            beside.push(slice(tool, normal, hostile, length).await);
        } else {
            beside.push(slice(tool, normal, hostile, length).await);
            alone.push(slice(tool, normal, &[], length).await);
        }
    }
    let total: usize = hostile.iter().map(|(_, count)| count).sum();
    (
        Phase::new(
            format!("baseline, {normal} clients (paired)"),
            alone,
            tool.server,
        ),
        Phase::new(
            format!("{total} hostile: {name}, {normal} clients"),
            beside,
            tool.server,
        ),
    )
}

/// Linux's `USER_HZ` (clock ticks of `/proc/PID/stat`), 100 everywhere.
const TICKS_PER_SECOND: f64 = 100.0;

/// The server's user and system CPU time so far, in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // After the command name (in parentheses): fields 3 onwards; utime and
    // stime are fields 14 and 15.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let field = |i: usize| {
        fields
            .get(i - 3)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    field(14) + field(15)
}

/// The server's resident memory (`VmRSS`), in KiB.
fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmRSS:"))?
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse()
                .ok()
        })
        .unwrap_or(0)
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// The server's output lines after its address, as read so far.
type Lines = Arc<Mutex<Vec<String>>>;

/// Starts the server on 127.0.0.1:0; its address once it says it listens.
/// Its output is read (and dropped) by a thread, its summary lines kept.
fn start_server(path: &str) -> Result<(Child, SocketAddr, Lines), String> {
    let mut child = Command::new(path)
        .args(["--port", "0"])
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| {
            format!("cannot start {path}: {e} (cargo build --release --example license_server)")
        })?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let addr = loop {
        let line = lines
            .next()
            .ok_or("the server exited before listening")?
            .map_err(|e| e.to_string())?;
        if let Some(addr) = line.strip_prefix("listening on http://") {
            break addr.parse().map_err(|e| format!("{line}: {e}"))?;
        }
    };
    let kept = Arc::new(Mutex::new(Vec::new()));
    let keep = Arc::clone(&kept);
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            keep.lock().unwrap_or_else(|e| e.into_inner()).push(line);
        }
    });
    Ok((child, addr, kept))
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("load: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let key = |file: &str| {
        let pem = std::fs::read_to_string(format!("{REPO}/testdata/keys/{file}"))
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        PublicKey::from_pem(&pem).unwrap_or_else(|e| panic!("{file}: {e}"))
    };
    let keyring = Keyring::new()
        .with("product", key("rsa2048.pub.pem"))
        .and_then(|k| k.with("global", key("other2048.pub.pem")))
        .unwrap_or_else(|e| panic!("keys: {e}"));
    let (mut child, addr, server_lines) = match start_server(&args.server) {
        Ok(started) => started,
        Err(e) => {
            eprintln!("load: {e}");
            return ExitCode::from(2);
        }
    };
    let pid = child.id();
    let runtime = |name| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name(name)
            .enable_all()
            .build()
    };
    let (normal_runtime, hostile_runtime) = match (runtime("normal"), runtime("hostile")) {
        (Ok(normal), Ok(hostile)) => (normal, hostile),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("load: {e}");
            return ExitCode::FAILURE;
        }
    };
    let tool = Tool {
        addr,
        server: pid,
        keyring: Arc::new(keyring),
        hostile: hostile_runtime.handle().clone(),
        pace: if args.flood {
            Pace::FLOOD
        } else {
            Pace::NETWORK
        },
    };
    let n = args.hostile;
    let started_rss = rss_kb(pid);
    let phases = normal_runtime.block_on(async {
        // Warm up: connections, allocator, caches.
        phase(&tool, "warm-up".into(), 16, Duration::from_secs(2)).await;
        let mut phases = Vec::new();
        for &c in &args.concurrency {
            phases.push(phase(&tool, format!("baseline, {c} clients"), c, args.phase).await);
        }
        let normal = args.normal;
        let hostile: [(&str, Vec<(Kind, usize)>); 5] = [
            ("slow headers", vec![(Kind::SlowHeaders, n)]),
            ("10 MB declared", vec![(Kind::Declared, n)]),
            ("10 MB chunked", vec![(Kind::Chunked, n)]),
            ("malformed forms", vec![(Kind::Malformed, n)]),
            (
                "all four kinds at once",
                vec![
                    (Kind::SlowHeaders, n),
                    (Kind::Declared, n),
                    (Kind::Chunked, n),
                    (Kind::Malformed, n),
                ],
            ),
        ];
        for (name, kinds) in hostile {
            let (alone, beside) =
                paired(&tool, name, normal, &kinds, args.rounds, args.phase).await;
            phases.push(alone);
            phases.push(beside);
        }
        phases.push(
            phase(
                &tool,
                format!("after, {normal} clients"),
                normal,
                args.phase,
            )
            .await,
        );
        phases
    });
    drop(hostile_runtime);

    // Stop the server as Ctrl-C does, and time its graceful shutdown.
    let stopping = Instant::now();
    let _ = Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status();
    let exit = child.wait();
    let shutdown = stopping.elapsed();

    let baseline_rss = phases.first().map_or(0, |p| p.rss_kb);
    println!("server rss at start: {:.1} MB", started_rss as f64 / 1024.0);
    println!();
    println!(
        "| phase | normal req/s | p50 | p99 | vs its paired baseline | failed | hostile answers/s | server CPU | tool CPU | server RSS after |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    let mut ok = true;
    let mut last_baseline = None;
    for p in &phases {
        let share = match last_baseline {
            Some(b) if !p.name.starts_with("baseline") => {
                format!("{:.0}%", 100.0 * p.per_second / b)
            }
            _ => String::new(),
        };
        if p.name.ends_with("(paired)") {
            last_baseline = Some(p.per_second);
        }
        println!(
            "| {} | {:.0} | {} | {} | {share} | {} of {} | {:.0} | {:.2} cores | {:.2} cores | {:.1} MB |",
            p.name,
            p.per_second,
            ms(p.p50),
            ms(p.p99),
            p.failed,
            p.requests + p.failed,
            p.hostile_per_second,
            p.cpu,
            p.tool_cpu,
            p.rss_kb as f64 / 1024.0
        );
        ok &= p.failed == 0;
    }
    println!();
    println!("| phase | hostile request | answer | count | p50 | p99 | max |");
    println!("|---|---|---|---|---|---|---|");
    let expected: BTreeMap<&str, String> = malformed()
        .into_iter()
        .map(|(kind, _, status)| (kind, status.to_string()))
        .chain([
            ("slow headers", "closed".to_owned()),
            ("10 MB declared", "413".to_owned()),
            ("10 MB chunked", "413".to_owned()),
        ])
        .collect();
    for p in &phases {
        for ((kind, got), times) in &p.hostile.outcomes {
            let mut times = times.clone();
            times.sort();
            let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
            let wanted = expected.get(kind).is_some_and(|want| want == got);
            ok &= wanted;
            println!(
                "| {} | {kind} | {got}{} | {} | {} | {} | {} |",
                p.name,
                if wanted { "" } else { " (UNEXPECTED)" },
                times.len(),
                ms(at(0.5)),
                ms(at(0.99)),
                ms(times[times.len() - 1]),
            );
        }
    }
    let last_rss = phases.last().map_or(0, |p| p.rss_kb);
    println!();
    println!(
        "server RSS: {:.1} MB after the first baseline, {:.1} MB after all phases ({:+.1} MB)",
        baseline_rss as f64 / 1024.0,
        last_rss as f64 / 1024.0,
        (last_rss as f64 - baseline_rss as f64) / 1024.0
    );
    println!(
        "graceful shutdown on SIGINT: {} ({:?})",
        ms(shutdown),
        exit.map(|s| s.code())
    );
    for line in server_lines
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
    {
        println!("server: {line}");
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        println!("SOME ANSWERS WERE NOT AS EXPECTED");
        ExitCode::FAILURE
    }
}
