//! VPC peering connections (V1-V5): two VPCs of the region joined privately, with
//! the connection's state and the DNS option of each side. Routes name a connection
//! as their target ([`crate::model::route_table::RouteTarget::Pcx`]); the packet walk
//! crosses it only while it is active and only to an address of the other VPC (V2).

use crate::ids::VpcId;
use crate::model::Tags;

/// V1: the state of a peering connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeeringState {
    /// The request is being made.
    InitiatingRequest,
    /// Waiting for the accepter VPC's owner.
    PendingAcceptance,
    /// Carries traffic.
    Active,
    /// Refused by the accepter.
    Rejected,
    /// Deleted by either side (V5: its routes become blackholes).
    Deleted,
    /// The request could not be made (overlapping CIDRs).
    Failed,
    /// Not accepted in time.
    Expired,
}

impl PeeringState {
    /// The API's spelling (`pending-acceptance`).
    pub fn as_str(self) -> &'static str {
        match self {
            PeeringState::InitiatingRequest => "initiating-request",
            PeeringState::PendingAcceptance => "pending-acceptance",
            PeeringState::Active => "active",
            PeeringState::Rejected => "rejected",
            PeeringState::Deleted => "deleted",
            PeeringState::Failed => "failed",
            PeeringState::Expired => "expired",
        }
    }

    /// Whether the connection is over (it can no longer be accepted, used or deleted).
    pub fn is_final(self) -> bool {
        matches!(
            self,
            PeeringState::Rejected | PeeringState::Deleted | PeeringState::Failed | PeeringState::Expired
        )
    }
}

/// One side's options (V4).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PeeringOptions {
    /// AllowDnsResolutionFromRemoteVpc: this side's public instance names answer their
    /// private IPs when asked from the other side's VPC.
    pub allow_dns_resolution_from_remote_vpc: bool,
}

/// A VPC peering connection.
#[derive(Clone, Debug)]
pub struct VpcPeeringConnection {
    /// `pcx-...`.
    pub aws_id: String,
    /// The VPC that asked.
    pub requester: VpcId,
    /// The VPC that accepts.
    pub accepter: VpcId,
    /// Its state.
    pub state: PeeringState,
    /// The status message AWS gives with the state.
    pub message: String,
    /// The requester side's options.
    pub requester_options: PeeringOptions,
    /// The accepter side's options.
    pub accepter_options: PeeringOptions,
    /// Tags.
    pub tags: Tags,
}

impl VpcPeeringConnection {
    /// V2: the VPC on the other side from `vpc`, if `vpc` is one side.
    #[inline]
    pub fn peer_of(&self, vpc: VpcId) -> Option<VpcId> {
        if vpc == self.requester {
            Some(self.accepter)
        } else if vpc == self.accepter {
            Some(self.requester)
        } else {
            None
        }
    }

    /// Whether it carries traffic now.
    #[inline]
    pub fn is_active(&self) -> bool {
        self.state == PeeringState::Active
    }

    /// The options of the side that is `vpc`.
    pub fn options_of(&self, vpc: VpcId) -> PeeringOptions {
        if vpc == self.requester {
            self.requester_options
        } else {
            self.accepter_options
        }
    }
}
