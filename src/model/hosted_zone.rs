//! Route 53 hosted zones (Z1): a domain, the VPCs a private zone answers, and its
//! record sets (A, AAAA, CNAME, TXT, and alias A records to a load balancer's or an
//! endpoint's DNS name). A zone with no VPC is public; public DNS is not modelled, so
//! its records answer no query.

use std::net::Ipv4Addr;

use crate::ids::VpcId;

/// A hosted zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostedZone {
    /// `Z...` id.
    pub aws_id: String,
    /// The domain, lowercase, without the final dot.
    pub name: String,
    /// The VPCs a private zone answers; empty for a public zone.
    pub vpcs: Vec<VpcId>,
    /// HostedZoneConfig.Comment.
    pub comment: String,
    /// The caller reference it was created with (unique per zone).
    pub caller_reference: String,
    /// The changes `aws route53` calls made to it, oldest first (what get-change reports).
    pub changes: Vec<ZoneChange>,
    /// The record sets, in the order created.
    pub records: Vec<RecordSet>,
    /// Deleted.
    pub deleted: bool,
}

/// A change Route 53 reports for a call that changed a zone: PENDING, then INSYNC once
/// it has propagated to the resolvers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZoneChange {
    /// `C...` (printed as `/change/C...`).
    pub id: String,
    /// When it was submitted, in virtual milliseconds.
    pub submitted_ms: u64,
    /// The call's comment, if it gave one.
    pub comment: Option<String>,
}

/// One record set: a name, a type and its values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordSet {
    /// The owner name, lowercase, without the final dot.
    pub name: String,
    /// Time to live in seconds (an alias answers with its target's TTL).
    pub ttl: u32,
    /// The type and values.
    pub data: RecordData,
}

/// A record set's type and values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordData {
    /// A: IPv4 addresses.
    A(Vec<Ipv4Addr>),
    /// AAAA: IPv6 addresses, kept as text (IPv6 flows are not modelled).
    Aaaa(Vec<String>),
    /// CNAME: the canonical name, lowercase, without the final dot.
    Cname(String),
    /// TXT: the strings.
    Txt(Vec<String>),
    /// Alias A: the target's DNS name (a load balancer's or an endpoint's), lowercase.
    Alias(String),
}

impl RecordData {
    /// The record type as Route 53 spells it.
    pub fn type_name(&self) -> &'static str {
        match self {
            RecordData::A(_) | RecordData::Alias(_) => "A",
            RecordData::Aaaa(_) => "AAAA",
            RecordData::Cname(_) => "CNAME",
            RecordData::Txt(_) => "TXT",
        }
    }
}

/// The name servers Route 53 gives every private hosted zone (its apex NS record).
pub const PRIVATE_NAME_SERVERS: [&str; 4] =
    ["ns-1536.awsdns-00.co.uk", "ns-0.awsdns-00.com", "ns-1024.awsdns-00.org", "ns-512.awsdns-00.net"];

impl HostedZone {
    /// The SOA record's value Route 53 makes for a private zone, as dig prints it.
    pub fn soa(&self) -> String {
        format!("{}. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400", PRIVATE_NAME_SERVERS[0])
    }

    /// Whether the zone is private (associated with at least one VPC).
    pub fn is_private(&self) -> bool {
        !self.vpcs.is_empty()
    }

    /// Whether `name` (lowercase, no final dot) is the zone's domain or under it.
    pub fn contains(&self, name: &str) -> bool {
        name == self.name || name.strip_suffix(self.name.as_str()).is_some_and(|rest| rest.ends_with('.'))
    }

    /// The record sets owned by `name`.
    pub fn records_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a RecordSet> + 'a {
        self.records.iter().filter(move |r| r.name == name)
    }
}

/// A DNS name as Route 53 stores it: lowercase, without the final dot.
pub fn normalize(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}
