//! Watching a world: from [`World::watch`] on, every arena notes the resources an op
//! creates or hands out mutably, with the old value of each, so that an analysis
//! computed before can be brought up to date
//! ([`crate::analyzer::update::Changes::watched`]). Complete by construction: ops change
//! resources only through the arenas, so no op can change one unseen.

use crate::ids::{NaclId, RouteTableId, SgId};
use crate::model::nacl::NetworkAcl;
use crate::model::route_table::RouteTable;
use crate::model::security_group::SecurityGroup;

use super::{Handle, World};

/// One resource created or changed since [`World::watch`]: its handle, and for a
/// security group, NACL or route table changed (not created), its value then.
#[derive(Clone, Copy, Debug)]
pub enum Watched<'w> {
    /// A security group, as it was.
    Sg(SgId, &'w SecurityGroup),
    /// A NACL, as it was.
    Nacl(NaclId, &'w NetworkAcl),
    /// A route table, as it was.
    RouteTable(RouteTableId, &'w RouteTable),
    /// Any other resource changed, or any resource created.
    Other(Handle),
}

impl World {
    /// Starts (or starts again) noting every resource the ops create or change, for
    /// [`World::watched`].
    ///
    /// ```
    /// use vpcsim::lab::{Lab, LabOptions};
    /// use vpcsim::world::watch::Watched;
    ///
    /// let mut lab = Lab::ready(LabOptions::default()).unwrap();
    /// lab.world.watch();
    /// let (i, _) = lab.world.instances().iter().next().unwrap();
    /// lab.world.set_forwarding(i, Default::default());
    /// assert!(matches!(lab.world.watched()[..], [Watched::Other(_)]));
    /// ```
    pub fn watch(&mut self) {
        self.vpcs.watch();
        self.subnets.watch();
        self.route_tables.watch();
        self.igws.watch();
        self.sgs.watch();
        self.nacls.watch();
        self.enis.watch();
        self.instances.watch();
        self.eips.watch();
        self.lbs.watch();
        self.listeners.watch();
        self.target_groups.watch();
        self.services.watch();
        self.endpoints.watch();
        self.nat_gateways.watch();
        self.peerings.watch();
        self.prefix_lists.watch();
        self.gateway_endpoints.watch();
        self.launch_templates.watch();
        self.auto_scaling_groups.watch();
        self.insights_paths.watch();
        self.insights_analyses.watch();
        self.access_scopes.watch();
        self.access_scope_analyses.watch();
        self.hosted_zones.watch();
    }

    /// Every resource created or changed since [`World::watch`] (nothing when not
    /// watching), arena by arena in a fixed order: the same calls list the same resources.
    pub fn watched(&self) -> Vec<Watched<'_>> {
        let mut out = Vec::new();
        for (id, old) in self.sgs.watched() {
            out.push(old.map_or(Watched::Other(Handle::Sg(id)), |o| Watched::Sg(id, o)));
        }
        for (id, old) in self.nacls.watched() {
            out.push(old.map_or(Watched::Other(Handle::Nacl(id)), |o| Watched::Nacl(id, o)));
        }
        for (id, old) in self.route_tables.watched() {
            out.push(old.map_or(Watched::Other(Handle::RouteTable(id)), |o| Watched::RouteTable(id, o)));
        }
        macro_rules! others {
            ($($arena:expr => $handle:path),* $(,)?) => {$(
                out.extend($arena.watched().map(|(id, _)| Watched::Other($handle(id))));
            )*};
        }
        others!(
            self.vpcs => Handle::Vpc,
            self.subnets => Handle::Subnet,
            self.igws => Handle::Igw,
            self.enis.arena() => Handle::Eni,
            self.instances => Handle::Instance,
            self.eips => Handle::Eip,
            self.lbs => Handle::Lb,
            self.listeners => Handle::Listener,
            self.target_groups => Handle::TargetGroup,
            self.services => Handle::Service,
            self.endpoints => Handle::Endpoint,
            self.nat_gateways => Handle::NatGateway,
            self.peerings => Handle::Peering,
            self.prefix_lists => Handle::PrefixList,
            self.gateway_endpoints => Handle::GatewayEndpoint,
            self.launch_templates => Handle::LaunchTemplate,
            self.auto_scaling_groups => Handle::AutoScalingGroup,
            self.insights_paths => Handle::InsightsPath,
            self.insights_analyses => Handle::InsightsAnalysis,
            self.access_scopes => Handle::AccessScope,
            self.access_scope_analyses => Handle::AccessScopeAnalysis,
            self.hosted_zones => Handle::HostedZone,
        );
        out
    }
}
