//! A [`Trace`] as a Reachability Analyzer analysis: the one schema for a flow (RA1),
//! the document `vpcsim trace --json` prints, `vpcsim run --json` gives for every step
//! that sent a flow, `vpcsim reach --explain --json` prints, each `vpcsim check --json`
//! finding carries and the network insights calls answer. It reads back with serde
//! (unknown fields refused). Field names are AWS's:
//! `{NetworkPathFound, ForwardPathComponents: [C], ReturnPathComponents: [C],
//! Explanations: [{ExplanationCode, Component, Message}]}`, where each component C is
//! `{SequenceNumber, Component: {Id, Name?, Arn?}, SecurityGroupRule?, AclRule?,
//! RouteTableRoute?, ElasticLoadBalancerListener?, LoadBalancerTarget?, State?,
//! InboundHeader?, OutboundHeader?}` and a header is `{SourceAddresses,
//! DestinationAddresses, SourcePortRanges, DestinationPortRanges, Protocol}`.
//! `Message` and `State` are vpcsim's additions.

use std::net::Ipv4Addr;

use serde::{Deserialize, Serialize};

use super::{
    rule_ports, ComponentKind, Direction, ExplanationCode, Header, Hop, Matched, RouteState, RouteTarget,
    SgPeer, Text, Trace,
};
use crate::addr::{Cidr, PortRange, Protocol, RuleProtocol};
use crate::world::{Handle, World};

/// A Reachability Analyzer analysis of one flow (the module doc lists its fields).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Analysis {
    /// Whether the flow got there and its response came back.
    pub network_path_found: bool,
    /// The components on the way there.
    pub forward_path_components: Vec<PathComponent>,
    /// The components the response passed.
    pub return_path_components: Vec<PathComponent>,
    /// Why the flow stopped (none when it got there).
    pub explanations: Vec<AnalysisExplanation>,
}

/// One component of a path and what it did to the packet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct PathComponent {
    /// Position in its path, from 1.
    pub sequence_number: u16,
    /// Which resource.
    pub component: Component,
    /// The security group rule that allowed the packet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_group_rule: Option<SecurityGroupRule>,
    /// The network ACL rule that decided.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acl_rule: Option<AclRule>,
    /// The route that matched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route_table_route: Option<RouteTableRoute>,
    /// The listener that took the packet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub elastic_load_balancer_listener: Option<ElasticLoadBalancerListener>,
    /// The target chosen.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub load_balancer_target: Option<LoadBalancerTarget>,
    /// The component's state, where it decided (vpcsim's addition).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<Text>,
    /// The packet as it arrived.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inbound_header: Option<AnalysisHeader>,
    /// The packet as it left, when the component rewrote it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outbound_header: Option<AnalysisHeader>,
}

/// A resource: its id, Name tag and ARN.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Component {
    /// The AWS id (an ARN for load balancers, listeners and target groups).
    pub id: String,
    /// The Name tag, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The ARN, for resources that have one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
}

/// A security group rule (S3-S5).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct SecurityGroupRule {
    /// `ingress` or `egress`.
    pub direction: Direction,
    /// `-1`, `tcp`, `udp` or `icmp`.
    pub protocol: Text,
    /// The CIDR the rule names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cidr: Option<Cidr>,
    /// The prefix list the rule names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix_list_id: Option<Text>,
    /// The security group the rule names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_group_id: Option<Text>,
    /// The ports (absent for every port).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port_range: Option<AnalysisPortRange>,
}

/// A network ACL rule (N1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct AclRule {
    /// The CIDR the rule matches.
    pub cidr: Cidr,
    /// Whether it is an outbound rule.
    pub egress: bool,
    /// `-1`, `tcp`, `udp` or `icmp`.
    pub protocol: Text,
    /// `allow` or `deny`.
    pub rule_action: Text,
    /// The rule number; 32767 for the final `*` rule.
    pub rule_number: u16,
    /// The ports (absent for every port).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port_range: Option<AnalysisPortRange>,
}

/// A route: its destination, its target under the API's field for that kind, its state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct RouteTableRoute {
    /// The destination block.
    pub destination_cidr: Cidr,
    /// A network interface target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network_interface_id: Option<Text>,
    /// An instance target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_id: Option<Text>,
    /// A NAT gateway target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nat_gateway_id: Option<Text>,
    /// A peering connection target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vpc_peering_connection_id: Option<Text>,
    /// A transit gateway target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transit_gateway_id: Option<Text>,
    /// `local`, an internet gateway or a gateway endpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gateway_id: Option<Text>,
    /// `active` or `blackhole`.
    pub state: RouteState,
}

/// A listener: its port and the port of the target group it forwards to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ElasticLoadBalancerListener {
    /// The listener's port.
    pub load_balancer_port: u16,
    /// The forward target group's port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_port: Option<u16>,
}

/// The target a load balancer chose.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct LoadBalancerTarget {
    /// The target as its group lists it (an instance id or an address).
    pub id: String,
    /// Its address.
    pub address: Ipv4Addr,
    /// Its port.
    pub port: u16,
}

/// A packet header as Reachability Analyzer shows it: lists of addresses and port ranges.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct AnalysisHeader {
    /// The source address.
    pub source_addresses: [Ipv4Addr; 1],
    /// The destination address.
    pub destination_addresses: [Ipv4Addr; 1],
    /// The source port.
    pub source_port_ranges: [AnalysisPortRange; 1],
    /// The destination port.
    pub destination_port_ranges: [AnalysisPortRange; 1],
    /// `tcp`, `udp` or `icmp`.
    pub protocol: Protocol,
}

/// An inclusive port range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct AnalysisPortRange {
    /// First port.
    pub from: u16,
    /// Last port.
    pub to: u16,
}

/// Why a flow stopped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct AnalysisExplanation {
    /// The RA2 code.
    pub explanation_code: ExplanationCode,
    /// The component that stopped it.
    pub component: Component,
    /// A sentence for people (vpcsim's addition).
    pub message: String,
}

/// The Reachability Analyzer analysis of a trace over `w` (ARNs need its region and
/// account; a listener's instance port its target group).
///
/// ```
/// let lab = vpcsim::lab::Lab::build(Default::default()).unwrap();
/// let w = &lab.world;
/// let eni = w[lab.my_ec2].eni;
/// let header = vpcsim::trace::Header {
///     src: w[eni].private_ip,
///     dst: "8.8.8.8".parse().unwrap(),
///     protocol: vpcsim::addr::Protocol::Udp,
///     src_port: 32768,
///     dst_port: 53,
/// };
/// let trace = w.trace(eni, vpcsim::trace::Flow { header, seq: 0 });
/// let analysis = vpcsim::trace::analysis(w, &trace);
/// assert_eq!(analysis.network_path_found, trace.reachable());
/// assert_eq!(analysis.forward_path_components.len(), trace.forward.len());
/// ```
pub fn analysis(w: &World, t: &Trace) -> Analysis {
    let explanations = t
        .explanation
        .iter()
        .map(|x| AnalysisExplanation {
            explanation_code: x.code,
            component: component(w, x.kind, &x.component_id, x.component_name.as_deref()),
            message: x.message.clone(),
        })
        .collect();
    Analysis {
        network_path_found: t.reachable(),
        forward_path_components: t.forward.iter().map(|h| path_component(w, h)).collect(),
        return_path_components: t.ret.iter().map(|h| path_component(w, h)).collect(),
        explanations,
    }
}

/// The ARN's resource type for kinds whose id is not already an ARN.
fn arn_resource(kind: ComponentKind) -> Option<&'static str> {
    Some(match kind {
        ComponentKind::Instance => "instance",
        ComponentKind::NetworkInterface => "network-interface",
        ComponentKind::SecurityGroup => "security-group",
        ComponentKind::NetworkAcl => "network-acl",
        ComponentKind::RouteTable => "route-table",
        ComponentKind::InternetGateway => "internet-gateway",
        ComponentKind::NatGateway => "natgateway",
        ComponentKind::VpcPeeringConnection => "vpc-peering-connection",
        ComponentKind::VpcEndpoint => "vpc-endpoint",
        ComponentKind::VpcEndpointService => "vpc-endpoint-service",
        ComponentKind::LoadBalancer
        | ComponentKind::LoadBalancerListener
        | ComponentKind::TargetGroup
        | ComponentKind::Internet => return None,
    })
}

/// `{Id, Name, Arn}`: load balancers, listeners and target groups are known by their ARN;
/// EC2 resources get theirs from the region and account; the internet has none.
fn component(w: &World, kind: ComponentKind, id: &str, name: Option<&str>) -> Component {
    let arn = match arn_resource(kind) {
        Some(resource) => Some(format!("arn:aws:ec2:{}:{}:{resource}/{id}", w.region().name, w.account_id())),
        None if id.starts_with("arn:") => Some(id.to_string()),
        None => None,
    };
    Component { id: id.to_string(), name: name.map(str::to_string), arn }
}

fn port_range(p: PortRange) -> AnalysisPortRange {
    AnalysisPortRange { from: p.from, to: p.to }
}

fn header(h: Header) -> AnalysisHeader {
    AnalysisHeader {
        source_addresses: [h.src],
        destination_addresses: [h.dst],
        source_port_ranges: [port_range(PortRange::single(h.src_port))],
        destination_port_ranges: [port_range(PortRange::single(h.dst_port))],
        protocol: h.protocol,
    }
}

fn path_component(w: &World, h: &Hop) -> PathComponent {
    let mut c = PathComponent {
        sequence_number: h.seq,
        component: component(w, h.kind, &h.id, h.name.as_deref()),
        security_group_rule: None,
        acl_rule: None,
        route_table_route: None,
        elastic_load_balancer_listener: None,
        load_balancer_target: None,
        state: None,
        inbound_header: h.inbound.map(header),
        outbound_header: h.outbound.map(header),
    };
    match &h.matched {
        Some(Matched::SecurityGroupRule { direction, protocol, ports, peer, .. }) => {
            c.security_group_rule = Some(security_group_rule(*direction, *protocol, *ports, peer));
        }
        Some(Matched::AclRule { direction, rule_number, action, cidr, protocol, ports }) => {
            c.acl_rule = Some(AclRule {
                cidr: *cidr,
                egress: *direction == Direction::Egress,
                protocol: Text::from(protocol.as_str()),
                rule_action: Text::from(action.as_str()),
                rule_number: rule_number.unwrap_or(32767),
                port_range: rule_ports(*protocol, *ports).map(port_range),
            });
        }
        Some(Matched::Route { destination, target, state }) => {
            c.route_table_route = Some(route(*destination, target, *state));
        }
        Some(Matched::Listener { port, .. }) => {
            c.elastic_load_balancer_listener = Some(ElasticLoadBalancerListener {
                load_balancer_port: *port,
                instance_port: instance_port(w, h),
            });
        }
        Some(Matched::Target { target, address, port, .. }) => {
            c.load_balancer_target =
                Some(LoadBalancerTarget { id: target.to_string(), address: *address, port: *port });
        }
        Some(Matched::State { state }) => c.state = Some(state.clone()),
        Some(Matched::Stateful { .. } | Matched::Delivered) | None => {}
    }
    c
}

fn security_group_rule(
    direction: Direction,
    protocol: RuleProtocol,
    ports: PortRange,
    peer: &SgPeer,
) -> SecurityGroupRule {
    let mut r = SecurityGroupRule {
        direction,
        protocol: Text::from(protocol.as_str()),
        cidr: None,
        prefix_list_id: None,
        security_group_id: None,
        port_range: rule_ports(protocol, ports).map(port_range),
    };
    match peer {
        SgPeer::Cidr(cidr) => r.cidr = Some(*cidr),
        SgPeer::PrefixList(id) => r.prefix_list_id = Some(id.clone()),
        SgPeer::Group(id) => r.security_group_id = Some(id.clone()),
    }
    r
}

fn route(destination: Cidr, target: &RouteTarget, state: RouteState) -> RouteTableRoute {
    let mut r = RouteTableRoute {
        destination_cidr: destination,
        network_interface_id: None,
        instance_id: None,
        nat_gateway_id: None,
        vpc_peering_connection_id: None,
        transit_gateway_id: None,
        gateway_id: None,
        state,
    };
    let id = Some(Text::from(target.id()));
    match target {
        RouteTarget::NetworkInterface(_) => r.network_interface_id = id,
        RouteTarget::Instance(_) => r.instance_id = id,
        RouteTarget::NatGateway(_) => r.nat_gateway_id = id,
        RouteTarget::VpcPeeringConnection(_) => r.vpc_peering_connection_id = id,
        RouteTarget::TransitGateway(_) => r.transit_gateway_id = id,
        RouteTarget::Local | RouteTarget::InternetGateway(_) | RouteTarget::GatewayEndpoint(_) => {
            r.gateway_id = id
        }
    }
    r
}

/// The port of the target group a listener hop forwards to.
fn instance_port(w: &World, h: &Hop) -> Option<u16> {
    let Some(Handle::Listener(x)) = w.find(&h.id) else { return None };
    let tg = w[x].target_group?;
    Some(w[tg].port)
}
