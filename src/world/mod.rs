//! The region: arenas of every resource, the indexes the packet walk needs
//! (address to interface, AWS id to handle), the seeded id stream and the virtual
//! clock. All state lives here; the walk ([`crate::forward`]) only reads it.

pub mod arena;
mod index;
pub mod interfaces;
mod links;
mod members;
#[path = "../ops/mod.rs"]
pub mod ops;
mod undo;
pub mod watch;

use std::net::Ipv4Addr;
use std::ops::Index;

pub use self::arena::{Arena, AwsId, Live};
pub(crate) use self::index::DnsName;
use self::index::{DnsNames, SubnetsByAddress};
pub use self::interfaces::Interfaces;
use self::links::Links;
use self::members::MemberLists;
use self::undo::UndoMap;

use crate::ids::*;
use crate::model::autoscaling::{AutoScalingGroup, LaunchTemplate};
use crate::model::connection_notification::ConnectionNotification;
use crate::model::dhcp_options::DhcpOptions;
use crate::model::eigw::EgressOnlyInternetGateway;
use crate::model::eip::ElasticIp;
use crate::model::endpoint_service::EndpointService;
use crate::model::eni::NetworkInterface;
use crate::model::flow_log::{FlowLog, LogGroup};
use crate::model::gateway_endpoint::GatewayEndpoint;
use crate::model::hosted_zone::HostedZone;
use crate::model::igw::InternetGateway;
use crate::model::insights::{
    AccessScope, AccessScopeAnalysis, NetworkInsightsAnalysis, NetworkInsightsPath,
};
use crate::model::instance::Instance;
use crate::model::nacl::NetworkAcl;
use crate::model::nat_gateway::{NatGateway, NatState};
use crate::model::nlb::{Listener, LoadBalancer, TargetGroup};
use crate::model::peering::VpcPeeringConnection;
use crate::model::prefix_list::PrefixList;
use crate::model::route_table::RouteTable;
use crate::model::security_group::SecurityGroup;
use crate::model::subnet::Subnet;
use crate::model::vpc::Vpc;
use crate::model::vpc_endpoint::VpcEndpoint;
use crate::quota::Quotas;
use crate::region::Region;

/// Resources whose `deleted` flag ends their life (their slot and id stay).
macro_rules! live_until_deleted {
    ($($resource:ty),*) => {$(
        impl Live for $resource {
            #[inline]
            fn is_live(&self) -> bool {
                !self.deleted
            }
        }
    )*};
}

live_until_deleted!(
    Vpc,
    Subnet,
    RouteTable,
    InternetGateway,
    EgressOnlyInternetGateway,
    SecurityGroup,
    NetworkAcl,
    NetworkInterface,
    LoadBalancer,
    Listener,
    TargetGroup,
    PrefixList,
    GatewayEndpoint,
    LaunchTemplate,
    AutoScalingGroup,
    NetworkInsightsPath,
    NetworkInsightsAnalysis,
    AccessScope,
    AccessScopeAnalysis,
    HostedZone,
    DhcpOptions,
    ConnectionNotification,
    FlowLog,
    LogGroup
);

impl Live for NatGateway {
    #[inline]
    fn is_live(&self) -> bool {
        self.state != NatState::Deleted
    }
}

impl Live for VpcPeeringConnection {
    #[inline]
    fn is_live(&self) -> bool {
        self.state != crate::model::peering::PeeringState::Deleted
    }
}

impl Live for ElasticIp {
    #[inline]
    fn is_live(&self) -> bool {
        !self.released
    }
}

/// A typed handle to any resource, found by its AWS id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Handle {
    /// A VPC.
    Vpc(VpcId),
    /// A subnet.
    Subnet(SubnetId),
    /// A route table.
    RouteTable(RouteTableId),
    /// An internet gateway.
    Igw(IgwId),
    /// An egress-only internet gateway (A8).
    Eigw(EigwId),
    /// A security group.
    Sg(SgId),
    /// A network ACL.
    Nacl(NaclId),
    /// A network interface.
    Eni(EniId),
    /// An instance.
    Instance(InstanceId),
    /// An Elastic IP.
    Eip(EipId),
    /// A load balancer.
    Lb(LbId),
    /// A listener.
    Listener(ListenerId),
    /// A target group.
    TargetGroup(TargetGroupId),
    /// An endpoint service.
    Service(ServiceId),
    /// A VPC endpoint.
    Endpoint(EndpointId),
    /// A NAT gateway.
    NatGateway(NatId),
    /// A VPC peering connection.
    Peering(PeeringId),
    /// A managed prefix list.
    PrefixList(PrefixListId),
    /// A gateway endpoint.
    GatewayEndpoint(GatewayEndpointId),
    /// A launch template or launch configuration.
    LaunchTemplate(LaunchTemplateId),
    /// An Auto Scaling group.
    AutoScalingGroup(AsgId),
    /// A Reachability Analyzer path.
    InsightsPath(InsightsPathId),
    /// A Reachability Analyzer analysis.
    InsightsAnalysis(InsightsAnalysisId),
    /// A Network Access Analyzer access scope.
    AccessScope(AccessScopeId),
    /// A Network Access Analyzer scope analysis.
    AccessScopeAnalysis(AccessScopeAnalysisId),
    /// A Route 53 hosted zone.
    HostedZone(HostedZoneId),
    /// A DHCP option set.
    DhcpOptions(DhcpOptionsId),
    /// A VPC endpoint connection notification.
    ConnectionNotification(ConnectionNotificationId),
    /// A VPC flow log.
    FlowLog(FlowLogId),
    /// A CloudWatch Logs log group, by its ARN.
    LogGroup(LogGroupId),
}

/// AWS ids to handles without a second copy of each id: a map from the id's 64-bit
/// hash, checked against the resource's own id on lookup, and a map by text for the
/// (practically never seen) ids whose hash was taken.
#[derive(Clone, Debug, Default)]
pub(crate) struct IdIndex {
    by_hash: UndoMap<u64, Handle>,
    spill: UndoMap<String, Handle>,
}

impl IdIndex {
    /// Indexes `aws_id`; only [`Arena::insert`] calls it, as it adds the resource.
    pub(super) fn register(&mut self, aws_id: &str, handle: Handle) {
        // A second id with the same hash (or a re-registration) keeps its text.
        if !self.by_hash.insert_new(id_hash(aws_id), handle) {
            self.spill.insert(aws_id.to_string(), handle);
        }
    }
}

/// The AWS id each resource is found by.
macro_rules! aws_id_field {
    ($($resource:ty => $field:ident;)*) => {$(
        impl AwsId for $resource {
            #[inline]
            fn aws_id(&self) -> &str {
                &self.$field
            }
        }
    )*};
}

aws_id_field! {
    Vpc => aws_id;
    Subnet => aws_id;
    RouteTable => aws_id;
    InternetGateway => aws_id;
    EgressOnlyInternetGateway => aws_id;
    SecurityGroup => aws_id;
    NetworkAcl => aws_id;
    NetworkInterface => aws_id;
    Instance => aws_id;
    ElasticIp => allocation_id;
    LoadBalancer => arn;
    Listener => arn;
    TargetGroup => arn;
    EndpointService => service_id;
    VpcEndpoint => aws_id;
    NatGateway => aws_id;
    VpcPeeringConnection => aws_id;
    PrefixList => aws_id;
    GatewayEndpoint => aws_id;
    LaunchTemplate => aws_id;
    AutoScalingGroup => name;
    NetworkInsightsPath => aws_id;
    NetworkInsightsAnalysis => aws_id;
    AccessScope => aws_id;
    AccessScopeAnalysis => aws_id;
    HostedZone => aws_id;
    DhcpOptions => aws_id;
    ConnectionNotification => aws_id;
    FlowLog => aws_id;
    LogGroup => arn;
}

/// The Name tag: a scan of the usual handful of tags.
#[inline]
fn name_tag(tags: &crate::model::Tags) -> Option<&str> {
    crate::model::name_tag(tags)
}

fn id_hash(aws_id: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    aws_id.hash(&mut h);
    h.finish()
}

/// The ChaCha stream number of per-connection randomness (resource ids use stream 0).
const CONNECTION_STREAM: u64 = 1;

/// Options for a new world.
#[derive(Clone, Debug)]
pub struct WorldConfig {
    /// The region (`ap-northeast-2`).
    pub region: &'static Region,
    /// The seed of ids, addresses, DNS suffixes and flow hashes.
    pub seed: u64,
}

/// One simulated region.
#[derive(Clone, Debug)]
pub struct World {
    /// The region.
    region: &'static Region,
    /// The account that owns everything (derived from the seed).
    account_id: String,
    /// The principal making control-plane calls (P3); the account root by default.
    caller: String,
    /// Resource ids, names and addresses: drawn only when something is created.
    ids: IdGen,
    /// Per-connection randomness (ephemeral ports, TCP sequence numbers, DNS message
    /// ids): a separate stream, so a `dig` or `curl` never renumbers later resources.
    connections: IdGen,
    flow_key: u64,
    now_ms: u64,
    /// The account's limits (Q1); raised only by [`World::request_service_quota_increase`].
    quotas: Quotas,
    /// VPCs.
    vpcs: Arena<VpcId, Vpc>,
    /// Subnets.
    subnets: Arena<SubnetId, Subnet>,
    /// Route tables.
    route_tables: Arena<RouteTableId, RouteTable>,
    /// Internet gateways.
    igws: Arena<IgwId, InternetGateway>,
    /// Egress-only internet gateways (A8).
    eigws: Arena<EigwId, EgressOnlyInternetGateway>,
    /// Security groups.
    sgs: Arena<SgId, SecurityGroup>,
    /// Network ACLs.
    nacls: Arena<NaclId, NetworkAcl>,
    /// Network interfaces.
    enis: Interfaces,
    /// Instances.
    instances: Arena<InstanceId, Instance>,
    /// Elastic IPs.
    eips: Arena<EipId, ElasticIp>,
    /// Load balancers.
    lbs: Arena<LbId, LoadBalancer>,
    /// Listeners.
    listeners: Arena<ListenerId, Listener>,
    /// Target groups.
    target_groups: Arena<TargetGroupId, TargetGroup>,
    /// Endpoint services.
    services: Arena<ServiceId, EndpointService>,
    /// VPC endpoints.
    endpoints: Arena<EndpointId, VpcEndpoint>,
    /// NAT gateways.
    nat_gateways: Arena<NatId, NatGateway>,
    /// VPC peering connections.
    peerings: Arena<PeeringId, VpcPeeringConnection>,
    /// Managed prefix lists (AWS's for the region's gateway services first).
    prefix_lists: Arena<PrefixListId, PrefixList>,
    /// Gateway endpoints.
    gateway_endpoints: Arena<GatewayEndpointId, GatewayEndpoint>,
    /// Launch templates and launch configurations.
    launch_templates: Arena<LaunchTemplateId, LaunchTemplate>,
    /// Auto Scaling groups.
    auto_scaling_groups: Arena<AsgId, AutoScalingGroup>,
    /// Reachability Analyzer paths.
    insights_paths: Arena<InsightsPathId, NetworkInsightsPath>,
    /// Reachability Analyzer analyses.
    insights_analyses: Arena<InsightsAnalysisId, NetworkInsightsAnalysis>,
    /// Network Access Analyzer access scopes.
    access_scopes: Arena<AccessScopeId, AccessScope>,
    /// Network Access Analyzer scope analyses.
    access_scope_analyses: Arena<AccessScopeAnalysisId, AccessScopeAnalysis>,
    /// Route 53 hosted zones.
    hosted_zones: Arena<HostedZoneId, HostedZone>,
    /// DHCP option sets (the account's default set first, Z2).
    dhcp_options: Arena<DhcpOptionsId, DhcpOptions>,
    /// VPC endpoint connection notifications.
    connection_notifications: Arena<ConnectionNotificationId, ConnectionNotification>,
    /// VPC flow logs (F1).
    flow_logs: Arena<FlowLogId, FlowLog>,
    /// CloudWatch Logs log groups, with the flow log records they hold.
    log_groups: Arena<LogGroupId, LogGroup>,
    /// AWS id (or ARN) to handle, keyed by a hash of the id (the resource holds the text).
    by_aws_id: IdIndex,
    /// (VPC, address) to the live subnet whose block holds it.
    subnets_by_address: SubnetsByAddress,
    /// DNS names of load balancers and endpoints, and private DNS names by consumer VPC.
    dns_names: DnsNames,
    /// Each VPC's subnets, security groups and gateways ever attached.
    members: MemberLists,
    /// Elastic IP addresses (released ones included) to their allocation.
    eip_addresses: UndoMap<u32, EipId>,
    /// Names and relations the control plane looks up (load balancers by name, ...).
    links: Links,
    /// Whether a [`World::transaction`] is running.
    in_transaction: bool,
}

impl World {
    /// An empty region.
    pub fn new(config: WorldConfig) -> World {
        let mut ids = IdGen::new(config.seed);
        let account_id = format!("{:012}", ids.below(900_000_000_000) + 100_000_000_000);
        let flow_key = ids.next_u64();
        let mut world = World {
            region: config.region,
            caller: format!("arn:aws:iam::{account_id}:root"),
            account_id,
            ids,
            connections: IdGen::stream(config.seed, CONNECTION_STREAM),
            flow_key,
            now_ms: 0,
            quotas: Quotas::default(),
            vpcs: Arena::new(),
            subnets: Arena::new(),
            route_tables: Arena::new(),
            igws: Arena::new(),
            eigws: Arena::new(),
            sgs: Arena::new(),
            nacls: Arena::new(),
            enis: Interfaces::default(),
            instances: Arena::new(),
            eips: Arena::new(),
            lbs: Arena::new(),
            listeners: Arena::new(),
            target_groups: Arena::new(),
            services: Arena::new(),
            endpoints: Arena::new(),
            nat_gateways: Arena::new(),
            peerings: Arena::new(),
            prefix_lists: Arena::new(),
            gateway_endpoints: Arena::new(),
            launch_templates: Arena::new(),
            auto_scaling_groups: Arena::new(),
            insights_paths: Arena::new(),
            insights_analyses: Arena::new(),
            access_scopes: Arena::new(),
            access_scope_analyses: Arena::new(),
            hosted_zones: Arena::new(),
            dhcp_options: Arena::new(),
            connection_notifications: Arena::new(),
            flow_logs: Arena::new(),
            log_groups: Arena::new(),
            by_aws_id: IdIndex::default(),
            subnets_by_address: SubnetsByAddress::default(),
            dns_names: DnsNames::default(),
            members: MemberLists::default(),
            eip_addresses: UndoMap::default(),
            links: Links::default(),
            in_transaction: false,
        };
        world.create_aws_prefix_lists();
        world.create_default_dhcp_options();
        world
    }

    /// A world in the named region with a seed; `None` for an unknown region.
    pub fn in_region(region: &str, seed: u64) -> Option<World> {
        Region::find(region).map(|region| World::new(WorldConfig { region, seed }))
    }

    /// The region this world simulates.
    #[inline]
    pub fn region(&self) -> &'static Region {
        self.region
    }

    /// The account that owns every resource (twelve digits, derived from the seed).
    #[inline]
    pub fn account_id(&self) -> &str {
        &self.account_id
    }

    /// The principal making control-plane calls (P3); the account root unless
    /// [`World::assume_principal`] changed it.
    #[inline]
    pub fn caller(&self) -> &str {
        &self.caller
    }

    /// The account's limits (Q1); change them with [`World::request_service_quota_increase`].
    #[inline]
    pub fn quotas(&self) -> &Quotas {
        &self.quotas
    }

    /// Vpc resources, by handle (deleted ones included; [`Arena::live`] skips them).
    #[inline]
    pub fn vpcs(&self) -> &Arena<VpcId, Vpc> {
        &self.vpcs
    }

    /// Subnet resources, by handle (deleted ones included; [`Arena::live`] skips them).
    #[inline]
    pub fn subnets(&self) -> &Arena<SubnetId, Subnet> {
        &self.subnets
    }

    /// RouteTable resources, by handle (deleted ones included; [`Arena::live`] skips them).
    #[inline]
    pub fn route_tables(&self) -> &Arena<RouteTableId, RouteTable> {
        &self.route_tables
    }

    /// InternetGateway resources, by handle (deleted ones included; [`Arena::live`] skips them).
    #[inline]
    pub fn igws(&self) -> &Arena<IgwId, InternetGateway> {
        &self.igws
    }

    /// Egress-only internet gateways, by handle (deleted ones included; [`Arena::live`] skips them).
    #[inline]
    pub fn eigws(&self) -> &Arena<EigwId, EgressOnlyInternetGateway> {
        &self.eigws
    }

    /// SecurityGroup resources, by handle (deleted ones included; [`Arena::live`] skips them).
    #[inline]
    pub fn sgs(&self) -> &Arena<SgId, SecurityGroup> {
        &self.sgs
    }

    /// NetworkAcl resources, by handle (deleted ones included; [`Arena::live`] skips them).
    #[inline]
    pub fn nacls(&self) -> &Arena<NaclId, NetworkAcl> {
        &self.nacls
    }

    /// NetworkInterface resources, by handle (deleted ones included; [`Arena::live`] skips them).
    #[inline]
    pub fn enis(&self) -> &Arena<EniId, NetworkInterface> {
        self.enis.arena()
    }

    /// Instance resources, by handle (deleted ones included; [`Arena::live`] skips them).
    #[inline]
    pub fn instances(&self) -> &Arena<InstanceId, Instance> {
        &self.instances
    }

    /// ElasticIp resources, by handle (deleted ones included; [`Arena::live`] skips them).
    #[inline]
    pub fn eips(&self) -> &Arena<EipId, ElasticIp> {
        &self.eips
    }

    /// LoadBalancer resources, by handle (deleted ones included; [`Arena::live`] skips them).
    #[inline]
    pub fn lbs(&self) -> &Arena<LbId, LoadBalancer> {
        &self.lbs
    }

    /// Listener resources, by handle (deleted ones included; [`Arena::live`] skips them).
    #[inline]
    pub fn listeners(&self) -> &Arena<ListenerId, Listener> {
        &self.listeners
    }

    /// TargetGroup resources, by handle (deleted ones included; [`Arena::live`] skips them).
    #[inline]
    pub fn target_groups(&self) -> &Arena<TargetGroupId, TargetGroup> {
        &self.target_groups
    }

    /// EndpointService resources, by handle (deleted ones included; [`Arena::live`] skips them).
    #[inline]
    pub fn services(&self) -> &Arena<ServiceId, EndpointService> {
        &self.services
    }

    /// VpcEndpoint resources, by handle (deleted ones included; [`Arena::live`] skips them).
    #[inline]
    pub fn endpoints(&self) -> &Arena<EndpointId, VpcEndpoint> {
        &self.endpoints
    }

    /// Launch templates and launch configurations, by handle (deleted ones included).
    #[inline]
    pub fn launch_templates(&self) -> &Arena<LaunchTemplateId, LaunchTemplate> {
        &self.launch_templates
    }

    /// Auto Scaling groups, by handle (deleted ones included; [`Arena::live`] skips them).
    #[inline]
    pub fn auto_scaling_groups(&self) -> &Arena<AsgId, AutoScalingGroup> {
        &self.auto_scaling_groups
    }

    /// NatGateway resources, by handle (deleted ones included; [`Arena::live`] skips them).
    #[inline]
    pub fn nat_gateways(&self) -> &Arena<NatId, NatGateway> {
        &self.nat_gateways
    }

    /// VpcPeeringConnection resources, by handle (deleted ones included; [`Arena::live`] skips them).
    #[inline]
    pub fn peerings(&self) -> &Arena<PeeringId, VpcPeeringConnection> {
        &self.peerings
    }

    /// PrefixList resources, by handle (deleted ones included; [`Arena::live`] skips them).
    #[inline]
    pub fn prefix_lists(&self) -> &Arena<PrefixListId, PrefixList> {
        &self.prefix_lists
    }

    /// GatewayEndpoint resources, by handle (deleted ones included; [`Arena::live`] skips them).
    #[inline]
    pub fn gateway_endpoints(&self) -> &Arena<GatewayEndpointId, GatewayEndpoint> {
        &self.gateway_endpoints
    }

    /// Reachability Analyzer paths, by handle (deleted ones included; [`Arena::live`] skips them).
    #[inline]
    pub fn insights_paths(&self) -> &Arena<InsightsPathId, NetworkInsightsPath> {
        &self.insights_paths
    }

    /// Reachability Analyzer analyses, by handle (deleted ones included).
    #[inline]
    pub fn insights_analyses(&self) -> &Arena<InsightsAnalysisId, NetworkInsightsAnalysis> {
        &self.insights_analyses
    }

    /// Network Access Analyzer access scopes, by handle (deleted ones included).
    #[inline]
    pub fn access_scopes(&self) -> &Arena<AccessScopeId, AccessScope> {
        &self.access_scopes
    }

    /// Network Access Analyzer scope analyses, by handle (deleted ones included).
    #[inline]
    pub fn access_scope_analyses(&self) -> &Arena<AccessScopeAnalysisId, AccessScopeAnalysis> {
        &self.access_scope_analyses
    }

    /// Route 53 hosted zones, by handle (deleted ones included; [`Arena::live`] skips them).
    #[inline]
    pub fn hosted_zones(&self) -> &Arena<HostedZoneId, HostedZone> {
        &self.hosted_zones
    }

    /// DHCP option sets, by handle (deleted ones included; [`Arena::live`] skips them).
    #[inline]
    pub fn dhcp_options(&self) -> &Arena<DhcpOptionsId, DhcpOptions> {
        &self.dhcp_options
    }

    /// VPC endpoint connection notifications, by handle (deleted ones included).
    #[inline]
    pub fn connection_notifications(&self) -> &Arena<ConnectionNotificationId, ConnectionNotification> {
        &self.connection_notifications
    }

    /// VPC flow logs, by handle (deleted ones included; [`Arena::live`] skips them).
    #[inline]
    pub fn flow_logs(&self) -> &Arena<FlowLogId, FlowLog> {
        &self.flow_logs
    }

    /// CloudWatch Logs log groups, by handle (deleted ones included; [`Arena::live`] skips them).
    #[inline]
    pub fn log_groups(&self) -> &Arena<LogGroupId, LogGroup> {
        &self.log_groups
    }

    /// The seeded stream AWS ids and generated names are drawn from (A5).
    #[inline]
    pub(crate) fn id_stream(&mut self) -> &mut IdGen {
        &mut self.ids
    }

    /// The seeded stream of per-connection randomness (ports, sequence numbers, DNS ids).
    #[inline]
    pub(crate) fn connection_stream(&mut self) -> &mut IdGen {
        &mut self.connections
    }

    /// The key of the flow hash an NLB uses to pick a target (L3).
    #[inline]
    pub(crate) fn flow_key(&self) -> u64 {
        self.flow_key
    }

    /// Virtual time since the world began, in milliseconds.
    pub fn now_ms(&self) -> u64 {
        self.now_ms
    }

    /// The handle of the resource with this AWS id (or ARN).
    pub fn find(&self, aws_id: &str) -> Option<Handle> {
        if let Some(&h) = self.by_aws_id.spill.get(aws_id) {
            return Some(h);
        }
        let h = *self.by_aws_id.by_hash.get(&id_hash(aws_id))?;
        (self.registered_id(h) == Some(aws_id)).then_some(h)
    }

    /// The id a handle was registered under, if its resource exists yet.
    fn registered_id(&self, h: Handle) -> Option<&str> {
        let exists = match h {
            Handle::Vpc(x) => x.index() < self.vpcs.len(),
            Handle::Subnet(x) => x.index() < self.subnets.len(),
            Handle::RouteTable(x) => x.index() < self.route_tables.len(),
            Handle::Igw(x) => x.index() < self.igws.len(),
            Handle::Eigw(x) => x.index() < self.eigws.len(),
            Handle::Sg(x) => x.index() < self.sgs.len(),
            Handle::Nacl(x) => x.index() < self.nacls.len(),
            Handle::Eni(x) => x.index() < self.enis.arena().len(),
            Handle::Instance(x) => x.index() < self.instances.len(),
            Handle::Eip(x) => x.index() < self.eips.len(),
            Handle::Lb(x) => x.index() < self.lbs.len(),
            Handle::Listener(x) => x.index() < self.listeners.len(),
            Handle::TargetGroup(x) => x.index() < self.target_groups.len(),
            Handle::Service(x) => x.index() < self.services.len(),
            Handle::Endpoint(x) => x.index() < self.endpoints.len(),
            Handle::NatGateway(x) => x.index() < self.nat_gateways.len(),
            Handle::Peering(x) => x.index() < self.peerings.len(),
            Handle::PrefixList(x) => x.index() < self.prefix_lists.len(),
            Handle::GatewayEndpoint(x) => x.index() < self.gateway_endpoints.len(),
            Handle::LaunchTemplate(x) => x.index() < self.launch_templates.len(),
            Handle::AutoScalingGroup(x) => x.index() < self.auto_scaling_groups.len(),
            Handle::InsightsPath(x) => x.index() < self.insights_paths.len(),
            Handle::InsightsAnalysis(x) => x.index() < self.insights_analyses.len(),
            Handle::AccessScope(x) => x.index() < self.access_scopes.len(),
            Handle::AccessScopeAnalysis(x) => x.index() < self.access_scope_analyses.len(),
            Handle::HostedZone(x) => x.index() < self.hosted_zones.len(),
            Handle::DhcpOptions(x) => x.index() < self.dhcp_options.len(),
            Handle::ConnectionNotification(x) => x.index() < self.connection_notifications.len(),
            Handle::FlowLog(x) => x.index() < self.flow_logs.len(),
            Handle::LogGroup(x) => x.index() < self.log_groups.len(),
        };
        exists.then(|| self.aws_id(h))
    }

    /// The interface holding `ip` in `vpc`.
    #[inline]
    pub fn eni_by_private_ip(&self, vpc: VpcId, ip: Ipv4Addr) -> Option<EniId> {
        self.enis.by_private_ip(vpc, ip)
    }

    /// The interface a public address maps to (I1).
    #[inline]
    pub fn eni_by_public_ip(&self, ip: Ipv4Addr) -> Option<EniId> {
        self.enis.by_public_ip(ip)
    }

    /// I1, M6: the interface a public address maps to, and the private address of it the
    /// gateway translates the public one to.
    #[inline]
    pub fn public_target(&self, ip: Ipv4Addr) -> Option<(EniId, Ipv4Addr)> {
        self.enis.public_target(ip)
    }

    /// I3: the internet gateway attached to `vpc`, if it still exists.
    #[inline]
    pub fn igw_of(&self, vpc: VpcId) -> Option<IgwId> {
        self.gateway_of(vpc).filter(|g| !self.igws[*g].deleted)
    }

    /// The live subnet of `vpc` whose block holds `ip`.
    #[inline]
    pub fn subnet_containing(&self, vpc: VpcId, ip: Ipv4Addr) -> Option<SubnetId> {
        self.subnets_by_address.lookup(vpc, ip)
    }

    /// The DNS name index the resolver reads.
    #[inline]
    pub(crate) fn dns_names(&self) -> &DnsNames {
        &self.dns_names
    }

    /// I1: the public address of an interface: its Elastic IP, else its auto-assigned one.
    #[inline]
    pub fn public_ip_of(&self, eni: EniId) -> Option<Ipv4Addr> {
        let e = &self.enis[eni];
        e.eip.map(|x| self.eips[x].public_ip).or(e.public_ip)
    }

    /// I1, M6: the public address the gateway gives a packet from `private`, an address of
    /// `eni`: the interface's public address for its primary one, the Elastic IP
    /// associated with a secondary one (none otherwise).
    #[inline]
    pub fn public_ip_for(&self, eni: EniId, private: Ipv4Addr) -> Option<Ipv4Addr> {
        let e = &self.enis[eni];
        if e.private_ip == private {
            return self.public_ip_of(eni);
        }
        e.secondary(private).and_then(|s| s.eip).map(|x| self.eips[x].public_ip)
    }

    /// I1, M6: every public address mapped to `eni`: the primary's, then those of its
    /// secondary addresses.
    pub fn public_ips_of(&self, eni: EniId) -> impl Iterator<Item = Ipv4Addr> + '_ {
        let e = &self.enis[eni];
        self.public_ip_of(eni)
            .into_iter()
            .chain(e.secondary_ips.iter().filter_map(|s| s.eip).map(|x| self.eips[x].public_ip))
    }

    /// The VPC of a subnet.
    pub fn vpc_of_subnet(&self, subnet: SubnetId) -> &Vpc {
        &self.vpcs[self.subnets[subnet].vpc]
    }

    /// R1: the table a subnet uses: its explicit association, else the VPC's main table.
    #[inline]
    pub fn route_table_of(&self, subnet: SubnetId) -> RouteTableId {
        let s = &self.subnets[subnet];
        s.route_table.unwrap_or(self.vpcs[s.vpc].main_route_table)
    }

    /// An instance by id; terminated ones included.
    pub fn instance(&self, id: InstanceId) -> &Instance {
        &self.instances[id]
    }

    /// The AWS id of any handle.
    pub fn aws_id(&self, h: Handle) -> &str {
        match h {
            Handle::Vpc(x) => &self.vpcs[x].aws_id,
            Handle::Subnet(x) => &self.subnets[x].aws_id,
            Handle::RouteTable(x) => &self.route_tables[x].aws_id,
            Handle::Igw(x) => &self.igws[x].aws_id,
            Handle::Eigw(x) => &self.eigws[x].aws_id,
            Handle::Sg(x) => &self.sgs[x].aws_id,
            Handle::Nacl(x) => &self.nacls[x].aws_id,
            Handle::Eni(x) => &self.enis[x].aws_id,
            Handle::Instance(x) => &self.instances[x].aws_id,
            Handle::Eip(x) => &self.eips[x].allocation_id,
            Handle::Lb(x) => &self.lbs[x].arn,
            Handle::Listener(x) => &self.listeners[x].arn,
            Handle::TargetGroup(x) => &self.target_groups[x].arn,
            Handle::Service(x) => &self.services[x].service_id,
            Handle::Endpoint(x) => &self.endpoints[x].aws_id,
            Handle::NatGateway(x) => &self.nat_gateways[x].aws_id,
            Handle::Peering(x) => &self.peerings[x].aws_id,
            Handle::PrefixList(x) => &self.prefix_lists[x].aws_id,
            Handle::GatewayEndpoint(x) => &self.gateway_endpoints[x].aws_id,
            Handle::LaunchTemplate(x) => &self.launch_templates[x].aws_id,
            Handle::AutoScalingGroup(x) => &self.auto_scaling_groups[x].name,
            Handle::InsightsPath(x) => &self.insights_paths[x].aws_id,
            Handle::InsightsAnalysis(x) => &self.insights_analyses[x].aws_id,
            Handle::AccessScope(x) => &self.access_scopes[x].aws_id,
            Handle::AccessScopeAnalysis(x) => &self.access_scope_analyses[x].aws_id,
            Handle::HostedZone(x) => &self.hosted_zones[x].aws_id,
            Handle::DhcpOptions(x) => &self.dhcp_options[x].aws_id,
            Handle::ConnectionNotification(x) => &self.connection_notifications[x].aws_id,
            Handle::FlowLog(x) => &self.flow_logs[x].aws_id,
            Handle::LogGroup(x) => &self.log_groups[x].arn,
        }
    }

    /// The Name tag (or own name, for load balancers and target groups) of any handle.
    pub fn name_of(&self, h: Handle) -> Option<&str> {
        match h {
            Handle::Vpc(x) => name_tag(&self.vpcs[x].tags),
            Handle::Subnet(x) => name_tag(&self.subnets[x].tags),
            Handle::RouteTable(x) => name_tag(&self.route_tables[x].tags),
            Handle::Igw(x) => name_tag(&self.igws[x].tags),
            Handle::Eigw(x) => name_tag(&self.eigws[x].tags),
            Handle::Sg(x) => {
                let sg = &self.sgs[x];
                name_tag(&sg.tags).or(Some(sg.name.as_str()))
            }
            Handle::Nacl(x) => name_tag(&self.nacls[x].tags),
            Handle::Eni(x) => {
                let e = &self.enis[x];
                name_tag(&e.tags).or_else(|| match e.owner {
                    crate::model::eni::EniOwner::Instance(i) => name_tag(&self.instances[i].tags),
                    _ => (!e.description.is_empty()).then_some(e.description.as_str()),
                })
            }
            Handle::Instance(x) => name_tag(&self.instances[x].tags),
            Handle::Eip(x) => name_tag(&self.eips[x].tags),
            Handle::Lb(x) => {
                let lb = &self.lbs[x];
                name_tag(&lb.tags).or(Some(lb.name.as_str()))
            }
            Handle::Listener(_) => None,
            Handle::TargetGroup(x) => Some(self.target_groups[x].name.as_str()),
            Handle::Service(x) => name_tag(&self.services[x].tags),
            Handle::Endpoint(x) => name_tag(&self.endpoints[x].tags),
            Handle::NatGateway(x) => name_tag(&self.nat_gateways[x].tags),
            Handle::Peering(x) => name_tag(&self.peerings[x].tags),
            Handle::PrefixList(x) => {
                let pl = &self.prefix_lists[x];
                name_tag(&pl.tags).or(Some(pl.name.as_str()))
            }
            Handle::GatewayEndpoint(x) => name_tag(&self.gateway_endpoints[x].tags),
            Handle::LaunchTemplate(x) => Some(self.launch_templates[x].name.as_str()),
            Handle::AutoScalingGroup(x) => Some(self.auto_scaling_groups[x].name.as_str()),
            Handle::InsightsPath(_)
            | Handle::InsightsAnalysis(_)
            | Handle::AccessScope(_)
            | Handle::AccessScopeAnalysis(_)
            | Handle::HostedZone(_)
            | Handle::ConnectionNotification(_) => None,
            Handle::DhcpOptions(x) => name_tag(&self.dhcp_options[x].tags),
            Handle::FlowLog(x) => name_tag(&self.flow_logs[x].tags),
            Handle::LogGroup(x) => Some(self.log_groups[x].name.as_str()),
        }
    }

    /// Every live instance whose Name tag is `name`.
    pub fn instances_named(&self, name: &str) -> Vec<InstanceId> {
        (0..self.instances.len() as u32)
            .map(InstanceId)
            .filter(|i| self.name_of(Handle::Instance(*i)) == Some(name))
            .collect()
    }
}

/// `w[id]` for every handle, by value or by reference.
macro_rules! index_by_handle {
    ($($id:ty => $field:ident: $resource:ty;)*) => {
        /// How many arenas the World has: one `w[id]` each.
        #[cfg(test)]
        pub(crate) const ARENA_COUNT: usize = [$(stringify!($field)),*].len();
        $(
        impl Index<$id> for World {
            type Output = $resource;

            #[inline]
            fn index(&self, id: $id) -> &$resource {
                &self.$field[id]
            }
        }

        impl Index<&$id> for World {
            type Output = $resource;

            #[inline]
            fn index(&self, id: &$id) -> &$resource {
                &self.$field[*id]
            }
        }
    )*};
}

index_by_handle! {
    VpcId => vpcs: Vpc;
    SubnetId => subnets: Subnet;
    RouteTableId => route_tables: RouteTable;
    IgwId => igws: InternetGateway;
    EigwId => eigws: EgressOnlyInternetGateway;
    SgId => sgs: SecurityGroup;
    NaclId => nacls: NetworkAcl;
    EniId => enis: NetworkInterface;
    InstanceId => instances: Instance;
    EipId => eips: ElasticIp;
    LbId => lbs: LoadBalancer;
    ListenerId => listeners: Listener;
    TargetGroupId => target_groups: TargetGroup;
    ServiceId => services: EndpointService;
    EndpointId => endpoints: VpcEndpoint;
    NatId => nat_gateways: NatGateway;
    PeeringId => peerings: VpcPeeringConnection;
    PrefixListId => prefix_lists: PrefixList;
    GatewayEndpointId => gateway_endpoints: GatewayEndpoint;
    LaunchTemplateId => launch_templates: LaunchTemplate;
    AsgId => auto_scaling_groups: AutoScalingGroup;
    InsightsPathId => insights_paths: NetworkInsightsPath;
    InsightsAnalysisId => insights_analyses: NetworkInsightsAnalysis;
    AccessScopeId => access_scopes: AccessScope;
    AccessScopeAnalysisId => access_scope_analyses: AccessScopeAnalysis;
    HostedZoneId => hosted_zones: HostedZone;
    DhcpOptionsId => dhcp_options: DhcpOptions;
    ConnectionNotificationId => connection_notifications: ConnectionNotification;
    FlowLogId => flow_logs: FlowLog;
    LogGroupId => log_groups: LogGroup;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_registered_id_finds_its_resource_and_others_find_nothing() {
        let lab = crate::lab::Lab::ready(crate::lab::LabOptions::default()).unwrap();
        let w = &lab.world;
        let handles = w
            .vpcs()
            .ids()
            .map(Handle::Vpc)
            .chain(w.enis().ids().map(Handle::Eni))
            .chain(w.sgs().ids().map(Handle::Sg))
            .chain(w.lbs().ids().map(Handle::Lb))
            .chain(w.target_groups().ids().map(Handle::TargetGroup));
        for h in handles {
            assert_eq!(w.find(w.aws_id(h)), Some(h));
        }
        assert_eq!(w.find("vpc-00000000000000000"), None);
        assert_eq!(w.find(""), None);
    }

    #[test]
    fn a_taken_hash_keeps_the_later_id_by_its_text() {
        let mut w = World::in_region("ap-northeast-2", 1).unwrap();
        let vpc = w.create_vpc(crate::ops::vpc::CreateVpc {
            cidr: "10.0.0.0/16".parse().ok(),
            ..Default::default()
        });
        let vpc = vpc.unwrap();
        let id = w.vpcs[vpc].aws_id.clone();
        w.by_aws_id.register(&id, Handle::Vpc(vpc));
        assert_eq!(w.find(&id), Some(Handle::Vpc(vpc)));
        assert_eq!(w.by_aws_id.spill.len(), 1);
    }
}
