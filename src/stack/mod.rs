//! CloudFormation stacks on a [`World`]: the [`ResourceSink`] that turns each
//! evaluated resource into control-plane calls, and stack creation that is atomic (a
//! failed stack leaves the world exactly as before, like ROLLBACK_COMPLETE), with the
//! [`events`] it reported stamped on the virtual clock; [`import`]: what `vpcsim import`
//! reports per resource of a template.

mod autoscaling;
mod connection_notification;
mod dhcp;
mod ec2;
mod elbv2;
mod eni;
pub mod events;
mod flow_log;
mod gateway;
pub mod import;
mod instance_cli;
mod ipv6;
mod metadata_options;
mod nat;
pub mod nested;
mod peering;
pub mod properties;
mod props;
mod route53;
mod signal;

use indexmap::IndexMap;

use crate::cfn::{AttrValue, Created, ResourceSink, SinkError, Stack, StackContext};
use crate::error::{ApiError, FileError};
use crate::world::World;
use crate::yaml::Node;

pub use props::Props;

/// The resource types vpcsim builds.
pub const SUPPORTED_TYPES: &[&str] = &[
    "AWS::EC2::VPC",
    "AWS::EC2::VPCCidrBlock",
    "AWS::EC2::Subnet",
    "AWS::EC2::RouteTable",
    "AWS::EC2::Route",
    "AWS::EC2::SubnetRouteTableAssociation",
    "AWS::EC2::InternetGateway",
    "AWS::EC2::EgressOnlyInternetGateway",
    "AWS::EC2::SubnetCidrBlock",
    "AWS::EC2::VPCGatewayAttachment",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::SecurityGroupIngress",
    "AWS::EC2::SecurityGroupEgress",
    "AWS::EC2::NetworkAcl",
    "AWS::EC2::NetworkAclEntry",
    "AWS::EC2::SubnetNetworkAclAssociation",
    "AWS::EC2::Instance",
    "AWS::EC2::NetworkInterface",
    "AWS::EC2::NetworkInterfaceAttachment",
    "AWS::EC2::EIP",
    "AWS::EC2::EIPAssociation",
    "AWS::EC2::NatGateway",
    "AWS::EC2::VPCEndpointService",
    "AWS::EC2::VPCEndpointServicePermissions",
    "AWS::EC2::VPCEndpoint",
    "AWS::EC2::VPCEndpointConnectionNotification",
    "AWS::EC2::VPCPeeringConnection",
    "AWS::EC2::PrefixList",
    "AWS::EC2::DHCPOptions",
    "AWS::EC2::VPCDHCPOptionsAssociation",
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::ElasticLoadBalancingV2::TargetGroup",
    "AWS::ElasticLoadBalancingV2::Listener",
    "AWS::Route53::HostedZone",
    "AWS::Route53::RecordSet",
    "AWS::Route53::RecordSetGroup",
    "AWS::EC2::LaunchTemplate",
    "AWS::AutoScaling::LaunchConfiguration",
    "AWS::AutoScaling::AutoScalingGroup",
    "AWS::EC2::FlowLog",
    "AWS::Logs::LogGroup",
];

/// Builds one stack's resources into a world.
#[derive(Debug)]
pub struct StackBuilder<'w> {
    /// The world resources go into.
    pub world: &'w mut World,
    /// The stack's name (for generated names).
    pub stack_name: String,
    /// Warnings of the resource being created, for [`ResourceSink::take_warnings`].
    pub warnings: Vec<crate::cfn::SinkWarning>,
    /// C2: the signals each instance's UserData sends, for [`ResourceSink::signals`].
    pub sent: Vec<(crate::ids::InstanceId, Vec<crate::cfn::signal::Signal>)>,
    /// C2, M7: the UserData of each launch template (or configuration), run by each
    /// instance an Auto Scaling group of the stack launches from it.
    pub launch_scripts: Vec<LaunchScript>,
    /// The stack's events so far, stamped with the world's clock.
    pub events: Vec<events::Stamped>,
    /// A8: the resources that made or hold IPv6 state, by logical id, for the stack's one
    /// warning that no IPv6 flow is simulated.
    pub ipv6: Vec<String>,
    /// Attributes of earlier resources the last one changed, for [`ResourceSink::take_attribute_updates`].
    pub attribute_updates: Vec<crate::cfn::AttributeUpdate>,
}

/// A launch template's (or launch configuration's) UserData and where it comes from.
#[derive(Clone, Debug)]
pub struct LaunchScript {
    /// The launch template.
    pub launch: crate::ids::LaunchTemplateId,
    /// Its logical id (what its cfn-init reads).
    pub resource: String,
    /// The properties that hold `UserData` and `IamInstanceProfile` (`LaunchTemplateData`).
    pub properties: crate::yaml::Node,
    /// The resource's Metadata (`AWS::CloudFormation::Init`, `vpcsim:`).
    pub metadata: Option<crate::yaml::Node>,
}

/// An API error as a sink error, pointing at `property` when given.
pub(crate) fn api(e: ApiError, property: Option<&str>) -> SinkError {
    SinkError {
        message: format!("{} ({})", e.message, e.code),
        hint: None,
        property: property.map(str::to_string),
    }
}

/// A created resource with attributes.
pub(crate) fn created(physical_id: impl Into<String>, attrs: &[(&str, AttrValue)]) -> Created {
    Created {
        physical_id: physical_id.into(),
        attributes: attrs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect(),
    }
}

/// A string attribute.
pub(crate) fn s(v: impl Into<String>) -> AttrValue {
    AttrValue::Str(v.into())
}

impl ResourceSink for StackBuilder<'_> {
    fn supports(&self, resource_type: &str) -> bool {
        SUPPORTED_TYPES.contains(&resource_type)
    }

    fn create(
        &mut self,
        logical_id: &str,
        ty: &str,
        properties: &Node,
        metadata: Option<&Node>,
    ) -> Result<Created, SinkError> {
        if ty == "AWS::ElasticLoadBalancingV2::LoadBalancer" {
            elbv2::network_only(Props::new(properties))?;
        }
        self.warnings = properties::check(ty, properties)?;
        let p = Props::new(properties);
        match ty {
            "AWS::EC2::VPC" => self.vpc(p),
            "AWS::EC2::VPCCidrBlock" => self.vpc_cidr_block(logical_id, p),
            "AWS::EC2::Subnet" => self.subnet(logical_id, p),
            "AWS::EC2::RouteTable" => self.route_table(p),
            "AWS::EC2::Route" => self.route(logical_id, p),
            "AWS::EC2::SubnetRouteTableAssociation" => self.route_table_association(p),
            "AWS::EC2::InternetGateway" => self.internet_gateway(p),
            "AWS::EC2::EgressOnlyInternetGateway" => self.egress_only_internet_gateway(logical_id, p),
            "AWS::EC2::SubnetCidrBlock" => self.subnet_cidr_block(logical_id, p),
            "AWS::EC2::VPCGatewayAttachment" => self.gateway_attachment(p),
            "AWS::EC2::SecurityGroup" => self.security_group(logical_id, p),
            "AWS::EC2::SecurityGroupIngress" => {
                self.security_group_rule(logical_id, p, crate::trace::Direction::Ingress)
            }
            "AWS::EC2::SecurityGroupEgress" => {
                self.security_group_rule(logical_id, p, crate::trace::Direction::Egress)
            }
            "AWS::EC2::NetworkAcl" => self.network_acl(p),
            "AWS::EC2::NetworkAclEntry" => self.network_acl_entry(logical_id, p),
            "AWS::EC2::SubnetNetworkAclAssociation" => self.network_acl_association(p),
            "AWS::EC2::Instance" => self.instance(logical_id, p, properties, metadata),
            "AWS::EC2::NetworkInterface" => self.network_interface(p),
            "AWS::EC2::NetworkInterfaceAttachment" => self.network_interface_attachment(p),
            "AWS::EC2::EIP" => self.eip(p),
            "AWS::EC2::EIPAssociation" => self.eip_association(p),
            "AWS::EC2::NatGateway" => self.nat_gateway(p),
            "AWS::EC2::VPCEndpointService" => self.endpoint_service(p),
            "AWS::EC2::VPCEndpointServicePermissions" => self.endpoint_service_permissions(p),
            "AWS::EC2::VPCEndpoint" => self.endpoint(p),
            "AWS::EC2::VPCEndpointConnectionNotification" => self.connection_notification(p),
            "AWS::EC2::VPCPeeringConnection" => self.peering_connection(p),
            "AWS::EC2::PrefixList" => self.prefix_list(p),
            "AWS::EC2::DHCPOptions" => self.dhcp_options(p),
            "AWS::EC2::VPCDHCPOptionsAssociation" => self.dhcp_options_association(p),
            "AWS::ElasticLoadBalancingV2::LoadBalancer" => self.load_balancer(logical_id, p),
            "AWS::ElasticLoadBalancingV2::TargetGroup" => self.target_group(logical_id, p),
            "AWS::ElasticLoadBalancingV2::Listener" => self.listener(p),
            "AWS::Route53::HostedZone" => self.hosted_zone(p),
            "AWS::Route53::RecordSet" => self.record_set(p),
            "AWS::Route53::RecordSetGroup" => self.record_set_group(logical_id, p),
            "AWS::EC2::LaunchTemplate" => self.launch_template(logical_id, p, metadata),
            "AWS::AutoScaling::LaunchConfiguration" => {
                self.launch_configuration(logical_id, p, properties, metadata)
            }
            "AWS::AutoScaling::AutoScalingGroup" => self.auto_scaling_group(logical_id, p),
            "AWS::EC2::FlowLog" => self.flow_log(p),
            "AWS::Logs::LogGroup" => self.log_group(logical_id, p),
            other => Err(SinkError {
                message: format!("resource type {other} is not modelled"),
                hint: None,
                property: None,
            }),
        }
    }

    fn check_properties(
        &mut self,
        ty: &str,
        properties: &Node,
    ) -> Result<Vec<crate::cfn::SinkWarning>, SinkError> {
        properties::check(ty, properties)
    }

    fn set_stack_name(&mut self, name: &str) {
        self.stack_name = name.to_string();
    }

    fn delete(&mut self, _logical_id: &str, ty: &str, created: &Created) -> Result<(), SinkError> {
        match ty {
            "AWS::Route53::HostedZone" => self.remove_hosted_zone(created),
            "AWS::EC2::VPCEndpointConnectionNotification" => self.remove_connection_notification(created),
            "AWS::Route53::RecordSet" | "AWS::Route53::RecordSetGroup" => self.remove_records(created),
            "AWS::EC2::VPCDHCPOptionsAssociation" => {
                self.remove_dhcp_options_association(created);
                Ok(())
            }
            "AWS::EC2::FlowLog" => self.remove_flow_log(created),
            "AWS::EC2::NetworkInterfaceAttachment" => self.remove_attachment(created),
            "AWS::Logs::LogGroup" => self.remove_log_group(created),
            _ => self.remove(ty, created),
        }
    }

    fn take_warnings(&mut self) -> Vec<crate::cfn::SinkWarning> {
        std::mem::take(&mut self.warnings)
    }

    fn take_attribute_updates(&mut self) -> Vec<crate::cfn::AttributeUpdate> {
        std::mem::take(&mut self.attribute_updates)
    }

    fn signals(&mut self) -> Vec<crate::cfn::SentSignal> {
        let sent = std::mem::take(&mut self.sent);
        let mut out = Vec::new();
        for (instance, signals) in sent {
            let from = self.world[instance].aws_id.clone();
            for mut signal in signals {
                if signal.unique_id.is_empty() {
                    signal.unique_id = from.clone();
                }
                let delivered = signal::delivered(self.world, instance, &signal.target);
                out.push(crate::cfn::SentSignal { signal, from: from.clone(), delivered });
            }
        }
        out
    }

    fn wait(&mut self, by: std::time::Duration) {
        self.world.advance(by);
    }

    fn record(&mut self, event: crate::cfn::ResourceEvent) {
        self.events.push(events::Stamped { at_ms: self.world.now_ms(), event });
    }
}

/// A stack created in a world, with what CloudFormation returns for it.
pub type StackResult = Result<Stack, FileError>;

/// A template to create a stack from: text (YAML or JSON) or an already parsed node
/// (one inline in a scenario), with the file it is reported in.
#[derive(Clone, Copy, Debug)]
pub enum Body<'a> {
    /// The template's text.
    Text(&'a str),
    /// The template, parsed.
    Node(&'a Node),
}

/// Create a stack from template text; on failure the world is left exactly as before.
pub fn create_stack(
    world: &mut World,
    stack_name: &str,
    file: &str,
    text: &str,
    params: &IndexMap<String, String>,
    exports: &IndexMap<String, String>,
) -> StackResult {
    create_stack_recorded(world, stack_name, (file, Body::Text(text)), params, exports).0
}

/// Create a stack from an inline template node; on failure the world is left exactly as before.
pub fn create_stack_from_node(
    world: &mut World,
    stack_name: &str,
    file: &str,
    template: &Node,
    params: &IndexMap<String, String>,
    exports: &IndexMap<String, String>,
) -> StackResult {
    create_stack_recorded(world, stack_name, (file, Body::Node(template)), params, exports).0
}

/// Create a stack, with the events it reported on the way (none when the template did
/// not get past its checks). On failure the world is left exactly as before, clock
/// included: the events say when the stack failed and what it rolled back.
pub fn create_stack_recorded(
    world: &mut World,
    stack_name: &str,
    (file, body): (&str, Body<'_>),
    params: &IndexMap<String, String>,
    exports: &IndexMap<String, String>,
) -> (StackResult, Vec<events::Stamped>) {
    atomically(world, stack_name, |ctx, sink| match body {
        Body::Text(text) => crate::cfn::create_stack(file, text, params, ctx, exports, sink),
        Body::Node(node) => crate::cfn::create_stack_from_node(file, node, params, ctx, exports, sink),
    })
}

/// Runs a stack's creation as one [`World::transaction`]: its cost is that of the stack,
/// whatever the size of the world.
fn atomically(
    world: &mut World,
    stack_name: &str,
    run: impl FnOnce(&StackContext, &mut StackBuilder<'_>) -> StackResult,
) -> (StackResult, Vec<events::Stamped>) {
    let ctx = StackContext {
        stack_name: stack_name.to_string(),
        region: world.region().name.to_string(),
        account_id: world.account_id().to_string(),
        azs: world.region().azs.iter().map(|a| a.to_string()).collect(),
    };
    let mut events = Vec::new();
    let result = world.transaction(|world| {
        let mut builder = builder(world, stack_name);
        let mut result = run(&ctx, &mut builder);
        if let Ok(stack) = &mut result {
            ipv6::finish_warning(stack, &builder.ipv6);
        }
        events = builder.events;
        result
    });
    (result, events)
}

fn builder<'w>(world: &'w mut World, stack_name: &str) -> StackBuilder<'w> {
    StackBuilder {
        world,
        stack_name: stack_name.to_string(),
        warnings: Vec::new(),
        sent: Vec::new(),
        launch_scripts: Vec::new(),
        events: Vec::new(),
        ipv6: Vec::new(),
        attribute_updates: Vec::new(),
    }
}

/// Delete a stack's resources (C1): in dependency order, each deletion its own call; what
/// refuses stays, with everything it depends on, and the stack keeps only that. What was
/// deleted is not restored. Errors are the resources that refused, with why.
pub fn delete_stack(world: &mut World, stack: &mut Stack) -> Deletion {
    delete_stack_recorded(world, stack).0
}

/// What a stack deletion came to: done, or the resources that refused, each with why.
pub type Deletion = Result<(), Vec<(String, SinkError)>>;

/// [`delete_stack`], with the events the deletion reported.
pub fn delete_stack_recorded(world: &mut World, stack: &mut Stack) -> (Deletion, Vec<events::Stamped>) {
    let stack_name = stack.name.clone();
    let mut builder = builder(world, &stack_name);
    let result = crate::cfn::delete_stack(stack, &mut builder);
    (result, builder.events)
}

/// C1: why a stack cannot be deleted at all because another stack imports one of its
/// exports, in CloudFormation's words; `None` when nothing it exports is imported.
pub fn export_in_use<'a>(stack: &Stack, others: impl IntoIterator<Item = &'a Stack>) -> Option<String> {
    let others: Vec<&Stack> = others.into_iter().filter(|o| o.name != stack.name).collect();
    stack.exports.keys().find_map(|export| {
        let user = others.iter().find(|o| o.imports.contains(export))?;
        Some(format!("Export {export} cannot be deleted as it is in use by {}", user.name))
    })
}
