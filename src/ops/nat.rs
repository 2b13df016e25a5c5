//! NAT gateways (G1-G4): CreateNatGateway, DeleteNatGateway and their states on the
//! virtual clock (pending, available after about a minute, deleting, deleted).

use std::net::Ipv4Addr;

use super::ApiResult;
use crate::error::ApiError;
use crate::ids::*;
use crate::model::eni::EniOwner;
use crate::model::nat_gateway::{Connectivity, NatGateway, NatState, DELETE_SECONDS, PROVISION_SECONDS};
use crate::model::Tags;
use crate::ops::ec2::CreateNetworkInterface;
use crate::world::{Handle, World};

/// Options of CreateNatGateway.
#[derive(Clone, Debug)]
pub struct CreateNatGateway {
    /// The subnet it lives in.
    pub subnet: SubnetId,
    /// Public (needs `allocation`) or private (must not have one).
    pub connectivity: Connectivity,
    /// The Elastic IP of a public NAT gateway (AllocationId).
    pub allocation: Option<EipId>,
    /// An explicit private address in the subnet (PrivateIpAddress).
    pub private_ip: Option<Ipv4Addr>,
    /// Tags.
    pub tags: Tags,
}

impl World {
    /// A NAT gateway by id (a deleted one is still found: describe shows it for a while, as AWS does).
    pub fn nat_gateway_id(&self, op: &str, id: &str) -> ApiResult<NatId> {
        self.lookup(op, id, "InvalidNatGatewayID.NotFound", |h| match h {
            Handle::NatGateway(x) => Some(x),
            _ => None,
        })
    }

    /// CreateNatGateway (G1, G3): an interface in the subnet, the Elastic IP on it when
    /// public, state pending until [`PROVISION_SECONDS`] have passed on the clock.
    pub fn create_nat_gateway(&mut self, req: CreateNatGateway) -> ApiResult<NatId> {
        const OP: &str = "CreateNatGateway";
        self.check_nat_request(OP, &req)?;
        self.transaction(|w| w.build_nat_gateway(OP, req))
    }

    fn build_nat_gateway(&mut self, op: &str, req: CreateNatGateway) -> ApiResult<NatId> {
        let id = NatId(self.nat_gateways.len() as u32);
        let aws_id = self.ids.aws_id("nat");
        let eni_req = CreateNetworkInterface {
            subnet: Some(req.subnet),
            private_ip: req.private_ip,
            description: format!("Interface for NAT Gateway {aws_id}"),
            ..CreateNetworkInterface::default()
        };
        let eni = self.new_eni(op, eni_req, EniOwner::NatGateway(id))?;
        self.enis.set_groups(eni, Vec::new());
        if let Some(eip) = req.allocation {
            let assoc = self.ids.aws_id("eipassoc");
            let private = self.enis[eni].private_ip;
            self.enis.associate(eni, private, eip, &mut self.eips, assoc);
        }
        let nat = NatGateway {
            aws_id,
            subnet: req.subnet,
            vpc: self.subnets[req.subnet].vpc,
            eni,
            connectivity: req.connectivity,
            eip: req.allocation,
            state: NatState::Pending,
            next_change_ms: Some(self.now_ms + PROVISION_SECONDS * 1000),
            created_ms: self.now_ms,
            tags: req.tags,
        };
        self.nat_gateways.insert(&mut self.by_aws_id, Handle::NatGateway, nat);
        Ok(id)
    }

    /// G1/G3: a public NAT gateway needs a free Elastic IP; a private one takes none.
    fn check_nat_request(&self, op: &str, req: &CreateNatGateway) -> ApiResult<()> {
        match (req.connectivity, req.allocation) {
            (Connectivity::Public, None) => Err(ApiError::new(
                op,
                "MissingParameter",
                "A public NAT gateway needs an Elastic IP: give --allocation-id (or --connectivity-type private).",
            )),
            (Connectivity::Private, Some(_)) => Err(ApiError::new(
                op,
                "InvalidParameterCombination",
                "A private NAT gateway takes no Elastic IP: remove --allocation-id.",
            )),
            (Connectivity::Public, Some(eip)) if self.eips[eip].eni.is_some() => Err(ApiError::new(
                op,
                "Resource.AlreadyAssociated",
                format!("Elastic IP address [{}] is already associated.", self.eips[eip].allocation_id),
            )),
            _ => Ok(()),
        }
    }

    /// DeleteNatGateway (G4): deleting now, deleted after [`DELETE_SECONDS`]; its interface
    /// goes and its Elastic IP is free again; routes to it become blackholes (R5).
    pub fn delete_nat_gateway(&mut self, nat: NatId) -> ApiResult<()> {
        let n = &self.nat_gateways[nat];
        if n.is_gone() {
            return Err(ApiError::new(
                "DeleteNatGateway",
                "InvalidNatGatewayID.NotFound",
                format!("The Nat Gateway {} was not found", n.aws_id),
            ));
        }
        let eni = n.eni;
        self.remove_eni(eni);
        let n = &mut self.nat_gateways[nat];
        n.state = NatState::Deleting;
        n.next_change_ms = Some(self.now_ms + DELETE_SECONDS * 1000);
        Ok(())
    }

    /// The clock's next NAT gateway change (G1), if any: when and which.
    pub(crate) fn next_nat_change(&self) -> Option<(u64, NatId)> {
        self.nat_gateways.iter().filter_map(|(id, n)| n.next_change_ms.map(|at| (at, id))).min()
    }

    /// G1: pending becomes available; deleting becomes deleted.
    pub(crate) fn advance_nat_gateway(&mut self, nat: NatId) {
        let n = &mut self.nat_gateways[nat];
        n.next_change_ms = None;
        n.state = match n.state {
            NatState::Pending => NatState::Available,
            NatState::Deleting => NatState::Deleted,
            other => other,
        };
    }
}
