//! `aws ec2 run-instances`: instances started by hand, from flags or a launch template;
//! what they listen on comes from `--user-data` as from a template's UserData. And
//! Auto Scaling without a template (M2): `create-launch-template`,
//! `delete-launch-template`, `create-auto-scaling-group`, `delete-auto-scaling-group`.

use super::Answer;
use crate::command::aws::request::launch::{AutoScalingGroupSpec, LaunchTemplateSpec};
use crate::command::aws::request::RunInstancesSpec;
use crate::error::ApiError;
use crate::model::autoscaling::{LaunchKind, LaunchSpec};
use crate::model::instance::ImageFamily;
use crate::model::Tags;
use crate::ops::autoscaling::CreateAutoScalingGroup;
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
    if spec.count as usize > crate::ops::ec2::MAX_INSTANCES {
        return Err(ApiError::new(op, "InstanceLimitExceeded", crate::ops::ec2::instance_limit_message()));
    }
    if spec.count > 1 && (spec.private_ip.is_some() || !spec.secondary_ips.is_empty()) {
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
        secondary_ips: spec.secondary_ips.clone(),
        secondary_count: spec.secondary_count as usize,
        public_ip: spec.public_ip.or(base.public_ip),
        instance_type: spec.instance_type.clone().or(base.instance_type),
        image_id: spec.image_id.clone().or(base.image_id),
        key_name: spec.key_name.clone().or(base.key_name),
        image_family: listening.as_ref().map_or(base.image_family, |l| l.image),
        services: Some(listening.map_or(base.services, |l| l.services)),
        metadata_options: base.metadata_options.with(spec.metadata_options),
        tags: with_tags(base.instance_tags, &spec.tags),
        ..Default::default()
    };
    let launched = w.transaction(|w| {
        (0..spec.count).map(|_| w.run_instance(req.clone())).collect::<Result<Vec<_>, ApiError>>()
    })?;
    Ok(crate::describe::run_instances(w, &launched))
}

/// A launch template's instance tags, then the call's own (a key given twice takes the call's value).
fn with_tags(mut tags: crate::model::Tags, given: &crate::model::Tags) -> crate::model::Tags {
    for (k, v) in given.iter() {
        tags.insert(k.clone(), v.clone());
    }
    tags
}

/// CreateLaunchTemplate: security groups resolved first; what the instances listen on
/// comes from the UserData as from a template's.
pub fn create_launch_template(w: &mut World, op: &str, spec: &LaunchTemplateSpec) -> Answer {
    let mut groups = Vec::new();
    for id in &spec.security_group_ids {
        groups.push(w.sg_id(op, id)?);
    }
    let listening = crate::cfn::listening_from_script(spec.user_data.as_deref().unwrap_or_default());
    let launch = LaunchSpec {
        image_id: spec.image_id.clone(),
        instance_type: spec.instance_type.clone(),
        key_name: spec.key_name.clone(),
        groups,
        public_ip: spec.public_ip,
        image_family: listening.image,
        services: listening.services,
        instance_tags: spec.instance_tags.iter().cloned().collect(),
        metadata_options: crate::model::metadata_options::MetadataOptions::default()
            .with(spec.metadata_options),
    };
    let lt = w.create_launch_template(&spec.name, LaunchKind::Template, launch, Tags::new())?;
    Ok(serde_json::json!({"LaunchTemplate": crate::describe::launch_template(w, lt)}))
}

/// DeleteLaunchTemplate, by id or name; answers what was deleted.
pub fn delete_launch_template(w: &mut World, op: &str, id: &str) -> Answer {
    let lt = w.launch_template_id(op, id, LaunchKind::Template)?;
    let answer = serde_json::json!({"LaunchTemplate": crate::describe::launch_template(w, lt)});
    w.delete_launch_template(lt);
    Ok(answer)
}

/// CreateAutoScalingGroup: every id resolved first, then the group launches its
/// desired capacity (the op refuses sizes, subnets and target groups as AWS does).
pub fn create_auto_scaling_group(w: &mut World, op: &str, spec: &AutoScalingGroupSpec) -> Answer {
    let launch = match &spec.launch_template {
        Some(id) => Some(w.launch_template_id(op, id, LaunchKind::Template)?),
        None => None,
    };
    let mut subnets = Vec::new();
    for id in &spec.subnets {
        subnets.push(w.subnet_id(op, id)?);
    }
    let mut target_groups = Vec::new();
    for arn in &spec.target_group_arns {
        target_groups.push(w.target_group_id(op, arn)?);
    }
    let req = CreateAutoScalingGroup {
        name: spec.name.clone(),
        launch,
        subnets,
        min: spec.min,
        max: spec.max,
        desired: spec.desired,
        target_groups,
        tags: spec.tags.iter().map(|(k, v, _)| (k.clone(), v.clone())).collect(),
        propagate: spec.tags.iter().filter(|(_, _, p)| *p).map(|(k, _, _)| k.clone()).collect(),
        elb_health_check: spec.elb_health_check,
        grace_period_s: spec.grace_period_s,
    };
    w.transaction(|w| w.create_auto_scaling_group(req))?;
    Ok(serde_json::json!({}))
}
