//! The operations vpcsim simulates, each with the flags it reads and the flags AWS
//! has that vpcsim refuses because it does not model them.
//!
//! The table only says how words become raw values; [`super::request`] turns them
//! into typed requests. A flag is either in an operation's `flags` (and then read by
//! its request), in its `unmodelled` list (refused, saying why), or unknown (refused
//! with the CLI's `Unknown options`).

/// How a flag takes its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlagKind {
    /// One word.
    Str,
    /// One or more words.
    List,
    /// A whole number.
    Int,
    /// A switch; the field is the negated spelling (`no-acceptance-required`, or `ingress` for `egress`).
    Switch(&'static str),
    /// An attribute boolean: a switch (with its negated spelling), or the flag with a
    /// structure value, `Value=false` or `{"Value": false}`.
    BoolValue(&'static str),
}

/// One flag of an operation.
#[derive(Clone, Copy, Debug)]
pub struct FlagSpec {
    /// Name without dashes.
    pub name: &'static str,
    /// How it takes its value.
    pub kind: FlagKind,
    /// Whether the CLI insists on it.
    pub required: bool,
}

/// One operation and its flags.
#[derive(Clone, Copy, Debug)]
pub struct OpSpec {
    /// The service (`ec2`).
    pub service: &'static str,
    /// The operation (`create-vpc-endpoint`).
    pub name: &'static str,
    /// The flags its request reads.
    pub flags: &'static [FlagSpec],
    /// Flags AWS has for it that vpcsim does not model, each refused with the reason.
    pub unmodelled: &'static [(&'static str, &'static str)],
}

impl OpSpec {
    /// The flag named `name` (without dashes), and whether `name` is its negated spelling.
    pub fn flag(&self, name: &str) -> Option<(&FlagSpec, bool)> {
        self.flags.iter().find_map(|f| match f.kind {
            _ if f.name == name => Some((f, false)),
            FlagKind::Switch(neg) | FlagKind::BoolValue(neg) if neg == name => Some((f, true)),
            _ => None,
        })
    }

    /// Why vpcsim refuses `name` on this operation, when AWS has it.
    pub fn unmodelled(&self, name: &str) -> Option<&'static str> {
        let common: &[(&str, &str)] = match self.service {
            "ec2" => EC2_COMMON,
            "elbv2" => ELBV2_COMMON,
            "autoscaling" => AUTOSCALING_COMMON,
            "route53" => ROUTE53_COMMON,
            _ => CFN_COMMON,
        };
        self.unmodelled.iter().chain(common).find(|(n, _)| *n == name).map(|(_, why)| *why)
    }
}

const fn s(name: &'static str) -> FlagSpec {
    FlagSpec { name, kind: FlagKind::Str, required: false }
}
const fn rs(name: &'static str) -> FlagSpec {
    FlagSpec { name, kind: FlagKind::Str, required: true }
}
const fn l(name: &'static str) -> FlagSpec {
    FlagSpec { name, kind: FlagKind::List, required: false }
}
const fn rl(name: &'static str) -> FlagSpec {
    FlagSpec { name, kind: FlagKind::List, required: true }
}
const fn sw(name: &'static str, negation: &'static str) -> FlagSpec {
    FlagSpec { name, kind: FlagKind::Switch(negation), required: false }
}
const fn bv(name: &'static str, negation: &'static str) -> FlagSpec {
    FlagSpec { name, kind: FlagKind::BoolValue(negation), required: false }
}
const fn ri(name: &'static str) -> FlagSpec {
    FlagSpec { name, kind: FlagKind::Int, required: true }
}
const fn i(name: &'static str) -> FlagSpec {
    FlagSpec { name, kind: FlagKind::Int, required: false }
}
const fn op(service: &'static str, name: &'static str, flags: &'static [FlagSpec]) -> OpSpec {
    OpSpec { service, name, flags, unmodelled: &[] }
}
const fn op_but(
    service: &'static str,
    name: &'static str,
    flags: &'static [FlagSpec],
    unmodelled: &'static [(&'static str, &'static str)],
) -> OpSpec {
    OpSpec { service, name, flags, unmodelled }
}

const PAGES: &str = "vpcsim returns every item in one page";
const EC2_COMMON: &[(&str, &str)] = &[
    ("dry-run", "vpcsim has no permissions to check; run the call without it"),
    ("no-dry-run", "vpcsim has no permissions to check; run the call without it"),
    ("max-results", PAGES),
    ("next-token", PAGES),
    ("cli-input-json", "give the flags on the command line"),
];
const ELBV2_COMMON: &[(&str, &str)] =
    &[("page-size", PAGES), ("marker", PAGES), ("cli-input-json", "give the flags on the command line")];
const AUTOSCALING_COMMON: &[(&str, &str)] = &[
    ("max-records", PAGES),
    ("next-token", PAGES),
    ("cli-input-json", "give the flags on the command line"),
];
const ROUTE53_COMMON: &[(&str, &str)] = &[
    ("marker", PAGES),
    ("next-token", PAGES),
    ("max-items", PAGES),
    ("cli-input-json", "give the flags on the command line"),
];
const CFN_COMMON: &[(&str, &str)] =
    &[("next-token", PAGES), ("cli-input-json", "give the flags on the command line")];

const TAGS: (&str, &str) =
    ("tag-specifications", "tags are set by templates; vpcsim does not tag through aws calls");
const IPV6: &str = "vpcsim models IPv4 only";
const IPV6_POOL: &str =
    "vpcsim models Amazon-provided IPv6 blocks only: give --amazon-provided-ipv6-cidr-block (A8)";
const IPV6_LATER: &str =
    "vpcsim takes a VPC's IPv6 block from associate-vpc-cidr-block --amazon-provided-ipv6-cidr-block (A8)";
const HC_DEFAULTS: &str =
    "vpcsim takes AWS's default here; a template's AWS::ElasticLoadBalancingV2::TargetGroup sets it";

const SG_RULE: &[FlagSpec] = &[
    s("group-id"),
    s("group-name"),
    s("protocol"),
    s("port"),
    s("cidr"),
    s("source-group"),
    l("ip-permissions"),
];
const SG_RULE_UNMODELLED: &[(&str, &str)] = &[
    ("group-owner", "vpcsim simulates one account"),
    ("source-group-owner-id", "vpcsim simulates one account"),
    TAGS,
];
const ROUTE: &[FlagSpec] = &[
    rs("route-table-id"),
    s("destination-cidr-block"),
    s("destination-prefix-list-id"),
    s("gateway-id"),
    s("instance-id"),
    s("network-interface-id"),
    s("nat-gateway-id"),
    s("vpc-peering-connection-id"),
    s("transit-gateway-id"),
    s("destination-ipv6-cidr-block"),
    s("egress-only-internet-gateway-id"),
];
const ROUTE_UNMODELLED: &[(&str, &str)] = &[
    ("carrier-gateway-id", "vpcsim does not model Wavelength zones"),
    ("local-gateway-id", "vpcsim does not model Outposts"),
    ("core-network-arn", "vpcsim does not model Cloud WAN"),
    ("vpc-endpoint-id", "vpcsim routes to Gateway Load Balancer endpoints nowhere"),
];
const ENDPOINT_CONNECTIONS: &[FlagSpec] = &[rs("service-id"), rl("vpc-endpoint-ids")];
const TARGETS: &[FlagSpec] = &[rs("target-group-arn"), rl("targets")];
const IGW_ATTACH: &[FlagSpec] = &[rs("internet-gateway-id"), rs("vpc-id")];
const ACL_ENTRY: &[FlagSpec] = &[
    rs("network-acl-id"),
    ri("rule-number"),
    rs("protocol"),
    rs("rule-action"),
    FlagSpec { name: "egress", kind: FlagKind::Switch("ingress"), required: true },
    s("cidr-block"),
    s("port-range"),
    s("icmp-type-code"),
    s("ipv6-cidr-block"),
];

/// Every operation vpcsim simulates, with its flags.
pub const OPERATIONS: &[OpSpec] = &[
    op_but(
        "ec2",
        "create-vpc",
        &[rs("cidr-block"), l("tag-specifications")],
        &[
            ("amazon-provided-ipv6-cidr-block", IPV6_LATER),
            ("no-amazon-provided-ipv6-cidr-block", IPV6_LATER),
            ("ipv6-pool", IPV6_POOL),
            ("ipv6-cidr-block", IPV6_POOL),
            ("ipv6-cidr-block-network-border-group", IPV6_POOL),
            ("ipv6-ipam-pool-id", IPV6_POOL),
            ("ipv6-netmask-length", IPV6_POOL),
            ("ipv4-ipam-pool-id", "vpcsim does not model IPAM: give --cidr-block"),
            ("ipv4-netmask-length", "vpcsim does not model IPAM: give --cidr-block"),
            ("instance-tenancy", "vpcsim models default tenancy only"),
        ],
    ),
    op("ec2", "delete-vpc", &[rs("vpc-id")]),
    op_but(
        "ec2",
        "modify-vpc-attribute",
        &[
            rs("vpc-id"),
            bv("enable-dns-support", "no-enable-dns-support"),
            bv("enable-dns-hostnames", "no-enable-dns-hostnames"),
        ],
        &[("enable-network-address-usage-metrics", "vpcsim does not model address usage metrics")],
    ),
    op_but(
        "ec2",
        "create-subnet",
        &[rs("vpc-id"), rs("cidr-block"), s("availability-zone"), l("tag-specifications")],
        &[
            ("availability-zone-id", "give --availability-zone"),
            ("ipv6-cidr-block", "give the subnet its IPv6 block with associate-subnet-cidr-block (A8)"),
            ("ipv6-native", IPV6),
            ("no-ipv6-native", IPV6),
            ("ipv6-ipam-pool-id", IPV6),
            ("ipv6-netmask-length", IPV6),
            ("ipv4-ipam-pool-id", "vpcsim does not model IPAM: give --cidr-block"),
            ("ipv4-netmask-length", "vpcsim does not model IPAM: give --cidr-block"),
            ("outpost-arn", "vpcsim does not model Outposts"),
        ],
    ),
    op("ec2", "delete-subnet", &[rs("subnet-id")]),
    op_but(
        "ec2",
        "modify-subnet-attribute",
        &[rs("subnet-id"), bv("map-public-ip-on-launch", "no-map-public-ip-on-launch")],
        &[
            ("assign-ipv6-address-on-creation", IPV6),
            ("no-assign-ipv6-address-on-creation", IPV6),
            ("enable-dns64", IPV6),
            ("no-enable-dns64", IPV6),
            ("map-customer-owned-ip-on-launch", "vpcsim does not model Outposts"),
            ("customer-owned-ipv4-pool", "vpcsim does not model Outposts"),
            ("private-dns-hostname-type-on-launch", "vpcsim names instances ip-a-b-c-d only"),
            ("enable-resource-name-dns-a-record-on-launch", "vpcsim names instances ip-a-b-c-d only"),
            ("enable-resource-name-dns-aaaa-record-on-launch", IPV6),
            ("enable-lni-at-device-index", "vpcsim does not model Outposts"),
            ("disable-lni-at-device-index", "vpcsim does not model Outposts"),
        ],
    ),
    op(
        "ec2",
        "create-security-group",
        &[rs("group-name"), rs("description"), s("vpc-id"), l("tag-specifications")],
    ),
    op_but(
        "ec2",
        "delete-security-group",
        &[s("group-id")],
        &[("group-name", "vpcsim has no default VPC: give --group-id")],
    ),
    op_but(
        "ec2",
        "create-route-table",
        &[rs("vpc-id"), l("tag-specifications")],
        &[("client-token", "vpcsim does not retry calls")],
    ),
    op_but(
        "ec2",
        "associate-route-table",
        &[rs("route-table-id"), s("subnet-id")],
        &[("gateway-id", "vpcsim does not model gateway route tables (edge associations)")],
    ),
    op("ec2", "disassociate-route-table", &[rs("association-id")]),
    op("ec2", "delete-route-table", &[rs("route-table-id")]),
    op("ec2", "create-internet-gateway", &[l("tag-specifications")]),
    op("ec2", "delete-internet-gateway", &[rs("internet-gateway-id")]),
    op_but(
        "ec2",
        "create-network-acl",
        &[rs("vpc-id"), l("tag-specifications")],
        &[("client-token", "vpcsim does not retry calls")],
    ),
    op("ec2", "replace-network-acl-association", &[rs("association-id"), rs("network-acl-id")]),
    op("ec2", "delete-network-acl", &[rs("network-acl-id")]),
    op_but(
        "ec2",
        "create-vpc-endpoint-service-configuration",
        &[
            l("network-load-balancer-arns"),
            sw("acceptance-required", "no-acceptance-required"),
            s("private-dns-name"),
        ],
        &[
            ("gateway-load-balancer-arns", "vpcsim does not model Gateway Load Balancers"),
            ("supported-ip-address-types", IPV6),
            ("client-token", "vpcsim does not retry calls"),
            TAGS,
        ],
    ),
    op("ec2", "describe-vpc-endpoint-service-configurations", &[l("service-ids"), l("filters")]),
    op("ec2", "delete-vpc-endpoint-service-configurations", &[rl("service-ids")]),
    op(
        "ec2",
        "modify-vpc-endpoint-service-permissions",
        &[rs("service-id"), l("add-allowed-principals"), l("remove-allowed-principals")],
    ),
    op("ec2", "describe-vpc-endpoint-service-permissions", &[rs("service-id"), l("filters")]),
    op("ec2", "start-vpc-endpoint-service-private-dns-verification", &[rs("service-id")]),
    op("ec2", "accept-vpc-endpoint-connections", ENDPOINT_CONNECTIONS),
    op("ec2", "reject-vpc-endpoint-connections", ENDPOINT_CONNECTIONS),
    op("ec2", "describe-vpc-endpoint-connections", &[l("filters")]),
    op_but(
        "ec2",
        "create-vpc-endpoint",
        &[
            s("vpc-endpoint-type"),
            rs("vpc-id"),
            rs("service-name"),
            l("subnet-ids"),
            l("security-group-ids"),
            sw("private-dns-enabled", "no-private-dns-enabled"),
            l("route-table-ids"),
            s("policy-document"),
        ],
        &[
            ("ip-address-type", IPV6),
            ("dns-options", "vpcsim resolves endpoint names one way"),
            ("subnet-configurations", "give --subnet-ids; vpcsim picks the addresses"),
            ("client-token", "vpcsim does not retry calls"),
            TAGS,
        ],
    ),
    op_but(
        "ec2",
        "modify-vpc-endpoint",
        &[rs("vpc-endpoint-id"), s("policy-document"), sw("reset-policy", "no-reset-policy")],
        &[
            ("add-route-table-ids", "vpcsim changes a gateway endpoint's policy only; create the endpoint with its tables"),
            ("remove-route-table-ids", "vpcsim changes a gateway endpoint's policy only; create the endpoint with its tables"),
            ("add-subnet-ids", "vpcsim changes a gateway endpoint's policy only"),
            ("remove-subnet-ids", "vpcsim changes a gateway endpoint's policy only"),
            ("add-security-group-ids", "vpcsim changes a gateway endpoint's policy only"),
            ("remove-security-group-ids", "vpcsim changes a gateway endpoint's policy only"),
            ("private-dns-enabled", "vpcsim changes a gateway endpoint's policy only"),
            ("no-private-dns-enabled", "vpcsim changes a gateway endpoint's policy only"),
            ("ip-address-type", IPV6),
            ("dns-options", "vpcsim resolves endpoint names one way"),
            ("subnet-configurations", "vpcsim changes a gateway endpoint's policy only"),
        ],
    ),
    op("ec2", "describe-vpc-endpoints", &[l("vpc-endpoint-ids"), l("filters")]),
    op("ec2", "delete-vpc-endpoints", &[rl("vpc-endpoint-ids")]),
    op("ec2", "describe-vpc-endpoint-services", &[l("service-names"), l("filters")]),
    op_but("ec2", "authorize-security-group-ingress", SG_RULE, SG_RULE_UNMODELLED),
    op_but("ec2", "authorize-security-group-egress", SG_RULE, SG_RULE_UNMODELLED),
    op_but("ec2", "revoke-security-group-ingress", SG_RULE, SG_RULE_UNMODELLED),
    op_but("ec2", "revoke-security-group-egress", SG_RULE, SG_RULE_UNMODELLED),
    op_but("ec2", "create-route", ROUTE, ROUTE_UNMODELLED),
    op_but("ec2", "replace-route", ROUTE, ROUTE_UNMODELLED),
    op_but(
        "ec2",
        "delete-route",
        &[
            rs("route-table-id"),
            s("destination-cidr-block"),
            s("destination-ipv6-cidr-block"),
            s("destination-prefix-list-id"),
        ],
        &[],
    ),
    op("ec2", "describe-route-tables", &[l("route-table-ids"), l("filters")]),
    op("ec2", "describe-vpcs", &[l("vpc-ids"), l("filters")]),
    op_but(
        "ec2",
        "associate-vpc-cidr-block",
        &[
            rs("vpc-id"),
            s("cidr-block"),
            sw("amazon-provided-ipv6-cidr-block", "no-amazon-provided-ipv6-cidr-block"),
        ],
        &[
            ("ipv6-cidr-block", IPV6_POOL),
            ("ipv6-pool", IPV6_POOL),
            ("ipv6-ipam-pool-id", IPV6_POOL),
            ("ipv6-netmask-length", IPV6_POOL),
            ("ipv6-cidr-block-network-border-group", "vpcsim advertises from the region's border group"),
            ("ipv4-ipam-pool-id", "vpcsim does not model IPAM; give --cidr-block"),
            ("ipv4-netmask-length", "vpcsim does not model IPAM; give --cidr-block"),
        ],
    ),
    op("ec2", "disassociate-vpc-cidr-block", &[rs("association-id")]),
    op_but(
        "ec2",
        "associate-subnet-cidr-block",
        &[rs("subnet-id"), rs("ipv6-cidr-block")],
        &[("ipv6-ipam-pool-id", IPV6_POOL), ("ipv6-netmask-length", IPV6_POOL)],
    ),
    op_but(
        "ec2",
        "create-egress-only-internet-gateway",
        &[rs("vpc-id")],
        &[TAGS, ("client-token", "vpcsim's calls are not retried")],
    ),
    op("ec2", "delete-egress-only-internet-gateway", &[rs("egress-only-internet-gateway-id")]),
    op(
        "ec2",
        "describe-egress-only-internet-gateways",
        &[l("egress-only-internet-gateway-ids"), l("filters")],
    ),
    op("ec2", "describe-subnets", &[l("subnet-ids"), l("filters")]),
    op("ec2", "describe-security-groups", &[l("group-ids"), l("group-names"), l("filters")]),
    op("ec2", "describe-instances", &[l("instance-ids"), l("filters")]),
    op("ec2", "describe-network-interfaces", &[l("network-interface-ids"), l("filters")]),
    op("ec2", "describe-internet-gateways", &[l("internet-gateway-ids"), l("filters")]),
    op("ec2", "describe-network-acls", &[l("network-acl-ids"), l("filters")]),
    op("ec2", "attach-internet-gateway", IGW_ATTACH),
    op("ec2", "detach-internet-gateway", IGW_ATTACH),
    op_but(
        "ec2",
        "modify-instance-metadata-options",
        &[rs("instance-id"), s("http-endpoint"), s("http-tokens")],
        &[
            ("http-put-response-hop-limit", "vpcsim runs no containers a hop away from the instance"),
            ("http-protocol-ipv6", IPV6),
            ("instance-metadata-tags", "vpcsim puts no tags in the instance metadata"),
        ],
    ),
    op_but(
        "ec2",
        "modify-instance-attribute",
        &[rs("instance-id"), bv("source-dest-check", "no-source-dest-check"), l("groups")],
        &[
            ("attribute", "give --source-dest-check or --groups"),
            ("value", "give --source-dest-check or --groups"),
            ("instance-type", "vpcsim does not model instance sizes"),
            ("user-data", "vpcsim reads user data at launch only"),
            ("disable-api-termination", "vpcsim does not model termination protection"),
            ("ebs-optimized", "vpcsim does not model storage"),
            ("block-device-mappings", "vpcsim does not model storage"),
        ],
    ),
    op_but(
        "ec2",
        "run-instances",
        &[
            s("image-id"),
            s("instance-type"),
            i("count"),
            s("subnet-id"),
            l("security-group-ids"),
            s("private-ip-address"),
            l("secondary-private-ip-addresses"),
            i("secondary-private-ip-address-count"),
            sw("associate-public-ip-address", "no-associate-public-ip-address"),
            s("key-name"),
            s("user-data"),
            s("launch-template"),
            l("tag-specifications"),
            s("metadata-options"),
        ],
        &[
            ("security-groups", "vpcsim has no default VPC: give --security-group-ids"),
            (
                "network-interfaces",
                "give --subnet-id and --security-group-ids; vpcsim launches one interface from the command line: attach more with attach-network-interface",
            ),
            ("ipv6-address-count", IPV6),
            ("ipv6-addresses", IPV6),
            ("block-device-mappings", "vpcsim does not model storage"),
            ("iam-instance-profile", "vpcsim has no IAM"),
            ("placement", "vpcsim places an instance in its subnet's AZ"),
            ("client-token", "vpcsim does not retry calls"),
        ],
    ),
    op_but(
        "ec2",
        "modify-network-interface-attribute",
        &[rs("network-interface-id"), bv("source-dest-check", "no-source-dest-check"), l("groups")],
        &[
            ("description", "vpcsim keeps an interface's description from its creation"),
            ("attachment", "vpcsim keeps an attachment's DeleteOnTermination from when it was made"),
            ("ena-srd-specification", "vpcsim does not model ENA Express"),
            ("enable-primary-ipv6", "vpcsim models IPv4 only"),
            ("connection-tracking-specification", "vpcsim does not model connection tracking timeouts"),
            ("associate-public-ip-address", "vpcsim assigns public IPs at launch only"),
        ],
    ),
    op_but(
        "ec2",
        "create-network-interface",
        &[
            rs("subnet-id"),
            s("description"),
            s("private-ip-address"),
            l("private-ip-addresses"),
            i("secondary-private-ip-address-count"),
            l("groups"),
            l("tag-specifications"),
        ],
        &[
            ("ipv6-address-count", IPV6),
            ("ipv6-addresses", IPV6),
            ("ipv6-prefixes", IPV6),
            ("ipv6-prefix-count", IPV6),
            ("enable-primary-ipv6", IPV6),
            ("ipv4-prefixes", "vpcsim does not model prefix delegation"),
            ("ipv4-prefix-count", "vpcsim does not model prefix delegation"),
            ("interface-type", "vpcsim models standard interfaces (no EFA, trunk or branch)"),
            ("connection-tracking-specification", "vpcsim does not model connection tracking timeouts"),
            ("operator", "vpcsim does not model managed interfaces"),
            ("client-token", "vpcsim does not retry calls"),
        ],
    ),
    op("ec2", "delete-network-interface", &[rs("network-interface-id")]),
    op_but(
        "ec2",
        "attach-network-interface",
        &[rs("network-interface-id"), rs("instance-id"), ri("device-index")],
        &[
            ("network-card-index", "vpcsim does not model network cards: every interface is on card 0"),
            ("ena-srd-specification", "vpcsim does not model ENA Express"),
            ("ena-queue-count", "vpcsim does not model ENA queues"),
        ],
    ),
    op("ec2", "detach-network-interface", &[rs("attachment-id"), sw("force", "no-force")]),
    op_but(
        "ec2",
        "terminate-instances",
        &[rl("instance-ids")],
        &[("skip-os-shutdown", "vpcsim terminates at once")],
    ),
    op_but(
        "ec2",
        "associate-address",
        &[
            s("allocation-id"),
            s("instance-id"),
            s("network-interface-id"),
            s("public-ip"),
            sw("allow-reassociation", "no-allow-reassociation"),
            s("private-ip-address"),
        ],
        &[],
    ),
    op_but(
        "ec2",
        "assign-private-ip-addresses",
        &[
            rs("network-interface-id"),
            l("private-ip-addresses"),
            i("secondary-private-ip-address-count"),
            sw("allow-reassignment", "no-allow-reassignment"),
        ],
        &[
            ("ipv4-prefixes", "vpcsim does not model prefix delegation"),
            ("ipv4-prefix-count", "vpcsim does not model prefix delegation"),
        ],
    ),
    op_but(
        "ec2",
        "unassign-private-ip-addresses",
        &[rs("network-interface-id"), l("private-ip-addresses")],
        &[("ipv4-prefixes", "vpcsim does not model prefix delegation")],
    ),
    op("ec2", "disassociate-address", &[s("association-id"), s("public-ip")]),
    op_but(
        "ec2",
        "create-nat-gateway",
        &[rs("subnet-id"), s("allocation-id"), s("connectivity-type"), s("private-ip-address")],
        &[
            ("secondary-allocation-ids", "vpcsim gives a NAT gateway one address"),
            ("secondary-private-ip-addresses", "vpcsim gives a NAT gateway one address"),
            ("secondary-private-ip-address-count", "vpcsim gives a NAT gateway one address"),
            ("availability-mode", "vpcsim models zonal NAT gateways in one subnet"),
            ("client-token", "vpcsim does not retry calls"),
            TAGS,
        ],
    ),
    op("ec2", "delete-nat-gateway", &[rs("nat-gateway-id")]),
    op("ec2", "describe-nat-gateways", &[l("nat-gateway-ids"), l("filter"), l("filters")]),
    op_but(
        "ec2",
        "create-flow-logs",
        &[
            rl("resource-ids"),
            rs("resource-type"),
            s("traffic-type"),
            s("log-destination-type"),
            s("log-group-name"),
            s("log-destination"),
            s("deliver-logs-permission-arn"),
            s("log-format"),
            i("max-aggregation-interval"),
            s("destination-options"),
        ],
        &[
            ("client-token", "vpcsim does not retry calls"),
            ("deliver-cross-account-role", "vpcsim simulates one account"),
            TAGS,
        ],
    ),
    op("ec2", "describe-flow-logs", &[l("flow-log-ids"), l("filter"), l("filters")]),
    op("ec2", "delete-flow-logs", &[rl("flow-log-ids")]),
    op_but(
        "ec2",
        "allocate-address",
        &[s("domain")],
        &[
            ("address", "vpcsim picks the address from its Amazon pool"),
            ("public-ipv4-pool", "vpcsim allocates from the Amazon pool only"),
            ("network-border-group", "vpcsim uses the region's border group"),
            ("customer-owned-ipv4-pool", "vpcsim does not model Outposts"),
            ("ipam-pool-id", "vpcsim does not model IPAM"),
            TAGS,
        ],
    ),
    op_but(
        "ec2",
        "release-address",
        &[s("allocation-id"), s("public-ip")],
        &[("network-border-group", "vpcsim uses the region's border group")],
    ),
    op("ec2", "create-network-acl-entry", ACL_ENTRY),
    op(
        "ec2",
        "delete-network-acl-entry",
        &[
            rs("network-acl-id"),
            ri("rule-number"),
            FlagSpec { name: "egress", kind: FlagKind::Switch("ingress"), required: true },
        ],
    ),
    op_but(
        "ec2",
        "create-vpc-peering-connection",
        &[rs("vpc-id"), rs("peer-vpc-id")],
        &[
            ("peer-owner-id", "vpcsim simulates one account"),
            ("peer-region", "vpcsim simulates one region"),
            TAGS,
        ],
    ),
    op("ec2", "accept-vpc-peering-connection", &[rs("vpc-peering-connection-id")]),
    op("ec2", "reject-vpc-peering-connection", &[rs("vpc-peering-connection-id")]),
    op("ec2", "delete-vpc-peering-connection", &[rs("vpc-peering-connection-id")]),
    op("ec2", "describe-vpc-peering-connections", &[l("vpc-peering-connection-ids"), l("filters")]),
    op(
        "ec2",
        "modify-vpc-peering-connection-options",
        &[
            rs("vpc-peering-connection-id"),
            s("requester-peering-connection-options"),
            s("accepter-peering-connection-options"),
        ],
    ),
    op_but(
        "ec2",
        "create-managed-prefix-list",
        &[rs("prefix-list-name"), ri("max-entries"), s("address-family"), l("entries")],
        &[("client-token", "vpcsim does not retry calls"), TAGS],
    ),
    op_but("ec2", "create-dhcp-options", &[rl("dhcp-configurations")], &[TAGS]),
    op("ec2", "associate-dhcp-options", &[rs("dhcp-options-id"), rs("vpc-id")]),
    op("ec2", "describe-dhcp-options", &[l("dhcp-options-ids"), l("filters")]),
    op("ec2", "delete-dhcp-options", &[rs("dhcp-options-id")]),
    op("ec2", "describe-prefix-lists", &[l("prefix-list-ids"), l("filters")]),
    op("ec2", "describe-managed-prefix-lists", &[l("prefix-list-ids"), l("filters")]),
    op_but(
        "ec2",
        "get-managed-prefix-list-entries",
        &[rs("prefix-list-id")],
        &[("target-version", "vpcsim keeps one version of a list")],
    ),
    op_but(
        "ec2",
        "create-network-insights-path",
        &[
            rs("source"),
            s("destination"),
            s("source-ip"),
            s("destination-ip"),
            rs("protocol"),
            FlagSpec { name: "destination-port", kind: FlagKind::Int, required: false },
            s("filter-at-source"),
        ],
        &[
            ("filter-at-destination", "vpcsim analyzes the flow as it leaves the source; give --filter-at-source or --destination-ip"),
            ("client-token", "vpcsim does not retry calls"),
            TAGS,
        ],
    ),
    op_but(
        "ec2",
        "start-network-insights-analysis",
        &[rs("network-insights-path-id")],
        &[
            ("additional-accounts", "vpcsim simulates one account"),
            ("filter-in-arns", "vpcsim reports the whole path"),
            ("filter-out-arns", "vpcsim reports the whole path"),
            ("client-token", "vpcsim does not retry calls"),
            TAGS,
        ],
    ),
    op("ec2", "describe-network-insights-paths", &[l("network-insights-path-ids"), l("filters")]),
    op_but(
        "ec2",
        "describe-network-insights-analyses",
        &[l("network-insights-analysis-ids"), s("network-insights-path-id"), l("filters")],
        &[
            ("analysis-start-time", "filter on start-date with --filters or --query"),
            ("analysis-end-time", "filter on start-date with --filters or --query"),
        ],
    ),
    op("ec2", "delete-network-insights-path", &[rs("network-insights-path-id")]),
    op("ec2", "delete-network-insights-analysis", &[rs("network-insights-analysis-id")]),
    op_but(
        "ec2",
        "create-network-insights-access-scope",
        &[s("match-paths"), s("exclude-paths")],
        &[("client-token", "vpcsim does not retry calls"), TAGS],
    ),
    op_but(
        "ec2",
        "start-network-insights-access-scope-analysis",
        &[rs("network-insights-access-scope-id")],
        &[("client-token", "vpcsim does not retry calls"), TAGS],
    ),
    op(
        "ec2",
        "get-network-insights-access-scope-analysis-findings",
        &[rs("network-insights-access-scope-analysis-id")],
    ),
    op("ec2", "describe-network-insights-access-scopes", &[l("network-insights-access-scope-ids"), l("filters")]),
    op_but(
        "ec2",
        "describe-network-insights-access-scope-analyses",
        &[l("network-insights-access-scope-analysis-ids"), s("network-insights-access-scope-id"), l("filters")],
        &[
            ("analysis-start-time-begin", "filter on start-date with --filters or --query"),
            ("analysis-start-time-end", "filter on start-date with --filters or --query"),
        ],
    ),
    op("ec2", "get-network-insights-access-scope-content", &[rs("network-insights-access-scope-id")]),
    op("ec2", "delete-network-insights-access-scope", &[rs("network-insights-access-scope-id")]),
    op(
        "ec2",
        "delete-network-insights-access-scope-analysis",
        &[rs("network-insights-access-scope-analysis-id")],
    ),
    op_but(
        "elbv2",
        "create-load-balancer",
        &[rs("name"), s("type"), rl("subnets"), s("scheme"), l("security-groups"), l("tags")],
        &[
            ("subnet-mappings", "give --subnets; vpcsim picks each node's address"),
            ("ip-address-type", IPV6),
            ("customer-owned-ipv4-pool", "vpcsim does not model Outposts"),
            ("enable-prefix-for-ipv6-source-nat", IPV6),
            ("ipam-pools", "vpcsim does not model IPAM"),
        ],
    ),
    op_but(
        "elbv2",
        "create-target-group",
        &[
            rs("name"),
            rs("protocol"),
            ri("port"),
            rs("vpc-id"),
            s("target-type"),
            s("health-check-protocol"),
            s("health-check-port"),
            s("health-check-path"),
            l("tags"),
        ],
        &[
            ("protocol-version", "vpcsim models Network Load Balancer target groups only"),
            ("health-check-enabled", "vpcsim always checks health"),
            ("no-health-check-enabled", "vpcsim always checks health"),
            ("health-check-interval-seconds", HC_DEFAULTS),
            ("health-check-timeout-seconds", HC_DEFAULTS),
            ("healthy-threshold-count", HC_DEFAULTS),
            ("unhealthy-threshold-count", HC_DEFAULTS),
            ("matcher", HC_DEFAULTS),
            ("ip-address-type", IPV6),
        ],
    ),
    op_but(
        "elbv2",
        "create-listener",
        &[rs("load-balancer-arn"), rs("protocol"), ri("port"), rl("default-actions")],
        &[
            ("certificates", "vpcsim has no certificates: use TCP, UDP or TCP_UDP"),
            ("ssl-policy", "vpcsim has no certificates: use TCP, UDP or TCP_UDP"),
            ("alpn-policy", "vpcsim has no certificates: use TCP, UDP or TCP_UDP"),
            ("mutual-authentication", "vpcsim has no certificates: use TCP, UDP or TCP_UDP"),
            ("tags", "vpcsim does not tag listeners"),
        ],
    ),
    op("elbv2", "delete-load-balancer", &[rs("load-balancer-arn")]),
    op("elbv2", "delete-target-group", &[rs("target-group-arn")]),
    op("elbv2", "delete-listener", &[rs("listener-arn")]),
    op("elbv2", "register-targets", TARGETS),
    op("elbv2", "deregister-targets", TARGETS),
    op_but(
        "elbv2",
        "describe-target-health",
        &[rs("target-group-arn"), l("targets")],
        &[("include", "vpcsim has no anomaly detection to include")],
    ),
    op("elbv2", "describe-load-balancers", &[l("load-balancer-arns"), l("names")]),
    op("elbv2", "describe-target-groups", &[l("target-group-arns"), l("names"), s("load-balancer-arn")]),
    op("elbv2", "describe-listeners", &[s("load-balancer-arn"), l("listener-arns")]),
    op("elbv2", "modify-target-group-attributes", &[rs("target-group-arn"), rl("attributes")]),
    op("elbv2", "describe-target-group-attributes", &[rs("target-group-arn")]),
    op(
        "elbv2",
        "set-security-groups",
        &[
            rs("load-balancer-arn"),
            rl("security-groups"),
            s("enforce-security-group-inbound-rules-on-private-link-traffic"),
        ],
    ),
    op_but(
        "cloudformation",
        "delete-stack",
        &[rs("stack-name")],
        &[
            ("retain-resources", "vpcsim deletes every resource of a stack"),
            ("role-arn", "vpcsim has no IAM"),
            ("client-request-token", "vpcsim does not retry calls"),
            ("deletion-mode", "vpcsim deletes stacks one way"),
        ],
    ),
    op("cloudformation", "describe-stacks", &[s("stack-name")]),
    op("cloudformation", "describe-stack-events", &[rs("stack-name")]),
    op_but(
        "cloudformation",
        "create-stack",
        &[rs("stack-name"), rs("template-body"), l("parameters")],
        &[
            ("template-url", "vpcsim never downloads templates; give --template-body file://PATH"),
            ("disable-rollback", "vpcsim rolls a failed stack back, as CloudFormation does by default"),
            ("on-failure", "vpcsim rolls a failed stack back (ROLLBACK), as CloudFormation does by default"),
            ("timeout-in-minutes", "vpcsim creates a stack at once on the virtual clock"),
            ("notification-arns", "vpcsim sends no SNS notifications; read the stack's events"),
            ("capabilities", "vpcsim creates no IAM resources (they are skipped), so no capability is needed"),
            ("resource-types", "vpcsim has no IAM"),
            ("role-arn", "vpcsim has no IAM"),
            ("stack-policy-body", "vpcsim never updates a stack"),
            ("stack-policy-url", "vpcsim never updates a stack"),
            ("tags", "vpcsim does not propagate stack tags"),
            ("client-request-token", "vpcsim does not retry calls"),
            ("enable-termination-protection", "vpcsim does not model termination protection"),
            ("no-enable-termination-protection", "vpcsim does not model termination protection"),
            ("retain-except-on-create", "vpcsim deletes every resource of a stack"),
        ],
    ),
    op_but(
        "route53",
        "create-hosted-zone",
        &[rs("name"), rs("caller-reference"), s("vpc"), s("hosted-zone-config")],
        &[("delegation-set-id", "vpcsim gives every public zone its own name servers")],
    ),
    op("route53", "get-hosted-zone", &[rs("id")]),
    op_but(
        "route53",
        "list-hosted-zones",
        &[s("hosted-zone-type")],
        &[("delegation-set-id", "vpcsim gives every public zone its own name servers")],
    ),
    op("route53", "list-hosted-zones-by-vpc", &[rs("vpc-id"), rs("vpc-region")]),
    op("route53", "associate-vpc-with-hosted-zone", &[rs("hosted-zone-id"), rs("vpc"), s("comment")]),
    op("route53", "disassociate-vpc-from-hosted-zone", &[rs("hosted-zone-id"), rs("vpc"), s("comment")]),
    op("route53", "change-resource-record-sets", &[rs("hosted-zone-id"), rs("change-batch")]),
    op_but(
        "route53",
        "list-resource-record-sets",
        &[rs("hosted-zone-id")],
        &[
            ("start-record-name", PAGES),
            ("start-record-type", PAGES),
            ("start-record-identifier", PAGES),
        ],
    ),
    op("route53", "delete-hosted-zone", &[rs("id")]),
    op("route53", "get-change", &[rs("id")]),
    op_but(
        "autoscaling",
        "describe-auto-scaling-groups",
        &[l("auto-scaling-group-names")],
        &[("filters", "name the groups with --auto-scaling-group-names")],
    ),
    op_but(
        "autoscaling",
        "set-desired-capacity",
        &[rs("auto-scaling-group-name"), ri("desired-capacity")],
        &[
            ("honor-cooldown", "vpcsim does not model cooldowns: the capacity changes at once"),
            ("no-honor-cooldown", "vpcsim does not model cooldowns: the capacity changes at once"),
        ],
    ),
    op_but(
        "autoscaling",
        "create-auto-scaling-group",
        &[
            rs("auto-scaling-group-name"),
            s("launch-template"),
            ri("min-size"),
            ri("max-size"),
            i("desired-capacity"),
            s("vpc-zone-identifier"),
            l("target-group-arns"),
            s("health-check-type"),
            i("health-check-grace-period"),
            l("tags"),
        ],
        &[
            ("launch-configuration-name", "launch configurations come from templates; give --launch-template"),
            ("mixed-instances-policy", "vpcsim launches one instance type from one launch template"),
            ("instance-id", "give --launch-template"),
            ("availability-zones", "vpcsim has no default VPC: give --vpc-zone-identifier"),
            ("load-balancer-names", "vpcsim does not model Classic Load Balancers: give --target-group-arns"),
            ("traffic-sources", "give --target-group-arns"),
            ("termination-policies", "vpcsim terminates the oldest instance of the fullest AZ"),
            ("default-cooldown", "vpcsim does not model cooldowns: the capacity changes at once"),
            ("desired-capacity-type", "vpcsim counts capacity in instances"),
            ("placement-group", "vpcsim does not model placement"),
            ("new-instances-protected-from-scale-in", "vpcsim does not model scale-in protection"),
            ("no-new-instances-protected-from-scale-in", "vpcsim does not model scale-in protection"),
            ("service-linked-role-arn", "vpcsim has no IAM"),
            ("lifecycle-hook-specification-list", "vpcsim does not model lifecycle hooks"),
            ("max-instance-lifetime", "vpcsim does not replace instances by age"),
            ("capacity-rebalance", "vpcsim does not model Spot"),
            ("no-capacity-rebalance", "vpcsim does not model Spot"),
            ("context", "vpcsim does not model it"),
            ("default-instance-warmup", "vpcsim does not model warm-up"),
        ],
    ),
    op_but(
        "autoscaling",
        "delete-auto-scaling-group",
        &[rs("auto-scaling-group-name"), sw("force-delete", "no-force-delete")],
        &[],
    ),
    op_but(
        "ec2",
        "create-launch-template",
        &[rs("launch-template-name"), rs("launch-template-data")],
        &[
            ("version-description", "vpcsim's launch templates have one version and no description"),
            ("client-token", "vpcsim does not retry calls"),
            TAGS,
        ],
    ),
    op_but(
        "ec2",
        "describe-launch-templates",
        &[l("launch-template-ids"), l("launch-template-names")],
        &[("filters", "name the templates with --launch-template-ids or --launch-template-names")],
    ),
    op("ec2", "delete-launch-template", &[s("launch-template-id"), s("launch-template-name")]),
    op_but(
        "ec2",
        "create-vpc-endpoint-connection-notification",
        &[s("service-id"), s("vpc-endpoint-id"), rs("connection-notification-arn"), rl("connection-events")],
        &[("client-token", "vpcsim does not retry calls")],
    ),
    op_but(
        "ec2",
        "describe-vpc-endpoint-connection-notifications",
        &[s("connection-notification-id")],
        &[("filters", "name the notification with --connection-notification-id")],
    ),
    op("ec2", "delete-vpc-endpoint-connection-notifications", &[rl("connection-notification-ids")]),
    // vpcsim's own call (AWS has none): what connection notifications published to SNS topics.
    op("sns", "vpcsim-list-published-messages", &[s("topic-arn")]),
    op_but(
        "logs",
        "filter-log-events",
        &[
            s("log-group-name"),
            s("log-group-identifier"),
            s("filter-pattern"),
            l("log-stream-names"),
            s("log-stream-name-prefix"),
            i("start-time"),
            i("end-time"),
        ],
        &[
            ("limit", PAGES),
            ("interleaved", "it is deprecated; vpcsim interleaves every stream"),
            ("no-interleaved", "it is deprecated; vpcsim interleaves every stream"),
            ("unmask", "vpcsim has no data protection policies"),
            ("no-unmask", "vpcsim has no data protection policies"),
        ],
    ),
    op_but(
        "logs",
        "describe-log-groups",
        &[s("log-group-name-prefix")],
        &[
            ("limit", PAGES),
            ("account-identifiers", "vpcsim simulates one account"),
            ("include-linked-accounts", "vpcsim simulates one account"),
            ("no-include-linked-accounts", "vpcsim simulates one account"),
            ("log-group-name-pattern", "filter with --log-group-name-prefix or --query"),
            ("log-group-class", "vpcsim has one log group class"),
            ("log-group-identifiers", "name the groups with --log-group-name-prefix"),
        ],
    ),
    op_but(
        "s3api",
        "list-objects-v2",
        &[rs("bucket"), s("prefix")],
        &[
            ("delimiter", "list every key under --prefix, or use aws s3 ls for folders"),
            ("start-after", PAGES),
            ("continuation-token", PAGES),
            ("max-keys", PAGES),
            ("encoding-type", "vpcsim's keys need no encoding"),
            ("fetch-owner", "vpcsim simulates one account"),
            ("no-fetch-owner", "vpcsim simulates one account"),
            ("expected-bucket-owner", "vpcsim simulates one account"),
            ("request-payer", "vpcsim has no requester-pays buckets"),
            ("optional-object-attributes", "vpcsim keeps no object attributes"),
        ],
    ),
];
