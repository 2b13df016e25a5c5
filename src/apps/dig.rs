//! `dig [+short] [@server] NAME`: an A query to the VPC resolver (D1; not filtered by
//! security groups or NACLs), to a resolver on the internet (which needs a path out), or
//! to an instance that serves DNS (a flow like any other), given with `@server` or as the
//! first DNS server of the VPC's DHCP options (Z2).

use std::fmt::Write;
use std::net::Ipv4Addr;

use super::{AppOutput, Client};
use crate::dns::{Answer, Rcode, View};
use crate::ops::dhcp::NameService;
use crate::world::World;

/// What to ask.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dig {
    /// The name.
    pub name: String,
    /// `+short`: addresses only (D5).
    pub short: bool,
    /// `@server`; the VPC resolver when absent.
    pub server: Option<Ipv4Addr>,
}

/// The resolver's link-local address (D1).
pub const LINK_LOCAL_RESOLVER: Ipv4Addr = Ipv4Addr::new(169, 254, 169, 253);

impl World {
    /// Run `dig` on an instance or any other client (on the internet, a public resolver
    /// answers). Without `@server`, the query goes to the first DNS server of the VPC's
    /// DHCP options (Z2): the VPC resolver for AmazonProvidedDNS (D1), else a flow. As the
    /// real dig, it does not apply the search domains.
    pub fn dig(&mut self, client: impl Into<Client>, q: &Dig) -> AppOutput {
        let client = client.into();
        let mut out = AppOutput::default();
        let (server, view) = match self.app_source(client) {
            Some(eni) => {
                let vpc_id = self[eni].vpc;
                let vpc = &self[vpc_id];
                let resolver = vpc.resolver_addr();
                let server = match (q.server, self.name_service(vpc_id)) {
                    (Some(s), _) => Some(s),
                    (None, NameService::AmazonProvided) => Some(resolver),
                    (None, NameService::Server(s)) => Some(s),
                    (None, NameService::NoServer) => None,
                };
                match server {
                    Some(s) if s == resolver || s == LINK_LOCAL_RESOLVER => {
                        (s, vpc.dns_support.then_some(View::Vpc(vpc_id)))
                    }
                    Some(s) => (s, self.query_server(client, s, &mut out)),
                    // Z2: with no server from DHCP, the resolver library (and dig) asks 127.0.0.1.
                    None => (Ipv4Addr::LOCALHOST, None),
                }
            }
            None => {
                let server = q.server.unwrap_or(crate::region::PUBLIC_RESOLVERS[0]);
                (server, self.query_server(client, server, &mut out))
            }
        };
        let Some(view) = view else {
            // dig 9.11 reports a refused UDP query (no DNS server there) as a timeout too.
            out.stdout = if q.short {
                ";; connection timed out; no servers could be reached\n".into()
            } else {
                format!("\n; <<>> DiG 9.11.4-P2-RedHat-9.11.4-26.P2.amzn2.13 <<>> {}\n;; global options: +cmd\n;; connection timed out; no servers could be reached\n", q.name)
            };
            out.exit_code = 9;
            return out;
        };
        let answer = self.resolve(view, &q.name);
        out.answers = answer.addrs.clone();
        out.stdout = if q.short { short(&answer) } else { self.full(q, server, &answer) };
        out
    }

    /// A query to a server other than the VPC resolver: a flow from a new source port
    /// ([`World::ask_server`]), its walk kept in `out`.
    fn query_server(&mut self, client: Client, server: Ipv4Addr, out: &mut AppOutput) -> Option<View> {
        if super::host::answers_without_flow(client, server) {
            return Some(View::Public);
        }
        let connection = self.new_connection();
        let (walk, view) = self.ask_server(client, server, connection);
        if let Some((trace, outcome)) = walk {
            self.log_flow(
                &trace,
                &outcome,
                crate::ops::flow_log::Exchange::of(crate::addr::Protocol::Udp, 53),
            );
            out.trace = Some(trace);
        }
        view
    }

    fn full(&mut self, q: &Dig, server: Ipv4Addr, a: &Answer) -> String {
        let id = self.connection_stream().below(65536);
        let fqdn = format!("{}.", q.name.trim_end_matches('.'));
        let mut s = String::new();
        let _ = writeln!(s, "\n; <<>> DiG 9.11.4-P2-RedHat-9.11.4-26.P2.amzn2.13 <<>> {}", q.name);
        let _ = writeln!(s, ";; global options: +cmd\n;; Got answer:");
        let _ = writeln!(s, ";; ->>HEADER<<- opcode: QUERY, status: {}, id: {id}", a.rcode.as_str());
        let answers = a.cnames.len() + a.addrs.len();
        let _ = writeln!(s, ";; flags: qr rd ra; QUERY: 1, ANSWER: {answers}, AUTHORITY: 0, ADDITIONAL: 1\n");
        let _ = writeln!(s, ";; OPT PSEUDOSECTION:\n; EDNS: version: 0, flags:; udp: 4096\n;; QUESTION SECTION:\n;{fqdn}\t\t\tIN\tA\n");
        if a.rcode == Rcode::NoError && answers > 0 {
            let _ = writeln!(s, ";; ANSWER SECTION:");
            let mut owner = fqdn.clone();
            for c in &a.cnames {
                let _ = writeln!(s, "{}.\t{}\tIN\tCNAME\t{}.", c.name, c.ttl, c.target);
                owner = format!("{}.", c.target);
            }
            for ip in &a.addrs {
                let _ = writeln!(s, "{owner}\t{}\tIN\tA\t{ip}", a.ttl);
            }
            s.push('\n');
        }
        let cname_bytes: usize = a.cnames.iter().map(|c| 12 + c.target.len() + 2).sum();
        let size = 12 + fqdn.len() + 5 + a.addrs.len() * 16 + cname_bytes + 11;
        let _ = writeln!(s, ";; Query time: 1 msec\n;; SERVER: {server}#53({server})\n;; WHEN: {}\n;; MSG SIZE  rcvd: {size}\n", self.wall_clock());
        s
    }
}

/// D5: one address a line, after the CNAME targets followed (Z1); nothing for NXDOMAIN.
fn short(a: &Answer) -> String {
    let cnames = a.cnames.iter().map(|c| format!("{}.\n", c.target));
    cnames.chain(a.addrs.iter().map(|ip| format!("{ip}\n"))).collect()
}
