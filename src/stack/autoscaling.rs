//! Auto Scaling from templates (M2): `AWS::EC2::LaunchTemplate`,
//! `AWS::AutoScaling::LaunchConfiguration` and `AWS::AutoScaling::AutoScalingGroup`.
//! What the instances listen on is read from the launch template's UserData (or the
//! resource's `Metadata: vpcsim:`), as for an instance.

use std::collections::BTreeSet;

use crate::cfn::{Created, SinkError};
use crate::ids::*;
use crate::model::autoscaling::{LaunchKind, LaunchSpec};
use crate::model::Tags;
use crate::ops::autoscaling::CreateAutoScalingGroup;
use crate::yaml::Node;

use super::props::{bad, bad_hint, item, Props};
use super::LaunchScript;
use super::{api, created, s, StackBuilder};

type R = Result<Created, SinkError>;

impl StackBuilder<'_> {
    fn sg_list(&self, p: &Props<'_>, key: &str) -> Result<Vec<SgId>, SinkError> {
        p.str_list(key)?
            .iter()
            .map(|id| self.world.sg_id("CreateLaunchTemplate", id).map_err(|e| api(e, Some(key))))
            .collect()
    }

    fn stack_unique_name(&mut self, logical_id: &str) -> String {
        format!("{}-{}-{}", self.stack_name, logical_id, self.world.id_stream().hex(12).to_uppercase())
    }

    pub(super) fn launch_template(&mut self, logical_id: &str, p: Props<'_>, metadata: Option<&Node>) -> R {
        let name = match p.opt_str("LaunchTemplateName")? {
            Some(n) => n,
            None => self.stack_unique_name(logical_id),
        };
        let data_node = p
            .get("LaunchTemplateData")
            .ok_or_else(|| bad("LaunchTemplateData", "required property LaunchTemplateData is missing"))?;
        let data = item(data_node, "LaunchTemplateData");
        let mut spec = LaunchSpec {
            image_id: data.opt_str("ImageId")?,
            instance_type: data.opt_str("InstanceType")?,
            key_name: data.opt_str("KeyName")?,
            groups: self.sg_list(&data, "SecurityGroupIds")?,
            metadata_options: super::metadata_options::read(
                data.get("MetadataOptions"),
                "LaunchTemplateData.MetadataOptions",
            )?,
            ..LaunchSpec::default()
        };
        if let Some((path, nic)) = data.maps("NetworkInterfaces")?.into_iter().next() {
            let n = item(nic, &path);
            spec.public_ip = n.opt_bool("AssociatePublicIpAddress")?;
            let groups = self.sg_list(&n, "Groups")?;
            if !groups.is_empty() {
                spec.groups = groups;
            }
        }
        for (path, ts) in data.maps("TagSpecifications")? {
            let t = item(ts, &path);
            if t.opt_str("ResourceType")?.as_deref() == Some("instance") {
                spec.instance_tags = t.tags()?;
            }
        }
        self.read_services(logical_id, &mut spec, data_node, metadata)?;
        let lt = self
            .world
            .create_launch_template(&name, LaunchKind::Template, spec, template_tags(&p)?)
            .map_err(|e| api(e, Some("LaunchTemplateName")))?;
        self.launch_scripts.push(LaunchScript {
            launch: lt,
            resource: logical_id.to_string(),
            properties: data_node.clone(),
            metadata: metadata.cloned(),
        });
        let id = self.world[lt].aws_id.clone();
        Ok(created(
            id.clone(),
            &[
                ("LaunchTemplateId", s(&id)),
                ("LatestVersionNumber", s("1")),
                ("DefaultVersionNumber", s("1")),
            ],
        ))
    }

    /// What the instances will listen on: UserData of `properties` (cfn-init reading this
    /// resource's metadata, M3), or the Metadata declaration. The script runs once for the
    /// template, with no instance: metadata `curl`s print nothing and `aws` calls answer
    /// success without being made; each instance a group of the stack launches runs it
    /// again as its own ([`StackBuilder::boot_launched`], M1, M7).
    fn read_services(
        &mut self,
        logical_id: &str,
        spec: &mut LaunchSpec,
        properties: &Node,
        metadata: Option<&Node>,
    ) -> Result<(), SinkError> {
        let boot = crate::cfn::Boot {
            stack: &self.stack_name,
            resource: logical_id,
            region: self.world.region().name,
            metadata: None,
            aws: Some(&super::instance_cli::Deferred),
        };
        let found = crate::cfn::listening_at(properties, metadata, boot)
            .map_err(|e| bad("UserData", e.message.clone()))?;
        let notes = found
            .notes
            .into_iter()
            .map(|message| crate::cfn::SinkWarning { property: "UserData".into(), message });
        self.warnings.extend(notes);
        spec.image_family = found.image;
        spec.services = found.services;
        Ok(())
    }

    /// C2, M1, M7: each instance a group launched runs its launch template's UserData as
    /// its own: its services, forwarding and signals, its `aws` calls made as it.
    fn boot_launched(&mut self, launch: LaunchTemplateId, instances: &[InstanceId]) -> Result<(), SinkError> {
        let Some(script) = self.launch_scripts.iter().find(|l| l.launch == launch).cloned() else {
            return Ok(());
        };
        for &i in instances {
            // The template's own reading already gave the script's other notes.
            let (found, forwarding, signals) =
                self.boot(&script.resource, i, &script.properties, script.metadata.as_ref())?;
            self.world.set_services(i, found.services);
            if forwarding.is_configured() {
                self.world.set_forwarding(i, forwarding);
            }
            if !signals.is_empty() {
                self.sent.push((i, signals));
            }
        }
        Ok(())
    }

    pub(super) fn launch_configuration(
        &mut self,
        logical_id: &str,
        p: Props<'_>,
        props: &Node,
        metadata: Option<&Node>,
    ) -> R {
        let name = match p.opt_str("LaunchConfigurationName")? {
            Some(n) => n,
            None => self.stack_unique_name(logical_id),
        };
        let mut spec = LaunchSpec {
            image_id: p.opt_str("ImageId")?,
            instance_type: p.opt_str("InstanceType")?,
            key_name: p.opt_str("KeyName")?,
            groups: self.sg_list(&p, "SecurityGroups")?,
            public_ip: p.opt_bool("AssociatePublicIpAddress")?,
            metadata_options: super::metadata_options::read(p.get("MetadataOptions"), "MetadataOptions")?,
            ..LaunchSpec::default()
        };
        self.read_services(logical_id, &mut spec, props, metadata)?;
        let lc = self
            .world
            .create_launch_template(&name, LaunchKind::Configuration, spec, Tags::new())
            .map_err(|e| api(e, Some("LaunchConfigurationName")))?;
        self.launch_scripts.push(LaunchScript {
            launch: lc,
            resource: logical_id.to_string(),
            properties: props.clone(),
            metadata: metadata.cloned(),
        });
        Ok(created(name, &[]))
    }

    pub(super) fn auto_scaling_group(&mut self, logical_id: &str, p: Props<'_>) -> R {
        const OP: &str = "CreateAutoScalingGroup";
        let name = match p.opt_str("AutoScalingGroupName")? {
            Some(n) => n,
            None => self.stack_unique_name(logical_id),
        };
        let launch = self.launch_of(&p)?;
        let mut subnets = Vec::new();
        for id in p.str_list("VPCZoneIdentifier")? {
            subnets.push(self.world.subnet_id(OP, &id).map_err(|e| api(e, Some("VPCZoneIdentifier")))?);
        }
        if subnets.is_empty() {
            return Err(bad_hint(
                "VPCZoneIdentifier",
                "the group names no subnet (vpcsim has no default VPC)",
                "add VPCZoneIdentifier: [subnet, ...]",
            ));
        }
        let mut target_groups = Vec::new();
        for arn in p.str_list("TargetGroupARNs")? {
            target_groups
                .push(self.world.target_group_id(OP, &arn).map_err(|e| api(e, Some("TargetGroupARNs")))?);
        }
        let size = |key: &str| -> Result<Option<u32>, SinkError> {
            p.opt_int(key)?
                .map(|n| u32::try_from(n).map_err(|_| bad(key, format!("{key} must be 0 or more"))))
                .transpose()
        };
        let min = size("MinSize")?.ok_or_else(|| bad("MinSize", "required property MinSize is missing"))?;
        let max = size("MaxSize")?.ok_or_else(|| bad("MaxSize", "required property MaxSize is missing"))?;
        let (tags, propagate) = asg_tags(&p)?;
        let health = p.opt_str("HealthCheckType")?.unwrap_or_else(|| "EC2".into());
        let req = CreateAutoScalingGroup {
            name,
            launch: Some(launch),
            subnets,
            min,
            max,
            desired: size("DesiredCapacity")?,
            target_groups,
            tags,
            propagate,
            elb_health_check: health.eq_ignore_ascii_case("ELB"),
            grace_period_s: size("HealthCheckGracePeriod")?.unwrap_or(0),
        };
        let asg = self.world.create_auto_scaling_group(req).map_err(|e| {
            let at = if e.message.contains("Desired capacity") {
                "DesiredCapacity"
            } else if e.message.contains("Target Groups") {
                "TargetGroupARNs"
            } else if e.message.contains("bound") {
                "MaxSize"
            } else {
                "VPCZoneIdentifier"
            };
            api(e, Some(at))
        })?;
        let instances = self.world[asg].instances.clone();
        self.boot_launched(launch, &instances)?;
        let g = &self.world[asg];
        Ok(created(g.name.clone(), &[]))
    }

    /// The launch template (by id or name) or launch configuration a group names.
    fn launch_of(&self, p: &Props<'_>) -> Result<LaunchTemplateId, SinkError> {
        const OP: &str = "CreateAutoScalingGroup";
        if let Some(n) = p.get("LaunchTemplate") {
            let t = item(n, "LaunchTemplate");
            let id = match (t.opt_str("LaunchTemplateId")?, t.opt_str("LaunchTemplateName")?) {
                (Some(id), _) | (None, Some(id)) => id,
                (None, None) => {
                    return Err(bad("LaunchTemplate", "give LaunchTemplateId or LaunchTemplateName"))
                }
            };
            if let Some(v) = t.opt_str("Version")? {
                let latest = matches!(v.as_str(), "1" | "$Latest" | "$Default");
                if !latest {
                    return Err(bad_hint(
                        "LaunchTemplate.Version",
                        format!("version {v} does not exist: vpcsim's launch templates have one version"),
                        "use the template's LatestVersionNumber, $Latest or $Default",
                    ));
                }
            }
            return self
                .world
                .launch_template_id(OP, &id, LaunchKind::Template)
                .map_err(|e| api(e, Some("LaunchTemplate")));
        }
        if let Some(name) = p.opt_str("LaunchConfigurationName")? {
            return self
                .world
                .launch_template_id(OP, &name, LaunchKind::Configuration)
                .map_err(|e| api(e, Some("LaunchConfigurationName")));
        }
        Err(bad_hint(
            "LaunchTemplate",
            "the group names no launch template or launch configuration",
            "add LaunchTemplate: {LaunchTemplateId: !Ref YourTemplate, Version: !GetAtt YourTemplate.LatestVersionNumber}",
        ))
    }
}

/// A launch template's own tags: its TagSpecifications of type launch-template.
fn template_tags(p: &Props<'_>) -> Result<Tags, SinkError> {
    for (path, ts) in p.maps("TagSpecifications")? {
        let t = item(ts, &path);
        if t.opt_str("ResourceType")?.as_deref() == Some("launch-template") {
            return t.tags();
        }
    }
    Ok(Tags::new())
}

/// An Auto Scaling group's `Tags: [{Key, Value, PropagateAtLaunch}]`.
fn asg_tags(p: &Props<'_>) -> Result<(Tags, BTreeSet<String>), SinkError> {
    let tags = p.tags()?;
    let mut propagate = BTreeSet::new();
    for (path, t) in p.maps("Tags")? {
        let t = item(t, &path);
        if t.opt_bool("PropagateAtLaunch")? == Some(true) {
            propagate.insert(t.str("Key")?);
        }
    }
    Ok((tags, propagate))
}
