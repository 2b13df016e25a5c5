//! Route 53 hosted zones (Z1): CreateHostedZone, AssociateVPCWithHostedZone,
//! DisassociateVPCFromHostedZone, ChangeResourceRecordSets and DeleteHostedZone, with
//! Route 53's checks on names, VPCs and record sets, and the changes get-change reports.

use crate::dns::{Rcode, View};

use super::ApiResult;
use crate::error::ApiError;
use crate::ids::*;
use crate::model::hosted_zone::{normalize, HostedZone, RecordData, RecordSet, ZoneChange};
use crate::world::{Handle, World};

/// Options of CreateHostedZone.
#[derive(Clone, Debug, Default)]
pub struct CreateHostedZone {
    /// `--name`: the domain.
    pub name: String,
    /// `--vpc` (and the template's `VPCs`): the VPCs of a private zone; none for a public one.
    pub vpcs: Vec<VpcId>,
    /// `HostedZoneConfig.Comment`.
    pub comment: String,
    /// `--caller-reference`; empty for a template's zone (one is derived from its id).
    pub caller_reference: String,
}

/// Z1: how long a change stays PENDING before Route 53 reports it INSYNC (its records
/// answer at once in vpcsim; the status is what `get-change` shows).
pub const CHANGE_INSYNC_AFTER_MS: u64 = 60_000;

/// What a change does to a record set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeAction {
    /// CREATE: fails when the name and type already have a record set.
    Create,
    /// UPSERT: creates or replaces.
    Upsert,
    /// DELETE: fails when the record set is not there.
    Delete,
}

/// One change of a change batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// The action.
    pub action: ChangeAction,
    /// The record set.
    pub record: RecordSet,
}

impl World {
    /// A hosted zone by id (`Z...` or `/hostedzone/Z...`).
    pub fn hosted_zone_id(&self, op: &str, id: &str) -> ApiResult<HostedZoneId> {
        let id = id.strip_prefix("/hostedzone/").unwrap_or(id);
        self.lookup(op, id, "NoSuchHostedZone", |h| match h {
            Handle::HostedZone(x) if !self.hosted_zones[x].deleted => Some(x),
            _ => None,
        })
        .map_err(|_| ApiError::new(op, "NoSuchHostedZone", format!("No hosted zone found with ID: {id}")))
    }

    /// The live hosted zone named `name` (private first when there are several), for `HostedZoneName`.
    pub fn hosted_zone_named(&self, name: &str) -> Option<HostedZoneId> {
        let name = normalize(name);
        let mut zones = self.hosted_zones.live().filter(|(_, z)| z.name == name);
        zones.clone().find(|(_, z)| z.is_private()).or_else(|| zones.next()).map(|(id, _)| id)
    }

    /// CreateHostedZone: a zone for a valid domain; private when it names VPCs.
    pub fn create_hosted_zone(&mut self, req: CreateHostedZone) -> ApiResult<HostedZoneId> {
        const OP: &str = "CreateHostedZone";
        let name = normalize(&req.name);
        if !valid_domain(&name) {
            return Err(ApiError::new(
                OP,
                "InvalidDomainName",
                format!("{} is not a valid domain name", req.name),
            ));
        }
        let taken = self
            .hosted_zones
            .live()
            .find(|(_, z)| z.name == name && z.vpcs.iter().any(|v| req.vpcs.contains(v)));
        if let Some((_, z)) = taken {
            return Err(ApiError::new(
                OP,
                "ConflictingDomainExists",
                format!(
                    "A VPC of this request is already associated with the private hosted zone {} for {}",
                    z.aws_id, z.name
                ),
            ));
        }
        let reused = self
            .hosted_zones
            .iter()
            .find(|(_, z)| !req.caller_reference.is_empty() && z.caller_reference == req.caller_reference);
        if reused.is_some() {
            return Err(ApiError::new(
                OP,
                "HostedZoneAlreadyExists",
                "A hosted zone has already been created with the specified caller reference.",
            ));
        }
        let aws_id = format!("Z{}", self.ids.alnum(20).to_ascii_uppercase());
        let caller_reference = if req.caller_reference.is_empty() {
            format!("{aws_id}-cloudformation")
        } else {
            req.caller_reference
        };
        let mut vpcs = req.vpcs;
        vpcs.dedup();
        let zone = HostedZone {
            aws_id,
            name,
            vpcs,
            comment: req.comment,
            caller_reference,
            changes: Vec::new(),
            records: Vec::new(),
            deleted: false,
        };
        Ok(self.hosted_zones.insert(&mut self.by_aws_id, Handle::HostedZone, zone))
    }

    /// ChangeResourceRecordSets: every change is checked before any is made (Route 53
    /// applies a batch as one transaction).
    pub fn change_resource_record_sets(&mut self, zone: HostedZoneId, changes: Vec<Change>) -> ApiResult<()> {
        const OP: &str = "ChangeResourceRecordSets";
        let mut records = self.hosted_zones[zone].records.clone();
        for c in changes {
            apply(&self.hosted_zones[zone], &mut records, c)
                .map_err(|m| ApiError::new(OP, "InvalidChangeBatch", format!("[{m}]")))?;
        }
        self.hosted_zones[zone].records = records;
        Ok(())
    }

    /// AssociateVPCWithHostedZone: a private zone answers one more VPC; a public zone
    /// takes none, and a VPC is in one private zone of a name.
    pub fn associate_vpc_with_hosted_zone(&mut self, zone: HostedZoneId, vpc: VpcId) -> ApiResult<()> {
        const OP: &str = "AssociateVPCWithHostedZone";
        let z = &self.hosted_zones[zone];
        if !z.is_private() {
            return Err(ApiError::new(
                OP,
                "PublicZoneVPCAssociation",
                format!("You're trying to associate a VPC with a public hosted zone. Amazon Route 53 doesn't support associating a VPC with a public hosted zone. ({})", z.aws_id),
            ));
        }
        let taken = self.hosted_zones.live().find(|(_, o)| o.name == z.name && o.vpcs.contains(&vpc));
        if let Some((_, o)) = taken {
            return Err(ApiError::new(
                OP,
                "ConflictingDomainExists",
                format!(
                    "The VPC {} in {} region has already been associated with the hosted zone {} with the same domain name.",
                    self.vpcs[vpc].aws_id,
                    self.region().name,
                    o.aws_id
                ),
            ));
        }
        self.hosted_zones[zone].vpcs.push(vpc);
        Ok(())
    }

    /// DisassociateVPCFromHostedZone: the last VPC of a private zone stays, as in AWS.
    pub fn disassociate_vpc_from_hosted_zone(&mut self, zone: HostedZoneId, vpc: VpcId) -> ApiResult<()> {
        const OP: &str = "DisassociateVPCFromHostedZone";
        let z = &self.hosted_zones[zone];
        let Some(at) = z.vpcs.iter().position(|v| *v == vpc) else {
            return Err(ApiError::new(
                OP,
                "VPCAssociationNotFound",
                format!(
                    "The specified VPC {} and hosted zone {} are not currently associated.",
                    self.vpcs[vpc].aws_id, z.aws_id
                ),
            ));
        };
        if z.vpcs.len() == 1 {
            return Err(ApiError::new(
                OP,
                "LastVPCAssociation",
                "The VPC that you're trying to disassociate from the private hosted zone is the last VPC that is associated with the hosted zone. Amazon Route 53 doesn't support disassociating the last VPC from a hosted zone.",
            ));
        }
        self.hosted_zones[zone].vpcs.remove(at);
        Ok(())
    }

    /// Records a change of `zone` made by an `aws route53` call, submitted now; its id
    /// (`C...`) comes from the id stream.
    pub fn record_route53_change(&mut self, zone: HostedZoneId, comment: Option<String>) -> String {
        let id = format!("C{}", self.ids.alnum(20).to_ascii_uppercase());
        let change = ZoneChange { id: id.clone(), submitted_ms: self.now_ms(), comment };
        self.hosted_zones[zone].changes.push(change);
        id
    }

    /// The change with id `C...`, of any zone (deleted ones too).
    pub fn route53_change(&self, id: &str) -> Option<&ZoneChange> {
        self.hosted_zones.values().flat_map(|z| z.changes.iter()).find(|c| c.id == id)
    }

    /// Z1: PENDING until [`CHANGE_INSYNC_AFTER_MS`] of virtual time have passed, then INSYNC.
    pub fn route53_change_status(&self, c: &ZoneChange) -> &'static str {
        if self.now_ms() >= c.submitted_ms + CHANGE_INSYNC_AFTER_MS {
            "INSYNC"
        } else {
            "PENDING"
        }
    }

    /// Z1: when the next PENDING change turns INSYNC (ms on the clock), so that a
    /// `wait-for CHANGE INSYNC` jumps there; `None` when every change is INSYNC.
    pub(crate) fn next_route53_insync(&self) -> Option<u64> {
        let changes = self.hosted_zones.values().flat_map(|z| z.changes.iter());
        changes.map(|c| c.submitted_ms + CHANGE_INSYNC_AFTER_MS).filter(|at| *at > self.now_ms).min()
    }

    /// Whether `name` is a load balancer's or an endpoint's DNS name (what an alias may target).
    pub fn alias_target_exists(&self, name: &str) -> bool {
        let lb = self.lbs.live().any(|(_, l)| l.dns_name.eq_ignore_ascii_case(name));
        lb || (self.resolve(View::Public, name).rcode == Rcode::NoError && name.starts_with("vpce-"))
    }

    /// The hosted zone id an alias to `name` names: the load balancers' or the endpoints'.
    pub fn alias_target_zone(&self, name: &str) -> &'static str {
        if self.lbs.live().any(|(_, l)| l.dns_name.eq_ignore_ascii_case(name)) {
            "ZIBE1TIR4HY56"
        } else {
            "Z27UANNT0PRK1T"
        }
    }

    /// DeleteHostedZone: refused while the zone holds record sets.
    pub fn delete_hosted_zone(&mut self, zone: HostedZoneId) -> ApiResult<()> {
        let z = &self.hosted_zones[zone];
        if !z.records.is_empty() {
            return Err(ApiError::new(
                "DeleteHostedZone",
                "HostedZoneNotEmpty",
                format!("The specified hosted zone {} contains non-required resource record sets and so cannot be deleted.", z.aws_id),
            ));
        }
        self.hosted_zones[zone].deleted = true;
        Ok(())
    }
}

/// One change on a copy of the zone's records, with Route 53's message when it cannot be made.
fn apply(zone: &HostedZone, records: &mut Vec<RecordSet>, c: Change) -> Result<(), String> {
    let r = c.record;
    let ty = r.data.type_name();
    let key = format!("[name='{}.', type='{ty}']", r.name);
    if !zone.contains(&r.name) {
        return Err(format!("RRSet with DNS name {}. is not permitted in zone {}.", r.name, zone.name));
    }
    let at = records.iter().position(|x| x.name == r.name && x.data.type_name() == ty);
    match (c.action, at) {
        (ChangeAction::Delete, Some(i)) if records[i] == r => {
            records.remove(i);
            return Ok(());
        }
        (ChangeAction::Delete, Some(_)) => {
            return Err(format!(
                "Tried to delete resource record set {key} but the values provided do not match the current values"
            ))
        }
        (ChangeAction::Delete, _) => {
            return Err(format!("Tried to delete resource record set {key} but it was not found"))
        }
        (ChangeAction::Create, Some(_)) => {
            return Err(format!("Tried to create resource record set {key} but it already exists"))
        }
        (_, Some(i)) => {
            records.remove(i);
        }
        (_, None) => {}
    }
    if ty == "CNAME" && r.name == zone.name {
        return Err(format!(
            "RRSet of type CNAME with DNS name {}. is not permitted at apex in zone {}.",
            r.name, zone.name
        ));
    }
    let conflict =
        records.iter().find(|x| x.name == r.name && (ty == "CNAME") != (x.data.type_name() == "CNAME"));
    if let Some(x) = conflict {
        return Err(format!(
            "RRSet of type {ty} with DNS name {}. is not permitted because a conflicting RRSet of type {} with the same DNS name already exists in zone {}.",
            r.name,
            x.data.type_name(),
            zone.name
        ));
    }
    if let RecordData::A(a) = &r.data {
        if a.is_empty() {
            return Err(format!("Invalid Resource Record: an A record set {key} needs at least one address"));
        }
    }
    records.push(r);
    Ok(())
}

/// A domain Route 53 accepts: labels of letters, digits, hyphens and underscores, 1-63 bytes each.
fn valid_domain(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}
