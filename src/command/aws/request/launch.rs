//! The flags of `aws ec2 create-launch-template` and `aws autoscaling
//! create-auto-scaling-group` (M2), typed: the launch template data's keys vpcsim models,
//! each other key refused saying why, and the group's sizes, subnets and tags.

use base64::Engine as _;
use serde_json::Value;

use super::{AwsError, Flags};
use crate::model::metadata_options::{Endpoint, MetadataChange, Tokens};

/// `--launch-template-data` of ec2 create-launch-template.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LaunchTemplateSpec {
    /// `--launch-template-name`.
    pub name: String,
    /// `ImageId`.
    pub image_id: Option<String>,
    /// `InstanceType`.
    pub instance_type: Option<String>,
    /// `KeyName`.
    pub key_name: Option<String>,
    /// `SecurityGroupIds`, or the `Groups` of the first of `NetworkInterfaces`.
    pub security_group_ids: Vec<String>,
    /// `NetworkInterfaces[0].AssociatePublicIpAddress`.
    pub public_ip: Option<bool>,
    /// `UserData`, decoded from base64.
    pub user_data: Option<String>,
    /// The tags of `TagSpecifications` for `instance`.
    pub instance_tags: Vec<(String, String)>,
    /// `MetadataOptions` (M1): `HttpEndpoint` and `HttpTokens`.
    pub metadata_options: MetadataChange,
}

/// The flags of autoscaling create-auto-scaling-group.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AutoScalingGroupSpec {
    /// `--auto-scaling-group-name`.
    pub name: String,
    /// `--launch-template`'s id or name.
    pub launch_template: Option<String>,
    /// `--min-size`.
    pub min: u32,
    /// `--max-size`.
    pub max: u32,
    /// `--desired-capacity` (MinSize when absent).
    pub desired: Option<u32>,
    /// `--vpc-zone-identifier`, split at commas.
    pub subnets: Vec<String>,
    /// `--target-group-arns`.
    pub target_group_arns: Vec<String>,
    /// `--health-check-type ELB`.
    pub elb_health_check: bool,
    /// `--health-check-grace-period`, seconds.
    pub grace_period_s: u32,
    /// `--tags`: key, value and PropagateAtLaunch.
    pub tags: Vec<(String, String, bool)>,
}

/// The `LaunchTemplateData` keys vpcsim reads.
const DATA_KEYS: &[&str] = &[
    "ImageId",
    "InstanceType",
    "KeyName",
    "MetadataOptions",
    "NetworkInterfaces",
    "SecurityGroupIds",
    "TagSpecifications",
    "UserData",
];

/// The keys of one of `NetworkInterfaces` vpcsim reads.
const NIC_KEYS: &[&str] = &["AssociatePublicIpAddress", "DeviceIndex", "Groups"];

/// M1: `MetadataOptions` (`--metadata-options` of run-instances, or a launch template's):
/// `HttpEndpoint` and `HttpTokens` are modelled; the keys that would change nothing vpcsim
/// answers are refused saying why.
pub(super) fn metadata_options(f: &Flags, value: Option<&Value>) -> Result<MetadataChange, AwsError> {
    let Some(value) = value else { return Ok(MetadataChange::default()) };
    let map = value.as_object().ok_or_else(|| f.invalid("MetadataOptions must be a structure".into()))?;
    let mut change = MetadataChange::default();
    for (key, v) in map {
        let text = v.as_str().unwrap_or_default();
        let bad = |valid: &str| {
            f.invalid(format!("Value ({text}) for parameter {key} is invalid. Valid values are: {valid}"))
        };
        match key.as_str() {
            "HttpEndpoint" => change.endpoint = Some(Endpoint::parse(text).ok_or_else(|| bad("enabled, disabled"))?),
            "HttpTokens" => change.tokens = Some(Tokens::parse(text).ok_or_else(|| bad("optional, required"))?),
            _ => {
                return Err(f.invalid(format!(
                    "MetadataOptions.{key} is not modelled by vpcsim (no containers, IPv6 or tags in its metadata); it reads HttpEndpoint, HttpTokens"
                )))
            }
        }
    }
    Ok(change)
}

/// `--launch-template LaunchTemplateId=...|LaunchTemplateName=...[,Version=...]`: the id
/// or name (vpcsim's launch templates have one version).
pub(super) fn template_reference(f: &Flags) -> Result<Option<String>, AwsError> {
    let Some(text) = f.opt("launch-template") else { return Ok(None) };
    let v = crate::command::aws::shorthand::parse(&text).map_err(AwsError::ParamError)?;
    let id = v.get("LaunchTemplateId").or_else(|| v.get("LaunchTemplateName")).and_then(Value::as_str);
    let version = v.get("Version").and_then(Value::as_str).unwrap_or("1");
    if !matches!(version, "1" | "$Latest" | "$Default") {
        return Err(f.invalid(format!(
            "The specified launch template version {version} does not exist: vpcsim's launch templates have one version"
        )));
    }
    let id = id.ok_or_else(|| f.invalid("give LaunchTemplateId or LaunchTemplateName".into()))?;
    Ok(Some(id.to_string()))
}

/// `--launch-template-id` or `--launch-template-name`, exactly one.
pub(super) fn one_template(f: &Flags) -> Result<String, AwsError> {
    match (f.opt("launch-template-id"), f.opt("launch-template-name")) {
        (Some(id), None) | (None, Some(id)) => Ok(id),
        (Some(_), Some(_)) => {
            Err(f.invalid("Give either --launch-template-id or --launch-template-name, not both".into()))
        }
        (None, None) => Err(f.missing("LaunchTemplateId or LaunchTemplateName")),
    }
}

/// ec2 create-launch-template: the data's keys vpcsim models; any other is refused.
pub(super) fn launch_template(f: &Flags) -> Result<LaunchTemplateSpec, AwsError> {
    let text = f.req("launch-template-data")?;
    let data = crate::command::aws::shorthand::parse(&text).map_err(AwsError::ParamError)?;
    let map =
        data.as_object().ok_or_else(|| f.invalid("--launch-template-data must be a structure".into()))?;
    if let Some(key) = map.keys().find(|k| !DATA_KEYS.contains(&k.as_str())) {
        return Err(f.invalid(format!(
            "LaunchTemplateData.{key} is not modelled by vpcsim; it reads {}",
            DATA_KEYS.join(", ")
        )));
    }
    let text_of = |key: &str| data.get(key).and_then(Value::as_str).map(str::to_string);
    let mut spec = LaunchTemplateSpec {
        name: f.req("launch-template-name")?,
        image_id: text_of("ImageId"),
        instance_type: text_of("InstanceType"),
        key_name: text_of("KeyName"),
        security_group_ids: strings(data.get("SecurityGroupIds")),
        metadata_options: metadata_options(f, data.get("MetadataOptions"))?,
        ..LaunchTemplateSpec::default()
    };
    if let Some(encoded) = text_of("UserData") {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .map_err(|_| f.invalid("Invalid BASE64 encoding of user data.".into()))?;
        spec.user_data = Some(String::from_utf8_lossy(&bytes).into_owned());
    }
    let nics = data.get("NetworkInterfaces").and_then(Value::as_array).cloned().unwrap_or_default();
    if nics.len() > 1 {
        return Err(f.invalid("vpcsim launches one network interface per instance".into()));
    }
    if let Some(nic) = nics.first() {
        if let Some(key) =
            nic.as_object().into_iter().flat_map(|m| m.keys()).find(|k| !NIC_KEYS.contains(&k.as_str()))
        {
            return Err(f.invalid(format!(
                "LaunchTemplateData.NetworkInterfaces[0].{key} is not modelled by vpcsim; it reads {}",
                NIC_KEYS.join(", ")
            )));
        }
        let groups = strings(nic.get("Groups"));
        if !groups.is_empty() && !spec.security_group_ids.is_empty() {
            return Err(f.invalid(
                "Network interfaces and an instance-level security groups may not be specified on the same request".into(),
            ));
        }
        if !groups.is_empty() {
            spec.security_group_ids = groups;
        }
        spec.public_ip = nic.get("AssociatePublicIpAddress").and_then(Value::as_bool);
    }
    for ts in data.get("TagSpecifications").and_then(Value::as_array).into_iter().flatten() {
        if ts.get("ResourceType").and_then(Value::as_str) != Some("instance") {
            return Err(f.invalid(
                "vpcsim tags the instances a template launches: give ResourceType=instance".into(),
            ));
        }
        for t in ts.get("Tags").and_then(Value::as_array).into_iter().flatten() {
            let key = t.get("Key").and_then(Value::as_str).unwrap_or_default();
            let value = t.get("Value").and_then(Value::as_str).unwrap_or_default();
            spec.instance_tags.push((key.to_string(), value.to_string()));
        }
    }
    Ok(spec)
}

/// autoscaling create-auto-scaling-group.
pub(super) fn auto_scaling_group(f: &Flags) -> Result<AutoScalingGroupSpec, AwsError> {
    let size = |flag: &str, api: &str| f.count(flag, api);
    let elb_health_check = match f.opt("health-check-type").as_deref() {
        None | Some("EC2") => false,
        Some("ELB") => true,
        Some(other) => {
            return Err(f.invalid(format!("Invalid value '{other}' for HealthCheckType: give EC2 or ELB")))
        }
    };
    let mut tags = Vec::new();
    for word in f.list("tags") {
        let v = crate::command::aws::shorthand::parse(&word).map_err(AwsError::ParamError)?;
        let key =
            v.get("Key").and_then(Value::as_str).ok_or_else(|| f.invalid("a tag needs a Key".into()))?;
        let value = v.get("Value").and_then(Value::as_str).unwrap_or_default();
        let propagate = match v.get("PropagateAtLaunch") {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
            Some(_) => false,
        };
        tags.push((key.to_string(), value.to_string(), propagate));
    }
    Ok(AutoScalingGroupSpec {
        name: f.req("auto-scaling-group-name")?,
        launch_template: template_reference(f)?,
        min: size("min-size", "MinSize")?.unwrap_or_default(),
        max: size("max-size", "MaxSize")?.unwrap_or_default(),
        desired: size("desired-capacity", "DesiredCapacity")?,
        subnets: f
            .opt("vpc-zone-identifier")
            .map(|s| s.split(',').map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect())
            .unwrap_or_default(),
        target_group_arns: f.list("target-group-arns"),
        elb_health_check,
        grace_period_s: size("health-check-grace-period", "HealthCheckGracePeriod")?.unwrap_or(0),
        tags,
    })
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}
