//! What a packet walk produces: [`Flow`] in, [`Trace`] out.
//!
//! A trace lists the components a flow passes, forward and return, each with its
//! [`ComponentKind`], AWS id, Name tag, what matched there ([`Matched`]) and the
//! packet's [`Header`] before and after any rewrite, like a Reachability Analyzer
//! analysis (RA1). A blocked flow carries an [`Explanation`] with an RA2 code.
//! What matched keeps its types ([`matched`]); [`analysis`] renders a trace as
//! Reachability Analyzer's JSON; [`compact`] lays a trace out for a narrow terminal;
//! [`explain`] says what each explanation code means.

mod analysis;
pub mod compact;
pub mod explain;
mod matched;

pub use analysis::{
    analysis, AclRule, Analysis, AnalysisExplanation, AnalysisHeader, AnalysisPortRange, Component,
    ElasticLoadBalancerListener, LoadBalancerTarget, PathComponent, RouteTableRoute, SecurityGroupRule,
};
pub use matched::{
    rule_ports, FlowHashChoice, Matched, RouteState, RouteTarget, SgPeer, TargetId, TargetPool,
};

use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

use serde::Serialize;

use crate::addr::{PortRange, Protocol};

/// The kinds of component a path passes, as scenario files name them (`via:`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ComponentKind {
    /// An EC2 instance (the source or the final destination).
    Instance,
    /// An elastic network interface.
    NetworkInterface,
    /// A security group, evaluated at an ENI.
    SecurityGroup,
    /// A subnet's network ACL.
    NetworkAcl,
    /// A route table and the route that matched.
    RouteTable,
    /// An internet gateway (with its NAT).
    InternetGateway,
    /// A NAT gateway.
    NatGateway,
    /// A VPC peering connection.
    VpcPeeringConnection,
    /// A load balancer node.
    LoadBalancer,
    /// A load balancer listener.
    LoadBalancerListener,
    /// A target group and the target chosen.
    TargetGroup,
    /// An interface VPC endpoint.
    VpcEndpoint,
    /// A VPC endpoint service (the PrivateLink hop).
    VpcEndpointService,
    /// The public internet between two gateways, or a host on it.
    Internet,
}

impl ComponentKind {
    /// Every kind, in the order docs/scenario-format.md lists them.
    pub const ALL: [ComponentKind; 14] = [
        ComponentKind::Instance,
        ComponentKind::NetworkInterface,
        ComponentKind::SecurityGroup,
        ComponentKind::NetworkAcl,
        ComponentKind::RouteTable,
        ComponentKind::InternetGateway,
        ComponentKind::NatGateway,
        ComponentKind::VpcPeeringConnection,
        ComponentKind::LoadBalancer,
        ComponentKind::LoadBalancerListener,
        ComponentKind::TargetGroup,
        ComponentKind::VpcEndpoint,
        ComponentKind::VpcEndpointService,
        ComponentKind::Internet,
    ];

    /// The name used in scenario files (`internet-gateway`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ComponentKind::Instance => "instance",
            ComponentKind::NetworkInterface => "network-interface",
            ComponentKind::SecurityGroup => "security-group",
            ComponentKind::NetworkAcl => "network-acl",
            ComponentKind::RouteTable => "route-table",
            ComponentKind::InternetGateway => "internet-gateway",
            ComponentKind::NatGateway => "nat-gateway",
            ComponentKind::VpcPeeringConnection => "vpc-peering-connection",
            ComponentKind::LoadBalancer => "load-balancer",
            ComponentKind::LoadBalancerListener => "load-balancer-listener",
            ComponentKind::TargetGroup => "target-group",
            ComponentKind::VpcEndpoint => "vpc-endpoint",
            ComponentKind::VpcEndpointService => "vpc-endpoint-service",
            ComponentKind::Internet => "internet",
        }
    }
}

impl fmt::Display for ComponentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that is not a component kind.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown component kind {input:?}; kinds are: instance, network-interface, security-group, network-acl, route-table, internet-gateway, nat-gateway, vpc-peering-connection, load-balancer, load-balancer-listener, target-group, vpc-endpoint, vpc-endpoint-service, internet")]
pub struct UnknownKind {
    /// The text that was given.
    pub input: String,
}

impl FromStr for ComponentKind {
    type Err = UnknownKind;

    fn from_str(s: &str) -> Result<ComponentKind, UnknownKind> {
        ComponentKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
            .ok_or_else(|| UnknownKind { input: s.to_string() })
    }
}

/// Reachability Analyzer explanation codes (RA2), plus two of vpcsim's own for what
/// AWS has no code for. Serialised as Reachability Analyzer prints them ([`ExplanationCode::as_str`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ExplanationCode {
    /// R6: no route matches the destination.
    NoRouteToDestination,
    /// R5: the matching route is a blackhole (its target is gone).
    BadStateRoute,
    /// S1/S6: no security group rule of the ENI allows the packet.
    EniSgRulesMismatch,
    /// S1: the ENI's groups have no rules at all in that direction.
    SgHasNoRules,
    /// N1: a network ACL rule denies the packet.
    SubnetAclRestriction,
    /// An ENI with source/destination check on got a packet not addressed to it.
    EniSourceDestCheckRestriction,
    /// I2: the sending ENI has no public IP to NAT to.
    IgwPublicIpAssociationForEgress,
    /// I3: inbound to an IGW for an address that is not mapped to an ENI of its VPC.
    IgwPrivateIpAssociationForIngress,
    /// I5: an IGW does not carry traffic to RFC 1918 addresses.
    IgwDestinationAddressNotInRfc1918Egress,
    /// L3: no listener on that port.
    ElbListenerPortRestriction,
    /// L3: the listener forwards to no target group.
    Elbv2ListenerHasNoTg,
    /// L6: the target group has no target in the node's AZ.
    Elbv2NoTargetsInAz,
    /// L6: targets exist only in other AZs and cross-zone is off.
    ElbNotCrosszone,
    /// The target does not accept the port.
    TargetPortRestriction,
    /// L14: a target connected to its own load balancer, was chosen, and client IP
    /// preservation is on (AWS: NAT loopback is not supported); the flow times out.
    NatLoopbackNotSupported,
    /// P5: the endpoint service has no NLB node in that AZ.
    VpceServiceNotInstalledInAz,
    /// P7: traffic against the endpoint's direction.
    VpceIntraVpcTraffic,
    /// A component is not in a state that carries traffic (endpoint not available, gateway detached).
    BadState,
    /// Nothing owns the destination address.
    UnknownDestination,
    /// The protocol is not carried (ICMP to an NLB, for example).
    ProtocolRestriction,
    /// vpcsim's own: the packet came back to an interface it had already left (a routing loop).
    RoutingLoop,
    /// V2 (vpcsim's own, RA-style): a packet crossed a peering connection towards an address
    /// outside the peer VPC, which the peer would route on through another peering connection.
    PeeringNotTransitive,
    /// V2, E4 (vpcsim's own, RA-style): a packet crossed a peering connection towards an address
    /// the peer VPC would send out through its internet gateway, NAT gateway or gateway endpoint.
    PeeringEdgeToEdge,
    /// vpcsim's own: the route's target kind (transit gateway, gateway endpoint) is not simulated yet.
    TargetNotModelled,
    /// vpcsim's own (G2): a NAT gateway admits no connection opened towards it or through it from outside.
    NatGatewayNoInbound,
    /// vpcsim's own (G5): an instance a route sends traffic through does not forward it (its
    /// kernel's IP forwarding is off). Reachability Analyzer does not look inside the instance and
    /// reports the path as found; the packets are dropped by the instance.
    IpForwardingDisabled,
    /// vpcsim's own (E2): the gateway endpoint's policy refuses every request of the flow's
    /// service (an explicit Deny, or no Allow). Reachability Analyzer does not read endpoint
    /// policies and reports the path as found; the service answers Access Denied.
    EndpointPolicyDenies,
}

impl ExplanationCode {
    /// Every code.
    pub const ALL: [ExplanationCode; 27] = [
        ExplanationCode::NoRouteToDestination,
        ExplanationCode::BadStateRoute,
        ExplanationCode::EniSgRulesMismatch,
        ExplanationCode::SgHasNoRules,
        ExplanationCode::SubnetAclRestriction,
        ExplanationCode::EniSourceDestCheckRestriction,
        ExplanationCode::IgwPublicIpAssociationForEgress,
        ExplanationCode::IgwPrivateIpAssociationForIngress,
        ExplanationCode::IgwDestinationAddressNotInRfc1918Egress,
        ExplanationCode::ElbListenerPortRestriction,
        ExplanationCode::Elbv2ListenerHasNoTg,
        ExplanationCode::Elbv2NoTargetsInAz,
        ExplanationCode::ElbNotCrosszone,
        ExplanationCode::TargetPortRestriction,
        ExplanationCode::NatLoopbackNotSupported,
        ExplanationCode::VpceServiceNotInstalledInAz,
        ExplanationCode::VpceIntraVpcTraffic,
        ExplanationCode::BadState,
        ExplanationCode::UnknownDestination,
        ExplanationCode::ProtocolRestriction,
        ExplanationCode::RoutingLoop,
        ExplanationCode::PeeringNotTransitive,
        ExplanationCode::PeeringEdgeToEdge,
        ExplanationCode::TargetNotModelled,
        ExplanationCode::NatGatewayNoInbound,
        ExplanationCode::IpForwardingDisabled,
        ExplanationCode::EndpointPolicyDenies,
    ];

    /// The code as Reachability Analyzer prints it.
    pub fn as_str(self) -> &'static str {
        match self {
            ExplanationCode::NoRouteToDestination => "NO_ROUTE_TO_DESTINATION",
            ExplanationCode::BadStateRoute => "BAD_STATE_ROUTE",
            ExplanationCode::EniSgRulesMismatch => "ENI_SG_RULES_MISMATCH",
            ExplanationCode::SgHasNoRules => "SG_HAS_NO_RULES",
            ExplanationCode::SubnetAclRestriction => "SUBNET_ACL_RESTRICTION",
            ExplanationCode::EniSourceDestCheckRestriction => "ENI_SOURCE_DEST_CHECK_RESTRICTION",
            ExplanationCode::IgwPublicIpAssociationForEgress => "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS",
            ExplanationCode::IgwPrivateIpAssociationForIngress => "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS",
            ExplanationCode::IgwDestinationAddressNotInRfc1918Egress => {
                "IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS"
            }
            ExplanationCode::ElbListenerPortRestriction => "ELBV2_LISTENER_PORT_RESTRICTION",
            ExplanationCode::Elbv2ListenerHasNoTg => "ELBV2_LISTENER_HAS_NO_TG",
            ExplanationCode::Elbv2NoTargetsInAz => "ELBV2_NO_TARGETS_IN_AZ",
            ExplanationCode::ElbNotCrosszone => "ELB_NOT_CROSSZONE",
            ExplanationCode::TargetPortRestriction => "TARGET_PORT_RESTRICTION",
            ExplanationCode::NatLoopbackNotSupported => "NAT_LOOPBACK_NOT_SUPPORTED",
            ExplanationCode::VpceServiceNotInstalledInAz => "VPCE_SERVICE_NOT_INSTALLED_IN_AZ",
            ExplanationCode::VpceIntraVpcTraffic => "VPCE_INTRA_VPC_TRAFFIC",
            ExplanationCode::BadState => "BAD_STATE",
            ExplanationCode::UnknownDestination => "UNKNOWN_DESTINATION",
            ExplanationCode::ProtocolRestriction => "PROTOCOL_RESTRICTION",
            ExplanationCode::RoutingLoop => "ROUTING_LOOP",
            ExplanationCode::PeeringNotTransitive => "PEERING_NOT_TRANSITIVE",
            ExplanationCode::PeeringEdgeToEdge => "PEERING_EDGE_TO_EDGE",
            ExplanationCode::TargetNotModelled => "TARGET_NOT_MODELLED",
            ExplanationCode::NatGatewayNoInbound => "NAT_GATEWAY_NO_INBOUND",
            ExplanationCode::IpForwardingDisabled => "IP_FORWARDING_DISABLED",
            ExplanationCode::EndpointPolicyDenies => "ENDPOINT_POLICY_DENIES",
        }
    }
}

impl Serialize for ExplanationCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for ExplanationCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        ExplanationCode::ALL
            .into_iter()
            .find(|c| c.as_str() == text)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown explanation code {text}")))
    }
}

impl fmt::Display for ExplanationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that is not an explanation code.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown explanation code {input:?}; docs/explanation-codes.md lists the codes, for example ENI_SG_RULES_MISMATCH or BAD_STATE")]
pub struct UnknownCode {
    /// The text that was given.
    pub input: String,
}

impl FromStr for ExplanationCode {
    type Err = UnknownCode;

    fn from_str(s: &str) -> Result<ExplanationCode, UnknownCode> {
        let s = s.trim();
        if s == "ELB_LISTENER_PORT_RESTRICTION" {
            return Ok(ExplanationCode::ElbListenerPortRestriction);
        }
        ExplanationCode::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| UnknownCode { input: s.to_string() })
    }
}

/// A packet's addresses, protocol and ports, as seen at one point of the path.
///
/// Laid out in two aligned words (16 bytes, 8-aligned) so the walk passes and returns it in
/// registers and copies it whole; at its natural 14 bytes and 2-byte alignment every call
/// took it through memory, field by field, and each copy waited on those narrow stores.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[repr(C, align(8))]
pub struct Header {
    /// Source address.
    pub src: Ipv4Addr,
    /// Destination address.
    pub dst: Ipv4Addr,
    /// Protocol.
    pub protocol: Protocol,
    /// Source port (ICMP: 0).
    pub src_port: u16,
    /// Destination port (ICMP: the type, 8 for an echo request).
    pub dst_port: u16,
}

impl Header {
    /// The header of the response to this packet.
    pub fn reversed(self) -> Header {
        Header {
            src: self.dst,
            dst: self.src,
            protocol: self.protocol,
            src_port: self.dst_port,
            dst_port: self.src_port,
        }
    }
}

impl fmt::Display for Header {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.protocol {
            Protocol::Icmp => write!(f, "{} > {} icmp", self.src, self.dst),
            p => write!(f, "{}:{} > {}:{} {}", self.src, self.src_port, self.dst, self.dst_port, p),
        }
    }
}

/// One flow to walk: from a source interface to a destination address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Flow {
    /// The packet as the source sends it.
    pub header: Header,
    /// The TCP initial sequence number; part of the NLB's flow hash (L5).
    pub seq: u32,
}

/// Direction of a rule evaluation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Into the ENI or subnet.
    Ingress,
    /// Out of the ENI or subnet.
    Egress,
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        })
    }
}

/// Text held by a [`Trace`]: ids, names and rule fields. Up to 30 bytes (every AWS id
/// but ARNs, Name tags, CIDRs, ports, protocols) are stored inline, so building a hop
/// does not allocate; longer text is boxed. Serialises, displays, debugs and compares
/// exactly like the `String` it replaces.
#[derive(Clone)]
pub struct Text(TextRepr);

#[derive(Clone)]
enum TextRepr {
    Inline(u8, [u8; Text::INLINE]),
    Heap(Box<str>),
}

impl Text {
    /// The longest text stored without allocating.
    pub const INLINE: usize = 30;

    /// The text.
    #[inline]
    pub fn as_str(&self) -> &str {
        match &self.0 {
            // SAFETY: the bytes were copied from a `&str`, a whole one, so they are UTF-8.
            TextRepr::Inline(len, buf) => unsafe { std::str::from_utf8_unchecked(&buf[..usize::from(*len)]) },
            TextRepr::Heap(s) => s,
        }
    }
}

impl From<&str> for Text {
    #[inline]
    fn from(s: &str) -> Text {
        if s.len() <= Text::INLINE {
            Text(TextRepr::Inline(s.len() as u8, inline_bytes(s.as_bytes())))
        } else {
            Text(TextRepr::Heap(s.into()))
        }
    }
}

/// `bytes` (at most [`Text::INLINE`] of them) at the start of a zeroed buffer. Two
/// overlapping copies of a fixed width instead of a `memcpy` call of a variable one:
/// the walk builds about 70 of these per explained trace.
#[inline]
fn inline_bytes(bytes: &[u8]) -> [u8; Text::INLINE] {
    let mut buf = [0u8; Text::INLINE];
    let n = bytes.len();
    match n {
        16..=Text::INLINE => {
            buf[..16].copy_from_slice(&bytes[..16]);
            buf[n - 16..n].copy_from_slice(&bytes[n - 16..]);
        }
        8..=15 => {
            buf[..8].copy_from_slice(&bytes[..8]);
            buf[n - 8..n].copy_from_slice(&bytes[n - 8..]);
        }
        4..=7 => {
            buf[..4].copy_from_slice(&bytes[..4]);
            buf[n - 4..n].copy_from_slice(&bytes[n - 4..]);
        }
        _ => {
            for (b, s) in buf.iter_mut().zip(bytes) {
                *b = *s;
            }
        }
    }
    buf
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        if s.len() <= Text::INLINE {
            Text::from(s.as_str())
        } else {
            Text(TextRepr::Heap(s.into_boxed_str()))
        }
    }
}

impl From<&String> for Text {
    fn from(s: &String) -> Text {
        Text::from(s.as_str())
    }
}

impl From<Text> for String {
    fn from(t: Text) -> String {
        t.as_str().to_string()
    }
}

impl std::ops::Deref for Text {
    type Target = str;
    #[inline]
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl std::borrow::Borrow<str> for Text {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl std::hash::Hash for Text {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.as_str().hash(h)
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialEq<Text> for str {
    fn eq(&self, other: &Text) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<Text> for &str {
    fn eq(&self, other: &Text) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq<Text> for String {
    fn eq(&self, other: &Text) -> bool {
        self.as_str() == other.as_str()
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl<'de> serde::Deserialize<'de> for Text {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Text::from)
    }
}

impl Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One component of a path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Hop {
    /// Position in its path, from 1.
    pub seq: u16,
    /// What kind of component.
    pub kind: ComponentKind,
    /// The AWS id (or ARN, or a host name for the internet).
    pub id: Text,
    /// The Name tag (or the resource's own name), when it has one.
    pub name: Option<Text>,
    /// What matched there.
    pub matched: Option<Matched>,
    /// The packet as it arrived.
    pub inbound: Option<Header>,
    /// The packet as it left, when the component rewrote it.
    pub outbound: Option<Header>,
}

/// Why a flow stopped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// The RA2 code.
    pub code: ExplanationCode,
    /// Kind of the component that stopped it.
    pub kind: ComponentKind,
    /// Its AWS id.
    pub component_id: String,
    /// Its name, if any.
    pub component_name: Option<String>,
    /// A sentence for people.
    pub message: String,
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at {} {}", self.code, self.kind, self.component_id)?;
        if let Some(name) = &self.component_name {
            write!(f, " ({name})")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// The explained result of walking one flow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Trace {
    /// The packet as the source sent it.
    pub flow: Header,
    /// Components passed on the way there, in order.
    pub forward: Vec<Hop>,
    /// Components passed by the response, in order (empty when the forward path is blocked).
    pub ret: Vec<Hop>,
    /// Why it stopped, when it did.
    pub explanation: Option<Explanation>,
    /// The packet as the final destination received it (its source is what the target sees).
    pub delivered: Option<Header>,
}

impl Trace {
    /// Whether the flow got there and its response came back.
    pub fn reachable(&self) -> bool {
        self.explanation.is_none()
    }

    /// The source address the final destination saw.
    pub fn seen_source(&self) -> Option<Ipv4Addr> {
        self.delivered.map(|h| h.src)
    }

    /// Whether the forward path passes components of these kinds in this order (others may stand between).
    pub fn passes_in_order(&self, kinds: &[ComponentKind]) -> bool {
        let mut want = kinds.iter().peekable();
        for hop in &self.forward {
            if want.peek().is_some_and(|k| **k == hop.kind) {
                want.next();
            }
        }
        want.peek().is_none()
    }

    /// Whether the forward path passes any component of this kind.
    pub fn passes(&self, kind: ComponentKind) -> bool {
        self.forward.iter().any(|h| h.kind == kind)
    }
}

/// The ephemeral ports a Linux client picks from (N3).
pub const EPHEMERAL: PortRange = PortRange::LINUX_EPHEMERAL;

#[cfg(test)]
mod text_tests {
    use super::Text;

    #[test]
    fn text_behaves_like_the_string_it_replaces() {
        let long = "arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:listener/net/x/1/2";
        for s in ["", "-1", "eni-58673c0b1cc735b65", "vpce-svc-0123456789abcdef0ab", "a\"quoted\" näme", long]
        {
            let t = Text::from(s);
            assert_eq!(t.as_str(), s);
            assert_eq!(t, Text::from(s.to_string()));
            assert_eq!(format!("{t}"), s);
            assert_eq!(format!("{t:?}"), format!("{:?}", s.to_string()));
            assert_eq!(serde_json::to_string(&t).unwrap(), serde_json::to_string(s).unwrap());
        }
        assert_eq!(Text::from("x".repeat(Text::INLINE + 1)).len(), Text::INLINE + 1);
        let digits = "0123456789abcdefghijklmnopqrstuvwxyz";
        for n in 0..=Text::INLINE {
            assert_eq!(Text::from(&digits[..n]).as_str(), &digits[..n], "{n} bytes");
        }
    }
}
