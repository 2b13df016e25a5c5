//! VPCs: a CIDR block, DNS attributes (D1, D2) and the defaults every VPC owns
//! (main route table, default security group, default network ACL).

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

impl Vpc {
    /// D1: the resolver's address, the VPC's base address + 2.
    pub fn resolver_addr(&self) -> std::net::Ipv4Addr {
        self.cidr.nth(2)
    }
}
