//! `dig [+short] [+noall +answer] [@server] NAME [TYPE]`: a query of A, AAAA, CNAME, TXT,
//! NS or SOA records (see [`super::dig_records`]) to the VPC resolver (D1; not filtered by
//! security groups or NACLs), to a resolver on the internet (which needs a path out), or
//! to an instance that serves DNS (a flow like any other), given with `@server` or as the
//! first DNS server of the VPC's DHCP options (Z2). Printed as dig 9.11 prints it.

use std::fmt::Write;
use std::net::Ipv4Addr;
use std::time::Duration;

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

/// What dig asks beyond the name, how long it waits and how it prints: the record type
/// (`-t TYPE` or `NAME TYPE`, A by default), `+time=N` and `+tries=N` (5 s and 3 tries when
/// absent), and the parts of the output it prints.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Query {
    /// The record type asked.
    pub qtype: QueryType,
    /// What is printed (`+noall +answer`: the answer section's records only).
    pub sections: Sections,
    /// `+time=N`: seconds to wait for each try's reply.
    pub time: Option<u32>,
    /// `+tries=N` (or `+retry=N-1`): how many times the query is sent.
    pub tries: Option<u32>,
}

impl Query {
    /// How long dig waits when no reply comes: every try waits its `+time` ([`super::wait`]).
    pub fn timeout(&self) -> Duration {
        let time = self.time.unwrap_or(super::wait::DIG_TIME_S);
        let tries = self.tries.unwrap_or(super::wait::DIG_TRIES);
        Duration::from_secs(u64::from(time) * u64::from(tries))
    }
}

/// The parts of its output dig prints: `+[no]cmd` (the version line and global options),
/// `+[no]comments` (the header, flags and section titles), `+[no]question`, `+[no]answer`,
/// `+[no]additional` (here the EDNS pseudo-section, the only additional record) and
/// `+[no]stats`; `+noall` turns every one off, `+all` every one on. All on by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sections {
    /// The `; <<>> DiG ...` and `;; global options:` lines.
    pub cmd: bool,
    /// `;; Got answer:`, the header and flags, and the section titles.
    pub comments: bool,
    /// The question section.
    pub question: bool,
    /// The answer section.
    pub answer: bool,
    /// The additional section (the OPT pseudo-section).
    pub additional: bool,
    /// Query time, server, date and size.
    pub stats: bool,
}

impl Default for Sections {
    fn default() -> Sections {
        Sections::ALL
    }
}

impl Sections {
    /// Everything (`+all`, the default).
    pub const ALL: Sections =
        Sections { cmd: true, comments: true, question: true, answer: true, additional: true, stats: true };
    /// Nothing (`+noall`).
    pub const NONE: Sections = Sections {
        cmd: false,
        comments: false,
        question: false,
        answer: false,
        additional: false,
        stats: false,
    };

    /// Sets the part `name` names (`cmd`, `answer`, ...) on or off; false for a name that is none.
    pub fn set(&mut self, name: &str, on: bool) -> bool {
        let part = match name {
            "cmd" => &mut self.cmd,
            "comments" => &mut self.comments,
            "question" => &mut self.question,
            "answer" => &mut self.answer,
            "additional" => &mut self.additional,
            "stats" => &mut self.stats,
            "all" => {
                *self = if on { Sections::ALL } else { Sections::NONE };
                return true;
            }
            _ => return false,
        };
        *part = on;
        true
    }
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
    /// `query` says; otherwise as [`World::dig`]. A query that gets no answer waits every
    /// try's `+time`, and the virtual clock advances by it ([`super::wait`]).
    pub fn dig_query(&mut self, client: impl Into<Client>, q: &Dig, query: Query) -> AppOutput {
        let out = self.dig_exchange(client.into(), q, query);
        self.finish(out)
    }

    fn dig_exchange(&mut self, client: Client, q: &Dig, query: Query) -> AppOutput {
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
            // dig 9.11 reports a refused UDP query (no DNS server there) as a timeout too, and
            // waits every try for it.
            out.waited += query.timeout();
            if !q.short && query.sections.cmd {
                out.stdout = cmd_lines(&q.name, query.qtype);
            }
            out.stdout.push_str(";; connection timed out; no servers could be reached\n");
            out.exit_code = 9;
            return out;
        };
        let reply = self.query(view, &q.name, query.qtype);
        out.answers = reply.addrs();
        out.stdout = if q.short { short(&reply) } else { self.full(q, query, server, &reply) };
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

    /// The output dig prints for a reply, with the parts `query.sections` keeps.
    fn full(&mut self, q: &Dig, query: Query, server: Ipv4Addr, r: &Reply) -> String {
        let parts = query.sections;
        let fqdn = format!("{}.", q.name.trim_end_matches('.'));
        let qtype = query.qtype.as_str();
        let answers = if r.rcode == Rcode::NoError { r.records.len() } else { 0 };
        let mut s = String::new();
        if parts.cmd {
            s.push_str(&cmd_lines(&q.name, query.qtype));
        }
        if parts.comments {
            let id = self.connection_stream().below(65536);
            let _ = writeln!(
                s,
                ";; Got answer:\n;; ->>HEADER<<- opcode: QUERY, status: {}, id: {id}",
                r.rcode.as_str()
            );
            let _ =
                writeln!(s, ";; flags: qr rd ra; QUERY: 1, ANSWER: {answers}, AUTHORITY: 0, ADDITIONAL: 1\n");
            if parts.additional {
                s.push_str(";; OPT PSEUDOSECTION:\n; EDNS: version: 0, flags:; udp: 4096\n");
            }
        }
        let titled = |s: &mut String, title: &str, body: &str| {
            if parts.comments {
                let _ = writeln!(s, ";; {title} SECTION:\n{body}");
            } else {
                s.push_str(body);
            }
        };
        if parts.question {
            titled(&mut s, "QUESTION", &format!(";{fqdn}\t\t\tIN\t{qtype}\n"));
        }
        if parts.answer && answers > 0 {
            titled(&mut s, "ANSWER", &r.records.iter().map(record_line).collect::<String>());
        }
        if parts.stats {
            let record_bytes: usize = r.records.iter().map(|rec| rec.data.wire_len()).sum();
            let size = 12 + fqdn.len() + 5 + record_bytes + 11;
            let _ = writeln!(s, ";; Query time: 1 msec\n;; SERVER: {server}#53({server})\n;; WHEN: {}\n;; MSG SIZE  rcvd: {size}\n", self.wall_clock());
        }
        s
    }
}

/// dig's first lines (`+cmd`): its version and the command, then the global options.
fn cmd_lines(name: &str, qt: QueryType) -> String {
    let asked = if qt == QueryType::A { name.to_string() } else { format!("{name} {}", qt.as_str()) };
    format!("\n; <<>> DiG 9.11.4-P2-RedHat-9.11.4-26.P2.amzn2.13 <<>> {asked}\n;; global options: +cmd\n")
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
