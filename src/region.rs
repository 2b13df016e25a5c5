//! Regions: their availability zones, their Amazon public address ranges (A6) and
//! the names AWS gives things there (compute DNS suffixes, service endpoints).

use std::net::Ipv4Addr;

use crate::addr::Cidr;

/// One AWS region as the simulator knows it.
#[derive(Debug, PartialEq, Eq)]
pub struct Region {
    /// The region code, `ap-northeast-2`.
    pub name: &'static str,
    /// Availability zone names, in order (`Fn::GetAZs` returns them in this order).
    pub azs: &'static [&'static str],
    /// Zone ids (`apne2-az1`, ...), parallel to `azs`.
    pub az_ids: &'static [&'static str],
    /// Amazon-owned public IPv4 ranges of the region, where public IPs come from (A6).
    pub public_ranges: &'static [&'static str],
    /// The public address the region's AWS service names answer with (inside its first range).
    pub service_ip: Ipv4Addr,
    /// E1: S3's published IPv4 ranges in the region (AWS's ip-ranges.json, service `S3`):
    /// the entries of its AWS-managed prefix list.
    pub s3_ranges: &'static [&'static str],
    /// E1: DynamoDB's published IPv4 ranges in the region (service `DYNAMODB`).
    pub dynamodb_ranges: &'static [&'static str],
}

/// The regions vpcsim knows. The S3 and DynamoDB ranges are AWS's published ip-ranges.json
/// (createDate 2026-08-22-21-17-05) for these four regions.
pub static REGIONS: &[Region] = &[
    Region {
        name: "us-east-1",
        azs: &["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e", "us-east-1f"],
        az_ids: &["use1-az6", "use1-az1", "use1-az2", "use1-az4", "use1-az3", "use1-az5"],
        public_ranges: &["3.80.0.0/12", "34.192.0.0/12", "52.0.0.0/15", "54.144.0.0/14"],
        service_ip: Ipv4Addr::new(3, 95, 255, 10),
        s3_ranges: &[
            "1.178.4.0/24",
            "1.178.5.0/24",
            "1.178.6.0/24",
            "3.2.64.0/24",
            "3.2.65.0/24",
            "3.2.74.0/24",
            "3.5.0.0/19",
            "16.15.156.0/22",
            "16.15.160.0/22",
            "16.15.164.0/22",
            "16.15.168.0/22",
            "16.15.172.0/22",
            "16.15.176.0/20",
            "16.15.192.0/18",
            "16.182.0.0/16",
            "18.34.0.0/19",
            "18.34.232.0/21",
            "44.192.134.240/28",
            "44.192.140.64/28",
            "52.216.0.0/15",
            "54.231.0.0/16",
        ],
        dynamodb_ranges: &[
            "3.218.180.0/22",
            "35.71.68.0/22",
            "35.71.76.0/22",
            "52.94.0.0/22",
            "52.119.224.0/21",
            "52.119.232.0/21",
        ],
    },
    Region {
        name: "us-west-2",
        azs: &["us-west-2a", "us-west-2b", "us-west-2c", "us-west-2d"],
        az_ids: &["usw2-az1", "usw2-az2", "usw2-az3", "usw2-az4"],
        public_ranges: &["34.208.0.0/12", "52.24.0.0/14", "54.184.0.0/13"],
        service_ip: Ipv4Addr::new(34, 223, 255, 10),
        s3_ranges: &[
            "1.178.9.0/24",
            "1.178.65.0/24",
            "3.2.68.0/24",
            "3.5.76.0/22",
            "3.5.80.0/21",
            "16.12.88.0/21",
            "16.12.96.0/21",
            "16.12.104.0/21",
            "16.12.112.0/21",
            "16.15.32.0/20",
            "18.34.48.0/20",
            "18.34.244.0/22",
            "35.80.36.208/28",
            "35.80.36.224/28",
            "52.92.128.0/17",
            "52.218.128.0/17",
        ],
        dynamodb_ranges: &["35.71.64.0/22", "52.94.10.0/24", "52.94.28.0/23", "52.119.252.0/22"],
    },
    Region {
        name: "eu-west-1",
        azs: &["eu-west-1a", "eu-west-1b", "eu-west-1c"],
        az_ids: &["euw1-az1", "euw1-az2", "euw1-az3"],
        public_ranges: &["34.240.0.0/13", "52.16.0.0/15", "54.72.0.0/15"],
        service_ip: Ipv4Addr::new(34, 247, 255, 10),
        s3_ranges: &[
            "1.178.7.0/24",
            "3.2.79.0/24",
            "3.5.64.0/21",
            "3.5.72.0/23",
            "3.5.74.0/23",
            "3.5.94.0/23",
            "3.5.96.0/23",
            "3.5.98.0/23",
            "3.251.110.208/28",
            "3.251.110.224/28",
            "52.92.0.0/17",
            "52.218.0.0/17",
        ],
        dynamodb_ranges: &[
            "35.71.72.0/22",
            "52.94.5.0/24",
            "52.94.24.0/23",
            "52.94.26.0/23",
            "52.119.240.0/21",
        ],
    },
    Region {
        name: "ap-northeast-2",
        azs: &["ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c", "ap-northeast-2d"],
        az_ids: &["apne2-az1", "apne2-az2", "apne2-az3", "apne2-az4"],
        public_ranges: &[
            "3.34.0.0/15",
            "13.124.0.0/15",
            "15.164.0.0/15",
            "43.200.0.0/14",
            "52.78.0.0/15",
            "54.180.0.0/15",
        ],
        service_ip: Ipv4Addr::new(3, 35, 255, 10),
        s3_ranges: &[
            "1.178.91.0/24",
            "3.2.75.0/24",
            "3.5.140.0/22",
            "3.5.144.0/23",
            "3.5.184.0/21",
            "3.36.167.64/28",
            "3.36.167.80/28",
            "52.219.56.0/22",
            "52.219.60.0/23",
            "52.219.144.0/22",
            "52.219.148.0/23",
            "52.219.202.0/23",
            "52.219.204.0/22",
        ],
        dynamodb_ranges: &["35.71.109.0/24", "52.94.6.0/24"],
    },
];

/// The address `checkip.amazonaws.com` answers from (a host of the simulated internet).
pub const CHECKIP_ADDR: Ipv4Addr = Ipv4Addr::new(52, 206, 188, 71);

/// Public DNS resolvers of the simulated internet (`dig @8.8.8.8 ...`).
pub const PUBLIC_RESOLVERS: [Ipv4Addr; 2] = [Ipv4Addr::new(8, 8, 8, 8), Ipv4Addr::new(1, 1, 1, 1)];

impl Region {
    /// The region called `name`, if vpcsim knows it.
    pub fn find(name: &str) -> Option<&'static Region> {
        REGIONS.iter().find(|r| r.name == name)
    }

    /// The names of every known region, for error messages.
    pub fn known_names() -> Vec<&'static str> {
        REGIONS.iter().map(|r| r.name).collect()
    }

    /// The public ranges as CIDRs.
    pub fn public_cidrs(&self) -> Vec<Cidr> {
        self.public_ranges.iter().filter_map(|r| r.parse().ok()).collect()
    }

    /// Whether `addr` lies in one of the region's Amazon ranges.
    pub fn is_amazon_public(&self, addr: Ipv4Addr) -> bool {
        self.public_cidrs().iter().any(|c| c.contains(addr))
    }

    /// Whether `az` is one of the region's zones.
    pub fn has_az(&self, az: &str) -> bool {
        self.azs.contains(&az)
    }

    /// The zone id of `az` (`apne2-az1`).
    pub fn az_id(&self, az: &str) -> Option<&'static str> {
        self.azs.iter().position(|a| *a == az).map(|i| self.az_ids[i])
    }

    /// D3: the suffix of private EC2 names (`ec2.internal` in us-east-1).
    pub fn internal_suffix(&self) -> String {
        if self.name == "us-east-1" {
            "ec2.internal".to_string()
        } else {
            format!("{}.compute.internal", self.name)
        }
    }

    /// D2: the suffix of public EC2 names (`compute-1.amazonaws.com` in us-east-1).
    pub fn public_suffix(&self) -> String {
        if self.name == "us-east-1" {
            "compute-1.amazonaws.com".to_string()
        } else {
            format!("{}.compute.amazonaws.com", self.name)
        }
    }

    /// E1: the published ranges of a gateway-endpoint service (`s3`, `dynamodb`), if it is one.
    pub fn gateway_service_ranges(&self, service: &str) -> Option<&'static [&'static str]> {
        match service {
            "s3" => Some(self.s3_ranges),
            "dynamodb" => Some(self.dynamodb_ranges),
            _ => None,
        }
    }

    /// E3: the public address `<service>.<region>.amazonaws.com` answers with for a gateway-endpoint
    /// service: the tenth address of its largest published range (the first of equals).
    /// Parsed once per process: the walk asks it for every flow that reaches the internet.
    pub fn gateway_service_addr(&self, service: &str) -> Option<Ipv4Addr> {
        // A fixed array, not a Vec: verdicts allocate nothing, not even on the first call.
        const ROWS: usize = 16;
        static ADDRS: std::sync::OnceLock<[[Option<Ipv4Addr>; 2]; ROWS]> = std::sync::OnceLock::new();
        let column = match service {
            "s3" => 0,
            "dynamodb" => 1,
            _ => return None,
        };
        let Some(row) = REGIONS.iter().position(|r| std::ptr::eq(r, self)).filter(|&row| row < ROWS) else {
            return self.largest_range_tenth(service);
        };
        let all = ADDRS.get_or_init(|| {
            let mut all = [[None; 2]; ROWS];
            for (row, r) in all.iter_mut().zip(REGIONS) {
                *row = [r.largest_range_tenth("s3"), r.largest_range_tenth("dynamodb")];
            }
            all
        });
        all[row][column]
    }

    fn largest_range_tenth(&self, service: &str) -> Option<Ipv4Addr> {
        let ranges = self.gateway_service_ranges(service)?;
        let cidrs = ranges.iter().filter_map(|r| r.parse::<Cidr>().ok());
        let largest = cidrs.fold(None::<Cidr>, |best, c| match best {
            Some(b) if b.prefix_len() <= c.prefix_len() => Some(b),
            _ => Some(c),
        })?;
        Some(largest.nth(10))
    }

    /// The public address that the region's AWS service names (`ec2.<region>.amazonaws.com`) answer with.
    #[inline]
    pub fn service_addr(&self) -> Ipv4Addr {
        self.service_ip
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_four_regions_have_their_real_zone_names() {
        for (name, first) in [
            ("us-east-1", "us-east-1a"),
            ("us-west-2", "us-west-2a"),
            ("eu-west-1", "eu-west-1a"),
            ("ap-northeast-2", "ap-northeast-2a"),
        ] {
            let r = Region::find(name).expect("known region");
            assert_eq!(r.azs[0], first);
            assert_eq!(r.azs.len(), r.az_ids.len());
            assert_eq!(r.public_cidrs().len(), r.public_ranges.len());
            assert!(r.is_amazon_public(r.service_addr()), "{name}'s service address is in its ranges");
        }
    }

    #[test]
    fn e1_each_regions_s3_and_dynamodb_addresses_lie_in_their_ranges_and_outside_the_instance_pool() {
        for r in REGIONS {
            for service in ["s3", "dynamodb"] {
                let ranges: Vec<Cidr> =
                    r.gateway_service_ranges(service).unwrap().iter().map(|c| c.parse().unwrap()).collect();
                assert!(!ranges.is_empty());
                let addr = r.gateway_service_addr(service).unwrap();
                assert!(ranges.iter().any(|c| c.contains(addr)), "{} {service}", r.name);
                assert!(
                    !r.is_amazon_public(addr),
                    "{} {service}: {addr} could be given to an instance",
                    r.name
                );
            }
        }
        assert_eq!(
            Region::find("us-east-1").unwrap().gateway_service_addr("s3"),
            Some(Ipv4Addr::new(52, 216, 0, 10))
        );
    }

    #[test]
    fn a6_a_learners_nlb_address_is_in_seouls_ranges() {
        let seoul = Region::find("ap-northeast-2").unwrap();
        assert!(seoul.is_amazon_public(Ipv4Addr::new(15, 165, 14, 143)));
        assert!(!seoul.is_amazon_public(Ipv4Addr::new(10, 0, 0, 1)));
        assert!(seoul.is_amazon_public(seoul.service_addr()));
    }
}
