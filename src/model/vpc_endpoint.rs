//! Interface VPC endpoints (PrivateLink consumers): one requester-managed ENI per
//! chosen subnet (P4), states that move on the virtual clock (P2, P7, P10) and the
//! regional and zonal DNS names (P6). The service is a provider's endpoint service or
//! an AWS service (P13).

use crate::ids::{EniId, ServiceId, SgId, SubnetId, VpcId};
use crate::model::aws_service::AwsService;
use crate::model::Tags;

/// What an interface endpoint connects to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ServiceRef {
    /// A provider's endpoint service, fronting NLBs (P1).
    Provider(ServiceId),
    /// An AWS service (`com.amazonaws.<region>.ssm`), answered at the endpoint itself (P13).
    Aws(AwsService),
}

impl ServiceRef {
    /// The provider's service, if this is one.
    pub fn provider(self) -> Option<ServiceId> {
        match self {
            ServiceRef::Provider(s) => Some(s),
            ServiceRef::Aws(_) => None,
        }
    }
}

/// P2: an endpoint's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndpointState {
    /// Waiting for the service owner.
    PendingAcceptance,
    /// Accepted, being provisioned.
    Pending,
    /// Carries traffic (P7).
    Available,
    /// Refused by the service owner.
    Rejected,
    /// Being deleted.
    Deleting,
    /// Deleted.
    Deleted,
    /// Failed.
    Failed,
    /// Expired.
    Expired,
}

impl EndpointState {
    /// The API's spelling (`pendingAcceptance`).
    pub fn as_str(self) -> &'static str {
        match self {
            EndpointState::PendingAcceptance => "pendingAcceptance",
            EndpointState::Pending => "pending",
            EndpointState::Available => "available",
            EndpointState::Rejected => "rejected",
            EndpointState::Deleting => "deleting",
            EndpointState::Deleted => "deleted",
            EndpointState::Failed => "failed",
            EndpointState::Expired => "expired",
        }
    }

    /// P10: whether the connection still counts against deleting the service (a deleting
    /// endpoint no longer does: the walkthrough's cleanup deletes the service right after it).
    pub fn holds_service(self) -> bool {
        !matches!(
            self,
            EndpointState::Rejected
                | EndpointState::Deleting
                | EndpointState::Deleted
                | EndpointState::Failed
                | EndpointState::Expired
        )
    }
}

/// Seconds from acceptance to `available` (about two minutes in the lab, P2).
pub const PROVISION_SECONDS: u64 = 120;
/// Seconds from `deleting` to `deleted`.
pub const DELETE_SECONDS: u64 = 30;

/// An interface endpoint.
#[derive(Clone, Debug)]
pub struct VpcEndpoint {
    /// `vpce-...`.
    pub aws_id: String,
    /// The consumer VPC.
    pub vpc: VpcId,
    /// The service.
    pub service: ServiceRef,
    /// One subnet per AZ.
    pub subnets: Vec<SubnetId>,
    /// The requester-managed interfaces, parallel to `subnets`.
    pub enis: Vec<EniId>,
    /// Groups on those interfaces (the VPC's default group if none were given, S4).
    pub groups: Vec<SgId>,
    /// State.
    pub state: EndpointState,
    /// Virtual time (ms) of the next automatic state change, if one is due.
    pub next_change_ms: Option<u64>,
    /// The 8 random characters of its DNS names (P6).
    pub dns_suffix: String,
    /// P9: resolve the service's private DNS name to this endpoint inside the VPC.
    pub private_dns_enabled: bool,
    /// Who created it (an ARN).
    pub owner: String,
    /// Virtual creation time (ms).
    pub created_ms: u64,
    /// Tags.
    pub tags: Tags,
}
