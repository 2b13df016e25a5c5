//! The lookups the control plane needs to stay linear in what it creates: live load
//! balancers and target groups by name (names are unique among live ones), available
//! endpoint services by service name and by the load balancer they front (P1, P10), a
//! VPC's interface endpoints (the per-VPC quota) and the listeners forwarding to each
//! target group (L4). Without them each create call scanned every resource of its kind,
//! so creating N load balancers or endpoints cost O(N^2).
//!
//! Each table changes only through the world's methods below, called by the ops that
//! create or delete what it indexes; every table is an [`UndoMap`], so a failed
//! [`World::transaction`] puts it back with the resources.

use crate::ids::*;

use super::undo::UndoMap;
use super::World;

/// Control-plane lookups by name and by relation (see the module doc).
#[derive(Clone, Debug, Default)]
pub(crate) struct Links {
    /// Live load balancers by name.
    lb_names: UndoMap<String, LbId>,
    /// Live target groups by name.
    tg_names: UndoMap<String, TargetGroupId>,
    /// Available endpoint services by service name.
    services_by_name: UndoMap<String, ServiceId>,
    /// The available endpoint service fronting each load balancer (P1: at most one).
    service_of_lb: UndoMap<LbId, ServiceId>,
    /// Each VPC's interface endpoints, in creation order (deleted ones included).
    endpoints_of_vpc: UndoMap<VpcId, Vec<EndpointId>>,
    /// The listeners ever created that forward to each target group (deleted ones included).
    listeners_of_group: UndoMap<TargetGroupId, Vec<ListenerId>>,
}

impl Links {
    pub(super) fn begin(&mut self) {
        self.lb_names.begin();
        self.tg_names.begin();
        self.services_by_name.begin();
        self.service_of_lb.begin();
        self.endpoints_of_vpc.begin();
        self.listeners_of_group.begin();
    }

    pub(super) fn commit(&mut self) {
        self.lb_names.commit();
        self.tg_names.commit();
        self.services_by_name.commit();
        self.service_of_lb.commit();
        self.endpoints_of_vpc.commit();
        self.listeners_of_group.commit();
    }

    pub(super) fn rollback(&mut self) {
        self.lb_names.rollback();
        self.tg_names.rollback();
        self.services_by_name.rollback();
        self.service_of_lb.rollback();
        self.endpoints_of_vpc.rollback();
        self.listeners_of_group.rollback();
    }
}

/// Appends `item` to the list under `key`.
fn append<K: std::hash::Hash + Eq + Clone, V: Clone>(map: &mut UndoMap<K, Vec<V>>, key: K, item: V) {
    let mut list = map.get(&key).cloned().unwrap_or_default();
    list.push(item);
    map.insert(key, list);
}

impl World {
    /// The live load balancer named `name`.
    pub(crate) fn live_lb_named(&self, name: &str) -> Option<LbId> {
        self.links.lb_names.get(name).copied()
    }

    /// Files a new load balancer under its name.
    pub(crate) fn link_lb_name(&mut self, name: &str, lb: LbId) {
        self.links.lb_names.insert(name.to_string(), lb);
    }

    /// A deleted load balancer frees its name.
    pub(crate) fn unlink_lb_name(&mut self, name: &str) {
        self.links.lb_names.remove(&name.to_string());
    }

    /// The live target group named `name`.
    pub(crate) fn target_group_named(&self, name: &str) -> Option<TargetGroupId> {
        self.links.tg_names.get(name).copied()
    }

    /// Files a new target group under its name.
    pub(crate) fn link_target_group_name(&mut self, name: &str, tg: TargetGroupId) {
        self.links.tg_names.insert(name.to_string(), tg);
    }

    /// A deleted target group frees its name.
    pub(crate) fn unlink_target_group_name(&mut self, name: &str) {
        self.links.tg_names.remove(&name.to_string());
    }

    /// The available endpoint service named `name`.
    pub(crate) fn available_service_named(&self, name: &str) -> Option<ServiceId> {
        self.links.services_by_name.get(name).copied()
    }

    /// The available endpoint service fronting `lb` (P1).
    pub(crate) fn service_of_lb(&self, lb: LbId) -> Option<ServiceId> {
        self.links.service_of_lb.get(&lb).copied()
    }

    /// Files a new available service under its name and its load balancers.
    pub(crate) fn link_service(&mut self, name: &str, nlbs: &[LbId], svc: ServiceId) {
        self.links.services_by_name.insert(name.to_string(), svc);
        for lb in nlbs {
            self.links.service_of_lb.insert(*lb, svc);
        }
    }

    /// A deleted service frees its name and its load balancers.
    pub(crate) fn unlink_service(&mut self, name: &str, nlbs: &[LbId]) {
        self.links.services_by_name.remove(&name.to_string());
        for lb in nlbs {
            self.links.service_of_lb.remove(lb);
        }
    }

    /// The interface endpoints ever created in `vpc` (deleted ones included).
    pub(crate) fn endpoints_of_vpc(&self, vpc: VpcId) -> &[EndpointId] {
        self.links.endpoints_of_vpc.get(&vpc).map_or(&[], Vec::as_slice)
    }

    /// Lists a new endpoint under its VPC.
    pub(crate) fn link_endpoint(&mut self, vpc: VpcId, ep: EndpointId) {
        append(&mut self.links.endpoints_of_vpc, vpc, ep);
    }

    /// The listeners ever created that forward to `tg` (deleted ones included).
    pub(crate) fn listeners_of_group(&self, tg: TargetGroupId) -> &[ListenerId] {
        self.links.listeners_of_group.get(&tg).map_or(&[], Vec::as_slice)
    }

    /// Lists a new listener under the group it forwards to.
    pub(crate) fn link_listener(&mut self, tg: TargetGroupId, listener: ListenerId) {
        append(&mut self.links.listeners_of_group, tg, listener);
    }
}
