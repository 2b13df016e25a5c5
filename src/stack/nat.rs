//! `AWS::EC2::NatGateway` (G1, G3): a NAT gateway in a subnet, public with an Elastic
//! IP (AllocationId) or private; creation waits until it is available, as
//! CloudFormation does, so the virtual clock moves on by its provisioning time.

use std::time::Duration;

use super::props::bad;
use super::{api, created, s, Props, StackBuilder};
use crate::cfn::{Created, SinkError};
use crate::model::nat_gateway::{Connectivity, PROVISION_SECONDS};
use crate::ops::nat::CreateNatGateway;

impl StackBuilder<'_> {
    /// AWS::EC2::NatGateway: SubnetId, ConnectivityType, AllocationId, PrivateIpAddress, Tags.
    pub(super) fn nat_gateway(&mut self, p: Props<'_>) -> Result<Created, SinkError> {
        const OP: &str = "CreateNatGateway";
        for unmodelled in
            ["SecondaryAllocationIds", "SecondaryPrivateIpAddresses", "SecondaryPrivateIpAddressCount"]
        {
            if p.get(unmodelled).is_some() {
                return Err(bad(unmodelled, "vpcsim gives a NAT gateway one address; remove this property"));
            }
        }
        let connectivity = match p.opt_str("ConnectivityType")?.as_deref() {
            None | Some("public") => Connectivity::Public,
            Some("private") => Connectivity::Private,
            Some(other) => return Err(bad("ConnectivityType", format!("{other} is not public or private"))),
        };
        let subnet = self.world.subnet_id(OP, &p.str("SubnetId")?).map_err(|e| api(e, Some("SubnetId")))?;
        let allocation = match p.opt_str("AllocationId")? {
            Some(id) => Some(self.world.eip_id(OP, &id).map_err(|e| api(e, Some("AllocationId")))?),
            None => None,
        };
        let req = CreateNatGateway {
            subnet,
            connectivity,
            allocation,
            private_ip: p.opt_ip("PrivateIpAddress")?,
            tags: p.tags()?,
        };
        let nat = self.world.create_nat_gateway(req).map_err(|e| api(e, None))?;
        self.world.advance(Duration::from_secs(PROVISION_SECONDS));
        Ok(created(&self.world[nat].aws_id, &[("NatGatewayId", s(&self.world[nat].aws_id))]))
    }
}
