//! Dual-stack state, kept and described but never walked (A8): a VPC's Amazon-provided
//! IPv6 block, a subnet's /64, IPv6 routes, IPv6 network ACL entries and security group
//! rules with an IPv6 peer. vpcsim simulates IPv4 flows only, so these live beside the
//! IPv4 lookup structures ([`crate::model::route_table::Routes`], the NACL entry lists,
//! [`crate::model::security_group::SgRules`]), never inside them: the packet walk and
//! the reachability matrix do not see them and pay nothing for them.

use ipnet::Ipv6Net;

use crate::addr::{PortRange, RuleProtocol};
use crate::ids::EigwId;
use crate::model::nacl::{Action, IcmpTypeCode};
use crate::model::route_table::RouteTarget;

/// A8: the IPv6 block every address of the internet lies in (`::/0`).
pub const ANY: Ipv6Net = Ipv6Net::new_assert(std::net::Ipv6Addr::UNSPECIFIED, 0);

/// A8: one IPv6 block associated with a VPC or a subnet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ipv6Association {
    /// `vpc-cidr-assoc-...` or `subnet-cidr-assoc-...`.
    pub association_id: String,
    /// The block: a /56 for a VPC, a /64 for a subnet (host bits cleared).
    pub cidr: Ipv6Net,
}

/// Where an IPv6 route sends traffic (R4, A8): what an IPv4 route may name, or an
/// egress-only internet gateway, which only IPv6 routes may name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ipv6Target {
    /// A target an IPv4 route could name too (local, an internet gateway, an interface, ...).
    Route(RouteTarget),
    /// An egress-only internet gateway.
    EgressOnly(EigwId),
}

/// One IPv6 route of a table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ipv6Route {
    /// Destination block.
    pub destination: Ipv6Net,
    /// Target.
    pub target: Ipv6Target,
    /// Whether it is the VPC block's implicit local route (R2) rather than a CreateRoute's.
    pub local: bool,
}

/// One numbered IPv6 entry of a network ACL (N1-N4 as for IPv4; never evaluated).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ipv6AclEntry {
    /// Rule number 1-32766, shared with the IPv4 entries of the same direction.
    pub number: u16,
    /// Protocol.
    pub protocol: RuleProtocol,
    /// Ports (TCP and UDP entries).
    pub ports: PortRange,
    /// ICMP type and code (ICMPv6 entries).
    pub icmp: IcmpTypeCode,
    /// The block.
    pub cidr: Ipv6Net,
    /// Allow or deny.
    pub action: Action,
}

/// One security group rule with an IPv6 block as its peer (`CidrIpv6`; never evaluated).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ipv6Rule {
    /// `sgr-...`.
    pub rule_id: String,
    /// Protocol (`-1` for all).
    pub protocol: RuleProtocol,
    /// Ports.
    pub ports: PortRange,
    /// The block.
    pub cidr: Ipv6Net,
    /// Description.
    pub description: Option<String>,
}

impl Ipv6Rule {
    /// Whether two rules allow the same thing (AWS refuses duplicates).
    pub fn same_permission(&self, other: &Ipv6Rule) -> bool {
        self.protocol == other.protocol && self.ports == other.ports && self.cidr == other.cidr
    }
}

/// Parses an IPv6 block and clears its host bits, as AWS stores it.
pub fn parse(text: &str) -> Option<Ipv6Net> {
    text.trim().parse::<Ipv6Net>().ok().map(|n| n.trunc())
}
