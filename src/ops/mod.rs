//! Control-plane calls, named after the AWS API (`create_vpc_endpoint`,
//! `accept_vpc_endpoint_connections`, ...). Each checks its input the way AWS does and
//! returns the AWS error code on misuse ([`crate::error::ApiError`]); a call that fails
//! changes nothing.

pub mod account;
pub mod attachment;
pub mod autoscaling;
pub mod clock;
pub mod connection_notification;
pub mod dhcp;
pub mod ec2;
pub mod elbv2;
pub mod flow_log;
pub mod gateway_endpoint;
pub mod insights;
pub mod ipv6;
pub mod metadata_options;
pub mod nat;
pub mod peering;
pub mod prefix_list;
pub mod private_ip;
pub mod privatelink;
pub mod route53;
pub mod security;
pub mod tags;
pub mod vpc;
pub mod vpc_cidr;

use crate::error::ApiError;
use crate::ids::*;
use crate::world::{Handle, World};

/// The result of a control-plane call.
pub type ApiResult<T> = Result<T, ApiError>;

impl World {
    /// Resolve an AWS id of the expected kind, or the AWS `*.NotFound` error.
    pub(crate) fn lookup<T>(
        &self,
        op: &str,
        id: &str,
        code: &str,
        pick: impl Fn(Handle) -> Option<T>,
    ) -> ApiResult<T> {
        self.find(id)
            .and_then(pick)
            .ok_or_else(|| ApiError::new(op, code, format!("The ID '{id}' does not exist")))
    }

    /// A VPC by id.
    pub fn vpc_id(&self, op: &str, id: &str) -> ApiResult<VpcId> {
        self.lookup(op, id, "InvalidVpcID.NotFound", |h| match h {
            Handle::Vpc(x) if !self.vpcs[x].deleted => Some(x),
            _ => None,
        })
    }

    /// A subnet by id.
    pub fn subnet_id(&self, op: &str, id: &str) -> ApiResult<SubnetId> {
        self.lookup(op, id, "InvalidSubnetID.NotFound", |h| match h {
            Handle::Subnet(x) if !self.subnets[x].deleted => Some(x),
            _ => None,
        })
    }

    /// A security group by id.
    pub fn sg_id(&self, op: &str, id: &str) -> ApiResult<SgId> {
        self.lookup(op, id, "InvalidGroup.NotFound", |h| match h {
            Handle::Sg(x) if !self.sgs[x].deleted => Some(x),
            _ => None,
        })
    }

    /// A route table by id.
    pub fn route_table_id(&self, op: &str, id: &str) -> ApiResult<RouteTableId> {
        self.lookup(op, id, "InvalidRouteTableID.NotFound", |h| match h {
            Handle::RouteTable(x) if !self.route_tables[x].deleted => Some(x),
            _ => None,
        })
    }

    /// An internet gateway by id.
    pub fn igw_id(&self, op: &str, id: &str) -> ApiResult<IgwId> {
        self.lookup(op, id, "InvalidInternetGatewayID.NotFound", |h| match h {
            Handle::Igw(x) if !self.igws[x].deleted => Some(x),
            _ => None,
        })
    }

    /// An egress-only internet gateway by id (A8).
    pub fn eigw_id(&self, op: &str, id: &str) -> ApiResult<EigwId> {
        self.lookup(op, id, "InvalidEgressOnlyInternetGatewayId.NotFound", |h| match h {
            Handle::Eigw(x) if !self.eigws[x].deleted => Some(x),
            _ => None,
        })
    }

    /// An instance by id.
    pub fn instance_id(&self, op: &str, id: &str) -> ApiResult<InstanceId> {
        self.lookup(op, id, "InvalidInstanceID.NotFound", |h| match h {
            Handle::Instance(x) => Some(x),
            _ => None,
        })
    }

    /// An Elastic IP by allocation id (released ones are gone).
    pub fn eip_id(&self, op: &str, id: &str) -> ApiResult<EipId> {
        match self.find(id) {
            Some(Handle::Eip(x)) if !self.eips[x].released => Ok(x),
            _ => Err(ApiError::new(
                op,
                "InvalidAllocationID.NotFound",
                format!("The allocation ID '{id}' does not exist"),
            )),
        }
    }

    /// A network interface by id.
    pub fn eni_id(&self, op: &str, id: &str) -> ApiResult<EniId> {
        self.lookup(op, id, "InvalidNetworkInterfaceID.NotFound", |h| match h {
            Handle::Eni(x) if !self.enis[x].deleted => Some(x),
            _ => None,
        })
    }

    /// A network ACL by id.
    pub fn nacl_id(&self, op: &str, id: &str) -> ApiResult<NaclId> {
        self.lookup(op, id, "InvalidNetworkAclID.NotFound", |h| match h {
            Handle::Nacl(x) if !self.nacls[x].deleted => Some(x),
            _ => None,
        })
    }

    /// A load balancer by ARN.
    pub fn lb_id(&self, op: &str, arn: &str) -> ApiResult<LbId> {
        self.lookup(op, arn, "LoadBalancerNotFound", |h| match h {
            Handle::Lb(x) if !self.lbs[x].deleted => Some(x),
            _ => None,
        })
    }

    /// A target group by ARN.
    pub fn target_group_id(&self, op: &str, arn: &str) -> ApiResult<TargetGroupId> {
        self.lookup(op, arn, "TargetGroupNotFound", |h| match h {
            Handle::TargetGroup(x) if !self.target_groups[x].deleted => Some(x),
            _ => None,
        })
    }

    /// An endpoint service by id.
    pub fn service_id(&self, op: &str, id: &str) -> ApiResult<ServiceId> {
        self.lookup(op, id, "InvalidVpcEndpointServiceId.NotFound", |h| match h {
            Handle::Service(x) => Some(x),
            _ => None,
        })
    }

    /// A VPC endpoint by id.
    pub fn endpoint_id(&self, op: &str, id: &str) -> ApiResult<EndpointId> {
        self.lookup(op, id, "InvalidVpcEndpointId.NotFound", |h| match h {
            Handle::Endpoint(x) => Some(x),
            _ => None,
        })
    }
}
