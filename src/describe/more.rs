//! The AWS CLI's JSON for internet gateways, network interfaces, endpoint services
//! as consumers see them, endpoint connections and permissions, target groups,
//! listeners and stacks.

use serde_json::{json, Value};

use super::{connection, tags};
use crate::ids::*;
use crate::model::endpoint_service::ServiceState;
use crate::model::eni::EniOwner;
use crate::model::nlb::{HealthCheckProtocol, TargetGroupAttribute, TargetType};
use crate::world::World;

/// describe-internet-gateways.
pub fn internet_gateways(w: &World) -> Value {
    let items: Vec<Value> = w
        .igws()
        .values()
        .filter(|g| !g.deleted)
        .map(|g| {
            let attachments: Vec<Value> = g
                .attached
                .map(|v| json!({"State": "available", "VpcId": w[v].aws_id}))
                .into_iter()
                .collect();
            json!({"Attachments": attachments, "InternetGatewayId": g.aws_id, "OwnerId": w.account_id(), "Tags": tags(&g.tags)})
        })
        .collect();
    json!({"InternetGateways": items})
}

/// describe-network-interfaces (live ones).
pub fn network_interfaces(w: &World) -> Value {
    let items: Vec<Value> = w.enis().live().map(|(i, _)| network_interface(w, i)).collect();
    json!({"NetworkInterfaces": items})
}

/// One network interface.
pub fn network_interface(w: &World, id: EniId) -> Value {
    let e = &w[id];
    let (kind, requester) = match e.owner {
        EniOwner::Instance(_) | EniOwner::Detached => ("interface", false),
        EniOwner::LoadBalancer(_) => ("network_load_balancer", true),
        EniOwner::Endpoint(_) => ("vpc_endpoint", true),
        EniOwner::NatGateway(_) => ("nat_gateway", true),
    };
    let mut v = json!({
        "AvailabilityZone": w[e.subnet].az,
        "Description": e.description,
        "Groups": e.groups.iter().map(|g| json!({"GroupName": w[g].name, "GroupId": w[g].aws_id})).collect::<Vec<_>>(),
        "InterfaceType": kind,
        "NetworkInterfaceId": e.aws_id,
        "PrivateIpAddress": e.private_ip.to_string(),
        "RequesterManaged": requester,
        "SourceDestCheck": e.source_dest_check,
        "Status": if e.owner == EniOwner::Detached { "available" } else { "in-use" },
        "SubnetId": w[e.subnet].aws_id,
        "VpcId": w[e.vpc].aws_id,
        "TagSet": tags(&e.tags),
    });
    if let Some(p) = w.public_ip_of(id) {
        v["Association"] = json!({"PublicIp": p.to_string(), "IpOwnerId": "amazon"});
    }
    v["PrivateIpAddresses"] = private_ip_addresses(w, id);
    if let Some(a) = interface_attachment(w, id) {
        v["Attachment"] = a;
    }
    v
}

/// M6: an interface's `PrivateIpAddresses`, the primary first, each with `Primary` and
/// the public address mapped to it (`Association`), as describe-network-interfaces and
/// describe-instances show them.
pub fn private_ip_addresses(w: &World, id: EniId) -> Value {
    let e = &w[id];
    let items: Vec<Value> = e
        .private_ips()
        .map(|ip| {
            let mut v = json!({"Primary": ip == e.private_ip, "PrivateIpAddress": ip.to_string()});
            if let Some(p) = w.public_ip_for(id, ip) {
                v["Association"] = json!({"PublicIp": p.to_string(), "IpOwnerId": "amazon"});
            }
            v
        })
        .collect();
    Value::Array(items)
}

/// M4: an instance's interface's `Attachment`, as describe-network-interfaces and
/// describe-instances show it.
pub fn interface_attachment(w: &World, id: EniId) -> Option<Value> {
    let e = &w[id];
    let (EniOwner::Instance(i), Some(a)) = (e.owner, &e.attachment) else { return None };
    Some(json!({
        "AttachmentId": a.id,
        "DeleteOnTermination": a.delete_on_termination,
        "DeviceIndex": a.device_index,
        "InstanceId": w[i].aws_id,
        "InstanceOwnerId": w.account_id(),
        "Status": "attached",
    }))
}

/// describe-vpc-endpoint-services: the available services, by name and in detail.
pub fn endpoint_services(w: &World) -> Value {
    let live = w.services().iter().filter(|(_, s)| s.state == ServiceState::Available);
    let mut details = super::aws_services(w);
    details.extend(live
        .map(|(i, s)| {
            let mut v = json!({
                "ServiceName": s.service_name, "ServiceId": s.service_id, "ServiceType": [{"ServiceType": "Interface"}],
                "AvailabilityZones": w.service_azs(i), "Owner": w.account_id(),
                "BaseEndpointDnsNames": [s.base_dns_name], "VpcEndpointPolicySupported": false,
                "AcceptanceRequired": s.acceptance_required, "ManagesVpcEndpoints": false,
            });
            if let Some(p) = &s.private_dns {
                v["PrivateDnsName"] = json!(p.name);
                v["PrivateDnsNames"] = json!([{"PrivateDnsName": p.name}]);
                v["PrivateDnsNameVerificationState"] = json!(p.state(w.now_ms()).as_str());
            }
            v
        })
    );
    with_service_names(details)
}

/// describe-vpc-endpoint-services' two lists from its details (a name offered as two types once).
pub fn with_service_names(details: Vec<Value>) -> Value {
    let mut names: Vec<Value> = details.iter().map(|d| d["ServiceName"].clone()).collect();
    names.dedup();
    json!({"ServiceNames": names, "ServiceDetails": details})
}

/// describe-vpc-endpoint-connections: every endpoint of every service.
pub fn endpoint_connections(w: &World) -> Value {
    let items: Vec<Value> = w.endpoints().ids().filter_map(|i| connection(w, i)).collect();
    json!({"VpcEndpointConnections": items})
}

/// describe-vpc-endpoint-service-permissions.
pub fn service_permissions(w: &World, svc: ServiceId) -> Value {
    let p: Vec<Value> = w[svc]
        .allowed_principals
        .iter()
        .map(|p| json!({"PrincipalType": if p == "*" { "All" } else { "Account" }, "Principal": p}))
        .collect();
    json!({"AllowedPrincipals": p})
}

/// describe-target-groups (live ones).
pub fn target_groups(w: &World) -> Value {
    let items: Vec<Value> = w
        .target_groups()
        .live()
        .map(|(tg, g)| {
            let hc = &g.health_check;
            let mut v = json!({
                "TargetGroupArn": g.arn, "TargetGroupName": g.name, "Protocol": g.protocol.as_str(), "Port": g.port,
                "VpcId": w[g.vpc].aws_id, "HealthCheckProtocol": hc.protocol.as_str(),
                "HealthCheckPort": hc.port.map_or("traffic-port".to_string(), |p| p.to_string()),
                "HealthCheckEnabled": true, "HealthCheckIntervalSeconds": hc.interval_s,
                "HealthyThresholdCount": hc.healthy_threshold,
                "UnhealthyThresholdCount": hc.unhealthy_threshold,
                "LoadBalancerArns": w.load_balancers_of(tg).iter().map(|l| w[l].arn.clone()).collect::<Vec<_>>(),
                "TargetType": match g.target_type { TargetType::Instance => "instance", TargetType::Ip => "ip" },
                "IpAddressType": "ipv4",
            });
            // L10: an HTTP(S) check's path and matcher, as the CLI shows them.
            if hc.protocol != HealthCheckProtocol::Tcp {
                v["HealthCheckPath"] = json!(hc.path);
                v["Matcher"] = json!({"HttpCode": hc.matcher.to_string()});
            }
            v
        })
        .collect();
    json!({"TargetGroups": items})
}

/// describe-target-group-attributes: the attributes vpcsim models (L7, L11, L12).
pub fn target_group_attributes(w: &World, tg: TargetGroupId) -> Value {
    let g = &w[tg];
    let items: Vec<Value> = TargetGroupAttribute::KEYS
        .iter()
        .filter_map(|k| g.attribute(k).map(|v| json!({"Key": k, "Value": v})))
        .collect();
    json!({"Attributes": items})
}

/// describe-listeners (live ones).
pub fn listeners(w: &World) -> Value {
    let items: Vec<Value> = w
        .listeners()
        .values()
        .filter(|l| !l.deleted)
        .map(|l| {
            let actions: Vec<Value> = l
                .target_group
                .map(|t| json!({"Type": "forward", "TargetGroupArn": w[t].arn}))
                .into_iter()
                .collect();
            json!({"ListenerArn": l.arn, "LoadBalancerArn": w[l.lb].arn, "Port": l.port, "Protocol": l.protocol.as_str(), "DefaultActions": actions})
        })
        .collect();
    json!({"Listeners": items})
}

/// allocate-address's answer for a new Elastic IP.
pub fn allocated_address(w: &World, eip: EipId) -> Value {
    let a = &w[eip];
    json!({"PublicIp": a.public_ip.to_string(), "AllocationId": a.allocation_id, "PublicIpv4Pool": "amazon", "NetworkBorderGroup": w.region().name, "Domain": "vpc"})
}
