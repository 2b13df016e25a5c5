//! elbv2 register-targets and deregister-targets (every target is resolved first),
//! modify-target-group-attributes and set-security-groups.

use serde_json::json;

use super::{empty, Answer};
use crate::command::aws::request::{Change, TargetText};
use crate::error::ApiError;
use crate::model::nlb::{TargetGroupAttribute, TargetRef};
use crate::ops::elbv2::TargetSpec;
use crate::world::{Handle, World};

/// Registers or deregisters `targets` (an instance id or an IP address each).
pub fn targets(w: &mut World, op: &str, change: Change, arn: &str, targets: &[TargetText]) -> Answer {
    let tg = w.target_group_id(op, arn)?;
    let mut specs = Vec::new();
    for t in targets {
        let target = match (t.id.parse(), w.find(&t.id)) {
            (Ok(ip), _) => TargetRef::Ip(ip),
            (_, Some(Handle::Instance(i))) => TargetRef::Instance(i),
            _ => {
                return Err(ApiError::new(op, "InvalidTarget", format!("The target {} does not exist", t.id)))
            }
        };
        specs.push(TargetSpec { target, port: t.port });
    }
    match change {
        Change::Add => w.register_targets(tg, &specs)?,
        Change::Remove => w.deregister_targets(tg, &specs)?,
    }
    Ok(empty())
}

/// ModifyTargetGroupAttributes: answers every modelled attribute, as AWS does.
pub fn modify_target_group_attributes(
    w: &mut World,
    op: &str,
    arn: &str,
    attributes: &[TargetGroupAttribute],
) -> Answer {
    let tg = w.target_group_id(op, arn)?;
    w.modify_target_group_attributes(tg, attributes);
    Ok(crate::describe::target_group_attributes(w, tg))
}

/// SetSecurityGroups: every group is resolved first.
pub fn set_security_groups(
    w: &mut World,
    op: &str,
    arn: &str,
    groups: &[String],
    enforce_on_privatelink: Option<bool>,
) -> Answer {
    let lb = w.lb_id(op, arn)?;
    let groups = groups.iter().map(|g| w.sg_id(op, g)).collect::<Result<Vec<_>, _>>()?;
    w.set_security_groups(lb, &groups, enforce_on_privatelink)?;
    let l = &w[lb];
    Ok(json!({
        "SecurityGroupIds": l.security_groups.iter().map(|g| w[g].aws_id.clone()).collect::<Vec<_>>(),
        "EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic": if l.enforce_sg_on_privatelink { "on" } else { "off" },
    }))
}
