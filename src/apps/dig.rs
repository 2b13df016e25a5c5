//! `dig [+short] [+noall +answer] [@server] NAME [TYPE]`: a query of A, AAAA, CNAME, TXT,
//! NS or SOA records (see [`super::dig_records`]) to the VPC resolver (D1; not filtered by
//! security groups or NACLs), to a resolver on the internet (which needs a path out), or
//! to an instance that serves DNS (a flow like any other), given with `@server` or as the
//! first DNS server of the VPC's DHCP options (Z2). Printed as dig 9.11 prints it.

use std::fmt::Write;
use std::net::Ipv4Addr;

use super::dig_records::{QueryType, Reply};
use super::{AppOutput, Client};
use crate::dns::{Rcode, View};
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

/// What dig asks beyond the name, and how it prints: the record type (`-t TYPE` or
/// `NAME TYPE`, A by default) and `+noall +answer` (the answer section's records only).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Query {
    /// The record type asked.
    pub qtype: QueryType,
    /// `+noall +answer`.
    pub answer_only: bool,
}

/// The resolver's link-local address (D1).
pub const LINK_LOCAL_RESOLVER: Ipv4Addr = Ipv4Addr::new(169, 254, 169, 253);

impl World {
    /// Run `dig` on an instance or any other client (on the internet, a public resolver
    /// answers). Without `@server`, the query goes to the first DNS server of the VPC's
    /// DHCP options (Z2): the VPC resolver for AmazonProvidedDNS (D1), else a flow. As the
    /// real dig, it does not apply the search domains.
    pub fn dig(&mut self, client: impl Into<Client>, q: &Dig) -> AppOutput {
        self.dig_query(client, q, Query::default())
    }

    /// Run `dig` for records of `query.qtype` (Z1: see [`super::dig_records`]), printed as
    /// `query` says; otherwise as [`World::dig`].
    pub fn dig_query(&mut self, client: impl Into<Client>, q: &Dig, query: Query) -> AppOutput {
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
        let reply = self.query(view, &q.name, query.qtype);
        out.answers = reply.addrs();
        out.stdout = match (q.short, query.answer_only) {
            (true, _) => short(&reply),
            (false, true) => reply.records.iter().map(record_line).collect(),
            (false, false) => self.full(q, query.qtype, server, &reply),
        };
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

    fn full(&mut self, q: &Dig, qt: QueryType, server: Ipv4Addr, r: &Reply) -> String {
        let id = self.connection_stream().below(65536);
        let fqdn = format!("{}.", q.name.trim_end_matches('.'));
        let qtype = qt.as_str();
        let asked = if qt == QueryType::A { q.name.clone() } else { format!("{} {qtype}", q.name) };
        let mut s = String::new();
        let _ = writeln!(s, "\n; <<>> DiG 9.11.4-P2-RedHat-9.11.4-26.P2.amzn2.13 <<>> {asked}");
        let _ = writeln!(s, ";; global options: +cmd\n;; Got answer:");
        let _ = writeln!(s, ";; ->>HEADER<<- opcode: QUERY, status: {}, id: {id}", r.rcode.as_str());
        let answers = if r.rcode == Rcode::NoError { r.records.len() } else { 0 };
        let _ = writeln!(s, ";; flags: qr rd ra; QUERY: 1, ANSWER: {answers}, AUTHORITY: 0, ADDITIONAL: 1\n");
        let _ = writeln!(s, ";; OPT PSEUDOSECTION:\n; EDNS: version: 0, flags:; udp: 4096\n;; QUESTION SECTION:\n;{fqdn}\t\t\tIN\t{qtype}\n");
        if answers > 0 {
            let _ = writeln!(s, ";; ANSWER SECTION:");
            s.extend(r.records.iter().map(record_line));
            s.push('\n');
        }
        let record_bytes: usize = r.records.iter().map(|rec| rec.data.wire_len()).sum();
        let size = 12 + fqdn.len() + 5 + record_bytes + 11;
        let _ = writeln!(s, ";; Query time: 1 msec\n;; SERVER: {server}#53({server})\n;; WHEN: {}\n;; MSG SIZE  rcvd: {size}\n", self.wall_clock());
        s
    }
}

/// D5: one value a line (CNAME targets followed first, Z1; TXT quoted); nothing for
/// NXDOMAIN or a name without a record of the type.
fn short(r: &Reply) -> String {
    r.records.iter().map(|rec| format!("{}\n", rec.data.text())).collect()
}

/// One answer-section line, as dig prints it.
fn record_line(rec: &super::dig_records::Record) -> String {
    format!("{}.\t{}\tIN\t{}\t{}\n", rec.name, rec.ttl, rec.data.type_name(), rec.data.text())
}
