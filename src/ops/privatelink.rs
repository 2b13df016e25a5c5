//! PrivateLink: endpoint service configurations and interface endpoints (P1-P7, P10-P12).

use super::ApiResult;
use crate::error::ApiError;
use crate::ids::*;
use crate::model::endpoint_service::{
    EndpointService, PrivateDnsName, ServiceState, VerificationState, VERIFY_SECONDS,
};
use crate::model::eni::EniOwner;
use crate::model::vpc_endpoint::{EndpointState, VpcEndpoint, DELETE_SECONDS, PROVISION_SECONDS};
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

    /// CreateVpcEndpoint (P2-P6): one ENI per subnet; pendingAcceptance or pending.
    pub fn create_vpc_endpoint(&mut self, req: CreateVpcEndpoint) -> ApiResult<EndpointId> {
        const OP: &str = "CreateVpcEndpoint";
        let vpc = req.vpc.ok_or_else(|| {
            ApiError::new(OP, "MissingParameter", "The request must contain the parameter VpcId.")
        })?;
        let svc = self.service_by_name(&req.service_name).ok_or_else(|| {
            ApiError::new(
                OP,
                "InvalidServiceName",
                format!("The Vpc Endpoint Service '{}' does not exist", req.service_name),
            )
        })?;
        self.check_endpoint_request(OP, vpc, svc, &req)?;
        self.build_endpoint(vpc, svc, req)
    }

    fn check_endpoint_request(
        &self,
        op: &str,
        vpc: VpcId,
        svc: ServiceId,
        req: &CreateVpcEndpoint,
    ) -> ApiResult<()> {
        let service = &self.services[svc];
        if !service.allows(&self.caller, &self.account_id) {
            return Err(ApiError::new(
                op,
                "InvalidServiceName",
                format!("The Vpc Endpoint Service '{}' does not exist (principal {} is not allowed: the service owner must add it with modify-vpc-endpoint-service-permissions)", service.service_name, self.caller),
            ));
        }
        if req.private_dns_enabled {
            self.check_private_dns_attributes(op, vpc)?;
        }
        let azs = self.service_azs(svc);
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
                    format!("The VPC endpoint service {} does not support the availability zone of the subnet: {} ({}). The service is available in: {}. (VPCE_SERVICE_NOT_INSTALLED_IN_AZ)", service.service_id, sub.aws_id, sub.az, azs.join(", ")),
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
        svc: ServiceId,
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
        let acceptance = self.services[svc].acceptance_required;
        let now = self.now_ms;
        let (state, next) = if acceptance {
            (EndpointState::PendingAcceptance, None)
        } else {
            (EndpointState::Pending, Some(now + PROVISION_SECONDS * 1000))
        };
        let dns_suffix = self.ids.lower_alnum(8);
        let service = &self.services[svc];
        let private =
            service.private_dns.as_ref().map(|p| p.name.as_str()).filter(|_| req.private_dns_enabled);
        self.dns_names.insert_endpoint(&format!("{aws_id}-{dns_suffix}"), private.map(|n| (vpc, n)), id);
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
        Ok(id)
    }

    fn endpoints_of_service(&self, op: &str, svc: ServiceId, ids: &[EndpointId]) -> ApiResult<()> {
        if let Some(e) = ids.iter().find(|e| self.endpoints[**e].service != svc) {
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
        if let Some(e) = self.endpoints.values().find(|e| e.service == svc && e.state.holds_service()) {
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
