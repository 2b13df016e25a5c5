//! Security group (S1, S2, S5, S6, I6, L15) and network ACL (N1-N3) decisions at one
//! interface or subnet boundary.

use crate::ids::*;
use crate::model::nacl::{AclVerdict, Action};
use crate::model::security_group::{Peer, SgRule};
use crate::trace::{Direction, ExplanationCode, Header};
use crate::world::World;

use super::leg::Mode;
use super::{Block, Component, Consulted, Recorder, Why};

/// What a security group evaluation found.
#[derive(Clone, Copy, Debug)]
pub enum SgDecision<'a> {
    /// The interface has no groups (a load balancer without groups): nothing to check.
    NoGroups,
    /// This rule of this group allows it.
    Allowed(SgId, &'a SgRule),
    /// Nothing allows it; the flag says whether the groups have no rules at all in this direction.
    Denied(bool),
}

impl World {
    /// S1/S5: all rules of all the interface's groups together; any allowing rule admits the packet.
    /// The peer is the packet's source (ingress) or destination (egress), an address of
    /// `remote_vpc`; group peers match members' private IPs only (I6), so only in the interface's
    /// own VPC or (V3) a VPC peered with it: a consumer behind PrivateLink holding a member's
    /// address is no member.
    pub fn evaluate_sgs(&self, eni: EniId, dir: Direction, h: &Header, remote_vpc: VpcId) -> SgDecision<'_> {
        self.evaluate_sgs_via(eni, dir, h, remote_vpc, None)
    }

    /// [`World::evaluate_sgs`] for a packet a load balancer node `node` forwards: a rule that
    /// references one of the node's groups admits it too, whatever its source (L15).
    #[inline]
    fn evaluate_sgs_via(
        &self,
        eni: EniId,
        dir: Direction,
        h: &Header,
        remote_vpc: VpcId,
        node: Option<EniId>,
    ) -> SgDecision<'_> {
        let e = &self[eni];
        if e.groups.is_empty() {
            return SgDecision::NoGroups;
        }
        let remote = if dir == Direction::Ingress { h.src } else { h.dst };
        let mut any_rules = false;
        for &g in &e.groups {
            let rules = self[g].rules(dir);
            any_rules |= !rules.is_empty();
            let indirect_holds = |p: &Peer| match p {
                Peer::Group(g) => {
                    (remote_vpc == e.vpc && self.group_reached_holds(e.vpc, *g, remote))
                        || node.is_some_and(|n| self[n].groups.contains(g))
                }
                Peer::PrefixList(pl) => self[pl].contains(remote),
                Peer::Cidr(c) => c.contains(remote),
            };
            if let Some(r) = rules.first_match(h.protocol, h.dst_port, remote, indirect_holds) {
                return SgDecision::Allowed(g, r);
            }
        }
        SgDecision::Denied(!any_rules)
    }

    /// S5/I6/V3: whether `addr`, reached from `own` by routing, is a private IP of a member of
    /// group `g`: in `own`, or in the group's VPC when that VPC is peered with `own` (addresses
    /// cross a peering connection unchanged, so the peer's members keep their private IPs).
    #[inline]
    fn group_reached_holds(&self, own: VpcId, g: SgId, addr: std::net::Ipv4Addr) -> bool {
        let group_vpc = self[g].vpc;
        if group_vpc == own {
            return self.group_holds(own, g, addr);
        }
        !self[own].contains(addr)
            && self[group_vpc].contains(addr)
            && self.active_peering(own, group_vpc).is_some()
            && self.group_holds(group_vpc, g, addr)
    }

    /// S5/I6: whether `addr` is a private IP of a member of group `g` in `vpc`.
    #[inline]
    fn group_holds(&self, vpc: VpcId, g: SgId, addr: std::net::Ipv4Addr) -> bool {
        self.eni_by_private_ip(vpc, addr).is_some_and(|m| self[m].groups.contains(&g))
    }

    /// Check the groups of `eni` in `dir` (forward) or note the stateful pass (response, S2).
    #[inline]
    pub(crate) fn check_sgs<R: Recorder>(
        &self,
        eni: EniId,
        dir: Direction,
        h: Header,
        mode: Mode,
        rec: &mut R,
    ) -> Result<(), Block> {
        let e = &self[eni];
        if mode.is_reply() {
            if let Some(&g) = e.groups.first() {
                rec.hop(self, Component::Sg(g), Why::Stateful(dir), Some(h), None);
            }
            return Ok(());
        }
        let node = match (mode, dir) {
            (Mode::FromNode(node), Direction::Ingress) => Some(node),
            _ => None,
        };
        self.enforce_sgs(eni, dir, h, e.vpc, node, rec)
    }

    /// Check the groups of `eni` in `dir` for a new flow whose remote address is of
    /// `remote_vpc`, forwarded by load balancer node `node` when given (L15).
    #[inline]
    pub(crate) fn enforce_sgs<R: Recorder>(
        &self,
        eni: EniId,
        dir: Direction,
        h: Header,
        remote_vpc: VpcId,
        node: Option<EniId>,
        rec: &mut R,
    ) -> Result<(), Block> {
        let e = &self[eni];
        rec.consulted(self, Consulted::Sgs { eni, dir, h });
        match self.evaluate_sgs_via(eni, dir, &h, remote_vpc, node) {
            SgDecision::NoGroups => Ok(()),
            SgDecision::Allowed(g, r) => {
                rec.hop(self, Component::Sg(g), Why::SgRule(g, dir, r), Some(h), None);
                Ok(())
            }
            SgDecision::Denied(no_rules) => {
                let code = if no_rules {
                    ExplanationCode::SgHasNoRules
                } else {
                    ExplanationCode::EniSgRulesMismatch
                };
                Err(Block { code, at: Component::Sg(e.groups[0]), header: h, on_return: false })
            }
        }
    }

    /// N1/N3: the subnet's NACL in `dir`; the lowest matching entry decides, else deny.
    #[inline]
    pub(crate) fn check_nacl<R: Recorder>(
        &self,
        subnet: SubnetId,
        dir: Direction,
        h: Header,
        rec: &mut R,
    ) -> Result<(), Block> {
        let acl = self[subnet].nacl;
        rec.consulted(self, Consulted::Nacl { acl, dir, h });
        let remote = if dir == Direction::Ingress { h.src } else { h.dst };
        let verdict = self[acl].evaluate(dir, h.protocol, h.dst_port, remote);
        let entry = match verdict {
            AclVerdict::Entry(e) => Some(e),
            AclVerdict::DefaultDeny => None,
        };
        rec.hop(self, Component::Nacl(acl), Why::Acl(dir, entry), Some(h), None);
        match entry {
            Some(e) if e.action == Action::Allow => Ok(()),
            _ => Err(Block {
                code: ExplanationCode::SubnetAclRestriction,
                at: Component::Nacl(acl),
                header: h,
                on_return: false,
            }),
        }
    }
}
