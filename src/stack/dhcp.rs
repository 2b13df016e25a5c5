//! `AWS::EC2::DHCPOptions` and `AWS::EC2::VPCDHCPOptionsAssociation` (Z2): an option set
//! (its domain name and DNS servers change how instances resolve names; NTP and NetBIOS
//! servers and the IPv6 lease time are kept and warned about, they change nothing) and
//! its association with a VPC (`default` for no option set).

use crate::cfn::{Created, SinkError};
use crate::ops::dhcp::{check_option, CreateDhcpOptions};
use crate::world::Handle;

use super::props::{bad, Props};
use super::{api, created, s, StackBuilder};

/// The template's property for each option key, in the order EC2 lists them.
const PROPERTIES: [(&str, &str); 6] = [
    ("DomainName", "domain-name"),
    ("DomainNameServers", "domain-name-servers"),
    ("NtpServers", "ntp-servers"),
    ("NetbiosNameServers", "netbios-name-servers"),
    ("NetbiosNodeType", "netbios-node-type"),
    ("Ipv6AddressPreferredLeaseTime", "ipv6-address-preferred-lease-time"),
];

impl StackBuilder<'_> {
    pub(super) fn dhcp_options(&mut self, p: Props<'_>) -> Result<Created, SinkError> {
        let mut configurations = Vec::new();
        for (property, key) in PROPERTIES {
            let values = match p.get(property) {
                None => continue,
                Some(n) if n.as_seq().is_some() => p.str_list(property)?,
                Some(_) => vec![p.str(property)?],
            };
            check_option(key, &values).map_err(|e| api(e, Some(property)))?;
            configurations.push((key.to_string(), values));
        }
        if configurations.is_empty() {
            return Err(bad("DomainName", "give at least one of DomainName, DomainNameServers, NtpServers, NetbiosNameServers, NetbiosNodeType"));
        }
        let req = CreateDhcpOptions { configurations, tags: p.tags()? };
        let d = self.world.create_dhcp_options(req).map_err(|e| api(e, Some("DomainNameServers")))?;
        let id = self.world[d].aws_id.clone();
        Ok(created(id.clone(), &[("DhcpOptionsId", s(id))]))
    }

    pub(super) fn dhcp_options_association(&mut self, p: Props<'_>) -> Result<Created, SinkError> {
        const OP: &str = "AssociateDhcpOptions";
        let vpc = self.world.vpc_id(OP, &p.str("VpcId")?).map_err(|e| api(e, Some("VpcId")))?;
        let id = p.str("DhcpOptionsId")?;
        let options = match id.as_str() {
            "default" => None,
            _ => Some(self.world.dhcp_options_id(OP, &id).map_err(|e| api(e, Some("DhcpOptionsId")))?),
        };
        self.world.associate_dhcp_options(vpc, options);
        Ok(created(format!("{id}|{}", self.world[vpc].aws_id), &[]))
    }

    /// Deleting an association gives the VPC the account's default option set back.
    pub(super) fn remove_dhcp_options_association(&mut self, c: &Created) {
        let vpc = c.physical_id.split_once('|').and_then(|(_, v)| self.world.find(v));
        if let Some(Handle::Vpc(v)) = vpc {
            let default = self.world.default_dhcp_options();
            self.world.associate_dhcp_options(v, default);
        }
    }
}
