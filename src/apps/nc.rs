//! `nc -z [-u] [-n] [-w SECS] HOST PORT[-PORT]`: is something listening there, and can we
//! get to it? Each port of a range is probed in turn, one line each, as OpenBSD netcat
//! (Ubuntu's `netcat-openbsd`) does. `nc HOST PORT`: what does the server say first (an
//! SSH banner)? A TCP connection that gets no answer waits `-w SECS`, else the kernel's
//! connect timeout (about 130 s), and the virtual clock advances by it ([`super::wait`]).

use std::time::Duration;

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
    /// `-n`: the host must be an address (no DNS lookup) and `-v` prints no service names.
    pub numeric: bool,
    /// `-w SECS`: how long a connection attempt (and, after a banner, an idle connection) may wait.
    pub timeout: Option<Duration>,
}

impl Default for Nc {
    /// A TCP probe of no host on port 0, for struct-update syntax.
    fn default() -> Nc {
        Nc {
            host: String::new(),
            ports: PortRange::single(0),
            udp: false,
            verbose: false,
            zero_io: false,
            numeric: false,
            timeout: None,
        }
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
    /// The virtual clock advances by the time nc waited ([`super::wait`]).
    pub fn nc(&mut self, client: impl Into<Client>, req: &Nc) -> AppOutput {
        let out = self.nc_probe(client.into(), req);
        self.finish(out)
    }

    fn nc_probe(&mut self, client: Client, req: &Nc) -> AppOutput {
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
        if req.numeric && req.host.parse::<std::net::Ipv4Addr>().is_err() {
            out.stderr = format!(
                "nc: getaddrinfo for host \"{}\" port {}: Name or service not known\n",
                req.host, req.ports.from
            );
            return out;
        }
        let lookup = super::host::lookup(self, client, &req.host);
        let dns_trace = self.log_lookup(&lookup);
        out.waited = lookup.waited();
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
            out.waited += waited(req, protocol, &reply);
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

/// How long nc waits on one port: a TCP connection that gets no answer waits `-w`, else the
/// kernel's connect timeout; a connection that printed a banner without `-z` stays open
/// until `-w` of idleness ends it (without `-w`, vpcsim closes it at once, as a learner's
/// Ctrl-C would). UDP probes and answered or refused connections take no time.
fn waited(req: &Nc, protocol: Protocol, reply: &PortReply) -> Duration {
    match reply {
        PortReply::Silence if protocol == Protocol::Tcp => {
            req.timeout.unwrap_or(super::wait::KERNEL_TCP_CONNECT)
        }
        PortReply::Open(_) if !req.zero_io && protocol == Protocol::Tcp => req.timeout.unwrap_or_default(),
        _ => Duration::ZERO,
    }
}

/// Appends what nc says about one port: `succeeded!` with `-v`, a banner without `-z`, and
/// with `-v` only (netcat-openbsd warns only then) refused or timed out.
fn report(out: &mut AppOutput, req: &Nc, protocol: Protocol, port: u16, reply: PortReply) {
    let p = protocol.as_str();
    let host = &req.host;
    let line = match reply {
        PortReply::Open(banner) => {
            if let (false, Some(b)) = (req.zero_io, banner) {
                out.stdout.push_str(&format!("{b}\n"));
            }
            let name = if req.numeric { "*" } else { port_name(protocol, port) };
            format!("Connection to {host} {port} port [{p}/{name}] succeeded!")
        }
        PortReply::Refused => format!("nc: connect to {host} port {port} ({p}) failed: Connection refused"),
        // With -w nc's own poll gives up (errno still EINPROGRESS); without, the kernel does.
        PortReply::Silence if req.timeout.is_some() => {
            format!("nc: connect to {host} port {port} ({p}) timed out: Operation now in progress")
        }
        PortReply::Silence => format!("nc: connect to {host} port {port} ({p}) failed: Connection timed out"),
    };
    if req.verbose {
        out.stderr.push_str(&line);
        out.stderr.push('\n');
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
