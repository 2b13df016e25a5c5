//! Secondary IPv4 blocks of a VPC (A1, R2): `AssociateVpcCidrBlock` checks a block the
//! way AWS does (size, overlap, the private-range restrictions, the quota) and adds a
//! `local` route for it to every table of the VPC; `DisassociateVpcCidrBlock` refuses the
//! primary and a block a subnet still uses, and removes those local routes. Both take
//! effect at once (AWS passes through `associating`/`disassociating` in seconds).

use super::vpc::check_block;
use super::ApiResult;
use crate::addr::Cidr;
use crate::error::ApiError;
use crate::ids::{RouteTableId, VpcId};
use crate::model::route_table::{Route, RouteOrigin, RouteTarget};
use crate::model::vpc::CidrAssociation;
use crate::quota::Quota;
use crate::world::World;

/// The RFC 1918 ranges and 198.19.0.0/16, the ranges A1's association table restricts.
const RFC1918: [&str; 3] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];
const BENCHMARK: &str = "198.19.0.0/16";

fn range(text: &str) -> Cidr {
    text.parse().expect("literal CIDR")
}

/// A1: the private range (RFC 1918, or 198.19.0.0/16) `cidr` lies in, if any.
fn restricted_range(cidr: Cidr) -> Option<Cidr> {
    RFC1918.iter().chain([&BENCHMARK]).map(|r| range(r)).find(|r| r.covers(cidr))
}

/// A1, AWS's association restrictions: a secondary block from an RFC 1918 range (10/8,
/// 172.16/12, 192.168/16) or from 198.19.0.0/16 needs a primary in that same range; a
/// publicly routable block or one from 100.64.0.0/10 goes with any primary. A block that
/// straddles one of those ranges' edges is refused.
fn association_allowed(primary: Cidr, cidr: Cidr) -> bool {
    let straddles =
        RFC1918.iter().chain([&BENCHMARK]).map(|r| range(r)).any(|r| r.overlaps(cidr) && !r.covers(cidr));
    !straddles && restricted_range(cidr).is_none_or(|r| restricted_range(primary) == Some(r))
}

impl World {
    /// AssociateVpcCidrBlock (A1, R2): a secondary IPv4 block, with its local route in
    /// every route table of the VPC; returns the association id.
    pub fn associate_vpc_cidr_block(&mut self, vpc: VpcId, cidr: Cidr) -> ApiResult<String> {
        const OP: &str = "AssociateVpcCidrBlock";
        check_block(OP, "InvalidVpc.Range", cidr)?;
        let v = &self.vpcs[vpc];
        if let Some(other) = v.cidrs().find(|c| c.overlaps(cidr)) {
            return Err(ApiError::new(
                OP,
                "InvalidVpc.Range",
                format!("The CIDR '{cidr}' conflicts with another CIDR block of {} ({other}).", v.aws_id),
            ));
        }
        if !association_allowed(v.cidr, cidr) {
            return Err(ApiError::new(
                OP,
                "InvalidVpc.Range",
                format!(
                    "The CIDR '{cidr}' is restricted for {} (primary {}): use a CIDR from the same private address range as the primary CIDR, or a publicly routable one when the primary is.",
                    v.aws_id, v.cidr
                ),
            ));
        }
        let tables = self.route_tables_of(vpc);
        for &t in &tables {
            let rt = &self.route_tables[t];
            if let Some(r) = rt.routes.iter().find(|r| r.destination.overlaps(cidr)) {
                return Err(ApiError::new(
                    OP,
                    "InvalidVpc.Range",
                    format!(
                        "The CIDR '{cidr}' overlaps the route {} in route table {}; delete that route first.",
                        r.destination, rt.aws_id
                    ),
                ));
            }
        }
        self.quotas.check(Quota::CidrBlocksPerVpc, OP, self.vpcs[vpc].cidrs().count() + 1)?;
        let association_id = self.ids.aws_id("vpc-cidr-assoc");
        for t in tables {
            self.route_tables[t].insert(Route {
                destination: cidr,
                prefix_list: None,
                target: RouteTarget::Local,
                origin: RouteOrigin::CreateRouteTable,
            });
        }
        self.vpcs[vpc].secondary_cidrs.push(CidrAssociation { association_id: association_id.clone(), cidr });
        Ok(association_id)
    }

    /// A VPC block by its association id (the primary's included), or AWS's NotFound error.
    pub fn vpc_cidr_association(&self, op: &str, association_id: &str) -> ApiResult<(VpcId, Cidr)> {
        self.vpcs()
            .live()
            .find_map(|(id, v)| {
                let primary = (primary_association_id(&v.aws_id) == association_id).then_some(v.cidr);
                let secondary =
                    v.secondary_cidrs.iter().find(|a| a.association_id == association_id).map(|a| a.cidr);
                primary.or(secondary).map(|c| (id, c))
            })
            .ok_or_else(|| {
                ApiError::new(
                    op,
                    "InvalidVpcCidrBlockAssociationID.NotFound",
                    format!("The vpc CIDR block association ID '{association_id}' does not exist"),
                )
            })
    }

    /// DisassociateVpcCidrBlock (A1, R2): a secondary block no subnet uses; its local
    /// routes go with it. An IPv6 block's association id goes to
    /// [`World::disassociate_vpc_ipv6_cidr_block`] (A8). The primary block cannot be disassociated.
    pub fn disassociate_vpc_cidr_block(&mut self, association_id: &str) -> ApiResult<()> {
        const OP: &str = "DisassociateVpcCidrBlock";
        if self.vpc_ipv6_association(association_id).is_some() {
            return self.disassociate_vpc_ipv6_cidr_block(association_id);
        }
        let (vpc, cidr) = self.vpc_cidr_association(OP, association_id)?;
        let Some(i) = self.vpcs[vpc].secondary_cidrs.iter().position(|a| a.association_id == association_id)
        else {
            return Err(ApiError::new(
                OP,
                "OperationNotPermitted",
                format!(
                    "The vpc CIDR block with association ID {association_id} may not be disassociated. It is the primary IPv4 CIDR block of the VPC {}.",
                    self.vpcs[vpc].aws_id
                ),
            ));
        };
        if let Some(s) = self.subnets_in(vpc).find(|s| cidr.covers(s.cidr)) {
            return Err(ApiError::new(
                OP,
                "InvalidCidrBlock.InUse",
                format!(
                    "The vpc CIDR block {cidr} ({association_id}) cannot be disassociated: subnet {} ({}) uses it.",
                    s.aws_id, s.cidr
                ),
            ));
        }
        for t in self.route_tables_of(vpc) {
            let routes = &mut self.route_tables[t].routes;
            if let Some(pos) =
                routes.iter().position(|r| r.destination == cidr && r.target == RouteTarget::Local)
            {
                routes.remove(pos);
            }
        }
        self.vpcs[vpc].secondary_cidrs.remove(i);
        Ok(())
    }

    /// The live route tables of `vpc`, in creation order.
    fn route_tables_of(&self, vpc: VpcId) -> Vec<RouteTableId> {
        self.route_tables.live().filter(|(_, rt)| rt.vpc == vpc).map(|(id, _)| id).collect()
    }
}

/// The association id describe-vpcs shows for a VPC's primary block (`vpc-cidr-assoc-`
/// and the VPC id's hex part).
pub fn primary_association_id(vpc_aws_id: &str) -> String {
    format!("vpc-cidr-assoc-{}", vpc_aws_id.rsplit('-').next().unwrap_or(vpc_aws_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a1_a_private_secondary_block_needs_a_primary_in_the_same_private_range() {
        let c = |t: &str| -> Cidr { t.parse().unwrap() };
        assert!(association_allowed(c("10.0.0.0/16"), c("10.1.0.0/16")));
        assert!(!association_allowed(c("10.0.0.0/16"), c("172.16.0.0/16")));
        assert!(!association_allowed(c("10.0.0.0/16"), c("192.168.0.0/16")));
        assert!(!association_allowed(c("10.0.0.0/16"), c("198.19.0.0/16")));
        assert!(association_allowed(c("10.0.0.0/16"), c("100.64.0.0/16")));
        assert!(association_allowed(c("10.0.0.0/16"), c("20.0.0.0/16")));
        assert!(association_allowed(c("20.0.0.0/16"), c("100.64.0.0/16")));
        assert!(!association_allowed(c("20.0.0.0/16"), c("10.2.0.0/16")));
        assert!(association_allowed(c("172.31.0.0/16"), c("172.20.0.0/16")));
        assert!(association_allowed(c("198.19.0.0/16"), c("20.0.0.0/16")));
    }
}
