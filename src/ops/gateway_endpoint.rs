//! Gateway endpoints (E1-E4): create-vpc-endpoint with `--vpc-endpoint-type Gateway`
//! for S3 or DynamoDB adds, to each table given, a route from the service's AWS-managed
//! prefix list to the endpoint; deleting the endpoint takes its routes away.

use super::ApiResult;
use crate::error::ApiError;
use crate::ids::*;
use crate::model::endpoint_policy::EndpointPolicy;
use crate::model::gateway_endpoint::GatewayEndpoint;
use crate::model::route_table::RouteTarget;
use crate::model::Tags;
use crate::world::{Handle, World};

/// Options of CreateVpcEndpoint for a Gateway endpoint.
#[derive(Clone, Debug, Default)]
pub struct CreateGatewayEndpoint {
    /// The VPC.
    pub vpc: Option<VpcId>,
    /// `com.amazonaws.<region>.s3` or `.dynamodb`.
    pub service_name: String,
    /// The tables to add the route to (`--route-table-ids`, `RouteTableIds`).
    pub route_tables: Vec<RouteTableId>,
    /// E2: `--policy-document`, `PolicyDocument` (None: full access).
    pub policy_document: Option<serde_json::Value>,
    /// Tags.
    pub tags: Tags,
}

impl World {
    /// E1: CreateVpcEndpoint (Gateway). The tables must be the VPC's and not yet hold a
    /// route to the service's prefix list; every check runs before anything changes.
    pub fn create_gateway_endpoint(&mut self, req: CreateGatewayEndpoint) -> ApiResult<GatewayEndpointId> {
        const OP: &str = "CreateVpcEndpoint";
        let vpc = req.vpc.ok_or_else(|| {
            ApiError::new(OP, "MissingParameter", "The request must contain the parameter VpcId")
        })?;
        let pl = self.aws_prefix_list(&req.service_name).ok_or_else(|| {
            ApiError::new(
                OP,
                "InvalidServiceName",
                format!(
                    "The Vpc Endpoint Service '{}' does not exist or has no Gateway endpoints: gateway endpoints are com.amazonaws.{region}.s3 and com.amazonaws.{region}.dynamodb",
                    req.service_name,
                    region = self.region.name
                ),
            )
        })?;
        for (i, &table) in req.route_tables.iter().enumerate() {
            if self.route_tables[table].vpc != vpc {
                return Err(ApiError::new(
                    OP,
                    "InvalidParameter",
                    format!(
                        "route table {} is not in {}",
                        self.route_tables[table].aws_id, self.vpcs[vpc].aws_id
                    ),
                ));
            }
            if req.route_tables[..i].contains(&table) {
                return Err(ApiError::new(
                    OP,
                    "InvalidParameter",
                    format!("route table {} is given twice", self.route_tables[table].aws_id),
                ));
            }
            self.check_prefix_list_route(OP, table, pl)?;
        }
        let policy = policy(OP, &req.service_name, req.policy_document.as_ref())?;
        let aws_id = self.ids.aws_id("vpce");
        let created_ms = self.now_ms;
        let g = self.gateway_endpoints.insert(
            &mut self.by_aws_id,
            Handle::GatewayEndpoint,
            GatewayEndpoint {
                aws_id,
                vpc,
                service_name: req.service_name,
                prefix_list: pl,
                route_tables: req.route_tables.clone(),
                policy,
                created_ms,
                tags: req.tags,
                deleted: false,
            },
        );
        for table in req.route_tables {
            self.insert_prefix_list_routes(OP, table, pl, RouteTarget::GatewayEndpoint(g))?;
        }
        Ok(g)
    }

    /// E2: ModifyVpcEndpoint `--policy-document` (Some) or `--reset-policy` (None: full access).
    pub fn modify_vpc_endpoint_policy(
        &mut self,
        g: GatewayEndpointId,
        document: Option<&serde_json::Value>,
    ) -> ApiResult<()> {
        let e = &self.gateway_endpoints[g];
        let policy = policy("ModifyVpcEndpoint", &e.service_name, document)?;
        self.gateway_endpoints[g].policy = policy;
        Ok(())
    }

    /// DeleteVpcEndpoints for a gateway endpoint: it and its routes go.
    pub fn delete_gateway_endpoint(&mut self, g: GatewayEndpointId) {
        let e = &self.gateway_endpoints[g];
        if e.deleted {
            return;
        }
        let (pl, tables) = (e.prefix_list, e.route_tables.clone());
        for table in tables {
            self.remove_prefix_list_routes(table, pl);
        }
        self.gateway_endpoints[g].deleted = true;
    }
}

/// E2: the policy a document gives an endpoint to `service_name` (none: full access).
fn policy(op: &str, service_name: &str, document: Option<&serde_json::Value>) -> ApiResult<EndpointPolicy> {
    let Some(document) = document else { return Ok(EndpointPolicy::default()) };
    let service = service_name.rsplit('.').next().unwrap_or_default();
    EndpointPolicy::from_value(document, service)
        .map_err(|e| ApiError::new(op, "InvalidPolicyDocument", e.to_string()))
}

impl World {
    /// E3: the gateway-endpoint service (`s3`, `dynamodb`) whose public name answers `addr`.
    #[inline]
    pub fn gateway_service_at(&self, addr: std::net::Ipv4Addr) -> Option<&'static str> {
        crate::ops::prefix_list::GATEWAY_SERVICES
            .into_iter()
            .find(|s| self.region.gateway_service_addr(s) == Some(addr))
    }
}
