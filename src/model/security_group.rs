//! Security groups: allow-only rules (S1), naming a protocol, ports and a peer
//! (S5). Evaluation across an interface's groups lives in the packet walk, which
//! knows group membership; this module matches one rule.

use std::net::Ipv4Addr;

use crate::addr::{Cidr, PortRange, Protocol, RuleProtocol};
use crate::ids::{SgId, VpcId};
use crate::model::Tags;

/// Who a rule allows (S5).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Peer {
    /// An IPv4 block.
    Cidr(Cidr),
    /// Members of a group: their private IPs only (I6).
    Group(SgId),
    /// A managed prefix list (kept; matches nothing offline).
    PrefixList(String),
}

/// One allow rule.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SgRule {
    /// `sgr-...`.
    pub rule_id: String,
    /// Protocol (`-1` for all).
    pub protocol: RuleProtocol,
    /// Ports (ICMP: types).
    pub ports: PortRange,
    /// The source (ingress) or destination (egress).
    pub peer: Peer,
    /// Description.
    pub description: Option<String>,
}

impl SgRule {
    /// Whether the rule's protocol and ports admit a packet (the peer is checked by the caller).
    #[inline]
    pub fn admits(&self, protocol: Protocol, port: u16) -> bool {
        self.protocol.matches(protocol) && (self.protocol == RuleProtocol::All || self.ports.contains(port))
    }

    /// Whether the rule's CIDR peer holds `addr` (false for group and prefix-list peers).
    #[inline]
    pub fn cidr_holds(&self, addr: Ipv4Addr) -> bool {
        matches!(self.peer, Peer::Cidr(c) if c.contains(addr))
    }

    /// Whether two rules allow the same thing (AWS refuses duplicates).
    pub fn same_permission(&self, other: &SgRule) -> bool {
        self.protocol == other.protocol && self.ports == other.ports && self.peer == other.peer
    }
}

/// A security group.
#[derive(Clone, Debug)]
pub struct SecurityGroup {
    /// `sg-...`.
    pub aws_id: String,
    /// GroupName.
    pub name: String,
    /// GroupDescription.
    pub description: String,
    /// Its VPC.
    pub vpc: VpcId,
    /// Inbound rules (S3: none for a new group).
    pub ingress: Vec<SgRule>,
    /// Outbound rules (S3: allow all for a new group).
    pub egress: Vec<SgRule>,
    /// Whether it is the VPC's default group (S4).
    pub is_default: bool,
    /// Tags.
    pub tags: Tags,
    /// Whether it was deleted.
    pub deleted: bool,
}
