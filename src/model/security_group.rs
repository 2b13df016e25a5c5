//! Security groups: allow-only rules (S1), naming a protocol, ports and a peer
//! (S5). Evaluation across an interface's groups lives in the packet walk, which
//! knows group membership; this module matches rules.
//!
//! [`SgRules`] owns one direction's rules and, past [`SgRules::LINEAR_MAX`] rules,
//! a table compiled from them (module `table`): the port space (per protocol) and the
//! address space (by CIDR peer) cut into intervals, each with the bit set of rules
//! admitting it, so the first matching rule is the lowest bit of an AND. Rules
//! change only through `SgRules`' methods, so the table never goes stale.

mod table;

use std::ops::Deref;

use std::net::Ipv4Addr;

use crate::addr::{Cidr, PortRange, Protocol, RuleProtocol};
use crate::ids::{PrefixListId, SgId, VpcId};
use crate::model::Tags;

/// Who a rule allows (S5).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Peer {
    /// An IPv4 block.
    Cidr(Cidr),
    /// Members of a group: their private IPs only (I6).
    Group(SgId),
    /// A managed prefix list (E5): its entries' blocks.
    PrefixList(PrefixListId),
}

/// One allow rule.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SgRule {
    /// `sgr-...`.
    pub rule_id: String,
    /// Protocol (`-1` for all).
    pub protocol: RuleProtocol,
    /// Ports (ICMP: types).
    pub ports: PortRange,
    /// The source (ingress) or destination (egress).
    pub peer: Peer,
    /// Description.
    pub description: Option<String>,
}

impl SgRule {
    /// Whether the rule's protocol and ports admit a packet (the peer is checked by the caller).
    #[inline]
    pub fn admits(&self, protocol: Protocol, port: u16) -> bool {
        self.protocol.matches(protocol) && (self.protocol == RuleProtocol::All || self.ports.contains(port))
    }

    /// Whether the rule's CIDR peer holds `addr` (false for group and prefix-list peers).
    #[inline]
    pub fn cidr_holds(&self, addr: Ipv4Addr) -> bool {
        matches!(self.peer, Peer::Cidr(c) if c.contains(addr))
    }

    /// Whether two rules allow the same thing (AWS refuses duplicates).
    pub fn same_permission(&self, other: &SgRule) -> bool {
        self.protocol == other.protocol && self.ports == other.ports && self.peer == other.peer
    }
}

/// A security group.
#[derive(Clone, Debug)]
pub struct SecurityGroup {
    /// `sg-...`.
    pub aws_id: String,
    /// GroupName.
    pub name: String,
    /// GroupDescription.
    pub description: String,
    /// Its VPC.
    pub vpc: VpcId,
    /// Inbound rules (S3: none for a new group).
    pub ingress: SgRules,
    /// Outbound rules (S3: allow all for a new group).
    pub egress: SgRules,
    /// A8: inbound rules from an IPv6 block (`CidrIpv6`), beside the IPv4 table (never evaluated).
    pub ipv6_ingress: Vec<crate::model::ipv6::Ipv6Rule>,
    /// A8: outbound rules to an IPv6 block (never evaluated).
    pub ipv6_egress: Vec<crate::model::ipv6::Ipv6Rule>,
    /// Whether it is the VPC's default group (S4).
    pub is_default: bool,
    /// Tags.
    pub tags: Tags,
    /// Whether it was deleted.
    pub deleted: bool,
}

/// One direction's rules of a group, in order, with their compiled port table.
///
/// Reads go through `Deref<Target = [SgRule]>`; changes through [`SgRules::push`],
/// [`SgRules::extend`], [`SgRules::retain`], [`SgRules::clear`] and [`SgRules::edit`].
#[derive(Clone, Debug, Default)]
pub struct SgRules {
    list: Vec<SgRule>,
    table: Option<Box<table::RuleTable>>,
}

impl SgRules {
    /// Groups up to this many rules (per direction) are scanned; larger ones get a compiled table.
    pub const LINEAR_MAX: usize = 8;

    /// No rules.
    pub fn new() -> SgRules {
        SgRules::default()
    }

    /// S1/S5: the first rule, in order, that admits `protocol` and `port` and whose peer
    /// holds `remote`: a CIDR peer by containing it, a group peer when `group_holds` says
    /// the address belongs to a member (I6), a prefix list when `indirect_holds` says one of
    /// its entries holds it (E5). `indirect_holds` is asked only about group and list peers.
    #[inline]
    pub fn first_match(
        &self,
        protocol: Protocol,
        port: u16,
        remote: Ipv4Addr,
        mut indirect_holds: impl FnMut(&Peer) -> bool,
    ) -> Option<&SgRule> {
        match &self.table {
            Some(t) => {
                t.first_match(&self.list, protocol, port, remote, indirect_holds).map(|i| &self.list[i])
            }
            None => self.list.iter().find(|r| {
                r.admits(protocol, port)
                    && match &r.peer {
                        Peer::Cidr(c) => c.contains(remote),
                        indirect => indirect_holds(indirect),
                    }
            }),
        }
    }

    /// The rules, in order.
    pub fn as_slice(&self) -> &[SgRule] {
        &self.list
    }

    /// Change the rules in place (reorder, patch) through the plain list; the table is rebuilt after.
    pub fn edit(&mut self, change: impl FnOnce(&mut Vec<SgRule>)) {
        change(&mut self.list);
        self.recompile();
    }

    /// Append a rule.
    pub fn push(&mut self, rule: SgRule) {
        self.list.push(rule);
        self.recompile();
    }

    /// Keep only the rules `keep` accepts.
    pub fn retain(&mut self, keep: impl FnMut(&SgRule) -> bool) {
        self.list.retain(keep);
        self.recompile();
    }

    /// Remove every rule.
    pub fn clear(&mut self) {
        self.list.clear();
        self.recompile();
    }

    /// Heap bytes held by the compiled table (0 for scanned groups).
    pub fn table_bytes(&self) -> usize {
        self.table.as_ref().map_or(0, |t| t.heap_bytes())
    }

    fn recompile(&mut self) {
        // Rules change through control-plane calls, rarely; keep no spare capacity (most groups hold 1-3 rules).
        self.list.shrink_to_fit();
        let compile = self.list.len() > SgRules::LINEAR_MAX && self.list.len() <= table::MAX_RULES;
        self.table = compile.then(|| Box::new(table::RuleTable::build(&self.list)));
    }
}

impl Extend<SgRule> for SgRules {
    fn extend<I: IntoIterator<Item = SgRule>>(&mut self, rules: I) {
        self.list.extend(rules);
        self.recompile();
    }
}

impl Deref for SgRules {
    type Target = [SgRule];

    fn deref(&self) -> &[SgRule] {
        &self.list
    }
}

impl<'a> IntoIterator for &'a SgRules {
    type Item = &'a SgRule;
    type IntoIter = std::slice::Iter<'a, SgRule>;

    fn into_iter(self) -> Self::IntoIter {
        self.list.iter()
    }
}

impl From<Vec<SgRule>> for SgRules {
    fn from(list: Vec<SgRule>) -> SgRules {
        let mut rules = SgRules { list, table: None };
        rules.recompile();
        rules
    }
}

impl PartialEq for SgRules {
    fn eq(&self, other: &SgRules) -> bool {
        self.list == other.list
    }
}

impl Eq for SgRules {}

impl SecurityGroup {
    /// The rules of one direction.
    #[inline]
    pub fn rules(&self, direction: crate::trace::Direction) -> &SgRules {
        match direction {
            crate::trace::Direction::Ingress => &self.ingress,
            crate::trace::Direction::Egress => &self.egress,
        }
    }

    /// The rules of one direction, to change.
    #[inline]
    pub fn rules_mut(&mut self, direction: crate::trace::Direction) -> &mut SgRules {
        match direction {
            crate::trace::Direction::Ingress => &mut self.ingress,
            crate::trace::Direction::Egress => &mut self.egress,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    fn random_rule(rng: &mut impl Rng) -> SgRule {
        let protocol = match rng.random_range(0..5) {
            0 => RuleProtocol::All,
            1 | 2 => RuleProtocol::One(Protocol::Tcp),
            3 => RuleProtocol::One(Protocol::Udp),
            _ => RuleProtocol::One(Protocol::Icmp),
        };
        let from: u16 = if rng.random_bool(0.3) { rng.random_range(0..1024) } else { rng.random() };
        let to = if rng.random_bool(0.6) { from } else { from.saturating_add(rng.random_range(0..5000)) };
        let ports = if rng.random_bool(0.1) { PortRange::ALL } else { PortRange { from, to } };
        let peer = match rng.random_range(0..10) {
            0 => Peer::Group(SgId(rng.random_range(0..3))),
            1 => Peer::PrefixList(PrefixListId(1)),
            _ => Peer::Cidr(Cidr::new(Ipv4Addr::from(rng.random::<u32>()), rng.random_range(0..=32))),
        };
        SgRule { rule_id: String::new(), protocol, ports, peer, description: None }
    }

    #[test]
    fn s1_compiled_rules_pick_the_same_first_rule_as_a_scan() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        for n in [0, 3, 9, 30, 60, 63, 64, 70] {
            let list: Vec<SgRule> = (0..n).map(|_| random_rule(&mut rng)).collect();
            let rules = SgRules::from(list.clone());
            assert_eq!(rules.table.is_some(), n > SgRules::LINEAR_MAX && n <= 63);
            for _ in 0..3000 {
                let protocol = [Protocol::Tcp, Protocol::Udp, Protocol::Icmp][rng.random_range(0..3)];
                let port = match rng.random_range(0..3) {
                    0 => list.get(rng.random_range(0..n.max(1))).map_or(0, |r| r.ports.from),
                    1 => list.get(rng.random_range(0..n.max(1))).map_or(0, |r| r.ports.to),
                    _ => rng.random(),
                };
                let addr = Ipv4Addr::from(rng.random::<u32>() >> rng.random_range(0..4));
                let holds = |p: &Peer| {
                    matches!(p, Peer::Cidr(c) if c.contains(addr))
                        || *p == Peer::Group(SgId(1))
                        || *p == Peer::PrefixList(PrefixListId(1))
                };
                let scan = list.iter().position(|r| r.admits(protocol, port) && holds(&r.peer));
                let fast = rules
                    .first_match(protocol, port, addr, |p| {
                        *p == Peer::Group(SgId(1)) || *p == Peer::PrefixList(PrefixListId(1))
                    })
                    .map(|r| r as *const SgRule);
                assert_eq!(fast, scan.map(|i| &rules[i] as *const SgRule), "n={n} {protocol} {port}");
            }
        }
    }

    #[test]
    fn s1_compiled_rules_follow_changes() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(6);
        let mut rules = SgRules::new();
        rules.extend((0..20).map(|_| random_rule(&mut rng)));
        let any = SgRule {
            rule_id: String::new(),
            protocol: RuleProtocol::One(Protocol::Tcp),
            ports: PortRange::single(7),
            peer: Peer::Cidr(Cidr::ANY),
            description: None,
        };
        rules.retain(|r| !r.admits(Protocol::Tcp, 7));
        assert!(rules.first_match(Protocol::Tcp, 7, Ipv4Addr::LOCALHOST, |_| true).is_none());
        rules.push(any.clone());
        assert_eq!(rules.first_match(Protocol::Tcp, 7, Ipv4Addr::LOCALHOST, |_| true), Some(&any));
        rules.edit(|list| list.reverse());
        assert_eq!(rules.first_match(Protocol::Tcp, 7, Ipv4Addr::LOCALHOST, |_| true), Some(&any));
        assert_eq!(rules.as_slice()[0], any);
        rules.clear();
        assert!(rules.first_match(Protocol::Tcp, 7, Ipv4Addr::LOCALHOST, |_| true).is_none());
    }
}
