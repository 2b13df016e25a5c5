//! DHCP option sets (Z2): what a VPC's DHCP server tells its instances. The domain name
//! is the search suffix of short names; the DNS servers are AmazonProvidedDNS (the VPC
//! resolver of D1, the default) or addresses that instances then send their DNS queries
//! to like any other traffic. NTP and NetBIOS options are kept for describe calls and
//! change nothing in the simulation.

use std::net::Ipv4Addr;

use crate::model::Tags;

/// A DHCP option set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DhcpOptions {
    /// `dopt-...`.
    pub aws_id: String,
    /// `domain-name`: the search suffixes, in order (AWS takes several, separated by spaces).
    pub domain_names: Vec<String>,
    /// `domain-name-servers`, in order (at most four).
    pub name_servers: Vec<NameServer>,
    /// The other options (`ntp-servers`, `netbios-name-servers`, `netbios-node-type`,
    /// `ipv6-address-preferred-lease-time`), by key as given: listed, never used.
    pub others: Vec<(String, Vec<String>)>,
    /// Tags.
    pub tags: Tags,
    /// Whether it was deleted.
    pub deleted: bool,
}

/// One entry of `domain-name-servers`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameServer {
    /// `AmazonProvidedDNS`: the VPC resolver (D1).
    AmazonProvided,
    /// Any other server, reached by a flow like any other (Z2).
    Address(Ipv4Addr),
}

impl NameServer {
    /// Reads one entry as AWS spells it: `AmazonProvidedDNS` or an IPv4 address.
    pub fn parse(text: &str) -> Option<NameServer> {
        if text == "AmazonProvidedDNS" {
            return Some(NameServer::AmazonProvided);
        }
        text.parse().ok().map(NameServer::Address)
    }
}

impl std::fmt::Display for NameServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NameServer::AmazonProvided => f.write_str("AmazonProvidedDNS"),
            NameServer::Address(a) => write!(f, "{a}"),
        }
    }
}

/// The option keys AWS takes, in the order describe-dhcp-options lists them.
pub const KEYS: [&str; 6] = [
    "domain-name",
    "domain-name-servers",
    "ntp-servers",
    "netbios-name-servers",
    "netbios-node-type",
    "ipv6-address-preferred-lease-time",
];

impl DhcpOptions {
    /// The configurations as describe-dhcp-options lists them: key and values, in [`KEYS`] order.
    pub fn configurations(&self) -> Vec<(String, Vec<String>)> {
        let mut out = Vec::new();
        if !self.domain_names.is_empty() {
            out.push(("domain-name".to_string(), vec![self.domain_names.join(" ")]));
        }
        if !self.name_servers.is_empty() {
            let servers = self.name_servers.iter().map(ToString::to_string).collect();
            out.push(("domain-name-servers".to_string(), servers));
        }
        for key in &KEYS[2..] {
            out.extend(self.others.iter().filter(|(k, _)| k == key).cloned());
        }
        out
    }

    /// Z2: the server an instance sends its queries to: the first of `domain-name-servers`
    /// (the resolver library tries the next ones only when it times out); none without servers.
    pub fn first_server(&self) -> Option<NameServer> {
        self.name_servers.first().copied()
    }
}
