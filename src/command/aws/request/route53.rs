//! The `aws route53` calls (Z1), typed: hosted zones, their VPCs, their record sets and
//! the changes Route 53 reports. A change batch is AWS's JSON, on the line or in a file
//! (`file://PATH`, read when the call runs, relative to the scenario's folder).

use std::net::{Ipv4Addr, Ipv6Addr};

use serde_json::Value;

use super::super::AwsError;
use super::{op_name, Flags};
use crate::error::ApiError;
use crate::model::hosted_zone::{normalize, RecordData, RecordSet};
use crate::ops::route53::{Change, ChangeAction};

/// An `aws route53 ...` call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route53Request {
    /// create-hosted-zone.
    CreateHostedZone {
        /// `--name`.
        name: String,
        /// `--caller-reference`: unique per zone, as Route 53 insists.
        caller_reference: String,
        /// `--vpc`: the first VPC of a private zone.
        vpc: Option<VpcRef>,
        /// `--hosted-zone-config Comment=..`.
        comment: Option<String>,
        /// `--hosted-zone-config PrivateZone=..`.
        private_zone: Option<bool>,
    },
    /// get-hosted-zone.
    GetHostedZone {
        /// `--id`.
        id: String,
    },
    /// list-hosted-zones.
    ListHostedZones {
        /// `--hosted-zone-type PrivateHostedZone`: private zones only.
        private_only: bool,
    },
    /// list-hosted-zones-by-vpc.
    ListHostedZonesByVpc {
        /// `--vpc-id` and `--vpc-region`.
        vpc: VpcRef,
    },
    /// associate-vpc-with-hosted-zone and disassociate-vpc-from-hosted-zone.
    VpcAssociation {
        /// Associate (true) or disassociate.
        associate: bool,
        /// `--hosted-zone-id`.
        zone_id: String,
        /// `--vpc`.
        vpc: VpcRef,
        /// `--comment`.
        comment: Option<String>,
    },
    /// change-resource-record-sets.
    ChangeResourceRecordSets {
        /// `--hosted-zone-id`.
        zone_id: String,
        /// `--change-batch`.
        batch: ChangeBatch,
    },
    /// list-resource-record-sets.
    ListResourceRecordSets {
        /// `--hosted-zone-id`.
        zone_id: String,
    },
    /// delete-hosted-zone.
    DeleteHostedZone {
        /// `--id`.
        id: String,
    },
    /// get-change.
    GetChange {
        /// `--id` (`C...` or `/change/C...`).
        id: String,
    },
}

/// A VPC as Route 53 names it: `VPCRegion=..,VPCId=..`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VpcRef {
    /// `VPCRegion`.
    pub region: String,
    /// `VPCId`.
    pub id: String,
}

/// `--change-batch`: AWS's JSON, given on the line or in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChangeBatch {
    /// The JSON given on the line.
    Json(Value),
    /// `file://PATH`: read when the call runs (relative to the scenario's folder).
    File(String),
}

/// Types the flags of a Route 53 call; `None` for another service.
pub(super) fn build(f: &Flags) -> Option<Result<Route53Request, AwsError>> {
    if f.spec.service != "route53" {
        return None;
    }
    Some(build_route53(f))
}

fn build_route53(f: &Flags) -> Result<Route53Request, AwsError> {
    use Route53Request as R;
    Ok(match f.spec.name {
        "create-hosted-zone" => {
            let (comment, private_zone) = zone_config(f)?;
            R::CreateHostedZone {
                name: f.req("name")?,
                caller_reference: f.req("caller-reference")?,
                vpc: f.opt("vpc").map(|t| vpc_ref(f, "vpc", &t)).transpose()?,
                comment,
                private_zone,
            }
        }
        "get-hosted-zone" => R::GetHostedZone { id: f.req("id")? },
        "list-hosted-zones" => R::ListHostedZones {
            private_only: match f.opt("hosted-zone-type").as_deref() {
                None => false,
                Some("PrivateHostedZone") => true,
                Some(other) => {
                    return Err(invalid(
                        f,
                        "InvalidInput",
                        format!("1 validation error detected: Value '{other}' at 'hostedZoneType' failed to satisfy constraint: Member must satisfy enum value set: [PrivateHostedZone]"),
                    ))
                }
            },
        },
        "list-hosted-zones-by-vpc" => {
            R::ListHostedZonesByVpc { vpc: VpcRef { region: f.req("vpc-region")?, id: f.req("vpc-id")? } }
        }
        "associate-vpc-with-hosted-zone" | "disassociate-vpc-from-hosted-zone" => R::VpcAssociation {
            associate: f.spec.name.starts_with("associate"),
            zone_id: f.req("hosted-zone-id")?,
            vpc: vpc_ref(f, "vpc", &f.req("vpc")?)?,
            comment: f.opt("comment"),
        },
        "change-resource-record-sets" => {
            let text = f.req("change-batch")?;
            let batch = match text.strip_prefix("file://") {
                Some(path) => ChangeBatch::File(path.to_string()),
                None => ChangeBatch::Json(serde_json::from_str(&text).map_err(|e| {
                    AwsError::ParamError(format!(
                        "Error parsing parameter '--change-batch': Invalid JSON: {e}\nJSON received: {text}"
                    ))
                })?),
            };
            R::ChangeResourceRecordSets { zone_id: f.req("hosted-zone-id")?, batch }
        }
        "list-resource-record-sets" => R::ListResourceRecordSets { zone_id: f.req("hosted-zone-id")? },
        "delete-hosted-zone" => R::DeleteHostedZone { id: f.req("id")? },
        "get-change" => R::GetChange { id: f.req("id")? },
        other => unreachable!("route53 operation {other} is in the table but has no request"),
    })
}

fn invalid(f: &Flags, code: &str, message: String) -> AwsError {
    AwsError::Value(ApiError::new(&op_name(f.spec.name), code, message))
}

/// `VPCRegion=us-east-1,VPCId=vpc-...` (shorthand or JSON).
fn vpc_ref(f: &Flags, flag: &str, text: &str) -> Result<VpcRef, AwsError> {
    let v = super::super::shorthand::parse(text).map_err(AwsError::ParamError)?;
    let Value::Object(map) = &v else {
        return Err(AwsError::ParamError(format!(
            "Error parsing parameter '--{flag}': expected VPCRegion=REGION,VPCId=VPC, got {text}"
        )));
    };
    if let Some(k) = map.keys().find(|k| *k != "VPCRegion" && *k != "VPCId") {
        return Err(AwsError::ParamError(format!(
            "Parameter validation failed:\nUnknown parameter in VPC: \"{k}\", must be one of: VPCRegion, VPCId"
        )));
    }
    let field = |k: &str| map.get(k).and_then(Value::as_str).map(str::to_string);
    match (field("VPCRegion"), field("VPCId")) {
        (Some(region), Some(id)) => Ok(VpcRef { region, id }),
        _ => Err(invalid(
            f,
            "InvalidInput",
            "Invalid request: give both VPCRegion and VPCId of the VPC".into(),
        )),
    }
}

/// `--hosted-zone-config Comment=..,PrivateZone=true`.
fn zone_config(f: &Flags) -> Result<(Option<String>, Option<bool>), AwsError> {
    let Some(text) = f.opt("hosted-zone-config") else { return Ok((None, None)) };
    let v = super::super::shorthand::parse(&text).map_err(AwsError::ParamError)?;
    let Value::Object(map) = &v else {
        return Err(AwsError::ParamError(format!(
            "Error parsing parameter '--hosted-zone-config': expected Comment=TEXT,PrivateZone=true|false, got {text}"
        )));
    };
    if let Some(k) = map.keys().find(|k| *k != "Comment" && *k != "PrivateZone") {
        return Err(AwsError::ParamError(format!(
            "Parameter validation failed:\nUnknown parameter in HostedZoneConfig: \"{k}\", must be one of: Comment, PrivateZone"
        )));
    }
    let comment = map.get("Comment").and_then(super::super::filter::scalar_text);
    let private = match map.get("PrivateZone").and_then(super::super::filter::scalar_text).as_deref() {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(other) => {
            return Err(AwsError::ParamError(format!(
                "Parameter validation failed:\nInvalid type for parameter HostedZoneConfig.PrivateZone, value: {other}, valid types: <class 'bool'>"
            )))
        }
    };
    Ok((comment, private))
}

/// The changes of a change batch in AWS's JSON (`{"Changes": [{"Action": "CREATE",
/// "ResourceRecordSet": {...}}]}`), with Route 53's errors for what it refuses. An alias
/// keeps its target's name; whether that names a load balancer or an endpoint is the
/// world's answer.
pub fn changes(batch: &Value) -> Result<Vec<Change>, ApiError> {
    const OP: &str = "ChangeResourceRecordSets";
    let input = |m: String| ApiError::new(OP, "InvalidInput", m);
    let items = batch
        .get("Changes")
        .and_then(Value::as_array)
        .ok_or_else(|| input("Invalid request: the change batch needs a list of Changes".into()))?;
    if items.is_empty() {
        return Err(input("1 validation error detected: Value '[]' at 'changeBatch.changes' failed to satisfy constraint: Member must have length greater than or equal to 1".into()));
    }
    if let Some(k) = batch.as_object().and_then(|m| m.keys().find(|k| *k != "Changes" && *k != "Comment")) {
        return Err(input(format!("Invalid request: unknown field {k} in the change batch")));
    }
    items.iter().map(|c| change(c).map_err(input)).collect()
}

fn change(c: &Value) -> Result<Change, String> {
    let action = match c.get("Action").and_then(Value::as_str) {
        Some("CREATE") => ChangeAction::Create,
        Some("UPSERT") => ChangeAction::Upsert,
        Some("DELETE") => ChangeAction::Delete,
        other => {
            return Err(format!(
                "1 validation error detected: Value '{}' at 'changeBatch.changes.action' failed to satisfy constraint: Member must satisfy enum value set: [CREATE, DELETE, UPSERT]",
                other.unwrap_or_default()
            ))
        }
    };
    let r = c.get("ResourceRecordSet").ok_or("Invalid request: a change needs a ResourceRecordSet")?;
    Ok(Change { action, record: record_set(r)? })
}

/// The record set keys vpcsim models; the routing policies' keys are refused.
const ROUTING_KEYS: [&str; 9] = [
    "SetIdentifier",
    "Weight",
    "Region",
    "GeoLocation",
    "GeoProximityLocation",
    "Failover",
    "MultiValueAnswer",
    "HealthCheckId",
    "CidrRoutingConfig",
];

fn record_set(r: &Value) -> Result<RecordSet, String> {
    if let Some(k) = ROUTING_KEYS.iter().find(|k| r.get(**k).is_some()) {
        return Err(format!(
            "{k} is not modelled by vpcsim: it models simple routing (one record set per name and type)"
        ));
    }
    let name =
        normalize(r.get("Name").and_then(Value::as_str).ok_or("Invalid request: a record set needs a Name")?);
    let ty = r.get("Type").and_then(Value::as_str).ok_or("Invalid request: a record set needs a Type")?;
    if let Some(alias) = r.get("AliasTarget") {
        if ty != "A" {
            return Err(format!("an alias {ty} record is not modelled: vpcsim models alias A records"));
        }
        if r.get("TTL").is_some() || r.get("ResourceRecords").is_some() {
            return Err(
                "Invalid request: a record set with AliasTarget has no TTL and no ResourceRecords".into()
            );
        }
        let target = alias
            .get("DNSName")
            .and_then(Value::as_str)
            .ok_or("Invalid request: AliasTarget needs a DNSName")?;
        let target = normalize(target);
        let target = target.strip_prefix("dualstack.").map(str::to_string).unwrap_or(target);
        return Ok(RecordSet { name, ttl: 60, data: RecordData::Alias(target) });
    }
    let ttl = r.get("TTL").and_then(Value::as_u64).filter(|t| *t <= 2_147_483_647);
    let ttl = ttl.ok_or("Invalid request: Missing field 'TTL' (or a TTL of 0 to 2147483647)")? as u32;
    let values: Vec<String> = r
        .get("ResourceRecords")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter().filter_map(|v| v.get("Value").and_then(Value::as_str)).map(str::to_string).collect()
        })
        .unwrap_or_default();
    if values.is_empty() {
        return Err("Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found none in Change".into());
    }
    let bad = |v: &str| {
        format!("Invalid Resource Record: FATAL problem: {v} is not a valid {ty} value encountered at {v}")
    };
    let data = match ty {
        "A" => RecordData::A(values.iter().map(|v| v.parse::<Ipv4Addr>().map_err(|_| bad(v))).collect::<Result<_, _>>()?),
        "AAAA" => {
            if let Some(v) = values.iter().find(|v| v.parse::<Ipv6Addr>().is_err()) {
                return Err(bad(v));
            }
            RecordData::Aaaa(values)
        }
        "CNAME" => match values.as_slice() {
            [one] => RecordData::Cname(normalize(one)),
            _ => return Err(format!("Invalid Resource Record: FATAL problem: RRSet of type CNAME with DNS name {name}. has more than one value")),
        },
        "TXT" => RecordData::Txt(values.iter().map(|v| v.trim_matches('"').to_string()).collect()),
        other => return Err(format!("record type {other} is not modelled by vpcsim: it models A, AAAA, CNAME and TXT records and alias A records")),
    };
    Ok(RecordSet { name, ttl, data })
}
