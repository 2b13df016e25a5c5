//! The AWS CLI's JSON for CloudFormation stacks: `describe-stacks` (each stack's id,
//! creation time, status with its reason, outputs) and `describe-stack-events` (newest
//! first, timestamps on the virtual clock).

use serde_json::{json, Value};

use super::timestamp;
use crate::cfn::Stack;
use crate::stack::events::StackRecord;

/// One stack as describe-stacks lists it.
#[derive(Clone, Copy, Debug)]
pub struct StackSummary<'a> {
    /// Its name.
    pub name: &'a str,
    /// Its id.
    pub id: &'a str,
    /// When its creation began, when known.
    pub created_ms: Option<u64>,
    /// `CREATE_COMPLETE`, `ROLLBACK_COMPLETE`, `DELETE_FAILED`, ...
    pub status: &'a str,
    /// Why, when CloudFormation says.
    pub reason: Option<&'a str>,
    /// What it holds (none for a stack that rolled back).
    pub stack: Option<&'a Stack>,
}

/// describe-stacks.
pub fn stacks<'a>(items: impl Iterator<Item = StackSummary<'a>>) -> Value {
    let items: Vec<Value> = items.map(stack).collect();
    json!({"Stacks": items})
}

fn stack(s: StackSummary<'_>) -> Value {
    let mut v = json!({"StackId": s.id, "StackName": s.name});
    if let Some(ms) = s.created_ms {
        v["CreationTime"] = json!(timestamp(ms));
    }
    v["StackStatus"] = json!(s.status);
    if let Some(reason) = s.reason {
        v["StackStatusReason"] = json!(reason);
    }
    v["DisableRollback"] = json!(false);
    let outputs: Vec<Value> = s
        .stack
        .map(|st| st.outputs.iter().map(|(k, v)| json!({"OutputKey": k, "OutputValue": v})).collect())
        .unwrap_or_default();
    if !outputs.is_empty() {
        v["Outputs"] = json!(outputs);
    }
    v
}

/// describe-stack-events: the stack's events, newest first, as CloudFormation lists them.
pub fn stack_events(record: &StackRecord) -> Value {
    let items: Vec<Value> = record
        .events
        .iter()
        .rev()
        .map(|e| {
            let mut v = json!({
                "StackId": record.id,
                "EventId": e.event_id,
                "StackName": record.name,
                "LogicalResourceId": e.event.logical_id,
                "PhysicalResourceId": e.event.physical_id,
                "ResourceType": e.event.resource_type,
                "Timestamp": timestamp(e.at_ms),
                "ResourceStatus": e.event.status.as_str(),
            });
            if let Some(reason) = &e.event.reason {
                v["ResourceStatusReason"] = json!(reason);
            }
            v
        })
        .collect();
    json!({"StackEvents": items})
}
