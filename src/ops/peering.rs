//! VPC peering connections (V1-V5): request, accept, reject, delete, and each side's
//! DNS option. One account and one region: the caller owns both VPCs, so it may
//! accept its own request (CloudFormation does so at once, V1).

use super::ApiResult;
use crate::error::ApiError;
use crate::ids::*;
use crate::model::peering::{PeeringOptions, PeeringState, VpcPeeringConnection};
use crate::model::Tags;
use crate::world::{Handle, World};

/// V1: AWS's status message for a request between VPCs whose CIDRs overlap.
pub const OVERLAP_MESSAGE: &str = "Failed due to incorrect VPC-ID, Account ID, or overlapping CIDR range";

/// Which side's options modify-vpc-peering-connection-options changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeeringSide {
    /// `--requester-peering-connection-options`.
    Requester,
    /// `--accepter-peering-connection-options`.
    Accepter,
}

impl World {
    /// A VPC peering connection by id (deleted ones included, as describe lists them).
    pub fn peering_id(&self, op: &str, id: &str) -> ApiResult<PeeringId> {
        self.lookup(op, id, "InvalidVpcPeeringConnectionID.NotFound", |h| match h {
            Handle::Peering(x) => Some(x),
            _ => None,
        })
    }

    /// V2/V3: the active peering connection between two VPCs, if any.
    pub fn active_peering(&self, a: VpcId, b: VpcId) -> Option<PeeringId> {
        self.peerings.live().find(|(_, p)| p.is_active() && p.peer_of(a) == Some(b)).map(|(id, _)| id)
    }

    /// CreateVpcPeeringConnection: a request from `vpc` to `peer`; V1: overlapping CIDRs
    /// give a connection in state `failed` with AWS's message (the call itself succeeds).
    pub fn create_vpc_peering_connection(
        &mut self,
        vpc: VpcId,
        peer: VpcId,
        tags: Tags,
    ) -> ApiResult<PeeringId> {
        const OP: &str = "CreateVpcPeeringConnection";
        if vpc == peer {
            return Err(ApiError::new(
                OP,
                "InvalidParameterValue",
                format!("The requester VPC and the peer VPC are the same: {}", self.vpcs[vpc].aws_id),
            ));
        }
        let open = self.peerings.live().find(|(_, p)| {
            p.peer_of(vpc) == Some(peer)
                && matches!(p.state, PeeringState::Active | PeeringState::PendingAcceptance)
        });
        if let Some((_, p)) = open {
            return Err(ApiError::new(
                OP,
                "VpcPeeringConnectionAlreadyExists",
                format!(
                    "A VPC peering connection between {} and {} already exists: {}",
                    self.vpcs[vpc].aws_id, self.vpcs[peer].aws_id, p.aws_id
                ),
            ));
        }
        let overlap = self.vpcs[vpc].cidrs().any(|a| self.vpcs[peer].cidrs().any(|b| a.overlaps(b)));
        let (state, message) = if overlap {
            (PeeringState::Failed, OVERLAP_MESSAGE.to_string())
        } else {
            (PeeringState::PendingAcceptance, format!("Pending Acceptance by {}", self.account_id))
        };
        let aws_id = self.ids.aws_id("pcx");
        let id = self.peerings.insert(
            &mut self.by_aws_id,
            Handle::Peering,
            VpcPeeringConnection {
                aws_id,
                requester: vpc,
                accepter: peer,
                state,
                message,
                requester_options: PeeringOptions::default(),
                accepter_options: PeeringOptions::default(),
                tags,
            },
        );
        Ok(id)
    }

    /// AcceptVpcPeeringConnection: pending-acceptance to active (V1).
    pub fn accept_vpc_peering_connection(&mut self, pcx: PeeringId) -> ApiResult<()> {
        self.transition(
            pcx,
            "AcceptVpcPeeringConnection",
            PeeringState::Active,
            &[PeeringState::PendingAcceptance],
        )
    }

    /// RejectVpcPeeringConnection: pending-acceptance to rejected (V1).
    pub fn reject_vpc_peering_connection(&mut self, pcx: PeeringId) -> ApiResult<()> {
        self.transition(
            pcx,
            "RejectVpcPeeringConnection",
            PeeringState::Rejected,
            &[PeeringState::PendingAcceptance],
        )
    }

    /// DeleteVpcPeeringConnection: either side ends an active or pending connection; V5:
    /// the routes that name it stay, as blackholes.
    pub fn delete_vpc_peering_connection(&mut self, pcx: PeeringId) -> ApiResult<()> {
        self.transition(
            pcx,
            "DeleteVpcPeeringConnection",
            PeeringState::Deleted,
            &[PeeringState::Active, PeeringState::PendingAcceptance],
        )
    }

    fn transition(
        &mut self,
        pcx: PeeringId,
        op: &str,
        to: PeeringState,
        from: &[PeeringState],
    ) -> ApiResult<()> {
        let p = &self.peerings[pcx];
        if !from.contains(&p.state) {
            return Err(ApiError::new(
                op,
                "InvalidStateTransition",
                format!(
                    "Invalid state transition for {}, attempted to transition from {} to {}",
                    p.aws_id,
                    p.state.as_str(),
                    to.as_str()
                ),
            ));
        }
        let message = match to {
            PeeringState::Active => "Active".to_string(),
            PeeringState::Rejected => format!("Rejected by {}", self.account_id),
            _ => format!("Deleted by {}", self.account_id),
        };
        let p = &mut self.peerings[pcx];
        p.state = to;
        p.message = message;
        Ok(())
    }

    /// ModifyVpcPeeringConnectionOptions: AllowDnsResolutionFromRemoteVpc of one side (V4);
    /// only an active connection can be changed.
    pub fn modify_vpc_peering_connection_options(
        &mut self,
        pcx: PeeringId,
        side: PeeringSide,
        options: PeeringOptions,
    ) -> ApiResult<()> {
        const OP: &str = "ModifyVpcPeeringConnectionOptions";
        let p = &self.peerings[pcx];
        if !p.is_active() {
            return Err(ApiError::new(
                OP,
                "OperationNotPermitted",
                format!(
                    "Peering connection {} is {}; its options can be changed only while it is active",
                    p.aws_id,
                    p.state.as_str()
                ),
            ));
        }
        let p = &mut self.peerings[pcx];
        match side {
            PeeringSide::Requester => p.requester_options = options,
            PeeringSide::Accepter => p.accepter_options = options,
        }
        Ok(())
    }
}

impl World {
    /// V2: a route in `vpc`'s table may name a connection of which `vpc` is one side and
    /// that is not over (a pending one gives a blackhole until it is accepted).
    pub(crate) fn peering_route_target(&self, op: &str, vpc: VpcId, id: &str) -> ApiResult<PeeringId> {
        let pcx = self.peering_id(op, id)?;
        let p = &self.peerings[pcx];
        if p.state.is_final() {
            return Err(ApiError::new(
                op,
                "InvalidVpcPeeringConnectionID.NotFound",
                format!("The vpcPeeringConnection ID '{id}' does not exist ({})", p.state.as_str()),
            ));
        }
        if p.peer_of(vpc).is_none() {
            return Err(ApiError::new(
                op,
                "InvalidParameterValue",
                format!(
                    "route table of {} and peering connection {id} belong to different networks: {id} joins {} and {}",
                    self.vpcs[vpc].aws_id, self.vpcs[p.requester].aws_id, self.vpcs[p.accepter].aws_id
                ),
            ));
        }
        Ok(pcx)
    }
}
