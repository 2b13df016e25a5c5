//! The virtual clock: time moves only when told (`wait`, `wait-for`), and with it
//! target health checks (L4, L10), draining (L11), endpoint state changes (P2) and NAT
//! gateway state changes (G1). Events are applied in
//! time order, so the same waits give the same world.
//!
//! Health checks are simulated by events, not ticks: between two changes of the world
//! (a target changing state, a draining target leaving, an endpoint changing state)
//! every check of a target has the same outcome, so the checks before the next change
//! are applied at once from the target's interval and thresholds. A wait of a week
//! costs about what a wait of a minute does.

use std::time::Duration;

use crate::addr::Protocol;
use crate::forward::Outcome;
use crate::ids::*;
use crate::model::nlb::{CheckFailure, HealthCheck, HealthCheckProtocol, HealthState, Target};
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
    /// A NAT gateway's automatic state change (G1).
    Nat(NatId),
}

/// What one [`World::advance`] simulated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Simulated {
    /// Events applied: single health checks, runs of equal checks applied at once,
    /// targets leaving after draining and endpoint state changes. It grows with the
    /// number of targets and of state changes, not with the length of the wait.
    pub events: u64,
}

/// A checked target's outcome until the world next changes, and when its state would change.
#[derive(Clone, Copy, Debug)]
struct Run {
    /// The group and target index.
    at: (TargetGroupId, usize),
    /// Whether its checks pass, and why not.
    outcome: Result<(), CheckFailure>,
    /// The time of the check that changes its state, if one does.
    change_ms: Option<u64>,
}

impl World {
    /// Move the virtual clock forward, applying every health check and state change due on the way.
    pub fn advance(&mut self, by: Duration) -> Simulated {
        let until = self.now_ms.saturating_add(by.as_millis() as u64);
        let mut simulated = Simulated::default();
        loop {
            let runs = self.check_runs(until);
            let changes = runs.iter().filter_map(|r| r.change_ms);
            let next =
                changes.chain(self.next_world_event().map(|(at, _)| at)).min().filter(|at| *at <= until);
            // Until `next` (or to `until` when nothing changes) every check repeats its outcome.
            let bound = next.map_or(until, |at| at - 1);
            for r in &runs {
                simulated.events += u64::from(self.repeat_checks(r.at, r.outcome, bound));
            }
            let Some(at) = next else { break };
            self.now_ms = self.now_ms.max(at);
            simulated.events += self.apply_due(at);
        }
        self.now_ms = until;
        simulated
    }

    /// How long until the clock next changes something a caller can see: a target's health
    /// state, a draining target leaving, an endpoint's state, an analysis ending or a
    /// Route 53 change turning INSYNC; `None` when nothing is
    /// scheduled. Until then every state stays as it is, so a `wait-for` may jump there.
    pub fn next_change(&self) -> Option<Duration> {
        let runs = self.check_runs(u64::MAX);
        let changes = runs.iter().filter_map(|r| r.change_ms);
        let analyses = self.next_analysis_end();
        let route53 = self.next_route53_insync();
        let world = self.next_world_event().map(|(at, _)| at);
        let next = changes.chain(world).chain(analyses).chain(route53).min()?;
        Some(Duration::from_millis(next.saturating_sub(self.now_ms)))
    }

    /// Every target checked by `until`, its outcome now and when that outcome would change its state.
    fn check_runs(&self, until: u64) -> Vec<Run> {
        let mut runs = Vec::new();
        for (g, group) in self.target_groups.iter() {
            if group.deleted {
                continue;
            }
            for (i, t) in group.targets.iter().enumerate() {
                if matches!(t.state, HealthState::Draining | HealthState::Unused) || t.next_check_ms > until {
                    continue;
                }
                let outcome = self.probe_target(g, i);
                let change_ms = state_change_ms(t, &group.health_check, outcome.is_ok());
                runs.push(Run { at: (g, i), outcome, change_ms });
            }
        }
        runs
    }

    /// Applies, at once, every check of a target due by `bound` (inclusive), each with
    /// `outcome`; returns whether there was any.
    fn repeat_checks(
        &mut self,
        (g, i): (TargetGroupId, usize),
        outcome: Result<(), CheckFailure>,
        bound: u64,
    ) -> bool {
        let (first, interval) = (
            self.target_groups[g].targets[i].next_check_ms,
            interval_ms(&self.target_groups[g].health_check),
        );
        if first > bound {
            return false;
        }
        let checks = (bound - first) / interval + 1;
        self.log_health_checks((g, i), first, checks, interval);
        let group = &mut self.target_groups[g];
        let hc = &group.health_check;
        let t = &mut group.targets[i];
        t.next_check_ms += checks * interval;
        let counted = u8::try_from(checks).unwrap_or(u8::MAX);
        match outcome {
            Ok(()) => {
                t.failures = 0;
                t.failure = None;
                t.passes = t.passes.saturating_add(counted);
                if t.passes >= hc.healthy_threshold {
                    t.state = HealthState::Healthy;
                }
            }
            Err(why) => {
                t.passes = 0;
                t.failure = Some(why);
                t.failures = t.failures.saturating_add(counted);
                if t.failures >= hc.unhealthy_threshold {
                    t.state = HealthState::Unhealthy;
                }
            }
        }
        true
    }

    /// The earliest drain or endpoint change.
    fn next_world_event(&self) -> Option<(u64, Event)> {
        let mut best: Option<(u64, Event)> = None;
        let mut consider = |at: u64, e: Event| {
            if best.is_none_or(|b| (at, e) < b) {
                best = Some((at, e));
            }
        };
        for (g, group) in self.target_groups.iter() {
            if group.deleted {
                continue;
            }
            for (i, t) in group.targets.iter().enumerate() {
                if let (HealthState::Draining, Some(at)) = (t.state, t.drain_until_ms) {
                    consider(at, Event::Drained(g, i));
                }
            }
        }
        for (e, endpoint) in self.endpoints.iter() {
            if let Some(at) = endpoint.next_change_ms {
                consider(at, Event::Endpoint(e));
            }
        }
        if let Some((at, n)) = self.next_nat_change() {
            consider(at, Event::Nat(n));
        }
        best
    }

    /// Applies every event due at `at` one by one, in order: the health checks (by group and
    /// target), then targets leaving and endpoint changes; returns how many.
    fn apply_due(&mut self, at: u64) -> u64 {
        let mut due = Vec::new();
        for (g, group) in self.target_groups.iter() {
            if group.deleted {
                continue;
            }
            for (i, t) in group.targets.iter().enumerate() {
                if !matches!(t.state, HealthState::Draining | HealthState::Unused) && t.next_check_ms == at {
                    due.push(Event::Check(g, i));
                }
            }
        }
        let mut applied = due.len() as u64;
        for event in due {
            self.apply(event);
        }
        // Drains and endpoint changes, found in one pass (one search per event made
        // 10,000 endpoints turning available at once cost 10,000 passes). None of them
        // causes another at the same time, and applied last first, a group's drained
        // targets leave from the end, so the others keep their index.
        let world_events = self.world_events_at(at);
        applied += world_events.len() as u64;
        for event in world_events.into_iter().rev() {
            self.apply(event);
        }
        applied
    }

    /// The drains, endpoint changes and NAT gateway changes due at `at`, in order.
    fn world_events_at(&self, at: u64) -> Vec<Event> {
        let mut events = Vec::new();
        for (g, group) in self.target_groups.iter() {
            if group.deleted {
                continue;
            }
            for (i, t) in group.targets.iter().enumerate() {
                if t.state == HealthState::Draining && t.drain_until_ms == Some(at) {
                    events.push(Event::Drained(g, i));
                }
            }
        }
        for (e, endpoint) in self.endpoints.iter() {
            if endpoint.next_change_ms == Some(at) {
                events.push(Event::Endpoint(e));
            }
        }
        for (n, nat) in self.nat_gateways.iter() {
            if nat.next_change_ms == Some(at) {
                events.push(Event::Nat(n));
            }
        }
        events
    }

    fn apply(&mut self, event: Event) {
        match event {
            Event::Check(g, i) => self.health_check(g, i),
            Event::Drained(g, i) => {
                self.target_groups[g].targets.remove(i);
            }
            Event::Endpoint(e) => advance_endpoint(&mut self.endpoints[e]),
            Event::Nat(n) => self.advance_nat_gateway(n),
        }
    }

    /// L4: one health check: passes needed to turn healthy, failures to turn unhealthy.
    fn health_check(&mut self, g: TargetGroupId, i: usize) {
        let outcome = self.probe_target(g, i);
        let next = self.target_groups[g].targets[i].next_check_ms;
        self.repeat_checks((g, i), outcome, next);
    }

    /// L4, L10: a health check from a node of a load balancer using the group (its own AZ's
    /// node when there is one) to the target's port, from the node's private IP. The path
    /// there and back must deliver (else it times out); something must listen (else it
    /// fails); an HTTP(S) check must get a status the matcher accepts.
    pub fn probe_target(&self, g: TargetGroupId, i: usize) -> Result<(), CheckFailure> {
        let hc = &self.target_groups[g].health_check;
        let Some((node, header)) = self.health_check_flow(g, i) else { return Err(CheckFailure::Timeout) };
        let port = header.dst_port;
        let Outcome::Delivered { to: crate::forward::Destination::Instance(inst), .. } =
            self.verdict(node, Flow { header, seq: 0 })
        else {
            return Err(CheckFailure::Timeout);
        };
        let service =
            self.instances[inst].service(Protocol::Tcp, port).ok_or(CheckFailure::FailedHealthChecks)?;
        match hc.protocol {
            HealthCheckProtocol::Tcp => Ok(()),
            // The web server model speaks plain HTTP: a TLS handshake with it fails.
            HealthCheckProtocol::Https => Err(CheckFailure::FailedHealthChecks),
            HealthCheckProtocol::Http => {
                let status = service.http_status(&hc.path).ok_or(CheckFailure::FailedHealthChecks)?;
                match hc.matcher.accepts(status) {
                    true => Ok(()),
                    false => Err(CheckFailure::ResponseCodeMismatch(status)),
                }
            }
        }
    }
}

impl World {
    /// L4: the interface a target's health check leaves from (a node of a load balancer
    /// using the group, its own AZ's when there is one) and its packet: TCP from the node's
    /// private IP to the target's address and health-check port; `None` when the target
    /// has no address or the group no load balancer.
    pub(crate) fn health_check_flow(&self, g: TargetGroupId, i: usize) -> Option<(EniId, Header)> {
        let group = &self.target_groups[g];
        let t = &group.targets[i];
        let (addr, az) = self.target_address(group.vpc, t.target)?;
        let port = group.health_check.port.unwrap_or(t.port);
        let node = self
            .load_balancers_of(g)
            .into_iter()
            .flat_map(|lb| self.lbs[lb].nodes.iter())
            .min_by_key(|n| n.az != az)?;
        let src = self.enis[node.eni].private_ip;
        Some((node.eni, Header { src, dst: addr, protocol: Protocol::Tcp, src_port: 40000, dst_port: port }))
    }
}

/// The time between two checks of a group, in milliseconds (at least a second).
fn interval_ms(hc: &HealthCheck) -> u64 {
    u64::from(hc.interval_s.max(1)) * 1000
}

/// L4: when checks that all come out `ok` would change the target's state: at the check that
/// brings the passes (or failures) to the threshold, or never when it already holds that state.
fn state_change_ms(t: &Target, hc: &HealthCheck, ok: bool) -> Option<u64> {
    let (goal, count, threshold) = match ok {
        true => (HealthState::Healthy, t.passes, hc.healthy_threshold),
        false => (HealthState::Unhealthy, t.failures, hc.unhealthy_threshold),
    };
    if t.state == goal {
        return None;
    }
    let checks = u64::from(threshold.saturating_sub(count).max(1));
    Some(t.next_check_ms + (checks - 1) * interval_ms(hc))
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
