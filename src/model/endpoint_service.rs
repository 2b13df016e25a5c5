//! VPC endpoint services (PrivateLink providers): ids and names (P1), acceptance
//! (P2), allowed principals (P3), the AZs they exist in (P5) and private DNS (P9) with
//! its domain-ownership verification (P12).

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
    /// P9, P12: a private DNS name and its verification.
    pub private_dns: Option<PrivateDnsName>,
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

/// P12: how long the provider's domain check takes once started
/// (StartVpcEndpointServicePrivateDnsVerification), on the virtual clock. AWS gives no
/// figure; vpcsim assumes the TXT record is published and takes one minute.
pub const VERIFY_SECONDS: u64 = 60;

/// P12: a service's private DNS name and the TXT record that proves the domain is the
/// provider's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrivateDnsName {
    /// The name, such as `api.example.com`.
    pub name: String,
    /// The TXT record's name to publish under the domain (`_` and 20 letters or digits).
    pub txt_name: String,
    /// The TXT record's value (`vpce:` and 20 letters or digits).
    pub txt_value: String,
    /// When verification completes; `None` until it was started.
    pub verified_at_ms: Option<u64>,
}

/// P12: where a private DNS name's verification stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VerificationState {
    /// Not verified yet: endpoints do not answer the name.
    PendingVerification,
    /// Verified: endpoints with private DNS answer the name.
    Verified,
}

impl VerificationState {
    /// The API's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            VerificationState::PendingVerification => "pendingVerification",
            VerificationState::Verified => "verified",
        }
    }
}

impl PrivateDnsName {
    /// P12: pending until the started verification's time has come.
    pub fn state(&self, now_ms: u64) -> VerificationState {
        match self.verified_at_ms {
            Some(at) if at <= now_ms => VerificationState::Verified,
            _ => VerificationState::PendingVerification,
        }
    }
}

impl EndpointService {
    /// P9, P12: the private DNS name endpoints answer at `now_ms`: only a verified one.
    pub fn verified_private_dns_name(&self, now_ms: u64) -> Option<&str> {
        let p = self.private_dns.as_ref()?;
        (p.state(now_ms) == VerificationState::Verified).then_some(p.name.as_str())
    }

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
