//! `nc -z [-u] [-w SECS] HOST PORT`: is something listening there, and can we get to it?
//! `nc HOST PORT`: what does the server say first (an SSH banner)?

use super::{AppOutput, Client};
use crate::addr::Protocol;
use crate::forward::{Destination, Outcome};
use crate::world::World;

/// What to check.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Nc {
    /// Host name or address.
    pub host: String,
    /// Port.
    pub port: u16,
    /// `-u`: UDP instead of TCP.
    pub udp: bool,
    /// `-v`: say so on success.
    pub verbose: bool,
    /// `-z`: probe only; without it nc prints what the server says first (its banner).
    pub zero_io: bool,
}

impl World {
    /// Run `nc -z` (or `nc` without `-z`, which prints what the server says first) on an
    /// instance or any other client. TCP: a port nobody listens on is refused (RST from the
    /// host), a blocked one times out. UDP: a port nobody listens on answers ICMP port
    /// unreachable and nc fails; when nothing comes back (the port is open, or the datagram
    /// was dropped on the way) nc reports success, as the real one does.
    pub fn nc(&mut self, client: impl Into<Client>, req: &Nc) -> AppOutput {
        let client = client.into();
        let mut out = AppOutput::default();
        let lookup = super::host::lookup(self, client, &req.host);
        let dns_trace = self.log_lookup(&lookup);
        let ip = match lookup.addr {
            Ok(ip) => ip,
            Err(e) => {
                out.stderr = format!(
                    "nc: getaddrinfo for host \"{}\" port {}: {}\n",
                    req.host,
                    req.port,
                    e.gai_message()
                );
                out.exit_code = 1;
                out.trace = dns_trace;
                return out;
            }
        };
        let protocol = if req.udp { Protocol::Udp } else { Protocol::Tcp };
        let (trace, outcome) = self.connect(client, ip, protocol, req.port);
        let reply = match self.port_reply(&outcome, protocol, req.port) {
            PortReply::Silence if protocol == Protocol::Udp => PortReply::Open(None),
            reply => reply,
        };
        let p = protocol.as_str();
        let refused =
            || format!("nc: connect to {} port {} ({p}) failed: Connection refused\n", req.host, req.port);
        match (reply, protocol) {
            (PortReply::Open(banner), _) => {
                if req.verbose {
                    out.stderr = format!(
                        "Connection to {} {} port [{p}/{}] succeeded!\n",
                        req.host,
                        req.port,
                        port_name(protocol, req.port)
                    );
                }
                if let (false, Some(b)) = (req.zero_io, banner) {
                    out.stdout = format!("{b}\n");
                }
            }
            (PortReply::Refused, Protocol::Tcp) => {
                out.stderr = refused();
                out.exit_code = 1;
            }
            (PortReply::Refused, _) => {
                if req.verbose {
                    out.stderr = refused();
                }
                out.exit_code = 1;
            }
            (PortReply::Silence, _) => {
                out.stderr = format!(
                    "nc: connect to {} port {} ({p}) timed out: Operation now in progress\n",
                    req.host, req.port
                );
                out.exit_code = 1;
            }
        }
        out.trace = Some(trace);
        out
    }

    /// What comes back from a connection's far end: the service model of the instance that
    /// received it (M1-M3, L16), or the few services on the internet the simulator knows.
    fn port_reply(&self, outcome: &Outcome, protocol: Protocol, port: u16) -> PortReply {
        match *outcome {
            Outcome::Delivered { to: Destination::Instance(i), seen } => {
                match self[i].service(protocol, seen.dst_port) {
                    Some(s) => PortReply::Open(s.banner().map(str::to_string)),
                    None => PortReply::Refused,
                }
            }
            Outcome::Delivered { to: Destination::Internet(a), .. } => {
                let open = (a == crate::region::CHECKIP_ADDR && port == 80)
                    || (crate::region::PUBLIC_RESOLVERS.contains(&a) && port == 53)
                    || (a == self.region().service_addr() && port == 443)
                    || (self.gateway_service_at(a).is_some() && matches!(port, 80 | 443));
                if open {
                    PortReply::Open(None)
                } else {
                    PortReply::Refused
                }
            }
            // P13: an AWS service answers HTTPS at its interface endpoint.
            Outcome::Delivered { to: Destination::AwsService(_), .. }
                if protocol == Protocol::Tcp && port == 443 =>
            {
                PortReply::Open(None)
            }
            Outcome::Delivered { .. } => PortReply::Refused,
            Outcome::Blocked(_) => PortReply::Silence,
        }
    }
}

/// What a probe hears back.
enum PortReply {
    /// The port is open; the server's banner if it speaks first.
    Open(Option<String>),
    /// TCP RST, or ICMP port unreachable for UDP.
    Refused,
    /// Nothing at all (dropped on the way, or by the destination).
    Silence,
}

/// The service name nc prints for a port (`getservbyport`), `*` when it has none.
fn port_name(protocol: Protocol, port: u16) -> &'static str {
    match (protocol, port) {
        (_, 22) => "ssh",
        (_, 53) => "domain",
        (_, 80) => "http",
        (_, 123) => "ntp",
        (_, 161) => "snmp",
        (_, 443) => "https",
        (Protocol::Udp, 514) => "syslog",
        (_, 514) => "shell",
        (_, 3389) => "ms-wbt-server",
        _ => "*",
    }
}
