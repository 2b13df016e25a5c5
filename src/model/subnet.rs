//! Subnets: a block inside a VPC in one AZ, its reserved addresses (A2), its route
//! table and NACL associations (R1, N1), and the deterministic address allocator.

use std::net::Ipv4Addr;

use crate::addr::Cidr;
use crate::ids::{NaclId, RouteTableId, VpcId};
use crate::model::Tags;

/// A subnet.
#[derive(Clone, Debug)]
pub struct Subnet {
    /// `subnet-...`.
    pub aws_id: String,
    /// Its VPC.
    pub vpc: VpcId,
    /// Its block, inside the VPC's (A1).
    pub cidr: Cidr,
    /// Its availability zone.
    pub az: &'static str,
    /// A8: its IPv6 /64, inside its VPC's /56; kept and described, never walked.
    pub ipv6_cidr: Option<crate::model::ipv6::Ipv6Association>,
    /// A8: `AssignIpv6AddressOnCreation`, kept and described (no interface gets an IPv6 address).
    pub assign_ipv6_on_creation: bool,
    /// Instances launched here get a public IP unless told otherwise.
    pub map_public_ip_on_launch: bool,
    /// R1: an explicit route table association, if any.
    pub route_table: Option<RouteTableId>,
    /// The association id of the explicit route table association.
    pub route_table_association_id: Option<String>,
    /// N1: the subnet's network ACL.
    pub nacl: NaclId,
    /// The next offset the allocator tries.
    pub next_offset: u32,
    /// Tags.
    pub tags: Tags,
    /// Whether it was deleted.
    pub deleted: bool,
}

/// Why an address is reserved in a subnet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reserved {
    /// .0
    Network,
    /// .1
    Router,
    /// .2
    Dns,
    /// .3
    Future,
    /// The last address.
    Broadcast,
}

impl Reserved {
    /// What AWS uses it for.
    pub fn describe(self) -> &'static str {
        match self {
            Reserved::Network => "the network address",
            Reserved::Router => "the VPC router",
            Reserved::Dns => "the Amazon DNS server",
            Reserved::Future => "reserved by AWS for future use",
            Reserved::Broadcast => "the broadcast address",
        }
    }
}

impl Subnet {
    /// A2: whether `addr` is one of the five addresses AWS reserves, and which.
    pub fn reserved(&self, addr: Ipv4Addr) -> Option<Reserved> {
        let offset = u32::from(addr).wrapping_sub(self.cidr.base());
        match offset {
            0 => Some(Reserved::Network),
            1 => Some(Reserved::Router),
            2 => Some(Reserved::Dns),
            3 => Some(Reserved::Future),
            _ if addr == self.cidr.last() => Some(Reserved::Broadcast),
            _ => None,
        }
    }

    /// How many addresses instances may use: the size less the five reserved (A2).
    pub fn usable(&self) -> u64 {
        self.cidr.size().saturating_sub(5)
    }
}
