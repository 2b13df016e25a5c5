//! AWS-owned services reached through VPC endpoints (P13, E1): the catalog of
//! `com.amazonaws.<region>.<service>` names, the endpoint types each offers, the base
//! name of its endpoints' DNS names and the public name its private DNS answers
//! inside a VPC (`ssm.<region>.amazonaws.com`, `*.dkr.ecr.<region>.amazonaws.com`).

/// One AWS service of the catalog, by its place in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AwsService(u8);

/// What the catalog knows of one service.
struct Spec {
    /// The last part of its service name (`ssm`, `ecr.dkr`).
    name: &'static str,
    /// Its public DNS name before `.<region>.amazonaws.com` (`ssm`, `*.dkr.ecr`);
    /// a leading `*.` stands for any one or more labels.
    dns: &'static str,
    /// Whether it offers Interface endpoints (P13).
    interface: bool,
    /// Whether it offers Gateway endpoints (E1).
    gateway: bool,
}

const fn interface(name: &'static str, dns: &'static str) -> Spec {
    Spec { name, dns, interface: true, gateway: false }
}

/// The catalog, ordered by service name as describe-vpc-endpoint-services lists it.
static CATALOG: [Spec; 17] = [
    interface("cloudformation", "cloudformation"),
    Spec { name: "dynamodb", dns: "dynamodb", interface: false, gateway: true },
    interface("ec2", "ec2"),
    interface("ec2messages", "ec2messages"),
    interface("ecr.api", "api.ecr"),
    interface("ecr.dkr", "*.dkr.ecr"),
    interface("execute-api", "*.execute-api"),
    interface("kms", "kms"),
    interface("logs", "logs"),
    interface("monitoring", "monitoring"),
    Spec { name: "s3", dns: "*.s3", interface: true, gateway: true },
    interface("secretsmanager", "secretsmanager"),
    interface("sns", "sns"),
    interface("sqs", "sqs"),
    interface("ssm", "ssm"),
    interface("ssmmessages", "ssmmessages"),
    interface("sts", "sts"),
];

/// The kind of endpoint a service is reached through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndpointType {
    /// An interface endpoint: ENIs in the VPC (P4, P13).
    Interface,
    /// A gateway endpoint: a route to the service's prefix list (E1).
    Gateway,
}

impl EndpointType {
    /// The API's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            EndpointType::Interface => "Interface",
            EndpointType::Gateway => "Gateway",
        }
    }
}

impl AwsService {
    /// Every service of the catalog, in service-name order.
    pub fn all() -> impl Iterator<Item = AwsService> {
        (0..CATALOG.len() as u8).map(AwsService)
    }

    /// The service `com.amazonaws.<region>.<name>` names in `region`, if the catalog has it.
    pub fn named(region: &str, service_name: &str) -> Option<AwsService> {
        let rest = service_name.strip_prefix("com.amazonaws.")?.strip_prefix(region)?.strip_prefix('.')?;
        Self::all().find(|s| s.spec().name == rest)
    }

    fn spec(self) -> &'static Spec {
        &CATALOG[usize::from(self.0)]
    }

    /// The short name (`ssm`, `ecr.api`).
    pub fn short_name(self) -> &'static str {
        self.spec().name
    }

    /// `com.amazonaws.<region>.<name>`.
    pub fn service_name(self, region: &str) -> String {
        format!("com.amazonaws.{region}.{}", self.short_name())
    }

    /// The endpoint types it offers, Interface first.
    pub fn types(self) -> impl Iterator<Item = EndpointType> {
        let s = self.spec();
        [(s.interface, EndpointType::Interface), (s.gateway, EndpointType::Gateway)]
            .into_iter()
            .filter_map(|(offered, t)| offered.then_some(t))
    }

    /// Whether it offers endpoints of type `t`.
    pub fn offers(self, t: EndpointType) -> bool {
        self.types().any(|x| x == t)
    }

    /// P13: the public name its private DNS answers inside a VPC (`ssm.us-east-1.amazonaws.com`,
    /// `*.s3.us-east-1.amazonaws.com`).
    pub fn private_dns_name(self, region: &str) -> String {
        format!("{}.{region}.amazonaws.com", self.spec().dns)
    }

    /// P13: whether its private DNS answers its names inside the VPC. S3's does not: with private
    /// DNS on, AWS's default answers privately only for inbound resolver endpoints, and the VPC's
    /// own traffic keeps resolving public addresses, which its gateway endpoint carries.
    pub fn answers_privately(self) -> bool {
        !self.spec().gateway
    }

    /// P6, P13: the base of its interface endpoints' DNS names (`ssm.us-east-1.vpce.amazonaws.com`).
    pub fn base_dns_name(self, region: &str) -> String {
        let dns = self.spec().dns;
        format!("{}.{region}.vpce.amazonaws.com", dns.strip_prefix("*.").unwrap_or(dns))
    }

    /// P13: the service whose public name `name` (lowercase) is in `region`: `ssm.<region>.amazonaws.com`,
    /// or any name under a wildcard (`abc.execute-api.<region>.amazonaws.com`).
    pub fn answering(region: &str, name: &str) -> Option<AwsService> {
        let rest = name.strip_suffix(".amazonaws.com")?.strip_suffix(region)?.strip_suffix('.')?;
        Self::all().find(|s| match s.spec().dns.strip_prefix("*.") {
            Some(parent) => rest.strip_suffix(parent).is_some_and(|l| l.len() > 1 && l.ends_with('.')),
            None => rest == s.spec().dns,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p13_the_catalog_holds_every_service_the_rule_lists_in_name_order() {
        let names: Vec<&str> = AwsService::all().map(AwsService::short_name).collect();
        for wanted in [
            "ssm",
            "ssmmessages",
            "ec2messages",
            "sts",
            "logs",
            "monitoring",
            "ecr.api",
            "ecr.dkr",
            "secretsmanager",
            "kms",
            "sqs",
            "sns",
            "cloudformation",
            "execute-api",
            "s3",
        ] {
            let s = AwsService::named("us-east-1", &format!("com.amazonaws.us-east-1.{wanted}"));
            assert!(s.is_some_and(|s| s.offers(EndpointType::Interface)), "{wanted}");
        }
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted);
    }

    #[test]
    fn p13_public_names_find_their_service_wildcards_included() {
        let r = "us-east-1";
        let ssm = AwsService::named(r, "com.amazonaws.us-east-1.ssm").unwrap();
        assert_eq!(ssm.private_dns_name(r), "ssm.us-east-1.amazonaws.com");
        assert_eq!(ssm.base_dns_name(r), "ssm.us-east-1.vpce.amazonaws.com");
        assert_eq!(AwsService::answering(r, "ssm.us-east-1.amazonaws.com"), Some(ssm));
        let dkr = AwsService::named(r, "com.amazonaws.us-east-1.ecr.dkr").unwrap();
        assert_eq!(dkr.private_dns_name(r), "*.dkr.ecr.us-east-1.amazonaws.com");
        assert_eq!(AwsService::answering(r, "123456789012.dkr.ecr.us-east-1.amazonaws.com"), Some(dkr));
        assert_eq!(AwsService::answering(r, "dkr.ecr.us-east-1.amazonaws.com"), None);
        assert_eq!(AwsService::answering(r, "ssm.eu-west-1.amazonaws.com"), None);
        assert_eq!(AwsService::named(r, "com.amazonaws.eu-west-1.ssm"), None);
        let s3 = AwsService::named(r, "com.amazonaws.us-east-1.s3").unwrap();
        assert_eq!(s3.types().collect::<Vec<_>>(), [EndpointType::Interface, EndpointType::Gateway]);
    }
}
