//! What the walks of a matrix read, kept per row (source class) and per column
//! (destination class), so that [`super::update`] walks again only the cells a change
//! can alter:
//!
//! - the security groups evaluated, by direction (every group of the interface: any may
//!   allow), each with the protocol and port evaluated and the probe whose walk did it (a
//!   rule meets only the cells, and of those only the probes, that evaluated a packet it
//!   admits);
//! - the NACLs evaluated, by direction, each with the protocol and port evaluated and the
//!   probe whose walk did it (an entry meets only the cells, and of those only the probes,
//!   that evaluated a packet it could decide). A return leg through a NAT gateway is
//!   evaluated at a port the gateway chose by the flow's hash (G1), one per flow: such a
//!   port is kept as the whole range a gateway chooses from ([`TRANSLATED`]), one read for
//!   them all;
//! - the route tables looked up, with the address looked up (a route for a block changes
//!   only the lookups of addresses inside it, R3).
//!
//! A group or NACL read is kept on one side: the row's when it is the source's own
//! interface leaving or (leaving, and on the way back in) its subnet's NACL, or when it is
//! in the source's VPC and the destination is in another, else the column's. (A packet
//! coming in at the source's own interface is rare, a flow to itself or one a load
//! balancer hairpins: kept by the row, such a read would make a rule of the source's
//! group touch the whole row, not the one column.) A
//! route read is kept on both sides. So a pair whose walks read something is found in
//! the rows that read it crossed with every column, every row crossed with the columns
//! that read it, or, for a route, the rows that read it crossed with the columns that did.

use crate::addr::{Cidr, PortRange, Protocol};
use crate::forward::Consulted;
use crate::ids::{EniId, NaclId, RouteTableId, SgId, VpcId};
use crate::trace::Direction;
use crate::world::World;

use super::cell::SOURCE_PORT;
use super::matrix::{probe_bit, ProbeMask, ALL_PROBES};

/// The kind of a read, in its two top bits.
const SG: u64 = 1;
const NACL: u64 = 2;
const ROUTE: u64 = 3;

/// Resource indexes up to this fit in a packed read; a larger one marks the reads incomplete.
const MAX_INDEX: usize = (1 << 30) - 1;

/// One read packed into a `u64`: kind (2 bits), resource index (30 bits), then the
/// direction, protocol, port and probe (groups: see [`sg_low`]; NACLs: see [`nacl_low`])
/// or the address looked up (routes). Sorting groups a table's addresses together, and a
/// group's or NACL's evaluations by direction, then protocol, then port.
fn pack(kind: u64, index: usize, low: u32) -> Option<u64> {
    (index <= MAX_INDEX).then(|| kind << 62 | (index as u64) << 32 | u64::from(low))
}

fn direction_bit(dir: Direction) -> u32 {
    match dir {
        Direction::Ingress => 0,
        Direction::Egress => 1,
    }
}

/// Probe indexes a group read names; a larger one is kept as this one, which stands for
/// every probe from it on (as [`super::matrix::probe_bit`] does).
const MAX_PROBE: u32 = 63;

/// The low half of a group read: direction (bit 24), protocol (bits 22-23), port (bits
/// 6-21), probe (bits 0-5).
fn sg_low(dir: Direction, protocol: Protocol, port: u16, probe: u32) -> u32 {
    direction_bit(dir) << 24 | protocol_code(protocol) << 22 | u32::from(port) << 6 | probe.min(MAX_PROBE)
}

fn protocol_code(p: Protocol) -> u32 {
    match p {
        Protocol::Tcp => 0,
        Protocol::Udp => 1,
        Protocol::Icmp => 2,
    }
}

/// The protocol, port and probe of a group read's low half.
fn sg_evaluated(low: u32) -> (Protocol, u16, usize) {
    let protocol = match (low >> 22) & 3 {
        0 => Protocol::Tcp,
        1 => Protocol::Udp,
        _ => Protocol::Icmp,
    };
    (protocol, (low >> 6) as u16, (low & MAX_PROBE) as usize)
}

/// The read of group `g` in `dir` by probe `probe`'s walk, for a packet of `protocol` to `port`.
pub(super) fn sg(g: SgId, dir: Direction, protocol: Protocol, port: u16, probe: u32) -> Option<u64> {
    pack(SG, g.index(), sg_low(dir, protocol, port, probe))
}

/// Every read of group `g` in `dir`, as the first and last packed reads.
fn sg_span(g: SgId, dir: Direction) -> Option<(u64, u64)> {
    let d = direction_bit(dir) << 24;
    Some((pack(SG, g.index(), d)?, pack(SG, g.index(), d | 0x00ff_ffff)?))
}

/// The ports a NAT gateway translates a flow's source port to (G1), which its return
/// legs are evaluated at: a read of one of them stands for them all.
pub const TRANSLATED: PortRange = PortRange { from: crate::model::nat_gateway::FIRST_PORT, to: u16::MAX };

/// The low half of a NACL read: direction (bit 25), whether the port stands for
/// [`TRANSLATED`] (bit 24), protocol (bits 22-23), port (bits 6-21), probe (bits 0-5).
fn nacl_low(dir: Direction, protocol: Protocol, port: u16, translated: bool, probe: u32) -> u32 {
    let port = if translated { TRANSLATED.from } else { port };
    direction_bit(dir) << 25
        | u32::from(translated) << 24
        | protocol_code(protocol) << 22
        | u32::from(port) << 6
        | probe.min(MAX_PROBE)
}

/// The protocol, ports and probe of a NACL read's low half.
fn nacl_evaluated(low: u32) -> (Protocol, PortRange, usize) {
    let (protocol, port, probe) = sg_evaluated(low & 0x00ff_ffff);
    let ports = if low & 1 << 24 != 0 { TRANSLATED } else { PortRange::single(port) };
    (protocol, ports, probe)
}

/// Whether a port evaluated on a walk's way back was chosen by a NAT gateway's flow hash:
/// not the port the matrix's flows leave from, and among those a gateway chooses (G1).
/// Any such port is kept as [`TRANSLATED`], which holds it, so nothing is lost.
fn translated(returning: bool, protocol: Protocol, port: u16) -> bool {
    returning && protocol != Protocol::Icmp && port != SOURCE_PORT && TRANSLATED.contains(port)
}

/// The read of NACL `acl` in `dir` by probe `probe`'s walk, for a packet of `protocol` to
/// `port` (any of [`TRANSLATED`] when `translated`).
pub(super) fn nacl(
    acl: NaclId,
    dir: Direction,
    protocol: Protocol,
    port: u16,
    translated: bool,
    probe: u32,
) -> Option<u64> {
    pack(NACL, acl.index(), nacl_low(dir, protocol, port, translated, probe))
}

/// Every read of NACL `acl` in `dir`, as the first and last packed reads.
fn nacl_span(acl: NaclId, dir: Direction) -> Option<(u64, u64)> {
    let d = direction_bit(dir) << 25;
    Some((pack(NACL, acl.index(), d)?, pack(NACL, acl.index(), d | 0x01ff_ffff)?))
}

/// The lookups of table `t` for the addresses of `block`, as the first and last packed reads.
fn route_span(t: RouteTableId, block: Cidr) -> Option<(u64, u64)> {
    Some((pack(ROUTE, t.index(), block.base())?, pack(ROUTE, t.index(), u32::from(block.last()))?))
}

/// The reads of the walks of one row, being evaluated: what the row keeps, and, for the
/// pair being walked, what its column keeps. Reused from pair to pair.
#[derive(Debug, Default)]
pub(super) struct Reads {
    /// The walking source's interface and its subnet's NACL.
    pub source_eni: Option<EniId>,
    pub source_acl: Option<NaclId>,
    /// The source's VPC when it differs from the destination's (none for the internet):
    /// groups and NACLs read there are kept by the row.
    pub away_from: Option<VpcId>,
    /// Whether the current walk is on its way back.
    pub returning: bool,
    /// The index of the probe being walked.
    pub probe: u32,
    /// Group and NACL reads of the row (no repeats).
    pub row_rules: Vec<u64>,
    /// Route reads of the row (repeats until [`Reads::finish_row`]).
    pub row_routes: Vec<u64>,
    /// Group and NACL reads of the current pair kept by its column (no repeats).
    pub pair_rules: Vec<u64>,
    /// Route reads of the current pair (no repeats), kept by both sides.
    pub pair_routes: Vec<u64>,
    /// Whether some read could not be packed.
    pub overflow: bool,
}

fn add_once(to: &mut Vec<u64>, x: u64) {
    if !to.contains(&x) {
        to.push(x);
    }
}

impl Reads {
    /// Notes one read of a walk.
    pub fn note(&mut self, w: &World, what: Consulted) {
        match what {
            Consulted::Sgs { eni, dir, h } => {
                let own = (self.source_eni == Some(eni) && dir == Direction::Egress)
                    || self.away_from == Some(w[eni].vpc);
                for &g in &w[eni].groups {
                    self.rule(sg(g, dir, h.protocol, h.dst_port, self.probe), own);
                }
            }
            Consulted::Nacl { acl, dir, h } => {
                let own = (self.source_acl == Some(acl) && (dir == Direction::Egress) != self.returning)
                    || self.away_from == Some(w[acl].vpc);
                let translated = translated(self.returning, h.protocol, h.dst_port);
                self.rule(nacl(acl, dir, h.protocol, h.dst_port, translated, self.probe), own);
            }
            Consulted::Route { table, dst } => match pack(ROUTE, table.index(), u32::from(dst)) {
                Some(x) => add_once(&mut self.pair_routes, x),
                None => self.overflow = true,
            },
        }
    }

    fn rule(&mut self, x: Option<u64>, own: bool) {
        match (x, own) {
            (Some(x), true) => add_once(&mut self.row_rules, x),
            (Some(x), false) => add_once(&mut self.pair_rules, x),
            (None, _) => self.overflow = true,
        }
    }

    /// The current pair is done: its routes join the row's.
    pub fn finish_pair(&mut self) {
        self.row_routes.extend_from_slice(&self.pair_routes);
    }

    /// The row is done: its routes sorted, without repeats.
    pub fn finish_row(&mut self) {
        self.row_routes.sort_unstable();
        self.row_routes.dedup();
    }
}

/// What the walks of one row or column read, kept by the matrix.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Kept {
    /// Group and NACL reads, sorted, no repeats.
    rules: Vec<u64>,
    /// Route reads, sorted without repeats once settled.
    routes: Vec<u64>,
    /// Whether `routes` may hold repeats or be out of order.
    unsettled: bool,
}

impl Kept {
    /// Adds group and NACL reads.
    pub(super) fn add_rules(&mut self, rules: &[u64]) {
        for &x in rules {
            if let Err(at) = self.rules.binary_search(&x) {
                self.rules.insert(at, x);
            }
        }
    }

    /// Adds route reads (sorted again by [`Kept::settle`]). When the reads are settled and
    /// few are added (a cell walked again), only those not kept yet are added.
    pub(super) fn add_routes(&mut self, routes: &[u64]) {
        if routes.is_empty() {
            return;
        }
        if self.unsettled || routes.len() * 8 > self.routes.len() {
            self.routes.extend_from_slice(routes);
            self.unsettled = true;
            return;
        }
        let kept = self.routes.len();
        for &x in routes {
            if self.routes[..kept].binary_search(&x).is_err() {
                self.routes.push(x);
                self.unsettled = true;
            }
        }
    }

    /// Sorts the route reads and drops repeats.
    pub(super) fn settle(&mut self) {
        if self.unsettled {
            self.routes.sort_unstable();
            self.routes.dedup();
            self.unsettled = false;
        }
    }

    /// Both sets together (settled).
    pub(super) fn union(&self, other: &Kept) -> Kept {
        let mut out = self.clone();
        out.add_rules(&other.rules);
        out.add_routes(&other.routes);
        out.settle();
        out
    }

    /// Keeps in `reads` only the group and NACL reads not kept yet.
    pub(super) fn retain_new_rules(&self, reads: &mut Vec<u64>) {
        retain_missing(&self.rules, reads);
    }

    /// Keeps in `reads` only the route reads not kept yet (all of them before
    /// [`Kept::settle`]: the caller then adds them again, which changes nothing).
    pub(super) fn retain_new_routes(&self, reads: &mut Vec<u64>) {
        if !self.unsettled {
            retain_missing(&self.routes, reads);
        }
    }

    /// The probes whose walks evaluated group `g` in `dir` for a protocol and port
    /// `meets` holds for (every probe when the reads could not be packed).
    pub(super) fn sg_probes(
        &self,
        g: SgId,
        dir: Direction,
        meets: impl Fn(Protocol, u16) -> bool,
    ) -> ProbeMask {
        let Some((first, last)) = sg_span(g, dir) else { return ALL_PROBES };
        let at = self.rules.partition_point(|&x| x < first);
        self.rules[at..]
            .iter()
            .take_while(|&&x| x <= last)
            .map(|&x| sg_evaluated(x as u32))
            .filter(|&(protocol, port, _)| meets(protocol, port))
            .fold(0, |mask, (_, _, probe)| mask | probe_bit(probe))
    }

    /// The probes whose walks evaluated NACL `acl` in `dir` for a protocol and ports
    /// `meets` holds for (every probe when the reads could not be packed).
    pub(super) fn nacl_probes(
        &self,
        acl: NaclId,
        dir: Direction,
        meets: impl Fn(Protocol, PortRange) -> bool,
    ) -> ProbeMask {
        let Some((first, last)) = nacl_span(acl, dir) else { return ALL_PROBES };
        let at = self.rules.partition_point(|&x| x < first);
        self.rules[at..]
            .iter()
            .take_while(|&&x| x <= last)
            .map(|&x| nacl_evaluated(x as u32))
            .filter(|&(protocol, ports, _)| meets(protocol, ports))
            .fold(0, |mask, (_, _, probe)| mask | probe_bit(probe))
    }

    /// Whether the walks looked up an address of `block` in table `t` (settled).
    pub(super) fn looked_up(&self, t: RouteTableId, block: Cidr) -> bool {
        let Some((first, last)) = route_span(t, block) else { return true };
        let at = self.routes.partition_point(|&x| x < first);
        self.routes.get(at).is_some_and(|&x| x <= last)
    }

    /// The bytes its lists hold on the heap.
    pub fn heap_bytes(&self) -> usize {
        (self.rules.capacity() + self.routes.capacity()) * std::mem::size_of::<u64>()
    }
}

/// Keeps in `asked` only the values `kept` (sorted) lacks. The values are searched for
/// together, a few at a time, one halving step for all of them before the next: the steps
/// read entries far apart among a row's or column's many reads, which mostly miss the
/// cache, and reads that do not wait on one another wait for memory together.
fn retain_missing(kept: &[u64], asked: &mut Vec<u64>) {
    const BATCH: usize = 16;
    if kept.is_empty() {
        return;
    }
    let mut out = 0;
    for start in (0..asked.len()).step_by(BATCH) {
        let count = BATCH.min(asked.len() - start);
        let mut xs = [0u64; BATCH];
        xs[..count].copy_from_slice(&asked[start..start + count]);
        let mut base = [0usize; BATCH];
        let mut len = kept.len();
        while len > 1 {
            let half = len / 2;
            for (b, &x) in base.iter_mut().zip(&xs[..count]) {
                *b += usize::from(kept[*b + half] < x) * half;
            }
            len -= half;
        }
        for (&b, &x) in base.iter().zip(&xs[..count]) {
            let at = b + usize::from(kept[b] < x);
            if kept.get(at) != Some(&x) {
                asked[out] = x;
                out += 1;
            }
        }
    }
    asked.truncate(out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reads_not_kept_yet_are_those_a_plain_scan_finds_missing() {
        let kept: Vec<u64> = (0..500u64).map(|n| n * 3 + (n % 7)).collect();
        let mut sorted_kept = kept.clone();
        sorted_kept.sort_unstable();
        sorted_kept.dedup();
        for stride in [1u64, 2, 5, 17, 101, 997] {
            for start in [0u64, 1, 700, 1_499, 1_600] {
                let asked: Vec<u64> = (0..40).map(|n| start + n * stride).collect();
                let mut fast = asked.clone();
                retain_missing(&sorted_kept, &mut fast);
                let plain: Vec<u64> = asked.into_iter().filter(|x| !sorted_kept.contains(x)).collect();
                assert_eq!(fast, plain, "stride {stride} from {start}");
            }
        }
        for kept in [&[2u64][..], &[1, 2], &[1, 2, 3], &[5, 9, 12, 40]] {
            let asked: Vec<u64> = (0..45).rev().collect();
            let mut fast = asked.clone();
            retain_missing(kept, &mut fast);
            let plain: Vec<u64> = asked.into_iter().filter(|x| !kept.contains(x)).collect();
            assert_eq!(fast, plain, "{kept:?}, asked in falling order");
        }
        let mut none = vec![4, 9];
        retain_missing(&[], &mut none);
        assert_eq!(none, vec![4, 9]);
    }

    #[test]
    fn a_route_read_is_found_by_any_block_holding_its_address_and_no_other() {
        let t = RouteTableId(3);
        let mut k = Kept::default();
        k.add_routes(&[pack(ROUTE, 3, 0x0a01_0205).unwrap(), pack(ROUTE, 4, 0x0a02_0000).unwrap()]);
        k.settle();
        assert!(k.looked_up(t, "10.1.0.0/16".parse().unwrap()));
        assert!(k.looked_up(t, "10.1.2.5/32".parse().unwrap()));
        assert!(k.looked_up(t, Cidr::ANY));
        assert!(!k.looked_up(t, "10.2.0.0/16".parse().unwrap()));
        assert!(!k.looked_up(RouteTableId(2), Cidr::ANY));
    }

    #[test]
    fn nacl_reads_are_told_apart_by_direction_and_from_group_reads() {
        let mut k = Kept::default();
        let tcp = Protocol::Tcp;
        k.add_rules(&[
            sg(SgId(1), Direction::Ingress, tcp, 22, 0).unwrap(),
            nacl(NaclId(1), Direction::Egress, tcp, 22, false, 2).unwrap(),
        ]);
        let any = |_, _| true;
        assert_eq!(k.nacl_probes(NaclId(1), Direction::Egress, any), 1 << 2);
        assert_eq!(k.nacl_probes(NaclId(1), Direction::Ingress, any), 0);
        assert_eq!(k.nacl_probes(NaclId(2), Direction::Egress, any), 0);
        assert_eq!(k.sg_probes(SgId(1), Direction::Egress, |_, _| true), 0);
        assert_eq!(k.sg_probes(SgId(1), Direction::Ingress, |_, _| true), 1 << 0);
    }

    #[test]
    fn a_nacl_read_names_the_probes_that_evaluated_ports_an_entry_meets_and_no_other() {
        let mut k = Kept::default();
        let (tcp, udp) = (Protocol::Tcp, Protocol::Udp);
        k.add_rules(&[
            nacl(NaclId(1), Direction::Ingress, tcp, 22, false, 0).unwrap(),
            nacl(NaclId(1), Direction::Ingress, tcp, SOURCE_PORT, false, 1).unwrap(),
            nacl(NaclId(1), Direction::Ingress, tcp, 40_000, true, 3).unwrap(),
            nacl(NaclId(1), Direction::Ingress, udp, 22, false, 4).unwrap(),
            nacl(NaclId(1), Direction::Egress, tcp, 22, false, 5).unwrap(),
        ]);
        let meets = |range: PortRange| {
            move |p: Protocol, ports: PortRange| p == tcp && ports.from <= range.to && range.from <= ports.to
        };
        let ingress = |range| k.nacl_probes(NaclId(1), Direction::Ingress, meets(range));
        assert_eq!(ingress(PortRange::single(22)), 1 << 0);
        assert_eq!(ingress(PortRange::single(SOURCE_PORT)), 1 << 1 | 1 << 3);
        assert_eq!(ingress(PortRange { from: 1024, to: 2000 }), 1 << 3, "a translated port may be any");
        assert_eq!(ingress(PortRange { from: 23, to: 1023 }), 0);
        assert_eq!(ingress(PortRange::ALL), 1 << 0 | 1 << 1 | 1 << 3);
    }

    #[test]
    fn only_a_port_a_nat_gateway_chose_on_the_way_back_is_kept_as_the_range_g1() {
        let tcp = Protocol::Tcp;
        assert!(translated(true, tcp, 40_000));
        assert!(translated(true, Protocol::Udp, 1024));
        assert!(!translated(true, tcp, SOURCE_PORT), "the matrix's own source port");
        assert!(!translated(false, tcp, 40_000), "a request's destination port");
        assert!(!translated(true, tcp, 1023), "below what a gateway chooses");
        assert!(!translated(true, Protocol::Icmp, 40_000));
        let low = nacl(NaclId(1), Direction::Egress, tcp, 40_000, true, 70).unwrap() as u32;
        assert_eq!(nacl_evaluated(low), (tcp, TRANSLATED, 63));
        let low = nacl(NaclId(1), Direction::Egress, tcp, 443, false, 1).unwrap() as u32;
        assert_eq!(nacl_evaluated(low), (tcp, PortRange::single(443), 1));
    }

    #[test]
    fn a_group_read_names_the_probes_that_evaluated_a_port_a_rule_admits_and_no_other() {
        let mut k = Kept::default();
        let (tcp, udp) = (Protocol::Tcp, Protocol::Udp);
        k.add_rules(&[
            sg(SgId(1), Direction::Ingress, tcp, 8080, 3).unwrap(),
            sg(SgId(1), Direction::Ingress, tcp, 8080, 5).unwrap(),
            sg(SgId(1), Direction::Ingress, tcp, 22, 0).unwrap(),
            sg(SgId(1), Direction::Ingress, udp, 8080, 7).unwrap(),
            sg(SgId(1), Direction::Egress, tcp, 8080, 1).unwrap(),
            sg(SgId(2), Direction::Ingress, tcp, 8080, 2).unwrap(),
            nacl(NaclId(1), Direction::Ingress, tcp, 8080, false, 3).unwrap(),
        ]);
        let only_8080 = |p: Protocol, port: u16| p == tcp && port == 8080;
        assert_eq!(k.sg_probes(SgId(1), Direction::Ingress, only_8080), 1 << 3 | 1 << 5);
        assert_eq!(k.sg_probes(SgId(1), Direction::Ingress, |_, _| true), 1 << 0 | 1 << 3 | 1 << 5 | 1 << 7);
        assert_eq!(k.sg_probes(SgId(1), Direction::Egress, only_8080), 1 << 1);
        assert_eq!(k.sg_probes(SgId(2), Direction::Ingress, only_8080), 1 << 2);
        assert_eq!(k.sg_probes(SgId(3), Direction::Ingress, |_, _| true), 0);
        let high = sg(SgId(1), Direction::Ingress, Protocol::Icmp, 65535, 70).unwrap();
        assert_eq!(sg_evaluated(high as u32), (Protocol::Icmp, 65535, 63));
    }
}
