//! DHCP option sets (Z2): CreateDhcpOptions, AssociateDhcpOptions (including `default`,
//! no option set) and DeleteDhcpOptions, with EC2's checks; the account's default set
//! (the region's internal domain and AmazonProvidedDNS), which every new VPC gets.

use std::net::Ipv4Addr;

use super::ApiResult;
use crate::error::ApiError;
use crate::ids::*;
use crate::model::dhcp_options::{DhcpOptions, NameServer, KEYS};
use crate::model::Tags;
use crate::world::{Handle, World};

/// Options of CreateDhcpOptions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CreateDhcpOptions {
    /// `--dhcp-configurations`: each key with its values, as given.
    pub configurations: Vec<(String, Vec<String>)>,
    /// Tags.
    pub tags: Tags,
}

/// What the instances of a VPC use to resolve names (Z2, D1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameService {
    /// The VPC resolver (AmazonProvidedDNS first in the option set).
    AmazonProvided,
    /// A server at this address, reached by a UDP flow to port 53.
    Server(Ipv4Addr),
    /// No option set, or one without `domain-name-servers`: the instance learns no server.
    NoServer,
}

const CREATE: &str = "CreateDhcpOptions";

impl World {
    /// The account's default option set: the region's internal domain and AmazonProvidedDNS.
    /// Its id is derived from the account, not drawn from the id stream, so creating it
    /// renumbers nothing.
    pub(crate) fn create_default_dhcp_options(&mut self) {
        let aws_id = format!(
            "dopt-{:08x}",
            super::prefix_list::stable_hash(&format!("dhcp/{}/{}", self.account_id(), self.region().name))
                as u32
        );
        let options = DhcpOptions {
            aws_id,
            domain_names: vec![self.region().internal_suffix()],
            name_servers: vec![NameServer::AmazonProvided],
            others: Vec::new(),
            tags: Tags::new(),
            deleted: false,
        };
        self.dhcp_options.insert(&mut self.by_aws_id, Handle::DhcpOptions, options);
    }

    /// The option set a new VPC gets: the account's default one, while it exists.
    pub(crate) fn default_dhcp_options(&self) -> Option<DhcpOptionsId> {
        self.dhcp_options.live().next().map(|(id, _)| id).filter(|id| id.index() == 0)
    }

    /// A DHCP option set by id.
    pub fn dhcp_options_id(&self, op: &str, id: &str) -> ApiResult<DhcpOptionsId> {
        self.lookup(op, id, "InvalidDhcpOptionID.NotFound", |h| match h {
            Handle::DhcpOptions(x) if !self.dhcp_options[x].deleted => Some(x),
            _ => None,
        })
        .map_err(|_| {
            ApiError::new(
                op,
                "InvalidDhcpOptionID.NotFound",
                format!("The dhcpOption ID '{id}' does not exist"),
            )
        })
    }

    /// CreateDhcpOptions: every key and value checked as EC2 does.
    pub fn create_dhcp_options(&mut self, req: CreateDhcpOptions) -> ApiResult<DhcpOptionsId> {
        if req.configurations.is_empty() {
            return Err(ApiError::new(
                CREATE,
                "MissingParameter",
                "The request must contain the parameter dhcpConfiguration",
            ));
        }
        let mut options = DhcpOptions {
            aws_id: String::new(),
            domain_names: Vec::new(),
            name_servers: Vec::new(),
            others: Vec::new(),
            tags: req.tags,
            deleted: false,
        };
        for (key, values) in req.configurations {
            check_option(&key, &values)?;
            match key.as_str() {
                "domain-name" => {
                    options.domain_names = values
                        .iter()
                        .flat_map(|v| v.split_whitespace())
                        .map(str::to_ascii_lowercase)
                        .collect()
                }
                "domain-name-servers" => {
                    options.name_servers = values.iter().filter_map(|v| NameServer::parse(v)).collect()
                }
                _ => options.others.push((key, values)),
            }
        }
        options.aws_id = self.ids.aws_id("dopt");
        Ok(self.dhcp_options.insert(&mut self.by_aws_id, Handle::DhcpOptions, options))
    }

    /// AssociateDhcpOptions: the VPC's instances use `options` from now on (`None`: no set).
    pub fn associate_dhcp_options(&mut self, vpc: VpcId, options: Option<DhcpOptionsId>) {
        self.vpcs[vpc].dhcp_options = options;
    }

    /// DeleteDhcpOptions: refused while a VPC uses the set.
    pub fn delete_dhcp_options(&mut self, options: DhcpOptionsId) -> ApiResult<()> {
        if self.vpcs.live().any(|(_, v)| v.dhcp_options == Some(options)) {
            return Err(ApiError::new(
                "DeleteDhcpOptions",
                "DependencyViolation",
                format!("The dhcpOptions '{}' has dependencies and cannot be deleted.", self[options].aws_id),
            ));
        }
        self.dhcp_options[options].deleted = true;
        Ok(())
    }

    /// Z2, D1: where the instances of `vpc` send their DNS queries: the first of the option
    /// set's `domain-name-servers`; AmazonProvidedDNS, or an address equal to the VPC
    /// resolver's (D1), is the VPC resolver.
    pub fn name_service(&self, vpc: VpcId) -> NameService {
        let v = &self[vpc];
        match v.dhcp_options.and_then(|d| self[d].first_server()) {
            Some(NameServer::AmazonProvided) => NameService::AmazonProvided,
            Some(NameServer::Address(a))
                if a == v.resolver_addr() || a == crate::apps::dig::LINK_LOCAL_RESOLVER =>
            {
                NameService::AmazonProvided
            }
            Some(NameServer::Address(a)) => NameService::Server(a),
            None => NameService::NoServer,
        }
    }

    /// Z2: the search suffixes the instances of `vpc` get (`domain-name`).
    pub fn search_domains(&self, vpc: VpcId) -> &[String] {
        match self[vpc].dhcp_options {
            Some(d) => &self[d].domain_names,
            None => &[],
        }
    }
}

/// EC2's checks on one option: a known key, and values of its kind.
pub(crate) fn check_option(key: &str, values: &[String]) -> ApiResult<()> {
    let invalid = |m: String| Err(ApiError::new(CREATE, "InvalidParameterValue", m));
    if !KEYS.contains(&key) {
        return invalid(format!("Value ({key}) for parameter name is invalid. Unknown DHCP option"));
    }
    if values.is_empty() {
        return invalid(format!("Value for parameter {key} is missing: give at least one value"));
    }
    let at_most_four = |what: &str| {
        if values.len() > 4 {
            return invalid(format!(
                "Value for parameter {key} is invalid. A maximum of 4 {what} can be given"
            ));
        }
        Ok(())
    };
    match key {
        "domain-name" => {
            let bad = values.iter().flat_map(|v| v.split_whitespace()).find(|d| !valid_domain(d));
            if let Some(d) = bad {
                return invalid(format!("Value ({d}) for parameter domain-name is invalid."));
            }
        }
        "domain-name-servers" => {
            at_most_four("DNS servers")?;
            if let Some(v) = values.iter().find(|v| NameServer::parse(v).is_none()) {
                return invalid(format!(
                    "Value ({v}) for parameter domain-name-servers is invalid. Give IPv4 addresses or AmazonProvidedDNS."
                ));
            }
        }
        "ntp-servers" | "netbios-name-servers" => {
            at_most_four("servers")?;
            if let Some(v) = values.iter().find(|v| v.parse::<Ipv4Addr>().is_err()) {
                return invalid(format!("Value ({v}) for parameter {key} is invalid. Give IPv4 addresses."));
            }
        }
        "netbios-node-type" => {
            if values.len() != 1 || !matches!(values[0].as_str(), "1" | "2" | "4" | "8") {
                return invalid(format!(
                    "Value ({}) for parameter netbios-node-type is invalid. Give one of 1, 2, 4 or 8.",
                    values.join(",")
                ));
            }
        }
        _ => {
            let ok = values.len() == 1
                && values[0].parse::<u32>().is_ok_and(|s| (140..=2_147_483_647).contains(&s));
            if !ok {
                return invalid(format!(
                    "Value ({}) for parameter ipv6-address-preferred-lease-time is invalid. Give seconds from 140 to 2147483647.",
                    values.join(",")
                ));
            }
        }
    }
    Ok(())
}

/// A domain name of letters, digits, hyphens and dots.
fn valid_domain(d: &str) -> bool {
    !d.is_empty()
        && d.len() <= 255
        && d.trim_end_matches('.').split('.').all(|l| {
            !l.is_empty() && l.len() <= 63 && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}
