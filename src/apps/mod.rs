//! Applications on instances: `dig`, `curl`, `ping` and `nc`, each returning what the
//! real tool prints (stdout, stderr, exit code) plus the trace of the flow it sent;
//! [`host`] is how every one of them (and `trace`) turns a host into an address.

pub mod curl;
pub mod dig;
pub mod host;
pub mod nc;
pub mod ping;

use std::net::Ipv4Addr;

use crate::addr::Protocol;
use crate::forward::Outcome;
use crate::ids::{EniId, InstanceId};
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
}

/// Virtual time 0 on the calendar: the day the seed lab was written (2021-06-08 06:06:13 UTC).
pub const EPOCH_UNIX: i64 = 1_623_132_373;

impl World {
    /// The primary interface of a running instance.
    pub(crate) fn app_source(&self, instance: InstanceId) -> EniId {
        self[instance].eni
    }

    /// A new connection's source port and initial sequence number, drawn from the seeded stream.
    pub(crate) fn new_connection(&mut self) -> (u16, u32) {
        let span = u64::from(EPHEMERAL.to - EPHEMERAL.from) + 1;
        let port = EPHEMERAL.from + self.connection_stream().below(span) as u16;
        let seq = self.connection_stream().below(u64::from(u32::MAX)) as u32;
        (port, seq)
    }

    /// Walk a new connection from an instance to `dst`.
    pub(crate) fn connect(
        &mut self,
        instance: InstanceId,
        dst: Ipv4Addr,
        protocol: Protocol,
        dst_port: u16,
    ) -> (Trace, Outcome) {
        let eni = self.app_source(instance);
        let (src_port, seq) = if protocol == Protocol::Icmp { (0, 0) } else { self.new_connection() };
        let header = Header { src: self[eni].private_ip, dst, protocol, src_port, dst_port };
        self.trace_outcome(eni, Flow { header, seq })
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
