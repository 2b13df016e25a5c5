//! The HTTP side of `vpcsim serve`: a small synchronous server (tiny_http) that reads
//! each request within the limits, hands it to [`Explorer::handle`] and writes the
//! answer. One request at a time, in arrival order, so the explorer needs no lock.
//!
//! On a loopback address only requests whose `Host` is that address (or `localhost`)
//! at the server's port are answered: a web page elsewhere cannot reach the server
//! through a name that resolves to 127.0.0.1 (DNS rebinding).

use std::io::Read as _;
use std::net::SocketAddr;

use super::api::{ApiError, Explorer, Request, Response, MAX_BODY};

/// Why the server could not start or stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {message}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// Why not.
        message: String,
    },
}

/// A bound server, not yet answering.
pub struct Server {
    inner: tiny_http::Server,
    addr: SocketAddr,
}

impl Server {
    /// Binds `addr` (port 0 picks a free port).
    pub fn bind(addr: SocketAddr) -> Result<Server, ServeError> {
        let inner =
            tiny_http::Server::http(addr).map_err(|e| ServeError::Bind { addr, message: e.to_string() })?;
        let addr = inner.server_addr().to_ip().unwrap_or(addr);
        Ok(Server { inner, addr })
    }

    /// The address it listens on (the port chosen when 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The page's URL.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Answers requests until the process ends (a client that goes away is not an error).
    pub fn run(self, explorer: &mut Explorer) {
        for mut request in self.inner.incoming_requests() {
            let response = self.response(explorer, &mut request);
            let _ = request.respond(wire(response));
        }
    }

    /// The answer to one request: refused when its `Host` is not this server's (on loopback)
    /// or its body is too large, else the explorer's.
    fn response(&self, explorer: &mut Explorer, request: &mut tiny_http::Request) -> Response {
        if !self.host_allowed(request) {
            return ApiError::BadRequest("this server answers requests for its own address only".into())
                .response();
        }
        let body = match read_body(request) {
            Ok(body) => body,
            Err(e) => return e.response(),
        };
        explorer.handle(&Request { method: request.method().as_str(), target: request.url(), body: &body })
    }

    /// Whether the `Host` header names this server (always, when it listens beyond loopback).
    fn host_allowed(&self, request: &tiny_http::Request) -> bool {
        if !self.addr.ip().is_loopback() {
            return true;
        }
        let port = self.addr.port();
        let host = request.headers().iter().find(|h| h.field.equiv("Host")).map(|h| h.value.as_str());
        let allowed = [format!("{}:{port}", self.addr.ip()), format!("localhost:{port}")];
        host.is_some_and(|h| allowed.iter().any(|a| a.eq_ignore_ascii_case(h)))
    }
}

/// The body, at most [`MAX_BODY`] bytes (a larger one is refused before it is read whole).
fn read_body(request: &mut tiny_http::Request) -> Result<Vec<u8>, ApiError> {
    if request.body_length().is_some_and(|n| n > MAX_BODY) {
        return Err(ApiError::BodyTooLarge);
    }
    let mut body = Vec::new();
    let limit = MAX_BODY as u64 + 1;
    request
        .as_reader()
        .take(limit)
        .read_to_end(&mut body)
        .map_err(|e| ApiError::BadRequest(format!("cannot read the body: {e}")))?;
    if body.len() > MAX_BODY {
        return Err(ApiError::BodyTooLarge);
    }
    Ok(body)
}

/// The answer as tiny_http sends it: whole, with its length (never chunked: every body is
/// in memory already), and headers that keep the browser to the page's own files.
fn wire(response: Response) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
    let mut r = tiny_http::Response::from_data(response.body.into_owned())
        .with_status_code(response.status)
        .with_chunked_threshold(usize::MAX);
    let headers = [
        ("Content-Type", response.content_type),
        ("Cache-Control", "no-store"),
        ("X-Content-Type-Options", "nosniff"),
        ("Content-Security-Policy", "default-src 'self'"),
    ];
    for (name, value) in headers {
        if let Ok(h) = tiny_http::Header::from_bytes(name, value) {
            r.add_header(h);
        }
    }
    r
}
