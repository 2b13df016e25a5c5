//! `aws route53 ...` (Z1): hosted zones, their VPCs and record sets, and the changes
//! Route 53 reports (`/change/C...`, PENDING, then INSYNC on the virtual clock). A zone
//! created without `--vpc` is public: modelled and listed, answering no query inside a
//! VPC (public DNS is not modelled).

use serde_json::{json, Value};

use super::{empty, Answer};
use crate::command::aws::request::route53::{changes, ChangeBatch, Route53Request, VpcRef};
use crate::error::ApiError;
use crate::ids::{HostedZoneId, VpcId};
use crate::model::hosted_zone::{HostedZone, RecordData, RecordSet};
use crate::ops::route53::{Change, ChangeAction, CreateHostedZone};
use crate::session::Session;
use crate::world::World;

/// Runs one Route 53 call.
pub(super) fn run(s: &mut Session, op: &str, request: &Route53Request) -> Answer {
    use Route53Request as R;
    match request {
        R::CreateHostedZone { name, caller_reference, vpc, comment, private_zone } => {
            create(&mut s.world, op, name, caller_reference, vpc.as_ref(), comment.clone(), *private_zone)
        }
        R::GetHostedZone { id } => {
            let w = &s.world;
            let z = w.hosted_zone_id(op, id)?;
            let mut out = json!({"HostedZone": zone(&w[z])});
            describe_servers(w, &w[z], &mut out);
            Ok(out)
        }
        R::ListHostedZones { private_only } => {
            let w = &s.world;
            let zones = w.hosted_zones().live().filter(|(_, z)| z.is_private() || !private_only);
            let zones: Vec<Value> = zones.map(|(_, z)| zone(z)).collect();
            Ok(json!({"HostedZones": zones, "IsTruncated": false, "MaxItems": "100"}))
        }
        R::ListHostedZonesByVpc { vpc } => {
            let w = &s.world;
            let v = vpc_of(w, op, vpc)?;
            let zones = w.hosted_zones().live().filter(|(_, z)| z.vpcs.contains(&v));
            let summaries: Vec<Value> = zones
                .map(|(_, z)| {
                    json!({
                        "HostedZoneId": z.aws_id,
                        "Name": format!("{}.", z.name),
                        "Owner": {"OwningAccount": w.account_id()},
                    })
                })
                .collect();
            Ok(json!({"HostedZoneSummaries": summaries, "MaxItems": "100"}))
        }
        R::VpcAssociation { associate, zone_id, vpc, comment } => {
            let w = &mut s.world;
            let z = w.hosted_zone_id(op, zone_id)?;
            let v = vpc_of(w, op, vpc)?;
            if *associate {
                w.associate_vpc_with_hosted_zone(z, v)?;
            } else {
                w.disassociate_vpc_from_hosted_zone(z, v)?;
            }
            let change = w.record_route53_change(z, comment.clone());
            Ok(json!({"ChangeInfo": change_info(w, &change)}))
        }
        R::ChangeResourceRecordSets { zone_id, batch } => {
            let batch = batch_json(s, op, batch)?;
            let w = &mut s.world;
            let z = w.hosted_zone_id(op, zone_id)?;
            let list = changes(&batch)?;
            check_aliases(w, op, z, &list)?;
            w.change_resource_record_sets(z, list)?;
            let comment = batch.get("Comment").and_then(Value::as_str).map(str::to_string);
            let change = w.record_route53_change(z, comment);
            Ok(json!({"ChangeInfo": change_info(w, &change)}))
        }
        R::ListResourceRecordSets { zone_id } => {
            let w = &s.world;
            let z = w.hosted_zone_id(op, zone_id)?;
            Ok(json!({"ResourceRecordSets": record_sets(w, &w[z]), "IsTruncated": false, "MaxItems": "300"}))
        }
        R::DeleteHostedZone { id } => {
            let w = &mut s.world;
            let z = w.hosted_zone_id(op, id)?;
            w.delete_hosted_zone(z)?;
            let change = w.record_route53_change(z, None);
            Ok(json!({"ChangeInfo": change_info(w, &change)}))
        }
        R::GetChange { id } => {
            let w = &s.world;
            let id = id.strip_prefix("/change/").unwrap_or(id);
            if w.route53_change(id).is_none() {
                return Err(ApiError::new(
                    op,
                    "NoSuchChange",
                    format!("A change with the specified change ID {id} does not exist."),
                ));
            }
            Ok(json!({"ChangeInfo": change_info(w, id)}))
        }
    }
}

/// CreateHostedZone: private with `--vpc`, public without.
fn create(
    w: &mut World,
    op: &str,
    name: &str,
    caller_reference: &str,
    vpc: Option<&VpcRef>,
    comment: Option<String>,
    private_zone: Option<bool>,
) -> Answer {
    let input = |m: &str| ApiError::new(op, "InvalidInput", m.to_string());
    match (vpc, private_zone) {
        (None, Some(true)) => {
            return Err(input(
                "Invalid request: a private hosted zone needs --vpc VPCRegion=REGION,VPCId=VPC",
            ))
        }
        (Some(_), Some(false)) => {
            return Err(input(
                "Invalid request: --vpc makes the hosted zone private; PrivateZone=false contradicts it",
            ))
        }
        _ => {}
    }
    let vpcs = match vpc {
        Some(v) => vec![vpc_of(w, op, v)?],
        None => Vec::new(),
    };
    let req = CreateHostedZone {
        name: name.to_string(),
        vpcs,
        comment: comment.clone().unwrap_or_default(),
        caller_reference: caller_reference.to_string(),
    };
    let z = w.create_hosted_zone(req)?;
    let change = w.record_route53_change(z, None);
    let hz = &w[z];
    let mut out = json!({
        "Location": format!("https://route53.amazonaws.com/2013-04-01/hostedzone/{}", hz.aws_id),
        "HostedZone": zone(hz),
        "ChangeInfo": change_info(w, &change),
    });
    match vpc {
        Some(v) => out["VPC"] = json!({"VPCRegion": v.region, "VPCId": v.id}),
        None => out["DelegationSet"] = json!({"NameServers": name_servers(hz)}),
    }
    Ok(out)
}

/// Z1: an alias record set names a load balancer's or an endpoint's DNS name.
fn check_aliases(w: &World, op: &str, z: HostedZoneId, list: &[Change]) -> Result<(), ApiError> {
    let unknown = list.iter().find_map(|c| match &c.record.data {
        RecordData::Alias(t) if c.action != ChangeAction::Delete && !w.alias_target_exists(t) => Some(t),
        _ => None,
    });
    match unknown {
        Some(t) => Err(ApiError::new(
            op,
            "InvalidChangeBatch",
            format!(
                "[Tried to create an alias that targets {t}., type A in zone {}, but {t} is not the DNS name of a load balancer or a VPC endpoint of this region]",
                w[z].aws_id
            ),
        )),
        None => Ok(()),
    }
}

/// The VPC `--vpc` names, in this region (vpcsim simulates one).
fn vpc_of(w: &World, op: &str, v: &VpcRef) -> Result<VpcId, ApiError> {
    let invalid = |why: String| ApiError::new(op, "InvalidVPCId", why);
    if v.region != w.region().name {
        return Err(invalid(format!(
            "The VPC {} in region {} is not valid: vpcsim simulates one region, {}",
            v.id,
            v.region,
            w.region().name
        )));
    }
    w.vpc_id(op, &v.id).map_err(|_| invalid(format!("The VPC ID '{}' is not valid or does not exist", v.id)))
}

/// `--change-batch`: the JSON given, or the file's, read relative to the scenario's folder.
fn batch_json(s: &Session, op: &str, batch: &ChangeBatch) -> Result<Value, ApiError> {
    match batch {
        ChangeBatch::Json(v) => Ok(v.clone()),
        ChangeBatch::File(name) => super::json_file(s, op, "change-batch", name),
    }
}

/// A hosted zone as Route 53 lists it.
fn zone(z: &HostedZone) -> Value {
    let mut config = json!({"PrivateZone": z.is_private()});
    if !z.comment.is_empty() {
        config["Comment"] = json!(z.comment);
    }
    json!({
        "Id": format!("/hostedzone/{}", z.aws_id),
        "Name": format!("{}.", z.name),
        "CallerReference": z.caller_reference,
        "Config": config,
        "ResourceRecordSetCount": z.records.len() + 2,
    })
}

/// get-hosted-zone's VPCs of a private zone, or name servers of a public one.
fn describe_servers(w: &World, z: &HostedZone, out: &mut Value) {
    if z.is_private() {
        let vpcs: Vec<Value> =
            z.vpcs.iter().map(|v| json!({"VPCRegion": w.region().name, "VPCId": w[*v].aws_id})).collect();
        out["VPCs"] = json!(vpcs);
    } else {
        out["DelegationSet"] = json!({"NameServers": name_servers(z)});
    }
}

/// The zone's four name servers: AWS's fixed ones for a private zone, four drawn from
/// the zone's id for a public one.
fn name_servers(z: &HostedZone) -> Vec<String> {
    if z.is_private() {
        return crate::model::hosted_zone::PRIVATE_NAME_SERVERS.map(String::from).to_vec();
    }
    let h = crate::ops::prefix_list::stable_hash(&z.aws_id);
    ["com", "net", "org", "co.uk"]
        .iter()
        .enumerate()
        .map(|(i, tld)| {
            let n = (h >> (16 * i)) & 0xffff;
            format!("ns-{}.awsdns-{:02}.{tld}", n % 512 + 512 * i as u64, n % 64)
        })
        .collect()
}

/// list-resource-record-sets: the apex NS and SOA, then the record sets, by name with its
/// labels reversed, then type, as Route 53 sorts them.
fn record_sets(w: &World, z: &HostedZone) -> Vec<Value> {
    let apex = format!("{}.", z.name);
    let servers = name_servers(z);
    let soa = format!("{}. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400", servers[0]);
    let mut items: Vec<(String, &str, Value)> = vec![
        (
            z.name.clone(),
            "NS",
            json!({"Name": apex, "Type": "NS", "TTL": 172800, "ResourceRecords": servers.iter().map(|s| json!({"Value": format!("{s}.")})).collect::<Vec<_>>()}),
        ),
        (
            z.name.clone(),
            "SOA",
            json!({"Name": apex, "Type": "SOA", "TTL": 900, "ResourceRecords": [{"Value": soa}]}),
        ),
    ];
    items.extend(z.records.iter().map(|r| (r.name.clone(), r.data.type_name(), record(w, r))));
    items.sort_by(|a, b| reversed(&a.0).cmp(&reversed(&b.0)).then(a.1.cmp(b.1)));
    items.into_iter().map(|(_, _, v)| v).collect()
}

fn reversed(name: &str) -> Vec<&str> {
    name.rsplit('.').collect()
}

/// One record set as Route 53 prints it.
fn record(w: &World, r: &RecordSet) -> Value {
    let name = format!("{}.", r.name);
    let values = |vs: Vec<String>| json!({"Name": name, "Type": r.data.type_name(), "TTL": r.ttl, "ResourceRecords": vs.into_iter().map(|v| json!({"Value": v})).collect::<Vec<_>>()});
    match &r.data {
        RecordData::A(a) => values(a.iter().map(ToString::to_string).collect()),
        RecordData::Aaaa(a) => values(a.clone()),
        RecordData::Cname(c) => values(vec![format!("{c}.")]),
        RecordData::Txt(t) => values(t.iter().map(|s| format!("\"{s}\"")).collect()),
        RecordData::Alias(target) => json!({
            "Name": name,
            "Type": "A",
            "AliasTarget": {
                "HostedZoneId": w.alias_target_zone(target),
                "DNSName": format!("{target}."),
                "EvaluateTargetHealth": false,
            },
        }),
    }
}

/// A change as get-change and the changing calls print it.
fn change_info(w: &World, id: &str) -> Value {
    let Some(c) = w.route53_change(id) else { return empty() };
    let mut info = json!({
        "Id": format!("/change/{}", c.id),
        "Status": w.route53_change_status(c),
        "SubmittedAt": crate::describe::timestamp(c.submitted_ms),
    });
    if let Some(comment) = &c.comment {
        info["Comment"] = json!(comment);
    }
    info
}
