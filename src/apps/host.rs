//! Host resolution: how a program on an instance turns the host it was given into an
//! address. One function for every caller: `curl`, `ping`, `nc`, `dig @server`,
//! `vpcsim trace --to` and the shell, so they always agree. The query goes where the
//! VPC's DHCP option set says (Z2): to the VPC resolver (D1, not filtered), or to another
//! server as a UDP flow to port 53 that routes, security groups and NACLs may stop; a
//! name without a dot is tried with the option set's search domains first, as the
//! resolver library does.

use std::net::Ipv4Addr;
use std::time::Duration;

use super::Client;
use crate::addr::Protocol;
use crate::dns::{Rcode, View};
use crate::forward::{Destination, Outcome};
use crate::model::instance::Answer as ServiceAnswer;
use crate::ops::dhcp::NameService;
use crate::trace::{Header, Trace, EPHEMERAL};
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
    /// Z2: the VPC's DHCP option set gives no DNS server (none associated, or none in it).
    #[error("{host}: the VPC's DHCP options give no DNS server, so names do not resolve")]
    NoServer {
        /// The host as given.
        host: String,
    },
    /// Z2: the DNS server of the VPC's DHCP options did not answer (the query was dropped
    /// on the way, or nothing serves DNS there).
    #[error("{host}: the DNS server {server} of the VPC's DHCP options did not answer")]
    ServerUnreachable {
        /// The host as given.
        host: String,
        /// The server asked.
        server: Ipv4Addr,
    },
}

impl HostError {
    /// The resolver library's words for it, as `ping`, `nc` and `getent` print them.
    pub fn gai_message(&self) -> &'static str {
        match self {
            HostError::NotFound { .. } => "Name or service not known",
            HostError::DnsOff { .. } | HostError::NoServer { .. } | HostError::ServerUnreachable { .. } => {
                "Temporary failure in name resolution"
            }
        }
    }
}

/// A host looked up: the address, or why not, and the DNS query's flow when the query
/// was one (Z2: a server other than the VPC resolver).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lookup {
    /// The first address, or why there is none.
    pub addr: Result<Ipv4Addr, HostError>,
    /// The query's walk to a DNS server of the VPC's DHCP options, and its verdict.
    pub dns_query: Option<(Trace, Outcome)>,
}

impl Lookup {
    /// The query's walk, when it was a flow.
    pub fn dns_trace(&self) -> Option<Trace> {
        self.dns_query.as_ref().map(|(t, _)| t.clone())
    }

    /// How long the resolver library waited ([`super::wait`]): its full timeout when the
    /// query got no answer at all (dropped on the way, or the VPC resolver of a VPC with DNS
    /// support off); nothing when it was answered or refused (ICMP port unreachable).
    pub fn waited(&self) -> Duration {
        match (&self.addr, &self.dns_query) {
            (Err(HostError::DnsOff { .. }), _)
            | (Err(HostError::ServerUnreachable { .. }), Some((_, Outcome::Blocked(_)))) => {
                super::wait::RESOLVER
            }
            _ => Duration::ZERO,
        }
    }
}

/// The address `host` means to a program on `client`: a dotted IPv4 address is itself;
/// a name is what the client's name server answers (D1, Z2), its first address (a public
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
    lookup(w, client, host).addr
}

/// [`resolve`], with the DNS query's flow when it was one (Z2).
pub fn lookup(w: &World, client: impl Into<Client>, host: &str) -> Lookup {
    let client = client.into();
    if let Ok(ip) = host.parse() {
        return Lookup { addr: Ok(ip), dns_query: None };
    }
    let Some(eni) = w.app_source(client) else {
        return Lookup { addr: first_address(w, View::Public, &[host.to_string()], host), dns_query: None };
    };
    let vpc = w[eni].vpc;
    let names = candidates(host, w.search_domains(vpc));
    let (view, dns_query) = match w.name_service(vpc) {
        NameService::AmazonProvided if !w[vpc].dns_support => {
            return Lookup { addr: Err(HostError::DnsOff { host: host.to_string() }), dns_query: None }
        }
        NameService::AmazonProvided => (View::Vpc(vpc), None),
        NameService::NoServer => {
            return Lookup { addr: Err(HostError::NoServer { host: host.to_string() }), dns_query: None }
        }
        NameService::Server(server) => {
            let (walk, view) = w.ask_server(client, server, (query_port(host), 0));
            match view {
                Some(view) => (view, walk),
                None => {
                    let addr = Err(HostError::ServerUnreachable { host: host.to_string(), server });
                    return Lookup { addr, dns_query: walk };
                }
            }
        }
    };
    Lookup { addr: first_address(w, view, &names, host), dns_query }
}

/// The first address the first name that has one answers.
fn first_address(w: &World, view: View, names: &[String], host: &str) -> Result<Ipv4Addr, HostError> {
    names
        .iter()
        .find_map(|n| {
            let answer = w.resolve(view, n);
            (answer.rcode == Rcode::NoError).then(|| answer.addrs.first().copied()).flatten()
        })
        .ok_or_else(|| HostError::NotFound { host: host.to_string() })
}

/// Z2: the names the resolver library asks for `host`: with no dot in it (fewer than
/// `ndots:1`), each search domain's name first, then the name itself.
fn candidates(host: &str, search: &[String]) -> Vec<String> {
    let mut names = Vec::new();
    if !host.trim_end_matches('.').contains('.') && !host.ends_with('.') {
        names.extend(search.iter().map(|d| format!("{host}.{}", d.trim_end_matches('.'))));
    }
    names.push(host.to_string());
    names
}

/// The source port of a query from the resolver library: an ephemeral port derived from
/// the name, so a lookup that only reads the world is the same every time.
fn query_port(host: &str) -> u16 {
    let span = u64::from(EPHEMERAL.to - EPHEMERAL.from) + 1;
    EPHEMERAL.from + (crate::ops::prefix_list::stable_hash(host) % span) as u16
}

/// A public resolver asked from the internet answers without a flow vpcsim walks.
pub(crate) fn answers_without_flow(client: Client, server: Ipv4Addr) -> bool {
    matches!(client, Client::Internet(_)) && crate::region::PUBLIC_RESOLVERS.contains(&server)
}

impl World {
    /// Z2: a DNS query from `client` to `server` (UDP 53) and the view it
    /// answers from when it gets there and something serves DNS: a public resolver on the
    /// internet (from the internet, always), or an instance running a DNS server (named,
    /// dnsmasq), which forwards to its own VPC's resolver (or resolves on the internet when
    /// its VPC has DNS support off). With the query's walk, when it was one. The
    /// pair is the query's source port and the flow's sequence number.
    pub(crate) fn ask_server(
        &self,
        client: Client,
        server: Ipv4Addr,
        (src_port, seq): (u16, u32),
    ) -> (Option<(Trace, Outcome)>, Option<View>) {
        if answers_without_flow(client, server) {
            return (None, Some(View::Public));
        }
        let header = Header { src: server, dst: server, protocol: Protocol::Udp, src_port, dst_port: 53 };
        let (trace, outcome) = self.send(client, header, seq);
        let view = match outcome {
            Outcome::Delivered { to: Destination::Internet(a), .. } => {
                crate::region::PUBLIC_RESOLVERS.contains(&a).then_some(View::Public)
            }
            Outcome::Delivered { to: Destination::Instance(i), seen } => {
                let serves = self[i]
                    .service(Protocol::Udp, seen.dst_port)
                    .is_some_and(|s| s.answer == ServiceAnswer::Dns);
                let vpc = self[self[i].eni].vpc;
                serves.then_some(if self[vpc].dns_support { View::Vpc(vpc) } else { View::Public })
            }
            Outcome::Delivered { .. } | Outcome::Blocked(_) => None,
        };
        (Some((trace, outcome)), view)
    }

    /// Z2, F1: the flow logs record a name lookup's query like any flow; its walk, if any.
    pub(crate) fn log_lookup(&mut self, lookup: &Lookup) -> Option<Trace> {
        let (trace, outcome) = lookup.dns_query.as_ref()?;
        self.log_flow(trace, outcome, crate::ops::flow_log::Exchange::of(Protocol::Udp, 53));
        Some(trace.clone())
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
        let ping = Ping { host: host.into(), count: Some(1), ..Ping::default() };
        let nc = Nc { host: host.into(), ports: PortRange::single(80), zero_io: true, ..Nc::default() };
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
