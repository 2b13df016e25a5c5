//! Auto Scaling (M2): launch templates and launch configurations; Auto Scaling groups
//! that launch their desired capacity over their subnets balanced by AZ, register each
//! instance with their target groups and copy the tags marked PropagateAtLaunch; and
//! SetDesiredCapacity, which launches or terminates (deregistering first) to match.

use std::collections::BTreeSet;

use super::ec2::RunInstance;
use super::elbv2::TargetSpec;
use super::ApiResult;
use crate::error::ApiError;
use crate::ids::*;
use crate::model::autoscaling::{AutoScalingGroup, LaunchKind, LaunchSpec, LaunchTemplate};
use crate::model::instance::InstanceState;
use crate::model::nlb::{TargetRef, TargetType};
use crate::model::Tags;
use crate::world::{Handle, World};

/// Options of CreateAutoScalingGroup.
#[derive(Clone, Debug, Default)]
pub struct CreateAutoScalingGroup {
    /// AutoScalingGroupName.
    pub name: String,
    /// The launch template or configuration.
    pub launch: Option<LaunchTemplateId>,
    /// VPCZoneIdentifier.
    pub subnets: Vec<SubnetId>,
    /// MinSize.
    pub min: u32,
    /// MaxSize.
    pub max: u32,
    /// DesiredCapacity; MinSize when absent.
    pub desired: Option<u32>,
    /// TargetGroupARNs.
    pub target_groups: Vec<TargetGroupId>,
    /// Tags of the group.
    pub tags: Tags,
    /// Keys of the tags marked PropagateAtLaunch.
    pub propagate: BTreeSet<String>,
    /// HealthCheckType ELB.
    pub elb_health_check: bool,
    /// HealthCheckGracePeriod, seconds.
    pub grace_period_s: u32,
}

fn validation(op: &str, message: impl Into<String>) -> ApiError {
    ApiError::new(op, "ValidationError", message)
}

impl World {
    /// CreateLaunchTemplate (or CreateLaunchConfiguration): names are unique per kind.
    pub fn create_launch_template(
        &mut self,
        name: &str,
        kind: LaunchKind,
        spec: LaunchSpec,
        tags: Tags,
    ) -> ApiResult<LaunchTemplateId> {
        let taken = self.launch_templates.live().any(|(_, t)| t.kind == kind && t.name == name);
        if taken {
            return Err(match kind {
                LaunchKind::Template => ApiError::new(
                    "CreateLaunchTemplate",
                    "InvalidLaunchTemplateName.AlreadyExistsException",
                    format!("Launch template name already in use: {name}"),
                ),
                LaunchKind::Configuration => ApiError::new(
                    "CreateLaunchConfiguration",
                    "AlreadyExists",
                    format!("Launch Configuration by this name already exists - A launch configuration already exists with the name {name}"),
                ),
            });
        }
        let aws_id = match kind {
            LaunchKind::Template => self.ids.aws_id("lt"),
            LaunchKind::Configuration => name.to_string(),
        };
        let template = LaunchTemplate {
            aws_id,
            name: name.to_string(),
            kind,
            spec,
            tags,
            created_ms: self.now_ms,
            deleted: false,
        };
        Ok(self.launch_templates.insert(&mut self.by_aws_id, Handle::LaunchTemplate, template))
    }

    /// DeleteLaunchTemplate / DeleteLaunchConfiguration.
    pub fn delete_launch_template(&mut self, lt: LaunchTemplateId) {
        self.launch_templates[lt].deleted = true;
    }

    /// A launch template by id or name, or a launch configuration by name.
    pub fn launch_template_id(&self, op: &str, id: &str, kind: LaunchKind) -> ApiResult<LaunchTemplateId> {
        let found = self
            .launch_templates
            .live()
            .find(|(_, t)| t.kind == kind && (t.aws_id == id || t.name == id))
            .map(|(x, _)| x);
        found.ok_or_else(|| match kind {
            LaunchKind::Template => ApiError::new(
                op,
                "InvalidLaunchTemplateId.NotFound",
                format!("The specified launch template, with template ID {id}, does not exist."),
            ),
            LaunchKind::Configuration => {
                validation(op, format!("Launch configuration name not found - {id}"))
            }
        })
    }

    /// An Auto Scaling group by name (or ARN).
    pub fn auto_scaling_group_id(&self, op: &str, name: &str) -> ApiResult<AsgId> {
        let found = self.auto_scaling_groups.live().find(|(_, g)| g.name == name || g.arn == name);
        found
            .map(|(x, _)| x)
            .ok_or_else(|| validation(op, format!("AutoScalingGroup name not found - {name}")))
    }

    /// CreateAutoScalingGroup: checks sizes, subnets (one VPC) and target groups (that VPC,
    /// instance targets), then launches the desired capacity (M2).
    pub fn create_auto_scaling_group(&mut self, req: CreateAutoScalingGroup) -> ApiResult<AsgId> {
        const OP: &str = "CreateAutoScalingGroup";
        if self.auto_scaling_groups.live().any(|(_, g)| g.name == req.name) {
            return Err(ApiError::new(
                OP,
                "AlreadyExists",
                format!(
                    "AutoScalingGroup by this name already exists - A group with the name {} already exists",
                    req.name
                ),
            ));
        }
        let launch = req
            .launch
            .ok_or_else(|| validation(OP, "Valid requests must contain either LaunchTemplate, LaunchConfigurationName, InstanceId or MixedInstancesPolicy parameter."))?;
        let desired = req.desired.unwrap_or(req.min);
        check_sizes(OP, req.min, req.max, desired)?;
        let vpc = self.group_vpc(OP, &req.subnets)?;
        for tg in &req.target_groups {
            let group = &self.target_groups[*tg];
            if group.vpc != vpc || group.target_type != TargetType::Instance {
                return Err(validation(
                    OP,
                    format!("Provided Target Groups may not be valid. Please ensure they exist and the target type is instance: {}", group.arn),
                ));
            }
        }
        let uuid = format!(
            "{}-{}-{}-{}-{}",
            self.ids.hex(8),
            self.ids.hex(4),
            self.ids.hex(4),
            self.ids.hex(4),
            self.ids.hex(12)
        );
        let arn = format!(
            "arn:aws:autoscaling:{}:{}:autoScalingGroup:{uuid}:autoScalingGroupName/{}",
            self.region.name, self.account_id, req.name
        );
        let group = AutoScalingGroup {
            name: req.name,
            arn,
            launch,
            subnets: req.subnets,
            min: req.min,
            max: req.max,
            desired,
            target_groups: req.target_groups,
            tags: req.tags,
            propagate: req.propagate,
            instances: Vec::new(),
            elb_health_check: req.elb_health_check,
            grace_period_s: req.grace_period_s,
            created_ms: self.now_ms,
            deleted: false,
        };
        let asg = self.auto_scaling_groups.insert(&mut self.by_aws_id, Handle::AutoScalingGroup, group);
        self.scale_to(asg, desired)?;
        Ok(asg)
    }

    /// The one VPC of an Auto Scaling group's subnets.
    fn group_vpc(&self, op: &str, subnets: &[SubnetId]) -> ApiResult<VpcId> {
        let Some(first) = subnets.first() else {
            return Err(validation(op, "VPCZoneIdentifier is required: vpcsim has no default VPC."));
        };
        let vpc = self.subnets[*first].vpc;
        if let Some(other) = subnets.iter().find(|s| self.subnets[**s].vpc != vpc) {
            return Err(validation(
                op,
                format!(
                    "The subnet '{}' is not in the VPC of subnet '{}'; an Auto Scaling group's subnets share one VPC.",
                    self.subnets[*other].aws_id, self.subnets[*first].aws_id
                ),
            ));
        }
        Ok(vpc)
    }

    /// SetDesiredCapacity: launches or terminates instances until the group runs `desired`;
    /// outside MinSize..=MaxSize it is refused. It changes the world whole or not at all.
    pub fn set_desired_capacity(&mut self, asg: AsgId, desired: u32) -> ApiResult<()> {
        const OP: &str = "SetDesiredCapacity";
        let g = &self.auto_scaling_groups[asg];
        if desired > g.max {
            return Err(validation(
                OP,
                format!(
                    "New SetDesiredCapacity value {desired} is above max value {} for the AutoScalingGroup.",
                    g.max
                ),
            ));
        }
        if desired < g.min {
            return Err(validation(
                OP,
                format!(
                    "New SetDesiredCapacity value {desired} is below min value {} for the AutoScalingGroup.",
                    g.min
                ),
            ));
        }
        self.transaction(|w| {
            w.auto_scaling_groups[asg].desired = desired;
            w.scale_to(asg, desired)
        })
    }

    /// DeleteAutoScalingGroup --force-delete: its instances are deregistered and terminated.
    /// DeleteAutoScalingGroup as the API takes it: a group that still has instances is
    /// refused unless `force_delete`, which terminates them first.
    pub fn delete_auto_scaling_group_call(&mut self, asg: AsgId, force_delete: bool) -> ApiResult<()> {
        if !force_delete && !self.auto_scaling_groups[asg].instances.is_empty() {
            return Err(ApiError::new(
                "DeleteAutoScalingGroup",
                "ResourceInUse",
                "You cannot delete an AutoScalingGroup while there are instances or pending Spot instance request(s) still in the group.",
            ));
        }
        self.delete_auto_scaling_group(asg);
        Ok(())
    }

    pub fn delete_auto_scaling_group(&mut self, asg: AsgId) {
        while !self.auto_scaling_groups[asg].instances.is_empty() {
            self.terminate_one(asg);
        }
        let g = &mut self.auto_scaling_groups[asg];
        g.desired = 0;
        g.deleted = true;
    }

    /// Launches or terminates until the group has `desired` instances.
    fn scale_to(&mut self, asg: AsgId, desired: u32) -> ApiResult<()> {
        while (self.auto_scaling_groups[asg].instances.len() as u32) < desired {
            self.launch_one(asg)?;
        }
        while self.auto_scaling_groups[asg].instances.len() as u32 > desired {
            self.terminate_one(asg);
        }
        Ok(())
    }

    /// The instances of a group in each AZ of its subnets, AZs in the order their subnets
    /// are listed.
    fn instances_by_az(&self, asg: AsgId) -> Vec<(&'static str, Vec<InstanceId>)> {
        let g = &self.auto_scaling_groups[asg];
        let mut zones: Vec<(&'static str, Vec<InstanceId>)> = Vec::new();
        for s in &g.subnets {
            let az = self.subnets[*s].az;
            if !zones.iter().any(|(z, _)| *z == az) {
                zones.push((az, Vec::new()));
            }
        }
        for i in &g.instances {
            let az = self.subnets[self.enis[self.instances[*i].eni].subnet].az;
            if let Some((_, list)) = zones.iter_mut().find(|(z, _)| *z == az) {
                list.push(*i);
            }
        }
        zones
    }

    /// M2: the subnet of the next launch: in the AZ with the fewest of the group's
    /// instances (the first listed on a tie), the first listed subnet of that AZ.
    fn next_subnet(&self, asg: AsgId) -> SubnetId {
        let zones = self.instances_by_az(asg);
        let az = zones.iter().min_by_key(|(_, list)| list.len()).map(|(z, _)| *z).unwrap_or_default();
        let g = &self.auto_scaling_groups[asg];
        g.subnets.iter().copied().find(|s| self.subnets[*s].az == az).unwrap_or(g.subnets[0])
    }

    /// Launches one instance for the group and registers it with the group's target groups.
    fn launch_one(&mut self, asg: AsgId) -> ApiResult<InstanceId> {
        let subnet = self.next_subnet(asg);
        let g = &self.auto_scaling_groups[asg];
        let template = &self.launch_templates[g.launch];
        if template.deleted {
            return Err(validation(
                "LaunchInstances",
                format!("You must use a valid fully-formed launch template. The specified launch template, with template ID {}, does not exist.", template.aws_id),
            ));
        }
        let spec = &template.spec;
        let mut tags = spec.instance_tags.clone();
        for (k, v) in g.instance_tags().iter() {
            tags.insert(k.clone(), v.clone());
        }
        let req = RunInstance {
            subnet: Some(subnet),
            groups: spec.groups.clone(),
            private_ip: None,
            public_ip: spec.public_ip,
            instance_type: spec.instance_type.clone(),
            image_id: spec.image_id.clone(),
            key_name: spec.key_name.clone(),
            image_family: spec.image_family,
            services: Some(spec.services.clone()),
            metadata_options: spec.metadata_options,
            tags,
            ..Default::default()
        };
        let target_groups = g.target_groups.clone();
        let i = self.run_instance(req)?;
        for tg in target_groups {
            self.register_targets(tg, &[TargetSpec { target: TargetRef::Instance(i), port: None }])?;
        }
        self.auto_scaling_groups[asg].instances.push(i);
        Ok(i)
    }

    /// Terminates one instance of the group: the oldest in the AZ with the most instances
    /// (the last listed on a tie), after deregistering it (it drains, L11).
    fn terminate_one(&mut self, asg: AsgId) {
        let zones = self.instances_by_az(asg);
        let victim = zones
            .iter()
            .rev()
            .max_by_key(|(_, list)| list.len())
            .and_then(|(_, list)| list.first().copied())
            .or_else(|| self.auto_scaling_groups[asg].instances.first().copied());
        let Some(i) = victim else { return };
        for tg in self.auto_scaling_groups[asg].target_groups.clone() {
            let spec = TargetSpec { target: TargetRef::Instance(i), port: None };
            // An instance deregistered by hand is simply not there any more.
            let _ = self.deregister_targets(tg, &[spec]);
        }
        self.terminate_instance(i);
        self.auto_scaling_groups[asg].instances.retain(|x| *x != i);
    }

    /// TerminateInstances of a group's instance: it leaves the group (deregistered from its
    /// target groups) and the group launches a replacement to keep its desired capacity.
    pub fn replace_in_auto_scaling_group(&mut self, i: InstanceId) -> ApiResult<()> {
        let Some(asg) = self.auto_scaling_group_of(i) else { return Ok(()) };
        for tg in self.auto_scaling_groups[asg].target_groups.clone() {
            let spec = TargetSpec { target: TargetRef::Instance(i), port: None };
            // An instance deregistered by hand is simply not there any more.
            let _ = self.deregister_targets(tg, &[spec]);
        }
        self.auto_scaling_groups[asg].instances.retain(|x| *x != i);
        let desired = self.auto_scaling_groups[asg].desired;
        self.scale_to(asg, desired)
    }

    /// Whether an instance belongs to a live Auto Scaling group, and which.
    pub fn auto_scaling_group_of(&self, i: InstanceId) -> Option<AsgId> {
        self.auto_scaling_groups.live().find(|(_, g)| g.instances.contains(&i)).map(|(x, _)| x)
    }

    /// The state of a group's instance as Auto Scaling reports it (`InService`, `Terminating`).
    pub fn lifecycle_state(&self, i: InstanceId) -> &'static str {
        match self.instances[i].state {
            InstanceState::Running => "InService",
            _ => "Terminated",
        }
    }
}

/// MinSize <= DesiredCapacity <= MaxSize, in Auto Scaling's words.
fn check_sizes(op: &str, min: u32, max: u32, desired: u32) -> ApiResult<()> {
    if min > max {
        return Err(validation(
            op,
            format!("Max bound, {max}, must be greater than or equal to min bound, {min}"),
        ));
    }
    if desired < min || desired > max {
        return Err(validation(
            op,
            format!(
                "Desired capacity:{desired} must be between the specified min size:{min} and max size:{max}"
            ),
        ));
    }
    Ok(())
}
