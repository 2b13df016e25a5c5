//! The account's limits (docs/aws-rules.md Q1): how many routes, rules, groups, subnets,
//! endpoints and targets a control-plane call may leave behind. [`Quotas`] lives in the
//! [`crate::world::World`] (`world.quotas()`); every quota check of [`crate::ops`] goes
//! through [`Quotas::check`], so exceeding one gives AWS's error code and a raised quota
//! takes effect at once. [`Quotas::raise`] does what a Service Quotas request would, up
//! to each quota's maximum; a world's quotas change only through
//! [`crate::world::World::request_service_quota_increase`].

use std::fmt;

use crate::error::ApiError;

/// One adjustable limit of the account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Quota {
    /// Routes per route table, not counting the local routes (50; at most 1,000).
    RoutesPerTable,
    /// Rules per security group, counted per direction (60; at most 1,000, and rules per
    /// group times groups per interface at most 1,000).
    RulesPerGroup,
    /// Security groups per network interface (5; at most 16).
    GroupsPerInterface,
    /// Network ACL entries per direction, not counting the final `*` rule (20; at most 40).
    NaclRulesPerDirection,
    /// Subnets per VPC (200; vpcsim bounds it at 1,000).
    SubnetsPerVpc,
    /// Interface endpoints per VPC (50; vpcsim bounds it at 1,000).
    InterfaceEndpointsPerVpc,
    /// Targets per target group (1,000; vpcsim bounds it at 3,000, the per-NLB quota).
    TargetsPerGroup,
    /// IPv4 CIDR blocks per VPC, the primary included (5; at most 50).
    CidrBlocksPerVpc,
}

impl Quota {
    /// Every quota, in a fixed order.
    pub const ALL: [Quota; 8] = [
        Quota::RoutesPerTable,
        Quota::RulesPerGroup,
        Quota::GroupsPerInterface,
        Quota::NaclRulesPerDirection,
        Quota::SubnetsPerVpc,
        Quota::InterfaceEndpointsPerVpc,
        Quota::TargetsPerGroup,
        Quota::CidrBlocksPerVpc,
    ];

    /// The short name `vpcsim run --quota NAME=VALUE` takes.
    pub fn key(self) -> &'static str {
        match self {
            Quota::RoutesPerTable => "routes-per-table",
            Quota::RulesPerGroup => "rules-per-group",
            Quota::GroupsPerInterface => "groups-per-interface",
            Quota::NaclRulesPerDirection => "nacl-rules-per-direction",
            Quota::SubnetsPerVpc => "subnets-per-vpc",
            Quota::InterfaceEndpointsPerVpc => "endpoints-per-vpc",
            Quota::TargetsPerGroup => "targets-per-group",
            Quota::CidrBlocksPerVpc => "cidr-blocks-per-vpc",
        }
    }

    /// Parse `NAME=VALUE` (a [`Quota::key`] and a number), as `--quota` takes it.
    pub fn parse_setting(text: &str) -> Result<(Quota, usize), String> {
        let keys = || Quota::ALL.iter().map(|q| q.key()).collect::<Vec<_>>().join(", ");
        let (name, value) = text.split_once('=').ok_or_else(|| {
            format!("expected NAME=VALUE, for example routes-per-table=200; names: {}", keys())
        })?;
        let quota = Quota::ALL
            .into_iter()
            .find(|q| q.key() == name.trim())
            .ok_or_else(|| format!("unknown quota {name:?}; names: {}", keys()))?;
        let value = value.trim().parse().map_err(|_| format!("{value:?} is not a whole number"))?;
        Ok((quota, value))
    }

    /// The quota's name as Service Quotas shows it.
    pub fn name(self) -> &'static str {
        match self {
            Quota::RoutesPerTable => "Routes per route table",
            Quota::RulesPerGroup => "Inbound or outbound rules per security group",
            Quota::GroupsPerInterface => "Security groups per network interface",
            Quota::NaclRulesPerDirection => "Inbound or outbound rules per network ACL",
            Quota::SubnetsPerVpc => "Subnets per VPC",
            Quota::InterfaceEndpointsPerVpc => "Interface VPC endpoints per VPC",
            Quota::TargetsPerGroup => "Targets per target group",
            Quota::CidrBlocksPerVpc => "IPv4 CIDR blocks per VPC",
        }
    }

    /// The value a new account has (Q1).
    pub fn default_value(self) -> usize {
        match self {
            Quota::RoutesPerTable => 50,
            Quota::RulesPerGroup => 60,
            Quota::GroupsPerInterface => 5,
            Quota::NaclRulesPerDirection => 20,
            Quota::SubnetsPerVpc => 200,
            Quota::InterfaceEndpointsPerVpc => 50,
            Quota::TargetsPerGroup => 1_000,
            Quota::CidrBlocksPerVpc => 5,
        }
    }

    /// The highest value it can be raised to.
    pub fn maximum(self) -> usize {
        match self {
            Quota::RoutesPerTable => 1_000,
            Quota::RulesPerGroup => 1_000,
            Quota::GroupsPerInterface => 16,
            Quota::NaclRulesPerDirection => 40,
            Quota::SubnetsPerVpc => 1_000,
            Quota::InterfaceEndpointsPerVpc => 1_000,
            Quota::TargetsPerGroup => 3_000,
            Quota::CidrBlocksPerVpc => 50,
        }
    }

    /// The AWS error code of a call that would exceed it.
    pub fn error_code(self) -> &'static str {
        match self {
            Quota::RoutesPerTable => "RouteLimitExceeded",
            Quota::RulesPerGroup => "RulesPerSecurityGroupLimitExceeded",
            Quota::GroupsPerInterface => "SecurityGroupsPerInterfaceLimitExceeded",
            Quota::NaclRulesPerDirection => "NetworkAclEntryLimitExceeded",
            Quota::SubnetsPerVpc => "SubnetLimitExceeded",
            Quota::InterfaceEndpointsPerVpc => "VpcEndpointLimitExceeded",
            Quota::TargetsPerGroup => "TooManyTargets",
            Quota::CidrBlocksPerVpc => "CidrLimitExceeded",
        }
    }

    /// What the limit counts, for messages: "routes in route table rtb-...".
    fn counted(self) -> &'static str {
        match self {
            Quota::RoutesPerTable => "routes in the route table",
            Quota::RulesPerGroup => "rules in this direction of the security group",
            Quota::GroupsPerInterface => "security groups on the network interface",
            Quota::NaclRulesPerDirection => "entries in this direction of the network ACL",
            Quota::SubnetsPerVpc => "subnets in the VPC",
            Quota::InterfaceEndpointsPerVpc => "interface endpoints in the VPC",
            Quota::TargetsPerGroup => "targets in the target group",
            Quota::CidrBlocksPerVpc => "IPv4 CIDR blocks of the VPC",
        }
    }
}

impl fmt::Display for Quota {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a quota could not be raised.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QuotaError {
    /// The value asked for is above the quota's maximum.
    #[error("{quota}: {asked} is above the maximum of {maximum}")]
    AboveMaximum {
        /// The quota.
        quota: Quota,
        /// The value asked for.
        asked: usize,
        /// Its maximum.
        maximum: usize,
    },
    /// The value asked for is below the default (quotas are raised, not lowered).
    #[error("{quota}: {asked} is below the default of {default}; quotas can only be raised")]
    BelowDefault {
        /// The quota.
        quota: Quota,
        /// The value asked for.
        asked: usize,
        /// Its default.
        default: usize,
    },
    /// Rules per group times groups per interface would pass 1,000.
    #[error(
        "rules per security group ({rules}) times security groups per network interface ({groups}) \
         would be {}, above the maximum of 1000",
        rules * groups
    )]
    RulesTimesGroups {
        /// Rules per group asked for or in force.
        rules: usize,
        /// Groups per interface asked for or in force.
        groups: usize,
    },
}

/// The account's limits, one value per [`Quota`]; [`Default`] is a new account's (Q1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quotas {
    values: [usize; 8],
}

impl Default for Quotas {
    fn default() -> Quotas {
        Quotas { values: Quota::ALL.map(Quota::default_value) }
    }
}

impl Quotas {
    /// The value in force.
    ///
    /// ```
    /// use vpcsim::quota::{Quota, Quotas};
    /// assert_eq!(Quotas::default().get(Quota::RoutesPerTable), 50);
    /// ```
    pub fn get(&self, quota: Quota) -> usize {
        self.values[quota as usize]
    }

    /// Raises a quota as an approved Service Quotas request would: from its default up to
    /// its maximum. Rules per group times groups per interface stays at most 1,000.
    ///
    /// ```
    /// use vpcsim::quota::{Quota, Quotas};
    /// let mut q = Quotas::default();
    /// q.raise(Quota::GroupsPerInterface, 16).unwrap();
    /// assert!(q.raise(Quota::GroupsPerInterface, 17).unwrap_err().to_string().contains("maximum of 16"));
    /// ```
    pub fn raise(&mut self, quota: Quota, value: usize) -> Result<(), QuotaError> {
        if value > quota.maximum() {
            return Err(QuotaError::AboveMaximum { quota, asked: value, maximum: quota.maximum() });
        }
        if value < quota.default_value() {
            return Err(QuotaError::BelowDefault { quota, asked: value, default: quota.default_value() });
        }
        let (rules, groups) = match quota {
            Quota::RulesPerGroup => (value, self.get(Quota::GroupsPerInterface)),
            Quota::GroupsPerInterface => (self.get(Quota::RulesPerGroup), value),
            _ => (0, 0),
        };
        if rules * groups > 1_000 {
            return Err(QuotaError::RulesTimesGroups { rules, groups });
        }
        self.values[quota as usize] = value;
        Ok(())
    }

    /// Checks that `count` items (what the call would leave behind) fit the quota;
    /// otherwise the AWS error of `operation`, naming the quota and its value.
    pub fn check(&self, quota: Quota, operation: &str, count: usize) -> Result<(), ApiError> {
        let limit = self.get(quota);
        if count <= limit {
            return Ok(());
        }
        Err(ApiError::new(
            operation,
            quota.error_code(),
            format!(
                "The maximum number of {} ({limit}) has been reached: quota \"{}\" is {limit}; \
                 raise it with vpcsim run --quota {}=N (up to {}).",
                quota.counted(),
                quota.name(),
                quota.key(),
                quota.maximum()
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_q1_values() {
        let q = Quotas::default();
        let got: Vec<usize> = Quota::ALL.iter().map(|x| q.get(*x)).collect();
        assert_eq!(got, vec![50, 60, 5, 20, 200, 50, 1_000, 5]);
    }

    #[test]
    fn raising_is_bounded_by_maximum_default_and_the_product_rule() {
        let mut q = Quotas::default();
        assert!(q.raise(Quota::RoutesPerTable, 1_000).is_ok());
        assert!(matches!(q.raise(Quota::RoutesPerTable, 1_001), Err(QuotaError::AboveMaximum { .. })));
        assert!(matches!(q.raise(Quota::RoutesPerTable, 10), Err(QuotaError::BelowDefault { .. })));
        q.raise(Quota::GroupsPerInterface, 16).unwrap();
        assert!(matches!(q.raise(Quota::RulesPerGroup, 100), Err(QuotaError::RulesTimesGroups { .. })));
        assert_eq!(q.get(Quota::RulesPerGroup), 60);
    }

    #[test]
    fn exceeding_names_the_code_and_the_quota() {
        let e = Quotas::default().check(Quota::SubnetsPerVpc, "CreateSubnet", 201).unwrap_err();
        assert_eq!(e.code, "SubnetLimitExceeded");
        assert!(e.message.contains("Subnets per VPC") && e.message.contains("(200)"), "{e}");
    }
}
