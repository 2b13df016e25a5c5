//! Templates that parse but that the model refuses: each error names the file, the
//! line and column of the resource or property at fault, the logical id, and why.

use indexmap::IndexMap;
use vpcsim::stack::create_stack;
use vpcsim::world::World;

/// (file, line, column, logical id, text the message must hold).
const CASES: &[(&str, usize, usize, &str, &str)] = &[
    ("subnet-outside-vpc.cfn.yaml", 9, 18, "Outside", "InvalidSubnet.Range"),
    // C3: a nested stack's properties are checked like any resource's.
    ("nested-stack-unknown-property.cfn.yaml", 6, 14, "Network", "Encountered unsupported property Bogus"),
    ("subnets-overlap.cfn.yaml", 12, 18, "Second", "InvalidSubnet.Conflict"),
    // A1: a secondary block from another private range than the primary's is restricted.
    ("vpc-cidr-block-restricted-range.cfn.yaml", 9, 18, "Secondary", "InvalidVpc.Range"),
    // A1: without DependsOn the subnet is created before the block it lies in.
    ("vpc-cidr-block-subnet-without-depends-on.cfn.yaml", 9, 18, "InSecondary", "InvalidSubnet.Range"),
    // A8: an Amazon-provided IPv6 block is modelled; a pool of one's own is not.
    (
        "vpc-cidr-block-ipv6-pool.cfn.yaml",
        9,
        17,
        "Ipv6",
        "AWS::EC2::VPCCidrBlock property Ipv6Pool is not modelled by vpcsim",
    ),
    // A8: a subnet's IPv6 block lies inside its VPC's, is a /64, and is no other subnet's.
    ("subnet-ipv6-outside-vpc.cfn.yaml", 14, 22, "Outside", "InvalidSubnet.Range"),
    ("subnet-ipv6-overlap.cfn.yaml", 21, 40, "Second", "InvalidSubnet.Conflict"),
    ("subnet-ipv6-whole-vpc-block.cfn.yaml", 14, 42, "Whole", "must be a /64. (InvalidParameterValue)"),
    // A8: a NAT gateway takes IPv6 only for NAT64; an egress-only gateway takes IPv6 only.
    ("route-ipv6-default-to-nat-gateway.cfn.yaml", 31, 26, "Ipv6Default", "only for NAT64, to destinations inside 64:ff9b::/96"),
    ("route-ipv4-to-egress-only-gateway.cfn.yaml", 16, 41, "Default", "takes IPv6 routes only (InvalidParameterCombination)"),
    ("address-reserved.cfn.yaml", 12, 25, "Server", "reserved"),
    ("address-in-use.cfn.yaml", 16, 25, "Second", "InvalidIPAddress.InUse"),
    ("invalid-cidr.cfn.yaml", 5, 18, "Vpc", "invalid CIDR block"),
    ("vpc-too-large.cfn.yaml", 5, 18, "Vpc", "InvalidVpc.Range"),
    ("wrong-property-type.cfn.yaml", 6, 7, "Vpc", "EnableDnsSupport must be true or false, not a"),
    ("unknown-az.cfn.yaml", 10, 25, "Subnet", "us-east-1a"),
    ("endpoint-wrong-az.cfn.yaml", 28, 7, "Endpoint", "VPCE_SERVICE_NOT_INSTALLED_IN_AZ"),
    ("health-threshold-negative.cfn.yaml", 11, 30, "Group", "Value '-1' at 'HealthyThresholdCount' failed to satisfy constraint: Member must have value greater than or equal to 2"),
    ("unhealthy-threshold-too-high.cfn.yaml", 11, 32, "Group", "Value '11' at 'UnhealthyThresholdCount' failed to satisfy constraint: Member must have value less than or equal to 10"),
    ("health-interval-too-long.cfn.yaml", 11, 35, "Group", "Value '301' at 'HealthCheckIntervalSeconds' failed to satisfy constraint: Member must have value less than or equal to 300"),
    ("health-timeout-too-short.cfn.yaml", 11, 34, "Group", "Value '1' at 'HealthCheckTimeoutSeconds' failed to satisfy constraint: Member must have value greater than or equal to 2"),
    ("target-group-port-zero.cfn.yaml", 10, 13, "Group", "Value '0' at 'Port' failed to satisfy constraint: Member must have value greater than or equal to 1"),
    ("health-check-port-too-high.cfn.yaml", 11, 24, "Group", "Value '70000' at 'HealthCheckPort' failed to satisfy constraint: Member must have value less than or equal to 65535"),
    ("number-parameter-below-min-value.cfn.yaml", 2, 3, "Port", "Parameter 'Port' must be a number not less than 1"),
    ("hosted-zone-vpc-of-another-region.cfn.yaml", 11, 22, "Zone", "a VPC of region ap-south-1 is not modelled"),
    ("record-set-type-not-modelled.cfn.yaml", 15, 13, "Mail", "record type MX is not modelled"),
    ("dhcp-options-five-servers.cfn.yaml", 6, 7, "Options", "A maximum of 4 DNS servers"),
    (
        "dhcp-options-association-unknown-set.cfn.yaml",
        9,
        22,
        "Association",
        "The dhcpOption ID 'dopt-0123456789abcdef0' does not exist",
    ),
    ("flow-log-unmodelled-field.cfn.yaml", 13, 18, "Flows", "LogFormat field ${tcp-flags} is not modelled"),
    ("flow-log-parquet.cfn.yaml", 14, 21, "Flows", "FileFormat parquet is not modelled by vpcsim"),
    ("flow-log-s3-awslogs-folder.cfn.yaml", 12, 23, "Flows", "AWSLogs is reserved"),
    (
        "connection-notification-unknown-event.cfn.yaml",
        19,
        7,
        "Notify",
        "Invalid connection event Connected: the events are Connect, Accept, Reject, Delete (InvalidParameter)",
    ),
    (
        "target-group-attribute-misspelt.cfn.yaml",
        17,
        16,
        "Group",
        "Properties.TargetGroupAttributes[2].Key: \"stickyness.enabled\" is not an attribute of a Network Load Balancer's target group",
    ),
    (
        "security-group-rule-unknown-key.cfn.yaml",
        15,
        19,
        "Web",
        "extraneous key [CidrIP] is not permitted at Properties.SecurityGroupIngress[0].CidrIP",
    ),
    (
        "load-balancer-zonal-dns-affinity.cfn.yaml",
        20,
        18,
        "Nlb",
        "LoadBalancerAttributes[0].dns_record.client_routing_policy = availability_zone_affinity is not modelled by vpcsim",
    ),
    (
        "record-set-group-cname-at-apex.cfn.yaml",
        14,
        7,
        "Records",
        "RRSet of type CNAME with DNS name corp.internal. is not permitted at apex",
    ),
    // M4: an instance's interfaces.
    ("eni-already-attached.cfn.yaml", 22, 37, "Second", "in use. (InvalidParameterValue)"),
    ("eni-device-index-taken.cfn.yaml", 26, 20, "Attachment", "already has an interface attached at device index '1'"),
    ("eni-other-az.cfn.yaml", 21, 32, "Attachment", "must be in the same availability zone"),
    (
        "eni-public-ip-two-interfaces.cfn.yaml",
        17,
        37,
        "Server",
        "The associatePublicIPAddress parameter cannot be specified when launching with multiple network interfaces",
    ),
    (
        "eni-instance-level-subnet.cfn.yaml",
        11,
        22,
        "Server",
        "Network interfaces and an instance-level subnet ID may not be specified on the same request",
    ),
    ("eni-too-many-interfaces.cfn.yaml", 12, 7, "Server", "Interface count 3 exceeds the limit for t2.micro (AttachmentLimitExceeded)"),
    // M6, A2, A4: an interface's secondary private addresses.
    ("secondary-address-outside-subnet.cfn.yaml", 15, 29, "Eth0", "Address 10.0.2.11 does not fall within the subnet's address range"),
    ("secondary-address-reserved.cfn.yaml", 15, 29, "Eth0", "Address 10.0.1.3 is reserved in subnet"),
    ("secondary-address-in-use.cfn.yaml", 18, 30, "Second", "Address 10.0.1.10 is in use by eni-"),
    ("secondary-address-over-the-limit.cfn.yaml", 15, 43, "Server", "(PrivateIpAddressLimitExceeded)"),
    (
        "secondary-address-two-primaries.cfn.yaml",
        16,
        20,
        "Eth0",
        "Only one primary private IP address may be specified; 10.0.1.10 is already primary. (InvalidParameterValue)",
    ),
];

#[test]
fn model_errors_point_at_the_property_and_name_the_resource() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/invalid/stack");
    for (file, line, column, logical_id, text) in CASES {
        let src = std::fs::read_to_string(dir.join(file)).unwrap();
        let mut w = World::in_region("eu-west-1", 1).unwrap();
        let before = format!("{w:?}");
        let err = create_stack(&mut w, "s", file, &src, &IndexMap::new(), &IndexMap::new())
            .expect_err(&format!("{file} should fail"));
        let p = &err.problems[0];
        let shown = err.to_string();
        assert_eq!((p.location.line, p.location.column), (*line, *column), "{file}: {shown}");
        assert!(p.context.as_deref().is_some_and(|c| c.contains(logical_id)), "{file}: {shown}");
        assert!(shown.contains(text), "{file}: {shown}");
        assert!(shown.starts_with(&format!("error: {file}:{line}:{column}")), "{shown}");
        assert_eq!(format!("{w:?}"), before, "{file}: a failed stack leaves the world as it was");
    }
}

#[test]
fn every_file_in_the_folder_is_in_the_table() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/invalid/stack");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut listed: Vec<String> = CASES.iter().map(|c| c.0.to_string()).collect();
    listed.sort();
    assert_eq!(files, listed);
}
