//! Proptest strategies for random but valid topologies and flows.
//!
//! A strategy draws a [`Topology`], plain data that proptest can shrink, whose
//! references are [`Index`]es resolved against what exists when the world is
//! built (so every draw is buildable). [`Topology::build`] makes the world through
//! the public control-plane calls (a call AWS would refuse, such as a second route
//! to one destination, is skipped), then moves the clock so that health checks and
//! endpoint provisioning happen, then applies the late changes (gateways detached,
//! instances terminated) that turn routes into blackholes. Flows are
//! [`FlowPlan`]s resolved against the built world: a source among the running
//! instances and a destination among the addresses that mean something there.
//!
//! Sizes are small by default (one to three VPCs of one to three subnets, at most
//! three instances per subnet): small worlds shrink to readable failures.

use std::net::Ipv4Addr;

use proptest::prelude::*;
use proptest::sample::Index;

use crate::ids::EniId;
use crate::model::nlb::CrossZone;
use crate::trace::Flow;
use crate::world::World;

/// The VPC blocks a topology draws from: two VPCs may share one (no peering, so that is legal),
/// and 20.0.0.0/16 is public space used privately, as in the lab (A3).
pub const VPC_BLOCKS: [&str; 4] = ["10.0.0.0/16", "10.1.0.0/16", "20.0.0.0/16", "10.0.0.0/16"];

/// A whole topology: VPCs, then the clock, then late changes.
#[derive(Clone, Debug)]
pub struct Topology {
    /// The world's seed (ids, addresses, flow hashes).
    pub seed: u64,
    /// The VPCs.
    pub vpcs: Vec<VpcPlan>,
    /// Seconds the clock moves after building (health checks, endpoint provisioning).
    pub clock_s: u64,
    /// Changes after the clock.
    pub late: Vec<Change>,
    /// Peering connections between the VPCs, made after the VPCs (V1-V5).
    pub peerings: Vec<PeeringPlan>,
    /// Gateway endpoints to S3 or DynamoDB on chosen route tables (E1-E4).
    pub gateway_endpoints: Vec<GatewayEndpointPlan>,
    /// Interface endpoints to AWS services (P13).
    pub aws_endpoints: Vec<AwsEndpointPlan>,
}

/// A gateway endpoint (E1): its VPC, its service and the tables it adds its route to.
#[derive(Clone, Debug)]
pub struct GatewayEndpointPlan {
    /// The VPC.
    pub vpc: Index,
    /// DynamoDB (else S3).
    pub dynamodb: bool,
    /// Tables of that VPC (the main one first, then the custom ones); repeats are dropped, and
    /// none at all is legal (the endpoint then carries nothing).
    pub tables: Vec<Index>,
    /// E2: a policy set after creation (modify-vpc-endpoint), else full access.
    pub policy: Option<PolicyPlan>,
}

/// A gateway endpoint's policy (E2), written with the endpoint's and VPC's ids.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyPlan {
    /// Allow everything, then deny everything.
    DenyEverything,
    /// Allow everything only through this endpoint (`aws:SourceVpce`).
    AllowThisEndpoint,
    /// Allow everything only through another endpoint: nothing is allowed here.
    AllowAnotherEndpoint,
    /// Allow everything, deny what does not come from this VPC (`aws:SourceVpc`, StringNotEquals).
    DenyOutsideThisVpc,
    /// Allow reading one bucket: undecidable for a flow, which passes.
    AllowOneBucket,
}

/// The AWS services generated interface endpoints go to (P13): S3's private DNS needs a
/// gateway endpoint in the VPC, so some of its requests are refused.
pub const AWS_SERVICES: [&str; 5] = ["ssm", "ssmmessages", "ec2messages", "sts", "s3"];

/// An interface endpoint to an AWS service (P13).
#[derive(Clone, Debug)]
pub struct AwsEndpointPlan {
    /// The VPC.
    pub vpc: Index,
    /// Index into [`AWS_SERVICES`].
    pub service: usize,
    /// Subnets of the VPC (one per AZ; repeats are dropped).
    pub subnets: Vec<Index>,
    /// Groups of the VPC (empty: its default group).
    pub groups: Vec<Index>,
    /// PrivateDnsEnabled (P11 refuses it without DNS hostnames).
    pub private_dns: bool,
}

/// A peering connection and a route at each side (V1, V2).
#[derive(Clone, Debug)]
pub struct PeeringPlan {
    /// The requester VPC.
    pub requester: Index,
    /// The accepter VPC (the same VPC, or an overlapping one, is refused or fails).
    pub accepter: Index,
    /// Accepted (else it stays pending: its routes are blackholes).
    pub accept: bool,
    /// A route in the requester's main table to the connection: index into its route destinations.
    pub requester_route: Option<usize>,
    /// The same in the accepter's main table.
    pub accepter_route: Option<usize>,
}

/// One VPC and what lives in it.
#[derive(Clone, Debug)]
pub struct VpcPlan {
    /// Index into [`VPC_BLOCKS`].
    pub block: usize,
    /// An internet gateway attached to it.
    pub igw: bool,
    /// enableDnsHostnames (D2).
    pub dns_hostnames: bool,
    /// A web group like the lab's (tcp 80 and 443 from anywhere), listed right after the default group.
    pub web_group: bool,
    /// Custom security groups (the default group always exists).
    pub groups: Vec<GroupPlan>,
    /// Custom network ACLs (the default one always exists).
    pub acls: Vec<AclPlan>,
    /// A default route (0.0.0.0/0) to the internet gateway in the main table.
    pub default_route: bool,
    /// Routes of the main table.
    pub main_routes: Vec<RoutePlan>,
    /// Custom route tables.
    pub tables: Vec<Vec<RoutePlan>>,
    /// Subnets (the `i`th is the VPC's `i`th /24).
    pub subnets: Vec<SubnetPlan>,
    /// A Network Load Balancer.
    pub nlb: Option<NlbPlan>,
    /// A public NAT gateway (G1-G4).
    pub nat: Option<NatPlan>,
    /// A NAT instance (G5): every custom table's 0.0.0.0/0 goes to one of the VPC's instances.
    pub nat_instance: Option<NatInstancePlan>,
}

/// Routes to a NAT instance (G5).
#[derive(Clone, Debug)]
pub struct NatInstancePlan {
    /// The instance: the VPC's `instance % n`th, in launch order.
    pub instance: usize,
    /// Route to its interface (`--network-interface-id`) rather than to the instance.
    pub by_interface: bool,
}

/// A public NAT gateway with an Elastic IP in one of the VPC's subnets (G1).
#[derive(Clone, Debug)]
pub struct NatPlan {
    /// Its subnet, the VPC's `subnet % n`th (a public one when that subnet uses the main
    /// table and the VPC has a default route to its internet gateway).
    pub subnet: usize,
    /// Whether each custom route table (the private subnets') gets 0.0.0.0/0 to it (G2).
    pub private_routes: bool,
}

/// A security group's rules.
#[derive(Clone, Debug)]
pub struct GroupPlan {
    /// Inbound rules.
    pub ingress: Vec<RulePlan>,
    /// Outbound rules instead of the default allow-all (S3), when given.
    pub egress: Option<Vec<RulePlan>>,
}

/// A security group rule.
#[derive(Clone, Debug)]
pub struct RulePlan {
    /// Index into [`RULE_PROTOCOLS`].
    pub protocol: usize,
    /// Index into [`PORT_RANGES`].
    pub ports: usize,
    /// The peer.
    pub peer: PeerPlan,
}

/// A rule's peer.
#[derive(Clone, Debug)]
pub enum PeerPlan {
    /// A block from the rule CIDR pool (see [`Topology::build`]).
    Cidr(usize),
    /// A group of the same VPC (the default group included).
    Group(Index),
}

/// A network ACL's numbered entries.
#[derive(Clone, Debug)]
pub struct AclPlan {
    /// Inbound entries.
    pub ingress: Vec<AclEntryPlan>,
    /// Outbound entries.
    pub egress: Vec<AclEntryPlan>,
}

/// One numbered entry.
#[derive(Clone, Debug)]
pub struct AclEntryPlan {
    /// The rule number.
    pub number: u16,
    /// Allow or deny.
    pub allow: bool,
    /// Index into [`RULE_PROTOCOLS`].
    pub protocol: usize,
    /// Index into [`PORT_RANGES`].
    pub ports: usize,
    /// Index into the rule CIDR pool.
    pub cidr: usize,
}

/// A route.
#[derive(Clone, Debug)]
pub struct RoutePlan {
    /// Index into the route destination pool.
    pub destination: usize,
    /// Where it points.
    pub target: TargetPlan,
}

/// A route's target.
#[derive(Clone, Debug)]
pub enum TargetPlan {
    /// The VPC's internet gateway.
    Igw,
    /// An instance of the VPC (an appliance when its source/destination check is off).
    Instance(Index),
    /// The interface of an instance of the VPC.
    Interface(Index),
    /// The VPC's NAT gateway, if it has one (G2).
    Nat,
}

/// A subnet.
#[derive(Clone, Debug)]
pub struct SubnetPlan {
    /// Index into the region's AZs.
    pub az: usize,
    /// An explicit route table (else the main one).
    pub table: Option<Index>,
    /// A custom NACL (else the default one).
    pub acl: Option<Index>,
    /// Instances launched in it.
    pub instances: Vec<InstancePlan>,
}

/// An instance.
#[derive(Clone, Debug)]
pub struct InstancePlan {
    /// An explicit private address: this host number of the subnet (A4), else the allocator's
    /// choice. Few numbers, so that VPCs sharing a block share addresses too.
    pub host: Option<u32>,
    /// AssociatePublicIpAddress.
    pub public_ip: bool,
    /// An Elastic IP associated after launch (it replaces the auto-assigned address, I1).
    pub eip: bool,
    /// Groups of the VPC (empty: the default group, S4).
    pub groups: Vec<Index>,
    /// Source/destination check.
    pub source_dest_check: bool,
    /// What its kernel does with packets for others (G5); None: the default (no forwarding).
    pub forwarding: Option<ForwardingPlan>,
    /// Serves HTTP on port 80 (health checks pass).
    pub http: bool,
}

/// IP forwarding and masquerade rules of an instance (G5).
#[derive(Clone, Debug)]
pub struct ForwardingPlan {
    /// `net.ipv4.ip_forward=1`.
    pub ip_forward: bool,
    /// `iptables -t nat -A POSTROUTING ... -j MASQUERADE` rules, in order.
    pub masquerade: Vec<MasqueradePlan>,
}

/// One masquerade rule: which packets it rewrites.
#[derive(Clone, Debug)]
pub enum MasqueradePlan {
    /// Every packet.
    Any,
    /// `-s CIDR`: a block of the rule CIDR pool.
    Source(usize),
    /// `-d CIDR`: a block of the rule CIDR pool.
    Destination(usize),
}

/// A Network Load Balancer with one target group and perhaps an endpoint service.
#[derive(Clone, Debug)]
pub struct NlbPlan {
    /// Internal (else internet-facing, when the VPC has a gateway).
    pub internal: bool,
    /// Cross-zone load balancing.
    pub cross_zone: bool,
    /// Use the VPC's first custom group as the NLB's group (L9).
    pub with_group: bool,
    /// With a group: whether it also filters PrivateLink traffic (L9).
    pub enforce_on_privatelink: bool,
    /// The target group's own cross-zone attribute (L12).
    pub group_cross_zone: CrossZone,
    /// Subnets (one per AZ; repeats are dropped).
    pub subnets: Vec<Index>,
    /// Listeners: index into [`LISTENER_PROTOCOLS`] and into [`FLOW_PORTS`].
    pub listeners: Vec<(usize, usize)>,
    /// Register targets by address (target type ip) instead of by instance.
    pub ip_targets: bool,
    /// Targets: instances of the VPC (or their addresses).
    pub targets: Vec<Index>,
    /// An endpoint service in front of it.
    pub service: Option<ServicePlan>,
}

/// An endpoint service and the endpoints to it.
#[derive(Clone, Debug)]
pub struct ServicePlan {
    /// AcceptanceRequired (P2).
    pub acceptance: bool,
    /// Endpoints.
    pub endpoints: Vec<EndpointPlan>,
}

/// An interface endpoint.
#[derive(Clone, Debug)]
pub struct EndpointPlan {
    /// The consumer VPC.
    pub vpc: Index,
    /// Groups of that VPC (empty: its default group).
    pub groups: Vec<Index>,
    /// What the provider and consumer do with it.
    pub fate: Fate,
}

/// What happens to an endpoint (P2, P10).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    /// Nothing: it waits (pendingAcceptance) or provisions.
    Leave,
    /// Accepted: pending, then available after the clock moves.
    Accept,
    /// Rejected.
    Reject,
    /// Deleted by the consumer.
    Delete,
}

/// A late change, after the clock moved.
#[derive(Clone, Debug)]
pub enum Change {
    /// Detach a VPC's internet gateway, its instances with public addresses terminated first
    /// (I7): routes to it become blackholes (R5).
    DetachIgw(Index),
    /// Terminate an instance: routes to it become blackholes (R5).
    Terminate(Index),
    /// Delete a peering connection: its routes become blackholes (V5).
    DeletePeering(Index),
    /// Delete a VPC's NAT gateway: routes to it become blackholes (G4).
    DeleteNat(Index),
}

/// A flow to resolve against a built world.
#[derive(Clone, Debug)]
pub struct FlowPlan {
    /// The source, among running instances.
    pub src: Index,
    /// What kind of destination: 0 any address of the world, 1 a load balancer node, 2 an
    /// endpoint, 3 an interface of the source's own VPC, 4 S3 or DynamoDB (see [`destinations`](super::Case::destinations)).
    pub aim: usize,
    /// The destination, among the addresses of that kind.
    pub dst: Index,
    /// Index into [`FLOW_PROTOCOLS`].
    pub protocol: usize,
    /// Index into [`FLOW_PORTS`].
    pub dst_port: usize,
    /// Source port.
    pub src_port: u16,
    /// TCP initial sequence number (L5).
    pub seq: u32,
}

/// Protocols of rules and entries: tcp, udp, icmp, all.
pub const RULE_PROTOCOLS: [&str; 4] = ["tcp", "udp", "icmp", "-1"];
/// Port ranges of rules and entries.
pub const PORT_RANGES: [(u16, u16); 7] =
    [(80, 80), (22, 22), (0, 1023), (80, 443), (1024, 65535), (32768, 60999), (0, 65535)];
/// Listener protocols (TCP twice).
pub const LISTENER_PROTOCOLS: [&str; 4] = ["TCP", "TCP", "UDP", "TCP_UDP"];
/// Protocols of flows (tcp four times: most traffic is).
pub const FLOW_PROTOCOLS: [&str; 6] = ["tcp", "tcp", "tcp", "tcp", "udp", "icmp"];
/// Destination ports of flows (the web ports more often) and listeners (the first two).
pub const FLOW_PORTS: [u16; 6] = [80, 443, 80, 443, 22, 53];
/// Clock moves: nothing, past the first failed checks, past provisioning, past healthy thresholds.
pub const CLOCKS_S: [u64; 4] = [0, 45, 135, 300];

fn rule() -> impl Strategy<Value = RulePlan> {
    let peer =
        prop_oneof![3 => (0..8usize).prop_map(PeerPlan::Cidr), 1 => any::<Index>().prop_map(PeerPlan::Group)];
    (0..RULE_PROTOCOLS.len(), 0..PORT_RANGES.len(), peer).prop_map(|(protocol, ports, peer)| RulePlan {
        protocol,
        ports,
        peer,
    })
}

fn group() -> impl Strategy<Value = GroupPlan> {
    let egress = prop_oneof![3 => Just(None), 1 => prop::collection::vec(rule(), 0..3).prop_map(Some)];
    (prop::collection::vec(rule(), 0..4), egress).prop_map(|(ingress, egress)| GroupPlan { ingress, egress })
}

fn acl_entry() -> impl Strategy<Value = AclEntryPlan> {
    (1..=20u16, prop::bool::weighted(0.8), 0..RULE_PROTOCOLS.len(), 0..PORT_RANGES.len(), 0..8usize).prop_map(
        |(n, allow, protocol, ports, cidr)| AclEntryPlan { number: n * 10, allow, protocol, ports, cidr },
    )
}

fn acl() -> impl Strategy<Value = AclPlan> {
    (prop::collection::vec(acl_entry(), 0..4), prop::collection::vec(acl_entry(), 0..4))
        .prop_map(|(ingress, egress)| AclPlan { ingress, egress })
}

fn route() -> impl Strategy<Value = RoutePlan> {
    let target = prop_oneof![
        2 => Just(TargetPlan::Igw),
        2 => any::<Index>().prop_map(TargetPlan::Instance),
        1 => any::<Index>().prop_map(TargetPlan::Interface),
        1 => Just(TargetPlan::Nat)
    ];
    (0..ROUTE_DESTINATIONS, target).prop_map(|(destination, target)| RoutePlan { destination, target })
}

fn masquerade() -> impl Strategy<Value = MasqueradePlan> {
    prop_oneof![
        3 => Just(MasqueradePlan::Any),
        1 => (0..8usize).prop_map(MasqueradePlan::Source),
        1 => (0..8usize).prop_map(MasqueradePlan::Destination)
    ]
}

fn forwarding() -> impl Strategy<Value = ForwardingPlan> {
    (prop::bool::weighted(0.85), prop::collection::vec(masquerade(), 0..3))
        .prop_map(|(ip_forward, masquerade)| ForwardingPlan { ip_forward, masquerade })
}

fn instance() -> impl Strategy<Value = InstancePlan> {
    let address = (prop::option::weighted(0.5, 10..13u32), any::<bool>(), prop::bool::weighted(0.2));
    let kernel = (prop::bool::weighted(0.7), prop::option::weighted(0.4, forwarding()));
    (address, prop::collection::vec(any::<Index>(), 0..3), kernel, any::<bool>()).prop_map(
        |((host, public_ip, eip), groups, (source_dest_check, forwarding), http)| InstancePlan {
            host,
            public_ip,
            eip,
            groups,
            source_dest_check,
            forwarding,
            http,
        },
    )
}

fn subnet() -> impl Strategy<Value = SubnetPlan> {
    (
        0..3usize,
        prop::option::of(any::<Index>()),
        prop::option::weighted(0.25, any::<Index>()),
        prop::collection::vec(instance(), 0..4),
    )
        .prop_map(|(az, table, acl, instances)| SubnetPlan { az, table, acl, instances })
}

fn endpoint() -> impl Strategy<Value = EndpointPlan> {
    let fate = prop_oneof![1 => Just(Fate::Leave), 8 => Just(Fate::Accept), 1 => Just(Fate::Reject), 2 => Just(Fate::Delete)];
    (any::<Index>(), prop::collection::vec(any::<Index>(), 0..2), fate)
        .prop_map(|(vpc, groups, fate)| EndpointPlan { vpc, groups, fate })
}

fn nlb() -> impl Strategy<Value = NlbPlan> {
    let service = prop::option::weighted(
        0.8,
        (any::<bool>(), prop::collection::vec(endpoint(), 1..3))
            .prop_map(|(acceptance, endpoints)| ServicePlan { acceptance, endpoints }),
    );
    let group_cross_zone = prop_oneof![
        6 => Just(CrossZone::UseLoadBalancer),
        2 => Just(CrossZone::On),
        2 => Just(CrossZone::Off)
    ];
    (
        (any::<bool>(), prop::bool::weighted(0.3), prop::bool::weighted(0.3), prop::bool::weighted(0.3)),
        (prop::bool::weighted(0.7), group_cross_zone),
        prop::collection::vec(any::<Index>(), 1..3),
        prop::collection::vec((0..LISTENER_PROTOCOLS.len(), 0..2usize), 1..3),
        prop::collection::vec(any::<Index>(), 0..4),
        service,
    )
        .prop_map(
            |(
                (internal, cross_zone, with_group, ip_targets),
                (enforce_on_privatelink, group_cross_zone),
                subnets,
                listeners,
                targets,
                service,
            )| {
                NlbPlan {
                    internal,
                    cross_zone,
                    with_group,
                    enforce_on_privatelink,
                    group_cross_zone,
                    ip_targets,
                    subnets,
                    listeners,
                    targets,
                    service,
                }
            },
        )
}

fn vpc() -> impl Strategy<Value = VpcPlan> {
    (
        (
            (0..VPC_BLOCKS.len(), prop::bool::weighted(0.8), any::<bool>()),
            prop::bool::weighted(0.7),
            prop::bool::weighted(0.6),
        ),
        prop::collection::vec(group(), 0..3),
        prop::collection::vec(acl(), 0..2),
        prop::collection::vec(route(), 0..3),
        prop::collection::vec(prop::collection::vec(route(), 0..3), 0..2),
        prop::collection::vec(subnet(), 1..4),
        (
            prop::option::weighted(0.6, nlb()),
            prop::option::weighted(0.4, nat()),
            prop::option::weighted(0.2, nat_instance()),
        ),
    )
        .prop_map(
            |(
                ((block, igw, dns_hostnames), default_route, web_group),
                groups,
                acls,
                main_routes,
                tables,
                subnets,
                (nlb, nat, nat_instance),
            )| {
                VpcPlan {
                    block,
                    igw,
                    dns_hostnames,
                    default_route,
                    web_group,
                    groups,
                    acls,
                    main_routes,
                    tables,
                    subnets,
                    nlb,
                    nat,
                    nat_instance,
                }
            },
        )
}

fn nat_instance() -> impl Strategy<Value = NatInstancePlan> {
    (0..8usize, any::<bool>()).prop_map(|(instance, by_interface)| NatInstancePlan { instance, by_interface })
}

fn gateway_endpoint() -> impl Strategy<Value = GatewayEndpointPlan> {
    let policy = prop::option::weighted(
        0.4,
        prop::sample::select(
            &[
                PolicyPlan::DenyEverything,
                PolicyPlan::AllowThisEndpoint,
                PolicyPlan::AllowAnotherEndpoint,
                PolicyPlan::DenyOutsideThisVpc,
                PolicyPlan::AllowOneBucket,
            ][..],
        ),
    );
    (any::<Index>(), prop::bool::weighted(0.3), prop::collection::vec(any::<Index>(), 0..3), policy)
        .prop_map(|(vpc, dynamodb, tables, policy)| GatewayEndpointPlan { vpc, dynamodb, tables, policy })
}

fn aws_endpoint() -> impl Strategy<Value = AwsEndpointPlan> {
    (
        any::<Index>(),
        0..AWS_SERVICES.len(),
        prop::collection::vec(any::<Index>(), 1..3),
        prop::collection::vec(any::<Index>(), 0..2),
        prop::bool::weighted(0.7),
    )
        .prop_map(|(vpc, service, subnets, groups, private_dns)| AwsEndpointPlan {
            vpc,
            service,
            subnets,
            groups,
            private_dns,
        })
}

fn nat() -> impl Strategy<Value = NatPlan> {
    (0..3usize, prop::bool::weighted(0.8))
        .prop_map(|(subnet, private_routes)| NatPlan { subnet, private_routes })
}

fn peering() -> impl Strategy<Value = PeeringPlan> {
    (
        any::<Index>(),
        any::<Index>(),
        prop::bool::weighted(0.8),
        prop::option::weighted(0.8, 0..ROUTE_DESTINATIONS),
        prop::option::weighted(0.8, 0..ROUTE_DESTINATIONS),
    )
        .prop_map(|(requester, accepter, accept, requester_route, accepter_route)| PeeringPlan {
            requester,
            accepter,
            accept,
            requester_route,
            accepter_route,
        })
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        any::<Index>().prop_map(Change::DetachIgw),
        any::<Index>().prop_map(Change::Terminate),
        any::<Index>().prop_map(Change::DeletePeering),
        any::<Index>().prop_map(Change::DeleteNat)
    ]
}

/// A random valid topology: one to three VPCs.
pub fn topology() -> impl Strategy<Value = Topology> {
    (0..1000u64, prop::collection::vec(vpc(), 1..4), prop_oneof![1 => Just(CLOCKS_S[0]), 1 => Just(CLOCKS_S[1]), 3 => Just(CLOCKS_S[2]), 3 => Just(CLOCKS_S[3])], prop::collection::vec(change(), 0..2))
        .prop_flat_map(|(seed, vpcs, clock_s, late)| {
            (
                prop::collection::vec(peering(), 0..3),
                prop::collection::vec(gateway_endpoint(), 0..3),
                prop::collection::vec(aws_endpoint(), 0..2),
            )
                .prop_map(move |(peerings, gateway_endpoints, aws_endpoints)| Topology {
                    seed,
                    vpcs: vpcs.clone(),
                    clock_s,
                    late: late.clone(),
                    peerings,
                    gateway_endpoints,
                    aws_endpoints,
                })
        })
}

/// A random topology whose first VPC always holds an NLB with a web group, fronted by an
/// endpoint service that has at least one accepted endpoint, the clock moved past
/// provisioning and health checks: PrivateLink paths, which random worlds rarely complete.
pub fn privatelink_topology() -> impl Strategy<Value = Topology> {
    let extra = (endpoint(), any::<bool>(), instance(), any::<Index>());
    (topology(), nlb(), extra).prop_map(|(mut t, mut nlb, (mut endpoint, acceptance, mut web, target))| {
        endpoint.fate = Fate::Accept;
        let service = nlb.service.get_or_insert(ServicePlan { acceptance, endpoints: Vec::new() });
        service.endpoints.insert(0, endpoint);
        nlb.targets.push(target);
        web.http = true;
        let provider = &mut t.vpcs[0];
        provider.web_group = true;
        provider.subnets[0].instances.push(web);
        provider.nlb = Some(nlb);
        t.clock_s = CLOCKS_S[3];
        t
    })
}

/// A random topology whose first VPC is a public and private pair around a public NAT
/// gateway (G1, G2): an internet gateway with the default route in the main table, the NAT
/// gateway in a first subnet on that table, a second subnet on a custom table routing
/// 0.0.0.0/0 to it with an instance in it, the clock past the gateway's start: NAT paths,
/// which random worlds rarely complete.
pub fn nat_topology() -> impl Strategy<Value = Topology> {
    (topology(), subnet(), instance(), 0..3usize, any::<Index>()).prop_map(
        |(mut t, mut private, mut host, az, table)| {
            let v = &mut t.vpcs[0];
            (v.igw, v.default_route) = (true, true);
            v.subnets[0].table = None;
            v.subnets.truncate(2);
            host.source_dest_check = true;
            private.instances.insert(0, host);
            private.table = Some(table); // every custom table routes to the NAT gateway
            private.az = az;
            v.subnets.insert(1, private);
            v.subnets.truncate(3);
            if v.tables.is_empty() {
                v.tables.push(Vec::new());
            }
            v.nat = Some(NatPlan { subnet: 0, private_routes: true });
            v.nat_instance = None;
            t.clock_s = CLOCKS_S[3];
            t
        },
    )
}

/// A random topology whose first VPC is a public and private pair around a NAT instance (G5):
/// an internet gateway with the default route in the main table; in a first subnet on that
/// table, the VPC's first instance, with a public address, its check off and a drawn kernel
/// (forwarding mostly on, at least one masquerade rule, often for every source); a second
/// subnet on a custom table whose 0.0.0.0/0 goes to it (or its interface), with an instance;
/// half the time both wear only the default group, which admits its members: NAT-instance
/// paths, which random worlds rarely complete.
pub fn nat_instance_topology() -> impl Strategy<Value = Topology> {
    let parts = (
        subnet(),
        instance(),
        instance(),
        0..3usize,
        any::<Index>(),
        forwarding(),
        any::<bool>(),
        any::<bool>(),
    );
    (topology(), parts).prop_map(
        |(mut t, (mut private, mut host, mut nat, az, table, mut kernel, by_interface, open))| {
            let v = &mut t.vpcs[0];
            (v.igw, v.default_route) = (true, true);
            v.subnets[0].table = None;
            v.subnets.truncate(2);
            if kernel.masquerade.is_empty() {
                kernel.masquerade.push(MasqueradePlan::Any);
            }
            (nat.public_ip, nat.source_dest_check, nat.forwarding) = (true, false, Some(kernel));
            host.source_dest_check = true;
            if open {
                nat.groups.clear();
                host.groups.clear();
            }
            v.subnets[0].instances.insert(0, nat); // The VPC's first instance.
            private.instances.insert(0, host);
            private.table = Some(table); // every custom table routes to the NAT instance
            private.az = az;
            v.subnets.insert(1, private);
            v.subnets.truncate(3);
            if v.tables.is_empty() {
                v.tables.push(Vec::new());
            }
            v.nat = None;
            v.nat_instance = Some(NatInstancePlan { instance: 0, by_interface });
            t.clock_s = CLOCKS_S[3];
            t
        },
    )
}

/// One random flow plan.
pub fn flow() -> impl Strategy<Value = FlowPlan> {
    let src_port = prop::sample::select(&[40000u16, 1024, 50000, 61000][..]);
    (
        any::<Index>(),
        prop_oneof![4 => 0..4usize, 1 => Just(4usize)],
        any::<Index>(),
        0..FLOW_PROTOCOLS.len(),
        0..FLOW_PORTS.len(),
        src_port,
        0..4u32,
    )
        .prop_map(|(src, aim, dst, protocol, dst_port, src_port, seq)| FlowPlan {
            src,
            aim,
            dst,
            protocol,
            dst_port,
            src_port,
            seq,
        })
}

/// A built topology with resolved flows: what the properties take.
pub fn case() -> impl Strategy<Value = super::Case> {
    (topology(), prop::collection::vec(flow(), 1..9)).prop_map(|(t, f)| super::Case::new(t, f))
}

/// A case over [`privatelink_topology`].
pub fn privatelink_case() -> impl Strategy<Value = super::Case> {
    (privatelink_topology(), prop::collection::vec(flow(), 1..9)).prop_map(|(t, f)| super::Case::new(t, f))
}

/// A case over [`nat_topology`].
pub fn nat_case() -> impl Strategy<Value = super::Case> {
    (nat_topology(), prop::collection::vec(flow(), 1..9)).prop_map(|(t, f)| super::Case::new(t, f))
}

/// A case over [`nat_instance_topology`].
pub fn nat_instance_case() -> impl Strategy<Value = super::Case> {
    (nat_instance_topology(), prop::collection::vec(flow(), 1..9)).prop_map(|(t, f)| super::Case::new(t, f))
}

/// Any of them: two fifths [`case`], a fifth each [`privatelink_case`], [`nat_case`] and
/// [`nat_instance_case`].
pub fn mixed_case() -> impl Strategy<Value = super::Case> {
    prop_oneof![2 => case(), 1 => privatelink_case(), 1 => nat_case(), 1 => nat_instance_case()]
}

/// A world and flows from its interfaces, for users' own properties.
pub fn world_and_flows() -> impl Strategy<Value = (World, Vec<(EniId, Flow)>)> {
    case().prop_map(|c| (c.world, c.flows))
}

/// The rule CIDR pool of a VPC: anywhere, the private ranges, its own block and first two subnets,
/// the lab's public-as-private range, one of the region's Amazon ranges.
pub fn rule_cidrs(vpc_block: &str) -> [String; 8] {
    let b: crate::addr::Cidr = vpc_block.parse().expect("a block of VPC_BLOCKS");
    let sub = |i: u32| crate::addr::Cidr::new(b.nth(i * 256), 24).to_string();
    [
        "0.0.0.0/0".into(),
        "10.0.0.0/8".into(),
        vpc_block.to_string(),
        sub(0),
        sub(1),
        "20.0.0.0/8".into(),
        "172.16.0.0/12".into(),
        "13.124.0.0/15".into(),
    ]
}

/// How many destinations [`route_destinations`] holds.
pub const ROUTE_DESTINATIONS: usize = 12;

/// The route destination pool of a VPC: default, the other blocks, its own subnets (more
/// specific than local), the internet hosts' ranges, an Amazon range, and around the
/// region's S3 address (3.5.184.10 in its list's 3.5.184.0/21) a block more specific than the
/// list's entry and one less specific (E1: longest match over the list's entries).
pub fn route_destinations(vpc_block: &str) -> [String; ROUTE_DESTINATIONS] {
    let b: crate::addr::Cidr = vpc_block.parse().expect("a block of VPC_BLOCKS");
    let sub = |i: u32| crate::addr::Cidr::new(b.nth(i * 256), 24).to_string();
    [
        "0.0.0.0/0".into(),
        "10.0.0.0/16".into(),
        "10.1.0.0/16".into(),
        "20.0.0.0/16".into(),
        sub(1),
        sub(2),
        "52.206.188.0/24".into(),
        "8.8.8.0/24".into(),
        "10.0.0.0/8".into(),
        "15.164.0.0/15".into(),
        "3.5.184.0/24".into(),
        "3.0.0.0/8".into(),
    ]
}

/// An address that no interface holds: the `n`th host of a VPC block's last /24.
pub fn unowned(vpc_block: &str, n: u32) -> Ipv4Addr {
    let b: crate::addr::Cidr = vpc_block.parse().expect("a block of VPC_BLOCKS");
    b.nth(255 * 256 + n)
}
