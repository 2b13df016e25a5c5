//! `ping [-c N] HOST`: ICMP echo requests. Instances answer; a Network Load Balancer
//! does not (L3); a blocked path loses every packet.

use std::fmt::Write;

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
}

/// ICMP type of an echo request.
pub const ECHO_REQUEST: u16 = 8;

impl World {
    /// Run `ping` on an instance or any other client.
    pub fn ping(&mut self, client: impl Into<Client>, req: &Ping) -> AppOutput {
        let client = client.into();
        let mut out = AppOutput::default();
        let lookup = super::host::lookup(self, client, &req.host);
        let dns_trace = self.log_lookup(&lookup);
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
        let s = &mut out.stdout;
        let _ = writeln!(s, "PING {} ({ip}) 56(84) bytes of data.", req.host);
        if answered {
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
            (count - 1) * 1000 + 4
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
