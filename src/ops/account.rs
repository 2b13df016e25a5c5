//! The account itself: its quotas (Service Quotas, Q1) and the principal making
//! control-plane calls (P3). Both live privately in the [`World`]; these calls are the
//! only way to change them, and a failed one changes nothing.

use crate::error::ApiError;
use crate::quota::{Quota, QuotaError};
use crate::world::World;

use super::ApiResult;

impl World {
    /// RequestServiceQuotaIncrease (Q1), approved at once: raises `quota` to `value`, from
    /// its default up to its maximum; rules per group times groups per interface stays at
    /// most 1,000. A refused request leaves every quota as it was.
    ///
    /// ```
    /// use vpcsim::quota::Quota;
    /// let mut w = vpcsim::world::World::in_region("us-east-1", 7).unwrap();
    /// w.request_service_quota_increase(Quota::RoutesPerTable, 200).unwrap();
    /// assert_eq!(w.quotas().get(Quota::RoutesPerTable), 200);
    /// assert!(w.request_service_quota_increase(Quota::RoutesPerTable, 5_000).is_err());
    /// ```
    pub fn request_service_quota_increase(&mut self, quota: Quota, value: usize) -> Result<(), QuotaError> {
        self.quotas.raise(quota, value)
    }

    /// Makes `principal` (an IAM ARN such as `arn:aws:iam::111122223333:root`) the caller
    /// of the control-plane calls that follow, as credentials of another account would
    /// (P3: an endpoint service admits only the principals it allows).
    ///
    /// ```
    /// let mut w = vpcsim::world::World::in_region("us-east-1", 7).unwrap();
    /// w.assume_principal("arn:aws:iam::111122223333:root").unwrap();
    /// assert_eq!(w.caller(), "arn:aws:iam::111122223333:root");
    /// assert!(w.assume_principal("bob").is_err());
    /// ```
    pub fn assume_principal(&mut self, principal: &str) -> ApiResult<()> {
        if !principal.starts_with("arn:aws:iam::") {
            return Err(ApiError::new(
                "AssumeRole",
                "ValidationError",
                format!(
                    "Invalid principal {principal}: use an IAM ARN such as arn:aws:iam::123456789012:root."
                ),
            ));
        }
        self.caller = principal.to_string();
        Ok(())
    }
}
