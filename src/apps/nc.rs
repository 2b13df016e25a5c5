//! `nc -z [-u] [-w SECS] HOST PORT[-PORT]`: is something listening there, and can we get
//! to it? Each port of a range is probed in turn, one line each, as OpenBSD netcat does.
//! `nc HOST PORT`: what does the server say first (an SSH banner)?

use super::{AppOutput, Client};
use crate::addr::{PortRange, Protocol};
use crate::forward::{Destination, Outcome};
use crate::world::World;

/// The most ports one `nc` probes: a range of more is refused (the real nc takes any
/// range; a few hundred ports is what a lesson needs, and each is a traced connection).
pub const MAX_PORTS: u32 = 1024;

/// What to check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Nc {
    /// Host name or address.
    pub host: String,
    /// The port, or the range of ports probed one after the other (at most [`MAX_PORTS`]).
    pub ports: PortRange,
    /// `-u`: UDP instead of TCP.
    pub udp: bool,
    /// `-v`: say so on success.
    pub verbose: bool,
    /// `-z`: probe only; without it nc prints what the server says first (its banner).
    pub zero_io: bool,
}

impl Default for Nc {
    /// A TCP probe of no host on port 0, for struct-update syntax.
    fn default() -> Nc {
        Nc { host: String::new(), ports: PortRange::single(0), udp: false, verbose: false, zero_io: false }
    }
}

/// How many ports a range holds.
pub fn port_count(ports: PortRange) -> u32 {
    u32::from(ports.to).saturating_sub(u32::from(ports.from)) + 1
}

impl World {
    /// Run `nc -z` (or `nc` without `-z`, which prints what the server says first) on an
    /// instance or any other client, each port of the range in turn, one line per port.
    /// TCP: a port nobody listens on is refused (RST from the host), a blocked one times
    /// out. UDP: a port nobody listens on answers ICMP port unreachable and nc fails; when
    /// nothing comes back (the port is open, or the datagram was dropped on the way) nc
    /// reports success, as the real one does. The exit status is 0 when any port
    /// succeeded; the trace kept is the first successful port's, else the first port's.
    pub fn nc(&mut self, client: impl Into<Client>, req: &Nc) -> AppOutput {
        let client = client.into();
        let mut out = AppOutput { exit_code: 1, ..AppOutput::default() };
        if port_count(req.ports) > MAX_PORTS {
            out.stderr = format!(
                "nc: vpcsim probes at most {MAX_PORTS} ports at a time ({}-{} is {}): narrow the range\n",
                req.ports.from,
                req.ports.to,
                port_count(req.ports)
            );
            return out;
        }
        let lookup = super::host::lookup(self, client, &req.host);
        let dns_trace = self.log_lookup(&lookup);
        let ip = match lookup.addr {
            Ok(ip) => ip,
            Err(e) => {
                out.stderr = format!(
                    "nc: getaddrinfo for host \"{}\" port {}: {}\n",
                    req.host,
                    req.ports.from,
                    e.gai_message()
                );
                out.trace = dns_trace;
                return out;
            }
        };
        let protocol = if req.udp { Protocol::Udp } else { Protocol::Tcp };
        for port in req.ports.from..=req.ports.to {
            let (trace, outcome) = self.connect(client, ip, protocol, port);
            let reply = match self.port_reply(&outcome, protocol, port) {
                PortReply::Silence if protocol == Protocol::Udp => PortReply::Open(None),
                reply => reply,
            };
            let open = matches!(reply, PortReply::Open(_));
            report(&mut out, req, protocol, port, reply);
            if out.trace.is_none() || (open && out.exit_code != 0) {
                out.trace = Some(trace);
            }
            if open {
                out.exit_code = 0;
            }
        }
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

/// Appends what nc says about one port: `succeeded!` with `-v`, a banner without `-z`,
/// refused (for UDP only with `-v`), or timed out.
fn report(out: &mut AppOutput, req: &Nc, protocol: Protocol, port: u16, reply: PortReply) {
    let p = protocol.as_str();
    let host = &req.host;
    match reply {
        PortReply::Open(banner) => {
            if req.verbose {
                let name = port_name(protocol, port);
                out.stderr.push_str(&format!("Connection to {host} {port} port [{p}/{name}] succeeded!\n"));
            }
            if let (false, Some(b)) = (req.zero_io, banner) {
                out.stdout.push_str(&format!("{b}\n"));
            }
        }
        PortReply::Refused => {
            if protocol == Protocol::Tcp || req.verbose {
                out.stderr.push_str(&format!(
                    "nc: connect to {host} port {port} ({p}) failed: Connection refused\n"
                ));
            }
        }
        PortReply::Silence => {
            out.stderr.push_str(&format!(
                "nc: connect to {host} port {port} ({p}) timed out: Operation now in progress\n"
            ));
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
