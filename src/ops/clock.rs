//! The virtual clock: time moves only when told (`wait`, `wait-for`), and with it
//! target health checks (L4) and endpoint state changes (P2). Events are applied in
//! time order, so the same waits give the same world.

use std::time::Duration;

use crate::addr::Protocol;
use crate::forward::Outcome;
use crate::ids::*;
use crate::model::nlb::HealthState;
use crate::model::vpc_endpoint::{EndpointState, VpcEndpoint};
use crate::trace::{Flow, Header};
use crate::world::World;

/// The next thing due on the clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    /// A target's health check (group, target index).
    Check(TargetGroupId, usize),
    /// A draining target leaves its group.
    Drained(TargetGroupId, usize),
    /// An endpoint's automatic state change.
    Endpoint(EndpointId),
}

impl World {
    /// Move the virtual clock forward, applying every health check and state change due on the way.
    pub fn advance(&mut self, by: Duration) {
        let until = self.now_ms.saturating_add(by.as_millis() as u64);
        while let Some((at, event)) = self.next_event().filter(|(at, _)| *at <= until) {
            self.now_ms = self.now_ms.max(at);
            self.apply(event);
        }
        self.now_ms = until;
    }

    fn next_event(&self) -> Option<(u64, Event)> {
        let mut best: Option<(u64, Event)> = None;
        let mut consider = |at: u64, e: Event| {
            if best.is_none_or(|b| (at, e) < b) {
                best = Some((at, e));
            }
        };
        for (g, group) in self.target_groups.values().enumerate() {
            let g = TargetGroupId(g as u32);
            if group.deleted {
                continue;
            }
            for (i, t) in group.targets.iter().enumerate() {
                match t.state {
                    HealthState::Draining => {
                        if let Some(at) = t.drain_until_ms {
                            consider(at, Event::Drained(g, i));
                        }
                    }
                    HealthState::Unused => {}
                    _ => consider(t.next_check_ms, Event::Check(g, i)),
                }
            }
        }
        for (i, e) in self.endpoints.values().enumerate() {
            if let Some(at) = e.next_change_ms {
                consider(at, Event::Endpoint(EndpointId(i as u32)));
            }
        }
        best
    }

    fn apply(&mut self, event: Event) {
        match event {
            Event::Check(g, i) => self.health_check(g, i),
            Event::Drained(g, i) => {
                self.target_groups[g].targets.remove(i);
            }
            Event::Endpoint(e) => advance_endpoint(&mut self.endpoints[e]),
        }
    }

    /// L4: one health check: passes needed to turn healthy, failures to turn unhealthy.
    fn health_check(&mut self, g: TargetGroupId, i: usize) {
        let ok = self.probe_target(g, i);
        let group = &mut self.target_groups[g];
        let hc = group.health_check;
        let t = &mut group.targets[i];
        t.next_check_ms += u64::from(hc.interval_s.max(1)) * 1000;
        if ok {
            t.failures = 0;
            t.passes = t.passes.saturating_add(1);
            if t.passes >= hc.healthy_threshold {
                t.state = HealthState::Healthy;
            }
        } else {
            t.passes = 0;
            t.failures = t.failures.saturating_add(1);
            if t.failures >= hc.unhealthy_threshold {
                t.state = HealthState::Unhealthy;
            }
        }
    }

    /// A TCP health check from a node of a load balancer using the group (its own AZ's node
    /// when there is one) to the target's port: the path must deliver and something must listen.
    pub fn probe_target(&self, g: TargetGroupId, i: usize) -> bool {
        let group = &self.target_groups[g];
        let t = &group.targets[i];
        let Some((addr, az)) = self.target_address(group.vpc, t.target) else { return false };
        let port = group.health_check.port.unwrap_or(t.port);
        let node = self
            .load_balancers_of(g)
            .into_iter()
            .flat_map(|lb| self.lbs[lb].nodes.iter())
            .min_by_key(|n| n.az != az);
        let Some(node) = node else { return false };
        let src = self.enis[node.eni].private_ip;
        let header = Header { src, dst: addr, protocol: Protocol::Tcp, src_port: 40000, dst_port: port };
        match self.verdict(node.eni, Flow { header, seq: 0 }) {
            Outcome::Delivered { to: crate::forward::Destination::Instance(inst), .. } => {
                self.instances[inst].service(Protocol::Tcp, port).is_some()
            }
            _ => false,
        }
    }
}

/// P2: pending becomes available after provisioning; deleting becomes deleted.
fn advance_endpoint(e: &mut VpcEndpoint) {
    e.next_change_ms = None;
    e.state = match e.state {
        EndpointState::Pending => EndpointState::Available,
        EndpointState::Deleting => EndpointState::Deleted,
        other => other,
    };
}
