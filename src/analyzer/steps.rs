//! Two states of one world (a scenario after N steps and after M): what changed between
//! them, as the [`Changes`] that [`Matrix::update`] takes, and the later state's matrix
//! brought up to date from the earlier one's instead of computed again.
//!
//! Changes are found by comparing the two worlds resource by resource. A later state's
//! arenas extend the earlier one's (a handle names the same resource in both), so every
//! resource a call, a wait or a health check created, modified or deleted in between is
//! found, whichever op did it, and nothing relies on each op reporting itself. A
//! security group, NACL or route table both states have is compared rule by rule, entry
//! by entry and route by route, as [`Changes::watched`] compares one with its value when
//! watching began: a matrix that kept its walks' reads
//! ([`Matrix::compute_updatable`]) then walks again only the cells that read what
//! changed, and one that did not, every cell of the VPCs they are in. Worlds that are not
//! two states of one world (another account or region) change everything, and the update
//! is then a full computation.

use std::fmt::{Debug, Write};

use crate::ids::*;
use crate::world::{Arena, Handle, World};

use super::matrix::Matrix;
use super::select::{self, Filter};
use super::update::{Changes, Updated};

/// Every kind of resource a world holds, one handle each, for [`changed`].
const KINDS: [Handle; 30] = [
    Handle::Vpc(VpcId(0)),
    Handle::Subnet(SubnetId(0)),
    Handle::RouteTable(RouteTableId(0)),
    Handle::Igw(IgwId(0)),
    Handle::Eigw(EigwId(0)),
    Handle::Sg(SgId(0)),
    Handle::Nacl(NaclId(0)),
    Handle::Eni(EniId(0)),
    Handle::Instance(InstanceId(0)),
    Handle::Eip(EipId(0)),
    Handle::Lb(LbId(0)),
    Handle::Listener(ListenerId(0)),
    Handle::TargetGroup(TargetGroupId(0)),
    Handle::Service(ServiceId(0)),
    Handle::Endpoint(EndpointId(0)),
    Handle::NatGateway(NatId(0)),
    Handle::Peering(PeeringId(0)),
    Handle::PrefixList(PrefixListId(0)),
    Handle::GatewayEndpoint(GatewayEndpointId(0)),
    Handle::LaunchTemplate(LaunchTemplateId(0)),
    Handle::AutoScalingGroup(AsgId(0)),
    Handle::InsightsPath(InsightsPathId(0)),
    Handle::InsightsAnalysis(InsightsAnalysisId(0)),
    Handle::AccessScope(AccessScopeId(0)),
    Handle::AccessScopeAnalysis(AccessScopeAnalysisId(0)),
    Handle::HostedZone(HostedZoneId(0)),
    Handle::FlowLog(FlowLogId(0)),
    Handle::LogGroup(LogGroupId(0)),
    Handle::ConnectionNotification(ConnectionNotificationId(0)),
    Handle::DhcpOptions(DhcpOptionsId(0)),
];

/// A resource that differs between two states: its handle, and whether each state has it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Changed {
    /// The resource.
    pub handle: Handle,
    /// Whether the earlier state has it.
    pub before: bool,
    /// Whether the later state has it.
    pub after: bool,
}

/// The resources of one arena that differ (created, deleted, or with any field changed).
fn compare<I: ArenaId, T: Debug>(
    before: &Arena<I, T>,
    after: &Arena<I, T>,
    handle: fn(I) -> Handle,
    out: &mut Vec<Changed>,
) {
    let (mut a, mut b) = (String::new(), String::new());
    for i in 0..before.len().max(after.len()) {
        let id = I::from_index(i);
        let (x, y) = (before.get(id), after.get(id));
        if let (Some(x), Some(y)) = (x, y) {
            a.clear();
            b.clear();
            // Writing to a String cannot fail.
            let _ = write!(a, "{x:?}");
            let _ = write!(b, "{y:?}");
            if a == b {
                continue;
            }
        }
        out.push(Changed { handle: handle(id), before: x.is_some(), after: y.is_some() });
    }
}

/// Every resource that differs between `before` and `after`, two states of one world, in
/// kind then creation order.
pub fn changed(before: &World, after: &World) -> Vec<Changed> {
    let (b, a) = (before, after);
    let mut out = Vec::new();
    for kind in KINDS {
        // A kind added to `Handle` stops the build here until its arena is compared (and
        // listed in KINDS).
        match kind {
            Handle::Vpc(_) => compare(b.vpcs(), a.vpcs(), Handle::Vpc, &mut out),
            Handle::Subnet(_) => compare(b.subnets(), a.subnets(), Handle::Subnet, &mut out),
            Handle::RouteTable(_) => {
                compare(b.route_tables(), a.route_tables(), Handle::RouteTable, &mut out)
            }
            Handle::Igw(_) => compare(b.igws(), a.igws(), Handle::Igw, &mut out),
            Handle::Eigw(_) => compare(b.eigws(), a.eigws(), Handle::Eigw, &mut out),
            Handle::Sg(_) => compare(b.sgs(), a.sgs(), Handle::Sg, &mut out),
            Handle::Nacl(_) => compare(b.nacls(), a.nacls(), Handle::Nacl, &mut out),
            Handle::Eni(_) => compare(b.enis(), a.enis(), Handle::Eni, &mut out),
            Handle::Instance(_) => compare(b.instances(), a.instances(), Handle::Instance, &mut out),
            Handle::Eip(_) => compare(b.eips(), a.eips(), Handle::Eip, &mut out),
            Handle::Lb(_) => compare(b.lbs(), a.lbs(), Handle::Lb, &mut out),
            Handle::Listener(_) => compare(b.listeners(), a.listeners(), Handle::Listener, &mut out),
            Handle::TargetGroup(_) => {
                compare(b.target_groups(), a.target_groups(), Handle::TargetGroup, &mut out)
            }
            Handle::Service(_) => compare(b.services(), a.services(), Handle::Service, &mut out),
            Handle::Endpoint(_) => compare(b.endpoints(), a.endpoints(), Handle::Endpoint, &mut out),
            Handle::NatGateway(_) => {
                compare(b.nat_gateways(), a.nat_gateways(), Handle::NatGateway, &mut out)
            }
            Handle::Peering(_) => compare(b.peerings(), a.peerings(), Handle::Peering, &mut out),
            Handle::PrefixList(_) => {
                compare(b.prefix_lists(), a.prefix_lists(), Handle::PrefixList, &mut out)
            }
            Handle::GatewayEndpoint(_) => {
                compare(b.gateway_endpoints(), a.gateway_endpoints(), Handle::GatewayEndpoint, &mut out)
            }
            Handle::LaunchTemplate(_) => {
                compare(b.launch_templates(), a.launch_templates(), Handle::LaunchTemplate, &mut out)
            }
            Handle::AutoScalingGroup(_) => {
                compare(b.auto_scaling_groups(), a.auto_scaling_groups(), Handle::AutoScalingGroup, &mut out)
            }
            Handle::InsightsPath(_) => {
                compare(b.insights_paths(), a.insights_paths(), Handle::InsightsPath, &mut out)
            }
            Handle::InsightsAnalysis(_) => {
                compare(b.insights_analyses(), a.insights_analyses(), Handle::InsightsAnalysis, &mut out)
            }
            Handle::AccessScope(_) => {
                compare(b.access_scopes(), a.access_scopes(), Handle::AccessScope, &mut out)
            }
            Handle::AccessScopeAnalysis(_) => compare(
                b.access_scope_analyses(),
                a.access_scope_analyses(),
                Handle::AccessScopeAnalysis,
                &mut out,
            ),
            Handle::HostedZone(_) => {
                compare(b.hosted_zones(), a.hosted_zones(), Handle::HostedZone, &mut out)
            }
            Handle::FlowLog(_) => compare(b.flow_logs(), a.flow_logs(), Handle::FlowLog, &mut out),
            Handle::LogGroup(_) => compare(b.log_groups(), a.log_groups(), Handle::LogGroup, &mut out),
            Handle::ConnectionNotification(_) => compare(
                b.connection_notifications(),
                a.connection_notifications(),
                Handle::ConnectionNotification,
                &mut out,
            ),
            Handle::DhcpOptions(_) => {
                compare(b.dhcp_options(), a.dhcp_options(), Handle::DhcpOptions, &mut out)
            }
        }
    }
    out
}

/// What changed from `before` to `after`, as [`Matrix::update`] takes it: the rules,
/// NACL entries and routes of a group, NACL or route table both states have, one by one;
/// any other resource that differs, named in the state (or both) that has it.
/// Everything, when the two are not states of one world (another account or region).
///
/// ```
/// use vpcsim::analyzer::steps;
/// use vpcsim::lab::{Lab, LabOptions};
/// use vpcsim::ops::security::Permission;
///
/// let lab = Lab::ready(LabOptions::default()).unwrap();
/// let mut after = lab.world.clone();
/// let (sg, _) = after.sgs().live().next().unwrap();
/// after.authorize_security_group(sg, vpcsim::trace::Direction::Ingress, &[Permission::tcp(5432, "0.0.0.0/0".parse().unwrap())]).unwrap();
/// let changes = steps::changes(&lab.world, &after);
/// assert!(!changes.is_empty());
/// assert_eq!(changes.vpcs().count(), 0, "one rule, not its VPC");
/// ```
pub fn changes(before: &World, after: &World) -> Changes {
    if before.account_id() != after.account_id() || before.region().name != after.region().name {
        return Changes::everything();
    }
    let mut out = Changes::new();
    for c in changed(before, after) {
        match (c.handle, c.before && c.after) {
            (Handle::Sg(g), true) => out.sg_since(after, g, &before[g]),
            (Handle::Nacl(acl), true) => out.nacl_since(after, acl, &before[acl]),
            (Handle::RouteTable(t), true) => out.route_table_since(after, t, &before[t]),
            (h, _) => {
                if c.before {
                    out.resource(before, h);
                }
                if c.after {
                    out.resource(after, h);
                }
            }
        }
    }
    out
}

/// The matrix of `after` (the sources `from` selects, the destinations `to` selects, the
/// probes of `bm`), brought up to date from `bm`, the matrix of `before`, another state
/// of the same world: only the class pairs the changes between them touched are walked
/// again ([`Matrix::update`]): the cells that read a changed rule, entry or route when
/// `bm` kept its walks' reads ([`Matrix::compute_updatable`]), else every cell of the
/// changed VPCs. Its cells equal a full computation's.
pub fn matrix_after(
    before: &World,
    bm: &Matrix,
    after: &World,
    from: &[Filter],
    to: &[Filter],
) -> (Matrix, Updated) {
    let changes = changes(before, after);
    let mut m = bm.clone();
    let updated = m.update(after, select::sources(after, from), select::targets(after, to), &changes);
    (m, updated)
}
