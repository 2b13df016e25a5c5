//! Network interfaces with the address indexes the packet walk needs: (VPC, private
//! address) to interface, for the primary and every secondary address (M5, M6), and
//! public address to interface and the private address it maps to (I1: the
//! auto-assigned address, or an Elastic IP on the primary or a secondary address). The indexes change only inside the
//! methods that change what they index, so they cannot go stale; everything else an
//! op may change on an interface has its own setter here.
//!
//! More indexes belong next to the data they index in the same way (gateway by VPC,
//! subnet by address, DNS name to answer): a type like this one that owns the arena.

use std::net::Ipv4Addr;
use std::ops::Index;

use super::arena::Arena;
use super::undo::UndoMap;
use super::{Handle, IdIndex};
use crate::ids::{EipId, EniId, SgId, VpcId};
use crate::model::eip::ElasticIp;
use crate::model::eni::{Attachment, EniOwner, NetworkInterface, SecondaryIp};
use crate::model::Tags;

/// Every interface ever created, with its address indexes.
#[derive(Clone, Debug, Default)]
pub struct Interfaces {
    arena: Arena<EniId, NetworkInterface>,
    by_private_ip: UndoMap<(u32, u32), EniId>,
    by_public_ip: UndoMap<u32, (EniId, Ipv4Addr)>,
}

impl Interfaces {
    /// The interfaces, by handle (deleted ones included).
    #[inline]
    pub fn arena(&self) -> &Arena<EniId, NetworkInterface> {
        &self.arena
    }

    /// The live interface holding `ip` in `vpc`.
    #[inline]
    pub fn by_private_ip(&self, vpc: VpcId, ip: Ipv4Addr) -> Option<EniId> {
        self.by_private_ip.get(&(vpc.0, u32::from(ip))).copied()
    }

    /// The live interface a public address maps to (I1).
    #[inline]
    pub fn by_public_ip(&self, ip: Ipv4Addr) -> Option<EniId> {
        self.by_public_ip.get(&u32::from(ip)).map(|m| m.0)
    }

    /// I1, M6: the live interface a public address maps to, and which of its private
    /// addresses the gateway translates it to.
    #[inline]
    pub fn public_target(&self, ip: Ipv4Addr) -> Option<(EniId, Ipv4Addr)> {
        self.by_public_ip.get(&u32::from(ip)).copied()
    }

    /// Starts (or starts again) noting what changes ([`crate::world::World::watch`]).
    pub(super) fn watch(&mut self) {
        self.arena.watch();
    }

    /// Starts a transaction ([`crate::world::World::transaction`]).
    pub(super) fn begin(&mut self) {
        self.arena.begin();
        self.by_private_ip.begin();
        self.by_public_ip.begin();
    }

    /// Keeps the transaction's changes.
    pub(super) fn commit(&mut self) {
        self.arena.commit();
        self.by_private_ip.commit();
        self.by_public_ip.commit();
    }

    /// Undoes the transaction's changes.
    pub(super) fn rollback(&mut self) {
        self.arena.rollback();
        self.by_private_ip.rollback();
        self.by_public_ip.rollback();
    }

    /// Adds an interface and indexes its private addresses (and public one, if any).
    pub(super) fn insert(&mut self, index: &mut IdIndex, eni: NetworkInterface) -> EniId {
        let vpc = eni.vpc.0;
        let keys: Vec<u32> = eni.private_ips().map(u32::from).collect();
        let public = eni.public_ip.map(|p| (p, eni.private_ip));
        let id = self.arena.insert(index, Handle::Eni, eni);
        for key in keys {
            self.by_private_ip.insert((vpc, key), id);
        }
        if let Some((p, private)) = public {
            self.by_public_ip.insert(u32::from(p), (id, private));
        }
        id
    }

    /// M6: gives an interface more secondary private addresses (checked free by the caller).
    pub(super) fn assign_private_ips(&mut self, id: EniId, ips: &[Ipv4Addr]) {
        let e = &mut self.arena[id];
        for &ip in ips {
            e.secondary_ips.push(SecondaryIp { ip, eip: None });
            self.by_private_ip.insert((e.vpc.0, u32::from(ip)), id);
        }
    }

    /// M6: takes secondary private addresses off an interface; an Elastic IP on one of
    /// them is disassociated.
    pub(super) fn unassign_private_ips(
        &mut self,
        id: EniId,
        ips: &[Ipv4Addr],
        eips: &mut Arena<EipId, ElasticIp>,
    ) {
        for &ip in ips {
            let e = &self.arena[id];
            let Some(s) = e.secondary(ip).copied() else { continue };
            if let Some(eip) = s.eip {
                self.disassociate(eip, eips);
            }
            let e = &mut self.arena[id];
            e.secondary_ips.retain(|x| x.ip != ip);
            self.by_private_ip.remove(&(e.vpc.0, u32::from(ip)));
        }
    }

    /// Gives an interface an auto-assigned public address (A6, I1).
    pub(super) fn assign_public_ip(&mut self, id: EniId, ip: Ipv4Addr) {
        let e = &mut self.arena[id];
        e.auto_public_ip = true;
        if let Some(old) = e.public_ip.replace(ip) {
            self.by_public_ip.remove(&u32::from(old));
        }
        self.by_public_ip.insert(u32::from(ip), (id, e.private_ip));
    }

    /// I1: the Elastic IP maps to `private`, the interface's primary address (where it
    /// replaces the auto-assigned address) or one of its secondary ones (M6).
    pub(super) fn associate(
        &mut self,
        id: EniId,
        private: Ipv4Addr,
        eip: EipId,
        eips: &mut Arena<EipId, ElasticIp>,
        assoc: String,
    ) {
        let e = &mut self.arena[id];
        if e.private_ip == private {
            if let Some(old) = e.public_ip.take() {
                self.by_public_ip.remove(&u32::from(old));
            }
            e.eip = Some(eip);
        } else if let Some(s) = e.secondary_ips.iter_mut().find(|s| s.ip == private) {
            s.eip = Some(eip);
        }
        let a = &mut eips[eip];
        a.eni = Some(id);
        a.private_ip = Some(private);
        a.association_id = Some(assoc);
        self.by_public_ip.insert(u32::from(a.public_ip), (id, private));
    }

    /// The Elastic IP leaves the interface (and address) it was associated with, if any.
    pub(super) fn disassociate(&mut self, eip: EipId, eips: &mut Arena<EipId, ElasticIp>) {
        let a = &mut eips[eip];
        if let Some(id) = a.eni.take() {
            a.association_id = None;
            let private = a.private_ip.take();
            self.by_public_ip.remove(&u32::from(a.public_ip));
            let e = &mut self.arena[id];
            if e.eip == Some(eip) {
                e.eip = None;
            }
            if let Some(s) = e.secondary_ips.iter_mut().find(|s| Some(s.ip) == private) {
                s.eip = None;
            }
        }
    }

    /// Deletes an interface: its addresses leave the indexes and its Elastic IPs are freed.
    pub(super) fn remove(&mut self, id: EniId, eips: &mut Arena<EipId, ElasticIp>) {
        let e = &mut self.arena[id];
        e.deleted = true;
        let vpc = e.vpc.0;
        for ip in e.private_ips().collect::<Vec<_>>() {
            self.by_private_ip.remove(&(vpc, u32::from(ip)));
        }
        if let Some(p) = e.public_ip {
            self.by_public_ip.remove(&u32::from(p));
        }
        let e = &self.arena[id];
        let associated: Vec<EipId> =
            e.eip.into_iter().chain(e.secondary_ips.iter().filter_map(|s| s.eip)).collect();
        for eip in associated {
            self.disassociate(eip, eips);
        }
    }

    /// ModifyNetworkInterfaceAttribute --groups.
    pub(super) fn set_groups(&mut self, id: EniId, groups: Vec<SgId>) {
        self.arena[id].groups = groups;
    }

    /// ModifyNetworkInterfaceAttribute --source-dest-check.
    pub(super) fn set_source_dest_check(&mut self, id: EniId, on: bool) {
        self.arena[id].source_dest_check = on;
    }

    /// M4: attaches the interface to an instance (`owner`), or detaches it
    /// ([`EniOwner::Detached`], no attachment).
    pub(super) fn set_attachment(&mut self, id: EniId, owner: EniOwner, attachment: Option<Attachment>) {
        let e = &mut self.arena[id];
        e.owner = owner;
        e.attachment = attachment;
    }

    /// The interface's tags, to change.
    pub(super) fn tags_mut(&mut self, id: EniId) -> &mut Tags {
        &mut self.arena[id].tags
    }
}

impl Index<EniId> for Interfaces {
    type Output = NetworkInterface;

    #[inline]
    fn index(&self, id: EniId) -> &NetworkInterface {
        &self.arena[id]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::{Lab, LabOptions};

    /// Every live interface's addresses find it, and no index entry names a deleted one.
    fn indexes_agree_with_a_scan(w: &crate::world::World) {
        let enis = &w.enis;
        for (id, e) in enis.arena().iter() {
            let private = enis.by_private_ip(e.vpc, e.private_ip);
            let public = w.public_ip_of(id).and_then(|p| enis.by_public_ip(p));
            if e.deleted {
                assert_ne!(private, Some(id));
            } else {
                assert_eq!(private, Some(id), "{}", e.aws_id);
                assert_eq!(public, w.public_ip_of(id).map(|_| id), "{}", e.aws_id);
            }
        }
        for (id, e) in enis.arena().iter().filter(|(_, e)| !e.deleted) {
            for s in &e.secondary_ips {
                assert_eq!(enis.by_private_ip(e.vpc, s.ip), Some(id), "M6: {} {}", e.aws_id, s.ip);
                if let Some(eip) = s.eip {
                    assert_eq!(enis.public_target(w[eip].public_ip), Some((id, s.ip)), "M6: {}", s.ip);
                }
            }
        }
        assert!(enis.by_private_ip.values().all(|&id| !enis[id].deleted));
        assert!(enis.by_public_ip.values().all(|&(id, ip)| !enis[id].deleted && enis[id].holds(ip)));
    }

    #[test]
    fn i1_address_indexes_follow_association_and_deletion() {
        let mut lab = Lab::build(LabOptions::default()).unwrap();
        let w = &mut lab.world;
        indexes_agree_with_a_scan(w);
        let eni = w[lab.my_ec2].eni;
        let auto = w[eni].public_ip.unwrap();
        let eip = w.allocate_address(Tags::new());
        w.associate_address(eip, eni).unwrap();
        assert_eq!(w.eni_by_public_ip(auto), None, "I1: the Elastic IP replaces the auto-assigned address");
        assert_eq!(w.eni_by_public_ip(w[eip].public_ip), Some(eni));
        indexes_agree_with_a_scan(w);
        w.terminate_instance(lab.my_ec2);
        assert_eq!(w.eni_by_public_ip(w[eip].public_ip), None);
        assert_eq!(w[eip].eni, None, "the Elastic IP is free again");
        indexes_agree_with_a_scan(w);
    }

    #[test]
    fn m6_secondary_addresses_and_their_elastic_ips_are_indexed_until_unassigned_or_deleted() {
        use crate::ops::private_ip::AssignPrivateIps;
        let mut lab = Lab::build(LabOptions::default()).unwrap();
        let w = &mut lab.world;
        let eni = w[lab.my_ec2].eni;
        let got =
            w.assign_private_ip_addresses(eni, AssignPrivateIps { count: 1, ..Default::default() }).unwrap();
        let eip = w.allocate_address(Tags::new());
        w.associate_address_with(eip, eni, Some(got[0])).unwrap();
        assert!(w[eni].public_ip.is_some(), "an Elastic IP on a secondary address leaves the automatic one");
        assert_eq!(w.public_target(w[eip].public_ip), Some((eni, got[0])));
        indexes_agree_with_a_scan(w);
        w.unassign_private_ip_addresses(eni, &got).unwrap();
        assert_eq!(w.eni_by_private_ip(w[eni].vpc, got[0]), None);
        assert_eq!(w[eip].eni, None);
        indexes_agree_with_a_scan(w);
        let got =
            w.assign_private_ip_addresses(eni, AssignPrivateIps { count: 1, ..Default::default() }).unwrap();
        w.associate_address_with(eip, eni, Some(got[0])).unwrap();
        w.terminate_instance(lab.my_ec2);
        assert_eq!(w.eni_by_private_ip(w[eni].vpc, got[0]), None);
        assert_eq!(w[eip].eni, None, "the Elastic IP is free again");
        indexes_agree_with_a_scan(w);
    }
}
