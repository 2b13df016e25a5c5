//! CreateTags: the only way a resource's tags change after it is created.

use super::ApiResult;
use crate::error::ApiError;
use crate::model::Tags;
use crate::world::{Handle, World};

impl World {
    /// CreateTags: adds each tag to the resource, replacing the value of a key it already has.
    /// Listeners carry no tags here (`InvalidParameterValue`).
    pub fn create_tags(&mut self, resource: Handle, tags: Tags) -> ApiResult<()> {
        let Some(own) = self.tags_mut(resource) else {
            return Err(ApiError::new(
                "CreateTags",
                "InvalidParameterValue",
                format!("The resource '{}' cannot be tagged.", self.aws_id(resource)),
            ));
        };
        for (k, v) in tags.iter() {
            own.insert(k.clone(), v.clone());
        }
        Ok(())
    }

    fn tags_mut(&mut self, h: Handle) -> Option<&mut Tags> {
        Some(match h {
            Handle::Vpc(x) => &mut self.vpcs[x].tags,
            Handle::Subnet(x) => &mut self.subnets[x].tags,
            Handle::RouteTable(x) => &mut self.route_tables[x].tags,
            Handle::Igw(x) => &mut self.igws[x].tags,
            Handle::Eigw(x) => &mut self.eigws[x].tags,
            Handle::Sg(x) => &mut self.sgs[x].tags,
            Handle::Nacl(x) => &mut self.nacls[x].tags,
            Handle::Eni(x) => self.enis.tags_mut(x),
            Handle::Instance(x) => &mut self.instances[x].tags,
            Handle::Eip(x) => &mut self.eips[x].tags,
            Handle::Lb(x) => &mut self.lbs[x].tags,
            Handle::Service(x) => &mut self.services[x].tags,
            Handle::Endpoint(x) => &mut self.endpoints[x].tags,
            Handle::NatGateway(x) => &mut self.nat_gateways[x].tags,
            Handle::Peering(x) => &mut self.peerings[x].tags,
            Handle::PrefixList(x) => &mut self.prefix_lists[x].tags,
            Handle::GatewayEndpoint(x) => &mut self.gateway_endpoints[x].tags,
            Handle::TargetGroup(x) => &mut self.target_groups[x].tags,
            Handle::LaunchTemplate(x) => &mut self.launch_templates[x].tags,
            Handle::AutoScalingGroup(x) => &mut self.auto_scaling_groups[x].tags,
            Handle::DhcpOptions(x) => &mut self.dhcp_options[x].tags,
            Handle::FlowLog(x) => &mut self.flow_logs[x].tags,
            Handle::Listener(_)
            | Handle::LogGroup(_)
            | Handle::InsightsPath(_)
            | Handle::InsightsAnalysis(_)
            | Handle::AccessScope(_)
            | Handle::AccessScopeAnalysis(_)
            | Handle::HostedZone(_)
            | Handle::ConnectionNotification(_) => return None,
        })
    }
}
