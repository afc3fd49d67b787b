//! The example server (`examples/common/`) under hostile clients, over raw
//! TCP on 127.0.0.1 only, each case a fixed number of connections: slow
//! headers and idle connections are closed by the header timer, oversized
//! bodies (declared or chunked) get 413 before they are read, forms with
//! too many fields 400, a stalled body 408, and normal clients beside them
//! keep getting answers that verify. The limits are checked at their exact
//! edges, and a shutdown lets the answer in flight finish. The slowest case
//! waits out the 5 s header timeout once; the tests run beside each other.
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use respsig::ResponseCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::http::{keyring, keys, serve, server};

const VERIFY: &str = "/api/v1/verify";
const TEN_MB: usize = 10 * 1024 * 1024;
/// The longest any read or write waits, so that a server that stops
/// answering fails the test instead of hanging it.
const STUCK: Duration = Duration::from_secs(30);

/// `io` within [`STUCK`], or a failed test.
async fn bounded<T>(io: impl Future<Output = T>) -> T {
    tokio::time::timeout(STUCK, io)
        .await
        .unwrap_or_else(|_| panic!("no progress in {STUCK:?}"))
}

/// A server on 127.0.0.1:0, as the example runs it, and how to stop it.
struct Running {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    /// `serve`'s result: whether every connection finished in the grace time.
    done: JoinHandle<bool>,
}

async fn start() -> Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let done = tokio::spawn(serve::serve(listener, server::app(keys()), async {
        let _ = stopped.await;
    }));
    Running { addr, stop, done }
}

impl Running {
    async fn stop(self) -> bool {
        self.stop.send(()).unwrap();
        self.done.await.unwrap()
    }
}

/// One answer as read off the wire.
#[derive(Debug, PartialEq)]
struct Answer {
    status: u16,
    content_type: Option<String>,
    body: String,
}

impl Answer {
    /// An unsigned text answer, as the limits send them.
    fn text(status: u16, body: &str) -> Self {
        Self {
            status,
            content_type: Some("text/plain; charset=utf-8".to_owned()),
            body: body.to_owned(),
        }
    }
}

/// A client connection that reads answers with their `Content-Length`
/// (what the server writes), keeping what it read past one answer. Its
/// writing half can be handed to a task that pushes a body meanwhile.
struct Conn {
    reader: OwnedReadHalf,
    writer: Option<OwnedWriteHalf>,
    read: Vec<u8>,
}

impl Conn {
    async fn open(addr: SocketAddr) -> Self {
        let (reader, writer) = TcpStream::connect(addr).await.unwrap().into_split();
        Self {
            reader,
            writer: Some(writer),
            read: Vec::new(),
        }
    }

    async fn send(&mut self, bytes: &[u8]) {
        let writer = self.writer.as_mut().unwrap();
        bounded(writer.write_all(bytes)).await.unwrap();
    }

    /// Sends `bytes` from a task of its own, which may fail once the server
    /// has answered and closed (the point of an oversized body).
    fn send_meanwhile(&mut self, bytes: Vec<u8>) -> JoinHandle<()> {
        let mut writer = self.writer.take().unwrap();
        tokio::spawn(async move {
            let _ = bounded(writer.write_all(&bytes)).await;
        })
    }

    /// The next answer, or `None` when the server closed the connection
    /// first (at a clean end or with a reset).
    async fn answer(&mut self) -> Option<Answer> {
        let head_end = loop {
            if let Some(at) = self.read.windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
            if !self.fill().await {
                assert!(self.read.is_empty(), "cut off: {:?}", self.read);
                return None;
            }
        };
        let head = String::from_utf8(self.read.drain(..head_end).collect()).unwrap();
        let mut lines = head.lines();
        let status: u16 = lines.next().unwrap()[9..12].parse().unwrap();
        let header = |name: &str| {
            head.lines().find_map(|line| {
                let (n, v) = line.split_once(':')?;
                n.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
            })
        };
        let length: usize = match (status, header("content-length")) {
            (100..=199, _) => 0,
            (_, Some(length)) => length.parse().unwrap(),
            (_, None) => panic!("no content-length: {head}"),
        };
        while self.read.len() < length {
            assert!(self.fill().await, "body cut off: {head}");
        }
        let body = String::from_utf8(self.read.drain(..length).collect()).unwrap();
        Some(Answer {
            status,
            content_type: header("content-type"),
            body,
        })
    }

    /// Reads more; false at the end of the stream (or a reset).
    async fn fill(&mut self) -> bool {
        let mut buf = [0; 4096];
        match bounded(self.reader.read(&mut buf)).await {
            Ok(0) | Err(_) => false,
            Ok(n) => {
                self.read.extend_from_slice(&buf[..n]);
                true
            }
        }
    }

    /// Waits for the server to close the connection and returns when it
    /// did, failing if it sends anything first.
    async fn closed(mut self) -> Instant {
        let closed = !self.fill().await;
        assert!(closed, "sent {:?}", String::from_utf8_lossy(&self.read));
        Instant::now()
    }
}

/// A POST of a form with its declared length.
fn post(path: &str, form: &str) -> Vec<u8> {
    format!(
        "POST {path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: {}\r\n\r\n{form}",
        form.len()
    )
    .into_bytes()
}

/// The head of a chunked POST of a form.
fn chunked_head(path: &str) -> Vec<u8> {
    format!(
        "POST {path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/x-www-form-urlencoded\r\ntransfer-encoding: chunked\r\n\r\n"
    )
    .into_bytes()
}

/// `data` as one chunk.
fn chunk(data: &[u8]) -> Vec<u8> {
    let mut chunk = format!("{:x}\r\n", data.len()).into_bytes();
    chunk.extend_from_slice(data);
    chunk.extend_from_slice(b"\r\n");
    chunk
}

/// The form of a valid `verify` request.
fn valid_form() -> String {
    format!(
        "api_key={}&license_key={}&identifier=domain.ltd",
        server::API_KEY,
        server::LICENSE_ASSIGNED
    )
}

/// A valid form padded with a `pad` field to exactly `len` bytes.
fn valid_form_of_len(len: usize) -> String {
    let mut form = valid_form() + "&pad=";
    form.extend(std::iter::repeat_n('x', len - form.len()));
    form
}

/// A valid form with extra fields up to `fields` in all.
fn valid_form_of_fields(fields: usize) -> String {
    let mut form = valid_form();
    for i in 3..fields {
        form.push_str(&format!("&sdk_field_{i}=1"));
    }
    form
}

/// Asserts a signed "Valid license key" that verifies.
fn assert_valid(answer: &Answer) {
    assert_eq!(answer.status, 200, "{answer:?}");
    let verified = keyring()
        .verify(&answer.body, &respsig::Policy::any_age())
        .unwrap_or_else(|e| panic!("{e}: {answer:?}"));
    assert_eq!(verified.key_name(), "product");
    assert_eq!(
        verified.response_code(),
        Some(ResponseCode::VALID_LICENSE_KEY)
    );
}

/// Sends `request` on a new connection and returns the answer.
async fn ask(addr: SocketAddr, request: &[u8]) -> Answer {
    let mut conn = Conn::open(addr).await;
    conn.send(request).await;
    conn.answer().await.expect("an answer")
}

/// A normal client: valid requests one after another on one kept-alive
/// connection until `stop` (at most 100,000), each answer verified.
/// Returns how many it got.
async fn normal_client(addr: SocketAddr, stop: Arc<AtomicBool>) -> usize {
    let mut conn = Conn::open(addr).await;
    let request = post(VERIFY, &valid_form());
    let mut answered = 0;
    while !stop.load(Ordering::Relaxed) && answered < 100_000 {
        conn.send(&request).await;
        assert_valid(&conn.answer().await.expect("an answer"));
        answered += 1;
    }
    answered
}

/// Pushes the body of a 10 MB chunked request in 16 KiB chunks until the
/// server stops taking them; returns how many bytes of chunk data went out.
async fn push_chunks(mut writer: OwnedWriteHalf) -> usize {
    let data = [b'a'; 16 * 1024];
    let mut sent = 0;
    while sent < TEN_MB {
        if bounded(writer.write_all(&chunk(&data))).await.is_err() {
            break;
        }
        sent += data.len();
    }
    sent
}

/// How long a connection that sends `lines` one a second, never ending its
/// headers, stays open. `lines` empty: one that sends nothing.
async fn slow_headers(addr: SocketAddr, lines: &'static [&'static str]) -> Duration {
    // Before the connect: the server's timer starts after it.
    let opened = Instant::now();
    let mut conn = Conn::open(addr).await;
    let mut writer = conn.writer.take().unwrap();
    let sending = tokio::spawn(async move {
        for line in lines {
            if bounded(writer.write_all(line.as_bytes())).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        // Kept open (not half-closed) until the server closes.
        writer
    });
    let closed = conn.closed().await - opened;
    drop(sending.await.unwrap());
    closed
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_clients_are_refused_or_closed_while_normal_clients_keep_verifying() {
    let server = start().await;
    let addr = server.addr;
    let stop = Arc::new(AtomicBool::new(false));
    let normal: Vec<_> = (0..2)
        .map(|_| tokio::spawn(normal_client(addr, Arc::clone(&stop))))
        .collect();

    // Slow headers, 10 per second at most, never done; and a connection
    // that sends nothing. Closed by the header timer, not before it.
    const SLOW: &[&str] = &[
        "POST /api/v1/verify HTTP/1.1\r\n",
        "host: 127.0.0.1\r\n",
        "content-type: application/x-www-form-urlencoded\r\n",
        "x-slow-1: 1\r\n",
        "x-slow-2: 2\r\n",
        "x-slow-3: 3\r\n",
        "x-slow-4: 4\r\n",
        "x-slow-5: 5\r\n",
        "x-slow-6: 6\r\n",
        "x-slow-7: 7\r\n",
    ];
    let mut slow: Vec<JoinHandle<Duration>> = (0..8)
        .map(|_| tokio::spawn(slow_headers(addr, SLOW)))
        .collect();
    slow.push(tokio::spawn(slow_headers(addr, &[])));
    // A kept-alive connection left idle after one answer.
    let idle = tokio::spawn(async move {
        let mut conn = Conn::open(addr).await;
        // Before the request: the server's timer starts after its answer.
        let sent = Instant::now();
        conn.send(&post(VERIFY, &valid_form())).await;
        assert_valid(&conn.answer().await.unwrap());
        conn.closed().await - sent
    });

    // 10 MB declared: 413 on the headers alone, the body never sent, and
    // the connection closed (nothing of it will be read).
    for _ in 0..8 {
        let started = Instant::now();
        let mut conn = Conn::open(addr).await;
        conn.send(
            format!(
                "POST {VERIFY} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: {TEN_MB}\r\n\r\n"
            )
            .as_bytes(),
        )
        .await;
        assert_eq!(
            conn.answer().await,
            Some(Answer::text(413, server::TOO_LARGE))
        );
        assert!(started.elapsed() < serve::HEADER_READ_TIMEOUT);
        conn.closed().await;
    }

    // 10 MB chunked, pushed as fast as the server takes it: 413 once the
    // limit is passed, long before the 10 MB are through.
    for _ in 0..8 {
        let started = Instant::now();
        let mut conn = Conn::open(addr).await;
        conn.send(&chunked_head(VERIFY)).await;
        let pushing = tokio::spawn(push_chunks(conn.writer.take().unwrap()));
        assert_eq!(
            conn.answer().await,
            Some(Answer::text(413, server::TOO_LARGE))
        );
        assert!(started.elapsed() < serve::HEADER_READ_TIMEOUT);
        let sent = pushing.await.unwrap();
        assert!(sent < TEN_MB, "the server took all {sent} bytes");
    }

    // The 100,000-field form (889 KB): 413 on its declared length.
    let huge = (0..100_000)
        .map(|i| format!("k{i}=v"))
        .collect::<Vec<_>>()
        .join("&");
    assert_eq!(huge.len(), 888_889);
    for _ in 0..4 {
        let started = Instant::now();
        let mut conn = Conn::open(addr).await;
        let writing = conn.send_meanwhile(post(VERIFY, &huge));
        assert_eq!(
            conn.answer().await,
            Some(Answer::text(413, server::TOO_LARGE))
        );
        assert!(started.elapsed() < serve::HEADER_READ_TIMEOUT);
        writing.await.unwrap();
    }

    // Hundreds of fields under the body limit: 400, cheaply.
    let many = valid_form_of_fields(300);
    assert!(many.len() < server::MAX_BODY, "{}", many.len());
    for _ in 0..8 {
        assert_eq!(
            ask(addr, &post(VERIFY, &many)).await,
            Answer::text(400, server::TOO_MANY_FIELDS)
        );
    }

    for closed_after in slow {
        let closed_after = closed_after.await.unwrap();
        assert!(
            closed_after >= serve::HEADER_READ_TIMEOUT - Duration::from_millis(50)
                && closed_after < Duration::from_secs(10),
            "{closed_after:?}"
        );
    }
    let idle_for = idle.await.unwrap();
    assert!(
        idle_for >= serve::HEADER_READ_TIMEOUT - Duration::from_millis(50)
            && idle_for < Duration::from_secs(10),
        "{idle_for:?}"
    );

    stop.store(true, Ordering::Relaxed);
    for client in normal {
        let answered = client.await.unwrap();
        assert!(answered >= 1, "{answered}");
    }
    assert!(server.stop().await);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_request_limits_hold_at_their_exact_edges() {
    let server = start().await;
    let addr = server.addr;

    // The body limit, declared and chunked: MAX_BODY bytes pass, one more
    // does not.
    let at_limit = valid_form_of_len(server::MAX_BODY);
    let over_limit = valid_form_of_len(server::MAX_BODY + 1);
    assert_valid(&ask(addr, &post(VERIFY, &at_limit)).await);
    assert_eq!(
        ask(addr, &post(VERIFY, &over_limit)).await,
        Answer::text(413, server::TOO_LARGE)
    );
    for (form, expected) in [(&at_limit, None), (&over_limit, Some(413))] {
        let mut request = chunked_head(VERIFY);
        for piece in form.as_bytes().chunks(1000) {
            request.extend(chunk(piece));
        }
        request.extend_from_slice(b"0\r\n\r\n");
        let answer = ask(addr, &request).await;
        match expected {
            None => assert_valid(&answer),
            Some(status) => assert_eq!(answer, Answer::text(status, server::TOO_LARGE)),
        }
    }

    // The field limit, for forms and queries: MAX_FIELDS pass, one more is
    // 400 whatever else the form holds.
    assert_valid(
        &ask(
            addr,
            &post(VERIFY, &valid_form_of_fields(server::MAX_FIELDS)),
        )
        .await,
    );
    assert_eq!(
        ask(
            addr,
            &post(VERIFY, &valid_form_of_fields(server::MAX_FIELDS + 1))
        )
        .await,
        Answer::text(400, server::TOO_MANY_FIELDS)
    );
    let query = |fields: usize| {
        let mut query = format!(
            "api_key={}&product_uuid={}",
            server::API_KEY,
            server::PRODUCT_UUID
        );
        for i in 2..fields {
            query.push_str(&format!("&f{i}=1"));
        }
        format!("GET /api/v1/get-product-public-key?{query} HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n")
    };
    let found = ask(addr, query(server::MAX_FIELDS).as_bytes()).await;
    assert_eq!(found.status, 200, "{found:?}");
    assert_eq!(
        keyring()
            .verify(&found.body, &respsig::Policy::any_age())
            .unwrap()
            .response_code(),
        Some(ResponseCode::PRODUCT_PUBLIC_KEY_FOUND)
    );
    assert_eq!(
        ask(addr, query(server::MAX_FIELDS + 1).as_bytes()).await,
        Answer::text(400, server::TOO_MANY_FIELDS)
    );

    // A field twice is refused, even with the same value: which one counts
    // would be a guess.
    for second in [server::API_KEY, "wrong"] {
        let form = format!("{}&api_key={second}", valid_form());
        assert_eq!(
            ask(addr, &post(VERIFY, &form)).await,
            Answer::text(400, server::DUPLICATE_FIELD)
        );
    }

    // Not a form: 415, unsigned.
    let json = format!(
        "POST {VERIFY} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{{}}"
    );
    assert_eq!(
        ask(addr, json.as_bytes()).await,
        Answer::text(
            415,
            "Form requests must have `Content-Type: application/x-www-form-urlencoded`"
        )
    );

    // Headers over MAX_HEADER_BYTES: 431 from hyper.
    let big_header = format!(
        "GET /api/v1/get-product-public-key HTTP/1.1\r\nhost: 127.0.0.1\r\nx-big: {}\r\n\r\n",
        "b".repeat(serve::MAX_HEADER_BYTES)
    );
    assert_eq!(
        ask(addr, big_header.as_bytes()).await,
        Answer {
            status: 431,
            content_type: None,
            body: String::new()
        }
    );

    // A well-formed request with the wrong key is the one that gets the
    // signed "Invalid API Key".
    let form = format!("api_key=wrong&license_key={}", server::LICENSE_ASSIGNED);
    let answer = ask(addr, &post(VERIFY, &form)).await;
    assert_eq!(answer.status, 401, "{answer:?}");
    let verified = keyring()
        .verify(&answer.body, &respsig::Policy::any_age())
        .unwrap();
    assert_eq!(
        verified.response_code(),
        Some(ResponseCode::INVALID_API_KEY)
    );

    assert!(server.stop().await);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_body_that_stalls_gets_408_after_the_request_timeout() {
    let server = start().await;
    let mut conn = Conn::open(server.addr).await;
    let form = valid_form();
    let request = post(VERIFY, &form);
    // All but the last ten bytes of the body, then nothing. The server's
    // timer starts once it has the headers, after this instant.
    let sent = Instant::now();
    conn.send(&request[..request.len() - 10]).await;
    let answer = conn.answer().await.expect("an answer");
    let waited = sent.elapsed();
    assert_eq!(
        answer,
        Answer {
            status: 408,
            content_type: None,
            body: String::new()
        }
    );
    assert!(
        waited >= server::REQUEST_TIMEOUT - Duration::from_millis(50)
            && waited < Duration::from_secs(10),
        "{waited:?}"
    );
    assert!(server.stop().await);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_shutdown_lets_the_answer_in_flight_finish_then_closes() {
    let server = start().await;
    let mut conn = Conn::open(server.addr).await;
    let form = valid_form();
    // `Expect: 100-continue`: the server says `100 Continue` when the
    // handler starts reading the body, so the request is in flight then.
    conn.send(
        format!(
            "POST {VERIFY} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: {}\r\nexpect: 100-continue\r\n\r\n",
            form.len()
        )
        .as_bytes(),
    )
    .await;
    let interim = conn.answer().await.expect("100 Continue");
    assert_eq!(interim.status, 100, "{interim:?}");

    let Running { stop, done, .. } = server;
    stop.send(()).unwrap();
    // The server stops accepting but waits for this answer.
    conn.send(form.as_bytes()).await;
    assert_valid(&conn.answer().await.expect("the answer in flight"));
    // Then closes the connection, and `serve` returns: all finished.
    conn.closed().await;
    assert!(done.await.unwrap());
}
