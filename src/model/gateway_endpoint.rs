//! Gateway endpoints (E1-E4): S3 and DynamoDB reached without an internet gateway. A
//! gateway endpoint has no interface and no security group (E2); it adds to the route
//! tables it is given a route whose destination is the service's AWS-managed prefix
//! list and whose target is the endpoint, and only traffic that starts in its VPC
//! uses it (E4).

use crate::ids::{PrefixListId, RouteTableId, VpcId};
use crate::model::endpoint_policy::EndpointPolicy;
use crate::model::Tags;

/// A gateway endpoint.
#[derive(Clone, Debug)]
pub struct GatewayEndpoint {
    /// `vpce-...`.
    pub aws_id: String,
    /// Its VPC.
    pub vpc: VpcId,
    /// `com.amazonaws.<region>.s3` or `.dynamodb`.
    pub service_name: String,
    /// The service's AWS-managed prefix list (the destination of its routes).
    pub prefix_list: PrefixListId,
    /// The tables it adds its route to.
    pub route_tables: Vec<RouteTableId>,
    /// E2: its policy (default: full access).
    pub policy: EndpointPolicy,
    /// Virtual creation time (ms).
    pub created_ms: u64,
    /// Tags.
    pub tags: Tags,
    /// Whether it was deleted (its routes go with it).
    pub deleted: bool,
}
