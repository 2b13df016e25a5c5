//! `AWS::EC2::FlowLog` and `AWS::Logs::LogGroup` (F1): a flow log on an interface, a
//! subnet or a VPC, writing to a CloudWatch Logs group (Ref: its name) or an S3 bucket.

use super::props::{bad, item};
use super::{api, created, s, Props, StackBuilder};
use crate::cfn::{Created, SinkError};
use crate::model::flow_log::{FlowLogResource, LogDestination, LogFormat, S3Destination, TrafficType};
use crate::ops::flow_log::CreateFlowLog;
use crate::yaml::Node;

impl StackBuilder<'_> {
    /// AWS::EC2::FlowLog: ResourceId and ResourceType, TrafficType, LogDestinationType with
    /// LogGroupName or LogDestination, DeliverLogsPermissionArn, LogFormat, MaxAggregationInterval.
    pub(super) fn flow_log(&mut self, p: Props<'_>) -> Result<Created, SinkError> {
        const OP: &str = "CreateFlowLogs";
        let id = p.str("ResourceId")?;
        let w = &*self.world;
        let resource = match p.str("ResourceType")?.as_str() {
            "NetworkInterface" => {
                FlowLogResource::Eni(w.eni_id(OP, &id).map_err(|e| api(e, Some("ResourceId")))?)
            }
            "Subnet" => {
                FlowLogResource::Subnet(w.subnet_id(OP, &id).map_err(|e| api(e, Some("ResourceId")))?)
            }
            "VPC" => FlowLogResource::Vpc(w.vpc_id(OP, &id).map_err(|e| api(e, Some("ResourceId")))?),
            other @ ("TransitGateway" | "TransitGatewayAttachment" | "RegionalNatGateway") => {
                return Err(bad("ResourceType", format!("flow logs on a {other} are not modelled by vpcsim")))
            }
            other => {
                return Err(bad(
                    "ResourceType",
                    format!("{other} is not a flow log resource type (NetworkInterface, Subnet or VPC)"),
                ))
            }
        };
        let traffic = match p.opt_str("TrafficType")? {
            None => return Err(bad("TrafficType", "TrafficType is required (ACCEPT, REJECT or ALL)")),
            Some(t) => TrafficType::parse(&t)
                .ok_or_else(|| bad("TrafficType", format!("{t} is not ACCEPT, REJECT or ALL")))?,
        };
        let destination = destination(&p)?;
        let format = match p.opt_str("LogFormat")? {
            Some(text) => LogFormat::parse(&text).map_err(|e| bad("LogFormat", e.to_string()))?,
            None => LogFormat::default(),
        };
        let max_aggregation_interval =
            p.opt_int("MaxAggregationInterval")?.map(|i| i.clamp(0, 100_000) as u32);
        let req = CreateFlowLog {
            resource,
            traffic,
            destination,
            deliver_logs_permission_arn: p.opt_str("DeliverLogsPermissionArn")?,
            format,
            max_aggregation_interval,
            tags: p.tags()?,
        };
        let property = match req.max_aggregation_interval {
            Some(i) if i != 60 && i != 600 => "MaxAggregationInterval",
            _ => "DeliverLogsPermissionArn",
        };
        let fl = self.world.create_flow_log(req).map_err(|e| api(e, Some(property)))?;
        Ok(created(&self.world[fl].aws_id, &[("Id", s(&self.world[fl].aws_id))]))
    }

    /// AWS::Logs::LogGroup: LogGroupName (generated from the stack when absent), RetentionInDays.
    pub(super) fn log_group(&mut self, logical_id: &str, p: Props<'_>) -> Result<Created, SinkError> {
        let name = match p.opt_str("LogGroupName")? {
            Some(n) => n,
            None => {
                let suffix = self.world.id_stream().alnum(12);
                format!("{}-{logical_id}-{suffix}", self.stack_name)
            }
        };
        let retention = p.opt_int("RetentionInDays")?.map(|d| d.clamp(0, i64::from(u32::MAX)) as u32);
        let g = self.world.create_log_group(&name, retention).map_err(|e| api(e, Some("LogGroupName")))?;
        Ok(created(&name, &[("Arn", s(&self.world[g].arn))]))
    }

    /// Deletes a stack's log group, found by its name.
    pub(super) fn remove_log_group(&mut self, c: &Created) -> Result<(), SinkError> {
        if let Some(g) = self.world.log_group_named(&c.physical_id) {
            self.world.delete_log_group(g).map_err(|e| api(e, None))?;
        }
        Ok(())
    }

    /// Deletes a stack's flow log.
    pub(super) fn remove_flow_log(&mut self, c: &Created) -> Result<(), SinkError> {
        if let Ok(fl) = self.world.flow_log_id("DeleteFlowLogs", &c.physical_id) {
            self.world.delete_flow_log(fl).map_err(|e| api(e, None))?;
        }
        Ok(())
    }
}

/// DestinationOptions of an s3 flow log: FileFormat (plain-text; parquet refused),
/// HiveCompatiblePartitions and PerHourPartition (the key layout).
fn destination_options(node: &Node, dest: &mut S3Destination) -> Result<(), SinkError> {
    let o = item(node, "DestinationOptions");
    if let Some(entries) = node.as_map() {
        for (k, _) in entries {
            let known = ["FileFormat", "HiveCompatiblePartitions", "PerHourPartition"];
            let key = &k.name;
            if !known.contains(&key.as_str()) {
                return Err(bad(
                    &o.path(key),
                    format!("Encountered unsupported property {key} in DestinationOptions (FileFormat, HiveCompatiblePartitions, PerHourPartition)"),
                ));
            }
        }
    }
    if let Some(format) = o.opt_str("FileFormat")? {
        S3Destination::check_file_format(&format).map_err(|e| bad(&o.path("FileFormat"), e.to_string()))?;
    }
    dest.hive_compatible = o.opt_bool("HiveCompatiblePartitions")?.unwrap_or(false);
    dest.per_hour = o.opt_bool("PerHourPartition")?.unwrap_or(false);
    Ok(())
}

/// LogDestinationType (cloud-watch-logs by default) with LogGroupName or a LogDestination ARN.
fn destination(p: &Props<'_>) -> Result<LogDestination, SinkError> {
    if p.get("DestinationOptions").is_some() && p.opt_str("LogDestinationType")?.as_deref() != Some("s3") {
        return Err(bad("DestinationOptions", "DestinationOptions applies to an s3 flow log only"));
    }
    let group = p.opt_str("LogGroupName")?;
    let arn = p.opt_str("LogDestination")?;
    match p.opt_str("LogDestinationType")?.as_deref() {
        None | Some("cloud-watch-logs") => match (group, arn) {
            (Some(_), Some(_)) => Err(bad("LogDestination", "give LogGroupName or LogDestination, not both")),
            (Some(group), None) => Ok(LogDestination::CloudWatchLogs { group }),
            (None, Some(arn)) => {
                let group = arn
                    .split(":log-group:")
                    .nth(1)
                    .map(|g| g.trim_end_matches(":*").to_string())
                    .filter(|g| arn.starts_with("arn:aws:logs:") && !g.is_empty())
                    .ok_or_else(|| {
                        bad("LogDestination", format!("{arn} is not a CloudWatch Logs log group ARN"))
                    })?;
                Ok(LogDestination::CloudWatchLogs { group })
            }
            (None, None) => {
                Err(bad("LogGroupName", "a cloud-watch-logs flow log needs LogGroupName or LogDestination"))
            }
        },
        Some("s3") => match (group, arn) {
            (Some(_), _) => Err(bad("LogGroupName", "an s3 flow log takes LogDestination, not LogGroupName")),
            (None, Some(arn)) => {
                let mut dest =
                    S3Destination::parse(&arn).map_err(|e| bad("LogDestination", e.to_string()))?;
                if let Some(node) = p.get("DestinationOptions") {
                    destination_options(node, &mut dest)?;
                }
                Ok(LogDestination::S3(dest))
            }
            (None, None) => {
                Err(bad("LogDestination", "an s3 flow log needs LogDestination (the bucket's ARN)"))
            }
        },
        Some("kinesis-data-firehose") => {
            Err(bad("LogDestinationType", "flow logs to Kinesis Data Firehose are not modelled by vpcsim"))
        }
        Some(other) => Err(bad(
            "LogDestinationType",
            format!("{other} is not cloud-watch-logs, s3 or kinesis-data-firehose"),
        )),
    }
}
