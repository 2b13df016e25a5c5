//! `ping [-c N] [-i SECS] [-W SECS] [-q] HOST`: ICMP echo requests. Instances answer; a
//! Network Load Balancer does not (L3); a blocked path loses every packet. ping runs for
//! its intervals between requests, plus `-W` (10 s by default) waiting for a reply that
//! never comes, and the virtual clock advances by it ([`super::wait`]).

use std::fmt::Write;
use std::time::Duration;

use super::{AppOutput, Client};
use crate::addr::Protocol;
use crate::command::app::ping::{count_out_of_range, MAX_PING_COUNT};
use crate::forward::{Destination, Outcome};
use crate::trace::ComponentKind;
use crate::world::World;

/// What to ping.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ping {
    /// Host name or address.
    pub host: String,
    /// `-c`: how many requests (4 when absent; from 1 to [`MAX_PING_COUNT`], else exit 2).
    pub count: Option<u32>,
    /// `-i`: time between requests (1 s when absent).
    pub interval: Option<Duration>,
    /// `-W`: how long to wait for a reply that does not come (10 s when absent).
    pub timeout: Option<Duration>,
    /// `-q`: only the first line and the summary.
    pub quiet: bool,
}

/// ICMP type of an echo request.
pub const ECHO_REQUEST: u16 = 8;

impl World {
    /// Run `ping` on an instance or any other client; the virtual clock advances by as long
    /// as it ran.
    pub fn ping(&mut self, client: impl Into<Client>, req: &Ping) -> AppOutput {
        let out = self.ping_requests(client.into(), req);
        self.finish(out)
    }

    fn ping_requests(&mut self, client: Client, req: &Ping) -> AppOutput {
        let mut out = AppOutput::default();
        let lookup = super::host::lookup(self, client, &req.host);
        let dns_trace = self.log_lookup(&lookup);
        out.waited = lookup.waited();
        let ip = match lookup.addr {
            Ok(ip) => ip,
            Err(e) => {
                out.stderr = format!("ping: {}: {}\n", req.host, e.gai_message());
                out.exit_code = 2;
                out.trace = dns_trace;
                return out;
            }
        };
        let count = req.count.unwrap_or(4);
        if !(1..=MAX_PING_COUNT).contains(&count) {
            out.stderr = format!("{}\n", count_out_of_range(&count.to_string()));
            out.exit_code = 2;
            return out;
        }
        let exchange = crate::ops::flow_log::Exchange::pings(count);
        let (trace, outcome) = self.connect_carrying(client, ip, Protocol::Icmp, ECHO_REQUEST, exchange);
        let answered = match outcome {
            Outcome::Delivered { to: Destination::Instance(i), .. } => self[i].answers_ping,
            Outcome::Delivered { to: Destination::Internet(_), .. } => true,
            _ => false,
        };
        let crossings = trace.forward.iter().filter(|h| h.kind == ComponentKind::InternetGateway).count();
        let rtt_us = 40 * trace.forward.len() as u64 + 900 * crossings as u64;
        let interval = req.interval.unwrap_or(super::wait::PING_INTERVAL);
        let between = interval * (count - 1);
        out.waited +=
            if answered { between } else { between + req.timeout.unwrap_or(super::wait::PING_LINGER) };
        let s = &mut out.stdout;
        let _ = writeln!(s, "PING {} ({ip}) 56(84) bytes of data.", req.host);
        if answered && !req.quiet {
            for n in 1..=count {
                let _ = writeln!(
                    s,
                    "64 bytes from {ip}: icmp_seq={n} ttl=255 time={}.{:03} ms",
                    rtt_us / 1000,
                    rtt_us % 1000
                );
            }
        }
        let received = if answered { count } else { 0 };
        let loss = if answered { 0 } else { 100 };
        let _ = writeln!(s, "\n--- {} ping statistics ---", req.host);
        let _ = writeln!(
            s,
            "{count} packets transmitted, {received} received, {loss}% packet loss, time {}ms",
            between.as_millis() + 4
        );
        if answered {
            let r = format!("{}.{:03}", rtt_us / 1000, rtt_us % 1000);
            let _ = writeln!(s, "rtt min/avg/max/mdev = {r}/{r}/{r}/0.000 ms");
        } else {
            out.exit_code = 1;
        }
        out.trace = Some(trace);
        out
    }
}
