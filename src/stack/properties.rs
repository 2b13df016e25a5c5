//! Every property of every modelled CloudFormation type, from the CloudFormation resource
//! reference, with what vpcsim does with it: modelled (the builder reads it), accepted
//! with a warning that names it (it cannot change what the network does: tenancy,
//! monitoring, volumes, IAM profiles), or refused (it would change what the network does
//! and vpcsim does not model it: IPv6 pools and addresses, IPAM pools, TLS, ...). A property the type does not
//! have is an error in CloudFormation's words. Types missing from [`TABLE`] are not checked.

use crate::cfn::{SinkError, SinkWarning};
use crate::yaml::Node;

/// What vpcsim does with one property.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Disposition {
    /// The builder reads it and the simulation follows it.
    Modelled,
    /// Accepted with a warning: it does not change what the network does.
    Warned,
    /// Refused: it would change what the network does, and vpcsim does not model it.
    Refused,
    /// Modelled at this value, AWS's default (compared ignoring case); any other value is
    /// refused, since it would change what the network does.
    Default(&'static str),
}

use Disposition::{Default as D, Modelled as M, Refused as R, Warned as W};

/// One type's properties.
pub type Properties = &'static [(&'static str, Disposition)];

/// The modelled types and their properties, as the CloudFormation resource reference lists them.
pub const TABLE: &[(&str, Properties)] = &[
    // C3: the child template is read from a local path and created with the parent.
    (
        "AWS::CloudFormation::Stack",
        &[
            ("NotificationARNs", W),
            ("Parameters", M),
            ("Tags", W),
            ("TemplateURL", M),
            ("TimeoutInMinutes", W),
        ],
    ),
    (
        "AWS::EC2::VPC",
        &[
            ("CidrBlock", M),
            ("EnableDnsHostnames", M),
            ("EnableDnsSupport", M),
            ("InstanceTenancy", W),
            ("Ipv4IpamPoolId", R),
            ("Ipv4NetmaskLength", R),
            ("Tags", M),
        ],
    ),
    (
        "AWS::EC2::Subnet",
        &[
            ("AssignIpv6AddressOnCreation", M),
            ("AvailabilityZone", M),
            ("AvailabilityZoneId", R),
            ("CidrBlock", M),
            ("EnableDns64", R),
            ("EnableLniAtDeviceIndex", R),
            ("Ipv4IpamPoolId", R),
            ("Ipv4NetmaskLength", R),
            ("Ipv6CidrBlock", M),
            ("Ipv6IpamPoolId", R),
            ("Ipv6Native", D("false")),
            ("Ipv6NetmaskLength", R),
            ("MapPublicIpOnLaunch", M),
            ("OutpostArn", R),
            ("PrivateDnsNameOptionsOnLaunch", R),
            ("Tags", M),
            ("VpcId", M),
        ],
    ),
    (
        "AWS::EC2::VPCCidrBlock",
        &[
            ("AmazonProvidedIpv6CidrBlock", M),
            ("CidrBlock", M),
            ("Ipv4IpamPoolId", R),
            ("Ipv4NetmaskLength", R),
            ("Ipv6CidrBlock", R),
            ("Ipv6CidrBlockNetworkBorderGroup", R),
            ("Ipv6IpamPoolId", R),
            ("Ipv6NetmaskLength", R),
            ("Ipv6Pool", R),
            ("VpcId", M),
        ],
    ),
    ("AWS::EC2::RouteTable", &[("Tags", M), ("VpcId", M)]),
    (
        "AWS::EC2::Route",
        &[
            ("CarrierGatewayId", R),
            ("CoreNetworkArn", R),
            ("DestinationCidrBlock", M),
            ("DestinationIpv6CidrBlock", M),
            ("DestinationPrefixListId", M),
            ("EgressOnlyInternetGatewayId", M),
            ("GatewayId", M),
            ("InstanceId", M),
            ("LocalGatewayId", R),
            ("NatGatewayId", M),
            ("NetworkInterfaceId", M),
            ("RouteTableId", M),
            ("TransitGatewayId", M),
            ("VpcEndpointId", R),
            ("VpcPeeringConnectionId", M),
        ],
    ),
    ("AWS::EC2::SubnetRouteTableAssociation", &[("RouteTableId", M), ("SubnetId", M)]),
    ("AWS::EC2::InternetGateway", &[("Tags", M)]),
    ("AWS::EC2::EgressOnlyInternetGateway", &[("VpcId", M)]),
    (
        "AWS::EC2::SubnetCidrBlock",
        &[("Ipv6CidrBlock", M), ("Ipv6IpamPoolId", R), ("Ipv6NetmaskLength", R), ("SubnetId", M)],
    ),
    ("AWS::EC2::VPCGatewayAttachment", &[("InternetGatewayId", M), ("VpcId", M), ("VpnGatewayId", R)]),
    (
        "AWS::EC2::SecurityGroup",
        &[
            ("GroupDescription", M),
            ("GroupName", M),
            ("SecurityGroupEgress", M),
            ("SecurityGroupIngress", M),
            ("Tags", M),
            ("VpcId", M),
        ],
    ),
    (
        "AWS::EC2::SecurityGroupIngress",
        &[
            ("CidrIp", M),
            ("CidrIpv6", M),
            ("Description", M),
            ("FromPort", M),
            ("GroupId", M),
            ("GroupName", R),
            ("IpProtocol", M),
            ("SourcePrefixListId", M),
            ("SourceSecurityGroupId", M),
            ("SourceSecurityGroupName", R),
            ("SourceSecurityGroupOwnerId", M),
            ("ToPort", M),
        ],
    ),
    (
        "AWS::EC2::SecurityGroupEgress",
        &[
            ("CidrIp", M),
            ("CidrIpv6", M),
            ("Description", M),
            ("DestinationPrefixListId", M),
            ("DestinationSecurityGroupId", M),
            ("FromPort", M),
            ("GroupId", M),
            ("IpProtocol", M),
            ("ToPort", M),
        ],
    ),
    ("AWS::EC2::NetworkAcl", &[("Tags", M), ("VpcId", M)]),
    (
        "AWS::EC2::NetworkAclEntry",
        &[
            ("CidrBlock", M),
            ("Egress", M),
            ("Icmp", M),
            ("Ipv6CidrBlock", M),
            ("NetworkAclId", M),
            ("PortRange", M),
            ("Protocol", M),
            ("RuleAction", M),
            ("RuleNumber", M),
        ],
    ),
    ("AWS::EC2::SubnetNetworkAclAssociation", &[("NetworkAclId", M), ("SubnetId", M)]),
    (
        "AWS::EC2::Instance",
        &[
            ("AdditionalInfo", W),
            ("Affinity", W),
            ("AvailabilityZone", W),
            ("BlockDeviceMappings", W),
            ("CpuOptions", W),
            ("CreditSpecification", W),
            ("DisableApiTermination", W),
            ("EbsOptimized", W),
            ("ElasticGpuSpecifications", W),
            ("ElasticInferenceAccelerators", W),
            ("EnclaveOptions", W),
            ("HibernationOptions", W),
            ("HostId", W),
            ("HostResourceGroupArn", W),
            // M7: the credentials of the UserData's `aws` calls.
            ("IamInstanceProfile", M),
            ("ImageId", M),
            ("InstanceInitiatedShutdownBehavior", W),
            ("InstanceType", M),
            ("Ipv6AddressCount", W),
            ("Ipv6Addresses", W),
            ("KernelId", W),
            ("KeyName", M),
            ("LaunchTemplate", R),
            ("LicenseSpecifications", W),
            ("MetadataOptions", M),
            ("Monitoring", W),
            ("NetworkInterfaces", M),
            ("PlacementGroupName", W),
            ("PrivateDnsNameOptions", R),
            ("PrivateIpAddress", M),
            ("PropagateTagsToVolumeOnCreation", W),
            ("RamdiskId", W),
            ("SecurityGroupIds", M),
            ("SecurityGroups", R),
            ("SourceDestCheck", M),
            ("SsmAssociations", W),
            ("SubnetId", M),
            ("Tags", M),
            ("Tenancy", W),
            ("UserData", M),
            ("Volumes", W),
        ],
    ),
    (
        "AWS::EC2::NetworkInterface",
        &[
            ("ConnectionTrackingSpecification", R),
            ("Description", M),
            ("EnablePrimaryIpv6", R),
            ("GroupSet", M),
            ("InterfaceType", R),
            ("Ipv4PrefixCount", R),
            ("Ipv4Prefixes", R),
            ("Ipv6AddressCount", R),
            ("Ipv6Addresses", R),
            ("Ipv6PrefixCount", R),
            ("Ipv6Prefixes", R),
            ("PrivateIpAddress", M),
            ("PrivateIpAddresses", M),
            ("SecondaryPrivateIpAddressCount", M),
            ("SourceDestCheck", M),
            ("SubnetId", M),
            ("Tags", M),
        ],
    ),
    (
        "AWS::EC2::NetworkInterfaceAttachment",
        &[
            ("DeleteOnTermination", M),
            ("DeviceIndex", M),
            ("EnaSrdSpecification", W),
            ("InstanceId", M),
            ("NetworkInterfaceId", M),
        ],
    ),
    (
        "AWS::EC2::EIP",
        &[
            ("Address", R),
            ("Domain", W),
            ("InstanceId", M),
            ("IpamPoolId", R),
            ("NetworkBorderGroup", W),
            ("PublicIpv4Pool", R),
            ("Tags", M),
            ("TransferAddress", R),
        ],
    ),
    (
        "AWS::EC2::EIPAssociation",
        &[
            ("AllocationId", M),
            ("EIP", M),
            ("InstanceId", M),
            ("NetworkInterfaceId", M),
            ("PrivateIpAddress", M),
        ],
    ),
    (
        "AWS::EC2::NatGateway",
        &[
            ("AllocationId", M),
            ("AvailabilityMode", R),
            ("AvailabilityZoneAddresses", R),
            ("ConnectivityType", M),
            ("MaxDrainDurationSeconds", W),
            ("PrivateIpAddress", M),
            ("SecondaryAllocationIds", R),
            ("SecondaryPrivateIpAddressCount", R),
            ("SecondaryPrivateIpAddresses", R),
            ("SubnetId", M),
            ("Tags", M),
            ("VpcId", R),
        ],
    ),
    (
        "AWS::EC2::VPCEndpointService",
        &[
            ("AcceptanceRequired", M),
            ("ContributorInsightsEnabled", W),
            ("GatewayLoadBalancerArns", R),
            ("NetworkLoadBalancerArns", M),
            ("PayerResponsibility", W),
            ("SupportedIpAddressTypes", R),
            ("SupportedRegions", R),
            ("Tags", M),
        ],
    ),
    ("AWS::EC2::VPCEndpointServicePermissions", &[("AllowedPrincipals", M), ("ServiceId", M)]),
    (
        "AWS::EC2::VPCEndpoint",
        &[
            ("DnsOptions", R),
            ("IpAddressType", D("ipv4")),
            ("PolicyDocument", M),
            ("PrivateDnsEnabled", M),
            ("ResourceConfigurationArn", R),
            ("RouteTableIds", M),
            ("SecurityGroupIds", M),
            ("ServiceName", M),
            ("ServiceNetworkArn", R),
            ("ServiceRegion", R),
            ("SubnetIds", M),
            ("Tags", M),
            ("VpcEndpointType", M),
            ("VpcId", M),
        ],
    ),
    (
        "AWS::EC2::VPCEndpointConnectionNotification",
        &[("ConnectionEvents", M), ("ConnectionNotificationArn", M), ("ServiceId", M), ("VPCEndpointId", M)],
    ),
    (
        "AWS::EC2::PrefixList",
        &[("AddressFamily", M), ("Entries", M), ("MaxEntries", M), ("PrefixListName", M), ("Tags", M)],
    ),
    (
        "AWS::Route53::HostedZone",
        &[
            ("HostedZoneConfig", M),
            ("HostedZoneTags", W),
            ("Name", M),
            ("QueryLoggingConfig", W),
            ("VPCs", M),
        ],
    ),
    (
        "AWS::Route53::RecordSet",
        &[
            ("AliasTarget", M),
            ("CidrRoutingConfig", R),
            ("Comment", W),
            ("Failover", R),
            ("GeoLocation", R),
            ("GeoProximityLocation", R),
            ("HealthCheckId", R),
            ("HostedZoneId", M),
            ("HostedZoneName", M),
            ("MultiValueAnswer", R),
            ("Name", M),
            ("Region", R),
            ("ResourceRecords", M),
            ("SetIdentifier", R),
            ("TTL", M),
            ("Type", M),
            ("Weight", R),
        ],
    ),
    (
        "AWS::Route53::RecordSetGroup",
        &[("Comment", W), ("HostedZoneId", M), ("HostedZoneName", M), ("RecordSets", M)],
    ),
    (
        "AWS::EC2::DHCPOptions",
        &[
            ("DomainName", M),
            ("DomainNameServers", M),
            ("Ipv6AddressPreferredLeaseTime", W),
            ("NetbiosNameServers", W),
            ("NetbiosNodeType", W),
            ("NtpServers", W),
            ("Tags", M),
        ],
    ),
    ("AWS::EC2::VPCDHCPOptionsAssociation", &[("DhcpOptionsId", M), ("VpcId", M)]),
    (
        "AWS::EC2::VPCPeeringConnection",
        &[
            ("PeerOwnerId", M),
            ("PeerRegion", M),
            ("PeerRoleArn", M),
            ("PeerVpcId", M),
            ("Tags", M),
            ("VpcId", M),
        ],
    ),
    (
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        &[
            ("EnablePrefixForIpv6SourceNat", R),
            ("EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic", M),
            ("IpAddressType", D("ipv4")),
            ("Ipv4IpamPoolId", R),
            ("LoadBalancerAttributes", M),
            ("MinimumLoadBalancerCapacity", W),
            ("Name", M),
            ("Scheme", M),
            ("SecurityGroups", M),
            ("SubnetMappings", M),
            ("Subnets", M),
            ("Tags", M),
            ("Type", M),
        ],
    ),
    (
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        &[
            ("HealthCheckEnabled", D("true")),
            ("HealthCheckIntervalSeconds", M),
            ("HealthCheckPath", M),
            ("HealthCheckPort", M),
            ("HealthCheckProtocol", M),
            ("HealthCheckTimeoutSeconds", M),
            ("HealthyThresholdCount", M),
            ("IpAddressType", D("ipv4")),
            ("Matcher", M),
            ("Name", M),
            ("Port", M),
            ("Protocol", M),
            ("ProtocolVersion", R),
            ("Tags", M),
            ("TargetGroupAttributes", M),
            ("TargetType", M),
            ("Targets", M),
            ("UnhealthyThresholdCount", M),
            ("VpcId", M),
        ],
    ),
    (
        "AWS::ElasticLoadBalancingV2::Listener",
        &[
            ("AlpnPolicy", W),
            ("Certificates", W),
            ("DefaultActions", M),
            ("ListenerAttributes", M),
            ("LoadBalancerArn", M),
            ("MutualAuthentication", R),
            ("Port", M),
            ("Protocol", M),
            ("SslPolicy", W),
        ],
    ),
    (
        "AWS::EC2::LaunchTemplate",
        &[
            ("LaunchTemplateData", M),
            ("LaunchTemplateName", M),
            ("TagSpecifications", M),
            ("VersionDescription", W),
        ],
    ),
    (
        "AWS::AutoScaling::LaunchConfiguration",
        &[
            ("AssociatePublicIpAddress", M),
            ("BlockDeviceMappings", W),
            ("ClassicLinkVPCId", R),
            ("ClassicLinkVPCSecurityGroups", R),
            ("EbsOptimized", W),
            // M7: the credentials of the UserData's `aws` calls.
            ("IamInstanceProfile", M),
            ("ImageId", M),
            ("InstanceId", R),
            ("InstanceMonitoring", W),
            ("InstanceType", M),
            ("KernelId", W),
            ("KeyName", M),
            ("LaunchConfigurationName", M),
            ("MetadataOptions", M),
            ("PlacementTenancy", W),
            ("RamDiskId", W),
            ("SecurityGroups", M),
            ("SpotPrice", W),
            ("UserData", M),
        ],
    ),
    (
        "AWS::AutoScaling::AutoScalingGroup",
        &[
            ("AutoScalingGroupName", M),
            ("AvailabilityZoneDistribution", W),
            ("AvailabilityZoneImpairmentPolicy", W),
            ("AvailabilityZones", W),
            ("CapacityRebalance", W),
            ("CapacityReservationSpecification", W),
            ("Context", W),
            ("Cooldown", W),
            ("DefaultInstanceWarmup", W),
            ("DesiredCapacity", M),
            ("DesiredCapacityType", R),
            ("HealthCheckGracePeriod", M),
            ("HealthCheckType", M),
            ("InstanceId", R),
            ("InstanceLifecyclePolicy", W),
            ("InstanceMaintenancePolicy", W),
            ("LaunchConfigurationName", M),
            ("LaunchTemplate", M),
            ("LifecycleHookSpecificationList", W),
            ("LoadBalancerNames", R),
            ("MaxInstanceLifetime", W),
            ("MaxSize", M),
            ("MetricsCollection", W),
            ("MinSize", M),
            ("MixedInstancesPolicy", R),
            ("NewInstancesProtectedFromScaleIn", W),
            ("NotificationConfiguration", W),
            ("NotificationConfigurations", W),
            ("PlacementGroup", W),
            ("ServiceLinkedRoleARN", W),
            ("SkipZonalShiftValidation", W),
            ("Tags", M),
            ("TargetGroupARNs", M),
            ("TerminationPolicies", R),
            ("TrafficSources", R),
            ("VPCZoneIdentifier", M),
        ],
    ),
    (
        "AWS::EC2::FlowLog",
        &[
            ("DeliverCrossAccountRole", W),
            ("DeliverLogsPermissionArn", M),
            ("DestinationOptions", M),
            ("LogDestination", M),
            ("LogDestinationType", M),
            ("LogFormat", M),
            ("LogGroupName", M),
            ("MaxAggregationInterval", M),
            ("ResourceId", M),
            ("ResourceType", M),
            ("Tags", M),
            ("TrafficType", M),
        ],
    ),
    (
        "AWS::Logs::LogGroup",
        &[
            ("DataProtectionPolicy", W),
            ("DeletionProtectionEnabled", W),
            ("FieldIndexPolicies", W),
            ("KmsKeyId", W),
            ("LogGroupClass", W),
            ("LogGroupName", M),
            ("ResourcePolicyDocument", W),
            ("RetentionInDays", M),
            ("Tags", W),
        ],
    ),
];

/// The properties of `resource_type`, when the table has it.
pub fn of(resource_type: &str) -> Option<Properties> {
    TABLE.iter().find(|(t, _)| *t == resource_type).map(|(_, p)| *p)
}

/// Checks the evaluated properties of a resource against its type's list: a property the
/// type does not have is an error in CloudFormation's words, a refused one an error that
/// says why; the warned ones come back as warnings, each naming its property. The keys
/// inside nested properties are checked the same way ([`super::nested`]).
pub fn check(resource_type: &str, properties: &Node) -> Result<Vec<SinkWarning>, SinkError> {
    let Some(known) = of(resource_type) else { return Ok(Vec::new()) };
    let mut warnings = Vec::new();
    for (key, value) in properties.as_map().unwrap_or_default() {
        let name = key.name.as_str();
        let refused = |message: String, hint: String| SinkError {
            message,
            hint: Some(hint),
            property: Some(name.to_string()),
        };
        match known.iter().find(|(k, _)| *k == name).map(|(_, d)| *d) {
            None => {
                return Err(refused(
                    format!("Encountered unsupported property {name}"),
                    format!("{resource_type} has no property {name}; check its spelling"),
                ))
            }
            Some(Disposition::Refused) => {
                return Err(refused(
                    format!(
                        "{resource_type} property {name} is not modelled by vpcsim, and it would change what the network does"
                    ),
                    format!("remove {name} to simulate the resource without it"),
                ))
            }
            Some(Disposition::Default(default)) => {
                let text = value.scalar_text().unwrap_or_default();
                if !text.eq_ignore_ascii_case(default) {
                    return Err(refused(
                        format!(
                            "{resource_type} property {name} = {text} is not modelled by vpcsim (only {default}, AWS's default), and it would change what the network does"
                        ),
                        format!("set {name} to {default} or remove it to simulate the resource"),
                    ));
                }
            }
            Some(Disposition::Warned) => warnings.push(SinkWarning {
                property: name.to_string(),
                message: format!(
                    "{resource_type} property {name} is accepted but does not change the simulation"
                ),
            }),
            Some(Disposition::Modelled) => {}
        }
    }
    super::nested::check(resource_type, known, properties, &mut warnings)?;
    Ok(warnings)
}
