//! Flow log calls (F1): `ec2 create-flow-logs` and `delete-flow-logs` change the world;
//! `ec2 describe-flow-logs`, `logs filter-log-events`, `logs describe-log-groups` and
//! `s3api list-objects-v2` (the log files delivered to a bucket) read it.

use serde_json::{json, Value};

use super::Answer;
use crate::command::aws::request::FlowLogResourceType;
use crate::command::aws::Request;
use crate::describe::filter::{self as f, apply, only};
use crate::describe::flow_log::{self as j, EventFilter};
use crate::error::ApiError;
use crate::model::flow_log::FlowLogResource;
use crate::ops::flow_log::CreateFlowLog;
use crate::world::World;

/// The answer of a read-only flow log call, or `None` for any other call.
pub fn answer(w: &World, op: &str, request: &Request) -> Option<Answer> {
    Some(match request {
        Request::DescribeFlowLogs { ids, filters } => {
            let mut doc = j::flow_logs(w);
            let not_found = |id: &str| ("InvalidFlowLogId.NotFound", format!("Flow Log {id} does not exist"));
            only(op, &mut doc, "FlowLogs", "FlowLogId", ids, not_found)
                .and_then(|()| apply(op, &f::FLOW_LOGS, filters, &mut doc))
                .map(|()| doc)
        }
        Request::FilterLogEvents { group, pattern, streams, stream_prefix, start_ms, end_ms } => {
            match w.log_group_named(group) {
                Some(g) => {
                    let filter = EventFilter {
                        pattern,
                        streams,
                        stream_prefix: stream_prefix.as_deref(),
                        start_ms: *start_ms,
                        end_ms: *end_ms,
                    };
                    Ok(j::filter_log_events(w, g, &filter))
                }
                None => Err(ApiError::new(
                    op,
                    "ResourceNotFoundException",
                    "The specified log group does not exist.",
                )),
            }
        }
        Request::DescribeLogGroups { prefix } => Ok(j::log_groups(w, prefix.as_deref())),
        Request::ListObjectsV2 { bucket, prefix } => {
            crate::describe::s3::list_objects_v2(w, bucket, prefix.as_deref().unwrap_or_default())
        }
        _ => return None,
    })
}

/// Runs create-flow-logs or delete-flow-logs: every id is resolved before anything changes.
pub fn mutate(w: &mut World, op: &str, request: &Request) -> Answer {
    match request {
        Request::CreateFlowLogs {
            resource_ids,
            resource_type,
            traffic,
            destination,
            deliver_logs_permission_arn,
            format,
            max_aggregation_interval,
        } => {
            let mut resources = Vec::new();
            for id in resource_ids {
                resources.push(match resource_type {
                    FlowLogResourceType::Vpc => FlowLogResource::Vpc(w.vpc_id(op, id)?),
                    FlowLogResourceType::Subnet => FlowLogResource::Subnet(w.subnet_id(op, id)?),
                    FlowLogResourceType::NetworkInterface => FlowLogResource::Eni(w.eni_id(op, id)?),
                });
            }
            let created = w.transaction(|w| {
                resources
                    .into_iter()
                    .map(|resource| {
                        let fl = w.create_flow_log(CreateFlowLog {
                            resource,
                            traffic: *traffic,
                            destination: destination.clone(),
                            deliver_logs_permission_arn: deliver_logs_permission_arn.clone(),
                            format: format.clone(),
                            max_aggregation_interval: *max_aggregation_interval,
                            tags: Default::default(),
                        })?;
                        Ok(w[fl].aws_id.clone())
                    })
                    .collect::<Result<Vec<_>, ApiError>>()
            })?;
            Ok(json!({"FlowLogIds": created, "Unsuccessful": []}))
        }
        Request::DeleteFlowLogs { ids } => {
            let mut unsuccessful = Vec::new();
            for id in ids {
                match w.flow_log_id(op, id) {
                    Ok(fl) => w.delete_flow_log(fl)?,
                    Err(e) => unsuccessful.push(json!({
                        "Error": {"Code": e.code, "Message": e.message},
                        "ResourceId": id,
                    })),
                }
            }
            Ok(json!({"Unsuccessful": Value::Array(unsuccessful)}))
        }
        _ => Err(ApiError::new(op, "UnsupportedOperation", format!("vpcsim does not simulate {op}"))),
    }
}
