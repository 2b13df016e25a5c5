//! `dig [+short] [@server] NAME`: an A query to the VPC resolver (D1; not filtered by
//! security groups or NACLs), to a resolver on the internet (which needs a path out), or
//! to an instance that serves DNS (a flow like any other).

use std::fmt::Write;
use std::net::Ipv4Addr;

use super::{AppOutput, Client};
use crate::addr::Protocol;
use crate::dns::{Answer, Rcode, View};
use crate::forward::{Destination, Outcome};
use crate::model::instance::Answer as ServiceAnswer;
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
    /// Run `dig` on an instance or any other client (on the internet, a public resolver answers).
    pub fn dig(&mut self, client: impl Into<Client>, q: &Dig) -> AppOutput {
        let client = client.into();
        let mut out = AppOutput::default();
        let (server, view) = match self.app_source(client) {
            Some(eni) => {
                let vpc_id = self[eni].vpc;
                let vpc = &self[vpc_id];
                let resolver = vpc.resolver_addr();
                let server = q.server.unwrap_or(resolver);
                if server == resolver || server == LINK_LOCAL_RESOLVER {
                    (server, vpc.dns_support.then_some(View::Vpc(vpc_id)))
                } else {
                    (server, self.public_resolver(client, server, &mut out))
                }
            }
            None => {
                let server = q.server.unwrap_or(crate::region::PUBLIC_RESOLVERS[0]);
                (server, self.public_resolver(client, server, &mut out))
            }
        };
        let Some(view) = view else {
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

    /// A resolver at `server` other than the VPC's answers when the query gets there and
    /// something serves DNS: a public resolver on the internet (from the internet, it always
    /// does), or an instance running a DNS server (named, dnsmasq), which forwards to its
    /// VPC's resolver (or resolves on the internet when its VPC has DNS support off).
    fn public_resolver(&mut self, client: Client, server: Ipv4Addr, out: &mut AppOutput) -> Option<View> {
        if let (Client::Internet(_), true) = (client, crate::region::PUBLIC_RESOLVERS.contains(&server)) {
            return Some(View::Public);
        }
        let (trace, outcome) = self.connect(client, server, Protocol::Udp, 53);
        out.trace = Some(trace);
        match outcome {
            Outcome::Delivered { to: Destination::Internet(a), .. } => {
                crate::region::PUBLIC_RESOLVERS.contains(&a).then_some(View::Public)
            }
            Outcome::Delivered { to: Destination::Instance(i), seen } => {
                let dns = self[i].service(Protocol::Udp, seen.dst_port)?;
                if dns.answer != ServiceAnswer::Dns {
                    return None;
                }
                let vpc = self[self[i].eni].vpc;
                Some(if self[vpc].dns_support { View::Vpc(vpc) } else { View::Public })
            }
            Outcome::Delivered { .. } | Outcome::Blocked(_) => None,
        }
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
