//! `curl URL`: an HTTP GET over a TCP flow. The body comes from the web server on the
//! instance that receives the connection (or `checkip.amazonaws.com`, which answers
//! with the source address it sees; an AWS service, reached through the internet or
//! its interface endpoint, reports its health, P13). On an instance, 169.254.169.254 is its metadata
//! service ([`super::metadata`], M1), answered without a flow.

use std::fmt::Write;
use std::time::Duration;

use super::{AppOutput, Client};
use crate::addr::Protocol;
use crate::forward::{Destination, Outcome};
use crate::model::aws_service::AwsService;
use crate::trace::Header;
use crate::world::World;

/// What to fetch, and curl's options that change what it does.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Curl {
    /// Host name or address.
    pub host: String,
    /// Port (80 for http).
    pub port: u16,
    /// Path (`/`).
    pub path: String,
    /// `-v`: the connection and the exchanged headers on stderr.
    pub verbose: bool,
    /// `--connect-timeout`: how long to wait for the connection (0: curl's default).
    pub connect_timeout: Option<Duration>,
    /// `-m`/`--max-time`: how long the whole transfer may take (0: no limit).
    pub max_time: Option<Duration>,
    /// `-s`: no error messages (nor progress meter).
    pub silent: bool,
    /// `-S`: error messages even with `-s`.
    pub show_error: bool,
    /// `-I`: a HEAD request; the response headers are printed, not the body.
    pub head: bool,
    /// `-f`: an HTTP error status (400 and up) prints no body and exits 22.
    pub fail: bool,
    /// `-o FILE`: the body goes to a file, not to stdout.
    pub to_file: bool,
    /// `-X METHOD`: the request method (GET, or HEAD with `-I`, when absent).
    pub method: Option<String>,
    /// `-H 'Name: value'`: request headers, as written.
    pub headers: Vec<String>,
}

impl Curl {
    /// The method the request line carries.
    pub fn method(&self) -> &str {
        match (&self.method, self.head) {
            (Some(m), _) => m,
            (None, true) => "HEAD",
            (None, false) => "GET",
        }
    }

    /// Whether curl prints its `curl: (N) ...` error lines (not with `-s`, unless `-S`).
    fn shows_errors(&self) -> bool {
        !self.silent || self.show_error
    }
}

/// What the far end answered.
enum Reply {
    Http(u16, String, &'static str),
    Refused,
    NotHttp,
}

impl World {
    /// Run `curl` on an instance or any other client; the virtual clock advances by as
    /// long as it waited ([`super::wait`]).
    pub fn curl(&mut self, client: impl Into<Client>, req: &Curl) -> AppOutput {
        let out = self.curl_exchange(client.into(), req);
        self.finish(out)
    }

    /// [`World::curl`] without moving the clock: for a caller that accounts for the time
    /// itself (a stack's signal is sent while the stack waits).
    pub(crate) fn curl_exchange(&mut self, client: Client, req: &Curl) -> AppOutput {
        let mut out = AppOutput::default();
        let lookup = super::host::lookup(self, client, &req.host);
        let dns_trace = self.log_lookup(&lookup);
        out.waited = lookup.waited();
        let Ok(ip) = lookup.addr else {
            if req.shows_errors() {
                out.stderr = format!("curl: (6) Could not resolve host: {}\n", req.host);
            }
            out.exit_code = 6;
            out.trace = dns_trace;
            return out;
        };
        if let (Client::Instance(i), super::metadata::METADATA_ADDR, 80) = (client, ip, req.port) {
            return self.curl_metadata(i, req);
        }
        if !matches!(req.method(), "GET" | "HEAD") {
            out.stderr = format!(
                "curl: vpcsim sends -X {} only to the instance metadata service (169.254.169.254); web servers get GET and HEAD\n",
                req.method()
            );
            out.exit_code = 2;
            return out;
        }
        let (trace, outcome) = self.connect(client, ip, Protocol::Tcp, req.port);
        let reply = match outcome {
            Outcome::Delivered { to, seen } => Some(self.http_reply(to, seen, req)),
            Outcome::Blocked(_) => None,
        };
        let mut err = String::new();
        if req.verbose {
            let _ = writeln!(err, "*   Trying {ip}:{}...", req.port);
        }
        let failure = match reply {
            None => {
                let (waited, own_limit) = super::wait::curl_connect(req.connect_timeout, req.max_time);
                out.waited += waited;
                let (ms, why) = if own_limit {
                    (waited.as_millis() + 1, "Timeout was reached")
                } else {
                    (waited.as_millis(), "Connection timed out")
                };
                Some((
                    28,
                    format!("Failed to connect to {} port {} after {ms} ms: {why}", req.host, req.port),
                ))
            }
            Some(Reply::Refused) => Some((
                7,
                format!("Failed to connect to {} port {} after 0 ms: Connection refused", req.host, req.port),
            )),
            Some(Reply::NotHttp) => Some((1, "Received HTTP/0.9 when not allowed".to_string())),
            Some(Reply::Http(status, body, server)) => {
                let exchange = Exchange { ip, status, body: &body, server };
                respond(&mut out, &mut err, req, &exchange)
            }
        };
        if let Some((code, message)) = failure {
            if req.shows_errors() {
                let _ = writeln!(err, "curl: ({code}) {message}");
            }
            out.exit_code = code;
        }
        out.stderr = err;
        out.trace = Some(trace);
        out
    }

    /// M1: the metadata service answers on the instance itself; no flow leaves it. Its
    /// metadata options decide (a token from `-X PUT .../latest/api/token` in a
    /// `-H 'X-aws-ec2-metadata-token: ...'` header when tokens are required).
    fn curl_metadata(&self, instance: crate::ids::InstanceId, req: &Curl) -> AppOutput {
        let mut out = AppOutput::default();
        let request = crate::model::metadata_options::MetadataRequest::with_headers(
            req.method(),
            &req.path,
            &req.headers,
        );
        let reply = self.metadata_request(instance, &request);
        let (status, body) = (reply.status, reply.body);
        let mut err = String::new();
        let exchange = Exchange { ip: super::metadata::METADATA_ADDR, status, body: &body, server: "EC2ws" };
        if let Some((code, message)) = respond(&mut out, &mut err, req, &exchange) {
            if req.shows_errors() {
                let _ = writeln!(err, "curl: ({code}) {message}");
            }
            out.exit_code = code;
        }
        out.stderr = err;
        out
    }

    fn http_reply(&self, to: Destination, seen: Header, req: &Curl) -> Reply {
        match to {
            Destination::Instance(i) => match self[i].service(Protocol::Tcp, seen.dst_port) {
                None => Reply::Refused,
                Some(s) => match s.document_root().map(|root| root.get(&req.path)) {
                    Some(Some(body)) => {
                        let mut b = body.to_string();
                        if !b.ends_with('\n') {
                            b.push('\n');
                        }
                        Reply::Http(200, b, server_header(&s.software))
                    }
                    Some(None) => {
                        Reply::Http(404, server_not_found(&s.software, &req.path), server_header(&s.software))
                    }
                    None => Reply::NotHttp,
                },
            },
            Destination::Internet(addr) if addr == crate::region::CHECKIP_ADDR && req.port == 80 => {
                Reply::Http(200, format!("{}\n", seen.src), "")
            }
            Destination::Internet(addr) if matches!(req.port, 80 | 443) => {
                match self.gateway_service_at(addr) {
                    Some(service) => self.aws_service_reply(service, req),
                    None if addr == self.region().service_addr() && req.port == 443 => {
                        let named = AwsService::answering(self.region().name, &req.host.to_ascii_lowercase());
                        self.aws_service_reply(named.map_or("ec2", |a| a.short_name()), req)
                    }
                    None => Reply::Refused,
                }
            }
            // P13: an AWS service answers HTTPS at its interface endpoint.
            Destination::AwsService(a) if req.port == 443 => self.aws_service_reply(a.short_name(), req),
            Destination::Internet(_) | Destination::Interface(_) | Destination::AwsService(_) => {
                Reply::Refused
            }
        }
    }
}

impl World {
    /// E3, P13: what an AWS service answers a GET without credentials: S3 refuses it, the
    /// others report their health under the name asked (or their regional name).
    fn aws_service_reply(&self, service: &str, req: &Curl) -> Reply {
        if service == "s3" {
            return Reply::Http(403, S3_ACCESS_DENIED.to_string(), "AmazonS3");
        }
        let host = if req.host.parse::<std::net::Ipv4Addr>().is_ok() {
            format!("{service}.{}.amazonaws.com", self.region().name)
        } else {
            req.host.to_ascii_lowercase()
        };
        Reply::Http(200, format!("healthy: {host} \n"), "Server")
    }
}

/// E3: what S3 answers an anonymous request for its root (no bucket, no credentials).
const S3_ACCESS_DENIED: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>\n";

fn server_header(software: &str) -> &'static str {
    match software {
        "nginx" => "nginx/1.20.0",
        "python3" => "SimpleHTTP/0.6 Python/3.7.10",
        _ => "Apache/2.4.48 ()",
    }
}

/// The 404 page of a web server: nginx's own, else Apache's.
fn server_not_found(software: &str, path: &str) -> String {
    match software {
        "nginx" => format!("<html>\n<head><title>404 Not Found</title></head>\n<body>\n<center><h1>404 Not Found</h1></center>\n<hr><center>{}</center>\n</body>\n</html>\n", server_header(software)),
        _ => not_found(path),
    }
}

fn not_found(path: &str) -> String {
    format!("<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n<p>The requested URL {path} was not found on this server.</p>\n</body></html>\n")
}

/// An HTTP response as curl received it.
struct Exchange<'a> {
    ip: std::net::Ipv4Addr,
    status: u16,
    body: &'a str,
    server: &'a str,
}

/// What curl does with a response: `-v` shows the exchange on stderr; `-f` turns a status
/// of 400 and up into exit 22 without the body; `-I` prints the headers; `-o` sends the
/// body to its file; else the body goes to stdout. The failure to report, if any.
fn respond(out: &mut AppOutput, err: &mut String, req: &Curl, x: &Exchange<'_>) -> Option<(i32, String)> {
    let headers = response_headers(x.status, x.server, x.body.len());
    if req.verbose {
        verbose_exchange(err, req, x.ip, &headers);
    }
    if req.fail && x.status >= 400 {
        return Some((22, format!("The requested URL returned error: {} {}", x.status, reason(x.status))));
    }
    if req.head {
        out.stdout = headers.iter().map(|h| format!("{h}\r\n")).collect::<String>() + "\r\n";
    } else if !req.to_file {
        out.stdout = x.body.to_string();
    }
    None
}

/// The reason phrase of a status.
fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        405 => "Method Not Allowed",
        _ => "Not Found",
    }
}

/// The status line and headers of a response (`-I` prints them, `-v` shows them).
fn response_headers(status: u16, server: &str, length: usize) -> Vec<String> {
    let mut h = vec![format!("HTTP/1.1 {status} {}", reason(status))];
    if !server.is_empty() {
        h.push(format!("Server: {server}"));
    }
    h.push(format!("Content-Length: {length}"));
    h.push("Content-Type: text/html; charset=UTF-8".into());
    h
}

fn verbose_exchange(err: &mut String, req: &Curl, ip: std::net::Ipv4Addr, headers: &[String]) {
    let path = if req.path.is_empty() { "/" } else { req.path.as_str() };
    let _ = writeln!(err, "* Connected to {} ({ip}) port {} (#0)", req.host, req.port);
    let _ = writeln!(
        err,
        "> {} {path} HTTP/1.1\n> Host: {}\n> User-Agent: curl/7.79.1\n> Accept: */*",
        req.method(),
        req.host
    );
    for h in &req.headers {
        let _ = writeln!(err, "> {h}");
    }
    let _ = writeln!(err, ">");
    for h in headers {
        let _ = writeln!(err, "< {h}");
    }
    let _ = writeln!(err, "<");
    let _ = writeln!(err, "* Connection #0 to host {} left intact", req.host);
}
