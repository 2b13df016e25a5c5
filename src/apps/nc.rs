//! `nc -z [-u] [-w SECS] HOST PORT`: is something listening there, and can we get to it?

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
}

impl World {
    /// Run `nc -z` on an instance or any other client.
    pub fn nc(&mut self, client: impl Into<Client>, req: &Nc) -> AppOutput {
        let client = client.into();
        let mut out = AppOutput::default();
        let Ok(ip) = super::host::resolve(self, client, &req.host) else {
            out.stderr = format!(
                "nc: getaddrinfo for host \"{}\" port {}: Name or service not known\n",
                req.host, req.port
            );
            out.exit_code = 1;
            return out;
        };
        let protocol = if req.udp { Protocol::Udp } else { Protocol::Tcp };
        let (trace, outcome) = self.connect(client, ip, protocol, req.port);
        let listening = match outcome {
            Outcome::Delivered { to: Destination::Instance(i), seen } => {
                Some(self[i].service(protocol, seen.dst_port).is_some())
            }
            Outcome::Delivered { to: Destination::Internet(a), .. } => Some(
                (a == crate::region::CHECKIP_ADDR && req.port == 80)
                    || (crate::region::PUBLIC_RESOLVERS.contains(&a) && req.port == 53)
                    || (a == self.region().service_addr() && req.port == 443),
            ),
            Outcome::Delivered { .. } => Some(false),
            Outcome::Blocked(_) => None,
        };
        let p = protocol.as_str();
        match listening {
            Some(true) => {
                if req.verbose {
                    out.stderr = format!("Connection to {} {} port [{p}/*] succeeded!\n", req.host, req.port);
                }
            }
            Some(false) => {
                out.stderr = format!(
                    "nc: connect to {} port {} ({p}) failed: Connection refused\n",
                    req.host, req.port
                );
                out.exit_code = 1;
            }
            None => {
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
}
