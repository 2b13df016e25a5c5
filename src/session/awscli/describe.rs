//! The read-only calls: each builds its answer from [`crate::describe`] and narrows
//! it by ids, names and `--filters`; none changes the world.

use serde_json::{json, Value};

use super::Answer;
use crate::command::aws::filter::Filter;
use crate::command::aws::request::{DescribeEc2, TargetText};
use crate::command::aws::Request;
use crate::describe as j;
use crate::describe::filter::{self as f, apply, only, FilterSet};
use crate::error::ApiError;
use crate::world::World;

/// The answer of a read-only call, or `None` for a call that changes the world.
pub fn answer(w: &World, op: &str, request: &Request) -> Option<Answer> {
    use Request as R;
    Some(match request {
        R::Describe { what, ids, names, filters } => ec2(w, op, *what, ids, names, filters),
        R::DescribeVpcEndpoints { ids, filters } => {
            let not_found = |id: &str| {
                ("InvalidVpcEndpointId.NotFound", format!("The Vpc Endpoint Id '{id}' does not exist"))
            };
            narrow(op, j::vpc_endpoints(w), &f::VPC_ENDPOINTS, "VpcEndpointId", ids, filters, not_found)
        }
        R::DescribeNatGateways { ids, filters } => {
            let not_found = |id: &str| ("NatGatewayNotFound", format!("NAT gateway {id} was not found"));
            narrow(op, j::nat_gateways(w), &f::NAT_GATEWAYS, "NatGatewayId", ids, filters, not_found)
        }
        R::DescribeVpcEndpointServiceConfigurations { ids, filters } => {
            let not_found = |id: &str| {
                (
                    "InvalidVpcEndpointServiceId.NotFound",
                    format!("The Vpc Endpoint Service Id '{id}' does not exist"),
                )
            };
            narrow(op, j::services(w), &f::SERVICE_CONFIGURATIONS, "ServiceId", ids, filters, not_found)
        }
        R::DescribeVpcEndpointServices { names, filters } => endpoint_services(w, op, names, filters),
        R::DescribeVpcEndpointConnections { filters } => {
            narrow(op, j::endpoint_connections(w), &f::ENDPOINT_CONNECTIONS, "", &[], filters, |_| {
                unreachable_id()
            })
        }
        R::DescribeVpcEndpointServicePermissions { service_id, filters } => {
            w.service_id(op, service_id).and_then(|svc| {
                narrow(op, j::service_permissions(w, svc), &f::SERVICE_PERMISSIONS, "", &[], filters, |_| {
                    unreachable_id()
                })
            })
        }
        R::DescribePrefixLists { managed, ids, filters } => {
            let not_found = |id: &str| {
                ("InvalidPrefixListID.NotFound", format!("The prefix list ID '{id}' does not exist"))
            };
            let (doc, set) = if *managed {
                (j::managed_prefix_lists(w), &f::MANAGED_PREFIX_LISTS)
            } else {
                (j::prefix_lists(w), &f::PREFIX_LISTS)
            };
            narrow(op, doc, set, "PrefixListId", ids, filters, not_found)
        }
        R::GetManagedPrefixListEntries { id } => {
            w.prefix_list_id(op, id).map(|pl| j::prefix_list_entries(w, pl))
        }
        R::DescribeVpcPeeringConnections { ids, filters } => {
            let not_found = |id: &str| {
                (
                    "InvalidVpcPeeringConnectionID.NotFound",
                    format!("The vpcPeeringConnection ID '{id}' does not exist"),
                )
            };
            narrow(
                op,
                j::vpc_peering_connections(w),
                &f::VPC_PEERING_CONNECTIONS,
                "VpcPeeringConnectionId",
                ids,
                filters,
                not_found,
            )
        }
        R::DescribeTargetHealth { target_group_arn, targets } => {
            target_health(w, op, target_group_arn, targets)
        }
        R::DescribeLoadBalancers { arns, names } => load_balancers(w, op, arns, names),
        R::DescribeTargetGroups { arns, names, load_balancer_arn } => {
            target_groups(w, op, arns, names, load_balancer_arn.as_deref())
        }
        R::DescribeListeners { load_balancer_arn, arns } => {
            listeners(w, op, load_balancer_arn.as_deref(), arns)
        }
        R::DescribeTargetGroupAttributes { target_group_arn } => {
            w.target_group_id(op, target_group_arn).map(|tg| crate::describe::target_group_attributes(w, tg))
        }
        R::DescribeAutoScalingGroups { names } => Ok(crate::describe::auto_scaling_groups(w, names)),
        R::DescribeVpcEndpointConnectionNotifications { id } => {
            super::connection_notification::describe(w, op, id.as_deref())
        }
        R::PublishedMessages { topic_arn } => Ok(j::published_messages(w, topic_arn.as_deref())),
        R::DescribeLaunchTemplates { ids, names } => crate::describe::launch_templates(w, op, ids, names),
        _ => return None,
    })
}

fn unreachable_id() -> (&'static str, String) {
    ("InvalidParameterValue", String::new())
}

/// The items of `doc` with the wanted ids, then those every filter matches.
fn narrow(
    op: &str,
    mut doc: Value,
    set: &FilterSet,
    id_field: &str,
    ids: &[String],
    filters: &[Filter],
    not_found: impl Fn(&str) -> (&'static str, String),
) -> Answer {
    only(op, &mut doc, set.key, id_field, ids, not_found)?;
    apply(op, set, filters, &mut doc)?;
    Ok(doc)
}

fn ec2(
    w: &World,
    op: &str,
    what: DescribeEc2,
    ids: &[String],
    names: &[String],
    filters: &[Filter],
) -> Answer {
    let (doc, set, field, code, noun) = match what {
        DescribeEc2::Vpcs => (j::vpcs(w), &f::VPCS, "VpcId", "InvalidVpcID.NotFound", "vpc ID"),
        DescribeEc2::Subnets => {
            (j::subnets(w), &f::SUBNETS, "SubnetId", "InvalidSubnetID.NotFound", "subnet ID")
        }
        DescribeEc2::RouteTables => (
            j::route_tables(w),
            &f::ROUTE_TABLES,
            "RouteTableId",
            "InvalidRouteTableID.NotFound",
            "route table ID",
        ),
        DescribeEc2::SecurityGroups => {
            (j::security_groups(w), &f::SECURITY_GROUPS, "GroupId", "InvalidGroup.NotFound", "security group")
        }
        DescribeEc2::Instances => return instances(w, op, ids, filters),
        DescribeEc2::NetworkInterfaces => (
            j::network_interfaces(w),
            &f::NETWORK_INTERFACES,
            "NetworkInterfaceId",
            "InvalidNetworkInterfaceID.NotFound",
            "network interface ID",
        ),
        DescribeEc2::NetworkAcls => (
            j::network_acls(w),
            &f::NETWORK_ACLS,
            "NetworkAclId",
            "InvalidNetworkAclID.NotFound",
            "networkAcl ID",
        ),
        DescribeEc2::EgressOnlyInternetGateways => (
            j::ipv6::egress_only_internet_gateways(w),
            &f::EGRESS_ONLY_INTERNET_GATEWAYS,
            "EgressOnlyInternetGatewayId",
            "InvalidEgressOnlyInternetGatewayId.NotFound",
            "egress-only internet gateway ID",
        ),
        DescribeEc2::InternetGateways => (
            j::internet_gateways(w),
            &f::INTERNET_GATEWAYS,
            "InternetGatewayId",
            "InvalidInternetGatewayID.NotFound",
            "internetGateway ID",
        ),
    };
    let mut doc =
        narrow(op, doc, set, field, ids, filters, |id| (code, format!("The {noun} '{id}' does not exist")))?;
    only(op, &mut doc, set.key, "GroupName", names, |n| {
        ("InvalidGroup.NotFound", format!("The security group '{n}' does not exist"))
    })?;
    Ok(doc)
}

/// describe-instances: `--instance-ids` must all exist (terminated ones included, as AWS lists them).
fn instances(w: &World, op: &str, ids: &[String], filters: &[Filter]) -> Answer {
    let mut wanted = Vec::new();
    for id in ids {
        wanted.push(w.instance(w.instance_id(op, id)?).aws_id.clone());
    }
    let mut doc = j::instances(w);
    if let Some(items) = doc["Reservations"].as_array_mut() {
        items
            .retain(|r| wanted.is_empty() || wanted.iter().any(|id| r["Instances"][0]["InstanceId"] == **id));
    }
    apply(op, &f::INSTANCES, filters, &mut doc)?;
    Ok(doc)
}

/// describe-vpc-endpoint-services: names and filters narrow the details; the names list follows them.
fn endpoint_services(w: &World, op: &str, names: &[String], filters: &[Filter]) -> Answer {
    let mut doc = j::endpoint_services(w);
    let not_found =
        |n: &str| ("InvalidServiceName", format!("The Vpc Endpoint Service '{n}' does not exist"));
    only(op, &mut doc, "ServiceDetails", "ServiceName", names, not_found)?;
    apply(op, &f::ENDPOINT_SERVICES, filters, &mut doc)?;
    let details = doc["ServiceDetails"].as_array().cloned().unwrap_or_default();
    Ok(j::with_service_names(details))
}

/// describe-target-health: `--targets` narrows to those targets; one not registered is `unused`.
fn target_health(w: &World, op: &str, arn: &str, targets: &[TargetText]) -> Answer {
    let tg = w.target_group_id(op, arn)?;
    let mut doc = j::target_health(w, tg);
    if targets.is_empty() {
        return Ok(doc);
    }
    let all = doc["TargetHealthDescriptions"].as_array().cloned().unwrap_or_default();
    let mut out = Vec::new();
    for t in targets {
        let found: Vec<Value> = all
            .iter()
            .filter(|d| d["Target"]["Id"] == *t.id && t.port.is_none_or(|p| d["Target"]["Port"] == p))
            .cloned()
            .collect();
        if found.is_empty() {
            let mut target = json!({"Id": t.id});
            if let Some(p) = t.port {
                target["Port"] = json!(p);
            }
            out.push(json!({"Target": target, "TargetHealth": {"State": "unused", "Reason": "Target.NotRegistered", "Description": "Target is not registered to the target group"}}));
        }
        out.extend(found);
    }
    doc["TargetHealthDescriptions"] = Value::Array(out);
    Ok(doc)
}

fn load_balancers(w: &World, op: &str, arns: &[String], names: &[String]) -> Answer {
    if !arns.is_empty() && !names.is_empty() {
        return Err(ApiError::new(
            op,
            "ValidationError",
            "Load balancer names and load balancer ARNs cannot be specified at the same time",
        ));
    }
    let mut doc = j::load_balancers(w);
    only(op, &mut doc, "LoadBalancers", "LoadBalancerArn", arns, |a| {
        ("LoadBalancerNotFound", format!("Load balancers '[{a}]' not found"))
    })?;
    only(op, &mut doc, "LoadBalancers", "LoadBalancerName", names, |n| {
        ("LoadBalancerNotFound", format!("Load balancers '[{n}]' not found"))
    })?;
    Ok(doc)
}

fn target_groups(w: &World, op: &str, arns: &[String], names: &[String], lb: Option<&str>) -> Answer {
    if [!arns.is_empty(), !names.is_empty(), lb.is_some()].iter().filter(|x| **x).count() > 1 {
        return Err(ApiError::new(
            op,
            "ValidationError",
            "Give only one of --target-group-arns, --names and --load-balancer-arn",
        ));
    }
    let mut doc = j::target_groups(w);
    let not_found = |_: &str| ("TargetGroupNotFound", "One or more target groups not found".to_string());
    only(op, &mut doc, "TargetGroups", "TargetGroupArn", arns, not_found)?;
    only(op, &mut doc, "TargetGroups", "TargetGroupName", names, not_found)?;
    if let Some(arn) = lb {
        w.lb_id(op, arn)?;
        if let Some(items) = doc["TargetGroups"].as_array_mut() {
            items.retain(|g| g["LoadBalancerArns"].as_array().is_some_and(|a| a.iter().any(|x| x == arn)));
        }
    }
    Ok(doc)
}

fn listeners(w: &World, op: &str, lb: Option<&str>, arns: &[String]) -> Answer {
    let mut doc = j::listeners(w);
    match (lb, arns.is_empty()) {
        (Some(_), false) => {
            return Err(ApiError::new(
                op,
                "ValidationError",
                "Listener ARNs and a load balancer ARN cannot be specified at the same time",
            ))
        }
        (None, true) => {
            return Err(ApiError::new(
                op,
                "ValidationError",
                "You must specify either listener ARNs or a load balancer ARN",
            ))
        }
        (Some(arn), true) => {
            w.lb_id(op, arn)?;
            if let Some(items) = doc["Listeners"].as_array_mut() {
                items.retain(|l| l["LoadBalancerArn"] == arn);
            }
        }
        (None, false) => only(op, &mut doc, "Listeners", "ListenerArn", arns, |a| {
            ("ListenerNotFound", format!("One or more listeners not found: {a}"))
        })?,
    }
    Ok(doc)
}
