//! PrivateLink: endpoint service configurations and interface endpoints (P1-P7, P10-P13),
//! to a provider's service or to an AWS service.

use std::borrow::Cow;

use super::ApiResult;
use crate::error::ApiError;
use crate::ids::*;
use crate::model::aws_service::{AwsService, EndpointType};
use crate::model::endpoint_service::{
    EndpointService, PrivateDnsName, ServiceState, VerificationState, VERIFY_SECONDS,
};
use crate::model::eni::EniOwner;
use crate::model::vpc_endpoint::{EndpointState, ServiceRef, VpcEndpoint, DELETE_SECONDS, PROVISION_SECONDS};
use crate::model::Tags;
use crate::ops::ec2::CreateNetworkInterface;
use crate::quota::Quota;
use crate::world::{Handle, World};

/// Options of CreateVpcEndpoint (type Interface).
#[derive(Clone, Debug, Default)]
pub struct CreateVpcEndpoint {
    /// The consumer VPC.
    pub vpc: Option<VpcId>,
    /// The service name (`com.amazonaws.vpce.<region>.vpce-svc-...`).
    pub service_name: String,
    /// One subnet per AZ (P4).
    pub subnets: Vec<SubnetId>,
    /// Groups on the endpoint ENIs; the VPC's default group when empty (S4).
    pub groups: Vec<SgId>,
    /// P9; needs enableDnsSupport and enableDnsHostnames on the VPC (P11).
    pub private_dns_enabled: bool,
    /// Tags.
    pub tags: Tags,
}

impl World {
    /// CreateVpcEndpointServiceConfiguration (P1): fronts NLBs; available at once. A private
    /// DNS name starts in pendingVerification with a TXT record to publish (P12).
    pub fn create_vpc_endpoint_service_configuration(
        &mut self,
        nlbs: &[LbId],
        acceptance_required: bool,
        private_dns_name: Option<String>,
        tags: Tags,
    ) -> ApiResult<ServiceId> {
        const OP: &str = "CreateVpcEndpointServiceConfiguration";
        if nlbs.is_empty() {
            return Err(ApiError::new(
                OP,
                "InvalidParameter",
                "At least one Network Load Balancer ARN must be given (--network-load-balancer-arns).",
            ));
        }
        if let Some(lb) = nlbs.iter().find(|lb| self.service_of_lb(**lb).is_some()) {
            return Err(ApiError::new(
                OP,
                "InvalidParameter",
                format!(
                    "Load balancer {} is already associated with another endpoint service.",
                    self.lbs[*lb].arn
                ),
            ));
        }
        let id = ServiceId(self.services.len() as u32);
        let service_id = self.ids.aws_id("vpce-svc");
        let region = self.region.name;
        let service_name = format!("com.amazonaws.vpce.{region}.{service_id}");
        self.link_service(&service_name, nlbs, id);
        let private_dns = private_dns_name.map(|name| PrivateDnsName {
            name,
            txt_name: format!("_{}", self.ids.lower_alnum(20)),
            txt_value: format!("vpce:{}", self.ids.alnum(20)),
            verified_at_ms: None,
        });
        self.services.insert(
            &mut self.by_aws_id,
            Handle::Service,
            EndpointService {
                service_name,
                base_dns_name: format!("{service_id}.{region}.vpce.amazonaws.com"),
                service_id,
                nlbs: nlbs.to_vec(),
                acceptance_required,
                allowed_principals: Vec::new(),
                private_dns,
                state: ServiceState::Available,
                tags,
            },
        );
        Ok(id)
    }

    /// P5: the AZs where the service exists: those where its NLBs have nodes.
    pub fn service_azs(&self, svc: ServiceId) -> Vec<&'static str> {
        let mut azs: Vec<&'static str> =
            self.services[svc].nlbs.iter().flat_map(|lb| self.lbs[*lb].nodes.iter().map(|n| n.az)).collect();
        azs.sort_unstable();
        azs.dedup();
        azs
    }

    /// ModifyVpcEndpointServicePermissions (P3).
    pub fn modify_vpc_endpoint_service_permissions(
        &mut self,
        svc: ServiceId,
        add: &[String],
        remove: &[String],
    ) -> ApiResult<()> {
        for p in add.iter().chain(remove) {
            if p != "*" && !p.starts_with("arn:aws:iam::") {
                return Err(ApiError::new(
                    "ModifyVpcEndpointServicePermissions",
                    "InvalidPrincipal",
                    format!(
                        "Invalid principal {p}: use an IAM ARN such as arn:aws:iam::123456789012:root, or *."
                    ),
                ));
            }
        }
        let s = &mut self.services[svc];
        s.allowed_principals.retain(|p| !remove.contains(p));
        for p in add {
            if !s.allowed_principals.contains(p) {
                s.allowed_principals.push(p.clone());
            }
        }
        Ok(())
    }

    /// StartVpcEndpointServicePrivateDnsVerification (P12): the check of the TXT record
    /// starts; the name is verified [`VERIFY_SECONDS`] later on the virtual clock (vpcsim
    /// takes the record as published).
    pub fn start_vpc_endpoint_service_private_dns_verification(&mut self, svc: ServiceId) -> ApiResult<()> {
        const OP: &str = "StartVpcEndpointServicePrivateDnsVerification";
        let now = self.now_ms;
        let s = &mut self.services[svc];
        let Some(p) = s.private_dns.as_mut() else {
            return Err(ApiError::new(
                OP,
                "InvalidParameter",
                format!("The service {} does not have a private DNS name to verify.", s.service_id),
            ));
        };
        if p.state(now) == VerificationState::Verified {
            return Err(ApiError::new(
                OP,
                "InvalidParameter",
                format!("The private DNS name {} of service {} is already verified.", p.name, s.service_id),
            ));
        }
        if p.verified_at_ms.is_none() {
            p.verified_at_ms = Some(now + VERIFY_SECONDS * 1000);
        }
        Ok(())
    }

    /// The service an endpoint service name names.
    pub fn service_by_name(&self, name: &str) -> Option<ServiceId> {
        self.available_service_named(name)
    }

    /// CreateVpcEndpoint (P2-P6, P13): one ENI per subnet; pendingAcceptance or pending. The
    /// service is a provider's (by its name) or an AWS service of the region
    /// (`com.amazonaws.<region>.ssm`), which needs no acceptance and exists in every AZ.
    pub fn create_vpc_endpoint(&mut self, req: CreateVpcEndpoint) -> ApiResult<EndpointId> {
        const OP: &str = "CreateVpcEndpoint";
        let vpc = req.vpc.ok_or_else(|| {
            ApiError::new(OP, "MissingParameter", "The request must contain the parameter VpcId.")
        })?;
        let svc = self.interface_service_named(&req.service_name).ok_or_else(|| {
            ApiError::new(
                OP,
                "InvalidServiceName",
                format!("The Vpc Endpoint Service '{}' does not exist", req.service_name),
            )
        })?;
        self.check_endpoint_request(OP, vpc, svc, &req)?;
        self.build_endpoint(vpc, svc, req)
    }

    /// The service an interface endpoint to `name` connects to: a provider's available
    /// service, else an AWS service of the region that offers Interface endpoints (P13).
    pub fn interface_service_named(&self, name: &str) -> Option<ServiceRef> {
        if let Some(s) = self.service_by_name(name) {
            return Some(ServiceRef::Provider(s));
        }
        AwsService::named(self.region.name, name)
            .filter(|s| s.offers(EndpointType::Interface))
            .map(ServiceRef::Aws)
    }

    /// P5, P13: the AZs where an endpoint's service exists: its NLBs' for a provider's, every
    /// AZ of the region for an AWS service.
    pub fn endpoint_service_azs(&self, svc: ServiceRef) -> Vec<&'static str> {
        match svc {
            ServiceRef::Provider(s) => self.service_azs(s),
            ServiceRef::Aws(_) => self.region.azs.to_vec(),
        }
    }

    /// P9, P13: the name an endpoint's private DNS answers, once usable: a provider's verified
    /// name (P12), or the AWS service's public name.
    pub fn endpoint_private_dns_name(&self, svc: ServiceRef) -> Option<Cow<'_, str>> {
        match svc {
            ServiceRef::Provider(s) => self[s].verified_private_dns_name(self.now_ms).map(Cow::Borrowed),
            ServiceRef::Aws(a) => Some(Cow::Owned(a.private_dns_name(self.region.name))),
        }
    }

    /// The service name of an endpoint's service (`com.amazonaws.vpce.<region>.vpce-svc-...`,
    /// `com.amazonaws.<region>.ssm`).
    pub fn endpoint_service_name(&self, svc: ServiceRef) -> Cow<'_, str> {
        match svc {
            ServiceRef::Provider(s) => Cow::Borrowed(&self[s].service_name),
            ServiceRef::Aws(a) => Cow::Owned(a.service_name(self.region.name)),
        }
    }

    /// P6: the base of an endpoint's DNS names.
    pub fn endpoint_base_dns_name(&self, svc: ServiceRef) -> Cow<'_, str> {
        match svc {
            ServiceRef::Provider(s) => Cow::Borrowed(&self[s].base_dns_name),
            ServiceRef::Aws(a) => Cow::Owned(a.base_dns_name(self.region.name)),
        }
    }

    fn check_endpoint_request(
        &self,
        op: &str,
        vpc: VpcId,
        svc: ServiceRef,
        req: &CreateVpcEndpoint,
    ) -> ApiResult<()> {
        if let ServiceRef::Provider(s) = svc {
            let service = &self.services[s];
            if !service.allows(&self.caller, &self.account_id) {
                return Err(ApiError::new(
                    op,
                    "InvalidServiceName",
                    format!("The Vpc Endpoint Service '{}' does not exist (principal {} is not allowed: the service owner must add it with modify-vpc-endpoint-service-permissions)", service.service_name, self.caller),
                ));
            }
        }
        if req.private_dns_enabled {
            self.check_private_dns_attributes(op, vpc)?;
            self.check_s3_private_dns(op, vpc, svc)?;
        }
        let azs = self.endpoint_service_azs(svc);
        let mut seen = Vec::new();
        for s in &req.subnets {
            let sub = &self.subnets[*s];
            if sub.vpc != vpc {
                return Err(ApiError::new(
                    op,
                    "InvalidParameter",
                    format!("Subnet {} is not in VPC {}.", sub.aws_id, self.vpcs[vpc].aws_id),
                ));
            }
            if !azs.contains(&sub.az) {
                return Err(ApiError::new(
                    op,
                    "InvalidParameter",
                    format!("The VPC endpoint service {} does not support the availability zone of the subnet: {} ({}). The service is available in: {}. (VPCE_SERVICE_NOT_INSTALLED_IN_AZ)", self.endpoint_service_name(svc), sub.aws_id, sub.az, azs.join(", ")),
                ));
            }
            if seen.contains(&sub.az) {
                return Err(ApiError::new(
                    op,
                    "DuplicateSubnetsInSameZone",
                    format!("Found another subnet in {}: choose one subnet per Availability Zone.", sub.az),
                ));
            }
            seen.push(sub.az);
        }
        let count = (self.endpoints_of_vpc(vpc).iter())
            .filter(|e| self.endpoints[**e].state != EndpointState::Deleted)
            .count();
        self.quotas.check(Quota::InterfaceEndpointsPerVpc, op, count + 1)?;
        self.check_new_interfaces(op, &req.subnets, &req.groups)
    }

    /// P13: an S3 interface endpoint with private DNS keeps AWS's default of answering its
    /// names privately only for inbound resolver endpoints, which needs an S3 gateway
    /// endpoint in the VPC for the VPC's own traffic (InvalidParameter otherwise).
    fn check_s3_private_dns(&self, op: &str, vpc: VpcId, svc: ServiceRef) -> ApiResult<()> {
        let ServiceRef::Aws(a) = svc else { return Ok(()) };
        if !a.offers(EndpointType::Gateway) {
            return Ok(());
        }
        let name = a.service_name(self.region.name);
        let has_gateway =
            self.gateway_endpoints.values().any(|g| g.vpc == vpc && !g.deleted && g.service_name == name);
        if has_gateway {
            return Ok(());
        }
        Err(ApiError::new(
            op,
            "InvalidParameter",
            format!("To set PrivateDnsOnlyForInboundResolverEndpoint to true, the VPC {} must have a Gateway endpoint for the service {name}.", self.vpcs[vpc].aws_id),
        ))
    }

    /// P11: an endpoint with private DNS needs both enableDnsSupport and enableDnsHostnames
    /// on its VPC (InvalidParameter).
    fn check_private_dns_attributes(&self, op: &str, vpc: VpcId) -> ApiResult<()> {
        let v = &self.vpcs[vpc];
        if v.dns_support && v.dns_hostnames {
            return Ok(());
        }
        Err(ApiError::new(
            op,
            "InvalidParameter",
            format!(
                "Enabling private DNS requires both enableDnsSupport and enableDnsHostnames VPC attributes set to true for {}",
                v.aws_id
            ),
        ))
    }

    /// Creates what [`World::create_vpc_endpoint`] checked: nothing here can fail.
    fn build_endpoint(
        &mut self,
        vpc: VpcId,
        svc: ServiceRef,
        req: CreateVpcEndpoint,
    ) -> ApiResult<EndpointId> {
        let id = EndpointId(self.endpoints.len() as u32);
        let aws_id = self.ids.aws_id("vpce");
        let groups = if req.groups.is_empty() { vec![self.vpcs[vpc].default_sg] } else { req.groups.clone() };
        let mut enis = Vec::new();
        for s in &req.subnets {
            let eni = self.new_eni(
                "CreateVpcEndpoint",
                CreateNetworkInterface {
                    subnet: Some(*s),
                    groups: groups.clone(),
                    description: format!("VPC Endpoint Interface {aws_id}"),
                    ..Default::default()
                },
                EniOwner::Endpoint(id),
            )?;
            enis.push(eni);
        }
        let acceptance = svc.provider().is_some_and(|s| self.services[s].acceptance_required);
        let now = self.now_ms;
        let (state, next) = if acceptance {
            (EndpointState::PendingAcceptance, None)
        } else {
            (EndpointState::Pending, Some(now + PROVISION_SECONDS * 1000))
        };
        let dns_suffix = self.ids.lower_alnum(8);
        let private = match svc {
            ServiceRef::Provider(s) => self.services[s].private_dns.as_ref().map(|p| p.name.clone()),
            ServiceRef::Aws(a) => a.answers_privately().then(|| a.private_dns_name(self.region.name)),
        };
        let private = private.filter(|_| req.private_dns_enabled);
        let stem = format!("{aws_id}-{dns_suffix}");
        self.dns_names.insert_endpoint(&stem, private.as_deref().map(|n| (vpc, n)), id);
        self.link_endpoint(vpc, id);
        self.endpoints.insert(
            &mut self.by_aws_id,
            Handle::Endpoint,
            VpcEndpoint {
                aws_id,
                vpc,
                service: svc,
                subnets: req.subnets,
                enis,
                groups,
                state,
                next_change_ms: next,
                dns_suffix,
                private_dns_enabled: req.private_dns_enabled,
                owner: self.caller.clone(),
                created_ms: now,
                tags: req.tags,
            },
        );
        self.notify_connection(id, "Connect");
        if !acceptance {
            self.notify_connection(id, "Accept");
        }
        Ok(id)
    }

    fn endpoints_of_service(&self, op: &str, svc: ServiceId, ids: &[EndpointId]) -> ApiResult<()> {
        if let Some(e) = ids.iter().find(|e| self.endpoints[**e].service != ServiceRef::Provider(svc)) {
            return Err(ApiError::new(
                op,
                "InvalidVpcEndpointId.NotFound",
                format!(
                    "The VPC endpoint {} is not a connection of service {}.",
                    self.endpoints[*e].aws_id, self.services[svc].service_id
                ),
            ));
        }
        Ok(())
    }

    /// AcceptVpcEndpointConnections (P2): pendingAcceptance becomes pending, then available after about two minutes.
    pub fn accept_vpc_endpoint_connections(&mut self, svc: ServiceId, ids: &[EndpointId]) -> ApiResult<()> {
        const OP: &str = "AcceptVpcEndpointConnections";
        self.endpoints_of_service(OP, svc, ids)?;
        if let Some(e) = ids.iter().find(|e| self.endpoints[**e].state != EndpointState::PendingAcceptance) {
            let ep = &self.endpoints[*e];
            return Err(ApiError::new(
                OP,
                "InvalidState",
                format!(
                    "Endpoint {} is in state {}; only pendingAcceptance connections can be accepted.",
                    ep.aws_id,
                    ep.state.as_str()
                ),
            ));
        }
        let at = self.now_ms + PROVISION_SECONDS * 1000;
        for e in ids {
            let ep = &mut self.endpoints[*e];
            ep.state = EndpointState::Pending;
            ep.next_change_ms = Some(at);
            self.notify_connection(*e, "Accept");
        }
        Ok(())
    }

    /// RejectVpcEndpointConnections (P10): the provider may reject at any time, even when available.
    pub fn reject_vpc_endpoint_connections(&mut self, svc: ServiceId, ids: &[EndpointId]) -> ApiResult<()> {
        const OP: &str = "RejectVpcEndpointConnections";
        self.endpoints_of_service(OP, svc, ids)?;
        if let Some(e) = ids.iter().find(|e| !self.endpoints[**e].state.holds_service()) {
            let ep = &self.endpoints[*e];
            return Err(ApiError::new(
                OP,
                "InvalidState",
                format!("Endpoint {} is already {}.", ep.aws_id, ep.state.as_str()),
            ));
        }
        for e in ids {
            let ep = &mut self.endpoints[*e];
            ep.state = EndpointState::Rejected;
            ep.next_change_ms = None;
            self.notify_connection(*e, "Reject");
        }
        Ok(())
    }

    /// DeleteVpcEndpoints (P10: only the consumer deletes): deleting, then deleted; its ENIs go away.
    pub fn delete_vpc_endpoints(&mut self, ids: &[EndpointId]) -> ApiResult<()> {
        let at = self.now_ms + DELETE_SECONDS * 1000;
        for e in ids {
            let ep = &mut self.endpoints[*e];
            if matches!(ep.state, EndpointState::Deleted | EndpointState::Deleting) {
                continue;
            }
            ep.state = EndpointState::Deleting;
            ep.next_change_ms = Some(at);
            let enis = ep.enis.clone();
            for eni in enis {
                self.remove_eni(eni);
            }
            self.notify_connection(*e, "Delete");
        }
        Ok(())
    }

    /// DeleteVpcEndpointServiceConfigurations (P10): refused while an endpoint is connected (not rejected or deleted).
    pub fn delete_vpc_endpoint_service_configuration(&mut self, svc: ServiceId) -> ApiResult<()> {
        let s = &self.services[svc];
        if s.state == ServiceState::Deleted {
            return Err(ApiError::new(
                "DeleteVpcEndpointServiceConfigurations",
                "InvalidVpcEndpointService.NotFound",
                format!("The VPC endpoint service {} does not exist.", s.service_id),
            ));
        }
        if let Some(e) = self
            .endpoints
            .values()
            .find(|e| e.service == ServiceRef::Provider(svc) && e.state.holds_service())
        {
            return Err(ApiError::new(
                "DeleteVpcEndpointServiceConfigurations",
                "ExistingVpcEndpointConnections",
                format!("Service {} has existing VPC endpoint connections ({} is {}). Delete or reject the endpoints first.", s.service_id, e.aws_id, e.state.as_str()),
            ));
        }
        let (name, nlbs) = (s.service_name.clone(), s.nlbs.clone());
        self.unlink_service(&name, &nlbs);
        self.services[svc].state = ServiceState::Deleted;
        Ok(())
    }
}
