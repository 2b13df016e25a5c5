//! `AWS::EC2::VPCPeeringConnection`: in one account and region, CloudFormation requests
//! the connection and it is active at once (V1). Another account or region, or a role of
//! another account to assume, is refused: vpcsim simulates one account in one region. A
//! role of this account is warned as changing nothing.

use crate::cfn::{Created, SinkError};
use crate::ops::ApiResult;

use super::props::{bad, bad_hint, Props};
use super::{api, created, s, StackBuilder};

impl StackBuilder<'_> {
    pub(super) fn peering_connection(&mut self, p: Props<'_>) -> Result<Created, SinkError> {
        const OP: &str = "CreateVpcPeeringConnection";
        if p.opt_str("PeerOwnerId")?.is_some_and(|o| o != self.world.account_id()) {
            return Err(bad_hint(
                "PeerOwnerId",
                "a peer VPC of another account is not modelled",
                "vpcsim simulates one account; leave PeerOwnerId out",
            ));
        }
        if p.opt_str("PeerRegion")?.is_some_and(|r| r != self.world.region().name) {
            return Err(bad_hint(
                "PeerRegion",
                "inter-region peering is not modelled",
                "vpcsim simulates one region; leave PeerRegion out",
            ));
        }
        if let Some(role) = p.opt_str("PeerRoleArn")? {
            let own = format!(":iam::{}:role/", self.world.account_id());
            if !(role.starts_with("arn:") && role.contains(&own)) {
                return Err(bad(
                    "PeerRoleArn",
                    "PeerRoleArn names a role of another account, whose VPCs vpcsim does not model",
                ));
            }
            self.warnings.push(crate::cfn::SinkWarning {
                property: "PeerRoleArn".into(),
                message: "AWS::EC2::VPCPeeringConnection property PeerRoleArn is accepted but does not change the simulation: the role is this account's, and a connection between its own VPCs is active at once (V1)".into(),
            });
        }
        let vpc = self.vpc_prop(&p, "VpcId", OP)?;
        let peer = self.vpc_prop(&p, "PeerVpcId", OP)?;
        let pcx = self
            .world
            .create_vpc_peering_connection(vpc, peer, p.tags()?)
            .map_err(|e| api(e, Some("PeerVpcId")))?;
        let pc = &self.world[pcx];
        if pc.state != crate::model::peering::PeeringState::PendingAcceptance {
            return Err(bad(
                "PeerVpcId",
                format!("the peering connection {} is {}: {}", pc.aws_id, pc.state.as_str(), pc.message),
            ));
        }
        self.world.accept_vpc_peering_connection(pcx).map_err(|e| api(e, Some("PeerVpcId")))?;
        let id = self.world[pcx].aws_id.clone();
        Ok(created(id.clone(), &[("Id", s(id))]))
    }

    fn vpc_prop(&self, p: &Props<'_>, key: &str, op: &str) -> Result<crate::ids::VpcId, SinkError> {
        let id = p.str(key)?;
        let found: ApiResult<_> = self.world.vpc_id(op, &id);
        found.map_err(|e| api(e, Some(key)))
    }
}
