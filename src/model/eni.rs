//! Elastic network interfaces: the private address, the public mapping the IGW
//! uses (I1), the security groups evaluated there (S1, S6), the
//! source/destination check, for an instance's interface its attachment (M4), and its
//! secondary private addresses (M6), each with its own Elastic IP if one is associated.

use std::net::Ipv4Addr;

use crate::ids::{EipId, EndpointId, InstanceId, LbId, NatId, SgId, SubnetId, VpcId};
use crate::model::Tags;

/// What an interface belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EniOwner {
    /// An instance's interface.
    Instance(InstanceId),
    /// A load balancer node (one per subnet, L1).
    LoadBalancer(LbId),
    /// An interface endpoint's requester-managed interface (P4).
    Endpoint(EndpointId),
    /// A NAT gateway's interface (G1).
    NatGateway(NatId),
    /// A standalone interface not attached to anything.
    Detached,
}

/// M4: how an interface is attached to its instance (`eni-attach-...`, device index).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    /// `eni-attach-...`.
    pub id: String,
    /// The position in the instance's interfaces: 0 for the primary (`eth0`), then 1, 2, ...
    pub device_index: u32,
    /// Whether the interface is deleted with its instance (else it is detached, and stays).
    pub delete_on_termination: bool,
}

/// A network interface.
#[derive(Clone, Debug)]
pub struct NetworkInterface {
    /// `eni-...`.
    pub aws_id: String,
    /// Its subnet.
    pub subnet: SubnetId,
    /// Its VPC (the subnet's).
    pub vpc: VpcId,
    /// Primary private IPv4 address.
    pub private_ip: Ipv4Addr,
    /// M6: secondary private IPv4 addresses, in the order they were assigned.
    pub secondary_ips: Vec<SecondaryIp>,
    /// Auto-assigned public IPv4 address, if any.
    pub public_ip: Option<Ipv4Addr>,
    /// Whether it was given an automatic public IP (I7: it gets a new one when an Elastic IP leaves it).
    pub auto_public_ip: bool,
    /// An Elastic IP associated with the primary address, which takes precedence over the
    /// auto-assigned address.
    pub eip: Option<EipId>,
    /// Security groups (1 to 16, S1).
    pub groups: Vec<SgId>,
    /// Drop packets not addressed to or from this interface.
    pub source_dest_check: bool,
    /// What owns it.
    pub owner: EniOwner,
    /// M4: its attachment, when its owner is an instance.
    pub attachment: Option<Attachment>,
    /// The description AWS gives it.
    pub description: String,
    /// Tags.
    pub tags: Tags,
    /// Whether it was deleted.
    pub deleted: bool,
}

/// M6: a secondary private address of an interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SecondaryIp {
    /// The address, in the interface's subnet.
    pub ip: Ipv4Addr,
    /// The Elastic IP associated with this address (I1: the gateway maps it here).
    pub eip: Option<EipId>,
}

impl NetworkInterface {
    /// M5, M6: whether `ip` is one of the interface's private addresses (primary or secondary).
    #[inline]
    pub fn holds(&self, ip: Ipv4Addr) -> bool {
        self.private_ip == ip || self.secondary_ips.iter().any(|s| s.ip == ip)
    }

    /// Its private addresses: the primary first, then the secondary ones in order.
    pub fn private_ips(&self) -> impl Iterator<Item = Ipv4Addr> + '_ {
        std::iter::once(self.private_ip).chain(self.secondary_ips.iter().map(|s| s.ip))
    }

    /// The secondary address `ip`, if the interface has it.
    pub fn secondary(&self, ip: Ipv4Addr) -> Option<&SecondaryIp> {
        self.secondary_ips.iter().find(|s| s.ip == ip)
    }
}
