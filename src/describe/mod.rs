//! The AWS CLI's JSON for a world's resources, as `aws ec2 describe-...` and
//! `aws elbv2 describe-...` print them: field names, nesting and order as the CLI
//! does. `vpcsim describe` prints these, `aws ... describe-*` steps return them
//! (narrowed by ids and [`filter`]s), and `${saved...}` lookups read them.
//!
//! Everything here reads the [`World`] and changes nothing: ids that AWS would
//! invent for a describe call (association ids, reservation ids) are derived from
//! the resource's own id, so the same world always prints the same bytes.
//!
//! ```
//! let lab = vpcsim::lab::Lab::build(Default::default()).unwrap();
//! let v = vpcsim::describe::vpcs(&lab.world);
//! assert_eq!(v["Vpcs"][0]["CidrBlock"], "10.0.0.0/16");
//! ```

use serde_json::{json, Value};

mod autoscaling;
pub mod cloudformation;
mod connection_notification;
pub mod filter;
pub mod flow_log;
pub mod insights;
pub mod ipv6;
mod more;
mod nacl;
mod nat;
mod peering;
mod prefix_list;
pub mod s3;

pub use autoscaling::{auto_scaling_groups, launch_template, launch_templates, run_instances};
pub use connection_notification::{connection_notification, connection_notifications, published_messages};
pub use flow_log::{flow_log, flow_logs};

pub use more::*;
pub use nacl::network_acls;
pub use nat::{nat_gateway, nat_gateways};
pub use peering::*;
pub use prefix_list::*;

use crate::ids::*;
use crate::model::nlb::{CheckFailure, HealthState, Target};
use crate::model::route_table::RouteTarget;
use crate::model::security_group::{Peer, SgRule};
use crate::model::vpc_endpoint::ServiceRef;
use crate::model::Tags;
use crate::world::World;

/// What `vpcsim describe` can print, named as its argument is.
pub const WHAT: [&str; 11] = [
    "vpcs",
    "subnets",
    "route-tables",
    "security-groups",
    "network-acls",
    "instances",
    "load-balancers",
    "target-health",
    "vpc-endpoints",
    "vpc-endpoint-services",
    "egress-only-internet-gateways",
];

/// The JSON of one describe call by its `vpcsim describe` name (`route-tables`, ...), or `None` for an unknown name.
pub fn by_name(w: &World, what: &str) -> Option<Value> {
    Some(match what {
        "vpcs" => vpcs(w),
        "subnets" => subnets(w),
        "route-tables" => route_tables(w),
        "security-groups" => security_groups(w),
        "network-acls" => network_acls(w),
        "instances" => instances(w),
        "load-balancers" => load_balancers(w),
        "target-health" => all_target_health(w),
        "vpc-endpoints" => vpc_endpoints(w),
        "vpc-endpoint-services" => services(w),
        "egress-only-internet-gateways" => ipv6::egress_only_internet_gateways(w),
        _ => return None,
    })
}

/// Every describe call's top-level fields merged into one document, in [`WHAT`]'s order.
pub fn everything(w: &World) -> Value {
    let mut all = serde_json::Map::new();
    for what in WHAT {
        if let Some(Value::Object(m)) = by_name(w, what) {
            all.extend(m);
        }
    }
    Value::Object(all)
}

/// JSON with four-space indentation, as the AWS CLI prints it, written into one buffer
/// sized for the document up front (a large document is not copied as it grows).
pub fn pretty(v: &Value) -> String {
    let mut buf = Vec::with_capacity(pretty_size_hint(v, 0) + 1);
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    serde::Serialize::serialize(v, &mut ser).expect("JSON values serialise");
    String::from_utf8(buf).expect("serde_json writes UTF-8")
}

/// About how many bytes [`pretty`] writes for `v` at nesting `depth`: its text and each
/// line's indentation, a little over for escapes and numbers.
fn pretty_size_hint(v: &Value, depth: usize) -> usize {
    let line = 4 * (depth + 1) + 4;
    match v {
        Value::Null | Value::Bool(_) => 5,
        Value::Number(_) => 20,
        Value::String(s) => s.len() + 2 + s.len() / 8,
        Value::Array(a) => line + a.iter().map(|x| line + pretty_size_hint(x, depth + 1)).sum::<usize>(),
        Value::Object(m) => {
            line + m.iter().map(|(k, x)| line + k.len() + 4 + pretty_size_hint(x, depth + 1)).sum::<usize>()
        }
    }
}

/// Virtual time as an ISO timestamp, as the CLI prints creation times.
pub fn timestamp(ms: u64) -> String {
    let secs = crate::apps::EPOCH_UNIX + (ms / 1000) as i64;
    let fmt = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].000Z");
    time::OffsetDateTime::from_unix_timestamp(secs).ok().and_then(|t| t.format(&fmt).ok()).unwrap_or_default()
}

/// Tags as the CLI prints them: `[{"Key": ..., "Value": ...}]`.
pub fn tags(t: &Tags) -> Value {
    Value::Array(t.iter().map(|(k, v)| json!({"Key": k, "Value": v})).collect())
}

/// An id AWS would invent for a describe call, derived from `id`'s hex part (`vpc-0a1b...` to `prefix-0a1b...`).
fn derived(prefix: &str, id: &str) -> String {
    format!("{prefix}-{}", id.rsplit('-').next().unwrap_or(id))
}

/// describe-vpcs.
pub fn vpcs(w: &World) -> Value {
    let items: Vec<Value> = w
        .vpcs()
        .values()
        .filter(|v| !v.deleted)
        .map(|v| {
            let mut item = json!({
                "CidrBlock": v.cidr.to_string(),
                "State": "available",
                "VpcId": v.aws_id,
                "OwnerId": w.account_id(),
                "InstanceTenancy": "default",
                "CidrBlockAssociationSet": cidr_associations(v),
                "DhcpOptionsId": v.dhcp_options.map_or("default", |d| w[d].aws_id.as_str()),
                "IsDefault": false,
                "Tags": tags(&v.tags),
            });
            if !v.ipv6_cidrs.is_empty() {
                item["Ipv6CidrBlockAssociationSet"] = ipv6::vpc_associations(w, v);
            }
            item
        })
        .collect();
    json!({"Vpcs": items})
}

/// associate-vpc-cidr-block's answer (A1): the new association, `associating` as AWS
/// first reports it (vpcsim associates at once; describe-vpcs shows `associated`).
pub fn vpc_cidr_association(w: &World, vpc: crate::ids::VpcId, association_id: &str) -> Value {
    let v = &w[vpc];
    let cidr =
        v.secondary_cidrs.iter().find(|a| a.association_id == association_id).map(|a| a.cidr.to_string());
    json!({
        "CidrBlockAssociation": {
            "AssociationId": association_id,
            "CidrBlock": cidr,
            "CidrBlockState": {"State": "associating"},
        },
        "VpcId": v.aws_id,
    })
}

/// A1: a VPC's `CidrBlockAssociationSet`, the primary block first.
fn cidr_associations(v: &crate::model::vpc::Vpc) -> Vec<Value> {
    let primary = (crate::ops::vpc_cidr::primary_association_id(&v.aws_id), v.cidr);
    let secondary = v.secondary_cidrs.iter().map(|a| (a.association_id.clone(), a.cidr));
    std::iter::once(primary)
        .chain(secondary)
        .map(|(id, cidr)| {
            json!({
                "AssociationId": id,
                "CidrBlock": cidr.to_string(),
                "CidrBlockState": {"State": "associated"},
            })
        })
        .collect()
}

/// describe-dhcp-options (Z2).
pub fn dhcp_options(w: &World) -> Value {
    let items: Vec<Value> = w
        .dhcp_options()
        .live()
        .map(|(_, d)| {
            let configurations: Vec<Value> = d
                .configurations()
                .into_iter()
                .map(|(key, values)| {
                    let values: Vec<Value> = values.into_iter().map(|v| json!({"Value": v})).collect();
                    json!({"Key": key, "Values": values})
                })
                .collect();
            json!({
                "DhcpConfigurations": configurations,
                "DhcpOptionsId": d.aws_id,
                "OwnerId": w.account_id(),
                "Tags": tags(&d.tags),
            })
        })
        .collect();
    json!({"DhcpOptions": items})
}

/// describe-subnets (`AvailableIpAddressCount`: usable addresses less the interfaces in the subnet, A2).
pub fn subnets(w: &World) -> Value {
    // One pass over the interfaces, not one per subnet: describe stays linear in the world.
    let mut used: rustc_hash::FxHashMap<SubnetId, u64> = Default::default();
    for e in w.enis().values().filter(|e| !e.deleted) {
        *used.entry(e.subnet).or_default() += 1;
    }
    let items: Vec<Value> = w
        .subnets()
        .live()
        .map(|(i, s)| {
            let used = used.get(&i).copied().unwrap_or(0);
            json!({
                "AvailabilityZone": s.az,
                "AvailabilityZoneId": w.region().az_id(s.az),
                "AvailableIpAddressCount": s.usable().saturating_sub(used),
                "CidrBlock": s.cidr.to_string(),
                "DefaultForAz": false,
                "MapPublicIpOnLaunch": s.map_public_ip_on_launch,
                "State": "available",
                "SubnetId": s.aws_id,
                "VpcId": w[s.vpc].aws_id,
                "OwnerId": w.account_id(),
                "AssignIpv6AddressOnCreation": s.assign_ipv6_on_creation,
                "Ipv6CidrBlockAssociationSet": ipv6::subnet_associations(s),
                "Tags": tags(&s.tags),
                "SubnetArn": format!("arn:aws:ec2:{}:{}:subnet/{}", w.region().name, w.account_id(), s.aws_id),
            })
        })
        .collect();
    json!({"Subnets": items})
}

/// A route's target under the field the CLI uses for its kind.
fn route_target_field(w: &World, t: &RouteTarget) -> (&'static str, String) {
    let field = match t {
        RouteTarget::Local | RouteTarget::Igw(_) | RouteTarget::GatewayEndpoint(_) => "GatewayId",
        RouteTarget::Eni(_) => "NetworkInterfaceId",
        RouteTarget::Instance(_) => "InstanceId",
        RouteTarget::Nat(_) => "NatGatewayId",
        RouteTarget::Pcx(_) => "VpcPeeringConnectionId",
        RouteTarget::Tgw(_) => "TransitGatewayId",
    };
    (field, w.route_target_id(t))
}

/// describe-route-tables: routes with their state (R5) and associations (R1).
pub fn route_tables(w: &World) -> Value {
    use crate::model::route_table::RouteOrigin;
    // The subnets associated with each table, in one pass over the subnets.
    let mut associated: rustc_hash::FxHashMap<RouteTableId, Vec<SubnetId>> = Default::default();
    for (id, s) in w.subnets().live() {
        if let Some(t) = s.route_table {
            associated.entry(t).or_default().push(id);
        }
    }
    let items: Vec<Value> = w
        .route_tables()
        .live()
        .map(|(id, t)| {
            let mut lists_seen = Vec::new();
            let routes: Vec<Value> = t
                .routes
                .iter()
                // E1/E5: a prefix-list route is one route per entry inside; AWS lists it once.
                .filter(|r| {
                    r.prefix_list.is_none_or(|pl| {
                        !lists_seen.contains(&pl) && {
                            lists_seen.push(pl);
                            true
                        }
                    })
                })
                .map(|r| {
                    let (field, target) = route_target_field(w, &r.target);
                    let origin = match r.origin {
                        RouteOrigin::CreateRouteTable => "CreateRouteTable",
                        RouteOrigin::CreateRoute => "CreateRoute",
                    };
                    let state = if w.route_is_active(id, &r.target) { "active" } else { "blackhole" };
                    let mut v = match r.prefix_list {
                        Some(pl) => json!({"DestinationPrefixListId": w[pl].aws_id}),
                        None => json!({"DestinationCidrBlock": r.destination.to_string()}),
                    };
                    v[field] = json!(target);
                    v["Origin"] = json!(origin);
                    v["State"] = json!(state);
                    v
                })
                .chain(t.ipv6_routes.iter().map(|r| ipv6::route(w, id, r)))
                .collect();
            json!({
                "Associations": associations(w, id, associated.get(&id).map_or(&[], Vec::as_slice)),
                "PropagatingVgws": [],
                "RouteTableId": t.aws_id,
                "Routes": routes,
                "Tags": tags(&t.tags),
                "VpcId": w[t.vpc].aws_id,
                "OwnerId": w.account_id(),
            })
        })
        .collect();
    json!({"RouteTables": items})
}

fn associations(w: &World, id: RouteTableId, subnets: &[SubnetId]) -> Vec<Value> {
    let t = &w[id];
    let mut out = Vec::new();
    if t.main {
        out.push(json!({
            "Main": true,
            "RouteTableAssociationId": derived("rtbassoc", &t.aws_id),
            "RouteTableId": t.aws_id,
            "AssociationState": {"State": "associated"},
        }));
    }
    for s in subnets.iter().map(|s| &w[s]) {
        out.push(json!({
            "Main": false,
            "RouteTableAssociationId": s.route_table_association_id.clone().unwrap_or_else(|| derived("rtbassoc", &s.aws_id)),
            "RouteTableId": t.aws_id,
            "SubnetId": s.aws_id,
            "AssociationState": {"State": "associated"},
        }));
    }
    out
}

/// One security group rule as an `IpPermissions` item.
fn permission(w: &World, r: &SgRule) -> Value {
    let mut v = json!({"IpProtocol": r.protocol.as_str()});
    if r.protocol != crate::addr::RuleProtocol::All {
        v["FromPort"] = json!(r.ports.from);
        v["ToPort"] = json!(r.ports.to);
    }
    let (mut ranges, mut groups, mut lists) = (vec![], vec![], vec![]);
    match &r.peer {
        Peer::Cidr(c) => ranges.push(json!({"CidrIp": c.to_string()})),
        Peer::Group(g) => groups.push(json!({"GroupId": w[g].aws_id, "UserId": w.account_id()})),
        Peer::PrefixList(p) => lists.push(json!({"PrefixListId": w[p].aws_id})),
    }
    if let (Some(d), Some(first)) = (&r.description, ranges.first_mut().or(groups.first_mut())) {
        first["Description"] = json!(d);
    }
    v["IpRanges"] = json!(ranges);
    v["Ipv6Ranges"] = json!([]);
    v["PrefixListIds"] = json!(lists);
    v["UserIdGroupPairs"] = json!(groups);
    v
}

/// describe-security-groups.
pub fn security_groups(w: &World) -> Value {
    let items: Vec<Value> = w
        .sgs()
        .values()
        .filter(|g| !g.deleted)
        .map(|g| {
            json!({
                "Description": g.description,
                "GroupName": g.name,
                "IpPermissions": g.ingress.iter().map(|r| permission(w, r)).chain(g.ipv6_ingress.iter().map(ipv6::permission)).collect::<Vec<_>>(),
                "OwnerId": w.account_id(),
                "GroupId": g.aws_id,
                "IpPermissionsEgress": g.egress.iter().map(|r| permission(w, r)).chain(g.ipv6_egress.iter().map(ipv6::permission)).collect::<Vec<_>>(),
                "Tags": tags(&g.tags),
                "VpcId": w[g.vpc].aws_id,
            })
        })
        .collect();
    json!({"SecurityGroups": items})
}

/// A host name of an address, `PREFIX-10-0-0-5.SUFFIX`, as EC2 names instances.
fn host_name(prefix: &str, ip: std::net::Ipv4Addr, suffix: &str) -> String {
    let [a, b, c, d] = ip.octets();
    format!("{prefix}-{a}-{b}-{c}-{d}.{suffix}")
}

/// The launch and creation time the CLI shows for resources vpcsim does not date: the epoch.
fn epoch_timestamp() -> String {
    static EPOCH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    EPOCH.get_or_init(|| timestamp(0)).clone()
}

/// describe-instances: one reservation per instance.
pub fn instances(w: &World) -> Value {
    let items: Vec<Value> = w.instances().ids().map(|i| instance(w, i)).collect();
    json!({"Reservations": items})
}

fn instance(w: &World, id: InstanceId) -> Value {
    let i = &w[id];
    let eni = &w[i.eni];
    let subnet = &w[eni.subnet];
    let vpc = &w[eni.vpc];
    let groups: Vec<Value> =
        eni.groups.iter().map(|g| json!({"GroupName": w[g].name, "GroupId": w[g].aws_id})).collect();
    let public = w.public_ip_of(i.eni);
    let public_dns = match public {
        Some(p) if vpc.dns_hostnames => host_name("ec2", p, &w.region().public_suffix()),
        _ => String::new(),
    };
    let mut v = json!({
        "AmiLaunchIndex": 0,
        "ImageId": &*i.image_id,
        "InstanceId": i.aws_id,
        "InstanceType": &*i.instance_type,
    });
    if let Some(k) = &i.key_name {
        v["KeyName"] = json!(k);
    }
    v["LaunchTime"] = json!(epoch_timestamp());
    v["Placement"] = json!({"AvailabilityZone": subnet.az, "GroupName": "", "Tenancy": "default"});
    v["PrivateDnsName"] = json!(host_name("ip", eni.private_ip, &w.region().internal_suffix()));
    v["PrivateIpAddress"] = json!(eni.private_ip.to_string());
    v["PublicDnsName"] = json!(public_dns);
    if let Some(p) = public {
        v["PublicIpAddress"] = json!(p.to_string());
    }
    v["State"] = json!({"Code": i.state.code(), "Name": i.state.as_str()});
    v["SubnetId"] = json!(subnet.aws_id);
    v["VpcId"] = json!(vpc.aws_id);
    v["NetworkInterfaces"] = json!(i.enis().map(|x| instance_interface(w, x)).collect::<Vec<_>>());
    v["SecurityGroups"] = json!(groups);
    v["SourceDestCheck"] = json!(eni.source_dest_check);
    v["Tags"] = tags(&i.tags);
    v["MetadataOptions"] = metadata_options(i.metadata_options, "applied");
    json!({
        "Groups": [],
        "Instances": [v],
        "OwnerId": w.account_id(),
        "ReservationId": derived("r", &i.aws_id),
    })
}

/// One of an instance's interfaces in describe-instances, with its attachment (M4).
fn instance_interface(w: &World, id: EniId) -> Value {
    let e = &w[id];
    let mut v = json!({
        "NetworkInterfaceId": e.aws_id,
        "PrivateIpAddress": e.private_ip.to_string(),
        "SubnetId": w[e.subnet].aws_id,
        "VpcId": w[e.vpc].aws_id,
        "Groups": e.groups.iter().map(|g| json!({"GroupName": w[g].name, "GroupId": w[g].aws_id})).collect::<Vec<_>>(),
        "SourceDestCheck": e.source_dest_check,
        "Status": "in-use",
    });
    if let Some(p) = w.public_ip_of(id) {
        v["Association"] = json!({"PublicIp": p.to_string(), "IpOwnerId": "amazon"});
    }
    v["PrivateIpAddresses"] = more::private_ip_addresses(w, id);
    if let Some(a) = more::interface_attachment(w, id) {
        v["Attachment"] = a;
    }
    v
}

/// describe-load-balancers (live ones).
pub fn load_balancers(w: &World) -> Value {
    let items: Vec<Value> = w.lbs().live().map(|(i, _)| load_balancer(w, i)).collect();
    json!({"LoadBalancers": items})
}

/// describe-target-health of every live target group, one after the other.
pub fn all_target_health(w: &World) -> Value {
    let mut items = Vec::new();
    for (i, _) in w.target_groups().live() {
        if let Value::Array(a) = target_health(w, i)["TargetHealthDescriptions"].take() {
            items.extend(a);
        }
    }
    json!({"TargetHealthDescriptions": items})
}

/// describe-vpc-endpoints (every endpoint, deleted ones included as AWS lists them for a while).
pub fn vpc_endpoints(w: &World) -> Value {
    let mut items: Vec<Value> = w.endpoints().ids().map(|i| endpoint(w, i)).collect();
    items.extend(w.gateway_endpoints().live().map(|(g, _)| gateway_endpoint(w, g)));
    json!({"VpcEndpoints": items})
}

/// describe-vpc-endpoint-service-configurations.
pub fn services(w: &World) -> Value {
    let items: Vec<Value> = w.services().ids().map(|i| service(w, i)).collect();
    json!({"ServiceConfigurations": items})
}

/// A VPC endpoint (`VpcEndpoint` of create-vpc-endpoint, an item of describe-vpc-endpoints).
pub fn endpoint(w: &World, ep: EndpointId) -> Value {
    let e = &w[ep];
    let mut dns: Vec<Value> = w
        .endpoint_dns_names(ep)
        .into_iter()
        .map(|n| json!({"DnsName": n, "HostedZoneId": "Z27UANNT0PRK1T"}))
        .collect();
    if let Some(name) = private_dns_entry(w, ep) {
        // P9, P13: the private name comes last, in the endpoint's own private hosted zone.
        let zone = crate::ops::prefix_list::stable_hash(&e.aws_id);
        dns.push(json!({"DnsName": name, "HostedZoneId": format!("Z{zone:020X}")}));
    }
    json!({
        "VpcEndpointId": e.aws_id,
        "VpcEndpointType": "Interface",
        "VpcId": w[e.vpc].aws_id,
        "ServiceName": w.endpoint_service_name(e.service),
        "State": e.state.as_str(),
        "RouteTableIds": [],
        "SubnetIds": e.subnets.iter().map(|s| w[s].aws_id.clone()).collect::<Vec<_>>(),
        "Groups": e.groups.iter().map(|g| json!({"GroupId": w[g].aws_id, "GroupName": w[g].name})).collect::<Vec<_>>(),
        "IpAddressType": "ipv4",
        "PrivateDnsEnabled": e.private_dns_enabled,
        "RequesterManaged": false,
        "NetworkInterfaceIds": e.enis.iter().map(|x| w[x].aws_id.clone()).collect::<Vec<_>>(),
        "DnsEntries": dns,
        "CreationTimestamp": timestamp(e.created_ms),
        "OwnerId": w.account_id(),
    })
}

/// P9, P13: the private DNS name an endpoint answers inside its VPC, if it answers one.
fn private_dns_entry(w: &World, ep: EndpointId) -> Option<String> {
    let e = &w[ep];
    let answers = match e.service {
        ServiceRef::Provider(_) => true,
        ServiceRef::Aws(a) => a.answers_privately(),
    };
    let name = w.endpoint_private_dns_name(e.service).filter(|_| e.private_dns_enabled && answers)?;
    Some(name.into_owned())
}

/// An endpoint service configuration.
pub fn service(w: &World, svc: ServiceId) -> Value {
    let s = &w[svc];
    let mut v = json!({
        "ServiceType": [{"ServiceType": "Interface"}],
        "ServiceId": s.service_id,
        "ServiceName": s.service_name,
        "ServiceState": s.state.as_str(),
        "AvailabilityZones": w.service_azs(svc),
        "AcceptanceRequired": s.acceptance_required,
        "ManagesVpcEndpoints": false,
        "NetworkLoadBalancerArns": s.nlbs.iter().map(|l| w[l].arn.clone()).collect::<Vec<_>>(),
        "SupportedIpAddressTypes": ["ipv4"],
        "BaseEndpointDnsNames": [s.base_dns_name],
    });
    if let Some(p) = &s.private_dns {
        v["PrivateDnsName"] = json!(p.name);
        v["PrivateDnsNameConfiguration"] = json!({
            "State": p.state(w.now_ms()).as_str(),
            "Type": "TXT",
            "Value": p.txt_value,
            "Name": p.txt_name,
        });
    }
    v
}

/// An endpoint connection, as describe-vpc-endpoint-connections lists it: only an endpoint
/// to a provider's service is one (an AWS service's endpoints are nobody's connections).
pub fn connection(w: &World, ep: EndpointId) -> Option<Value> {
    let e = &w[ep];
    let s = &w[e.service.provider()?];
    Some(json!({
        "ServiceId": s.service_id,
        "VpcEndpointId": e.aws_id,
        "VpcEndpointOwner": w.account_id(),
        "VpcEndpointState": e.state.as_str(),
        "CreationTimestamp": timestamp(e.created_ms),
        "NetworkLoadBalancerArns": s.nlbs.iter().map(|l| w[l].arn.clone()).collect::<Vec<_>>(),
        "IpAddressType": "ipv4",
    }))
}

/// describe-target-health's descriptions for a group.
pub fn target_health(w: &World, tg: TargetGroupId) -> Value {
    let g = &w[tg];
    let items: Vec<Value> = g
        .targets
        .iter()
        .map(|t| {
            let mut health = json!({"State": t.state.as_str()});
            if let Some((code, text)) = health_reason(t) {
                health["Reason"] = json!(code);
                health["Description"] = json!(text);
            }
            json!({
                "Target": {"Id": w.target_id(t.target), "Port": t.port},
                "HealthCheckPort": g.health_check.port.unwrap_or(t.port).to_string(),
                "TargetHealth": health,
            })
        })
        .collect();
    json!({"TargetHealthDescriptions": items})
}

/// The reason code and description the CLI prints for a target that is not healthy (L10:
/// an unhealthy target's says why its checks failed).
fn health_reason(t: &Target) -> Option<(&'static str, String)> {
    let fixed = |code, text: &str| Some((code, text.to_string()));
    match t.state {
        HealthState::Initial => fixed("Elb.RegistrationInProgress", "Target registration is in progress"),
        HealthState::Unhealthy => {
            let why = t.failure.unwrap_or(CheckFailure::FailedHealthChecks);
            Some((why.reason(), why.description()))
        }
        HealthState::Unused => fixed(
            "Target.NotInUse",
            "Target group is not configured to receive traffic from the load balancer",
        ),
        HealthState::Draining => {
            fixed("Target.DeregistrationInProgress", "Target deregistration is in progress")
        }
        HealthState::Healthy => None,
    }
}

/// A load balancer, as describe-load-balancers lists it.
pub fn load_balancer(w: &World, lb: LbId) -> Value {
    let l = &w[lb];
    let azs: Vec<Value> = l
        .nodes
        .iter()
        .map(|n| {
            let eni = &w[n.eni];
            let mut addr = json!({});
            if let Some(p) = w.public_ip_of(n.eni) {
                addr["IpAddress"] = json!(p.to_string());
                if let Some(eip) = eni.eip {
                    addr["AllocationId"] = json!(w[eip].allocation_id);
                }
            } else {
                addr["PrivateIPv4Address"] = json!(eni.private_ip.to_string());
            }
            json!({"ZoneName": n.az, "SubnetId": w[n.subnet].aws_id, "LoadBalancerAddresses": [addr]})
        })
        .collect();
    let mut v = json!({
        "LoadBalancerArn": l.arn,
        "DNSName": l.dns_name,
        "CanonicalHostedZoneId": "ZIBE1TIR4HY56",
        "CreatedTime": epoch_timestamp(),
        "LoadBalancerName": l.name,
        "Scheme": l.scheme.as_str(),
        "VpcId": w[l.vpc].aws_id,
        "State": {"Code": "active"},
        "Type": "network",
        "AvailabilityZones": azs,
        "IpAddressType": "ipv4",
    });
    if !l.security_groups.is_empty() {
        // L9: the groups, and whether they also filter PrivateLink traffic.
        v["SecurityGroups"] =
            json!(l.security_groups.iter().map(|g| w[g].aws_id.clone()).collect::<Vec<_>>());
        v["EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic"] =
            json!(if l.enforce_sg_on_privatelink { "on" } else { "off" });
    }
    v
}

/// M1: an instance's `MetadataOptions` as describe-instances (State `applied`) and
/// modify-instance-metadata-options (State `pending`) print them; the keys vpcsim does not
/// model are at AWS's defaults.
pub fn metadata_options(o: crate::model::metadata_options::MetadataOptions, state: &str) -> Value {
    json!({
        "State": state,
        "HttpTokens": o.tokens.as_str(),
        "HttpPutResponseHopLimit": 1,
        "HttpEndpoint": o.endpoint.as_str(),
        "HttpProtocolIpv6": "disabled",
        "InstanceMetadataTags": "disabled",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_describe_name_has_a_document() {
        let lab = crate::lab::Lab::build(Default::default()).unwrap();
        for what in WHAT {
            assert!(by_name(&lab.world, what).is_some(), "{what}");
        }
        assert!(by_name(&lab.world, "nat-gateways").is_none());
    }

    #[test]
    fn r1_a_subnet_association_and_the_main_table_are_listed() {
        let lab = crate::lab::Lab::build(Default::default()).unwrap();
        let v = route_tables(&lab.world);
        let my_rt = v["RouteTables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["Tags"][0]["Value"] == "My-Public-RT")
            .unwrap();
        assert_eq!(my_rt["Associations"][0]["Main"], false);
        assert_eq!(my_rt["Routes"][0]["DestinationCidrBlock"], "10.0.0.0/16");
        assert_eq!(my_rt["Routes"][0]["GatewayId"], "local");
        assert_eq!(my_rt["Routes"][1]["State"], "active");
    }

    #[test]
    fn instances_show_private_and_public_addresses() {
        let lab = crate::lab::Lab::build(Default::default()).unwrap();
        let v = instances(&lab.world);
        let first = &v["Reservations"][0]["Instances"][0];
        assert!(first["PrivateIpAddress"].as_str().unwrap().starts_with("10.0.0."));
        assert!(first["PublicIpAddress"].is_string());
        assert_eq!(first["State"]["Name"], "running");
    }
}
