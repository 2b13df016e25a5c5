//! Auto Scaling (M2): launch templates and launch configurations (what an instance is
//! launched with) and Auto Scaling groups (how many instances, in which subnets,
//! registered with which target groups, with which tags).

use std::collections::BTreeSet;

use crate::ids::{InstanceId, LaunchTemplateId, SgId, SubnetId, TargetGroupId};
use crate::model::instance::{ImageFamily, Service};
use crate::model::Tags;

/// What an instance is launched with: the part of RunInstances a template fixes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LaunchSpec {
    /// Image id.
    pub image_id: Option<String>,
    /// Instance type.
    pub instance_type: Option<String>,
    /// Key pair.
    pub key_name: Option<String>,
    /// Security groups of the primary interface (the VPC's default group when empty).
    pub groups: Vec<SgId>,
    /// AssociatePublicIpAddress; the subnet's MapPublicIpOnLaunch when absent.
    pub public_ip: Option<bool>,
    /// What the image starts (from Metadata or the UserData).
    pub image_family: ImageFamily,
    /// What the instances listen on, from UserData or Metadata.
    pub services: Vec<Service>,
    /// Tags for the instances (a launch template's TagSpecifications of type instance).
    pub instance_tags: Tags,
    /// M1: the instances' `MetadataOptions`.
    pub metadata_options: crate::model::metadata_options::MetadataOptions,
}

/// Whether a launch specification came as a launch template or a launch configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LaunchKind {
    /// `AWS::EC2::LaunchTemplate` (`lt-...`, version 1).
    Template,
    /// `AWS::AutoScaling::LaunchConfiguration`, known by its name.
    Configuration,
}

/// A launch template or launch configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LaunchTemplate {
    /// `lt-...` for a template, the name for a configuration.
    pub aws_id: String,
    /// The name.
    pub name: String,
    /// Template or configuration.
    pub kind: LaunchKind,
    /// What it launches.
    pub spec: LaunchSpec,
    /// Tags of the template itself.
    pub tags: Tags,
    /// When it was created, virtual milliseconds.
    pub created_ms: u64,
    /// Deleted.
    pub deleted: bool,
}

/// An Auto Scaling group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AutoScalingGroup {
    /// The group's name (what `Ref` returns, and its id in every call).
    pub name: String,
    /// `arn:aws:autoscaling:...:autoScalingGroup:UUID:autoScalingGroupName/NAME`.
    pub arn: String,
    /// What it launches.
    pub launch: LaunchTemplateId,
    /// VPCZoneIdentifier, in the order given.
    pub subnets: Vec<SubnetId>,
    /// MinSize.
    pub min: u32,
    /// MaxSize.
    pub max: u32,
    /// DesiredCapacity.
    pub desired: u32,
    /// TargetGroupARNs: its instances are registered there.
    pub target_groups: Vec<TargetGroupId>,
    /// Tags of the group.
    pub tags: Tags,
    /// The keys of the tags copied to the instances it launches (PropagateAtLaunch).
    pub propagate: BTreeSet<String>,
    /// Its running instances, oldest first.
    pub instances: Vec<InstanceId>,
    /// HealthCheckType ELB (else EC2).
    pub elb_health_check: bool,
    /// HealthCheckGracePeriod, seconds.
    pub grace_period_s: u32,
    /// When it was created on the virtual clock.
    pub created_ms: u64,
    /// Deleted.
    pub deleted: bool,
}

impl AutoScalingGroup {
    /// The tags a new instance gets: the propagated ones and `aws:autoscaling:groupName`.
    pub fn instance_tags(&self) -> Tags {
        let mut tags = Tags::new();
        for (k, v) in self.tags.iter().filter(|(k, _)| self.propagate.contains(k.as_str())) {
            tags.insert(k.clone(), v.clone());
        }
        tags.insert("aws:autoscaling:groupName".into(), self.name.clone());
        tags
    }
}
