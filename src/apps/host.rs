//! Host resolution: how a program on an instance turns the host it was given into an
//! address. One function for every caller: `curl`, `ping`, `nc`, `dig @server`,
//! `vpcsim trace --to` and the shell, so they always agree.

use std::net::Ipv4Addr;

use super::Client;
use crate::dns::{Rcode, View};
use crate::world::World;

/// Why a host did not resolve.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HostError {
    /// The instance's VPC has DNS resolution turned off (D1: `enableDnsSupport` false).
    #[error("{host}: the VPC's DNS resolver is off (enableDnsSupport is false), so names do not resolve")]
    DnsOff {
        /// The host as given.
        host: String,
    },
    /// The resolver knows no address for the name (NXDOMAIN, or no A record).
    #[error("{host}: the VPC's resolver has no address for this name")]
    NotFound {
        /// The host as given.
        host: String,
    },
}

/// The address `host` means to a program on `client`: a dotted IPv4 address is itself;
/// a name is what the client's VPC resolver answers (D1), its first address (a public
/// resolver's answer on the internet).
///
/// ```
/// use vpcsim::apps::host::{resolve, HostError};
/// let lab = vpcsim::lab::Lab::build(Default::default()).unwrap();
/// assert_eq!(resolve(&lab.world, lab.my_ec2, "10.0.0.5"), Ok("10.0.0.5".parse().unwrap()));
/// let nowhere = HostError::NotFound { host: "nowhere.example".into() };
/// assert_eq!(resolve(&lab.world, lab.my_ec2, "nowhere.example"), Err(nowhere));
/// ```
pub fn resolve(w: &World, client: impl Into<Client>, host: &str) -> Result<Ipv4Addr, HostError> {
    if let Ok(ip) = host.parse() {
        return Ok(ip);
    }
    let view = match w.app_source(client.into()) {
        Some(eni) => {
            let vpc = w[eni].vpc;
            if !w[vpc].dns_support {
                return Err(HostError::DnsOff { host: host.to_string() });
            }
            View::Vpc(vpc)
        }
        None => View::Public,
    };
    let answer = w.resolve(view, host);
    match (answer.rcode, answer.addrs.first()) {
        (Rcode::NoError, Some(ip)) => Ok(*ip),
        _ => Err(HostError::NotFound { host: host.to_string() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::PortRange;
    use crate::apps::{curl::Curl, nc::Nc, ping::Ping};
    use crate::ids::InstanceId;
    use crate::lab::Lab;

    /// Where each tool sent its flow (`None`: it printed that the host did not resolve).
    fn destinations(w: &mut World, from: InstanceId, host: &str) -> [Option<Ipv4Addr>; 3] {
        let curl = Curl { host: host.into(), port: 80, path: "/".into(), ..Curl::default() };
        let ping = Ping { host: host.into(), count: Some(1) };
        let nc =
            Nc { host: host.into(), ports: PortRange::single(80), udp: false, verbose: false, zero_io: true };
        [w.curl(from, &curl), w.ping(from, &ping), w.nc(from, &nc)].map(|o| o.trace.map(|t| t.flow.dst))
    }

    #[test]
    fn curl_ping_and_nc_send_their_flows_where_resolve_says_d1() {
        let lab = Lab::build(Default::default()).unwrap();
        let (mut w, from) = (lab.world.clone(), lab.my_ec2);
        let nlb = w[lab.nlb].dns_name.clone();
        let web1 = w[w[lab.web1].eni].private_ip;
        let internal = format!("ip-{}.{}", web1.to_string().replace('.', "-"), w.region().internal_suffix());
        for host in ["20.0.0.10", nlb.as_str(), internal.as_str(), "checkip.amazonaws.com", "nowhere.example"]
        {
            let resolved = resolve(&w, from, host).ok();
            assert_eq!(destinations(&mut w, from, host), [resolved; 3], "{host}");
        }
        assert!(resolve(&w, from, &nlb).is_ok());
    }

    #[test]
    fn with_dns_support_off_no_tool_resolves_a_name_d1() {
        let lab = Lab::build(Default::default()).unwrap();
        let mut w = lab.world.clone();
        let nlb = w[lab.nlb].dns_name.clone();
        w.modify_vpc_dns(lab.my_vpc, Some(false), None);
        assert_eq!(resolve(&w, lab.my_ec2, &nlb), Err(HostError::DnsOff { host: nlb.clone() }));
        assert_eq!(destinations(&mut w, lab.my_ec2, &nlb), [None; 3]);
    }
}
