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

/// Calls `$then!` with every arena of the World but the four that `watch` and `watched`
/// treat on their own (groups, NACLs and route tables, whose old values are compared,
/// and the interfaces, whose arena sits inside an index), each with its [`Handle`]
/// variant: one list for both, in a fixed order. A new arena is added here, as in
/// `index_by_handle!` (mod.rs) and `each_store!` (undo.rs); the test below fails until
/// it is.
macro_rules! other_arenas {
    ($then:ident) => {
        $then! {
            vpcs => Vpc,
            subnets => Subnet,
            igws => Igw,
            eigws => Eigw,
            instances => Instance,
            eips => Eip,
            lbs => Lb,
            listeners => Listener,
            target_groups => TargetGroup,
            services => Service,
            endpoints => Endpoint,
            nat_gateways => NatGateway,
            peerings => Peering,
            prefix_lists => PrefixList,
            gateway_endpoints => GatewayEndpoint,
            launch_templates => LaunchTemplate,
            auto_scaling_groups => AutoScalingGroup,
            insights_paths => InsightsPath,
            insights_analyses => InsightsAnalysis,
            access_scopes => AccessScope,
            access_scope_analyses => AccessScopeAnalysis,
            hosted_zones => HostedZone,
            dhcp_options => DhcpOptions,
            connection_notifications => ConnectionNotification,
            flow_logs => FlowLog,
            log_groups => LogGroup,
        }
    };
}

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
        self.sgs.watch();
        self.nacls.watch();
        self.route_tables.watch();
        self.enis.watch();
        macro_rules! start {
            ($($arena:ident => $handle:ident),* $(,)?) => {$(
                self.$arena.watch();
            )*};
        }
        other_arenas!(start);
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
        out.extend(self.enis.arena().watched().map(|(id, _)| Watched::Other(Handle::Eni(id))));
        macro_rules! others {
            ($($arena:ident => $handle:ident),* $(,)?) => {$(
                out.extend(self.$arena.watched().map(|(id, _)| Watched::Other(Handle::$handle(id))));
            )*};
        }
        other_arenas!(others);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::super::ARENA_COUNT;

    #[test]
    fn watch_and_watched_cover_every_arena_of_the_world() {
        macro_rules! count {
            ($($arena:ident => $handle:ident),* $(,)?) => {
                [$(stringify!($arena)),*].len()
            };
        }
        // The four treated on their own: groups, NACLs, route tables, interfaces.
        assert_eq!(other_arenas!(count) + 4, ARENA_COUNT, "an arena is missing from other_arenas!");
    }
}
