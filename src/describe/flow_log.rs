//! The AWS CLI's JSON for flow logs (`describe-flow-logs`, F1) and CloudWatch Logs
//! (`filter-log-events`, `describe-log-groups`).

use serde_json::{json, Value};

use super::{tags, timestamp};
use crate::apps::EPOCH_UNIX;
use crate::command::aws::log_filter::FilterPattern;
use crate::ids::{FlowLogId, LogGroupId};
use crate::model::flow_log::{FlowLogResource, LogDestination, LogEvent};
use crate::world::World;

/// describe-flow-logs: every live flow log.
pub fn flow_logs(w: &World) -> Value {
    let items: Vec<Value> = w.flow_logs().live().map(|(id, _)| flow_log(w, id)).collect();
    json!({"FlowLogs": items})
}

/// One flow log as describe-flow-logs prints it.
pub fn flow_log(w: &World, id: FlowLogId) -> Value {
    let f = &w[id];
    let resource = match f.resource {
        FlowLogResource::Eni(x) => &w[x].aws_id,
        FlowLogResource::Subnet(x) => &w[x].aws_id,
        FlowLogResource::Vpc(x) => &w[x].aws_id,
    };
    let mut v = json!({
        "CreationTime": timestamp(f.created_ms),
        "DeliverLogsStatus": "SUCCESS",
        "FlowLogId": f.aws_id,
        "FlowLogStatus": "ACTIVE",
        "ResourceId": resource,
        "TrafficType": f.traffic.as_str(),
        "LogDestinationType": f.destination.type_name(),
        "LogFormat": f.format.text(),
        "Tags": tags(&f.tags),
        "MaxAggregationInterval": f.max_aggregation_interval,
    });
    match &f.destination {
        LogDestination::CloudWatchLogs { group } => {
            v["LogGroupName"] = json!(group);
            v["LogDestination"] =
                json!(format!("arn:aws:logs:{}:{}:log-group:{group}", w.region().name, w.account_id()));
        }
        LogDestination::S3(dest) => {
            v["LogDestination"] = json!(dest.arn());
            v["DestinationOptions"] = json!({
                "FileFormat": "plain-text",
                "HiveCompatiblePartitions": dest.hive_compatible,
                "PerHourPartition": dest.per_hour,
            });
        }
    }
    if let Some(arn) = &f.deliver_logs_permission_arn {
        v["DeliverLogsPermissionArn"] = json!(arn);
    }
    v
}

/// What filter-log-events selects from one group.
#[derive(Clone, Debug)]
pub struct EventFilter<'a> {
    /// The pattern.
    pub pattern: &'a FilterPattern,
    /// Only these streams, when not empty.
    pub streams: &'a [String],
    /// Only streams named with this prefix.
    pub stream_prefix: Option<&'a str>,
    /// From this time (milliseconds, inclusive).
    pub start_ms: Option<i64>,
    /// Before this time (milliseconds, exclusive).
    pub end_ms: Option<i64>,
}

impl EventFilter<'_> {
    fn keeps(&self, e: &LogEvent) -> bool {
        (self.streams.is_empty() || self.streams.contains(&e.stream))
            && self.stream_prefix.is_none_or(|p| e.stream.starts_with(p))
            && self.start_ms.is_none_or(|t| e.timestamp_ms >= t)
            && self.end_ms.is_none_or(|t| e.timestamp_ms < t)
            && self.pattern.matches(&e.message)
    }
}

/// filter-log-events: the group's events that pass, by time (in the order written for
/// one time: health checks are written a run of checks at once, target by target).
pub fn filter_log_events(w: &World, g: LogGroupId, filter: &EventFilter<'_>) -> Value {
    let mut kept: Vec<&LogEvent> = w[g].events.iter().filter(|e| filter.keeps(e)).collect();
    kept.sort_by_key(|e| e.timestamp_ms);
    let events: Vec<Value> = kept
        .into_iter()
        .map(|e| {
            json!({
                "logStreamName": e.stream,
                "timestamp": e.timestamp_ms,
                "message": e.message,
                "ingestionTime": e.ingestion_ms,
                "eventId": e.event_id,
            })
        })
        .collect();
    json!({"events": events, "searchedLogStreams": []})
}

/// describe-log-groups: the live groups whose name starts with `prefix`, by name.
pub fn log_groups(w: &World, prefix: Option<&str>) -> Value {
    let mut groups: Vec<_> =
        w.log_groups().live().filter(|(_, g)| prefix.is_none_or(|p| g.name.starts_with(p))).collect();
    groups.sort_by(|a, b| a.1.name.cmp(&b.1.name));
    let items: Vec<Value> = groups
        .into_iter()
        .map(|(_, g)| {
            let mut v = json!({
                "logGroupName": g.name,
                "creationTime": EPOCH_UNIX * 1000 + g.created_ms as i64,
                "metricFilterCount": 0,
                "arn": g.arn,
                "storedBytes": g.events.iter().map(|e| e.message.len()).sum::<usize>(),
                "logGroupClass": "STANDARD",
                "logGroupArn": g.arn.trim_end_matches(":*"),
            });
            if let Some(days) = g.retention_days {
                v["retentionInDays"] = json!(days);
            }
            v
        })
        .collect();
    json!({"logGroups": items})
}
