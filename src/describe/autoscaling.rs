//! Auto Scaling's JSON (M2): `describe-auto-scaling-groups`, `describe-launch-templates`,
//! and what `run-instances` answers for instances started by hand.

use serde_json::{json, Value};

use super::{instance, timestamp};
use crate::error::ApiError;
use crate::ids::{AsgId, InstanceId, LaunchTemplateId};
use crate::model::autoscaling::LaunchKind;
use crate::world::World;

/// describe-auto-scaling-groups: the live groups, by name when names are given.
pub fn auto_scaling_groups(w: &World, names: &[String]) -> Value {
    let items: Vec<Value> = w
        .auto_scaling_groups()
        .live()
        .filter(|(_, g)| names.is_empty() || names.contains(&g.name))
        .map(|(x, _)| auto_scaling_group(w, x))
        .collect();
    json!({"AutoScalingGroups": items})
}

fn auto_scaling_group(w: &World, asg: AsgId) -> Value {
    let g = &w[asg];
    let launch = &w[g.launch];
    let zones: Vec<&str> = g.subnets.iter().fold(Vec::new(), |mut zs, s| {
        if !zs.contains(&w[*s].az) {
            zs.push(w[*s].az);
        }
        zs
    });
    let subnets: Vec<&str> = g.subnets.iter().map(|s| w[*s].aws_id.as_str()).collect();
    let instances: Vec<Value> = g
        .instances
        .iter()
        .map(|i| {
            let inst = &w[*i];
            let mut v = json!({
                "InstanceId": inst.aws_id,
                "InstanceType": &*inst.instance_type,
                "AvailabilityZone": w[w[inst.eni].subnet].az,
                "LifecycleState": w.lifecycle_state(*i),
                "HealthStatus": "Healthy",
            });
            launch_field(&mut v, launch.kind, &launch.aws_id, &launch.name);
            v["ProtectedFromScaleIn"] = json!(false);
            v
        })
        .collect();
    let tags: Vec<Value> = g
        .tags
        .iter()
        .map(|(k, v)| {
            json!({
                "ResourceId": g.name,
                "ResourceType": "auto-scaling-group",
                "Key": k,
                "Value": v,
                "PropagateAtLaunch": g.propagate.contains(k.as_str()),
            })
        })
        .collect();
    let mut v = json!({
        "AutoScalingGroupName": g.name,
        "AutoScalingGroupARN": g.arn,
    });
    launch_field(&mut v, launch.kind, &launch.aws_id, &launch.name);
    v["MinSize"] = json!(g.min);
    v["MaxSize"] = json!(g.max);
    v["DesiredCapacity"] = json!(g.desired);
    v["DefaultCooldown"] = json!(300);
    v["AvailabilityZones"] = json!(zones);
    v["LoadBalancerNames"] = json!([]);
    v["TargetGroupARNs"] = json!(g.target_groups.iter().map(|t| w[*t].arn.as_str()).collect::<Vec<_>>());
    v["HealthCheckType"] = json!(if g.elb_health_check { "ELB" } else { "EC2" });
    v["HealthCheckGracePeriod"] = json!(g.grace_period_s);
    v["Instances"] = json!(instances);
    v["CreatedTime"] = json!(timestamp(g.created_ms));
    v["SuspendedProcesses"] = json!([]);
    v["VPCZoneIdentifier"] = json!(subnets.join(","));
    v["EnabledMetrics"] = json!([]);
    v["Tags"] = json!(tags);
    v["TerminationPolicies"] = json!(["Default"]);
    v["NewInstancesProtectedFromScaleIn"] = json!(false);
    v["ServiceLinkedRoleARN"] = json!(format!(
        "arn:aws:iam::{}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
        w.account_id()
    ));
    v
}

/// `LaunchTemplate: {LaunchTemplateId, LaunchTemplateName, Version}` or `LaunchConfigurationName`.
fn launch_field(v: &mut Value, kind: LaunchKind, id: &str, name: &str) {
    match kind {
        LaunchKind::Template => {
            v["LaunchTemplate"] = json!({"LaunchTemplateId": id, "LaunchTemplateName": name, "Version": "1"});
        }
        LaunchKind::Configuration => v["LaunchConfigurationName"] = json!(name),
    }
}

/// run-instances: one reservation holding the instances just launched.
pub fn run_instances(w: &World, launched: &[InstanceId]) -> Value {
    let items: Vec<Value> = launched.iter().map(|i| instance(w, *i)["Instances"][0].clone()).collect();
    let first = launched.first().map(|i| w[*i].aws_id.as_str()).unwrap_or_default();
    json!({
        "Groups": [],
        "Instances": items,
        "OwnerId": w.account_id(),
        "ReservationId": super::derived("r", first),
    })
}

/// One launch template as create-, delete- and describe-launch-templates show it.
pub fn launch_template(w: &World, lt: LaunchTemplateId) -> Value {
    let t = &w[lt];
    let tags: Vec<Value> = t.tags.iter().map(|(k, v)| json!({"Key": k, "Value": v})).collect();
    let mut v = json!({
        "LaunchTemplateId": t.aws_id,
        "LaunchTemplateName": t.name,
        "CreateTime": timestamp(t.created_ms),
        "CreatedBy": format!("arn:aws:iam::{}:root", w.account_id()),
        "DefaultVersionNumber": 1,
        "LatestVersionNumber": 1,
    });
    if !tags.is_empty() {
        v["Tags"] = json!(tags);
    }
    v
}

/// describe-launch-templates: the live launch templates, by id or name when given; an id
/// or name that matches none is the API's error.
pub fn launch_templates(w: &World, op: &str, ids: &[String], names: &[String]) -> Result<Value, ApiError> {
    let live: Vec<(LaunchTemplateId, &crate::model::autoscaling::LaunchTemplate)> =
        w.launch_templates().live().filter(|(_, t)| t.kind == LaunchKind::Template).collect();
    if let Some(id) = ids.iter().find(|id| !live.iter().any(|(_, t)| &t.aws_id == *id)) {
        return Err(ApiError::new(
            op,
            "InvalidLaunchTemplateId.NotFound",
            format!("The specified launch template, with template ID {id}, does not exist."),
        ));
    }
    if let Some(name) = names.iter().find(|n| !live.iter().any(|(_, t)| &t.name == *n)) {
        return Err(ApiError::new(
            op,
            "InvalidLaunchTemplateName.NotFoundException",
            format!("At least one of the launch templates specified in the request does not exist. ({name})"),
        ));
    }
    let items: Vec<Value> = live
        .iter()
        .filter(|(_, t)| {
            (ids.is_empty() && names.is_empty()) || ids.contains(&t.aws_id) || names.contains(&t.name)
        })
        .map(|(x, _)| launch_template(w, *x))
        .collect();
    Ok(json!({"LaunchTemplates": items}))
}
