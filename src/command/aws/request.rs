//! Typed requests: each `aws` operation as one variant whose fields are the values
//! its flags gave, already checked (CIDRs, protocols, ports, rule numbers, filters).
//! Resource ids stay text: whether they exist is the world's answer, not the parser's.
//!
//! [`Request::build`] is the only reader of raw flags; a flag in the operation's table
//! that no variant reads would be a flag accepted and ignored, and the test
//! `every_accepted_flag_changes_the_answer_or_is_refused` walks them all.

pub mod cloudformation;
mod dhcp;
mod load_balancing;
mod network;
pub mod route53;

use std::net::Ipv4Addr;

use indexmap::IndexMap;
use serde_json::Value;

use super::filter::{self, Filter};
use super::log_filter::FilterPattern;
use super::table::OpSpec;
use super::{op_name, AwsError};
use crate::addr::{Cidr, PortRange, RuleProtocol};
use crate::error::ApiError;
use crate::model::flow_log::{LogDestination, LogFormat, S3Destination, TrafficType};
use crate::model::insights::PathFilter;
use crate::model::nacl::IcmpTypeCode;
use crate::model::nat_gateway::Connectivity;
use crate::model::nlb::TargetGroupAttribute;
use crate::model::peering::PeeringOptions;
use crate::ops::insights::CreateNetworkInsightsPath;
use crate::ops::vpc::RouteTargetSpec;
use crate::trace::Direction;

pub use cloudformation::{CloudFormationRequest, TemplateBody};
pub use dhcp::DhcpRequest;
pub use load_balancing::LoadBalancingRequest;
pub use network::NetworkRequest;
pub use route53::Route53Request;
pub mod launch;

/// A raw flag value, as the table typed the words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RawValue {
    /// One word.
    Str(String),
    /// Words up to the next flag.
    List(Vec<String>),
    /// A whole number.
    Int(i64),
    /// A switch: `--x` is true, its negation (`--no-x`) false.
    Bool(bool),
}

/// Add or take away rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// authorize / register / accept / attach.
    Add,
    /// revoke / deregister / reject / detach.
    Remove,
}

/// Create a route, or replace one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RouteChange {
    /// create-route.
    Create,
    /// replace-route.
    Replace,
}

/// What a network ACL entry matches: an IPv4 block, or an IPv6 one (A8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AclCidr {
    /// `--cidr-block`.
    V4(Cidr),
    /// `--ipv6-cidr-block`.
    V6(ipnet::Ipv6Net),
}

/// Where a route goes: a CIDR, an IPv6 block (A8) or a prefix list (E5).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RouteDestination {
    /// `--destination-cidr-block`.
    Cidr(Cidr),
    /// `--destination-prefix-list-id`.
    PrefixList(String),
    /// `--destination-ipv6-cidr-block` (A8).
    Ipv6(ipnet::Ipv6Net),
}

/// Which group a security group call names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GroupRef {
    /// `--group-id`.
    Id(String),
    /// `--group-name` (a default VPC's group).
    Name(String),
}

/// Where a rule's traffic comes from or goes to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PeerRef {
    /// A CIDR.
    Cidr(Cidr),
    /// A security group by id.
    Group(String),
    /// A managed prefix list by id.
    PrefixList(String),
}

/// One permission of a security group call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PermissionSpec {
    /// The protocol.
    pub protocol: RuleProtocol,
    /// The ports (all for `-1`).
    pub ports: PortRange,
    /// The peer.
    pub peer: PeerRef,
    /// The rule's description.
    pub description: Option<String>,
}

/// An Elastic IP by allocation id or address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AddressRef {
    /// `--allocation-id`.
    Allocation(String),
    /// `--public-ip`.
    PublicIp(String),
}

/// An association of an Elastic IP, by association id or address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AssociationRef {
    /// `--association-id`.
    Association(String),
    /// `--public-ip`.
    PublicIp(String),
}

/// Where associate-address puts the address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InterfaceRef {
    /// `--network-interface-id`.
    Interface(String),
    /// `--instance-id` (its primary interface).
    Instance(String),
}

/// A load balancer target as `Id=...,Port=...`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetText {
    /// An instance id or an IP address.
    pub id: String,
    /// The port, when given.
    pub port: Option<u16>,
}

/// What modify-instance-attribute (or modify-network-interface-attribute) changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstanceChange {
    /// `--source-dest-check` / `--no-source-dest-check`.
    pub source_dest_check: Option<bool>,
    /// `--groups`.
    pub groups: Vec<String>,
}

/// An `aws` call, typed. One variant per operation (calls that differ only by
/// direction or by adding and removing share one, with the difference as a field).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Request {
    /// ec2 create-vpc-endpoint-service-configuration.
    CreateVpcEndpointServiceConfiguration {
        /// `--network-load-balancer-arns`.
        nlb_arns: Vec<String>,
        /// `--[no-]acceptance-required` (AWS's default: required).
        acceptance_required: bool,
        /// `--private-dns-name`.
        private_dns_name: Option<String>,
    },
    /// ec2 describe-vpc-endpoint-service-configurations.
    DescribeVpcEndpointServiceConfigurations {
        /// `--service-ids`.
        ids: Vec<String>,
        /// `--filters`.
        filters: Vec<Filter>,
    },
    /// ec2 delete-vpc-endpoint-service-configurations.
    DeleteVpcEndpointServiceConfigurations {
        /// `--service-ids`.
        ids: Vec<String>,
    },
    /// ec2 modify-vpc-endpoint-service-permissions.
    ModifyVpcEndpointServicePermissions {
        /// `--service-id`.
        service_id: String,
        /// `--add-allowed-principals`.
        add: Vec<String>,
        /// `--remove-allowed-principals`.
        remove: Vec<String>,
    },
    /// ec2 describe-vpc-endpoint-service-permissions.
    DescribeVpcEndpointServicePermissions {
        /// `--service-id`.
        service_id: String,
        /// `--filters`.
        filters: Vec<Filter>,
    },
    /// ec2 start-vpc-endpoint-service-private-dns-verification (P12).
    StartVpcEndpointServicePrivateDnsVerification {
        /// `--service-id`.
        service_id: String,
    },
    /// ec2 accept- / reject-vpc-endpoint-connections.
    VpcEndpointConnections {
        /// Accept or reject.
        change: Change,
        /// `--service-id`.
        service_id: String,
        /// `--vpc-endpoint-ids`.
        endpoint_ids: Vec<String>,
    },
    /// ec2 describe-vpc-endpoint-connections.
    DescribeVpcEndpointConnections {
        /// `--filters`.
        filters: Vec<Filter>,
    },
    /// ec2 create-vpc-endpoint (Interface endpoints).
    CreateVpcEndpoint {
        /// `--vpc-id`.
        vpc_id: String,
        /// `--service-name`.
        service_name: String,
        /// `--subnet-ids`.
        subnet_ids: Vec<String>,
        /// `--security-group-ids`.
        security_group_ids: Vec<String>,
        /// `--[no-]private-dns-enabled`.
        private_dns_enabled: bool,
    },
    /// ec2 describe-vpc-endpoints.
    DescribeVpcEndpoints {
        /// `--vpc-endpoint-ids`.
        ids: Vec<String>,
        /// `--filters`.
        filters: Vec<Filter>,
    },
    /// ec2 delete-vpc-endpoints.
    DeleteVpcEndpoints {
        /// `--vpc-endpoint-ids`.
        ids: Vec<String>,
    },
    /// ec2 describe-vpc-endpoint-services.
    DescribeVpcEndpointServices {
        /// `--service-names`.
        names: Vec<String>,
        /// `--filters`.
        filters: Vec<Filter>,
    },
    /// ec2 authorize- / revoke-security-group-ingress / -egress.
    SecurityGroupRules {
        /// Authorize or revoke.
        change: Change,
        /// Ingress or egress.
        direction: Direction,
        /// `--group-id` or `--group-name`.
        group: GroupRef,
        /// From `--protocol --port --cidr --source-group`, or `--ip-permissions`.
        permissions: Vec<PermissionSpec>,
    },
    /// ec2 create-route / replace-route.
    Route {
        /// Create or replace.
        change: RouteChange,
        /// `--route-table-id`.
        route_table_id: String,
        /// `--destination-cidr-block` or `--destination-prefix-list-id`.
        destination: RouteDestination,
        /// The one target flag given.
        target: RouteTargetSpec,
    },
    /// ec2 delete-route.
    DeleteRoute {
        /// `--route-table-id`.
        route_table_id: String,
        /// `--destination-cidr-block` or `--destination-prefix-list-id`.
        destination: RouteDestination,
    },
    /// ec2 describe-vpcs, -subnets, -route-tables, -instances, -network-interfaces,
    /// -internet-gateways, -security-groups: the call's JSON, narrowed by ids and filters.
    Describe {
        /// Which list.
        what: DescribeEc2,
        /// The ids flag (`--vpc-ids`, ...).
        ids: Vec<String>,
        /// `--group-names` (describe-security-groups only).
        names: Vec<String>,
        /// `--filters`.
        filters: Vec<Filter>,
    },
    /// ec2 associate-vpc-cidr-block (A1): a secondary IPv4 block.
    AssociateVpcCidrBlock {
        /// `--vpc-id`.
        vpc_id: String,
        /// `--cidr-block`.
        cidr: Cidr,
    },
    /// ec2 associate-vpc-cidr-block `--amazon-provided-ipv6-cidr-block` (A8).
    AssociateVpcIpv6CidrBlock {
        /// `--vpc-id`.
        vpc_id: String,
    },
    /// ec2 associate-subnet-cidr-block (A8): a subnet's IPv6 /64.
    AssociateSubnetCidrBlock {
        /// `--subnet-id`.
        subnet_id: String,
        /// `--ipv6-cidr-block`.
        cidr: ipnet::Ipv6Net,
    },
    /// ec2 create-egress-only-internet-gateway (A8).
    CreateEgressOnlyInternetGateway {
        /// `--vpc-id`.
        vpc_id: String,
    },
    /// ec2 delete-egress-only-internet-gateway (A8).
    DeleteEgressOnlyInternetGateway {
        /// `--egress-only-internet-gateway-id`.
        id: String,
    },
    /// ec2 disassociate-vpc-cidr-block (A1).
    DisassociateVpcCidrBlock {
        /// `--association-id`.
        association_id: String,
    },
    /// ec2 attach- / detach-internet-gateway.
    InternetGateway {
        /// Attach or detach.
        change: Change,
        /// `--internet-gateway-id`.
        igw_id: String,
        /// `--vpc-id`.
        vpc_id: String,
    },
    /// ec2 modify-instance-metadata-options (M1).
    ModifyInstanceMetadataOptions {
        /// `--instance-id`.
        instance_id: String,
        /// `--http-endpoint enabled|disabled`.
        endpoint: Option<crate::model::metadata_options::Endpoint>,
        /// `--http-tokens optional|required`.
        tokens: Option<crate::model::metadata_options::Tokens>,
    },
    /// ec2 modify-instance-attribute.
    ModifyInstanceAttribute {
        /// `--instance-id`.
        instance_id: String,
        /// What to change.
        change: InstanceChange,
    },
    /// ec2 run-instances: instances started by hand.
    RunInstances(RunInstancesSpec),
    /// ec2 create-, delete- and modify- calls for VPCs, subnets, security groups, route
    /// tables, internet gateways and network ACLs.
    Network(NetworkRequest),
    /// elbv2 create- and delete- calls for Network Load Balancers, target groups and listeners.
    LoadBalancing(LoadBalancingRequest),
    /// autoscaling describe-auto-scaling-groups.
    DescribeAutoScalingGroups {
        /// `--auto-scaling-group-names` (all when empty).
        names: Vec<String>,
    },
    /// autoscaling set-desired-capacity.
    SetDesiredCapacity {
        /// `--auto-scaling-group-name`.
        name: String,
        /// `--desired-capacity`.
        desired: u32,
    },
    /// ec2 modify-network-interface-attribute.
    ModifyNetworkInterfaceAttribute {
        /// `--network-interface-id`.
        eni_id: String,
        /// What to change (the same attributes as an instance's primary interface).
        change: InstanceChange,
    },
    /// ec2 create-network-interface: a standalone interface.
    CreateNetworkInterface {
        /// `--subnet-id`.
        subnet_id: String,
        /// `--description`.
        description: Option<String>,
        /// `--private-ip-address`.
        private_ip: Option<Ipv4Addr>,
        /// M6: `--private-ip-addresses PrivateIpAddress=..,Primary=..`: each address and
        /// whether it is the primary one.
        addresses: Vec<(Ipv4Addr, bool)>,
        /// M6: `--secondary-private-ip-address-count`.
        secondary_count: u32,
        /// `--groups`.
        groups: Vec<String>,
        /// `--tag-specifications` of `network-interface`.
        tags: crate::model::Tags,
    },
    /// ec2 assign-private-ip-addresses (M6).
    AssignPrivateIpAddresses {
        /// `--network-interface-id`.
        eni_id: String,
        /// `--private-ip-addresses`.
        ips: Vec<Ipv4Addr>,
        /// `--secondary-private-ip-address-count`.
        count: u32,
        /// `--[no-]allow-reassignment` (AWS's default: not allowed).
        allow_reassignment: bool,
    },
    /// ec2 unassign-private-ip-addresses (M6).
    UnassignPrivateIpAddresses {
        /// `--network-interface-id`.
        eni_id: String,
        /// `--private-ip-addresses`.
        ips: Vec<Ipv4Addr>,
    },
    /// ec2 delete-network-interface.
    DeleteNetworkInterface {
        /// `--network-interface-id`.
        eni_id: String,
    },
    /// ec2 attach-network-interface (M4).
    AttachNetworkInterface {
        /// `--network-interface-id`.
        eni_id: String,
        /// `--instance-id`.
        instance_id: String,
        /// `--device-index`.
        device_index: u32,
    },
    /// ec2 detach-network-interface (M4).
    DetachNetworkInterface {
        /// `--attachment-id`.
        attachment_id: String,
        /// `--[no-]force`: vpcsim detaches at once, so it changes nothing (a warning says so).
        force: bool,
    },
    /// ec2 terminate-instances.
    TerminateInstances {
        /// `--instance-ids`.
        ids: Vec<String>,
    },
    /// ec2 create-nat-gateway.
    CreateNatGateway {
        /// `--subnet-id`.
        subnet_id: String,
        /// `--allocation-id` (public NAT gateways).
        allocation_id: Option<String>,
        /// `--connectivity-type` (public when absent).
        connectivity: Connectivity,
        /// `--private-ip-address`.
        private_ip: Option<Ipv4Addr>,
    },
    /// ec2 delete-nat-gateway.
    DeleteNatGateway {
        /// `--nat-gateway-id`.
        id: String,
    },
    /// ec2 describe-nat-gateways.
    DescribeNatGateways {
        /// `--nat-gateway-ids`.
        ids: Vec<String>,
        /// `--filter` (the CLI's spelling for this call) or `--filters`.
        filters: Vec<Filter>,
    },
    /// ec2 create-flow-logs (F1): one flow log per resource id.
    CreateFlowLogs {
        /// `--resource-ids`.
        resource_ids: Vec<String>,
        /// `--resource-type`.
        resource_type: FlowLogResourceType,
        /// `--traffic-type`.
        traffic: TrafficType,
        /// `--log-destination-type` with `--log-group-name` or `--log-destination`.
        destination: LogDestination,
        /// `--deliver-logs-permission-arn`.
        deliver_logs_permission_arn: Option<String>,
        /// `--log-format`.
        format: LogFormat,
        /// `--max-aggregation-interval`.
        max_aggregation_interval: Option<u32>,
    },
    /// ec2 describe-flow-logs.
    DescribeFlowLogs {
        /// `--flow-log-ids`.
        ids: Vec<String>,
        /// `--filter` (the CLI's spelling for this call) or `--filters`.
        filters: Vec<Filter>,
    },
    /// ec2 delete-flow-logs.
    DeleteFlowLogs {
        /// `--flow-log-ids`.
        ids: Vec<String>,
    },
    /// logs filter-log-events (F1).
    FilterLogEvents {
        /// `--log-group-name`, or the name in `--log-group-identifier`.
        group: String,
        /// `--filter-pattern` (every event without one).
        pattern: FilterPattern,
        /// `--log-stream-names`.
        streams: Vec<String>,
        /// `--log-stream-name-prefix`.
        stream_prefix: Option<String>,
        /// `--start-time`: milliseconds since the epoch, inclusive.
        start_ms: Option<i64>,
        /// `--end-time`: milliseconds since the epoch, exclusive.
        end_ms: Option<i64>,
    },
    /// logs describe-log-groups.
    DescribeLogGroups {
        /// `--log-group-name-prefix`.
        prefix: Option<String>,
    },
    /// ec2 allocate-address (`--domain vpc`, the only domain left).
    AllocateAddress,
    /// ec2 associate-address.
    AssociateAddress {
        /// `--allocation-id` or `--public-ip`.
        address: AddressRef,
        /// `--network-interface-id` or `--instance-id`.
        target: InterfaceRef,
        /// `--[no-]allow-reassociation` (AWS's default: allowed).
        allow_reassociation: bool,
        /// M6: `--private-ip-address`: which of the interface's addresses the Elastic IP maps
        /// to (its primary one when absent).
        private_ip: Option<Ipv4Addr>,
    },
    /// ec2 disassociate-address.
    DisassociateAddress {
        /// `--association-id` or `--public-ip`.
        association: AssociationRef,
    },
    /// ec2 release-address.
    ReleaseAddress {
        /// `--allocation-id` or `--public-ip`.
        address: AddressRef,
    },
    /// ec2 create-network-acl-entry.
    CreateNetworkAclEntry {
        /// `--network-acl-id`.
        acl_id: String,
        /// `--rule-number`.
        number: u16,
        /// `--egress` / `--ingress`.
        direction: Direction,
        /// `--protocol`.
        protocol: RuleProtocol,
        /// `--rule-action allow`.
        allow: bool,
        /// `--cidr-block`, or `--ipv6-cidr-block` (A8).
        cidr: AclCidr,
        /// `--port-range` (all when not given).
        ports: PortRange,
        /// `--icmp-type-code` (all when not given).
        icmp: IcmpTypeCode,
    },
    /// ec2 delete-network-acl-entry.
    DeleteNetworkAclEntry {
        /// `--network-acl-id`.
        acl_id: String,
        /// `--rule-number`.
        number: u16,
        /// `--egress` / `--ingress`.
        direction: Direction,
    },
    /// elbv2 register- / deregister-targets.
    Targets {
        /// Register or deregister.
        change: Change,
        /// `--target-group-arn`.
        target_group_arn: String,
        /// `--targets`.
        targets: Vec<TargetText>,
    },
    /// elbv2 describe-target-health.
    DescribeTargetHealth {
        /// `--target-group-arn`.
        target_group_arn: String,
        /// `--targets` (all when empty).
        targets: Vec<TargetText>,
    },
    /// elbv2 describe-load-balancers.
    DescribeLoadBalancers {
        /// `--load-balancer-arns`.
        arns: Vec<String>,
        /// `--names`.
        names: Vec<String>,
    },
    /// elbv2 describe-target-groups.
    DescribeTargetGroups {
        /// `--target-group-arns`.
        arns: Vec<String>,
        /// `--names`.
        names: Vec<String>,
        /// `--load-balancer-arn`.
        load_balancer_arn: Option<String>,
    },
    /// elbv2 describe-listeners.
    DescribeListeners {
        /// `--load-balancer-arn`.
        load_balancer_arn: Option<String>,
        /// `--listener-arns`.
        arns: Vec<String>,
    },
    /// elbv2 modify-target-group-attributes (L7, L11, L12).
    ModifyTargetGroupAttributes {
        /// `--target-group-arn`.
        target_group_arn: String,
        /// `--attributes Key=...,Value=...`, each checked.
        attributes: Vec<TargetGroupAttribute>,
    },
    /// elbv2 describe-target-group-attributes.
    DescribeTargetGroupAttributes {
        /// `--target-group-arn`.
        target_group_arn: String,
    },
    /// elbv2 set-security-groups (L9).
    SetSecurityGroups {
        /// `--load-balancer-arn`.
        load_balancer_arn: String,
        /// `--security-groups`.
        security_groups: Vec<String>,
        /// `--enforce-security-group-inbound-rules-on-private-link-traffic on|off`.
        enforce_on_privatelink: Option<bool>,
    },
    /// ec2 create-vpc-peering-connection.
    CreateVpcPeeringConnection {
        /// `--vpc-id`.
        vpc_id: String,
        /// `--peer-vpc-id`.
        peer_vpc_id: String,
    },
    /// ec2 accept-, reject- or delete-vpc-peering-connection.
    VpcPeeringConnection {
        /// What to do with it.
        action: PeeringAction,
        /// `--vpc-peering-connection-id`.
        id: String,
    },
    /// ec2 describe-vpc-peering-connections.
    DescribeVpcPeeringConnections {
        /// `--vpc-peering-connection-ids`.
        ids: Vec<String>,
        /// `--filters`.
        filters: Vec<Filter>,
    },
    /// ec2 modify-vpc-peering-connection-options.
    ModifyVpcPeeringConnectionOptions {
        /// `--vpc-peering-connection-id`.
        id: String,
        /// `--requester-peering-connection-options`.
        requester: Option<PeeringOptions>,
        /// `--accepter-peering-connection-options`.
        accepter: Option<PeeringOptions>,
    },
    /// ec2 create-managed-prefix-list.
    CreateManagedPrefixList {
        /// `--prefix-list-name`.
        name: String,
        /// `--max-entries`.
        max_entries: u32,
        /// `--entries`: CIDR and description.
        entries: Vec<(Cidr, Option<String>)>,
    },
    /// ec2 describe-prefix-lists (AWS's lists) or describe-managed-prefix-lists (all).
    DescribePrefixLists {
        /// describe-managed-prefix-lists.
        managed: bool,
        /// `--prefix-list-ids`.
        ids: Vec<String>,
        /// `--filters`.
        filters: Vec<Filter>,
    },
    /// ec2 get-managed-prefix-list-entries.
    GetManagedPrefixListEntries {
        /// `--prefix-list-id`.
        id: String,
    },
    /// ec2 create-network-insights-path (RA4).
    CreateNetworkInsightsPath(CreateNetworkInsightsPath),
    /// ec2 start-network-insights-analysis.
    StartNetworkInsightsAnalysis {
        /// `--network-insights-path-id`.
        path_id: String,
    },
    /// ec2 describe-network-insights-paths.
    DescribeNetworkInsightsPaths {
        /// `--network-insights-path-ids`.
        ids: Vec<String>,
        /// `--filters`.
        filters: Vec<Filter>,
    },
    /// ec2 describe-network-insights-analyses.
    DescribeNetworkInsightsAnalyses {
        /// `--network-insights-analysis-ids`.
        ids: Vec<String>,
        /// `--network-insights-path-id`.
        path_id: Option<String>,
        /// `--filters`.
        filters: Vec<Filter>,
    },
    /// ec2 delete-network-insights-path, -analysis, -access-scope, -access-scope-analysis.
    DeleteNetworkInsights {
        /// Which kind.
        what: Insights,
        /// Its id.
        id: String,
    },
    /// ec2 create-network-insights-access-scope (RA4).
    CreateNetworkInsightsAccessScope {
        /// `--match-paths`.
        match_paths: ScopePaths,
        /// `--exclude-paths`.
        exclude_paths: Option<ScopePaths>,
    },
    /// ec2 start-network-insights-access-scope-analysis.
    StartNetworkInsightsAccessScopeAnalysis {
        /// `--network-insights-access-scope-id`.
        scope_id: String,
    },
    /// ec2 get-network-insights-access-scope-analysis-findings.
    GetNetworkInsightsAccessScopeAnalysisFindings {
        /// `--network-insights-access-scope-analysis-id`.
        analysis_id: String,
    },
    /// ec2 describe-network-insights-access-scopes.
    DescribeNetworkInsightsAccessScopes {
        /// `--network-insights-access-scope-ids`.
        ids: Vec<String>,
        /// `--filters`.
        filters: Vec<Filter>,
    },
    /// ec2 describe-network-insights-access-scope-analyses.
    DescribeNetworkInsightsAccessScopeAnalyses {
        /// `--network-insights-access-scope-analysis-ids`.
        ids: Vec<String>,
        /// `--network-insights-access-scope-id`.
        scope_id: Option<String>,
        /// `--filters`.
        filters: Vec<Filter>,
    },
    /// ec2 get-network-insights-access-scope-content.
    GetNetworkInsightsAccessScopeContent {
        /// `--network-insights-access-scope-id`.
        scope_id: String,
    },
    /// ec2 create-vpc-endpoint --vpc-endpoint-type Gateway (the CLI's default type).
    CreateGatewayEndpoint {
        /// `--vpc-id`.
        vpc_id: String,
        /// `--service-name`.
        service_name: String,
        /// `--route-table-ids`.
        route_table_ids: Vec<String>,
        /// E2: `--policy-document` (JSON; none: full access).
        policy_document: Option<Value>,
    },
    /// ec2 modify-vpc-endpoint, for a gateway endpoint's policy (E2).
    ModifyVpcEndpoint {
        /// `--vpc-endpoint-id`.
        id: String,
        /// `--policy-document`, or None for `--reset-policy` (full access).
        policy_document: Option<Value>,
    },
    /// ec2 create-, associate-, describe- and delete-dhcp-options (Z2).
    Dhcp(DhcpRequest),
    /// route53 hosted zones, their VPCs, record sets and changes (Z1).
    Route53(Route53Request),
    /// cloudformation delete-stack.
    DeleteStack {
        /// `--stack-name`.
        name: String,
    },
    /// cloudformation describe-stacks.
    DescribeStacks {
        /// `--stack-name` (all when not given).
        name: Option<String>,
    },
    /// cloudformation create-stack and describe-stack-events.
    CloudFormation(CloudFormationRequest),
    /// sns vpcsim-list-published-messages (vpcsim's own call: AWS has none): the messages
    /// endpoint connection notifications published (P14).
    PublishedMessages {
        /// `--topic-arn` (every topic when not given).
        topic_arn: Option<String>,
    },
    /// autoscaling create-auto-scaling-group.
    CreateAutoScalingGroup(launch::AutoScalingGroupSpec),
    /// autoscaling delete-auto-scaling-group.
    DeleteAutoScalingGroup {
        /// `--auto-scaling-group-name`.
        name: String,
        /// `--[no-]force-delete`: terminate its instances first (else a group with instances is refused).
        force: bool,
    },
    /// ec2 create-launch-template.
    CreateLaunchTemplate(launch::LaunchTemplateSpec),
    /// ec2 describe-launch-templates.
    DescribeLaunchTemplates {
        /// `--launch-template-ids`.
        ids: Vec<String>,
        /// `--launch-template-names`.
        names: Vec<String>,
    },
    /// ec2 delete-launch-template.
    DeleteLaunchTemplate {
        /// `--launch-template-id` or `--launch-template-name`.
        id: String,
    },
    /// ec2 create-vpc-endpoint-connection-notification.
    CreateVpcEndpointConnectionNotification {
        /// `--service-id`.
        service_id: Option<String>,
        /// `--vpc-endpoint-id`.
        endpoint_id: Option<String>,
        /// `--connection-notification-arn`: the SNS topic.
        topic_arn: String,
        /// `--connection-events` (Connect, Accept, Reject, Delete).
        events: Vec<String>,
    },
    /// ec2 describe-vpc-endpoint-connection-notifications.
    DescribeVpcEndpointConnectionNotifications {
        /// `--connection-notification-id` (all when not given).
        id: Option<String>,
    },
    /// ec2 delete-vpc-endpoint-connection-notifications.
    DeleteVpcEndpointConnectionNotifications {
        /// `--connection-notification-ids`.
        ids: Vec<String>,
    },
    /// `aws s3 ls` and `aws s3 cp ... - | gunzip` (F1: flow log files).
    S3(super::s3::S3Request),
    /// s3api list-objects-v2 (F1: the flow log files delivered to a bucket, as JSON).
    ListObjectsV2 {
        /// `--bucket`.
        bucket: String,
        /// `--prefix`.
        prefix: Option<String>,
    },
}

/// The flags of ec2 run-instances.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunInstancesSpec {
    /// `--image-id`.
    pub image_id: Option<String>,
    /// `--instance-type`.
    pub instance_type: Option<String>,
    /// `--count` (1 when absent).
    pub count: u32,
    /// `--subnet-id`.
    pub subnet_id: Option<String>,
    /// `--security-group-ids`.
    pub security_group_ids: Vec<String>,
    /// `--private-ip-address`.
    pub private_ip: Option<Ipv4Addr>,
    /// M6: `--secondary-private-ip-addresses`.
    pub secondary_ips: Vec<Ipv4Addr>,
    /// M6: `--secondary-private-ip-address-count`.
    pub secondary_count: u32,
    /// `--[no-]associate-public-ip-address`.
    pub public_ip: Option<bool>,
    /// `--key-name`.
    pub key_name: Option<String>,
    /// `--user-data` (the script as text).
    pub user_data: Option<String>,
    /// `--launch-template LaunchTemplateId=...|LaunchTemplateName=...[,Version=...]`.
    pub launch_template: Option<String>,
    /// `--tag-specifications` of type `instance`.
    pub tags: crate::model::Tags,
    /// `--metadata-options HttpTokens=..,HttpEndpoint=..` (M1).
    pub metadata_options: crate::model::metadata_options::MetadataChange,
}

/// What accept-, reject- and delete-vpc-peering-connection do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeeringAction {
    /// accept-vpc-peering-connection.
    Accept,
    /// reject-vpc-peering-connection.
    Reject,
    /// delete-vpc-peering-connection.
    Delete,
}

/// The four kinds of network insights resources a delete call names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Insights {
    /// A Reachability Analyzer path.
    Path,
    /// A Reachability Analyzer analysis.
    Analysis,
    /// A Network Access Analyzer access scope.
    AccessScope,
    /// A Network Access Analyzer scope analysis.
    AccessScopeAnalysis,
}

/// `--match-paths` / `--exclude-paths`: AWS's JSON list of paths, inline or in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScopePaths {
    /// The JSON given on the line.
    Json(Value),
    /// `file://PATH`: read when the call runs (relative to the scenario's folder).
    File(String),
}

/// The ec2 describe calls that list one kind of resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DescribeEc2 {
    /// describe-vpcs.
    Vpcs,
    /// describe-subnets.
    Subnets,
    /// describe-route-tables.
    RouteTables,
    /// describe-security-groups.
    SecurityGroups,
    /// describe-instances.
    Instances,
    /// describe-network-interfaces.
    NetworkInterfaces,
    /// describe-internet-gateways.
    InternetGateways,
    /// describe-network-acls.
    NetworkAcls,
    /// describe-egress-only-internet-gateways (A8).
    EgressOnlyInternetGateways,
}

/// The raw flags of one call, read once by [`Request::build`].
pub struct Flags<'a> {
    spec: &'a OpSpec,
    values: IndexMap<&'static str, RawValue>,
}

impl<'a> Flags<'a> {
    /// Raw values by flag name.
    pub fn new(spec: &'a OpSpec, values: IndexMap<&'static str, RawValue>) -> Flags<'a> {
        Flags { spec, values }
    }

    fn invalid(&self, message: String) -> AwsError {
        AwsError::Value(ApiError::new(&op_name(self.spec.name), "InvalidParameterValue", message))
    }

    fn missing(&self, what: &str) -> AwsError {
        AwsError::Value(ApiError::new(
            &op_name(self.spec.name),
            "MissingParameter",
            format!("The request must contain the parameter {what}"),
        ))
    }

    fn opt(&self, flag: &str) -> Option<String> {
        match self.values.get(flag)? {
            RawValue::Str(s) => Some(s.clone()),
            _ => None,
        }
    }

    fn req(&self, flag: &str) -> Result<String, AwsError> {
        self.opt(flag).ok_or_else(|| self.missing(flag))
    }

    fn list(&self, flag: &str) -> Vec<String> {
        match self.values.get(flag) {
            Some(RawValue::List(v)) => v.clone(),
            _ => Vec::new(),
        }
    }

    fn switch(&self, flag: &str) -> Option<bool> {
        match self.values.get(flag)? {
            RawValue::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// A whole number of at least 0 (`--count`, `--desired-capacity`), named as the API names it.
    fn count(&self, flag: &str, api_name: &str) -> Result<Option<u32>, AwsError> {
        match self.values.get(flag) {
            Some(RawValue::Int(n)) => u32::try_from(*n)
                .map(Some)
                .map_err(|_| self.invalid(format!("Value {n} for {api_name} must be 0 or more"))),
            _ => Ok(None),
        }
    }

    fn filters(&self) -> Result<Vec<Filter>, AwsError> {
        filter::parse(&self.list("filters")).map_err(AwsError::ParamError)
    }

    fn cidr(&self, flag: &str, text: &str) -> Result<Cidr, AwsError> {
        text.parse().map_err(|_| {
            self.invalid(format!(
                "Value ({text}) for parameter {flag} is invalid. This is not a valid CIDR block."
            ))
        })
    }

    fn ipv6_cidr(&self, flag: &str, text: &str) -> Result<ipnet::Ipv6Net, AwsError> {
        crate::model::ipv6::parse(text).ok_or_else(|| {
            self.invalid(format!(
                "Value ({text}) for parameter {flag} is invalid. This is not a valid IPv6 CIDR block."
            ))
        })
    }

    fn protocol(&self, text: &str) -> Result<RuleProtocol, AwsError> {
        text.parse()
            .map_err(|_| self.invalid(format!("Invalid value '{text}' for IP protocol. Unknown protocol.")))
    }

    fn rule_number(&self) -> Result<u16, AwsError> {
        let n = match self.values.get("rule-number") {
            Some(RawValue::Int(n)) => *n,
            _ => return Err(self.missing("ruleNumber")),
        };
        match u16::try_from(n) {
            Ok(n @ 1..=32766) => Ok(n),
            _ => {
                Err(self
                    .invalid(format!("Invalid rule number: {n}. Rule numbers must be between 1 and 32766.")))
            }
        }
    }

    fn direction(&self) -> Direction {
        if self.switch("egress") == Some(true) {
            Direction::Egress
        } else {
            Direction::Ingress
        }
    }
}

impl Request {
    /// Types the raw flags of `spec`'s operation.
    pub fn build(f: &Flags) -> Result<Request, AwsError> {
        use Request as R;
        let name = f.spec.name;
        if let Some(dhcp) = dhcp::build(f) {
            return dhcp.map(R::Dhcp);
        }
        if let Some(route53) = route53::build(f) {
            return route53.map(R::Route53);
        }
        if let Some(cfn) = cloudformation::build(f) {
            return cfn.map(R::CloudFormation);
        }
        if let Some(network) = network::build(f) {
            return network.map(R::Network);
        }
        if let Some(lb) = load_balancing::build(f) {
            return lb.map(R::LoadBalancing);
        }
        let change = if ["authorize", "register", "accept", "attach"].iter().any(|p| name.starts_with(p)) {
            Change::Add
        } else {
            Change::Remove
        };
        Ok(match name {
            "create-vpc-endpoint-service-configuration" => R::CreateVpcEndpointServiceConfiguration {
                nlb_arns: f.list("network-load-balancer-arns"),
                acceptance_required: f.switch("acceptance-required").unwrap_or(true),
                private_dns_name: f.opt("private-dns-name"),
            },
            "describe-vpc-endpoint-service-configurations" => R::DescribeVpcEndpointServiceConfigurations {
                ids: f.list("service-ids"),
                filters: f.filters()?,
            },
            "delete-vpc-endpoint-service-configurations" => {
                R::DeleteVpcEndpointServiceConfigurations { ids: f.list("service-ids") }
            }
            "modify-vpc-endpoint-service-permissions" => R::ModifyVpcEndpointServicePermissions {
                service_id: f.req("service-id")?,
                add: f.list("add-allowed-principals"),
                remove: f.list("remove-allowed-principals"),
            },
            "describe-vpc-endpoint-service-permissions" => R::DescribeVpcEndpointServicePermissions {
                service_id: f.req("service-id")?,
                filters: f.filters()?,
            },
            "start-vpc-endpoint-service-private-dns-verification" => {
                R::StartVpcEndpointServicePrivateDnsVerification { service_id: f.req("service-id")? }
            }
            "accept-vpc-endpoint-connections" | "reject-vpc-endpoint-connections" => {
                R::VpcEndpointConnections {
                    change,
                    service_id: f.req("service-id")?,
                    endpoint_ids: f.list("vpc-endpoint-ids"),
                }
            }
            "describe-vpc-endpoint-connections" => {
                R::DescribeVpcEndpointConnections { filters: f.filters()? }
            }
            "create-vpc-endpoint" => create_vpc_endpoint(f)?,
            "modify-vpc-endpoint" => modify_vpc_endpoint(f)?,
            "describe-vpc-endpoints" => {
                R::DescribeVpcEndpoints { ids: f.list("vpc-endpoint-ids"), filters: f.filters()? }
            }
            "delete-vpc-endpoints" => R::DeleteVpcEndpoints { ids: f.list("vpc-endpoint-ids") },
            "describe-vpc-endpoint-services" => {
                R::DescribeVpcEndpointServices { names: f.list("service-names"), filters: f.filters()? }
            }
            "authorize-security-group-ingress"
            | "authorize-security-group-egress"
            | "revoke-security-group-ingress"
            | "revoke-security-group-egress" => security_group_rules(f, change)?,
            "create-route" | "replace-route" => R::Route {
                change: if name == "create-route" { RouteChange::Create } else { RouteChange::Replace },
                route_table_id: f.req("route-table-id")?,
                destination: route_destination(f)?,
                target: route_target(f)?,
            },
            "delete-route" => R::DeleteRoute {
                route_table_id: f.req("route-table-id")?,
                destination: route_destination(f)?,
            },
            "create-managed-prefix-list" => create_managed_prefix_list(f)?,
            "describe-prefix-lists" => R::DescribePrefixLists {
                managed: false,
                ids: f.list("prefix-list-ids"),
                filters: f.filters()?,
            },
            "describe-managed-prefix-lists" => R::DescribePrefixLists {
                managed: true,
                ids: f.list("prefix-list-ids"),
                filters: f.filters()?,
            },
            "get-managed-prefix-list-entries" => {
                R::GetManagedPrefixListEntries { id: f.req("prefix-list-id")? }
            }
            "describe-vpcs" => describe(f, DescribeEc2::Vpcs, "vpc-ids")?,
            "describe-subnets" => describe(f, DescribeEc2::Subnets, "subnet-ids")?,
            "describe-route-tables" => describe(f, DescribeEc2::RouteTables, "route-table-ids")?,
            "describe-security-groups" => describe(f, DescribeEc2::SecurityGroups, "group-ids")?,
            "describe-instances" => describe(f, DescribeEc2::Instances, "instance-ids")?,
            "describe-network-interfaces" => {
                describe(f, DescribeEc2::NetworkInterfaces, "network-interface-ids")?
            }
            "describe-internet-gateways" => {
                describe(f, DescribeEc2::InternetGateways, "internet-gateway-ids")?
            }
            "describe-network-acls" => describe(f, DescribeEc2::NetworkAcls, "network-acl-ids")?,
            "associate-vpc-cidr-block" => associate_vpc_cidr_block(f)?,
            "associate-subnet-cidr-block" => R::AssociateSubnetCidrBlock {
                subnet_id: f.req("subnet-id")?,
                cidr: f.ipv6_cidr("ipv6CidrBlock", &f.req("ipv6-cidr-block")?)?,
            },
            "create-egress-only-internet-gateway" => R::CreateEgressOnlyInternetGateway { vpc_id: f.req("vpc-id")? },
            "delete-egress-only-internet-gateway" => {
                R::DeleteEgressOnlyInternetGateway { id: f.req("egress-only-internet-gateway-id")? }
            }
            "describe-egress-only-internet-gateways" => {
                describe(f, DescribeEc2::EgressOnlyInternetGateways, "egress-only-internet-gateway-ids")?
            }
            "disassociate-vpc-cidr-block" => {
                R::DisassociateVpcCidrBlock { association_id: f.req("association-id")? }
            }
            "attach-internet-gateway" | "detach-internet-gateway" => {
                R::InternetGateway { change, igw_id: f.req("internet-gateway-id")?, vpc_id: f.req("vpc-id")? }
            }
            "modify-instance-attribute" => modify_instance_attribute(f)?,
            "modify-instance-metadata-options" => modify_instance_metadata_options(f)?,
            "modify-network-interface-attribute" => modify_network_interface_attribute(f)?,
            "terminate-instances" => R::TerminateInstances { ids: f.list("instance-ids") },
            "create-network-interface" => R::CreateNetworkInterface {
                subnet_id: f.req("subnet-id")?,
                description: f.opt("description"),
                private_ip: match f.opt("private-ip-address") {
                    None => None,
                    Some(text) => Some(ip(f, "private-ip-address", &text)?),
                },
                addresses: private_ip_specifications(f)?,
                secondary_count: f
                    .count("secondary-private-ip-address-count", "SecondaryPrivateIpAddressCount")?
                    .unwrap_or_default(),
                groups: f.list("groups"),
                tags: network::tag_specifications(f, "network-interface")?,
            },
            "assign-private-ip-addresses" => R::AssignPrivateIpAddresses {
                eni_id: f.req("network-interface-id")?,
                ips: ips(f, "private-ip-addresses")?,
                count: f
                    .count("secondary-private-ip-address-count", "SecondaryPrivateIpAddressCount")?
                    .unwrap_or_default(),
                allow_reassignment: f.switch("allow-reassignment").unwrap_or(false),
            },
            "unassign-private-ip-addresses" => R::UnassignPrivateIpAddresses {
                eni_id: f.req("network-interface-id")?,
                ips: ips(f, "private-ip-addresses")?,
            },
            "delete-network-interface" => R::DeleteNetworkInterface { eni_id: f.req("network-interface-id")? },
            "attach-network-interface" => R::AttachNetworkInterface {
                eni_id: f.req("network-interface-id")?,
                instance_id: f.req("instance-id")?,
                device_index: f.count("device-index", "DeviceIndex")?.ok_or_else(|| f.missing("DeviceIndex"))?,
            },
            "detach-network-interface" => R::DetachNetworkInterface {
                attachment_id: f.req("attachment-id")?,
                force: f.switch("force").unwrap_or(false),
            },
            "run-instances" => run_instances(f)?,
            "describe-auto-scaling-groups" => {
                R::DescribeAutoScalingGroups { names: f.list("auto-scaling-group-names") }
            }
            "set-desired-capacity" => R::SetDesiredCapacity {
                name: f.req("auto-scaling-group-name")?,
                desired: f.count("desired-capacity", "DesiredCapacity")?.unwrap_or_default(),
            },
            "create-nat-gateway" => create_nat_gateway(f)?,
            "create-flow-logs" => create_flow_logs(f)?,
            "describe-flow-logs" => {
                let mut filters = filter::parse(&f.list("filter")).map_err(AwsError::ParamError)?;
                filters.extend(f.filters()?);
                R::DescribeFlowLogs { ids: f.list("flow-log-ids"), filters }
            }
            "delete-flow-logs" => R::DeleteFlowLogs { ids: f.list("flow-log-ids") },
            "filter-log-events" => filter_log_events(f)?,
            "describe-log-groups" => R::DescribeLogGroups { prefix: f.opt("log-group-name-prefix") },
            "list-objects-v2" => R::ListObjectsV2 { bucket: f.req("bucket")?, prefix: f.opt("prefix") },
            "delete-nat-gateway" => R::DeleteNatGateway { id: f.req("nat-gateway-id")? },
            "describe-nat-gateways" => {
                let mut filters = filter::parse(&f.list("filter")).map_err(AwsError::ParamError)?;
                filters.extend(f.filters()?);
                R::DescribeNatGateways { ids: f.list("nat-gateway-ids"), filters }
            }
            "allocate-address" => match f.opt("domain").as_deref() {
                None | Some("vpc") => R::AllocateAddress,
                Some(other) => {
                    return Err(f.invalid(format!(
                        "Invalid value '{other}' for domain: EC2-Classic is retired; the only domain is vpc"
                    )))
                }
            },
            "associate-address" => R::AssociateAddress {
                address: address(f)?,
                target: match (f.opt("network-interface-id"), f.opt("instance-id")) {
                    (Some(id), None) => InterfaceRef::Interface(id),
                    (None, Some(id)) => InterfaceRef::Instance(id),
                    (Some(_), Some(_)) => {
                        return Err(
                            f.invalid("Give either --instance-id or --network-interface-id, not both".into())
                        )
                    }
                    (None, None) => return Err(f.missing("instanceId or networkInterfaceId")),
                },
                allow_reassociation: f.switch("allow-reassociation").unwrap_or(true),
                private_ip: match f.opt("private-ip-address") {
                    None => None,
                    Some(text) => Some(ip(f, "private-ip-address", &text)?),
                },
            },
            "disassociate-address" => R::DisassociateAddress {
                association: match (f.opt("association-id"), f.opt("public-ip")) {
                    (Some(id), None) => AssociationRef::Association(id),
                    (None, Some(ip)) => AssociationRef::PublicIp(ip),
                    (Some(_), Some(_)) => {
                        return Err(f.invalid("Give either --association-id or --public-ip, not both".into()))
                    }
                    (None, None) => return Err(f.missing("associationId or publicIp")),
                },
            },
            "release-address" => R::ReleaseAddress { address: address(f)? },
            "create-network-acl-entry" => create_network_acl_entry(f)?,
            "delete-network-acl-entry" => R::DeleteNetworkAclEntry {
                acl_id: f.req("network-acl-id")?,
                number: f.rule_number()?,
                direction: f.direction(),
            },
            "register-targets" | "deregister-targets" => {
                R::Targets { change, target_group_arn: f.req("target-group-arn")?, targets: targets(f)? }
            }
            "describe-target-health" => {
                R::DescribeTargetHealth { target_group_arn: f.req("target-group-arn")?, targets: targets(f)? }
            }
            "describe-load-balancers" => {
                R::DescribeLoadBalancers { arns: f.list("load-balancer-arns"), names: f.list("names") }
            }
            "describe-target-groups" => R::DescribeTargetGroups {
                arns: f.list("target-group-arns"),
                names: f.list("names"),
                load_balancer_arn: f.opt("load-balancer-arn"),
            },
            "describe-listeners" => R::DescribeListeners {
                load_balancer_arn: f.opt("load-balancer-arn"),
                arns: f.list("listener-arns"),
            },
            "modify-target-group-attributes" => R::ModifyTargetGroupAttributes {
                target_group_arn: f.req("target-group-arn")?,
                attributes: target_group_attributes(f)?,
            },
            "describe-target-group-attributes" => {
                R::DescribeTargetGroupAttributes { target_group_arn: f.req("target-group-arn")? }
            }
            "set-security-groups" => R::SetSecurityGroups {
                load_balancer_arn: f.req("load-balancer-arn")?,
                security_groups: f.list("security-groups"),
                enforce_on_privatelink: match f.opt("enforce-security-group-inbound-rules-on-private-link-traffic").as_deref() {
                    None => None,
                    Some("on") => Some(true),
                    Some("off") => Some(false),
                    Some(other) => {
                        return Err(f.invalid(format!(
                            "Invalid value '{other}' for enforce-security-group-inbound-rules-on-private-link-traffic: use on or off"
                        )))
                    }
                },
            },
            "create-vpc-peering-connection" => {
                R::CreateVpcPeeringConnection { vpc_id: f.req("vpc-id")?, peer_vpc_id: f.req("peer-vpc-id")? }
            }
            "accept-vpc-peering-connection"
            | "reject-vpc-peering-connection"
            | "delete-vpc-peering-connection" => {
                let action = match name {
                    "accept-vpc-peering-connection" => PeeringAction::Accept,
                    "reject-vpc-peering-connection" => PeeringAction::Reject,
                    _ => PeeringAction::Delete,
                };
                R::VpcPeeringConnection { action, id: f.req("vpc-peering-connection-id")? }
            }
            "describe-vpc-peering-connections" => R::DescribeVpcPeeringConnections {
                ids: f.list("vpc-peering-connection-ids"),
                filters: f.filters()?,
            },
            "modify-vpc-peering-connection-options" => modify_peering_options(f)?,
            "create-network-insights-path" => create_network_insights_path(f)?,
            "start-network-insights-analysis" => {
                R::StartNetworkInsightsAnalysis { path_id: f.req("network-insights-path-id")? }
            }
            "describe-network-insights-paths" => R::DescribeNetworkInsightsPaths {
                ids: f.list("network-insights-path-ids"),
                filters: f.filters()?,
            },
            "describe-network-insights-analyses" => R::DescribeNetworkInsightsAnalyses {
                ids: f.list("network-insights-analysis-ids"),
                path_id: f.opt("network-insights-path-id"),
                filters: f.filters()?,
            },
            "delete-network-insights-path" => {
                R::DeleteNetworkInsights { what: Insights::Path, id: f.req("network-insights-path-id")? }
            }
            "delete-network-insights-analysis" => R::DeleteNetworkInsights {
                what: Insights::Analysis,
                id: f.req("network-insights-analysis-id")?,
            },
            "delete-network-insights-access-scope" => R::DeleteNetworkInsights {
                what: Insights::AccessScope,
                id: f.req("network-insights-access-scope-id")?,
            },
            "delete-network-insights-access-scope-analysis" => R::DeleteNetworkInsights {
                what: Insights::AccessScopeAnalysis,
                id: f.req("network-insights-access-scope-analysis-id")?,
            },
            "create-network-insights-access-scope" => R::CreateNetworkInsightsAccessScope {
                match_paths: scope_paths(f, "match-paths")?.ok_or_else(|| f.missing("MatchPaths"))?,
                exclude_paths: scope_paths(f, "exclude-paths")?,
            },
            "start-network-insights-access-scope-analysis" => R::StartNetworkInsightsAccessScopeAnalysis {
                scope_id: f.req("network-insights-access-scope-id")?,
            },
            "get-network-insights-access-scope-analysis-findings" => {
                R::GetNetworkInsightsAccessScopeAnalysisFindings {
                    analysis_id: f.req("network-insights-access-scope-analysis-id")?,
                }
            }
            "describe-network-insights-access-scopes" => R::DescribeNetworkInsightsAccessScopes {
                ids: f.list("network-insights-access-scope-ids"),
                filters: f.filters()?,
            },
            "describe-network-insights-access-scope-analyses" => R::DescribeNetworkInsightsAccessScopeAnalyses {
                ids: f.list("network-insights-access-scope-analysis-ids"),
                scope_id: f.opt("network-insights-access-scope-id"),
                filters: f.filters()?,
            },
            "get-network-insights-access-scope-content" => R::GetNetworkInsightsAccessScopeContent {
                scope_id: f.req("network-insights-access-scope-id")?,
            },
            "delete-stack" => R::DeleteStack { name: f.req("stack-name")? },
            "vpcsim-list-published-messages" => R::PublishedMessages { topic_arn: f.opt("topic-arn") },
            "describe-stacks" => R::DescribeStacks { name: f.opt("stack-name") },
            "create-auto-scaling-group" => R::CreateAutoScalingGroup(launch::auto_scaling_group(f)?),
            "delete-auto-scaling-group" => R::DeleteAutoScalingGroup {
                name: f.req("auto-scaling-group-name")?,
                force: f.switch("force-delete").unwrap_or(false),
            },
            "create-launch-template" => R::CreateLaunchTemplate(launch::launch_template(f)?),
            "describe-launch-templates" => R::DescribeLaunchTemplates {
                ids: f.list("launch-template-ids"),
                names: f.list("launch-template-names"),
            },
            "create-vpc-endpoint-connection-notification" => R::CreateVpcEndpointConnectionNotification {
                service_id: f.opt("service-id"),
                endpoint_id: f.opt("vpc-endpoint-id"),
                topic_arn: f.req("connection-notification-arn")?,
                events: f.list("connection-events").iter().flat_map(|e| e.split(',')).map(str::to_string).collect(),
            },
            "describe-vpc-endpoint-connection-notifications" => {
                R::DescribeVpcEndpointConnectionNotifications { id: f.opt("connection-notification-id") }
            }
            "delete-vpc-endpoint-connection-notifications" => {
                R::DeleteVpcEndpointConnectionNotifications { ids: f.list("connection-notification-ids") }
            }
            "delete-launch-template" => {
                R::DeleteLaunchTemplate { id: launch::one_template(f)? }
            }
            other => unreachable!("operation {other} is in the table but has no request"),
        })
    }
}

fn run_instances(f: &Flags) -> Result<Request, AwsError> {
    let private_ip = match f.opt("private-ip-address") {
        None => None,
        Some(text) => Some(text.parse().map_err(|_| {
            f.invalid(format!("Invalid value '{text}' for private-ip-address: not an IPv4 address"))
        })?),
    };
    let launch_template = launch::template_reference(f)?;
    Ok(Request::RunInstances(RunInstancesSpec {
        image_id: f.opt("image-id"),
        instance_type: f.opt("instance-type"),
        count: f.count("count", "MinCount")?.unwrap_or(1),
        subnet_id: f.opt("subnet-id"),
        security_group_ids: f.list("security-group-ids"),
        private_ip,
        secondary_ips: ips(f, "secondary-private-ip-addresses")?,
        secondary_count: f
            .count("secondary-private-ip-address-count", "SecondaryPrivateIpAddressCount")?
            .unwrap_or_default(),
        public_ip: f.switch("associate-public-ip-address"),
        key_name: f.opt("key-name"),
        user_data: f.opt("user-data"),
        launch_template,
        tags: network::tag_specifications(f, "instance")?,
        metadata_options: match f.opt("metadata-options") {
            Some(text) => {
                let value = crate::command::aws::shorthand::parse(&text).map_err(AwsError::ParamError)?;
                launch::metadata_options(f, Some(&value))?
            }
            None => Default::default(),
        },
    }))
}

fn describe(f: &Flags, what: DescribeEc2, ids: &str) -> Result<Request, AwsError> {
    Ok(Request::Describe { what, ids: f.list(ids), names: f.list("group-names"), filters: f.filters()? })
}

fn create_vpc_endpoint(f: &Flags) -> Result<Request, AwsError> {
    let refuse =
        |message: String| AwsError::Value(ApiError::new("CreateVpcEndpoint", "InvalidParameter", message));
    match f.opt("vpc-endpoint-type").as_deref() {
        Some("Interface") => {}
        None | Some("Gateway") => {
            // E1: Gateway is the CLI's default type; an interface endpoint's flags do not apply.
            let interface_only =
                ["subnet-ids", "security-group-ids", "private-dns-enabled", "no-private-dns-enabled"];
            if let Some(flag) = interface_only.iter().find(|k| f.values.contains_key(**k)) {
                return Err(refuse(format!("--{flag} is for Interface endpoints; a Gateway endpoint (the default type) takes --route-table-ids")));
            }
            return Ok(Request::CreateGatewayEndpoint {
                vpc_id: f.req("vpc-id")?,
                service_name: f.req("service-name")?,
                route_table_ids: f.list("route-table-ids"),
                policy_document: policy_document(f)?,
            });
        }
        Some(kind) => {
            return Err(refuse(format!(
                "{kind} endpoints are not simulated; use --vpc-endpoint-type Interface or Gateway"
            )))
        }
    }
    if f.values.contains_key("route-table-ids") {
        return Err(refuse(
            "--route-table-ids is for Gateway endpoints; an Interface endpoint takes --subnet-ids".into(),
        ));
    }
    if f.values.contains_key("policy-document") {
        return Err(AwsError::Unmodelled {
            option: "--policy-document".into(),
            why: "vpcsim evaluates the policies of Gateway endpoints only (E2)".into(),
        });
    }
    Ok(Request::CreateVpcEndpoint {
        vpc_id: f.req("vpc-id")?,
        service_name: f.req("service-name")?,
        subnet_ids: f.list("subnet-ids"),
        security_group_ids: f.list("security-group-ids"),
        private_dns_enabled: f.switch("private-dns-enabled").unwrap_or(false),
    })
}

/// E2: `--policy-document` as JSON on the line.
fn policy_document(f: &Flags) -> Result<Option<Value>, AwsError> {
    let Some(text) = f.opt("policy-document") else { return Ok(None) };
    if text.starts_with("file://") {
        return Err(AwsError::Unmodelled {
            option: format!("--policy-document {text}"),
            why: "vpcsim reads the policy given inline as JSON".into(),
        });
    }
    let v = serde_json::from_str(&text).map_err(|e| {
        AwsError::ParamError(format!(
            "Error parsing parameter '--policy-document': Invalid JSON: {e}\nJSON received: {text}"
        ))
    })?;
    Ok(Some(v))
}

/// E2: modify-vpc-endpoint `--policy-document` or `--reset-policy`, one of them.
fn modify_vpc_endpoint(f: &Flags) -> Result<Request, AwsError> {
    let id = f.req("vpc-endpoint-id")?;
    let policy_document = policy_document(f)?;
    match (&policy_document, f.switch("reset-policy").unwrap_or(false)) {
        (Some(_), true) => Err(f.invalid("Give either --policy-document or --reset-policy, not both".into())),
        (None, false) => Err(f.invalid(
            "Give --policy-document or --reset-policy: vpcsim changes a gateway endpoint's policy only"
                .into(),
        )),
        _ => Ok(Request::ModifyVpcEndpoint { id, policy_document }),
    }
}

fn route_destination(f: &Flags) -> Result<RouteDestination, AwsError> {
    let given = (
        f.opt("destination-cidr-block"),
        f.opt("destination-ipv6-cidr-block"),
        f.opt("destination-prefix-list-id"),
    );
    match given {
        (Some(c), None, None) => Ok(RouteDestination::Cidr(f.cidr("destinationCidrBlock", &c)?)),
        (None, Some(c), None) => Ok(RouteDestination::Ipv6(f.ipv6_cidr("destinationIpv6CidrBlock", &c)?)),
        (None, None, Some(pl)) => Ok(RouteDestination::PrefixList(pl)),
        (None, None, None) => Err(f.missing("destinationCidrBlock, destinationIpv6CidrBlock or destinationPrefixListId")),
        _ => Err(f.invalid(
            "Give one of --destination-cidr-block, --destination-ipv6-cidr-block and --destination-prefix-list-id".into(),
        )),
    }
}

/// associate-vpc-cidr-block: an IPv4 block (A1), or an Amazon-provided IPv6 one (A8).
fn associate_vpc_cidr_block(f: &Flags) -> Result<Request, AwsError> {
    let vpc_id = f.req("vpc-id")?;
    match (f.opt("cidr-block"), f.switch("amazon-provided-ipv6-cidr-block") == Some(true)) {
        (Some(c), false) => Ok(Request::AssociateVpcCidrBlock { vpc_id, cidr: f.cidr("cidrBlock", &c)? }),
        (None, true) => Ok(Request::AssociateVpcIpv6CidrBlock { vpc_id }),
        (Some(_), true) => Err(AwsError::Value(ApiError::new(
            &op_name(f.spec.name),
            "InvalidParameterCombination",
            "Give either --cidr-block or --amazon-provided-ipv6-cidr-block, not both",
        ))),
        (None, false) => Err(f.missing("cidrBlock or amazonProvidedIpv6CidrBlock")),
    }
}

/// `--entries Cidr=10.0.0.0/16,Description=office ...` (E5).
fn create_managed_prefix_list(f: &Flags) -> Result<Request, AwsError> {
    if let Some(family) = f.opt("address-family").filter(|a| a != "IPv4") {
        return Err(AwsError::Unmodelled {
            option: format!("--address-family {family}"),
            why: "vpcsim models IPv4 only".into(),
        });
    }
    let max_entries = match f.values.get("max-entries") {
        Some(RawValue::Int(n)) => {
            u32::try_from(*n).map_err(|_| f.invalid(format!("Invalid value {n} for MaxEntries")))?
        }
        _ => return Err(f.missing("MaxEntries")),
    };
    let mut entries = Vec::new();
    for word in f.list("entries") {
        let v = super::shorthand::parse(&word).map_err(AwsError::ParamError)?;
        let items = match v {
            Value::Array(items) => items,
            item => vec![item],
        };
        for item in &items {
            if let Some(k) =
                item.as_object().and_then(|m| m.keys().find(|k| *k != "Cidr" && *k != "Description"))
            {
                return Err(AwsError::ParamError(format!("Parameter validation failed:\nUnknown parameter in Entries: \"{k}\", must be one of: Cidr, Description")));
            }
            let cidr =
                item.get("Cidr").and_then(filter::scalar_text).ok_or_else(|| f.missing("Entries.Cidr"))?;
            entries.push((
                f.cidr("Entries.Cidr", &cidr)?,
                item.get("Description").and_then(filter::scalar_text),
            ));
        }
    }
    Ok(Request::CreateManagedPrefixList { name: f.req("prefix-list-name")?, max_entries, entries })
}

fn route_target(f: &Flags) -> Result<RouteTargetSpec, AwsError> {
    let given: Vec<RouteTargetSpec> = [
        f.opt("gateway-id").map(RouteTargetSpec::Gateway),
        f.opt("instance-id").map(RouteTargetSpec::Instance),
        f.opt("network-interface-id").map(RouteTargetSpec::NetworkInterface),
        f.opt("nat-gateway-id").map(RouteTargetSpec::NatGateway),
        f.opt("vpc-peering-connection-id").map(RouteTargetSpec::VpcPeeringConnection),
        f.opt("transit-gateway-id").map(RouteTargetSpec::TransitGateway),
        f.opt("egress-only-internet-gateway-id").map(RouteTargetSpec::EgressOnlyInternetGateway),
    ]
    .into_iter()
    .flatten()
    .collect();
    match <[RouteTargetSpec; 1]>::try_from(given) {
        Ok([t]) => Ok(t),
        Err(v) if v.is_empty() => Err(f.missing(
            "gateway-id, egress-only-internet-gateway-id, instance-id, network-interface-id, nat-gateway-id, vpc-peering-connection-id or transit-gateway-id",
        )),
        Err(_) => Err(AwsError::Value(ApiError::new(
            &op_name(f.spec.name),
            "InvalidParameterCombination",
            "More than one target specified: give one of --gateway-id, --egress-only-internet-gateway-id, --instance-id, --network-interface-id, --nat-gateway-id, --vpc-peering-connection-id, --transit-gateway-id",
        ))),
    }
}

fn security_group_rules(f: &Flags, change: Change) -> Result<Request, AwsError> {
    let name = f.spec.name;
    let direction = if name.ends_with("ingress") { Direction::Ingress } else { Direction::Egress };
    let group = match (f.opt("group-id"), f.opt("group-name")) {
        (Some(id), None) => GroupRef::Id(id),
        (None, Some(n)) if direction == Direction::Ingress => GroupRef::Name(n),
        (None, Some(_)) => return Err(f.missing("groupId")),
        (Some(_), Some(_)) => {
            return Err(f.invalid("Give either --group-id or --group-name, not both".into()))
        }
        (None, None) => return Err(f.missing("groupId or groupName")),
    };
    let json = f.list("ip-permissions");
    let simple = ["protocol", "port", "cidr", "source-group"].iter().any(|k| f.opt(k).is_some());
    let permissions = match (json.is_empty(), simple) {
        (false, true) => return Err(AwsError::ParamError(
            "The --ip-permissions option cannot be used with --protocol, --port, --cidr or --source-group"
                .into(),
        )),
        (false, false) => {
            let mut out = Vec::new();
            for word in &json {
                let v = super::shorthand::parse(word).map_err(AwsError::ParamError)?;
                let items = match v {
                    Value::Array(items) => items,
                    item => vec![item],
                };
                for item in &items {
                    out.extend(ip_permission(f, item)?);
                }
            }
            out
        }
        (true, _) => vec![simple_permission(f)?],
    };
    Ok(Request::SecurityGroupRules { change, direction, group, permissions })
}

/// `--protocol --port --cidr | --source-group`.
fn simple_permission(f: &Flags) -> Result<PermissionSpec, AwsError> {
    let protocol = f.protocol(&f.opt("protocol").ok_or_else(|| f.missing("protocol"))?)?;
    let ports = match f.opt("port") {
        None => PortRange::ALL,
        Some(p) if p == "-1" => PortRange::ALL,
        Some(p) => port_text(&p).ok_or_else(|| {
            f.invalid(format!("Invalid port value '{p}': give a port or a range such as 1024-65535"))
        })?,
    };
    let peer = match (f.opt("cidr"), f.opt("source-group")) {
        (Some(c), None) => PeerRef::Cidr(f.cidr("cidrIp", &c)?),
        (None, Some(g)) => PeerRef::Group(g),
        (Some(_), Some(_)) => return Err(f.invalid("Give either --cidr or --source-group, not both".into())),
        (None, None) => return Err(f.missing("cidr or source-group")),
    };
    Ok(PermissionSpec { protocol, ports, peer, description: None })
}

fn port_text(p: &str) -> Option<PortRange> {
    match p.split_once('-') {
        Some((a, b)) => {
            let r = PortRange { from: a.parse().ok()?, to: b.parse().ok()? };
            (r.from <= r.to).then_some(r)
        }
        None => p.parse().ok().map(PortRange::single),
    }
}

/// One `IpPermissions` item: a protocol and ports, and one permission per peer in it.
fn ip_permission(f: &Flags, item: &Value) -> Result<Vec<PermissionSpec>, AwsError> {
    let text = |v: &Value| filter::scalar_text(v);
    let Value::Object(map) = item else {
        return Err(AwsError::ParamError(format!(
            "Error parsing parameter '--ip-permissions': expected a structure, got {item}"
        )));
    };
    const KNOWN: [&str; 6] =
        ["IpProtocol", "FromPort", "ToPort", "IpRanges", "UserIdGroupPairs", "PrefixListIds"];
    if let Some(k) = map.keys().find(|k| !KNOWN.contains(&k.as_str())) {
        return Err(match k.as_str() {
            "Ipv6Ranges" => AwsError::Unmodelled { option: "--ip-permissions Ipv6Ranges".into(), why: "vpcsim models IPv4 only".into() },
            _ => AwsError::ParamError(format!("Parameter validation failed:\nUnknown parameter in IpPermissions: \"{k}\", must be one of: {}, Ipv6Ranges", KNOWN.join(", "))),
        });
    }
    let protocol = f.protocol(
        &map.get("IpProtocol").and_then(text).ok_or_else(|| f.missing("IpPermissions.IpProtocol"))?,
    )?;
    let port = |key: &str| -> Result<Option<i64>, AwsError> {
        match map.get(key).and_then(text) {
            None => Ok(None),
            Some(t) => {
                t.parse::<i64>().map(Some).map_err(|_| f.invalid(format!("Invalid value '{t}' for {key}")))
            }
        }
    };
    let ports = match (protocol, port("FromPort")?, port("ToPort")?) {
        (RuleProtocol::All, _, _) | (_, None, None) | (_, Some(-1), Some(-1)) => PortRange::ALL,
        (_, Some(a), Some(b)) => match (u16::try_from(a), u16::try_from(b)) {
            (Ok(from), Ok(to)) if from <= to => PortRange { from, to },
            _ => return Err(f.invalid(format!("Invalid port range {a}-{b}"))),
        },
        _ => return Err(f.missing("IpPermissions.FromPort and ToPort")),
    };
    let mut out = Vec::new();
    let list = |key: &str| map.get(key).and_then(Value::as_array).cloned().unwrap_or_default();
    let description = |p: &Value| p.get("Description").and_then(Value::as_str).map(str::to_string);
    for r in list("IpRanges") {
        let c = r.get("CidrIp").and_then(Value::as_str).ok_or_else(|| f.missing("IpRanges.CidrIp"))?;
        out.push(PermissionSpec {
            protocol,
            ports,
            peer: PeerRef::Cidr(f.cidr("cidrIp", c)?),
            description: description(&r),
        });
    }
    for g in list("UserIdGroupPairs") {
        let id =
            g.get("GroupId").and_then(Value::as_str).ok_or_else(|| f.missing("UserIdGroupPairs.GroupId"))?;
        out.push(PermissionSpec {
            protocol,
            ports,
            peer: PeerRef::Group(id.into()),
            description: description(&g),
        });
    }
    for p in list("PrefixListIds") {
        let id = p
            .get("PrefixListId")
            .and_then(Value::as_str)
            .ok_or_else(|| f.missing("PrefixListIds.PrefixListId"))?;
        out.push(PermissionSpec {
            protocol,
            ports,
            peer: PeerRef::PrefixList(id.into()),
            description: description(&p),
        });
    }
    if out.is_empty() {
        return Err(f.missing("IpRanges, UserIdGroupPairs or PrefixListIds"));
    }
    Ok(out)
}

/// `--requester-peering-connection-options AllowDnsResolutionFromRemoteVpc=true` (V4), and the accepter's.
fn modify_peering_options(f: &Flags) -> Result<Request, AwsError> {
    let side = |flag: &str| -> Result<Option<PeeringOptions>, AwsError> {
        let Some(text) = f.opt(flag) else { return Ok(None) };
        let v = super::shorthand::parse(&text).map_err(AwsError::ParamError)?;
        let Value::Object(map) = v else {
            return Err(AwsError::ParamError(format!(
                "Error parsing parameter '--{flag}': expected AllowDnsResolutionFromRemoteVpc=true|false"
            )));
        };
        let mut options = PeeringOptions::default();
        for (k, v) in &map {
            match k.as_str() {
                "AllowDnsResolutionFromRemoteVpc" => {
                    options.allow_dns_resolution_from_remote_vpc = match filter::scalar_text(v).as_deref() {
                        Some("true") => true,
                        Some("false") => false,
                        _ => return Err(f.invalid(format!("Invalid value {v} for AllowDnsResolutionFromRemoteVpc: use true or false"))),
                    }
                }
                "AllowEgressFromLocalClassicLinkToRemoteVpc" | "AllowEgressFromLocalVpcToRemoteClassicLink" => {
                    return Err(AwsError::Unmodelled {
                        option: format!("--{flag} {k}"),
                        why: "EC2-Classic and ClassicLink are retired".into(),
                    })
                }
                other => {
                    return Err(AwsError::ParamError(format!(
                        "Parameter validation failed:\nUnknown parameter in {flag}: \"{other}\", must be one of: AllowDnsResolutionFromRemoteVpc"
                    )))
                }
            }
        }
        Ok(Some(options))
    };
    let requester = side("requester-peering-connection-options")?;
    let accepter = side("accepter-peering-connection-options")?;
    if requester.is_none() && accepter.is_none() {
        return Err(f.missing("requester-peering-connection-options or accepter-peering-connection-options"));
    }
    Ok(Request::ModifyVpcPeeringConnectionOptions {
        id: f.req("vpc-peering-connection-id")?,
        requester,
        accepter,
    })
}

/// M1: `--http-endpoint enabled|disabled` and `--http-tokens optional|required`, at least one.
fn modify_instance_metadata_options(f: &Flags) -> Result<Request, AwsError> {
    use crate::model::metadata_options::{Endpoint, Tokens};
    let bad = |name: &str, v: &str, valid: &str| {
        f.invalid(format!("Value ({v}) for parameter {name} is invalid. Valid values are: {valid}"))
    };
    let endpoint = match f.opt("http-endpoint") {
        Some(v) => Some(Endpoint::parse(&v).ok_or_else(|| bad("HttpEndpoint", &v, "enabled, disabled"))?),
        None => None,
    };
    let tokens = match f.opt("http-tokens") {
        Some(v) => Some(Tokens::parse(&v).ok_or_else(|| bad("HttpTokens", &v, "optional, required"))?),
        None => None,
    };
    if endpoint.is_none() && tokens.is_none() {
        return Err(f.missing("an option to change: --http-endpoint or --http-tokens"));
    }
    Ok(Request::ModifyInstanceMetadataOptions { instance_id: f.req("instance-id")?, endpoint, tokens })
}

fn modify_instance_attribute(f: &Flags) -> Result<Request, AwsError> {
    let change =
        InstanceChange { source_dest_check: f.switch("source-dest-check"), groups: f.list("groups") };
    if change.source_dest_check.is_none() && change.groups.is_empty() {
        return Err(f.missing("an attribute to change: --[no-]source-dest-check or --groups"));
    }
    Ok(Request::ModifyInstanceAttribute { instance_id: f.req("instance-id")?, change })
}

fn modify_network_interface_attribute(f: &Flags) -> Result<Request, AwsError> {
    let change =
        InstanceChange { source_dest_check: f.switch("source-dest-check"), groups: f.list("groups") };
    if change.source_dest_check.is_none() && change.groups.is_empty() {
        return Err(f.missing("an attribute to change: --[no-]source-dest-check or --groups"));
    }
    Ok(Request::ModifyNetworkInterfaceAttribute { eni_id: f.req("network-interface-id")?, change })
}

/// What a flow log created by create-flow-logs watches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlowLogResourceType {
    /// `VPC`.
    Vpc,
    /// `Subnet`.
    Subnet,
    /// `NetworkInterface`.
    NetworkInterface,
}

/// `--destination-options FileFormat=plain-text,HiveCompatiblePartitions=true,PerHourPartition=true`
/// (shorthand or JSON): the S3 key layout; parquet is refused.
fn destination_options(f: &Flags, text: &str, dest: &mut S3Destination) -> Result<(), AwsError> {
    let value = super::shorthand::parse(text).map_err(AwsError::ParamError)?;
    let Some(options) = value.as_object() else {
        return Err(AwsError::ParamError(format!("Error parsing parameter '--destination-options': {text}")));
    };
    for (key, v) in options {
        let as_bool = |v: &Value| match v {
            Value::Bool(b) => Some(*b),
            Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        };
        let bad = || f.invalid(format!("Invalid value for DestinationOptions.{key}: {v}"));
        match key.as_str() {
            "FileFormat" => S3Destination::check_file_format(v.as_str().ok_or_else(bad)?)
                .map_err(|e| f.invalid(e.to_string()))?,
            "HiveCompatiblePartitions" => dest.hive_compatible = as_bool(v).ok_or_else(bad)?,
            "PerHourPartition" => dest.per_hour = as_bool(v).ok_or_else(bad)?,
            _ => {
                return Err(AwsError::ParamError(format!(
                    "Parameter validation failed:\nUnknown parameter in DestinationOptions: \"{key}\", must be one of: FileFormat, HiveCompatiblePartitions, PerHourPartition"
                )))
            }
        }
    }
    Ok(())
}

fn create_flow_logs(f: &Flags) -> Result<Request, AwsError> {
    let resource_type = match f.req("resource-type")?.as_str() {
        "VPC" => FlowLogResourceType::Vpc,
        "Subnet" => FlowLogResourceType::Subnet,
        "NetworkInterface" => FlowLogResourceType::NetworkInterface,
        other @ ("TransitGateway" | "TransitGatewayAttachment" | "RegionalNatGateway") => {
            return Err(AwsError::Unmodelled {
                option: format!("--resource-type {other}"),
                why: "vpcsim has flow logs on VPCs, subnets and network interfaces".into(),
            })
        }
        other => {
            return Err(AwsError::BadChoice {
                option: format!("resource-type {other}"),
                choices: "VPC | Subnet | NetworkInterface | TransitGateway | TransitGatewayAttachment".into(),
            })
        }
    };
    let traffic = match f.opt("traffic-type") {
        None => return Err(f.missing("TrafficType")),
        Some(t) => TrafficType::parse(&t).ok_or_else(|| {
            f.invalid(format!("Invalid value '{t}' for TrafficType: use ACCEPT, REJECT or ALL"))
        })?,
    };
    let group = f.opt("log-group-name");
    let arn = f.opt("log-destination");
    let destination = match f.opt("log-destination-type").as_deref() {
        None | Some("cloud-watch-logs") => match (group, arn) {
            (Some(group), None) => LogDestination::CloudWatchLogs { group },
            (None, Some(arn)) => match arn.split_once(":log-group:") {
                Some((head, g)) if head.starts_with("arn:aws:logs:") && !g.is_empty() => {
                    LogDestination::CloudWatchLogs { group: g.trim_end_matches(":*").to_string() }
                }
                _ => return Err(f.invalid(format!("{arn} is not a CloudWatch Logs log group ARN"))),
            },
            _ => return Err(f.invalid("Give one of --log-group-name and --log-destination".into())),
        },
        Some("s3") => match (group, arn) {
            (None, Some(arn)) => {
                let mut dest = S3Destination::parse(&arn).map_err(|e| f.invalid(e.to_string()))?;
                if let Some(text) = f.opt("destination-options") {
                    destination_options(f, &text, &mut dest)?;
                }
                LogDestination::S3(dest)
            }
            _ => {
                return Err(f.invalid("An s3 flow log takes --log-destination (the bucket's ARN) only".into()))
            }
        },
        Some("kinesis-data-firehose") => {
            return Err(AwsError::Unmodelled {
                option: "--log-destination-type kinesis-data-firehose".into(),
                why: "vpcsim writes flow logs to CloudWatch Logs or S3".into(),
            })
        }
        Some(other) => {
            return Err(AwsError::BadChoice {
                option: format!("log-destination-type {other}"),
                choices: "cloud-watch-logs | s3 | kinesis-data-firehose".into(),
            })
        }
    };
    if f.opt("destination-options").is_some() && !matches!(destination, LogDestination::S3(_)) {
        return Err(f.invalid("--destination-options applies to an s3 flow log only".into()));
    }
    let format = match f.opt("log-format") {
        Some(text) => LogFormat::parse(&text).map_err(|e| f.invalid(e.to_string()))?,
        None => LogFormat::default(),
    };
    Ok(Request::CreateFlowLogs {
        resource_ids: f.list("resource-ids"),
        resource_type,
        traffic,
        destination,
        deliver_logs_permission_arn: f.opt("deliver-logs-permission-arn"),
        format,
        max_aggregation_interval: f.count("max-aggregation-interval", "MaxAggregationInterval")?,
    })
}

fn filter_log_events(f: &Flags) -> Result<Request, AwsError> {
    let group = match (f.opt("log-group-name"), f.opt("log-group-identifier")) {
        (Some(name), None) => name,
        (None, Some(id)) => match id.split_once(":log-group:") {
            Some((_, g)) => g.trim_end_matches(":*").to_string(),
            None => id,
        },
        _ => {
            return Err(AwsError::ParamError(
                "Give exactly one of --log-group-name and --log-group-identifier".into(),
            ))
        }
    };
    let pattern = FilterPattern::parse(&f.opt("filter-pattern").unwrap_or_default()).map_err(|e| {
        AwsError::Value(ApiError::new("FilterLogEvents", "InvalidParameterException", e.to_string()))
    })?;
    let streams = f.list("log-stream-names");
    let stream_prefix = f.opt("log-stream-name-prefix");
    if !streams.is_empty() && stream_prefix.is_some() {
        return Err(AwsError::Value(ApiError::new(
            "FilterLogEvents",
            "InvalidParameterException",
            "logStreamNames and logStreamNamePrefix are mutually exclusive",
        )));
    }
    let time = |flag: &str| match f.values.get(flag) {
        Some(RawValue::Int(n)) => Some(*n),
        _ => None,
    };
    Ok(Request::FilterLogEvents {
        group,
        pattern,
        streams,
        stream_prefix,
        start_ms: time("start-time"),
        end_ms: time("end-time"),
    })
}

fn create_nat_gateway(f: &Flags) -> Result<Request, AwsError> {
    let connectivity = match f.opt("connectivity-type").as_deref() {
        None | Some("public") => Connectivity::Public,
        Some("private") => Connectivity::Private,
        Some(other) => {
            return Err(
                f.invalid(format!("Invalid value '{other}' for connectivityType: use public or private"))
            )
        }
    };
    let private_ip = match f.opt("private-ip-address") {
        None => None,
        Some(text) => Some(text.parse().map_err(|_| {
            f.invalid(format!(
                "Value ({text}) for parameter privateIpAddress is invalid: not an IPv4 address"
            ))
        })?),
    };
    Ok(Request::CreateNatGateway {
        subnet_id: f.req("subnet-id")?,
        allocation_id: f.opt("allocation-id"),
        connectivity,
        private_ip,
    })
}

fn address(f: &Flags) -> Result<AddressRef, AwsError> {
    match (f.opt("allocation-id"), f.opt("public-ip")) {
        (Some(id), None) => Ok(AddressRef::Allocation(id)),
        (None, Some(ip)) => Ok(AddressRef::PublicIp(ip)),
        (Some(_), Some(_)) => Err(f.invalid("Give either --allocation-id or --public-ip, not both".into())),
        (None, None) => Err(f.missing("allocationId or publicIp")),
    }
}

fn create_network_acl_entry(f: &Flags) -> Result<Request, AwsError> {
    let protocol = f.protocol(&f.req("protocol")?)?;
    let allow = match f.req("rule-action")?.as_str() {
        "allow" => true,
        "deny" => false,
        other => return Err(f.invalid(format!("Invalid value '{other}' for ruleAction: use allow or deny"))),
    };
    let cidr = match (f.opt("cidr-block"), f.opt("ipv6-cidr-block")) {
        (Some(c), None) => AclCidr::V4(f.cidr("cidrBlock", &c)?),
        (None, Some(c)) => AclCidr::V6(f.ipv6_cidr("ipv6CidrBlock", &c)?),
        (Some(_), Some(_)) => {
            return Err(f.invalid("Give either --cidr-block or --ipv6-cidr-block, not both".into()))
        }
        (None, None) => return Err(f.missing("cidrBlock or ipv6CidrBlock")),
    };
    let ports = match f.opt("port-range") {
        None => PortRange::ALL,
        Some(text) => acl_ports(&text)
            .ok_or_else(|| f.invalid(format!("Invalid port range {text:?}: write From=1024,To=65535")))?,
    };
    let icmp = match f.opt("icmp-type-code") {
        None => IcmpTypeCode::ALL,
        Some(text) => icmp_type_code(f, &text)?,
    };
    Ok(Request::CreateNetworkAclEntry {
        acl_id: f.req("network-acl-id")?,
        number: f.rule_number()?,
        direction: f.direction(),
        protocol,
        allow,
        cidr,
        ports,
        icmp,
    })
}

/// `From=1024,To=65535`.
fn acl_ports(text: &str) -> Option<PortRange> {
    let v = super::shorthand::parse(text).ok()?;
    let map = v.as_object()?;
    if map.keys().any(|k| k != "From" && k != "To") {
        return None;
    }
    let port = |k: &str| map.get(k).and_then(filter::scalar_text)?.parse::<u16>().ok();
    let r = PortRange { from: port("From")?, to: port("To")? };
    (r.from <= r.to).then_some(r)
}

/// `Type=8,Code=-1` (N4): the ICMP type and code an entry matches, -1 for all.
fn icmp_type_code(f: &Flags, text: &str) -> Result<IcmpTypeCode, AwsError> {
    let v = super::shorthand::parse(text).map_err(AwsError::ParamError)?;
    let field = |k: &str| match v.get(k).and_then(filter::scalar_text) {
        None => Some(None),
        Some(t) => match t.parse::<i64>().ok()? {
            -1 => Some(None),
            n => u8::try_from(n).ok().map(Some),
        },
    };
    match (field("Type"), field("Code")) {
        (Some(icmp_type), Some(code)) if v.get("Type").is_some() => Ok(IcmpTypeCode { icmp_type, code }),
        _ => {
            Err(f.invalid(format!("Invalid ICMP type and code {text:?}: write Type=8,Code=-1 (-1 for all)")))
        }
    }
}

/// `--attributes Key=deregistration_delay.timeout_seconds,Value=30 ...` (shorthand or JSON).
fn target_group_attributes(f: &Flags) -> Result<Vec<TargetGroupAttribute>, AwsError> {
    let mut out = Vec::new();
    for word in f.list("attributes") {
        let items = match super::shorthand::parse(&word).map_err(AwsError::ParamError)? {
            Value::Array(items) => items,
            item => vec![item],
        };
        for item in &items {
            let field = |k: &str| item.get(k).and_then(filter::scalar_text);
            let (Some(key), Some(value)) = (field("Key"), field("Value")) else {
                return Err(AwsError::ParamError(format!(
                    "Error parsing parameter '--attributes': expected Key=KEY,Value=VALUE, got {word}"
                )));
            };
            let attribute = TargetGroupAttribute::parse(&key, &value)
                .map_err(|m| AwsError::Value(ApiError::new(&op_name(f.spec.name), "ValidationError", m)))?;
            out.push(attribute);
        }
    }
    Ok(out)
}

fn targets(f: &Flags) -> Result<Vec<TargetText>, AwsError> {
    let mut out = Vec::new();
    for word in f.list("targets") {
        let v = super::shorthand::parse(&word).map_err(AwsError::ParamError)?;
        let items = match v {
            Value::Array(items) => items,
            item => vec![item],
        };
        for item in &items {
            let id = item.get("Id").and_then(Value::as_str).ok_or_else(|| {
                AwsError::ParamError(format!(
                    "Error parsing parameter '--targets': expected Id=ID[,Port=PORT], got {word}"
                ))
            })?;
            let port = match item.get("Port").and_then(filter::scalar_text) {
                None => None,
                Some(p) => Some(p.parse::<u16>().ok().filter(|p| *p > 0).ok_or_else(|| {
                    AwsError::Value(ApiError::new(
                        &op_name(f.spec.name),
                        "ValidationError",
                        format!("Invalid port {p}: a port is 1-65535"),
                    ))
                })?),
            };
            if let Some(k) = item.as_object().and_then(|m| m.keys().find(|k| *k != "Id" && *k != "Port")) {
                return Err(AwsError::Unmodelled {
                    option: format!("--targets {k}"),
                    why: "vpcsim targets are in the load balancer's VPC".into(),
                });
            }
            out.push(TargetText { id: id.to_string(), port });
        }
    }
    Ok(out)
}

/// `--match-paths` / `--exclude-paths`: JSON on the line, or `file://PATH` read when the call runs.
fn scope_paths(f: &Flags, flag: &str) -> Result<Option<ScopePaths>, AwsError> {
    let Some(text) = f.opt(flag) else { return Ok(None) };
    if let Some(path) = text.strip_prefix("file://") {
        return Ok(Some(ScopePaths::File(path.to_string())));
    }
    let v: Value = serde_json::from_str(&text).map_err(|e| {
        AwsError::ParamError(format!(
            "Error parsing parameter '--{flag}': Invalid JSON: {e}\nJSON received: {text}\n(vpcsim reads these paths as JSON or file://PATH)"
        ))
    })?;
    Ok(Some(ScopePaths::Json(v)))
}

fn ip(f: &Flags, flag: &str, text: &str) -> Result<Ipv4Addr, AwsError> {
    text.parse().map_err(|_| f.invalid(format!("Invalid value '{text}' for {flag}: not an IPv4 address")))
}

/// M6: a list of addresses (`--private-ip-addresses 10.0.0.5 10.0.0.6`).
fn ips(f: &Flags, flag: &str) -> Result<Vec<Ipv4Addr>, AwsError> {
    f.list(flag).iter().map(|text| ip(f, flag, text)).collect()
}

/// M6: create-network-interface's `--private-ip-addresses`, each `PrivateIpAddress=..,Primary=..`
/// (shorthand or JSON).
fn private_ip_specifications(f: &Flags) -> Result<Vec<(Ipv4Addr, bool)>, AwsError> {
    let mut out = Vec::new();
    for word in f.list("private-ip-addresses") {
        let v = super::shorthand::parse(&word).map_err(AwsError::ParamError)?;
        for item in v.as_array().cloned().unwrap_or_else(|| vec![v]) {
            let text = match &item["PrivateIpAddress"] {
                Value::String(t) => t.clone(),
                _ => {
                    return Err(
                        f.invalid(format!("Each of --private-ip-addresses needs a PrivateIpAddress: {word}"))
                    )
                }
            };
            let primary = match &item["Primary"] {
                Value::Null => false,
                Value::Bool(b) => *b,
                Value::String(t) if t.eq_ignore_ascii_case("true") => true,
                Value::String(t) if t.eq_ignore_ascii_case("false") => false,
                other => return Err(f.invalid(format!("Invalid value {other} for Primary: true or false"))),
            };
            out.push((ip(f, "private-ip-addresses", &text)?, primary));
        }
    }
    Ok(out)
}

/// `--filter-at-source SourceAddress=...,SourcePortRange={FromPort=..,ToPort=..},...` (shorthand or
/// JSON): single addresses and one-port ranges only, since vpcsim analyzes one flow.
fn path_filter(f: &Flags, text: &str) -> Result<PathFilter, AwsError> {
    let v = super::shorthand::parse(text).map_err(AwsError::ParamError)?;
    let Value::Object(map) = v else {
        return Err(AwsError::ParamError(format!(
            "Error parsing parameter '--filter-at-source': expected a structure, got {text}"
        )));
    };
    let mut out = PathFilter::default();
    for (k, v) in &map {
        match k.as_str() {
            "SourceAddress" | "DestinationAddress" => {
                let t = filter::scalar_text(v).unwrap_or_default();
                let addr = ip(f, k, &t)?;
                if k == "SourceAddress" {
                    out.source_address = Some(addr);
                } else {
                    out.destination_address = Some(addr);
                }
            }
            "SourcePortRange" | "DestinationPortRange" => {
                let port = |key: &str| v.get(key).and_then(filter::scalar_text).and_then(|t| t.parse::<u16>().ok());
                let (Some(from), Some(to)) = (port("FromPort"), port("ToPort")) else {
                    return Err(f.invalid(format!("{k}: give FromPort and ToPort")));
                };
                if from != to {
                    return Err(AwsError::Unmodelled {
                        option: format!("--filter-at-source {k} {from}-{to}"),
                        why: "vpcsim analyzes one flow: give a range of one port (FromPort=ToPort)".into(),
                    });
                }
                if k == "SourcePortRange" {
                    out.source_port = Some(from);
                } else {
                    out.destination_port = Some(from);
                }
            }
            other => {
                return Err(AwsError::ParamError(format!(
                    "Parameter validation failed:\nUnknown parameter in FilterAtSource: \"{other}\", must be one of: SourceAddress, SourcePortRange, DestinationAddress, DestinationPortRange"
                )))
            }
        }
    }
    Ok(out)
}

fn create_network_insights_path(f: &Flags) -> Result<Request, AwsError> {
    let protocol = match f.req("protocol")?.as_str() {
        "tcp" => crate::addr::Protocol::Tcp,
        "udp" => crate::addr::Protocol::Udp,
        other => return Err(f.invalid(format!("Invalid value '{other}' for protocol: use tcp or udp"))),
    };
    let destination_port =
        match f.values.get("destination-port") {
            None => None,
            Some(RawValue::Int(n)) => Some(u16::try_from(*n).ok().filter(|p| *p > 0).ok_or_else(|| {
                f.invalid(format!("Invalid value {n} for DestinationPort: a port is 1-65535"))
            })?),
            Some(_) => return Err(f.missing("DestinationPort")),
        };
    let source_ip = f.opt("source-ip").map(|t| ip(f, "SourceIp", &t)).transpose()?;
    let destination_ip = f.opt("destination-ip").map(|t| ip(f, "DestinationIp", &t)).transpose()?;
    let filter_at_source = f.opt("filter-at-source").map(|t| path_filter(f, &t)).transpose()?;
    Ok(Request::CreateNetworkInsightsPath(CreateNetworkInsightsPath {
        source: f.req("source")?,
        destination: f.opt("destination"),
        source_ip,
        destination_ip,
        protocol,
        destination_port,
        filter_at_source,
    }))
}
