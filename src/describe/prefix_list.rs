//! Prefix lists and gateway endpoints as the CLI prints them: describe-prefix-lists
//! (AWS's lists of gateway services), describe-managed-prefix-lists,
//! get-managed-prefix-list-entries, gateway items of describe-vpc-endpoints and the
//! AWS services (gateway and interface) of describe-vpc-endpoint-services.

use serde_json::{json, Value};

use super::{tags, timestamp};
use crate::ids::{GatewayEndpointId, PrefixListId};
use crate::model::aws_service::{AwsService, EndpointType};
use crate::model::prefix_list::PrefixListOwner;
use crate::world::World;

/// describe-prefix-lists: AWS's prefix lists of the region's gateway services, with their CIDRs.
pub fn prefix_lists(w: &World) -> Value {
    let items: Vec<Value> = w
        .prefix_lists()
        .live()
        .filter(|(_, p)| p.owner == PrefixListOwner::Aws)
        .map(|(_, p)| {
            json!({
                "Cidrs": p.cidrs().map(|c| c.to_string()).collect::<Vec<_>>(),
                "PrefixListId": p.aws_id,
                "PrefixListName": p.name,
            })
        })
        .collect();
    json!({"PrefixLists": items})
}

/// describe-managed-prefix-lists: AWS's and the account's lists.
pub fn managed_prefix_lists(w: &World) -> Value {
    let items: Vec<Value> = w.prefix_lists().live().map(|(id, _)| managed_prefix_list(w, id)).collect();
    json!({"PrefixLists": items})
}

/// One list as describe-managed-prefix-lists and create-managed-prefix-list print it.
pub fn managed_prefix_list(w: &World, pl: PrefixListId) -> Value {
    let p = &w[pl];
    let owner = match p.owner {
        PrefixListOwner::Aws => "AWS".to_string(),
        PrefixListOwner::Account => w.account_id().to_string(),
    };
    let arn_account = if p.owner == PrefixListOwner::Aws { "aws" } else { w.account_id() };
    json!({
        "PrefixListId": p.aws_id,
        "AddressFamily": "IPv4",
        "State": "create-complete",
        "PrefixListArn": format!("arn:aws:ec2:{}:{arn_account}:prefix-list/{}", w.region().name, p.aws_id),
        "PrefixListName": p.name,
        "MaxEntries": p.max_entries,
        "Version": p.version,
        "Tags": tags(&p.tags),
        "OwnerId": owner,
    })
}

/// get-managed-prefix-list-entries.
pub fn prefix_list_entries(w: &World, pl: PrefixListId) -> Value {
    let entries: Vec<Value> = w[pl]
        .entries
        .iter()
        .map(|e| {
            let mut v = json!({"Cidr": e.cidr.to_string()});
            if let Some(d) = &e.description {
                v["Description"] = json!(d);
            }
            v
        })
        .collect();
    json!({"Entries": entries})
}

/// A gateway endpoint as describe-vpc-endpoints and create-vpc-endpoint print it.
pub fn gateway_endpoint(w: &World, g: GatewayEndpointId) -> Value {
    let e = &w[g];
    let state = if e.deleted { "deleted" } else { "available" };
    json!({
        "VpcEndpointId": e.aws_id,
        "VpcEndpointType": "Gateway",
        "VpcId": w[e.vpc].aws_id,
        "ServiceName": e.service_name,
        "State": state,
        "PolicyDocument": e.policy.document,
        "RouteTableIds": e.route_tables.iter().map(|t| w[t].aws_id.clone()).collect::<Vec<_>>(),
        "SubnetIds": [],
        "Groups": [],
        "PrivateDnsEnabled": false,
        "RequesterManaged": false,
        "NetworkInterfaceIds": [],
        "DnsEntries": [],
        "CreationTimestamp": timestamp(e.created_ms),
        "Tags": tags(&e.tags),
        "OwnerId": w.account_id(),
    })
}

/// E1, P13: the AWS services of describe-vpc-endpoint-services (owner `amazon`), one detail
/// per endpoint type each offers (S3 twice: Interface and Gateway, as AWS lists it).
pub fn aws_services(w: &World) -> Vec<Value> {
    let region = w.region().name;
    let mut out = Vec::new();
    for s in AwsService::all() {
        for t in s.types() {
            let mut v = json!({
                "ServiceName": s.service_name(region),
                "ServiceType": [{"ServiceType": t.as_str()}],
                "AvailabilityZones": w.region().azs,
                "Owner": "amazon",
                "VpcEndpointPolicySupported": true,
                "AcceptanceRequired": false,
                "ManagesVpcEndpoints": false,
            });
            match t {
                EndpointType::Gateway => {
                    v["BaseEndpointDnsNames"] = json!([format!("{}.{region}.amazonaws.com", s.short_name())]);
                }
                EndpointType::Interface => {
                    let private = s.private_dns_name(region);
                    v["BaseEndpointDnsNames"] = json!([s.base_dns_name(region)]);
                    v["PrivateDnsNames"] = json!([{"PrivateDnsName": private}]);
                    v["PrivateDnsName"] = json!(private);
                    v["PrivateDnsNameVerificationState"] = json!("verified");
                    v["SupportedIpAddressTypes"] = json!(["ipv4"]);
                }
            }
            out.push(v);
        }
    }
    out
}
