//! `curl URL`: an HTTP GET over a TCP flow. The body comes from the web server on the
//! instance that receives the connection (or `checkip.amazonaws.com`, which answers
//! with the source address it sees; an AWS service, reached through the internet or
//! its interface endpoint, reports its health, P13). On an instance, 169.254.169.254 is its metadata
//! service ([`super::metadata`], M1), answered without a flow.

use std::fmt::Write;

use super::{AppOutput, Client};
use crate::addr::Protocol;
use crate::forward::{Destination, Outcome};
use crate::model::aws_service::AwsService;
use crate::trace::Header;
use crate::world::World;

/// What to fetch.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Curl {
    /// Host name or address.
    pub host: String,
    /// Port (80 for http).
    pub port: u16,
    /// Path (`/`).
    pub path: String,
    /// `-v`.
    pub verbose: bool,
    /// `--connect-timeout` or `-m`, seconds.
    pub timeout_s: Option<u32>,
}

/// What the far end answered.
enum Reply {
    Http(u16, String, &'static str),
    Refused,
    NotHttp,
}

impl World {
    /// Run `curl` on an instance or any other client.
    pub fn curl(&mut self, client: impl Into<Client>, req: &Curl) -> AppOutput {
        let client = client.into();
        let mut out = AppOutput::default();
        let lookup = super::host::lookup(self, client, &req.host);
        let dns_trace = self.log_lookup(&lookup);
        let Ok(ip) = lookup.addr else {
            out.stderr = format!("curl: (6) Could not resolve host: {}\n", req.host);
            out.exit_code = 6;
            out.trace = dns_trace;
            return out;
        };
        if let (Client::Instance(i), super::metadata::METADATA_ADDR, 80) = (client, ip, req.port) {
            return self.curl_metadata(i, req);
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
        match reply {
            None => {
                let (code, ms, why) = match req.timeout_s {
                    Some(t) => (28, u64::from(t) * 1000 + 1, "Timeout was reached"),
                    None => (28, 130_000, "Connection timed out"),
                };
                let _ = writeln!(
                    err,
                    "curl: ({code}) Failed to connect to {} port {} after {ms} ms: {why}",
                    req.host, req.port
                );
                out.exit_code = code;
            }
            Some(Reply::Refused) => {
                let _ = writeln!(
                    err,
                    "curl: (7) Failed to connect to {} port {} after 0 ms: Connection refused",
                    req.host, req.port
                );
                out.exit_code = 7;
            }
            Some(Reply::NotHttp) => {
                let _ = writeln!(err, "curl: (1) Received HTTP/0.9 when not allowed");
                out.exit_code = 1;
            }
            Some(Reply::Http(status, body, server)) => {
                if req.verbose {
                    verbose_exchange(&mut err, req, ip, status, &body, server);
                }
                out.stdout = body;
            }
        }
        out.stderr = err;
        out.trace = Some(trace);
        out
    }

    /// M1: the metadata service answers on the instance itself; no flow leaves it.
    fn curl_metadata(&self, instance: crate::ids::InstanceId, req: &Curl) -> AppOutput {
        let mut out = AppOutput::default();
        let (status, body) = match self.metadata(instance, &req.path) {
            Some(value) => (200, value),
            None => (404, not_found(&req.path)),
        };
        if req.verbose {
            verbose_exchange(&mut out.stderr, req, super::metadata::METADATA_ADDR, status, &body, "EC2ws");
        }
        out.stdout = body;
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

fn verbose_exchange(
    err: &mut String,
    req: &Curl,
    ip: std::net::Ipv4Addr,
    status: u16,
    body: &str,
    server: &str,
) {
    let reason = match status {
        200 => "OK",
        403 => "Forbidden",
        _ => "Not Found",
    };
    let path = if req.path.is_empty() { "/" } else { req.path.as_str() };
    let _ = writeln!(err, "* Connected to {} ({ip}) port {} (#0)", req.host, req.port);
    let _ = writeln!(
        err,
        "> GET {path} HTTP/1.1\n> Host: {}\n> User-Agent: curl/7.79.1\n> Accept: */*\n>",
        req.host
    );
    let _ = writeln!(err, "< HTTP/1.1 {status} {reason}");
    if !server.is_empty() {
        let _ = writeln!(err, "< Server: {server}");
    }
    let _ = writeln!(err, "< Content-Length: {}\n< Content-Type: text/html; charset=UTF-8\n<", body.len());
    let _ = writeln!(err, "* Connection #0 to host {} left intact", req.host);
}
