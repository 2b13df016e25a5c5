//! VPCs: a primary CIDR block and secondary IPv4 associations (A1), DNS attributes
//! (D1, D2) and the defaults every VPC owns (main route table, default security group,
//! default network ACL).

use crate::addr::Cidr;
use crate::ids::{DhcpOptionsId, NaclId, RouteTableId, SgId};
use crate::model::Tags;

/// A VPC.
#[derive(Clone, Debug)]
pub struct Vpc {
    /// `vpc-...`.
    pub aws_id: String,
    /// The primary IPv4 block (A1).
    pub cidr: Cidr,
    /// A1: secondary IPv4 blocks, in association order (associated at once).
    pub secondary_cidrs: Vec<CidrAssociation>,
    /// A8: its Amazon-provided IPv6 block (one /56 at most), kept and described, never walked.
    pub ipv6_cidrs: Vec<crate::model::ipv6::Ipv6Association>,
    /// D1: the Amazon resolver answers inside the VPC (default true).
    pub dns_support: bool,
    /// D2: instances get public DNS names (default false outside default VPCs).
    pub dns_hostnames: bool,
    /// R1: the table of subnets without an explicit association.
    pub main_route_table: RouteTableId,
    /// S4: the default security group.
    pub default_sg: SgId,
    /// N2: the default network ACL.
    pub default_nacl: NaclId,
    /// Z2: the DHCP option set its instances get; `None` after `associate-dhcp-options default`.
    pub dhcp_options: Option<DhcpOptionsId>,
    /// Tags.
    pub tags: Tags,
    /// Whether it was deleted.
    pub deleted: bool,
}

/// A1: one secondary IPv4 block associated with a VPC (`associate-vpc-cidr-block`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CidrAssociation {
    /// `vpc-cidr-assoc-...`.
    pub association_id: String,
    /// The block.
    pub cidr: Cidr,
}

impl Vpc {
    /// A1: every associated IPv4 block, the primary first.
    pub fn cidrs(&self) -> impl Iterator<Item = Cidr> + '_ {
        std::iter::once(self.cidr).chain(self.secondary_cidrs.iter().map(|a| a.cidr))
    }

    /// A1: whether `addr` lies inside one of the VPC's blocks (primary or secondary).
    #[inline]
    pub fn contains(&self, addr: std::net::Ipv4Addr) -> bool {
        self.cidr.contains(addr) || self.secondary_cidrs.iter().any(|a| a.cidr.contains(addr))
    }

    /// A1: the associated block that wholly holds `cidr`, if any.
    pub fn block_covering(&self, cidr: Cidr) -> Option<Cidr> {
        self.cidrs().find(|b| b.covers(cidr))
    }

    /// D1: the resolver's address, the VPC's base address + 2.
    pub fn resolver_addr(&self) -> std::net::Ipv4Addr {
        self.cidr.nth(2)
    }
}
