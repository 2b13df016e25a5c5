//! The keys inside nested properties of the modelled CloudFormation types (security group
//! rules, a NACL entry's `Icmp` and `PortRange`, an instance's `NetworkInterfaces`, load
//! balancer and target group attributes, listener actions, tags, ...), each modelled,
//! warned or refused like a top-level property (see [`super::properties`]). A key the
//! reference does not list is an error naming its path (`Properties.SecurityGroupIngress[0].Bogus`),
//! and so is an attribute name (`Properties.TargetGroupAttributes[2].Key`) that a
//! Network Load Balancer does not have.
//!
//! Checked against the CloudFormation Template Reference property-type pages of each type
//! (`AWS::EC2::SecurityGroup Ingress`/`Egress`, `AWS::EC2::NetworkAclEntry Icmp`/`PortRange`,
//! `AWS::EC2::Instance NetworkInterface`/`BlockDeviceMapping`, `AWS::EC2::LaunchTemplate
//! LaunchTemplateData`/`NetworkInterface`/`TagSpecification`, `AWS::ElasticLoadBalancingV2::*
//! LoadBalancerAttribute`/`TargetGroupAttribute`/`SubnetMapping`/`Action`/`ForwardConfig`/
//! `Certificate`/`Matcher`/`TargetDescription`, `AWS::Route53::HostedZone VPC`/`HostedZoneConfig`,
//! `AWS::Route53::RecordSet AliasTarget`, `AWS::AutoScaling::AutoScalingGroup
//! LaunchTemplateSpecification`/`TagProperty`, `AWS::EC2::PrefixList Entry`) and, for the
//! attribute names, the Elastic Load Balancing API reference (`TargetGroupAttribute`,
//! `LoadBalancerAttribute`: the keys a Network Load Balancer accepts).

use crate::cfn::{SinkError, SinkWarning};
use crate::yaml::Node;

use super::properties::{Disposition, Properties};

use Disposition::{Default as D, Modelled as M, Refused as R, Warned as W};

/// How the keys at a path are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// A map whose keys are listed.
    Map,
    /// A list of `{Key, Value}` maps whose `Key` values are listed (ELBv2 attributes).
    Attributes,
}

/// One nested place: the type (`*` for every type that has the property), the path from
/// `Properties` (`[]` steps into every item of a list), its shape and its keys.
pub type Nested = (&'static str, &'static str, Shape, Properties);

const TAG: Properties = &[("Key", M), ("Value", M)];
const BLOCK_DEVICE: Properties = &[("DeviceName", W), ("Ebs", W), ("NoDevice", W), ("VirtualName", W)];

/// Every nested place vpcsim checks, as the CloudFormation reference lists its keys; a
/// place comes after the place it is inside, so that keys inside a warned one are quiet.
pub const NESTED: &[Nested] = &[
    ("*", "Tags[]", Shape::Map, TAG),
    (
        "AWS::EC2::SecurityGroup",
        "SecurityGroupIngress[]",
        Shape::Map,
        &[
            ("CidrIp", M),
            ("CidrIpv6", M),
            ("Description", M),
            ("FromPort", M),
            ("IpProtocol", M),
            ("SourcePrefixListId", M),
            ("SourceSecurityGroupId", M),
            ("SourceSecurityGroupName", R),
            ("SourceSecurityGroupOwnerId", M),
            ("ToPort", M),
        ],
    ),
    (
        "AWS::EC2::SecurityGroup",
        "SecurityGroupEgress[]",
        Shape::Map,
        &[
            ("CidrIp", M),
            ("CidrIpv6", M),
            ("Description", M),
            ("DestinationPrefixListId", M),
            ("DestinationSecurityGroupId", M),
            ("FromPort", M),
            ("IpProtocol", M),
            ("ToPort", M),
        ],
    ),
    ("AWS::EC2::NetworkAclEntry", "Icmp", Shape::Map, &[("Code", M), ("Type", M)]),
    ("AWS::EC2::NetworkAclEntry", "PortRange", Shape::Map, &[("From", M), ("To", M)]),
    ("AWS::EC2::Instance", "NetworkInterfaces[]", Shape::Map, INSTANCE_NIC),
    ("AWS::EC2::Instance", "NetworkInterfaces[].PrivateIpAddresses[]", Shape::Map, PRIVATE_IP),
    ("AWS::EC2::NetworkInterface", "PrivateIpAddresses[]", Shape::Map, PRIVATE_IP),
    ("AWS::EC2::Instance", "BlockDeviceMappings[]", Shape::Map, BLOCK_DEVICE),
    ("AWS::EC2::Instance", "MetadataOptions", Shape::Map, METADATA_OPTIONS),
    ("AWS::EC2::PrefixList", "Entries[]", Shape::Map, &[("Cidr", M), ("Description", M)]),
    ("AWS::EC2::LaunchTemplate", "TagSpecifications[]", Shape::Map, &[("ResourceType", M), ("Tags", M)]),
    ("AWS::EC2::LaunchTemplate", "TagSpecifications[].Tags[]", Shape::Map, TAG),
    ("AWS::EC2::LaunchTemplate", "LaunchTemplateData", Shape::Map, LAUNCH_TEMPLATE_DATA),
    ("AWS::EC2::LaunchTemplate", "LaunchTemplateData.NetworkInterfaces[]", Shape::Map, TEMPLATE_NIC),
    ("AWS::EC2::LaunchTemplate", "LaunchTemplateData.BlockDeviceMappings[]", Shape::Map, BLOCK_DEVICE),
    ("AWS::EC2::LaunchTemplate", "LaunchTemplateData.MetadataOptions", Shape::Map, METADATA_OPTIONS),
    (
        "AWS::EC2::LaunchTemplate",
        "LaunchTemplateData.TagSpecifications[]",
        Shape::Map,
        &[("ResourceType", M), ("Tags", M)],
    ),
    ("AWS::EC2::LaunchTemplate", "LaunchTemplateData.TagSpecifications[].Tags[]", Shape::Map, TAG),
    (
        "AWS::AutoScaling::AutoScalingGroup",
        "LaunchTemplate",
        Shape::Map,
        &[("LaunchTemplateId", M), ("LaunchTemplateName", M), ("Version", M)],
    ),
    (
        "AWS::AutoScaling::AutoScalingGroup",
        "Tags[]",
        Shape::Map,
        &[("Key", M), ("PropagateAtLaunch", M), ("Value", M)],
    ),
    ("AWS::AutoScaling::LaunchConfiguration", "BlockDeviceMappings[]", Shape::Map, BLOCK_DEVICE),
    (
        "AWS::AutoScaling::LaunchConfiguration",
        "MetadataOptions",
        Shape::Map,
        LAUNCH_CONFIGURATION_METADATA_OPTIONS,
    ),
    (
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        "LoadBalancerAttributes[]",
        Shape::Attributes,
        &[
            ("access_logs.s3.bucket", W),
            ("access_logs.s3.enabled", W),
            ("access_logs.s3.prefix", W),
            ("deletion_protection.enabled", W),
            ("dns_record.client_routing_policy", D("any_availability_zone")),
            ("ipv6.deny_all_igw_traffic", W),
            ("load_balancing.cross_zone.enabled", M),
            ("secondary_ips.auto_assigned.per_subnet", D("0")),
            ("zonal_shift.config.enabled", W),
        ],
    ),
    (
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        "SubnetMappings[]",
        Shape::Map,
        &[
            ("AllocationId", M),
            ("IPv6Address", R),
            ("PrivateIPv4Address", R),
            ("SourceNatIpv6Prefix", R),
            ("SubnetId", M),
        ],
    ),
    (
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        "TargetGroupAttributes[]",
        Shape::Attributes,
        &[
            ("deregistration_delay.connection_termination.enabled", W),
            ("deregistration_delay.timeout_seconds", M),
            ("load_balancing.cross_zone.enabled", M),
            ("preserve_client_ip.enabled", M),
            ("proxy_protocol_v2.enabled", D("false")),
            ("stickiness.enabled", D("false")),
            ("stickiness.type", D("source_ip")),
            ("target_group_health.dns_failover.minimum_healthy_targets.count", D("1")),
            ("target_group_health.dns_failover.minimum_healthy_targets.percentage", D("off")),
            ("target_group_health.unhealthy_state_routing.minimum_healthy_targets.count", D("1")),
            ("target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage", D("off")),
            ("target_health_state.unhealthy.connection_termination.enabled", W),
            ("target_health_state.unhealthy.draining_interval_seconds", W),
        ],
    ),
    (
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        "Targets[]",
        Shape::Map,
        &[("AvailabilityZone", R), ("Id", M), ("Port", M), ("QuicServerId", R)],
    ),
    ("AWS::ElasticLoadBalancingV2::TargetGroup", "Matcher", Shape::Map, &[("GrpcCode", R), ("HttpCode", M)]),
    (
        "AWS::ElasticLoadBalancingV2::Listener",
        "DefaultActions[]",
        Shape::Map,
        &[
            ("AuthenticateCognitoConfig", R),
            ("AuthenticateOidcConfig", R),
            ("FixedResponseConfig", R),
            ("ForwardConfig", M),
            ("JwtValidationConfig", R),
            ("Order", M),
            ("RedirectConfig", R),
            ("TargetGroupArn", M),
            ("Type", M),
        ],
    ),
    (
        "AWS::ElasticLoadBalancingV2::Listener",
        "DefaultActions[].ForwardConfig",
        Shape::Map,
        &[("TargetGroupStickinessConfig", M), ("TargetGroups", M)],
    ),
    (
        "AWS::ElasticLoadBalancingV2::Listener",
        "DefaultActions[].ForwardConfig.TargetGroups[]",
        Shape::Map,
        &[("TargetGroupArn", M), ("Weight", M)],
    ),
    (
        "AWS::ElasticLoadBalancingV2::Listener",
        "DefaultActions[].ForwardConfig.TargetGroupStickinessConfig",
        Shape::Map,
        &[("DurationSeconds", W), ("Enabled", D("false"))],
    ),
    ("AWS::ElasticLoadBalancingV2::Listener", "Certificates[]", Shape::Map, &[("CertificateArn", W)]),
    (
        "AWS::ElasticLoadBalancingV2::Listener",
        "ListenerAttributes[]",
        Shape::Attributes,
        &[("tcp.idle_timeout.seconds", W)],
    ),
    ("AWS::Route53::HostedZone", "VPCs[]", Shape::Map, &[("VPCId", M), ("VPCRegion", M)]),
    ("AWS::Route53::HostedZone", "HostedZoneConfig", Shape::Map, &[("Comment", M)]),
    ("AWS::Route53::HostedZone", "HostedZoneTags[]", Shape::Map, TAG),
    ("AWS::Route53::HostedZone", "QueryLoggingConfig", Shape::Map, &[("CloudWatchLogsLogGroupArn", W)]),
    // EvaluateTargetHealth is read by the record set's builder, which warns only when it is
    // true (false is what the alias does anyway): one warning per property.
    (
        "AWS::Route53::RecordSet",
        "AliasTarget",
        Shape::Map,
        &[("DNSName", M), ("EvaluateTargetHealth", M), ("HostedZoneId", M)],
    ),
];

/// M1: the instance metadata service answers `curl http://169.254.169.254/...` only while
/// its endpoint is enabled, and only with a token when tokens are required; the other
/// options change no answer vpcsim gives (no IPv6, no containers a hop away, no tags in
/// the metadata).
const METADATA_OPTIONS: Properties = &[
    ("HttpEndpoint", M),
    ("HttpProtocolIpv6", W),
    ("HttpPutResponseHopLimit", W),
    ("HttpTokens", M),
    ("InstanceMetadataTags", W),
];

/// A launch configuration's `MetadataOptions` (no IPv6 or tags keys there).
const LAUNCH_CONFIGURATION_METADATA_OPTIONS: Properties =
    &[("HttpEndpoint", M), ("HttpPutResponseHopLimit", W), ("HttpTokens", M)];

const INSTANCE_NIC: Properties = &[
    ("AssociateCarrierIpAddress", R),
    ("AssociatePublicIpAddress", M),
    ("DeleteOnTermination", M),
    ("Description", M),
    ("DeviceIndex", M),
    ("EnaSrdSpecification", W),
    ("GroupSet", M),
    ("Ipv6AddressCount", R),
    ("Ipv6Addresses", R),
    ("NetworkInterfaceId", M),
    ("PrivateIpAddress", M),
    ("PrivateIpAddresses", M),
    ("SecondaryPrivateIpAddressCount", M),
    ("SubnetId", M),
];

/// M6: an entry of `PrivateIpAddresses` (`AWS::EC2::NetworkInterface
/// PrivateIpAddressSpecification`).
const PRIVATE_IP: Properties = &[("Primary", M), ("PrivateIpAddress", M)];

const TEMPLATE_NIC: Properties = &[
    ("AssociateCarrierIpAddress", R),
    ("AssociatePublicIpAddress", M),
    ("ConnectionTrackingSpecification", R),
    ("DeleteOnTermination", W),
    ("Description", W),
    ("DeviceIndex", M),
    ("EnaSrdSpecification", W),
    ("Groups", M),
    ("InterfaceType", R),
    ("Ipv4PrefixCount", R),
    ("Ipv4Prefixes", R),
    ("Ipv6AddressCount", R),
    ("Ipv6Addresses", R),
    ("Ipv6PrefixCount", R),
    ("Ipv6Prefixes", R),
    ("NetworkCardIndex", R),
    ("NetworkInterfaceId", R),
    ("PrimaryIpv6", R),
    ("PrivateIpAddress", R),
    ("PrivateIpAddresses", R),
    ("SecondaryPrivateIpAddressCount", R),
    ("SubnetId", R),
];

const LAUNCH_TEMPLATE_DATA: Properties = &[
    ("BlockDeviceMappings", W),
    ("CapacityReservationSpecification", W),
    ("CpuOptions", W),
    ("CreditSpecification", W),
    ("DisableApiStop", W),
    ("DisableApiTermination", W),
    ("EbsOptimized", W),
    ("ElasticGpuSpecifications", W),
    ("ElasticInferenceAccelerators", W),
    ("EnclaveOptions", W),
    ("HibernationOptions", W),
    // M7: the credentials of the UserData's `aws` calls.
    ("IamInstanceProfile", M),
    ("ImageId", M),
    ("InstanceInitiatedShutdownBehavior", W),
    ("InstanceMarketOptions", W),
    ("InstanceRequirements", W),
    ("InstanceType", M),
    ("KernelId", W),
    ("KeyName", M),
    ("LicenseSpecifications", W),
    ("MaintenanceOptions", W),
    ("MetadataOptions", M),
    ("Monitoring", W),
    ("NetworkInterfaces", M),
    ("NetworkPerformanceOptions", R),
    ("Placement", W),
    ("PrivateDnsNameOptions", R),
    ("RamDiskId", W),
    ("SecurityGroupIds", M),
    ("SecurityGroups", R),
    ("TagSpecifications", M),
    ("UserData", M),
];

/// The nested places of `resource_type` (its own, and the `*` ones it does not override)
/// whose first step is one of its `properties`.
pub fn of<'a>(resource_type: &'a str, properties: Properties) -> impl Iterator<Item = &'static Nested> + 'a {
    let own = move |path: &str| NESTED.iter().any(|(t, p, ..)| *t == resource_type && *p == path);
    NESTED.iter().filter(move |(t, path, ..)| {
        let top = path.split(['.', '[']).next().unwrap_or_default();
        let listed = properties.iter().any(|(n, _)| *n == top);
        (*t == resource_type || (*t == "*" && !own(path))) && listed
    })
}

/// Checks every nested place of a resource: unknown keys and refused keys are errors
/// naming their path; warned keys are warnings (none under a property already warned about).
pub fn check(
    resource_type: &str,
    top: Properties,
    properties: &Node,
    warnings: &mut Vec<SinkWarning>,
) -> Result<(), SinkError> {
    for (_, path, shape, keys) in of(resource_type, top) {
        for (at, node) in at_path(properties, path) {
            let within = |w: &SinkWarning| {
                at.strip_prefix(w.property.as_str())
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
            };
            let quiet = warnings.iter().any(within);
            let place = Place { resource_type, path: &at, keys, quiet };
            match shape {
                Shape::Map => place.map(node, warnings)?,
                Shape::Attributes => place.attribute(node, warnings)?,
            }
        }
    }
    Ok(())
}

/// The nodes at `path` (`[]` steps into each item), each with its written path (`A[0].B`).
fn at_path<'n>(root: &'n Node, path: &str) -> Vec<(String, &'n Node)> {
    let mut found = vec![(String::new(), root)];
    for step in path.split('.') {
        let (name, each) = match step.strip_suffix("[]") {
            Some(name) => (name, true),
            None => (step, false),
        };
        let mut next = Vec::new();
        for (at, node) in found {
            let Some(child) = node.as_map().and_then(|_| node.get(name)) else { continue };
            let at = if at.is_empty() { name.to_string() } else { format!("{at}.{name}") };
            match (each, child.as_seq()) {
                (true, Some(items)) => {
                    next.extend(items.iter().enumerate().map(|(i, x)| (format!("{at}[{i}]"), x)))
                }
                (true, None) => {}
                (false, _) => next.push((at, child)),
            }
        }
        found = next;
    }
    found
}

/// One nested place being checked.
struct Place<'a> {
    resource_type: &'a str,
    path: &'a str,
    keys: Properties,
    quiet: bool,
}

impl Place<'_> {
    fn map(&self, node: &Node, warnings: &mut Vec<SinkWarning>) -> Result<(), SinkError> {
        for (key, value) in node.as_map().unwrap_or_default() {
            let name = key.name.as_str();
            let at = format!("{}.{name}", self.path);
            let Some(d) = self.disposition(name) else {
                return Err(SinkError {
                    message: format!("extraneous key [{name}] is not permitted at Properties.{at}"),
                    hint: Some(format!("{} has {}; check its spelling", self.path, self.names())),
                    property: Some(at),
                });
            };
            self.apply(d, &at, &at, value.scalar_text().as_deref(), warnings)?;
        }
        Ok(())
    }

    fn attribute(&self, node: &Node, warnings: &mut Vec<SinkWarning>) -> Result<(), SinkError> {
        self.map_keys(node, &["Key", "Value"])?;
        let Some(name) = node.get("Key").and_then(Node::scalar_text) else { return Ok(()) };
        let at = format!("{}.Key", self.path);
        let Some(d) = self.disposition(&name) else {
            return Err(SinkError {
                message: format!(
                    "Properties.{at}: {name:?} is not an attribute of a Network Load Balancer's {}",
                    self.what()
                ),
                hint: Some(format!("the attributes are {}", self.names())),
                property: Some(at),
            });
        };
        let value = node.get("Value").and_then(Node::scalar_text);
        if matches!(d, Disposition::Default(_)) && node.get("Value").is_some() {
            let value_at = format!("{}.Value", self.path);
            return self.apply(d, &format!("{}.{name}", self.path), &value_at, value.as_deref(), warnings);
        }
        self.apply(d, &format!("{}.{name}", self.path), &at, value.as_deref(), warnings)
    }

    fn map_keys(&self, node: &Node, allowed: &[&str]) -> Result<(), SinkError> {
        for (key, _) in node.as_map().unwrap_or_default() {
            if !allowed.contains(&key.name.as_str()) {
                let at = format!("{}.{}", self.path, key.name);
                return Err(SinkError {
                    message: format!("extraneous key [{}] is not permitted at Properties.{at}", key.name),
                    hint: Some(format!("an attribute has {}", allowed.join(" and "))),
                    property: Some(at),
                });
            }
        }
        Ok(())
    }

    fn apply(
        &self,
        d: Disposition,
        named: &str,
        at: &str,
        value: Option<&str>,
        warnings: &mut Vec<SinkWarning>,
    ) -> Result<(), SinkError> {
        let ty = self.resource_type;
        match d {
            Disposition::Modelled => Ok(()),
            Disposition::Default(default) if value.is_none_or(|v| v.eq_ignore_ascii_case(default)) => Ok(()),
            Disposition::Default(default) => Err(SinkError {
                message: format!(
                    "{ty} {named} = {} is not modelled by vpcsim (only {default}, AWS's default), and it would change what the network does",
                    value.unwrap_or_default()
                ),
                hint: Some(format!("set it to {default} or remove it to simulate the resource")),
                property: Some(at.to_string()),
            }),
            Disposition::Refused => Err(SinkError {
                message: format!(
                    "{ty} {named} is not modelled by vpcsim, and it would change what the network does"
                ),
                hint: Some(format!("remove {named} to simulate the resource without it")),
                property: Some(at.to_string()),
            }),
            Disposition::Warned if self.quiet => Ok(()),
            Disposition::Warned => {
                warnings.push(SinkWarning {
                    property: at.to_string(),
                    message: format!("{ty} {named} is accepted but does not change the simulation"),
                });
                Ok(())
            }
        }
    }

    fn disposition(&self, name: &str) -> Option<Disposition> {
        self.keys.iter().find(|(k, _)| *k == name).map(|(_, d)| *d)
    }

    fn names(&self) -> String {
        self.keys.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", ")
    }

    /// `TargetGroupAttributes` -> `target group`, for messages about attribute names.
    fn what(&self) -> &'static str {
        match self.path.split('[').next() {
            Some("TargetGroupAttributes") => "target group",
            Some("ListenerAttributes") => "listener",
            _ => "load balancer",
        }
    }
}
