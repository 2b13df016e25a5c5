//! What matched at a component, as typed values: the rule, route, listener or target
//! that let a packet through (or stopped it), with ports, protocols, actions, peers and
//! states as the model holds them. Text is a rendering ([`fmt::Display`]), JSON another
//! (serde here, the Reachability Analyzer shape in [`super::analysis`]); nothing is
//! formatted while the walk records a hop.

use std::fmt;
use std::net::Ipv4Addr;

use serde::{Serialize, Serializer};

use super::{Direction, Text};
use crate::addr::{Cidr, PortRange, Protocol, RuleProtocol};
use crate::model::nacl::Action;
use crate::model::nlb::ListenerProtocol;

/// What matched at a component: the reason it let the packet through (or not).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Matched {
    /// A security group rule allowed the packet.
    SecurityGroupRule {
        /// Direction of the rule.
        direction: Direction,
        /// The group's id.
        group_id: Text,
        /// Protocol of the rule (`-1` for all).
        #[serde(serialize_with = "as_display")]
        protocol: RuleProtocol,
        /// Port range of the rule (every port when the protocol is all).
        #[serde(serialize_with = "as_display")]
        ports: PortRange,
        /// The CIDR, prefix list or group the rule names.
        peer: SgPeer,
    },
    /// A response allowed because security groups are stateful (S2).
    Stateful {
        /// Direction of the response at this ENI.
        direction: Direction,
    },
    /// A network ACL rule decided.
    AclRule {
        /// Direction of the rule.
        direction: Direction,
        /// Rule number, or `None` for the final `*` rule.
        rule_number: Option<u16>,
        /// Allow or deny.
        #[serde(serialize_with = "acl_action")]
        action: Action,
        /// CIDR of the rule.
        cidr: Cidr,
        /// Protocol of the rule.
        #[serde(serialize_with = "as_display")]
        protocol: RuleProtocol,
        /// Port range of the rule.
        #[serde(serialize_with = "as_display")]
        ports: PortRange,
    },
    /// A route matched.
    Route {
        /// The route's destination.
        destination: Cidr,
        /// The route's target.
        target: RouteTarget,
        /// Whether the route carries traffic.
        state: RouteState,
    },
    /// A listener took the packet.
    Listener {
        /// Listener protocol.
        #[serde(serialize_with = "listener_protocol")]
        protocol: ListenerProtocol,
        /// Listener port.
        port: u16,
    },
    /// A target was chosen.
    Target {
        /// The target as its group lists it.
        target: TargetId,
        /// Target address.
        address: Ipv4Addr,
        /// Target port.
        port: u16,
        /// Why this one: the flow hash and the candidates (L5).
        choice: FlowHashChoice,
    },
    /// A state that allowed or stopped traffic (an endpoint's, a gateway's).
    State {
        /// The state's name.
        state: Text,
    },
    /// Delivered to a host.
    Delivered,
}

/// The peer a security group rule names (S3-S5).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SgPeer {
    /// A CIDR block.
    Cidr(Cidr),
    /// A managed prefix list, by id.
    PrefixList(Text),
    /// A security group, by id.
    Group(Text),
}

/// Where a route sends traffic, as the route table names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RouteTarget {
    /// R2: within the VPC.
    Local,
    /// An internet gateway, by id.
    InternetGateway(Text),
    /// A network interface, by id.
    NetworkInterface(Text),
    /// An instance, by id.
    Instance(Text),
    /// A NAT gateway, by id.
    NatGateway(Text),
    /// A VPC peering connection, by id.
    VpcPeeringConnection(Text),
    /// A transit gateway, by id.
    TransitGateway(Text),
    /// A gateway VPC endpoint, by id.
    GatewayEndpoint(Text),
}

impl RouteTarget {
    /// The target's id, `local` for the VPC itself.
    pub fn id(&self) -> &str {
        match self {
            RouteTarget::Local => "local",
            RouteTarget::InternetGateway(id)
            | RouteTarget::NetworkInterface(id)
            | RouteTarget::Instance(id)
            | RouteTarget::NatGateway(id)
            | RouteTarget::VpcPeeringConnection(id)
            | RouteTarget::TransitGateway(id)
            | RouteTarget::GatewayEndpoint(id) => id,
        }
    }
}

/// A route's state (R5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RouteState {
    /// Its target exists and is attached.
    Active,
    /// Its target is gone or detached: matching packets are dropped.
    Blackhole,
}

impl RouteState {
    /// `active` or `blackhole`, as the API spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            RouteState::Active => "active",
            RouteState::Blackhole => "blackhole",
        }
    }
}

/// A load balancer target, as its target group lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TargetId {
    /// An instance, by id.
    Instance(Text),
    /// An address (`ip` target type).
    Ip(Ipv4Addr),
}

/// Which targets a load balancer node chose among.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TargetPool {
    /// The healthy targets.
    Healthy,
    /// Every target: none was healthy, so the node fails open (L6).
    FailOpen,
}

/// How a Network Load Balancer node picked a target (L5): the flow hash modulo the candidates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct FlowHashChoice {
    /// The flow's hash.
    pub hash: u64,
    /// How many targets it chose among.
    pub candidates: u32,
    /// Which targets those were.
    pub pool: TargetPool,
    /// The node's Availability Zone (`?` when the target has no subnet).
    pub az: &'static str,
}

fn as_display<T: fmt::Display, S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

fn acl_action<S: Serializer>(a: &Action, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(a.as_str())
}

fn listener_protocol<S: Serializer>(p: &ListenerProtocol, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(p.as_str())
}

/// A rule's ports as the tables show them: `all` for an all-protocols rule or every port.
pub fn rule_ports(protocol: RuleProtocol, ports: PortRange) -> Option<PortRange> {
    (protocol != RuleProtocol::All && !ports.is_all()).then_some(ports)
}

/// The traffic a rule covers, in words a learner reads without the API's codes:
/// `all traffic (protocol -1)`, `all tcp ports`, `tcp 80`, `tcp 1024-65535`.
struct RuleTraffic(RuleProtocol, PortRange);

impl fmt::Display for RuleTraffic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.0, rule_ports(self.0, self.1)) {
            (RuleProtocol::All, _) => f.write_str("all traffic (protocol -1)"),
            (RuleProtocol::One(p), Some(ports)) => write!(f, "{p} {ports}"),
            (RuleProtocol::One(Protocol::Icmp), None) => f.write_str("all icmp"),
            (RuleProtocol::One(p), None) => write!(f, "all {p} ports"),
        }
    }
}

/// `from` for a rule that matches a packet's source (ingress), `to` for its destination.
fn peer_word(direction: Direction) -> &'static str {
    match direction {
        Direction::Ingress => "from",
        Direction::Egress => "to",
    }
}

impl fmt::Display for Matched {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Matched::SecurityGroupRule { direction, group_id, protocol, ports, peer } => {
                let traffic = RuleTraffic(*protocol, *ports);
                write!(f, "{direction} {group_id}: allows {traffic} {} {peer}", peer_word(*direction))
            }
            Matched::Stateful { direction } => write!(f, "{direction}: response allowed (stateful)"),
            Matched::AclRule { direction, rule_number, action, cidr, protocol, ports } => {
                write!(f, "{direction} rule ")?;
                match rule_number {
                    Some(n) => write!(f, "{n}")?,
                    None => f.write_str("*")?,
                }
                let verb = match action {
                    Action::Allow => "allows",
                    Action::Deny => "denies",
                };
                let traffic = RuleTraffic(*protocol, *ports);
                write!(f, ": {verb} {traffic} {} {cidr}", peer_word(*direction))
            }
            Matched::Route { destination, target, state } => {
                write!(f, "{destination} -> {target}")?;
                if *state != RouteState::Active {
                    write!(f, " ({state})")?;
                }
                Ok(())
            }
            Matched::Listener { protocol, port } => write!(f, "{}:{port}", protocol.as_str()),
            Matched::Target { target, address, port, choice } => {
                write!(f, "{target} {address}:{port}, {choice}")
            }
            Matched::State { state } => write!(f, "state {state}"),
            Matched::Delivered => f.write_str("delivered"),
        }
    }
}

impl fmt::Display for SgPeer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SgPeer::Cidr(c) => fmt::Display::fmt(c, f),
            SgPeer::PrefixList(id) | SgPeer::Group(id) => f.write_str(id),
        }
    }
}

impl fmt::Display for RouteTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl fmt::Display for RouteState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for TargetId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TargetId::Instance(id) => f.write_str(id),
            TargetId::Ip(ip) => fmt::Display::fmt(ip, f),
        }
    }
}

impl fmt::Display for FlowHashChoice {
    /// In words: which targets the node chose among, and that a hash of the connection
    /// (not a turn, not the load) decided; the hash itself stays in the JSON.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (n, az) = (self.candidates, self.az);
        match (self.pool, n) {
            (TargetPool::Healthy, 1) => write!(f, "the only healthy target in {az}"),
            (TargetPool::Healthy, _) => {
                write!(f, "chosen by flow hash of the connection among {n} healthy targets in {az}")
            }
            (TargetPool::FailOpen, 1) => write!(f, "the only target in {az}, unhealthy (fail open)"),
            (TargetPool::FailOpen, _) => write!(
                f,
                "chosen by flow hash of the connection among all {n} targets in {az}: none is healthy (fail open)"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Protocol;

    const TCP: RuleProtocol = RuleProtocol::One(Protocol::Tcp);

    fn sg_rule(protocol: RuleProtocol, ports: PortRange, peer: SgPeer) -> Matched {
        Matched::SecurityGroupRule {
            direction: Direction::Ingress,
            group_id: "sg-1".into(),
            protocol,
            ports,
            peer,
        }
    }

    #[test]
    fn a_security_group_rule_reads_as_the_console_lists_it() {
        let any = SgPeer::Cidr(Cidr::ANY);
        assert_eq!(
            sg_rule(TCP, PortRange::single(80), any.clone()).to_string(),
            "ingress sg-1: allows tcp 80 from 0.0.0.0/0"
        );
        let range = PortRange { from: 1024, to: 65535 };
        assert_eq!(
            sg_rule(TCP, range, SgPeer::Group("sg-2".into())).to_string(),
            "ingress sg-1: allows tcp 1024-65535 from sg-2"
        );
        assert_eq!(
            sg_rule(RuleProtocol::All, PortRange::single(80), any).to_string(),
            "ingress sg-1: allows all traffic (protocol -1) from 0.0.0.0/0"
        );
    }

    #[test]
    fn the_final_acl_rule_reads_as_a_star() {
        let m = Matched::AclRule {
            direction: Direction::Egress,
            rule_number: None,
            action: Action::Deny,
            cidr: Cidr::ANY,
            protocol: RuleProtocol::All,
            ports: PortRange::ALL,
        };
        assert_eq!(m.to_string(), "egress rule *: denies all traffic (protocol -1) to 0.0.0.0/0");
    }

    #[test]
    fn a_rule_for_every_port_of_one_protocol_says_so() {
        let m = Matched::AclRule {
            direction: Direction::Ingress,
            rule_number: Some(100),
            action: Action::Allow,
            cidr: Cidr::ANY,
            protocol: TCP,
            ports: PortRange::ALL,
        };
        assert_eq!(m.to_string(), "ingress rule 100: allows all tcp ports from 0.0.0.0/0");
    }

    #[test]
    fn a_blackhole_route_shows_its_state_and_an_active_one_does_not() {
        let route = |state| Matched::Route {
            destination: Cidr::ANY,
            target: RouteTarget::InternetGateway("igw-1".into()),
            state,
        };
        assert_eq!(route(RouteState::Active).to_string(), "0.0.0.0/0 -> igw-1");
        assert_eq!(route(RouteState::Blackhole).to_string(), "0.0.0.0/0 -> igw-1 (blackhole)");
    }

    #[test]
    fn a_target_choice_says_in_words_how_it_was_chosen_among_how_many_and_where() {
        let m = Matched::Target {
            target: TargetId::Ip(Ipv4Addr::new(10, 0, 1, 5)),
            address: Ipv4Addr::new(10, 0, 1, 5),
            port: 80,
            choice: FlowHashChoice {
                hash: 0xe70f_b753,
                candidates: 2,
                pool: TargetPool::FailOpen,
                az: "ap-northeast-2a",
            },
        };
        assert_eq!(
            m.to_string(),
            "10.0.1.5 10.0.1.5:80, chosen by flow hash of the connection among all 2 targets in \
             ap-northeast-2a: none is healthy (fail open)"
        );
    }
}
