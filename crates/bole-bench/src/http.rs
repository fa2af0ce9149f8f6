//! A minimal HTTP/1.1 client over one keep-alive `TcpStream`, enough to drive
//! Bole's JSON API on loopback without pulling a client library into the build:
//! GET and POST with a JSON body; responses framed by `Content-Length` or
//! chunked encoding. Not a general client (no TLS, redirects or pipelining).

use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

pub type HttpError = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub body: Vec<u8>,
    /// The server will close the connection after this response.
    pub close: bool,
}

pub struct Conn {
    addr: SocketAddr,
    stream: BufReader<TcpStream>,
    bearer: Option<String>,
}

impl std::fmt::Debug for Conn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Conn").field("addr", &self.addr).finish_non_exhaustive()
    }
}

impl Conn {
    pub async fn open(addr: SocketAddr, bearer: Option<String>) -> Result<Conn, HttpError> {
        // Loopback only: this client exists to load a server started by the benchmark itself.
        if !addr.ip().is_loopback() {
            return Err(format!("refusing to send load to a non-loopback address {addr}").into());
        }
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Conn { addr, stream: BufReader::new(stream), bearer })
    }

    pub async fn get(&mut self, path: &str) -> Result<Response, HttpError> {
        self.send("GET", path, None).await
    }

    pub async fn post_json(&mut self, path: &str, body: &str) -> Result<Response, HttpError> {
        self.send("POST", path, Some(body)).await
    }

    /// One request; reconnects once when the server had closed the idle connection.
    pub async fn send(&mut self, method: &str, path: &str, body: Option<&str>) -> Result<Response, HttpError> {
        let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\nAccept: application/json\r\n", self.addr);
        if let Some(t) = &self.bearer {
            req.push_str(&format!("Authorization: Bearer {t}\r\n"));
        }
        if let Some(b) = body {
            req.push_str(&format!("Content-Type: application/json\r\nContent-Length: {}\r\n", b.len()));
        }
        req.push_str("\r\n");
        if let Some(b) = body {
            req.push_str(b);
        }
        let res = match self.round_trip(req.as_bytes()).await {
            Ok(r) => r,
            Err(_) => {
                *self = Conn::open(self.addr, self.bearer.take()).await?;
                self.round_trip(req.as_bytes()).await?
            }
        };
        if res.close {
            *self = Conn::open(self.addr, self.bearer.take()).await?;
        }
        Ok(res)
    }

    async fn round_trip(&mut self, req: &[u8]) -> Result<Response, HttpError> {
        self.stream.get_mut().write_all(req).await?;
        read_response(&mut self.stream).await
    }
}

/// Read one response (status line, headers, body) from a buffered stream.
pub async fn read_response<R: tokio::io::AsyncBufRead + Unpin>(r: &mut R) -> Result<Response, HttpError> {
    let mut line = String::new();
    if r.read_line(&mut line).await? == 0 {
        return Err("connection closed".into());
    }
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad status line {line:?}"))?;
    let mut length: Option<usize> = None;
    let mut chunked = false;
    let mut close = false;
    loop {
        line.clear();
        if r.read_line(&mut line).await? == 0 {
            return Err("connection closed in headers".into());
        }
        let h = line.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((name, value)) = h.split_once(':') {
            let value = value.trim();
            match name.trim().to_ascii_lowercase().as_str() {
                "content-length" => length = value.parse().ok(),
                "transfer-encoding" => chunked = value.eq_ignore_ascii_case("chunked"),
                "connection" => close = value.eq_ignore_ascii_case("close"),
                _ => {}
            }
        }
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            line.clear();
            r.read_line(&mut line).await?;
            let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or("0"), 16)?;
            if size == 0 {
                // Trailers end with an empty line.
                loop {
                    line.clear();
                    if r.read_line(&mut line).await? == 0 || line.trim_end().is_empty() {
                        break;
                    }
                }
                break;
            }
            let start = body.len();
            body.resize(start + size, 0);
            r.read_exact(&mut body[start..]).await?;
            line.clear();
            r.read_line(&mut line).await?;
        }
    } else if let Some(n) = length {
        body.resize(n, 0);
        r.read_exact(&mut body).await?;
    } else if status >= 200 && status != 204 && status != 304 {
        r.read_to_end(&mut body).await?;
        close = true;
    }
    Ok(Response { status, body, close })
}

/// Log in through `POST /api/v1/auth/login`; the session token of the response.
pub async fn login(addr: SocketAddr, username: &str, password: &str) -> Result<String, HttpError> {
    let mut c = Conn::open(addr, None).await?;
    let body = serde_json::json!({ "username": username, "password": password }).to_string();
    let res = c.post_json("/api/v1/auth/login", &body).await?;
    if res.status != 200 {
        return Err(format!("login answered {}: {}", res.status, String::from_utf8_lossy(&res.body)).into());
    }
    let v: serde_json::Value = serde_json::from_slice(&res.body)?;
    v.get("token").and_then(|t| t.as_str()).map(str::to_string).ok_or_else(|| "login response has no token".into())
}

/// The outcome of a bounded load run.
#[derive(Debug, Default)]
pub struct LoadResult {
    pub requests: u64,
    pub errors: u64,
    pub elapsed: Duration,
    pub latencies: Vec<Duration>,
    /// Status and body of the first failed request, for the report.
    pub first_error: Option<String>,
}

/// Send `total` GETs from `concurrency` keep-alive connections; the path of
/// request `i` is `path(i)`. Stops by itself once every request is answered, or
/// once `limit` has passed (no new request starts after it).
pub async fn load<F>(
    addr: SocketAddr,
    token: &str,
    total: u64,
    concurrency: usize,
    limit: Duration,
    path: F,
) -> Result<LoadResult, HttpError>
where
    F: Fn(u64) -> String + Send + Sync + 'static,
{
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    let next = Arc::new(AtomicU64::new(0));
    let path = Arc::new(path);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency.max(1) {
        let next = next.clone();
        let path = path.clone();
        let token = token.to_string();
        tasks.push(tokio::spawn(async move {
            let mut out = LoadResult::default();
            let mut conn = Conn::open(addr, Some(token)).await?;
            while start.elapsed() < limit {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    break;
                }
                let t0 = Instant::now();
                let res = conn.get(&path(i)).await;
                out.latencies.push(t0.elapsed());
                out.requests += 1;
                match res {
                    Ok(r) if r.status == 200 => {}
                    Ok(r) => {
                        out.errors += 1;
                        if out.first_error.is_none() {
                            let body = String::from_utf8_lossy(&r.body);
                            out.first_error =
                                Some(format!("{} {}", r.status, body.chars().take(200).collect::<String>()));
                        }
                    }
                    Err(e) => {
                        out.errors += 1;
                        out.first_error.get_or_insert_with(|| e.to_string());
                        conn = Conn::open(addr, conn.bearer.take()).await?;
                    }
                }
            }
            Ok::<LoadResult, HttpError>(out)
        }));
    }
    let mut all = LoadResult::default();
    for t in tasks {
        let r = t.await??;
        all.requests += r.requests;
        all.errors += r.errors;
        all.latencies.extend(r.latencies);
        if all.first_error.is_none() {
            all.first_error = r.first_error;
        }
    }
    all.elapsed = start.elapsed();
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn parse(raw: &str) -> Response {
        let mut r = BufReader::new(raw.as_bytes());
        read_response(&mut r).await.unwrap()
    }

    #[tokio::test]
    async fn content_length_and_chunked_bodies() {
        let r = parse("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}").await;
        assert_eq!((r.status, r.body.as_slice(), r.close), (200, b"{\"a\":1}".as_slice(), false));
        let r = parse("HTTP/1.1 404 Not Found\r\ntransfer-encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n").await;
        assert_eq!((r.status, r.body.as_slice(), r.close), (404, b"abcde".as_slice(), true));
        let r = parse("HTTP/1.1 204 No Content\r\n\r\n").await;
        assert_eq!((r.status, r.body.len()), (204, 0));
    }

    #[tokio::test]
    async fn load_goes_to_loopback_only() {
        let addr: SocketAddr = "192.0.2.1:80".parse().unwrap();
        assert!(Conn::open(addr, None).await.is_err());
    }

    #[tokio::test]
    async fn bounded_load_against_a_local_server() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            loop {
                let Ok((sock, _)) = listener.accept().await else { return };
                tokio::spawn(async move {
                    let mut s = BufReader::new(sock);
                    let mut line = String::new();
                    loop {
                        // Read one request head, answer, repeat (keep-alive).
                        loop {
                            line.clear();
                            if s.read_line(&mut line).await.unwrap_or(0) == 0 {
                                return;
                            }
                            if line == "\r\n" {
                                break;
                            }
                        }
                        let body = "{\"ok\":true}";
                        let res = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{body}", body.len());
                        if s.get_mut().write_all(res.as_bytes()).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        let r = load(addr, "t", 500, 8, Duration::from_secs(60), |i| format!("/x?page={i}")).await.unwrap();
        assert_eq!((r.requests, r.errors, r.latencies.len()), (500, 0, 500));
    }
}
