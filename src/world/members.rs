//! What each VPC holds: its subnets, security groups and the gateways ever attached to
//! it, in creation order, so that CreateSubnet's overlap check, CreateSecurityGroup's
//! name check and the one-gateway-per-VPC checks look at the VPC's own resources rather
//! than the whole region's; and the Elastic IPs by address. These indexes only grow (a
//! deleted resource stays listed, as it stays in its arena; readers check it still holds).

use rustc_hash::FxHashMap;

use crate::ids::*;
use crate::model::security_group::SecurityGroup;
use crate::model::subnet::Subnet;

use super::World;

/// A VPC's subnets, security groups and gateways ever attached (deleted ones included).
#[derive(Clone, Debug, Default)]
struct Members {
    subnets: Vec<SubnetId>,
    groups: Vec<SgId>,
    gateways: Vec<IgwId>,
}

/// Every VPC's [`Members`], by VPC handle. The lists only grow, so a transaction's undo
/// is the number of VPCs listed and each touched VPC's list lengths when it began.
#[derive(Clone, Debug, Default)]
pub(crate) struct MemberLists {
    lists: Vec<Members>,
    undo: Option<(usize, FxHashMap<usize, [usize; 3]>)>,
}

impl MemberLists {
    fn get(&self, vpc: VpcId) -> Option<&Members> {
        self.lists.get(vpc.0 as usize)
    }

    fn get_mut(&mut self, vpc: VpcId) -> &mut Members {
        let i = vpc.0 as usize;
        if self.lists.len() <= i {
            self.lists.resize_with(i + 1, Members::default);
        }
        let m = &mut self.lists[i];
        if let Some((len, touched)) = &mut self.undo {
            if i < *len {
                touched.entry(i).or_insert([m.subnets.len(), m.groups.len(), m.gateways.len()]);
            }
        }
        m
    }

    pub(super) fn begin(&mut self) {
        self.undo = Some((self.lists.len(), FxHashMap::default()));
    }

    pub(super) fn commit(&mut self) {
        self.undo = None;
    }

    pub(super) fn rollback(&mut self) {
        let Some((len, touched)) = self.undo.take() else { return };
        self.lists.truncate(len);
        for (i, [subnets, groups, gateways]) in touched {
            let m = &mut self.lists[i];
            m.subnets.truncate(subnets);
            m.groups.truncate(groups);
            m.gateways.truncate(gateways);
        }
    }
}

impl World {
    fn members_mut(&mut self, vpc: VpcId) -> &mut Members {
        self.members.get_mut(vpc)
    }

    /// Lists a new subnet under its VPC.
    pub(crate) fn add_subnet_member(&mut self, vpc: VpcId, subnet: SubnetId) {
        self.members_mut(vpc).subnets.push(subnet);
    }

    /// Lists a new security group under its VPC.
    pub(crate) fn add_group_member(&mut self, vpc: VpcId, group: SgId) {
        self.members_mut(vpc).groups.push(group);
    }

    /// Notes that a gateway was attached to `vpc`.
    pub(crate) fn add_gateway_member(&mut self, vpc: VpcId, igw: IgwId) {
        let gateways = &mut self.members_mut(vpc).gateways;
        if !gateways.contains(&igw) {
            gateways.push(igw);
        }
    }

    /// The internet gateway attached to `vpc`, if any.
    pub(crate) fn gateway_of(&self, vpc: VpcId) -> Option<IgwId> {
        let ids = self.members.get(vpc).map_or(&[][..], |m| &m.gateways[..]);
        ids.iter().copied().find(|g| self.igws[*g].attached == Some(vpc))
    }

    /// The subnets of `vpc` that still exist, in creation order.
    pub(crate) fn subnets_in(&self, vpc: VpcId) -> impl Iterator<Item = &Subnet> + '_ {
        let ids = self.members.get(vpc).map_or(&[][..], |m| &m.subnets[..]);
        ids.iter().map(|s| &self.subnets[*s]).filter(|s| !s.deleted)
    }

    /// The security groups of `vpc` that still exist, in creation order.
    pub(crate) fn groups_in(&self, vpc: VpcId) -> impl Iterator<Item = &SecurityGroup> + '_ {
        let ids = self.members.get(vpc).map_or(&[][..], |m| &m.groups[..]);
        ids.iter().map(|g| &self.sgs[*g]).filter(|g| !g.deleted)
    }

    /// Whether an Elastic IP (released ones included) has this address.
    pub(crate) fn is_elastic_ip(&self, ip: std::net::Ipv4Addr) -> bool {
        self.eip_addresses.contains_key(&u32::from(ip))
    }

    /// The Elastic IP with this address.
    pub(crate) fn eip_by_address(&self, ip: std::net::Ipv4Addr) -> Option<EipId> {
        self.eip_addresses.get(&u32::from(ip)).copied()
    }

    /// Lists a new Elastic IP's address.
    pub(crate) fn add_elastic_ip(&mut self, ip: std::net::Ipv4Addr, eip: EipId) {
        self.eip_addresses.insert(u32::from(ip), eip);
    }
}
