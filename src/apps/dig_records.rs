//! What a `dig` query of each record type answers (Z1): A as the resolver answers it
//! ([`World::resolve`]); TXT, AAAA and CNAME from the private hosted zone that answers the
//! name inside the VPC; NS and SOA at a private zone's apex as Route 53 makes them. A CNAME
//! is followed for every type but CNAME; a name that exists without a record of the type
//! answers NOERROR with no answer (every name vpcsim answers outside a hosted zone has only
//! A records); a name that does not exist answers NXDOMAIN.

use std::net::Ipv4Addr;

use crate::command::app::RecordType;
use crate::dns::{Answer, Rcode, View, MAX_CNAME_CHAIN};
use crate::model::hosted_zone::{normalize, HostedZone, RecordData, PRIVATE_NAME_SERVERS};
use crate::world::World;

/// The record types vpcsim answers (`dig -t TYPE`); MX, PTR and ANY are refused.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum QueryType {
    /// IPv4 addresses.
    #[default]
    A,
    /// IPv6 addresses.
    Aaaa,
    /// The canonical name, not followed.
    Cname,
    /// Text strings.
    Txt,
    /// A zone's name servers.
    Ns,
    /// A zone's start of authority.
    Soa,
}

impl QueryType {
    /// The type as dig prints it.
    pub fn as_str(self) -> &'static str {
        match self {
            QueryType::A => "A",
            QueryType::Aaaa => "AAAA",
            QueryType::Cname => "CNAME",
            QueryType::Txt => "TXT",
            QueryType::Ns => "NS",
            QueryType::Soa => "SOA",
        }
    }
}

impl TryFrom<RecordType> for QueryType {
    type Error = RecordType;

    /// The query type of a type dig parsed; MX, PTR and ANY are not modelled.
    fn try_from(t: RecordType) -> Result<QueryType, RecordType> {
        Ok(match t {
            RecordType::A => QueryType::A,
            RecordType::Aaaa => QueryType::Aaaa,
            RecordType::Cname => QueryType::Cname,
            RecordType::Txt => QueryType::Txt,
            RecordType::Ns => QueryType::Ns,
            RecordType::Soa => QueryType::Soa,
            RecordType::Mx | RecordType::Ptr | RecordType::Any => return Err(t),
        })
    }
}

/// One resource record of a reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// The owner name, lowercase, without the final dot.
    pub name: String,
    /// Time to live in seconds.
    pub ttl: u32,
    /// The type and value.
    pub data: Data,
}

/// A record's type and value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Data {
    /// An IPv4 address.
    A(Ipv4Addr),
    /// An IPv6 address, as written in the record set.
    Aaaa(String),
    /// A canonical name, without the final dot.
    Cname(String),
    /// One TXT value, without its outer quotes.
    Txt(String),
    /// A name server, without the final dot.
    Ns(String),
    /// A start of authority, as dig prints it.
    Soa(String),
}

impl Data {
    /// The type as dig prints it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Data::A(_) => "A",
            Data::Aaaa(_) => "AAAA",
            Data::Cname(_) => "CNAME",
            Data::Txt(_) => "TXT",
            Data::Ns(_) => "NS",
            Data::Soa(_) => "SOA",
        }
    }

    /// The value as dig prints it: names with their final dot, TXT quoted.
    pub fn text(&self) -> String {
        match self {
            Data::A(ip) => ip.to_string(),
            Data::Aaaa(ip) => ip.clone(),
            Data::Cname(name) | Data::Ns(name) => format!("{name}."),
            Data::Txt(text) => format!("\"{text}\""),
            Data::Soa(soa) => soa.clone(),
        }
    }

    /// The bytes the record takes in a reply (name compressed to a pointer), for dig's
    /// `MSG SIZE`.
    pub fn wire_len(&self) -> usize {
        12 + match self {
            Data::A(_) => 4,
            Data::Aaaa(_) => 16,
            Data::Cname(name) | Data::Ns(name) => name.len() + 2,
            Data::Txt(text) => text.len() + 1,
            Data::Soa(soa) => soa.len() + 2,
        }
    }
}

/// What a query answers: its status and its answer section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    /// The response code.
    pub rcode: Rcode,
    /// The answer section, in order (a CNAME chain first).
    pub records: Vec<Record>,
}

impl Reply {
    /// An A answer: its CNAME chain, then its addresses, owned by the chain's last name.
    fn of_a(name: &str, a: &Answer) -> Reply {
        let mut owner = name.to_string();
        let mut records = Vec::with_capacity(a.cnames.len() + a.addrs.len());
        for c in &a.cnames {
            records.push(Record { name: c.name.clone(), ttl: c.ttl, data: Data::Cname(c.target.clone()) });
            owner.clone_from(&c.target);
        }
        records.extend(a.addrs.iter().map(|ip| Record {
            name: owner.clone(),
            ttl: a.ttl,
            data: Data::A(*ip),
        }));
        Reply { rcode: a.rcode, records }
    }

    fn found(records: Vec<Record>) -> Reply {
        Reply { rcode: Rcode::NoError, records }
    }

    /// The IPv4 addresses answered.
    pub fn addrs(&self) -> Vec<Ipv4Addr> {
        self.records.iter().filter_map(|r| if let Data::A(ip) = r.data { Some(ip) } else { None }).collect()
    }
}

impl World {
    /// Z1: what a query of `qtype` for `name` answers from `view`.
    pub fn query(&self, view: View, name: &str, qtype: QueryType) -> Reply {
        self.query_chain(view, &normalize(name), qtype, 0)
    }

    fn query_chain(&self, view: View, name: &str, qtype: QueryType, depth: u8) -> Reply {
        if qtype == QueryType::A {
            return Reply::of_a(name, &self.resolve(view, name));
        }
        let zone = match view {
            View::Vpc(vpc) => self.answering_zone(vpc, name),
            View::Public => None,
        };
        match zone {
            Some(zone) => self.query_zone(view, zone, name, qtype, depth),
            None => Reply { rcode: self.resolve(view, name).rcode, records: Vec::new() },
        }
    }

    /// Z1: a private hosted zone's records of `qtype` at `name`, its NS and SOA at its apex.
    fn query_zone(&self, view: View, zone: &HostedZone, name: &str, qtype: QueryType, depth: u8) -> Reply {
        let apex = name == zone.name;
        match qtype {
            QueryType::Ns if apex => return Reply::found(name_servers(zone)),
            QueryType::Soa if apex => return Reply::found(vec![soa(zone)]),
            _ => {}
        }
        let mut records = zone.records_named(name).peekable();
        if records.peek().is_none() && !apex {
            return Reply { rcode: Rcode::NxDomain, records: Vec::new() };
        }
        let mut found = Vec::new();
        for r in records {
            let record = |data: Data| Record { name: name.to_string(), ttl: r.ttl, data };
            match (&r.data, qtype) {
                (RecordData::Cname(target), QueryType::Cname) => {
                    found.push(record(Data::Cname(target.clone())))
                }
                (RecordData::Cname(_), _) if depth >= MAX_CNAME_CHAIN => {
                    return Reply { rcode: Rcode::ServFail, records: Vec::new() }
                }
                (RecordData::Cname(target), _) => {
                    let mut rest = self.query_chain(view, target, qtype, depth + 1);
                    rest.records.insert(0, record(Data::Cname(target.clone())));
                    return rest;
                }
                (RecordData::Txt(values), QueryType::Txt) => {
                    found.extend(values.iter().map(|v| record(Data::Txt(v.clone()))))
                }
                (RecordData::Aaaa(addrs), QueryType::Aaaa) => {
                    found.extend(addrs.iter().map(|a| record(Data::Aaaa(a.clone()))))
                }
                _ => {}
            }
        }
        Reply::found(found)
    }
}

/// The NS records Route 53 makes at a private zone's apex.
fn name_servers(zone: &HostedZone) -> Vec<Record> {
    let ns = |s: &&str| Record { name: zone.name.clone(), ttl: 172_800, data: Data::Ns(s.to_string()) };
    PRIVATE_NAME_SERVERS.iter().map(ns).collect()
}

/// The SOA record Route 53 makes at a private zone's apex.
fn soa(zone: &HostedZone) -> Record {
    Record { name: zone.name.clone(), ttl: 900, data: Data::Soa(zone.soa()) }
}
