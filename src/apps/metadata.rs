//! The instance metadata service at 169.254.169.254 (M1): answered on the instance
//! itself, without routes, security groups or NACLs, with the instance's own values,
//! under the instance's metadata options ([`crate::model::metadata_options`]: a disabled
//! endpoint answers 403, required tokens make a request without one 401).

use std::net::Ipv4Addr;

use crate::ids::InstanceId;
use crate::model::metadata_options::{answer, MetadataReply, MetadataRequest};
use crate::world::World;

/// The metadata service's link-local address (M1).
pub const METADATA_ADDR: Ipv4Addr = Ipv4Addr::new(169, 254, 169, 254);

/// The keys `latest/meta-data/` lists, in the order it lists them.
const KEYS: [&str; 12] = [
    "ami-id",
    "hostname",
    "instance-id",
    "instance-type",
    "local-hostname",
    "local-ipv4",
    "mac",
    "placement/",
    "public-hostname",
    "public-ipv4",
    "security-groups",
    "services/",
];

impl World {
    /// M1: what the metadata service answers `request` on `instance`, under its metadata
    /// options: the value, or the service's error (401 without a token when tokens are
    /// required, 403 with the endpoint disabled, 404 for a path it does not have).
    pub fn metadata_request(&self, instance: InstanceId, request: &MetadataRequest<'_>) -> MetadataReply {
        answer(self[instance].metadata_options, request, |path| self.metadata(instance, path))
    }

    /// M1: what `GET path` on 169.254.169.254 answers on `instance`, or None (404) for a
    /// path the service does not have (`public-ipv4` of an instance without one included).
    ///
    /// ```
    /// let lab = vpcsim::lab::Lab::build(Default::default()).unwrap();
    /// let w = &lab.world;
    /// let ip = w[w[lab.my_ec2].eni].private_ip.to_string();
    /// assert_eq!(w.metadata(lab.my_ec2, "/latest/meta-data/local-ipv4"), Some(ip));
    /// assert_eq!(w.metadata(lab.my_ec2, "/latest/meta-data/nothing"), None);
    /// ```
    pub fn metadata(&self, instance: InstanceId, path: &str) -> Option<String> {
        let path = path.trim_start_matches('/');
        let key = path.strip_prefix("latest/meta-data")?.trim_start_matches('/');
        let i = &self[instance];
        let e = &self[i.eni];
        let subnet = &self[e.subnet];
        let dashed = |ip: Ipv4Addr| ip.to_string().replace('.', "-");
        let local = format!("ip-{}.{}", dashed(e.private_ip), self.region().internal_suffix());
        let public = self.public_ip_of(i.eni);
        Some(match key {
            "" => KEYS.join("\n"),
            "ami-id" => i.image_id.to_string(),
            "instance-id" => i.aws_id.clone(),
            "instance-type" => i.instance_type.to_string(),
            "hostname" | "local-hostname" => local,
            "local-ipv4" => e.private_ip.to_string(),
            "mac" => mac_of(&e.aws_id),
            "placement" | "placement/" => "availability-zone\nregion".into(),
            "placement/availability-zone" => subnet.az.to_string(),
            "placement/region" => self.region().name.to_string(),
            "public-ipv4" => public?.to_string(),
            "public-hostname" => format!("ec2-{}.{}", dashed(public?), self.region().public_suffix()),
            "security-groups" => {
                let names: Vec<&str> = e.groups.iter().map(|g| self[*g].name.as_str()).collect();
                names.join("\n")
            }
            "services" | "services/" => "domain\npartition".into(),
            "services/domain" => "amazonaws.com".into(),
            "services/partition" => "aws".into(),
            _ => return None,
        })
    }
}

/// A stable MAC address for an interface, derived from its id (`0e:` and five bytes of it).
fn mac_of(eni_id: &str) -> String {
    let hex: Vec<u8> = eni_id.trim_start_matches("eni-").bytes().collect();
    let mut bytes = [0x0e_u8, 0, 0, 0, 0, 0];
    for (n, chunk) in hex.chunks(2).take(5).enumerate() {
        let text = std::str::from_utf8(chunk).unwrap_or("0");
        bytes[n + 1] = u8::from_str_radix(text, 16).unwrap_or(0);
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(":")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::Lab;

    #[test]
    fn metadata_answers_with_the_instances_own_values_m1() {
        let lab = Lab::build(Default::default()).unwrap();
        let w = &lab.world;
        let i = &w[lab.my_ec2];
        let get = |k: &str| w.metadata(lab.my_ec2, &format!("/latest/meta-data/{k}"));
        assert_eq!(get("instance-id"), Some(i.aws_id.clone()));
        assert_eq!(get("placement/availability-zone"), Some(w[w[i.eni].subnet].az.to_string()));
        assert_eq!(get("public-ipv4"), w.public_ip_of(i.eni).map(|p| p.to_string()));
        assert!(get("").is_some_and(|l| l.lines().any(|k| k == "local-ipv4")));
        assert_eq!(w.metadata(lab.my_ec2, "/latest/user-data"), None);
    }

    #[test]
    fn a_mac_address_is_six_bytes_derived_from_the_interface_id() {
        assert_eq!(mac_of("eni-0a1b2c3d4e5f67890"), "0e:0a:1b:2c:3d:4e");
        assert_eq!(mac_of("eni-zz"), "0e:00:00:00:00:00");
    }
}
