//! Where a leg ends at a load balancer node or an interface endpoint and the next
//! begins: listeners (L3), target choice by flow hash with cross-zone and fail-open
//! rules (L5, L6, L12), client IP preservation (L7, L8) and its NAT loopback (L14),
//! endpoint states and the PrivateLink hop to the node in the same AZ (P7, P8), an AWS
//! service answering at its endpoint (P13); and the response legs.

use std::net::Ipv4Addr;

use crate::addr::Protocol;
use crate::ids::*;
use crate::model::endpoint_service::ServiceState;
use crate::model::eni::EniOwner;
use crate::model::nlb::{flow_hash, HealthState, Target};
use crate::model::vpc_endpoint::{EndpointState, ServiceRef};
use crate::trace::{Direction, ExplanationCode, Header};
use crate::world::World;

use super::leg::Mode;
use super::{Block, Component, Destination, LegRecord, Legs, Recorder, Why};

fn block(code: ExplanationCode, at: Component, header: Header) -> Block {
    Block { code, at, header, on_return: false }
}

/// Candidate targets of a node: how many, and the indexes and addresses of the first
/// [`Pool::FIRST`] (kept without allocating; a larger pool finds the rest by a second scan).
struct Pool {
    len: u32,
    first: [(u32, Ipv4Addr); Pool::FIRST],
}

impl Default for Pool {
    fn default() -> Pool {
        Pool { len: 0, first: [(0, Ipv4Addr::UNSPECIFIED); Pool::FIRST] }
    }
}

impl Pool {
    /// How many target indexes a pool keeps.
    const FIRST: usize = 16;

    #[inline]
    fn push(&mut self, index: usize, addr: Ipv4Addr) {
        if let Some(slot) = self.first.get_mut(self.len as usize) {
            *slot = (index as u32, addr);
        }
        self.len += 1;
    }

    /// The `k`th candidate's index and address, when it is one of the first kept.
    #[inline]
    fn get(&self, k: usize) -> Option<(usize, Ipv4Addr)> {
        (k < self.len as usize).then(|| self.first.get(k).map(|&(i, a)| (i as usize, a))).flatten()
    }
}

/// Whether two Availability Zone names are the same zone: the names come from the region's
/// tables, so the same zone is usually the same string, compared before the bytes.
#[inline]
fn same_az(a: &str, b: &str) -> bool {
    std::ptr::eq(a, b) || a == b
}

/// The target a node picked and why.
struct Choice {
    index: usize,
    /// The target's address, found while sorting the pools.
    addr: Option<std::net::Ipv4Addr>,
    hash: u64,
    candidates: u32,
    fail_open: bool,
}

impl World {
    /// A packet `h` arrived at node `node` of `lb`: listener, target group, target, then the leg to the target.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    pub(crate) fn through_load_balancer<R: Recorder>(
        &self,
        lb: LbId,
        node: EniId,
        h: Header,
        seq: u32,
        via: Option<EndpointId>,
        legs: &mut Legs,
        rec: &mut R,
    ) -> Result<(Destination, Header), Block> {
        let l = &self[lb];
        rec.hop(self, Component::Lb(lb), Why::Nothing, Some(h), None);
        if h.protocol == Protocol::Icmp {
            return Err(block(ExplanationCode::ProtocolRestriction, Component::Lb(lb), h));
        }
        let listener = l.listeners.iter().copied().find(|x| {
            let x = &self[x];
            !x.deleted && x.port == h.dst_port && x.protocol.carries(h.protocol)
        });
        let Some(listener) = listener else {
            return Err(block(ExplanationCode::ElbListenerPortRestriction, Component::Lb(lb), h));
        };
        rec.hop(self, Component::Listener(listener), Why::Listener(listener), Some(h), None);
        let Some(tg) = self[listener].target_group else {
            return Err(block(ExplanationCode::Elbv2ListenerHasNoTg, Component::Listener(listener), h));
        };
        let az = l.nodes.iter().find(|n| n.eni == node).map_or("", |n| n.az);
        let group = &self[tg];
        let choice = self.choose_target(tg, az, group.crosses_zones(l.cross_zone), &h, seq)?;
        let target = &group.targets[choice.index];
        let Some(addr) = choice.addr else {
            return Err(block(ExplanationCode::Elbv2NoTargetsInAz, Component::TargetGroup(tg), h));
        };
        let node_ip = self[node].private_ip;
        let preserve = via.is_none() && group.preserves_client_ip();
        let out =
            Header { src: if preserve { h.src } else { node_ip }, dst: addr, dst_port: target.port, ..h };
        let why = Why::Target(tg, choice.index, choice.hash, choice.candidates, choice.fail_open);
        rec.hop(self, Component::TargetGroup(tg), why, Some(h), Some(out));
        // L14: a target that opened the flow itself gets its own packet back with its own
        // address as the source, and its reply never reaches the node: the flow times out.
        if preserve && addr == h.src {
            return Err(block(ExplanationCode::NatLoopbackNotSupported, Component::TargetGroup(tg), out));
        }
        let end = self.routed_leg(node, out, Mode::FromNode(node), rec)?;
        legs.push(LegRecord::Routed { to: end.eni, arrived: end.header, reply_to: Some(node_ip) });
        match end.eni.map(|e| (e, self[e].owner)) {
            // R9, G5: a route to a masquerading NAT instance ended the leg there; it sends the
            // packet on as its own, so the target sees the instance, not the client (L7).
            Some((e, EniOwner::Instance(i))) if !self[e].holds(end.header.dst) => {
                self.through_nat_instance(i, e, end.header, seq, legs, rec)
            }
            Some((_, EniOwner::Instance(i))) => self.deliver(i, end.header, rec),
            Some(_) | None => {
                Err(block(ExplanationCode::UnknownDestination, Component::TargetGroup(tg), out))
            }
        }
    }

    /// L5/L6: the flow hash picks among the healthy targets of the node's AZ (all AZs with
    /// cross-zone on); with healthy targets only elsewhere the flow is dropped; with none healthy
    /// anywhere the node fails open over every registered target it may use.
    #[inline(always)]
    fn choose_target(
        &self,
        tg: TargetGroupId,
        az: &str,
        cross_zone: bool,
        h: &Header,
        seq: u32,
    ) -> Result<Choice, Block> {
        let group = &self[tg];
        // One pass places each target once and sorts it into the node's two pools: the healthy
        // targets, and every live one for failing open (L6). L4: a target whose instance is gone
        // is unused, whatever its last health check said.
        let mut healthy = Pool::default();
        let mut live = Pool::default();
        let mut any_healthy = false;
        for (i, t) in group.targets.iter().enumerate() {
            if matches!(t.state, HealthState::Draining | HealthState::Unused) {
                continue;
            }
            let Some((addr, target_az)) = self.target_address(group.vpc, t.target) else { continue };
            let is_healthy = t.state == HealthState::Healthy;
            any_healthy |= is_healthy;
            if cross_zone || same_az(target_az, az) {
                live.push(i, addr);
                if is_healthy {
                    healthy.push(i, addr);
                }
            }
        }
        let fail_open = !any_healthy;
        let pool = if fail_open { &live } else { &healthy };
        if pool.len == 0 {
            let code = if any_healthy {
                ExplanationCode::ElbNotCrosszone
            } else {
                ExplanationCode::Elbv2NoTargetsInAz
            };
            return Err(block(code, Component::TargetGroup(tg), *h));
        }
        let hash = flow_hash(self.flow_key(), h.protocol, h.src, h.dst, h.src_port, h.dst_port, seq);
        let k = (hash % u64::from(pool.len)) as usize;
        let (index, addr) = match pool.get(k) {
            Some((i, a)) => (i, Some(a)),
            None => {
                let i = self.nth_candidate(group.vpc, &group.targets, az, cross_zone, fail_open, k);
                (i, self.target_address(group.vpc, group.targets[i].target).map(|(a, _)| a))
            }
        };
        Ok(Choice { index, addr, hash, candidates: pool.len, fail_open })
    }

    /// The `k`th target of a pool larger than [`Pool::FIRST`], by a second scan.
    fn nth_candidate(
        &self,
        vpc: VpcId,
        targets: &[Target],
        az: &str,
        cross_zone: bool,
        fail_open: bool,
        k: usize,
    ) -> usize {
        let usable = |t: &Target| {
            if fail_open {
                !matches!(t.state, HealthState::Draining | HealthState::Unused)
            } else {
                t.state == HealthState::Healthy
            }
        };
        let in_pool = |t: &Target| {
            usable(t) && self.target_address(vpc, t.target).is_some_and(|(_, a)| cross_zone || same_az(a, az))
        };
        targets.iter().enumerate().filter(|(_, t)| in_pool(t)).nth(k).map_or(0, |(i, _)| i)
    }

    /// A packet arrived at an endpoint's interface: it must be available (P7), and goes to the node in the same AZ (P8).
    pub(crate) fn through_endpoint<R: Recorder>(
        &self,
        ep: EndpointId,
        eni: EniId,
        h: Header,
        seq: u32,
        legs: &mut Legs,
        rec: &mut R,
    ) -> Result<(Destination, Header), Block> {
        let e = &self[ep];
        rec.hop(self, Component::Endpoint(ep), Why::State(e.state.as_str()), Some(h), None);
        if e.state != EndpointState::Available {
            return Err(block(ExplanationCode::BadState, Component::Endpoint(ep), h));
        }
        let service = match e.service {
            ServiceRef::Provider(s) => s,
            ServiceRef::Aws(a) => {
                // P13: the AWS service answers at the endpoint's interface, from the address asked.
                rec.hop(self, Component::AwsService(a), Why::Delivered, Some(h), None);
                return Ok((Destination::AwsService(a), h));
            }
        };
        let svc = &self[service];
        if svc.state == ServiceState::Deleted {
            return Err(block(ExplanationCode::BadState, Component::Service(service), h));
        }
        rec.hop(self, Component::Service(service), Why::Nothing, Some(h), None);
        let az = self[self[eni].subnet].az;
        let node = svc
            .nlbs
            .iter()
            .find_map(|lb| self[lb].nodes.iter().find(|n| same_az(n.az, az)).map(|n| (*lb, n.eni)));
        let Some((lb, node)) = node else {
            return Err(block(ExplanationCode::VpceServiceNotInstalledInAz, Component::Service(service), h));
        };
        let at_node = Header { dst: self[node].private_ip, ..h };
        legs.push(LegRecord::PrivateLink { endpoint: ep, service, lb });
        if self[lb].enforce_sg_on_privatelink {
            // L9: the groups see the consumer's private address, an address of the consumer's VPC.
            self.enforce_sgs(node, Direction::Ingress, at_node, e.vpc, None, rec)?;
        }
        self.through_load_balancer(lb, node, at_node, seq, Some(ep), legs, rec)
    }

    /// The response: each leg walked back, last leg first, statefully (S2) through NACLs and routes (N3, L8).
    pub(crate) fn walk_return<R: Recorder>(&self, legs: &Legs, rec: &mut R) -> Result<(), Block> {
        for leg in legs.items[..legs.len].iter().rev().flatten() {
            match *leg {
                LegRecord::Routed { to, arrived, reply_to, .. } => {
                    let mut reply = arrived.reversed();
                    let mut mode = legs.client.map_or(Mode::Reply, Mode::ReplyToClient);
                    if let Some(node) = reply_to {
                        // L7: a target that saw the client's address answers towards it.
                        if node != reply.dst {
                            mode = Mode::ReplyTowards(reply.dst);
                        }
                        reply.dst = node;
                    }
                    match to {
                        Some(eni) => {
                            self.routed_leg(eni, reply, mode, rec)?;
                        }
                        None => {
                            rec.hop(
                                self,
                                Component::Internet(Some(reply.src)),
                                Why::Nothing,
                                Some(reply),
                                None,
                            );
                            self.across_internet(reply, mode, rec)?;
                        }
                    }
                }
                LegRecord::Nat { nat, inside, outside } => self.nat_gateway_reply(nat, inside, outside, rec),
                LegRecord::NatInstance { instance, inside, outside } => {
                    self.nat_instance_reply(instance, inside, outside, rec)
                }
                LegRecord::Gateway { endpoint, from, arrived } => {
                    let reply = arrived.reversed();
                    rec.hop(self, Component::Internet(Some(reply.src)), Why::Nothing, Some(reply), None);
                    rec.hop(self, Component::GatewayEndpoint(endpoint), Why::Nothing, Some(reply), None);
                    self.check_nacl(self[from].subnet, Direction::Ingress, reply, rec)?;
                    self.arrive_at(from, reply, Mode::Reply, rec)?;
                }
                LegRecord::PrivateLink { endpoint, service, lb } => {
                    rec.hop(self, Component::Lb(lb), Why::Nothing, None, None);
                    rec.hop(self, Component::Service(service), Why::Nothing, None, None);
                    rec.hop(self, Component::Endpoint(endpoint), Why::Nothing, None, None);
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::Pool;

    #[test]
    fn a_pool_counts_every_candidate_and_keeps_the_first_sixteen_in_order() {
        let mut pool = Pool::default();
        let addr = |i: usize| std::net::Ipv4Addr::from(0x0a00_0000 + i as u32);
        for i in 0..20 {
            pool.push(i * 2, addr(i));
        }
        assert_eq!(pool.len, 20);
        assert_eq!(
            (0..Pool::FIRST).map(|k| pool.get(k)).collect::<Vec<_>>(),
            (0..16).map(|i| Some((i * 2, addr(i)))).collect::<Vec<_>>()
        );
        assert_eq!(pool.get(Pool::FIRST), None, "the rest is found by a second scan");
        assert_eq!(Pool::default().get(0), None);
    }
}
