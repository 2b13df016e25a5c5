//! `aws ec2 run-instances`: instances started by hand, from flags or a launch template;
//! what they listen on comes from `--user-data` as from a template's UserData.

use super::Answer;
use crate::command::aws::request::RunInstancesSpec;
use crate::error::ApiError;
use crate::model::autoscaling::{LaunchKind, LaunchSpec};
use crate::model::instance::ImageFamily;
use crate::ops::ec2::RunInstance;
use crate::world::World;

/// RunInstances: every id is resolved first; the instances launch together or not at all.
pub fn run_instances(w: &mut World, op: &str, spec: &RunInstancesSpec) -> Answer {
    let base = match &spec.launch_template {
        Some(id) => {
            let lt = w.launch_template_id(op, id, LaunchKind::Template)?;
            w[lt].spec.clone()
        }
        None => LaunchSpec { services: ImageFamily::default().default_services(), ..LaunchSpec::default() },
    };
    let subnet = match &spec.subnet_id {
        Some(id) => w.subnet_id(op, id)?,
        None => {
            return Err(ApiError::new(
                op,
                "MissingParameter",
                "The request must contain the parameter SubnetId (no default VPC in vpcsim).",
            ))
        }
    };
    let mut groups = Vec::new();
    for id in &spec.security_group_ids {
        groups.push(w.sg_id(op, id)?);
    }
    if spec.count == 0 {
        return Err(ApiError::new(
            op,
            "InvalidParameterValue",
            "Value (0) for parameter MinCount is invalid.",
        ));
    }
    if spec.count > 1 && spec.private_ip.is_some() {
        return Err(ApiError::new(
            op,
            "InvalidParameterCombination",
            "Network interfaces and an instance-level private IP address should not be specified on the same request",
        ));
    }
    let listening = spec.user_data.as_deref().map(crate::cfn::listening_from_script);
    let req = RunInstance {
        subnet: Some(subnet),
        groups: if groups.is_empty() { base.groups } else { groups },
        private_ip: spec.private_ip,
        public_ip: spec.public_ip.or(base.public_ip),
        instance_type: spec.instance_type.clone().or(base.instance_type),
        image_id: spec.image_id.clone().or(base.image_id),
        key_name: spec.key_name.clone().or(base.key_name),
        image_family: listening.as_ref().map_or(base.image_family, |l| l.image),
        services: Some(listening.map_or(base.services, |l| l.services)),
        tags: base.instance_tags,
    };
    let launched = w.transaction(|w| {
        (0..spec.count).map(|_| w.run_instance(req.clone())).collect::<Result<Vec<_>, ApiError>>()
    })?;
    Ok(crate::describe::run_instances(w, &launched))
}
