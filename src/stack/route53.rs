//! `AWS::Route53::HostedZone`, `RecordSet` and `RecordSetGroup` (Z1): a private zone's
//! VPCs (in this region), its A, AAAA, CNAME and TXT records and alias A records to a
//! load balancer's or an endpoint's DNS name. A zone without `VPCs` is public: created,
//! with a warning that public DNS is not modelled (its records answer no query).

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::cfn::{AttrValue, Created, SinkError, SinkWarning};
use crate::ids::HostedZoneId;
use crate::model::hosted_zone::{normalize, RecordData, RecordSet};
use crate::ops::route53::{Change, ChangeAction, CreateHostedZone};
use crate::world::Handle;

use super::props::{bad, bad_hint, item, Props};
use super::{api, created, s, StackBuilder};

/// The record types vpcsim answers or keeps.
const RECORD_TYPES: [&str; 4] = ["A", "AAAA", "CNAME", "TXT"];

impl StackBuilder<'_> {
    pub(super) fn hosted_zone(&mut self, p: Props<'_>) -> Result<Created, SinkError> {
        let mut vpcs = Vec::new();
        for (path, v) in p.maps("VPCs")? {
            let v = item(v, &path);
            let region = v.str("VPCRegion")?;
            if region != self.world.region().name {
                return Err(bad_hint(
                    &format!("{path}.VPCRegion"),
                    format!("a VPC of region {region} is not modelled"),
                    "vpcsim simulates one region; associate VPCs of this region only",
                ));
            }
            let id = v.str("VPCId")?;
            vpcs.push(
                self.world
                    .vpc_id("CreateHostedZone", &id)
                    .map_err(|e| api(e, Some(&format!("{path}.VPCId"))))?,
            );
        }
        let comment = match p.get("HostedZoneConfig") {
            Some(c) => item(c, "HostedZoneConfig").opt_str("Comment")?.unwrap_or_default(),
            None => String::new(),
        };
        if vpcs.is_empty() {
            self.warnings.push(SinkWarning {
                property: "VPCs".into(),
                message: "a hosted zone without VPCs is public: public DNS is not modelled, so its records answer no query".into(),
            });
        }
        let req = CreateHostedZone { name: p.str("Name")?, vpcs, comment, caller_reference: String::new() };
        let zone = self.world.create_hosted_zone(req).map_err(|e| api(e, Some("Name")))?;
        let id = self.world[zone].aws_id.clone();
        Ok(created(id.clone(), &[("Id", s(id)), ("NameServers", AttrValue::List(Vec::new()))]))
    }

    pub(super) fn record_set(&mut self, p: Props<'_>) -> Result<Created, SinkError> {
        let zone = self.zone_of(&p, "")?;
        let record = self.record(&p, "")?;
        let (name, ty) = (record.name.clone(), record.data.type_name());
        self.change(zone, vec![record], "Name")?;
        let keys = AttrValue::List(vec![format!("{name} {ty}")]);
        Ok(created(name, &[("HostedZoneId", s(&self.world[zone].aws_id)), ("RecordKeys", keys)]))
    }

    pub(super) fn record_set_group(&mut self, logical_id: &str, p: Props<'_>) -> Result<Created, SinkError> {
        let zone = self.zone_of(&p, "")?;
        let mut records = Vec::new();
        for (path, node) in p.maps("RecordSets")? {
            let warnings = super::properties::check("AWS::Route53::RecordSet", node).map_err(|mut e| {
                e.property = e.property.map(|k| format!("{path}.{k}"));
                e
            })?;
            self.warnings.extend(
                warnings.into_iter().map(|w| SinkWarning { property: format!("{path}.{}", w.property), ..w }),
            );
            let r = item(node, &path);
            let names_zone = r.get("HostedZoneId").is_some() || r.get("HostedZoneName").is_some();
            if names_zone && self.zone_of(&r, &path)? != zone {
                return Err(bad(&path, "a record set of a group must be in the group's hosted zone"));
            }
            records.push(self.record(&r, &path)?);
        }
        let keys = records.iter().map(|r| format!("{} {}", r.name, r.data.type_name())).collect();
        self.change(zone, records, "RecordSets")?;
        let id = format!("{}-{logical_id}", self.stack_name);
        Ok(created(
            id,
            &[("HostedZoneId", s(&self.world[zone].aws_id)), ("RecordKeys", AttrValue::List(keys))],
        ))
    }

    /// CREATE changes of `records` as one batch.
    fn change(&mut self, zone: HostedZoneId, records: Vec<RecordSet>, at: &str) -> Result<(), SinkError> {
        let changes =
            records.into_iter().map(|record| Change { action: ChangeAction::Create, record }).collect();
        self.world.change_resource_record_sets(zone, changes).map_err(|e| api(e, Some(at)))
    }

    /// The zone named by `HostedZoneId` or `HostedZoneName` (exactly one of them).
    fn zone_of(&self, p: &Props<'_>, path: &str) -> Result<HostedZoneId, SinkError> {
        let at = |k: &str| if path.is_empty() { k.to_string() } else { format!("{path}.{k}") };
        match (p.opt_str("HostedZoneId")?, p.opt_str("HostedZoneName")?) {
            (Some(id), None) => self
                .world
                .hosted_zone_id("ChangeResourceRecordSets", &id)
                .map_err(|e| api(e, Some(&at("HostedZoneId")))),
            (None, Some(name)) => self
                .world
                .hosted_zone_named(&name)
                .ok_or_else(|| bad(&at("HostedZoneName"), format!("no hosted zone is named {name}"))),
            _ => Err(bad(
                &if path.is_empty() { "HostedZoneId".to_string() } else { path.to_string() },
                "give exactly one of HostedZoneId and HostedZoneName",
            )),
        }
    }

    /// One record set's Name, Type, TTL and ResourceRecords or AliasTarget.
    fn record(&mut self, p: &Props<'_>, path: &str) -> Result<RecordSet, SinkError> {
        let at = |k: &str| if path.is_empty() { k.to_string() } else { format!("{path}.{k}") };
        let name = normalize(&p.str("Name")?);
        let ty = p.str("Type")?;
        if !RECORD_TYPES.contains(&ty.as_str()) {
            return Err(bad_hint(
                &at("Type"),
                format!("record type {ty} is not modelled"),
                "vpcsim models A, AAAA, CNAME and TXT records and alias A records",
            ));
        }
        if let Some(alias) = p.get("AliasTarget") {
            return self.alias(
                &name,
                &ty,
                item(alias, "AliasTarget"),
                &at("AliasTarget"),
                p.get("TTL").is_some(),
            );
        }
        let ttl = p
            .opt_int_in("TTL", 0, 2_147_483_647)?
            .ok_or_else(|| bad(&at("TTL"), "TTL is required for a record set without AliasTarget"))?;
        let values = p.str_list("ResourceRecords")?;
        let bad_value = |v: &str| bad(&at("ResourceRecords"), format!("{v} is not a valid {ty} value"));
        let data = match ty.as_str() {
            "A" => RecordData::A(
                values
                    .iter()
                    .map(|v| v.parse::<Ipv4Addr>().map_err(|_| bad_value(v)))
                    .collect::<Result<_, _>>()?,
            ),
            "AAAA" => {
                for v in &values {
                    v.parse::<Ipv6Addr>().map_err(|_| bad_value(v))?;
                }
                RecordData::Aaaa(values)
            }
            "CNAME" => match values.as_slice() {
                [one] => RecordData::Cname(normalize(one)),
                _ => return Err(bad(&at("ResourceRecords"), "a CNAME record set has exactly one value")),
            },
            _ => RecordData::Txt(values.iter().map(|v| v.trim_matches('"').to_string()).collect()),
        };
        Ok(RecordSet { name, ttl: ttl as u32, data })
    }

    /// An alias A record to a load balancer's or an endpoint's DNS name.
    fn alias(
        &mut self,
        name: &str,
        ty: &str,
        a: Props<'_>,
        path: &str,
        has_ttl: bool,
    ) -> Result<RecordSet, SinkError> {
        if ty != "A" {
            return Err(bad(
                path,
                format!("an alias {ty} record is not modelled: vpcsim models alias A records"),
            ));
        }
        if has_ttl {
            return Err(bad(path, "a record set with AliasTarget takes its target's TTL: remove TTL"));
        }
        a.str("HostedZoneId")?;
        let target = normalize(&a.str("DNSName")?);
        let target = target.strip_prefix("dualstack.").map(str::to_string).unwrap_or(target);
        if !self.world.alias_target_exists(&target) {
            return Err(bad(
                &format!("{path}.DNSName"),
                format!("{target} is not the DNS name of a load balancer or a VPC endpoint of this region"),
            ));
        }
        if a.opt_bool("EvaluateTargetHealth")? == Some(true) {
            self.warnings.push(SinkWarning {
                property: format!("{path}.EvaluateTargetHealth"),
                message: "EvaluateTargetHealth changes nothing here: without failover records the alias answers what its target's name answers (healthy AZs of a load balancer)".into(),
            });
        }
        Ok(RecordSet { name: name.to_string(), ttl: 60, data: RecordData::Alias(target) })
    }

    /// Deletes what a RecordSet or RecordSetGroup created.
    pub(super) fn remove_records(&mut self, c: &Created) -> Result<(), SinkError> {
        let (Some(AttrValue::Str(zone)), Some(AttrValue::List(keys))) =
            (c.attributes.get("HostedZoneId"), c.attributes.get("RecordKeys"))
        else {
            return Ok(());
        };
        let Ok(zone) = self.world.hosted_zone_id("ChangeResourceRecordSets", zone) else { return Ok(()) };
        let z = &self.world[zone];
        let gone: Vec<Change> = z
            .records
            .iter()
            .filter(|r| keys.contains(&format!("{} {}", r.name, r.data.type_name())))
            .map(|r| Change { action: ChangeAction::Delete, record: r.clone() })
            .collect();
        self.world.change_resource_record_sets(zone, gone).map_err(|e| api(e, None))
    }

    /// Deletes a hosted zone.
    pub(super) fn remove_hosted_zone(&mut self, c: &Created) -> Result<(), SinkError> {
        match self.world.find(&c.physical_id) {
            Some(Handle::HostedZone(z)) => self.world.delete_hosted_zone(z).map_err(|e| api(e, None)),
            _ => Ok(()),
        }
    }
}
