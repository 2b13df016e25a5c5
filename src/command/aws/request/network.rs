//! The calls that build a network by hand, typed: create-, delete- and modify- calls for
//! VPCs, subnets, security groups, route tables and their associations, internet
//! gateways and network ACLs; and `--tag-specifications`, which each create call (and
//! run-instances) reads for its own resource type.

use serde_json::Value;

use super::super::shorthand;
use super::super::AwsError;
use super::Flags;
use crate::addr::Cidr;
use crate::model::Tags;

/// An `aws ec2` call that creates, changes or deletes a piece of a network.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NetworkRequest {
    /// create-vpc.
    CreateVpc {
        /// `--cidr-block`.
        cidr: Cidr,
        /// `--tag-specifications` of type `vpc`.
        tags: Tags,
    },
    /// delete-vpc.
    DeleteVpc {
        /// `--vpc-id`.
        vpc_id: String,
    },
    /// modify-vpc-attribute: one DNS attribute a call.
    ModifyVpcAttribute {
        /// `--vpc-id`.
        vpc_id: String,
        /// `--[no-]enable-dns-support`.
        dns_support: Option<bool>,
        /// `--[no-]enable-dns-hostnames`.
        dns_hostnames: Option<bool>,
    },
    /// create-subnet.
    CreateSubnet {
        /// `--vpc-id`.
        vpc_id: String,
        /// `--cidr-block`.
        cidr: Cidr,
        /// `--availability-zone` (the region's first when absent).
        az: Option<String>,
        /// `--tag-specifications` of type `subnet`.
        tags: Tags,
    },
    /// delete-subnet.
    DeleteSubnet {
        /// `--subnet-id`.
        subnet_id: String,
    },
    /// modify-subnet-attribute `--[no-]map-public-ip-on-launch`.
    ModifySubnetAttribute {
        /// `--subnet-id`.
        subnet_id: String,
        /// The new `MapPublicIpOnLaunch`.
        map_public_ip_on_launch: bool,
    },
    /// create-security-group.
    CreateSecurityGroup {
        /// `--group-name`.
        name: String,
        /// `--description`.
        description: String,
        /// `--vpc-id`.
        vpc_id: String,
        /// `--tag-specifications` of type `security-group`.
        tags: Tags,
    },
    /// delete-security-group.
    DeleteSecurityGroup {
        /// `--group-id`.
        group_id: String,
    },
    /// create-route-table.
    CreateRouteTable {
        /// `--vpc-id`.
        vpc_id: String,
        /// `--tag-specifications` of type `route-table`.
        tags: Tags,
    },
    /// associate-route-table.
    AssociateRouteTable {
        /// `--route-table-id`.
        route_table_id: String,
        /// `--subnet-id`.
        subnet_id: String,
    },
    /// disassociate-route-table.
    DisassociateRouteTable {
        /// `--association-id`.
        association_id: String,
    },
    /// delete-route-table.
    DeleteRouteTable {
        /// `--route-table-id`.
        route_table_id: String,
    },
    /// create-internet-gateway.
    CreateInternetGateway {
        /// `--tag-specifications` of type `internet-gateway`.
        tags: Tags,
    },
    /// delete-internet-gateway.
    DeleteInternetGateway {
        /// `--internet-gateway-id`.
        igw_id: String,
    },
    /// create-network-acl.
    CreateNetworkAcl {
        /// `--vpc-id`.
        vpc_id: String,
        /// `--tag-specifications` of type `network-acl`.
        tags: Tags,
    },
    /// replace-network-acl-association.
    ReplaceNetworkAclAssociation {
        /// `--association-id`.
        association_id: String,
        /// `--network-acl-id`.
        acl_id: String,
    },
    /// delete-network-acl.
    DeleteNetworkAcl {
        /// `--network-acl-id`.
        acl_id: String,
    },
}

/// Types the flags of a network-building call; `None` for another operation.
pub(super) fn build(f: &Flags) -> Option<Result<NetworkRequest, AwsError>> {
    OPERATIONS.contains(&f.spec.name).then(|| typed(f))
}

/// The operations this module types.
const OPERATIONS: &[&str] = &[
    "create-vpc",
    "delete-vpc",
    "modify-vpc-attribute",
    "create-subnet",
    "delete-subnet",
    "modify-subnet-attribute",
    "create-security-group",
    "delete-security-group",
    "create-route-table",
    "associate-route-table",
    "disassociate-route-table",
    "delete-route-table",
    "create-internet-gateway",
    "delete-internet-gateway",
    "create-network-acl",
    "replace-network-acl-association",
    "delete-network-acl",
];

fn typed(f: &Flags) -> Result<NetworkRequest, AwsError> {
    use NetworkRequest as N;
    Ok(match f.spec.name {
        "create-vpc" => N::CreateVpc { cidr: cidr(f)?, tags: tag_specifications(f, "vpc")? },
        "delete-vpc" => N::DeleteVpc { vpc_id: f.req("vpc-id")? },
        "modify-vpc-attribute" => modify_vpc_attribute(f)?,
        "create-subnet" => N::CreateSubnet {
            vpc_id: f.req("vpc-id")?,
            cidr: cidr(f)?,
            az: f.opt("availability-zone"),
            tags: tag_specifications(f, "subnet")?,
        },
        "delete-subnet" => N::DeleteSubnet { subnet_id: f.req("subnet-id")? },
        "modify-subnet-attribute" => N::ModifySubnetAttribute {
            subnet_id: f.req("subnet-id")?,
            map_public_ip_on_launch: f
                .switch("map-public-ip-on-launch")
                .ok_or_else(|| f.missing("MapPublicIpOnLaunch"))?,
        },
        "create-security-group" => N::CreateSecurityGroup {
            name: f.req("group-name")?,
            description: f.req("description")?,
            vpc_id: f.opt("vpc-id").ok_or_else(|| f.missing("VpcId (vpcsim has no default VPC)"))?,
            tags: tag_specifications(f, "security-group")?,
        },
        "delete-security-group" => {
            N::DeleteSecurityGroup { group_id: f.opt("group-id").ok_or_else(|| f.missing("GroupId"))? }
        }
        "create-route-table" => {
            N::CreateRouteTable { vpc_id: f.req("vpc-id")?, tags: tag_specifications(f, "route-table")? }
        }
        "associate-route-table" => N::AssociateRouteTable {
            route_table_id: f.req("route-table-id")?,
            subnet_id: f.opt("subnet-id").ok_or_else(|| f.missing("SubnetId"))?,
        },
        "disassociate-route-table" => N::DisassociateRouteTable { association_id: f.req("association-id")? },
        "delete-route-table" => N::DeleteRouteTable { route_table_id: f.req("route-table-id")? },
        "create-internet-gateway" => {
            N::CreateInternetGateway { tags: tag_specifications(f, "internet-gateway")? }
        }
        "delete-internet-gateway" => N::DeleteInternetGateway { igw_id: f.req("internet-gateway-id")? },
        "create-network-acl" => {
            N::CreateNetworkAcl { vpc_id: f.req("vpc-id")?, tags: tag_specifications(f, "network-acl")? }
        }
        "replace-network-acl-association" => N::ReplaceNetworkAclAssociation {
            association_id: f.req("association-id")?,
            acl_id: f.req("network-acl-id")?,
        },
        "delete-network-acl" => N::DeleteNetworkAcl { acl_id: f.req("network-acl-id")? },
        other => return Err(f.invalid(format!("vpcsim does not type {other} here"))),
    })
}

fn cidr(f: &Flags) -> Result<Cidr, AwsError> {
    let text = f.req("cidr-block")?;
    f.cidr("cidr-block", &text)
}

/// AWS changes one VPC attribute a call.
fn modify_vpc_attribute(f: &Flags) -> Result<NetworkRequest, AwsError> {
    let (dns_support, dns_hostnames) = (f.switch("enable-dns-support"), f.switch("enable-dns-hostnames"));
    if dns_support.is_some() == dns_hostnames.is_some() {
        return Err(f.invalid(
            "Fields for multiple attribute types specified: give exactly one of --enable-dns-support and --enable-dns-hostnames".into(),
        ));
    }
    Ok(NetworkRequest::ModifyVpcAttribute { vpc_id: f.req("vpc-id")?, dns_support, dns_hostnames })
}

/// `--tag-specifications ResourceType=vpc,Tags=[{Key=Name,Value=lab}]` (shorthand, one
/// specification a word) or AWS's JSON list: the tags of the specifications for
/// `resource_type`; a specification for another type is refused, as AWS refuses it.
pub(super) fn tag_specifications(f: &Flags, resource_type: &str) -> Result<Tags, AwsError> {
    let mut tags = Tags::new();
    for word in f.list("tag-specifications") {
        let specs = match shorthand::parse(&word).map_err(AwsError::ParamError)? {
            Value::Array(items) => items,
            item => vec![item],
        };
        for spec in &specs {
            let given = spec.get("ResourceType").and_then(Value::as_str).ok_or_else(|| {
                AwsError::ParamError(format!(
                    "Error parsing parameter '--tag-specifications': expected ResourceType={resource_type},Tags=[{{Key=KEY,Value=VALUE}}], got {word}"
                ))
            })?;
            if given != resource_type {
                return Err(f.invalid(format!(
                    "'{given}' is not a valid taggable resource type for this operation (vpcsim tags the {resource_type} it creates)."
                )));
            }
            for tag in spec.get("Tags").map(as_items).unwrap_or_default() {
                let text = |k: &str| tag.get(k).and_then(super::super::filter::scalar_text);
                let key = text("Key").ok_or_else(|| {
                    AwsError::ParamError(format!(
                        "Error parsing parameter '--tag-specifications': a tag without Key in {word}"
                    ))
                })?;
                if key.starts_with("aws:") {
                    return Err(f.invalid(format!(
                        "Tag keys starting with 'aws:' are reserved for internal use; '{key}' is one."
                    )));
                }
                if tags.insert(key.clone(), text("Value").unwrap_or_default()).is_some() {
                    return Err(f.invalid(format!("Duplicate tag key '{key}' specified.")));
                }
            }
        }
    }
    Ok(tags)
}

/// A list value, or one item when the shorthand gave a single structure.
fn as_items(v: &Value) -> Vec<Value> {
    match v {
        Value::Array(items) => items.clone(),
        other => vec![other.clone()],
    }
}
