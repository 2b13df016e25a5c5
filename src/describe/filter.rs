//! `--filters` and id lists on describe calls, applied to the items of the call's
//! JSON: each filter name AWS documents for a call is a JMESPath expression over one
//! item, and an item is kept when every filter finds a value matching one of its
//! values (wildcards `*` and `?`). `tag:KEY`, `tag-key` and `tag-value` work on every
//! call whose items carry tags. An unknown name is AWS's `InvalidParameterValue`.

use serde_json::Value;

use crate::command::aws::filter::{scalar_text, Filter};
use crate::error::ApiError;

/// The filters one describe call takes: where its items are, where their tags are,
/// and each filter name with the expression that finds its values in an item.
#[derive(Clone, Copy, Debug)]
pub struct FilterSet {
    /// The answer's list (`Vpcs`).
    pub key: &'static str,
    /// An expression giving an item's tags as `[{Key, Value}]` (empty when it has none).
    pub tags: &'static str,
    /// Filter name and expression.
    pub names: &'static [(&'static str, &'static str)],
}

/// describe-vpcs.
pub const VPCS: FilterSet = FilterSet {
    key: "Vpcs",
    tags: "Tags",
    names: &[
        ("cidr", "CidrBlock"),
        ("cidr-block-association.cidr-block", "CidrBlockAssociationSet[].CidrBlock"),
        ("cidr-block-association.association-id", "CidrBlockAssociationSet[].AssociationId"),
        ("cidr-block-association.state", "CidrBlockAssociationSet[].CidrBlockState.State"),
        ("dhcp-options-id", "DhcpOptionsId"),
        ("is-default", "IsDefault"),
        ("owner-id", "OwnerId"),
        ("state", "State"),
        ("vpc-id", "VpcId"),
    ],
};

/// describe-subnets.
pub const SUBNETS: FilterSet = FilterSet {
    key: "Subnets",
    tags: "Tags",
    names: &[
        ("availability-zone", "AvailabilityZone"),
        ("availabilityZone", "AvailabilityZone"),
        ("availability-zone-id", "AvailabilityZoneId"),
        ("available-ip-address-count", "AvailableIpAddressCount"),
        ("cidr-block", "CidrBlock"),
        ("cidr", "CidrBlock"),
        ("cidrBlock", "CidrBlock"),
        ("default-for-az", "DefaultForAz"),
        ("defaultForAz", "DefaultForAz"),
        ("map-public-ip-on-launch", "MapPublicIpOnLaunch"),
        ("owner-id", "OwnerId"),
        ("state", "State"),
        ("subnet-arn", "SubnetArn"),
        ("subnet-id", "SubnetId"),
        ("vpc-id", "VpcId"),
    ],
};

/// describe-route-tables.
pub const ROUTE_TABLES: FilterSet = FilterSet {
    key: "RouteTables",
    tags: "Tags",
    names: &[
        ("association.gateway-id", "Associations[].GatewayId"),
        ("association.route-table-association-id", "Associations[].RouteTableAssociationId"),
        ("association.route-table-id", "Associations[].RouteTableId"),
        ("association.subnet-id", "Associations[].SubnetId"),
        ("association.main", "Associations[].Main"),
        ("owner-id", "OwnerId"),
        ("route-table-id", "RouteTableId"),
        ("route.destination-cidr-block", "Routes[].DestinationCidrBlock"),
        ("route.gateway-id", "Routes[].GatewayId"),
        ("route.instance-id", "Routes[].InstanceId"),
        ("route.nat-gateway-id", "Routes[].NatGatewayId"),
        ("route.transit-gateway-id", "Routes[].TransitGatewayId"),
        ("route.vpc-peering-connection-id", "Routes[].VpcPeeringConnectionId"),
        ("route.origin", "Routes[].Origin"),
        ("route.state", "Routes[].State"),
        ("vpc-id", "VpcId"),
    ],
};

/// describe-network-acls.
pub const NETWORK_ACLS: FilterSet = FilterSet {
    key: "NetworkAcls",
    tags: "Tags",
    names: &[
        ("association.association-id", "Associations[].NetworkAclAssociationId"),
        ("association.network-acl-id", "Associations[].NetworkAclId"),
        ("association.subnet-id", "Associations[].SubnetId"),
        ("default", "IsDefault"),
        ("entry.cidr", "Entries[].CidrBlock"),
        ("entry.egress", "Entries[].Egress"),
        ("entry.icmp.code", "Entries[].IcmpTypeCode.Code"),
        ("entry.icmp.type", "Entries[].IcmpTypeCode.Type"),
        ("entry.port-range.from", "Entries[].PortRange.From"),
        ("entry.port-range.to", "Entries[].PortRange.To"),
        ("entry.protocol", "Entries[].Protocol"),
        ("entry.rule-action", "Entries[].RuleAction"),
        ("entry.rule-number", "Entries[].RuleNumber"),
        ("network-acl-id", "NetworkAclId"),
        ("owner-id", "OwnerId"),
        ("vpc-id", "VpcId"),
    ],
};

/// describe-security-groups.
pub const SECURITY_GROUPS: FilterSet = FilterSet {
    key: "SecurityGroups",
    tags: "Tags",
    names: &[
        ("description", "Description"),
        ("egress.ip-permission.cidr", "IpPermissionsEgress[].IpRanges[].CidrIp"),
        ("egress.ip-permission.from-port", "IpPermissionsEgress[].FromPort"),
        ("egress.ip-permission.group-id", "IpPermissionsEgress[].UserIdGroupPairs[].GroupId"),
        ("egress.ip-permission.prefix-list-id", "IpPermissionsEgress[].PrefixListIds[].PrefixListId"),
        ("egress.ip-permission.protocol", "IpPermissionsEgress[].IpProtocol"),
        ("egress.ip-permission.to-port", "IpPermissionsEgress[].ToPort"),
        ("group-id", "GroupId"),
        ("group-name", "GroupName"),
        ("ip-permission.cidr", "IpPermissions[].IpRanges[].CidrIp"),
        ("ip-permission.from-port", "IpPermissions[].FromPort"),
        ("ip-permission.group-id", "IpPermissions[].UserIdGroupPairs[].GroupId"),
        ("ip-permission.prefix-list-id", "IpPermissions[].PrefixListIds[].PrefixListId"),
        ("ip-permission.protocol", "IpPermissions[].IpProtocol"),
        ("ip-permission.to-port", "IpPermissions[].ToPort"),
        ("owner-id", "OwnerId"),
        ("vpc-id", "VpcId"),
    ],
};

/// describe-instances: a reservation is kept when its instance matches.
pub const INSTANCES: FilterSet = FilterSet {
    key: "Reservations",
    tags: "Instances[].Tags[]",
    names: &[
        ("availability-zone", "Instances[].Placement.AvailabilityZone"),
        ("dns-name", "Instances[].PublicDnsName"),
        ("image-id", "Instances[].ImageId"),
        ("instance-id", "Instances[].InstanceId"),
        ("instance-state-code", "Instances[].State.Code"),
        ("instance-state-name", "Instances[].State.Name"),
        ("instance-type", "Instances[].InstanceType"),
        ("instance.group-id", "Instances[].SecurityGroups[].GroupId"),
        ("instance.group-name", "Instances[].SecurityGroups[].GroupName"),
        ("ip-address", "Instances[].PublicIpAddress"),
        ("key-name", "Instances[].KeyName"),
        ("network-interface.network-interface-id", "Instances[].NetworkInterfaces[].NetworkInterfaceId"),
        ("network-interface.subnet-id", "Instances[].NetworkInterfaces[].SubnetId"),
        ("network-interface.vpc-id", "Instances[].NetworkInterfaces[].VpcId"),
        ("owner-id", "OwnerId"),
        ("private-dns-name", "Instances[].PrivateDnsName"),
        ("private-ip-address", "Instances[].PrivateIpAddress"),
        ("reservation-id", "ReservationId"),
        ("source-dest-check", "Instances[].SourceDestCheck"),
        ("subnet-id", "Instances[].SubnetId"),
        ("vpc-id", "Instances[].VpcId"),
    ],
};

/// describe-network-interfaces.
pub const NETWORK_INTERFACES: FilterSet = FilterSet {
    key: "NetworkInterfaces",
    tags: "TagSet",
    names: &[
        ("association.public-ip", "Association.PublicIp"),
        ("attachment.instance-id", "Attachment.InstanceId"),
        ("attachment.status", "Attachment.Status"),
        ("availability-zone", "AvailabilityZone"),
        ("description", "Description"),
        ("group-id", "Groups[].GroupId"),
        ("group-name", "Groups[].GroupName"),
        ("interface-type", "InterfaceType"),
        ("network-interface-id", "NetworkInterfaceId"),
        ("private-ip-address", "PrivateIpAddress"),
        ("requester-managed", "RequesterManaged"),
        ("source-dest-check", "SourceDestCheck"),
        ("status", "Status"),
        ("subnet-id", "SubnetId"),
        ("vpc-id", "VpcId"),
    ],
};

/// describe-internet-gateways.
pub const INTERNET_GATEWAYS: FilterSet = FilterSet {
    key: "InternetGateways",
    tags: "Tags",
    names: &[
        ("attachment.state", "Attachments[].State"),
        ("attachment.vpc-id", "Attachments[].VpcId"),
        ("internet-gateway-id", "InternetGatewayId"),
        ("owner-id", "OwnerId"),
    ],
};

/// describe-egress-only-internet-gateways (A8).
pub const EGRESS_ONLY_INTERNET_GATEWAYS: FilterSet = FilterSet {
    key: "EgressOnlyInternetGateways",
    tags: "Tags",
    names: &[("attachment.state", "Attachments[].State"), ("attachment.vpc-id", "Attachments[].VpcId")],
};

/// describe-nat-gateways.
pub const NAT_GATEWAYS: FilterSet = FilterSet {
    key: "NatGateways",
    tags: "Tags",
    names: &[
        ("nat-gateway-id", "NatGatewayId"),
        ("state", "State"),
        ("subnet-id", "SubnetId"),
        ("vpc-id", "VpcId"),
    ],
};

/// describe-dhcp-options (Z2).
pub const DHCP_OPTIONS: FilterSet = FilterSet {
    key: "DhcpOptions",
    tags: "Tags",
    names: &[
        ("dhcp-options-id", "DhcpOptionsId"),
        ("key", "DhcpConfigurations[].Key"),
        ("owner-id", "OwnerId"),
        ("value", "DhcpConfigurations[].Values[].Value"),
    ],
};

/// describe-flow-logs.
pub const FLOW_LOGS: FilterSet = FilterSet {
    key: "FlowLogs",
    tags: "Tags",
    names: &[
        ("deliver-log-status", "DeliverLogsStatus"),
        ("flow-log-id", "FlowLogId"),
        ("log-destination-type", "LogDestinationType"),
        ("log-group-name", "LogGroupName"),
        ("resource-id", "ResourceId"),
        ("traffic-type", "TrafficType"),
    ],
};

/// describe-prefix-lists.
pub const PREFIX_LISTS: FilterSet = FilterSet {
    key: "PrefixLists",
    tags: "Tags",
    names: &[("prefix-list-id", "PrefixListId"), ("prefix-list-name", "PrefixListName")],
};

/// describe-managed-prefix-lists.
pub const MANAGED_PREFIX_LISTS: FilterSet = FilterSet {
    key: "PrefixLists",
    tags: "Tags",
    names: &[
        ("owner-id", "OwnerId"),
        ("prefix-list-id", "PrefixListId"),
        ("prefix-list-name", "PrefixListName"),
    ],
};

/// describe-vpc-peering-connections.
pub const VPC_PEERING_CONNECTIONS: FilterSet = FilterSet {
    key: "VpcPeeringConnections",
    tags: "Tags",
    names: &[
        ("accepter-vpc-info.cidr-block", "AccepterVpcInfo.CidrBlock"),
        ("accepter-vpc-info.owner-id", "AccepterVpcInfo.OwnerId"),
        ("accepter-vpc-info.vpc-id", "AccepterVpcInfo.VpcId"),
        ("requester-vpc-info.cidr-block", "RequesterVpcInfo.CidrBlock"),
        ("requester-vpc-info.owner-id", "RequesterVpcInfo.OwnerId"),
        ("requester-vpc-info.vpc-id", "RequesterVpcInfo.VpcId"),
        ("status-code", "Status.Code"),
        ("status-message", "Status.Message"),
        ("vpc-peering-connection-id", "VpcPeeringConnectionId"),
    ],
};

/// describe-vpc-endpoints.
pub const VPC_ENDPOINTS: FilterSet = FilterSet {
    key: "VpcEndpoints",
    tags: "Tags",
    names: &[
        ("ip-address-type", "IpAddressType"),
        ("service-name", "ServiceName"),
        ("vpc-endpoint-id", "VpcEndpointId"),
        ("vpc-endpoint-state", "State"),
        ("vpc-endpoint-type", "VpcEndpointType"),
        ("vpc-id", "VpcId"),
    ],
};

/// describe-vpc-endpoint-services (on `ServiceDetails`).
pub const ENDPOINT_SERVICES: FilterSet = FilterSet {
    key: "ServiceDetails",
    tags: "Tags",
    names: &[
        ("owner", "Owner"),
        ("service-name", "ServiceName"),
        ("service-type", "ServiceType[].ServiceType"),
        ("supported-ip-address-types", "SupportedIpAddressTypes"),
    ],
};

/// describe-vpc-endpoint-service-configurations.
pub const SERVICE_CONFIGURATIONS: FilterSet = FilterSet {
    key: "ServiceConfigurations",
    tags: "Tags",
    names: &[
        ("service-name", "ServiceName"),
        ("service-id", "ServiceId"),
        ("service-state", "ServiceState"),
        ("supported-ip-address-types", "SupportedIpAddressTypes"),
    ],
};

/// describe-vpc-endpoint-connections.
pub const ENDPOINT_CONNECTIONS: FilterSet = FilterSet {
    key: "VpcEndpointConnections",
    tags: "Tags",
    names: &[
        ("ip-address-type", "IpAddressType"),
        ("service-id", "ServiceId"),
        ("vpc-endpoint-owner", "VpcEndpointOwner"),
        ("vpc-endpoint-state", "VpcEndpointState"),
        ("vpc-endpoint-id", "VpcEndpointId"),
    ],
};

/// describe-vpc-endpoint-service-permissions.
pub const SERVICE_PERMISSIONS: FilterSet = FilterSet {
    key: "AllowedPrincipals",
    tags: "Tags",
    names: &[("principal", "Principal"), ("principal-type", "PrincipalType")],
};

/// A filter name as the expression that finds its values in one item.
fn expression(set: &FilterSet, name: &str) -> Option<String> {
    if let Some(key) = name.strip_prefix("tag:") {
        let key = key.replace('\\', "\\\\").replace('\'', "\\'");
        return Some(format!("{} | [?Key=='{key}'].Value", set.tags));
    }
    match name {
        "tag-key" => Some(format!("{} | [].Key", set.tags)),
        "tag-value" => Some(format!("{} | [].Value", set.tags)),
        _ => set.names.iter().find(|(n, _)| *n == name).map(|(_, e)| e.to_string()),
    }
}

fn scalars(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Array(items) => items.iter().for_each(|i| scalars(i, out)),
        other => out.extend(scalar_text(other)),
    }
}

/// Keeps the items of `doc[set.key]` that every filter matches; an unknown filter
/// name is refused before anything is looked at.
pub fn apply(op: &str, set: &FilterSet, filters: &[Filter], doc: &mut Value) -> Result<(), ApiError> {
    let mut compiled = Vec::new();
    for f in filters {
        let expr = expression(set, &f.name).and_then(|e| jmespath::compile(&e).ok()).ok_or_else(|| {
            ApiError::new(op, "InvalidParameterValue", format!("The filter '{}' is invalid", f.name))
        })?;
        compiled.push((f, expr));
    }
    if compiled.is_empty() {
        return Ok(());
    }
    if let Some(items) = doc[set.key].as_array_mut() {
        items.retain(|item| {
            compiled.iter().all(|(f, expr)| {
                let found = expr.search(item).ok().and_then(|v| serde_json::to_value(&*v).ok());
                let mut values = Vec::new();
                if let Some(v) = found {
                    scalars(&v, &mut values);
                }
                f.matches_any(values.iter().map(String::as_str))
            })
        });
    }
    Ok(())
}

/// Keeps the items of `doc[key]` whose `field` is one of `wanted` (all when empty);
/// a wanted value that matches nothing is `not_found` (code and message).
pub fn only(
    op: &str,
    doc: &mut Value,
    key: &str,
    field: &str,
    wanted: &[String],
    not_found: impl Fn(&str) -> (&'static str, String),
) -> Result<(), ApiError> {
    if wanted.is_empty() {
        return Ok(());
    }
    if let Some(items) = doc[key].as_array_mut() {
        if let Some(missing) = wanted.iter().find(|id| !items.iter().any(|item| item[field] == **id)) {
            let (code, message) = not_found(missing);
            return Err(ApiError::new(op, code, message));
        }
        items.retain(|item| wanted.iter().any(|id| item[field] == **id));
    }
    Ok(())
}

/// describe-network-insights-paths.
pub const NETWORK_INSIGHTS_PATHS: FilterSet = FilterSet {
    key: "NetworkInsightsPaths",
    tags: "Tags",
    names: &[
        ("destination", "Destination"),
        ("destination-ip", "DestinationIp"),
        ("destination-port", "DestinationPort"),
        ("protocol", "Protocol"),
        ("source", "Source"),
        ("source-ip", "SourceIp"),
    ],
};

/// describe-network-insights-analyses.
pub const NETWORK_INSIGHTS_ANALYSES: FilterSet = FilterSet {
    key: "NetworkInsightsAnalyses",
    tags: "Tags",
    names: &[("path-found", "NetworkPathFound"), ("status", "Status")],
};

/// describe-network-insights-access-scopes.
pub const NETWORK_INSIGHTS_ACCESS_SCOPES: FilterSet =
    FilterSet { key: "NetworkInsightsAccessScopes", tags: "Tags", names: &[] };

/// describe-network-insights-access-scope-analyses.
pub const NETWORK_INSIGHTS_ACCESS_SCOPE_ANALYSES: FilterSet = FilterSet {
    key: "NetworkInsightsAccessScopeAnalyses",
    tags: "Tags",
    names: &[("findings-found", "FindingsFound"), ("status", "Status")],
};

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn filter(name: &str, values: &[&str]) -> Filter {
        Filter { name: name.into(), values: values.iter().map(|v| v.to_string()).collect() }
    }

    fn doc() -> Value {
        json!({"Vpcs": [
            {"VpcId": "vpc-1", "State": "available", "IsDefault": false, "Tags": [{"Key": "Name", "Value": "MyVPC"}]},
            {"VpcId": "vpc-2", "State": "available", "IsDefault": false, "Tags": [{"Key": "Name", "Value": "Other"}, {"Key": "env", "Value": "prod"}]},
        ]})
    }

    fn ids(d: &Value) -> Vec<&str> {
        d["Vpcs"].as_array().unwrap().iter().map(|v| v["VpcId"].as_str().unwrap()).collect()
    }

    #[test]
    fn a_tag_filter_keeps_the_tagged_item_only() {
        let mut d = doc();
        apply("DescribeVpcs", &VPCS, &[filter("tag:Name", &["MyVPC"])], &mut d).unwrap();
        assert_eq!(ids(&d), ["vpc-1"]);
    }

    #[test]
    fn several_filters_and_several_values_or() {
        let mut d = doc();
        let fs = [filter("tag:Name", &["MyVPC", "Oth*"]), filter("is-default", &["false"])];
        apply("DescribeVpcs", &VPCS, &fs, &mut d).unwrap();
        assert_eq!(ids(&d), ["vpc-1", "vpc-2"]);
        let fs = [filter("tag:Name", &["MyVPC", "Oth*"]), filter("tag-key", &["env"])];
        apply("DescribeVpcs", &VPCS, &fs, &mut d).unwrap();
        assert_eq!(ids(&d), ["vpc-2"]);
    }

    type Describe = fn(&crate::world::World) -> Value;

    const SETS: [(&FilterSet, Describe); 7] = [
        (&VPCS, crate::describe::vpcs),
        (&SUBNETS, crate::describe::subnets),
        (&ROUTE_TABLES, crate::describe::route_tables),
        (&SECURITY_GROUPS, crate::describe::security_groups),
        (&INSTANCES, crate::describe::instances),
        (&NETWORK_INTERFACES, crate::describe::network_interfaces),
        (&INTERNET_GATEWAYS, crate::describe::internet_gateways),
    ];

    #[test]
    fn every_filter_of_the_lab_calls_finds_values_in_the_labs_json() {
        let lab = crate::lab::Lab::ready(Default::default()).unwrap();
        let absent_in_lab = [
            "route.instance-id",
            "route.nat-gateway-id",
            "route.transit-gateway-id",
            "route.vpc-peering-connection-id",
            "association.gateway-id",
            "ip-permission.prefix-list-id",
            "egress.ip-permission.prefix-list-id",
            "egress.ip-permission.from-port",
            "egress.ip-permission.to-port",
            "egress.ip-permission.group-id",
            "key-name",
        ];
        let mut empty = Vec::new();
        for (set, json) in SETS {
            let doc = json(&lab.world);
            for (name, _) in set.names.iter().chain(&[("tag-key", ""), ("tag-value", "")]) {
                let expr = jmespath::compile(&expression(set, name).unwrap()).unwrap();
                let mut values = Vec::new();
                for item in doc[set.key].as_array().unwrap() {
                    scalars(&serde_json::to_value(&*expr.search(item).unwrap()).unwrap(), &mut values);
                }
                if values.is_empty()
                    && !absent_in_lab.contains(name)
                    && !(set.key == "NetworkInterfaces" && name.starts_with("tag"))
                {
                    empty.push(format!("{} {name}", set.key));
                }
            }
        }
        assert!(empty.is_empty(), "filters that find nothing in the lab: {empty:?}");
    }

    #[test]
    fn every_filter_expression_compiles() {
        for set in [
            &VPC_ENDPOINTS,
            &ENDPOINT_SERVICES,
            &SERVICE_CONFIGURATIONS,
            &ENDPOINT_CONNECTIONS,
            &SERVICE_PERMISSIONS,
        ]
        .into_iter()
        .chain(SETS.iter().map(|(s, _)| *s))
        {
            for (name, _) in set.names.iter().chain(&[("tag:Name", ""), ("tag-key", ""), ("tag-value", "")]) {
                let e = expression(set, name).unwrap();
                assert!(jmespath::compile(&e).is_ok(), "{} {name}: {e}", set.key);
            }
        }
    }

    #[test]
    fn an_unknown_filter_is_invalid_as_aws_says() {
        let err = apply("DescribeVpcs", &VPCS, &[filter("colour", &["x"])], &mut doc()).unwrap_err();
        assert_eq!(err.code, "InvalidParameterValue");
        assert_eq!(err.message, "The filter 'colour' is invalid");
    }
}
