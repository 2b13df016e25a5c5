//! elbv2 register-targets and deregister-targets: every target is resolved first.

use super::{empty, Answer};
use crate::command::aws::request::{Change, TargetText};
use crate::error::ApiError;
use crate::model::nlb::TargetRef;
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
