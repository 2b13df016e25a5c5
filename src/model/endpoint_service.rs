//! VPC endpoint services (PrivateLink providers): ids and names (P1), acceptance
//! (P2), allowed principals (P3), the AZs they exist in (P5) and private DNS (P9).

use crate::ids::LbId;
use crate::model::Tags;

/// An endpoint service configuration.
#[derive(Clone, Debug)]
pub struct EndpointService {
    /// `vpce-svc-...`.
    pub service_id: String,
    /// `com.amazonaws.vpce.<region>.vpce-svc-...`.
    pub service_name: String,
    /// `vpce-svc-....<region>.vpce.amazonaws.com`.
    pub base_dns_name: String,
    /// The NLBs it fronts.
    pub nlbs: Vec<LbId>,
    /// P2: endpoints wait for acceptance.
    pub acceptance_required: bool,
    /// P3: principals allowed to create endpoints (ARNs or `*`).
    pub allowed_principals: Vec<String>,
    /// P9: a verified private DNS name.
    pub private_dns_name: Option<String>,
    /// Available or Deleted.
    pub state: ServiceState,
    /// Tags.
    pub tags: Tags,
}

/// An endpoint service's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServiceState {
    /// Accepting endpoints.
    Available,
    /// Deleted.
    Deleted,
}

impl ServiceState {
    /// The API's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceState::Available => "Available",
            ServiceState::Deleted => "Deleted",
        }
    }
}

impl EndpointService {
    /// P3: whether `principal` (an ARN) may create endpoints. The owning account always may.
    pub fn allows(&self, principal: &str, owner_account: &str) -> bool {
        principal_account(principal) == Some(owner_account)
            || self.allowed_principals.iter().any(|p| p == "*" || p == principal)
    }
}

/// The account id in an ARN like `arn:aws:iam::123456789012:root`.
pub fn principal_account(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|a| !a.is_empty())
}
