//! NAT gateways (G1-G4): one subnet, one interface holding a private address of that
//! subnet, an Elastic IP when public, and a state on the virtual clock. The
//! translation itself is applied by the packet walk; this type says where the
//! gateway is, what it translates to and whether it is up.

use crate::ids::{EipId, EniId, SubnetId, VpcId};
use crate::model::Tags;

/// G1: seconds from creation until a NAT gateway is available (AWS: about a minute).
pub const PROVISION_SECONDS: u64 = 60;

/// G4: seconds from deletion until a NAT gateway is deleted.
pub const DELETE_SECONDS: u64 = 60;

/// The lowest source port a NAT gateway translates to (G1, N3: 1024-65535).
pub const FIRST_PORT: u16 = 1024;

/// Keys the flow hash a NAT gateway picks its port with, apart from the load balancers' (G1).
pub const PORT_HASH_SALT: u64 = 0x6e61_745f_706f_7274;

/// A NAT gateway's state (G1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NatState {
    /// Being created: routes to it are accepted, traffic is not translated yet.
    Pending,
    /// Translating.
    Available,
    /// Being deleted: routes to it are blackholes (R5).
    Deleting,
    /// Gone: routes to it are blackholes (R5).
    Deleted,
}

impl NatState {
    /// The EC2 API name.
    pub fn as_str(self) -> &'static str {
        match self {
            NatState::Pending => "pending",
            NatState::Available => "available",
            NatState::Deleting => "deleting",
            NatState::Deleted => "deleted",
        }
    }
}

/// Public (with an Elastic IP, to the internet) or private (G3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Connectivity {
    /// G1: translates to its private IP, which the internet gateway maps to the Elastic IP.
    Public,
    /// G3: no Elastic IP; what it sends to an internet gateway is dropped.
    Private,
}

impl Connectivity {
    /// The EC2 API name.
    pub fn as_str(self) -> &'static str {
        match self {
            Connectivity::Public => "public",
            Connectivity::Private => "private",
        }
    }
}

/// A NAT gateway.
#[derive(Clone, Debug)]
pub struct NatGateway {
    /// `nat-...`.
    pub aws_id: String,
    /// Its subnet.
    pub subnet: SubnetId,
    /// Its VPC (the subnet's).
    pub vpc: VpcId,
    /// Its interface (requester-managed, no security groups: G4).
    pub eni: EniId,
    /// Public or private.
    pub connectivity: Connectivity,
    /// The Elastic IP of a public NAT gateway.
    pub eip: Option<EipId>,
    /// State.
    pub state: NatState,
    /// When the clock moves it on (to available, or to deleted), in virtual milliseconds.
    pub next_change_ms: Option<u64>,
    /// Virtual time of creation, in milliseconds.
    pub created_ms: u64,
    /// Tags.
    pub tags: Tags,
}

impl NatGateway {
    /// G1: whether it translates traffic now.
    pub fn is_available(&self) -> bool {
        self.state == NatState::Available
    }

    /// R5: whether routes to it are blackholes.
    pub fn is_gone(&self) -> bool {
        matches!(self.state, NatState::Deleting | NatState::Deleted)
    }
}

/// G1: the source port a NAT gateway gives a flow, from `hash` of the flow (1024-65535).
pub fn translated_port(hash: u64) -> u16 {
    let span = u64::from(u16::MAX - FIRST_PORT) + 1;
    FIRST_PORT + (hash % span) as u16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn translated_ports_lie_in_1024_to_65535_n3() {
        for h in [0, 1, 64511, 64512, u64::MAX, 0x9e37_79b9_7f4a_7c15] {
            assert!(translated_port(h) >= 1024, "{h}");
        }
        assert_eq!(translated_port(0), 1024);
        assert_eq!(translated_port(64511), 65535);
        assert_eq!(translated_port(64512), 1024);
    }
}
