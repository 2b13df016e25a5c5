//! Gateway endpoints and prefix lists from templates (E1, E5): `AWS::EC2::VPCEndpoint`
//! of type Gateway (CloudFormation's default type) with `RouteTableIds`, and
//! `AWS::EC2::PrefixList`.

use crate::cfn::{AttrValue, Created, SinkError, SinkWarning};
use crate::model::prefix_list::PrefixListEntry;
use crate::ops::gateway_endpoint::CreateGatewayEndpoint;
use crate::ops::prefix_list::CreateManagedPrefixList;
use crate::yaml::{Node, NodeValue};

use super::props::{bad, bad_hint, item, Props};
use super::{api, created, s, StackBuilder};

impl StackBuilder<'_> {
    /// E1: a Gateway endpoint; an Interface endpoint's properties are refused on it.
    pub(super) fn gateway_endpoint(&mut self, p: Props<'_>) -> Result<Created, SinkError> {
        const OP: &str = "CreateVpcEndpoint";
        for key in ["SubnetIds", "SecurityGroupIds", "PrivateDnsEnabled"] {
            if p.get(key).is_some() {
                return Err(bad_hint(
                    key,
                    format!(
                        "{key} is for Interface endpoints; this endpoint is of type Gateway (the default)"
                    ),
                    "give RouteTableIds, or set VpcEndpointType: Interface",
                ));
            }
        }
        let vpc_id = p.str("VpcId")?;
        let vpc = self.world.vpc_id(OP, &vpc_id).map_err(|e| api(e, Some("VpcId")))?;
        let mut route_tables = Vec::new();
        for id in p.str_list("RouteTableIds")? {
            route_tables.push(self.world.route_table_id(OP, &id).map_err(|e| api(e, Some("RouteTableIds")))?);
        }
        let req = CreateGatewayEndpoint {
            vpc: Some(vpc),
            service_name: p.str("ServiceName")?,
            route_tables,
            policy_document: p.get("PolicyDocument").map(policy_json),
            tags: p.tags()?,
        };
        let g = self.world.create_gateway_endpoint(req).map_err(|e| {
            let at = match e.code.as_str() {
                "InvalidServiceName" => "ServiceName",
                "InvalidPolicyDocument" => "PolicyDocument",
                _ => "RouteTableIds",
            };
            api(e, Some(at))
        })?;
        for message in self.world[g].policy.undecided() {
            // E2: a flow carries no bucket or action; what only some requests meet is named.
            self.warnings.push(SinkWarning {
                property: "PolicyDocument".into(),
                message: format!(
                    "{message}: vpcsim cannot decide it for a network flow, which passes the endpoint"
                ),
            });
        }
        let id = self.world[g].aws_id.clone();
        Ok(created(
            id.clone(),
            &[
                ("Id", s(&id)),
                ("DnsEntries", AttrValue::List(Vec::new())),
                ("NetworkInterfaceIds", AttrValue::List(Vec::new())),
            ],
        ))
    }

    /// E5: a customer-managed prefix list (IPv4).
    pub(super) fn prefix_list(&mut self, p: Props<'_>) -> Result<Created, SinkError> {
        if p.opt_str("AddressFamily")?.is_some_and(|a| a != "IPv4") {
            return Err(bad("AddressFamily", "vpcsim models IPv4 only"));
        }
        let max = p.opt_int_in("MaxEntries", 1, i64::from(crate::ops::prefix_list::MAX_ENTRIES_LIMIT))?;
        let max_entries =
            max.ok_or_else(|| bad("MaxEntries", "required property MaxEntries is missing"))? as u32;
        let mut entries = Vec::new();
        for (path, node) in p.maps("Entries")? {
            let e = item(node, &path);
            let cidr = e.opt_cidr("Cidr")?.ok_or_else(|| bad(&path, "an entry needs a Cidr"))?;
            entries.push(PrefixListEntry { cidr, description: e.opt_str("Description")? });
        }
        let req =
            CreateManagedPrefixList { name: p.str("PrefixListName")?, max_entries, entries, tags: p.tags()? };
        let pl = self.world.create_managed_prefix_list(req).map_err(|e| api(e, Some("Entries")))?;
        let l = &self.world[pl];
        let arn = format!(
            "arn:aws:ec2:{}:{}:prefix-list/{}",
            self.world.region().name,
            self.world.account_id(),
            l.aws_id
        );
        Ok(created(
            l.aws_id.clone(),
            &[
                ("PrefixListId", s(&l.aws_id)),
                ("Arn", s(arn)),
                ("OwnerId", s(self.world.account_id())),
                ("Version", s(l.version.to_string())),
            ],
        ))
    }
}

/// E2: a template's `PolicyDocument` as JSON: a mapping as written, or a JSON string (which
/// templates also use); a string that is not JSON stays a string, which the op refuses.
fn policy_json(node: &Node) -> serde_json::Value {
    match &node.value {
        NodeValue::Str(s) => serde_json::from_str(s).unwrap_or_else(|_| serde_json::Value::String(s.clone())),
        _ => node.to_json(),
    }
}
