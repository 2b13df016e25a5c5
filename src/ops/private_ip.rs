//! Secondary private IPv4 addresses of network interfaces (M6): given when the interface
//! is created (`PrivateIpAddresses`, `SecondaryPrivateIpAddressCount`) or later
//! (AssignPrivateIpAddresses), taken back (UnassignPrivateIpAddresses). Each address lies
//! in the interface's subnet, is not one of its five reserved ones (A2) and is held by one
//! interface of the VPC only (A4); an interface holds at most its instance type's number
//! of addresses ([`max_private_ips`]).

use std::net::Ipv4Addr;

use super::ApiResult;
use crate::error::ApiError;
use crate::ids::*;
use crate::model::eni::EniOwner;
use crate::model::instance::{max_private_ips, MAX_PRIVATE_IPS_DETACHED};
use crate::world::World;

/// What AssignPrivateIpAddresses asks for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AssignPrivateIps {
    /// `--private-ip-addresses`: these addresses.
    pub ips: Vec<Ipv4Addr>,
    /// `--secondary-private-ip-address-count`: this many addresses the subnet picks.
    pub count: usize,
    /// `--allow-reassignment`: an address another interface holds as a secondary one moves here.
    pub allow_reassignment: bool,
}

impl World {
    /// M6: how many private addresses `eni` may hold: its instance type's limit when it is
    /// attached to an instance, else [`MAX_PRIVATE_IPS_DETACHED`].
    pub fn private_ip_limit(&self, eni: EniId) -> usize {
        match self.enis[eni].owner {
            EniOwner::Instance(i) => max_private_ips(&self.instances[i].instance_type),
            _ => MAX_PRIVATE_IPS_DETACHED,
        }
    }

    /// M6: the interface of `instance` holding `ip` (AssociateAddress `--instance-id` with
    /// `--private-ip-address`).
    pub fn interface_holding(&self, op: &str, instance: InstanceId, ip: Ipv4Addr) -> ApiResult<EniId> {
        let inst = &self.instances[instance];
        inst.enis().find(|e| self.enis[*e].holds(ip)).ok_or_else(|| {
            ApiError::new(
                op,
                "InvalidParameterValue",
                format!(
                    "The private IP address {ip} is not assigned to an interface of instance {}.",
                    inst.aws_id
                ),
            )
        })
    }

    /// M6: AWS's error when an interface would hold more than `limit` addresses.
    pub(crate) fn check_private_ip_limit(&self, op: &str, total: usize, limit: usize) -> ApiResult<()> {
        if total > limit {
            return Err(ApiError::new(
                op,
                "PrivateIpAddressLimitExceeded",
                format!("Number of private addresses will exceed limit: {total} asked for, at most {limit} per interface."),
            ));
        }
        Ok(())
    }

    /// M6, A2, A4: the addresses a new interface in `subnet` asks for can be given: the
    /// primary one (`primary`, else one the subnet picks), `ips` and `count` more; at most
    /// `limit` in all; each explicit address once, inside the subnet, not reserved, free.
    pub(crate) fn check_new_addresses(
        &self,
        op: &str,
        subnet: SubnetId,
        primary: Option<Ipv4Addr>,
        ips: &[Ipv4Addr],
        count: usize,
        limit: usize,
    ) -> ApiResult<()> {
        self.check_private_ip_limit(op, 1 + ips.len() + count, limit)?;
        let mut explicit: Vec<Ipv4Addr> = primary.into_iter().collect();
        for &ip in ips {
            if explicit.contains(&ip) {
                return Err(duplicate(op, ip));
            }
            self.claim_private_ip(op, subnet, ip)?;
            explicit.push(ip);
        }
        if let Some(ip) = primary {
            self.claim_private_ip(op, subnet, ip)?;
        }
        let picked = count + usize::from(primary.is_none());
        if self.free_addresses(subnet, &explicit, picked) < picked {
            return Err(self.no_free_address(op, subnet));
        }
        Ok(())
    }

    /// How many addresses of `subnet` are free and not in `taken`, counting up to `enough`.
    pub(crate) fn free_addresses(&self, subnet: SubnetId, taken: &[Ipv4Addr], enough: usize) -> usize {
        if enough == 0 {
            return 0;
        }
        let s = &self.subnets[subnet];
        (0..s.usable() as u32)
            .map(|i| s.cidr.nth(4 + i))
            .filter(|ip| !taken.contains(ip) && self.eni_by_private_ip(s.vpc, *ip).is_none())
            .take(enough)
            .count()
    }

    /// M6: gives a new interface `count` secondary addresses the subnet picks (checked
    /// free by [`World::check_new_addresses`]).
    pub(crate) fn allocate_secondary_ips(&mut self, op: &str, eni: EniId, count: usize) -> ApiResult<()> {
        let subnet = self.enis[eni].subnet;
        for _ in 0..count {
            let ip = self.allocate_private_ip(op, subnet)?;
            self.enis.assign_private_ips(eni, &[ip]);
        }
        Ok(())
    }

    /// AssignPrivateIpAddresses (M6): `ips` (or `count` addresses the subnet picks) become
    /// secondary addresses of `eni`. An address another interface holds is refused
    /// (InvalidIPAddress.InUse) unless reassignment is allowed and it is a secondary one
    /// there: it then moves, and an Elastic IP on it is disassociated. Returns the
    /// addresses assigned.
    pub fn assign_private_ip_addresses(
        &mut self,
        eni: EniId,
        req: AssignPrivateIps,
    ) -> ApiResult<Vec<Ipv4Addr>> {
        const OP: &str = "AssignPrivateIpAddresses";
        let moved = self.check_assign(OP, eni, &req)?;
        for (from, ip) in moved {
            self.enis.unassign_private_ips(from, &[ip], &mut self.eips);
        }
        self.enis.assign_private_ips(eni, &req.ips);
        let before = self.enis[eni].secondary_ips.len();
        self.allocate_secondary_ips(OP, eni, req.count)?;
        let picked = self.enis[eni].secondary_ips[before..].iter().map(|s| s.ip);
        Ok(req.ips.iter().copied().chain(picked).collect())
    }

    /// The checks of [`World::assign_private_ip_addresses`], before anything changes;
    /// returns the addresses to move from other interfaces.
    fn check_assign(
        &self,
        op: &str,
        eni: EniId,
        req: &AssignPrivateIps,
    ) -> ApiResult<Vec<(EniId, Ipv4Addr)>> {
        if req.ips.is_empty() == (req.count == 0) {
            return Err(ApiError::new(
                op,
                "InvalidParameterCombination",
                "Specify either private IP addresses or a secondary private IP address count, not both.",
            ));
        }
        self.check_own_interface(op, eni)?;
        let e = &self.enis[eni];
        let total = 1 + e.secondary_ips.len() + req.ips.len() + req.count;
        self.check_private_ip_limit(op, total, self.private_ip_limit(eni))?;
        let mut moved = Vec::new();
        for (i, &ip) in req.ips.iter().enumerate() {
            if req.ips[..i].contains(&ip) {
                return Err(duplicate(op, ip));
            }
            match self.claim_private_ip(op, e.subnet, ip) {
                Ok(_) => {}
                Err(taken) if taken.code == "InvalidIPAddress.InUse" && req.allow_reassignment => {
                    match self.eni_by_private_ip(e.vpc, ip) {
                        Some(other) if other != eni && self.enis[other].secondary(ip).is_some() => {
                            moved.push((other, ip))
                        }
                        _ => return Err(taken),
                    }
                }
                Err(err) => return Err(err),
            }
        }
        if self.free_addresses(e.subnet, &req.ips, req.count) < req.count {
            return Err(self.no_free_address(op, e.subnet));
        }
        Ok(moved)
    }

    /// UnassignPrivateIpAddresses (M6): the secondary addresses `ips` leave `eni`; an
    /// Elastic IP on one of them is disassociated. The primary address cannot leave.
    pub fn unassign_private_ip_addresses(&mut self, eni: EniId, ips: &[Ipv4Addr]) -> ApiResult<()> {
        const OP: &str = "UnassignPrivateIpAddresses";
        self.check_own_interface(OP, eni)?;
        let e = &self.enis[eni];
        if ips.contains(&e.private_ip) {
            return Err(ApiError::new(
                OP,
                "InvalidParameterValue",
                format!(
                    "The primary private IP address {} of {} cannot be unassigned.",
                    e.private_ip, e.aws_id
                ),
            ));
        }
        if ips.is_empty() || ips.iter().any(|ip| e.secondary(*ip).is_none()) {
            return Err(ApiError::new(
                OP,
                "InvalidParameterValue",
                format!("Some of the specified addresses are not assigned to interface {}", e.aws_id),
            ));
        }
        self.enis.unassign_private_ips(eni, ips, &mut self.eips);
        Ok(())
    }
}

impl World {
    /// M6: an interface AWS manages for a service (a load balancer node's, an endpoint's,
    /// a NAT gateway's) is not the account's to give addresses to.
    fn check_own_interface(&self, op: &str, eni: EniId) -> ApiResult<()> {
        match self.enis[eni].owner {
            EniOwner::Instance(_) | EniOwner::Detached => Ok(()),
            _ => Err(ApiError::new(
                op,
                "AuthFailure",
                "You do not have permission to access the specified resource.",
            )),
        }
    }
}

/// M6: an address asked for twice in one call.
fn duplicate(op: &str, ip: Ipv4Addr) -> ApiError {
    ApiError::new(op, "InvalidParameterValue", format!("Address {ip} is specified more than once."))
}
