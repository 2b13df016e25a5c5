//! Applications on instances: `dig`, `curl`, `ping` and `nc`, each returning what the
//! real tool prints (stdout, stderr, exit code) plus the trace of the flow it sent;
//! [`host`] is how every one of them (and `trace`) turns a host into an address;
//! [`Client`] is where they run: an instance, any interface, or a host on the internet;
//! [`metadata`] is the instance metadata service they reach at 169.254.169.254 (M1);
//! [`wait`] is how long each waits, which the virtual clock advances by.

pub mod curl;
pub mod dig;
pub mod dig_records;
pub mod host;
pub mod metadata;
pub mod nc;
pub mod ping;
pub mod wait;

use std::net::Ipv4Addr;
use std::time::Duration;

use crate::addr::Protocol;
use crate::forward::Outcome;
use crate::ids::{EniId, InstanceId};
use crate::ops::flow_log::Exchange;
use crate::trace::{Flow, Header, Trace, EPHEMERAL};
use crate::world::World;

/// What a command printed and how it exited, with the trace of the flow it sent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AppOutput {
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// Exit status.
    pub exit_code: i32,
    /// The flow's path, when the command sent one.
    pub trace: Option<Trace>,
    /// Addresses a `dig` printed.
    pub answers: Vec<Ipv4Addr>,
    /// How long the real tool would have run (its waits on silence, ping's intervals):
    /// the virtual clock has advanced by it ([`wait`]).
    pub waited: Duration,
}

/// Virtual time 0 on the calendar: the day the seed lab was written (2021-06-08 06:06:13 UTC).
pub const EPOCH_UNIX: i64 = 1_623_132_373;

/// Where a tool runs and its flows start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Client {
    /// An instance, through its primary interface.
    Instance(InstanceId),
    /// Any network interface (a load balancer node's, an endpoint's, a detached one).
    Interface(EniId),
    /// A client on the internet with this public address (such as [`crate::forward::INTERNET_CLIENT`]).
    Internet(Ipv4Addr),
}

impl From<InstanceId> for Client {
    fn from(i: InstanceId) -> Client {
        Client::Instance(i)
    }
}

impl World {
    /// The interface a client's flows leave from by default (None on the internet): an
    /// instance's primary one.
    pub fn app_source(&self, client: Client) -> Option<EniId> {
        match client {
            Client::Instance(i) => Some(self[i].eni),
            Client::Interface(e) => Some(e),
            Client::Internet(_) => None,
        }
    }

    /// The interface a client's flow to `dst` leaves from (None on the internet): for an
    /// instance, the one its routing picks (M5, [`World::source_interface`]).
    pub fn app_source_to(&self, client: Client, dst: Ipv4Addr) -> Option<EniId> {
        match client {
            Client::Instance(i) => Some(self.source_interface(i, dst)),
            _ => self.app_source(client),
        }
    }

    /// The address a client's packets to `dst` carry as their source: the private address
    /// of the interface they leave from, or the client's public address.
    pub fn client_address_to(&self, client: Client, dst: Ipv4Addr) -> Ipv4Addr {
        match client {
            Client::Internet(a) => a,
            _ => self
                .app_source_to(client, dst)
                .map_or(crate::forward::INTERNET_CLIENT, |e| self[e].private_ip),
        }
    }

    /// A new connection's source port and initial sequence number, drawn from the seeded stream.
    pub(crate) fn new_connection(&mut self) -> (u16, u32) {
        let span = u64::from(EPHEMERAL.to - EPHEMERAL.from) + 1;
        let port = EPHEMERAL.from + self.connection_stream().below(span) as u16;
        let seq = self.connection_stream().below(u64::from(u32::MAX)) as u32;
        (port, seq)
    }

    /// Walk a new connection from a client to `dst`; the flow logs covering the interfaces
    /// it crosses record it (F1) with what [`Exchange::of`] says such a connection carries.
    pub(crate) fn connect(
        &mut self,
        client: Client,
        dst: Ipv4Addr,
        protocol: Protocol,
        dst_port: u16,
    ) -> (Trace, Outcome) {
        self.connect_carrying(client, dst, protocol, dst_port, Exchange::of(protocol, dst_port))
    }

    /// [`World::connect`] for a flow that carries `exchange` (`ping -c N`).
    pub(crate) fn connect_carrying(
        &mut self,
        client: Client,
        dst: Ipv4Addr,
        protocol: Protocol,
        dst_port: u16,
        exchange: Exchange,
    ) -> (Trace, Outcome) {
        let (src_port, seq) = if protocol == Protocol::Icmp { (0, 0) } else { self.new_connection() };
        let header = Header { src: self.client_address_to(client, dst), dst, protocol, src_port, dst_port };
        let (trace, outcome) = self.send(client, header, seq);
        self.log_flow(&trace, &outcome, exchange);
        (trace, outcome)
    }

    /// Walk one packet a client sends (its source address is the client's, whatever
    /// `header` says), without recording it anywhere.
    pub(crate) fn send(&self, client: Client, header: Header, seq: u32) -> (Trace, Outcome) {
        let flow = Flow { header: Header { src: self.client_address_to(client, header.dst), ..header }, seq };
        match self.app_source_to(client, header.dst) {
            Some(eni) => self.trace_outcome(eni, flow),
            None => self.trace_outcome_from_internet(flow),
        }
    }

    /// Advances the virtual clock by as long as the tool ran ([`wait`]) and returns its output.
    fn finish(&mut self, out: AppOutput) -> AppOutput {
        self.advance(out.waited);
        out
    }

    /// The VPC a client is in (None on the internet).
    pub fn app_source_vpc(&self, client: Client) -> Option<crate::ids::VpcId> {
        self.app_source(client).map(|e| self[e].vpc)
    }

    /// The address a client's packets carry as their source: its interface's private IP, or its public address.
    pub fn client_address(&self, client: Client) -> Ipv4Addr {
        match client {
            Client::Internet(a) => a,
            Client::Instance(_) | Client::Interface(_) => {
                self.app_source(client).map_or(crate::forward::INTERNET_CLIENT, |e| self[e].private_ip)
            }
        }
    }

    /// The calendar time of the virtual clock, as `date` prints it (`Tue Jun 08 06:06:13 UTC 2021`).
    pub fn wall_clock(&self) -> String {
        let secs = EPOCH_UNIX + (self.now_ms() / 1000) as i64;
        let fmt = time::macros::format_description!(
            "[weekday repr:short] [month repr:short] [day] [hour]:[minute]:[second] UTC [year]"
        );
        time::OffsetDateTime::from_unix_timestamp(secs)
            .ok()
            .and_then(|t| t.format(&fmt).ok())
            .unwrap_or_default()
    }
}
