//! Network ACLs: numbered, stateless allow/deny rules evaluated at subnet
//! boundaries, lowest number first, with a final deny (N1-N4).

use std::net::Ipv4Addr;

use crate::addr::{Cidr, PortRange, Protocol, RuleProtocol};
use crate::ids::VpcId;
use crate::model::Tags;
use crate::trace::Direction;

/// Allow or deny.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// Let the packet pass.
    Allow,
    /// Drop it.
    Deny,
}

impl Action {
    /// `allow` or `deny`, as the API spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Allow => "allow",
            Action::Deny => "deny",
        }
    }
}

/// N4: the ICMP type and code an ICMP entry names; `None` is AWS's -1 (all).
///
/// vpcsim's ICMP packets carry their type in the header's destination port and have
/// code 0 (echo request 8, echo reply 0), so an entry for a code other than 0 matches none.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct IcmpTypeCode {
    /// The ICMP type, or all.
    pub icmp_type: Option<u8>,
    /// The ICMP code, or all.
    pub code: Option<u8>,
}

impl IcmpTypeCode {
    /// Every type and code (`Type=-1,Code=-1`).
    pub const ALL: IcmpTypeCode = IcmpTypeCode { icmp_type: None, code: None };

    /// Whether a packet of ICMP type `icmp_type` (code 0) matches.
    #[inline]
    pub fn matches(self, icmp_type: u16) -> bool {
        self.icmp_type.is_none_or(|t| u16::from(t) == icmp_type) && self.code.is_none_or(|c| c == 0)
    }
}

/// One numbered entry.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AclEntry {
    /// Rule number 1-32766; lowest wins.
    pub number: u16,
    /// Protocol.
    pub protocol: RuleProtocol,
    /// Ports (TCP and UDP entries).
    pub ports: PortRange,
    /// ICMP type and code (ICMP entries, N4).
    pub icmp: IcmpTypeCode,
    /// The block matched against the packet's source (ingress) or destination (egress).
    pub cidr: Cidr,
    /// Allow or deny.
    pub action: Action,
}

impl AclEntry {
    /// Whether the entry matches a packet whose remote address is `remote`; `port` is the
    /// destination port, or the type of an ICMP packet (N4).
    #[inline]
    pub fn matches(&self, protocol: Protocol, port: u16, remote: Ipv4Addr) -> bool {
        let detail = match self.protocol {
            RuleProtocol::All => true,
            RuleProtocol::One(Protocol::Icmp) => self.icmp.matches(port),
            RuleProtocol::One(_) => self.ports.contains(port),
        };
        self.protocol.matches(protocol) && detail && self.cidr.contains(remote)
    }
}

/// The result of evaluating a NACL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AclVerdict<'a> {
    /// A numbered entry decided.
    Entry(&'a AclEntry),
    /// No entry matched: the final `*` rule denies (N1).
    DefaultDeny,
}

/// A network ACL.
#[derive(Clone, Debug)]
pub struct NetworkAcl {
    /// `acl-...`.
    pub aws_id: String,
    /// Its VPC.
    pub vpc: VpcId,
    /// Whether it is the VPC's default NACL (N2: allows all).
    pub is_default: bool,
    /// Inbound entries, sorted by number.
    pub ingress: Vec<AclEntry>,
    /// Outbound entries, sorted by number.
    pub egress: Vec<AclEntry>,
    /// A8: IPv6 inbound entries, sorted by number, beside the IPv4 ones (never evaluated).
    pub ipv6_ingress: Vec<crate::model::ipv6::Ipv6AclEntry>,
    /// A8: IPv6 outbound entries, sorted by number (never evaluated).
    pub ipv6_egress: Vec<crate::model::ipv6::Ipv6AclEntry>,
    /// Tags.
    pub tags: Tags,
    /// Whether it was deleted.
    pub deleted: bool,
}

impl NetworkAcl {
    /// N1: the lowest-numbered entry that matches decides; none matching is a deny.
    pub fn evaluate(
        &self,
        direction: Direction,
        protocol: Protocol,
        port: u16,
        remote: Ipv4Addr,
    ) -> AclVerdict<'_> {
        let entries = match direction {
            Direction::Ingress => &self.ingress,
            Direction::Egress => &self.egress,
        };
        entries
            .iter()
            .find(|e| e.matches(protocol, port, remote))
            .map_or(AclVerdict::DefaultDeny, AclVerdict::Entry)
    }

    /// The entries of one direction, by rule number.
    pub fn entries(&self, direction: Direction) -> &[AclEntry] {
        match direction {
            Direction::Ingress => &self.ingress,
            Direction::Egress => &self.egress,
        }
    }

    /// The entries of one direction, to change.
    pub fn entries_mut(&mut self, direction: Direction) -> &mut Vec<AclEntry> {
        match direction {
            Direction::Ingress => &mut self.ingress,
            Direction::Egress => &mut self.egress,
        }
    }
}

/// N2: the rule 100 that the default NACL has in each direction: allow everything.
pub fn allow_all_entry() -> AclEntry {
    AclEntry {
        number: 100,
        protocol: RuleProtocol::All,
        ports: PortRange::ALL,
        icmp: IcmpTypeCode::ALL,
        cidr: Cidr::ANY,
        action: Action::Allow,
    }
}
