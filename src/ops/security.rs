//! Security groups (S1-S5, S8) and network ACLs (N1-N2): creating them, their rules and
//! their associations.

use super::ApiResult;
use crate::addr::{Cidr, PortRange, Protocol, RuleProtocol};
use crate::error::ApiError;
use crate::ids::*;
use crate::model::nacl::{AclEntry, Action, IcmpTypeCode};
use crate::model::security_group::{Peer, SecurityGroup, SgRule, SgRules};
use crate::model::Tags;
use crate::quota::Quota;
use crate::trace::Direction;
use crate::world::{Handle, World};

/// One permission to add or remove, as the API takes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Permission {
    /// Protocol (`-1` for all).
    pub protocol: RuleProtocol,
    /// Ports (ignored for `-1`).
    pub ports: PortRange,
    /// The peer.
    pub peer: Peer,
    /// Description.
    pub description: Option<String>,
}

impl Permission {
    /// tcp on one port from (or to) a CIDR.
    pub fn tcp(port: u16, cidr: Cidr) -> Permission {
        Permission {
            protocol: RuleProtocol::One(crate::addr::Protocol::Tcp),
            ports: PortRange::single(port),
            peer: Peer::Cidr(cidr),
            description: None,
        }
    }

    /// Everything to (or from) anywhere.
    pub fn all() -> Permission {
        Permission {
            protocol: RuleProtocol::All,
            ports: PortRange::ALL,
            peer: Peer::Cidr(Cidr::ANY),
            description: None,
        }
    }
}

impl World {
    pub(crate) fn new_rule(&mut self, peer: Peer) -> SgRule {
        SgRule {
            rule_id: self.ids.aws_id("sgr"),
            protocol: RuleProtocol::All,
            ports: PortRange::ALL,
            peer,
            description: None,
        }
    }

    /// CreateSecurityGroup (S3): no inbound rules, one outbound rule allowing everything.
    pub fn create_security_group(
        &mut self,
        vpc: VpcId,
        name: &str,
        description: &str,
        tags: Tags,
    ) -> ApiResult<SgId> {
        const OP: &str = "CreateSecurityGroup";
        if name.is_empty() || name.starts_with("sg-") {
            return Err(ApiError::new(
                OP,
                "InvalidParameterValue",
                format!("Invalid group name '{name}': names must be non-empty and must not start with sg-."),
            ));
        }
        if self.groups_in(vpc).any(|g| g.name == name) {
            return Err(ApiError::new(
                OP,
                "InvalidGroup.Duplicate",
                format!("The security group '{name}' already exists for VPC '{}'", self.vpcs[vpc].aws_id),
            ));
        }
        let id = SgId(self.sgs.len() as u32);
        let aws_id = self.ids.aws_id("sg");
        self.add_group_member(vpc, id);
        let egress = vec![self.new_rule(Peer::Cidr(Cidr::ANY))];
        let ipv6_egress = self.ipv6_default_egress(vpc);
        self.sgs.insert(
            &mut self.by_aws_id,
            Handle::Sg,
            SecurityGroup {
                aws_id,
                name: name.to_string(),
                description: description.to_string(),
                vpc,
                ingress: SgRules::new(),
                egress: egress.into(),
                ipv6_ingress: Vec::new(),
                ipv6_egress,
                is_default: false,
                tags,
                deleted: false,
            },
        );
        Ok(id)
    }

    /// AuthorizeSecurityGroupIngress / Egress: groups of other VPCs (S8) and duplicates are
    /// refused, as is a 61st rule (Q1).
    pub fn authorize_security_group(
        &mut self,
        sg: SgId,
        direction: Direction,
        perms: &[Permission],
    ) -> ApiResult<()> {
        let op = &operation("Authorize", direction);
        // Rules get their ids only once every check passed: a refused call changes nothing.
        let mut rules: Vec<SgRule> = perms
            .iter()
            .map(|p| SgRule {
                rule_id: String::new(),
                protocol: p.protocol,
                ports: if p.protocol == RuleProtocol::All { PortRange::ALL } else { p.ports },
                peer: p.peer.clone(),
                description: p.description.clone(),
            })
            .collect();
        self.check_group_peers(op, sg, perms)?;
        let existing = self.sgs[sg].rules(direction);
        if let Some(dup) = rules.iter().find(|r| existing.iter().any(|e| e.same_permission(r))) {
            return Err(ApiError::new(
                op,
                "InvalidPermission.Duplicate",
                format!("the specified rule \"{}\" already exists", self.rule_text(dup)),
            ));
        }
        self.quotas.check(Quota::RulesPerGroup, op, existing.len() + rules.len())?;
        for r in &mut rules {
            r.rule_id = self.ids.aws_id("sgr");
        }
        self.sgs[sg].rules_mut(direction).extend(rules);
        Ok(())
    }

    /// S8/V3: a rule may reference a group of its own group's VPC or of a VPC peered with it
    /// (an active connection); any other group is refused with InvalidGroup.NotFound.
    fn check_group_peers(&self, op: &str, sg: SgId, perms: &[Permission]) -> ApiResult<()> {
        let vpc = self.sgs[sg].vpc;
        let foreign = perms.iter().find_map(|p| match p.peer {
            Peer::Group(g)
                if self.sgs[g].vpc != vpc && self.active_peering(vpc, self.sgs[g].vpc).is_none() =>
            {
                Some(g)
            }
            _ => None,
        });
        match foreign {
            None => Ok(()),
            Some(g) => Err(ApiError::new(
                op,
                "InvalidGroup.NotFound",
                format!(
                    "The security group '{}' does not exist in VPC '{}'",
                    self.sgs[g].aws_id, self.vpcs[vpc].aws_id
                ),
            )),
        }
    }

    /// A rule as AWS quotes it in errors:
    /// `peer: 10.0.0.0/8, TCP, from port: 22, to port: 22, ALLOW`.
    fn rule_text(&self, r: &SgRule) -> String {
        let peer = match &r.peer {
            Peer::Cidr(c) => c.to_string(),
            Peer::Group(g) => self.sgs[*g].aws_id.clone(),
            Peer::PrefixList(p) => self.prefix_lists[*p].aws_id.clone(),
        };
        let (from, to) = (r.ports.from, r.ports.to);
        match r.protocol {
            RuleProtocol::All => format!("peer: {peer}, ALL, ALLOW"),
            RuleProtocol::One(Protocol::Icmp) => {
                let icmp_type = if from == to { i32::from(from) } else { -1 };
                format!("peer: {peer}, ICMP, type: {icmp_type}, code: -1, ALLOW")
            }
            RuleProtocol::One(p) => {
                let name = p.as_str().to_ascii_uppercase();
                format!("peer: {peer}, {name}, from port: {from}, to port: {to}, ALLOW")
            }
        }
    }

    /// RevokeSecurityGroupIngress / Egress: the rule must exist.
    pub fn revoke_security_group(
        &mut self,
        sg: SgId,
        direction: Direction,
        perms: &[Permission],
    ) -> ApiResult<()> {
        let op = &operation("Revoke", direction);
        let group = &self.sgs[sg];
        let rules = group.rules(direction);
        let matches = |r: &SgRule, p: &Permission| {
            r.protocol == p.protocol
                && (p.protocol == RuleProtocol::All || r.ports == p.ports)
                && r.peer == p.peer
        };
        if let Some(p) = perms.iter().find(|p| !rules.iter().any(|r| matches(r, p))) {
            return Err(ApiError::new(
                op,
                "InvalidPermission.NotFound",
                format!(
                    "The specified rule does not exist in this security group ({} {} ports {}).",
                    group.aws_id, p.protocol, p.ports
                ),
            ));
        }
        self.sgs[sg].rules_mut(direction).retain(|r| !perms.iter().any(|p| matches(r, p)));
        Ok(())
    }

    /// RevokeSecurityGroupEgress of every outbound rule (what a template's
    /// `SecurityGroupEgress` does to the default allow-all rules, IPv4 and IPv6 (A8), before
    /// adding its own).
    pub fn revoke_security_group_egress_all(&mut self, sg: SgId) {
        let g = &mut self.sgs[sg];
        g.egress.clear();
        g.ipv6_egress.clear();
    }

    /// DeleteSecurityGroup (S4): a VPC's default group cannot be deleted (CannotDelete);
    /// a group on a network interface, or named by another group's rule, is refused
    /// (DependencyViolation).
    pub fn delete_security_group(&mut self, sg: SgId) -> ApiResult<()> {
        const OP: &str = "DeleteSecurityGroup";
        let g = &self.sgs[sg];
        if g.is_default {
            return Err(ApiError::new(
                OP,
                "CannotDelete",
                format!(
                    "the specified group: \"{}\" name: \"default\" cannot be deleted by a user",
                    g.aws_id
                ),
            ));
        }
        let on_interface = self.enis().live().any(|(_, e)| e.groups.contains(&sg));
        let names_it = |r: &SgRule| r.peer == Peer::Group(sg);
        let referenced = self.sgs.live().any(|(other, o)| {
            other != sg
                && (o.ingress.as_slice().iter().any(names_it) || o.egress.as_slice().iter().any(names_it))
        });
        if on_interface || referenced {
            return Err(ApiError::new(
                OP,
                "DependencyViolation",
                format!("resource {} has a dependent object", g.aws_id),
            ));
        }
        self.stack_delete_security_group(sg);
        Ok(())
    }

    /// A stack's delete of its group: its template's rules and associations go with the
    /// stack in dependency order, so nothing is checked.
    pub(crate) fn stack_delete_security_group(&mut self, sg: SgId) {
        self.sgs[sg].deleted = true;
    }

    /// DeleteNetworkAcl (N2): a VPC's default ACL cannot be deleted; an ACL a subnet
    /// uses is refused (DependencyViolation).
    pub fn delete_network_acl(&mut self, acl: NaclId) -> ApiResult<()> {
        const OP: &str = "DeleteNetworkAcl";
        let n = &self.nacls[acl];
        if n.is_default {
            return Err(ApiError::new(
                OP,
                "InvalidParameterValue",
                format!("cannot delete default network ACL {}", n.aws_id),
            ));
        }
        if self.subnets_in(n.vpc).any(|s| s.nacl == acl) {
            return Err(crate::ops::vpc::dependency(OP, "networkAcl", &n.aws_id));
        }
        self.stack_delete_network_acl(acl);
        Ok(())
    }

    /// A stack's delete of its ACL: its associations go with the stack, so nothing is checked.
    pub(crate) fn stack_delete_network_acl(&mut self, acl: NaclId) {
        self.nacls[acl].deleted = true;
    }

    /// The subnet whose network ACL association has the id `association`
    /// (`aclassoc-` and the subnet id's hex digits), or `InvalidAssociationID.NotFound`.
    pub fn network_acl_association(&self, op: &str, association: &str) -> ApiResult<SubnetId> {
        self.subnets
            .live()
            .find(|(_, s)| nacl_association_id(&s.aws_id) == association)
            .map(|(id, _)| id)
            .ok_or_else(|| {
                ApiError::new(
                    op,
                    "InvalidAssociationID.NotFound",
                    format!("The association ID '{association}' does not exist"),
                )
            })
    }

    /// CreateNetworkAcl (N2): a custom NACL denies everything until entries are added.
    pub fn create_network_acl(&mut self, vpc: VpcId, tags: Tags) -> NaclId {
        self.new_nacl(vpc, false, tags)
    }

    /// CreateNetworkAclEntry: one entry per number and direction.
    pub fn create_network_acl_entry(
        &mut self,
        acl: NaclId,
        direction: Direction,
        entry: AclEntry,
    ) -> ApiResult<()> {
        const OP: &str = "CreateNetworkAclEntry";
        rule_number(OP, entry.number)?;
        let quotas = &self.quotas;
        let n = &mut self.nacls[acl];
        let id = n.aws_id.clone();
        let entries = n.entries_mut(direction);
        if entries.iter().any(|e| e.number == entry.number) {
            return Err(ApiError::new(
                OP,
                "NetworkAclEntryAlreadyExists",
                format!("The network acl entry identified by {} already exists in {id}.", entry.number),
            ));
        }
        quotas.check(Quota::NaclRulesPerDirection, OP, entries.len() + 1)?;
        let at = entries.partition_point(|e| e.number < entry.number);
        entries.insert(at, entry);
        Ok(())
    }

    /// DeleteNetworkAclEntry.
    pub fn delete_network_acl_entry(
        &mut self,
        acl: NaclId,
        direction: Direction,
        number: u16,
    ) -> ApiResult<()> {
        let n = &mut self.nacls[acl];
        let id = n.aws_id.clone();
        let entries = n.entries_mut(direction);
        let before = entries.len();
        entries.retain(|e| e.number != number);
        if entries.len() == before {
            return Err(ApiError::new(
                "DeleteNetworkAclEntry",
                "InvalidNetworkAclEntry.NotFound",
                format!("The network acl entry identified by {number} does not exist in {id}."),
            ));
        }
        Ok(())
    }

    /// ReplaceNetworkAclAssociation: the subnet now uses this NACL (N1: one per subnet).
    pub fn associate_network_acl(&mut self, acl: NaclId, subnet: SubnetId) -> ApiResult<()> {
        if self.nacls[acl].vpc != self.subnets[subnet].vpc {
            return Err(ApiError::new(
                "ReplaceNetworkAclAssociation",
                "InvalidParameterValue",
                "The network ACL and the subnet belong to different VPCs.",
            ));
        }
        self.subnets[subnet].nacl = acl;
        Ok(())
    }
}

/// `AuthorizeSecurityGroupIngress` and its kin: the API operation for a verb and a direction.
fn operation(verb: &str, direction: Direction) -> String {
    let dir = match direction {
        Direction::Ingress => "Ingress",
        Direction::Egress => "Egress",
    };
    format!("{verb}SecurityGroup{dir}")
}

/// A subnet's network ACL association id: `aclassoc-` and the subnet id's hex digits,
/// as templates' `NetworkAclAssociationId` attribute gives it.
pub fn nacl_association_id(subnet_aws_id: &str) -> String {
    format!("aclassoc-{}", subnet_aws_id.rsplit('-').next().unwrap_or(subnet_aws_id))
}

/// A NACL entry that allows or denies `protocol`/`ports` for `cidr`.
pub fn acl_entry(number: u16, protocol: RuleProtocol, ports: PortRange, cidr: Cidr, allow: bool) -> AclEntry {
    AclEntry {
        number,
        protocol,
        ports,
        icmp: IcmpTypeCode::ALL,
        cidr,
        action: if allow { Action::Allow } else { Action::Deny },
    }
}

/// N1: a NACL entry's rule number is 1-32766 (both families, A8).
pub(crate) fn rule_number(op: &str, number: u16) -> ApiResult<()> {
    if (1..=32766).contains(&number) {
        return Ok(());
    }
    Err(ApiError::new(op, "InvalidParameterValue", format!("Invalid rule number {number}: use 1 to 32766.")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s8_a_duplicate_rule_is_refused_in_aws_words() {
        let mut w = crate::lab::Lab::build(crate::lab::LabOptions::default()).unwrap().world;
        let vpc = w.vpcs().ids().next().unwrap();
        let sg = w.create_security_group(vpc, "dup", "duplicates", Tags::new()).unwrap();
        let ssh = Permission::tcp(22, "10.0.0.0/8".parse().unwrap());
        w.authorize_security_group(sg, Direction::Ingress, std::slice::from_ref(&ssh)).unwrap();
        let e = w.authorize_security_group(sg, Direction::Ingress, &[ssh]).unwrap_err();
        assert_eq!(e.code, "InvalidPermission.Duplicate");
        assert_eq!(
            e.message,
            "the specified rule \"peer: 10.0.0.0/8, TCP, from port: 22, to port: 22, ALLOW\" already exists"
        );
        let e = w.authorize_security_group(sg, Direction::Egress, &[Permission::all()]).unwrap_err();
        assert_eq!(e.message, "the specified rule \"peer: 0.0.0.0/0, ALL, ALLOW\" already exists");
    }
}
