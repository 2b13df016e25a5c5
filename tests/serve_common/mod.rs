//! Shared by the `vpcsim serve` tests: the lab's server on an ephemeral port, in a
//! thread of the test process, and a plain HTTP/1.1 client over a TcpStream.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};

/// Starts the lab's server on 127.0.0.1, port 0; its address.
pub fn lab_server() -> SocketAddr {
    let mut explorer = vpcsim::serve::lab().expect("the lab builds");
    let server = vpcsim::serve::Server::bind("127.0.0.1:0".parse().unwrap()).expect("a free port");
    let addr = server.addr();
    std::thread::spawn(move || server.run(&mut explorer));
    addr
}

/// An answer: status, and body as text.
pub struct Answer {
    pub status: u16,
    pub body: String,
}

impl Answer {
    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// Sends raw request bytes; the answer.
pub fn raw(addr: SocketAddr, request: &[u8]) -> Answer {
    let mut stream = TcpStream::connect(addr).expect("the server accepts");
    stream.write_all(request).expect("the request is sent");
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).expect("the answer is read");
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    Answer { status, body: body.to_string() }
}

/// `METHOD target` with `body`, as a browser on the page would send it.
pub fn request(addr: SocketAddr, method: &str, target: &str, body: &str) -> Answer {
    let req = format!(
        "{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    raw(addr, req.as_bytes())
}

/// `GET target`.
pub fn get(addr: SocketAddr, target: &str) -> Answer {
    request(addr, "GET", target, "")
}

/// The lab's steps the tests look at, by title: the world after each is the one they need.
pub mod lab {
    /// The curl through both internet gateways (the endpoint does not exist yet).
    pub const THROUGH_GATEWAYS: &str = "curl goes out through My-IGW and in through Custom-IGW";
    /// The endpoint is created and waits for acceptance.
    pub const ENDPOINT_PENDING: &str = "create the interface endpoint in My-Public-SN with WebSG";
    /// The curl through PrivateLink (the endpoint is available).
    pub const THROUGH_ENDPOINT: &str = "curl now goes privately through PrivateLink";
}

/// The position (from 1) of the lab step titled `title`: the world after it is `step=N`.
pub fn step_titled(addr: SocketAddr, title: &str) -> u64 {
    let steps = get(addr, "/api/steps").json();
    steps["steps"]
        .as_array()
        .and_then(|a| a.iter().find(|s| s["title"] == title))
        .and_then(|s| s["index"].as_u64())
        .unwrap_or_else(|| panic!("the lab has no step titled {title:?}"))
}
