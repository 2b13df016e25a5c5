//! DNS as seen from inside a VPC (D1-D5): split-horizon EC2 names, load balancer
//! names (L2, L6), endpoint names (P6), Route 53 private hosted zones (Z1), private DNS
//! of services (P9) and of AWS services (P13), a few hosts of the simulated internet;
//! NXDOMAIN otherwise.

use std::net::Ipv4Addr;

use crate::ids::*;
use crate::model::aws_service::AwsService;
use crate::model::endpoint_service::ServiceState;
use crate::model::hosted_zone::{HostedZone, RecordData};
use crate::model::nlb::{HealthState, LoadBalancer, Scheme};
use crate::model::vpc_endpoint::{EndpointState, ServiceRef, VpcEndpoint};
use crate::world::{DnsName, World};

/// The DNS response code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rcode {
    /// Found.
    NoError,
    /// No such name.
    NxDomain,
    /// The resolver gave up (a CNAME chain that loops or runs too long).
    ServFail,
}

impl Rcode {
    /// As dig prints it.
    pub fn as_str(self) -> &'static str {
        match self {
            Rcode::NoError => "NOERROR",
            Rcode::NxDomain => "NXDOMAIN",
            Rcode::ServFail => "SERVFAIL",
        }
    }
}

/// An answer: the code, the CNAME chain followed, the addresses (A records) and their TTL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// The response code.
    pub rcode: Rcode,
    /// The CNAME records followed to reach the addresses, in order (Z1).
    pub cnames: Vec<Cname>,
    /// A records, in a stable order.
    pub addrs: Vec<Ipv4Addr>,
    /// Time to live in seconds.
    pub ttl: u32,
}

/// One CNAME record of an answer's chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cname {
    /// The name asked.
    pub name: String,
    /// The canonical name it points to.
    pub target: String,
    /// Time to live in seconds.
    pub ttl: u32,
}

/// Z1: how many CNAMEs a chain may follow before the resolver answers SERVFAIL.
pub(crate) const MAX_CNAME_CHAIN: u8 = 8;

impl Answer {
    fn found(addrs: Vec<Ipv4Addr>, ttl: u32) -> Answer {
        Answer { rcode: Rcode::NoError, cnames: Vec::new(), addrs, ttl }
    }

    fn nx() -> Answer {
        Answer { rcode: Rcode::NxDomain, cnames: Vec::new(), addrs: Vec::new(), ttl: 0 }
    }
}

/// Where the question comes from: a VPC's resolver, or a resolver on the internet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    /// The Amazon resolver of this VPC (D1).
    Vpc(VpcId),
    /// A public resolver: no split horizon, no private DNS.
    Public,
}

impl World {
    /// Resolve an A record of `name` as seen from `view`.
    pub fn resolve(&self, view: View, name: &str) -> Answer {
        self.resolve_chain(view, name, 0)
    }

    /// [`World::resolve`], `depth` CNAMEs into a chain.
    fn resolve_chain(&self, view: View, name: &str, depth: u8) -> Answer {
        let name = lowercase(name.trim_end_matches('.'));
        let inside = match view {
            View::Vpc(v) => Some(v),
            View::Public => None,
        };
        if let Some(a) = inside.and_then(|v| self.resolve_private_zones(v, &name, depth)) {
            return a;
        }
        self.resolve_ec2_name(inside, &name)
            .or_else(|| self.resolve_lb_name(&name))
            .or_else(|| self.resolve_endpoint_name(&name))
            .or_else(|| self.resolve_internet_name(&name))
            .unwrap_or_else(Answer::nx)
    }

    /// D2/D3: `ip-a-b-c-d.<internal suffix>` inside the VPC; `ec2-a-b-c-d.<public suffix>`,
    /// which answers the private IP inside the instance's VPC (and, V4, in a peered VPC the
    /// owner lets resolve it) and the public IP elsewhere.
    fn resolve_ec2_name(&self, inside: Option<VpcId>, name: &str) -> Option<Answer> {
        if let Some(rest) = strip_region_domain(name, self.region().name, "ec2.internal", "compute.internal")
        {
            let ip = dashed_ip(rest.strip_prefix("ip-")?)?;
            let vpc = inside?;
            // M6: the private DNS name is the primary address's only.
            let eni = self.eni_by_private_ip(vpc, ip)?;
            if self[eni].private_ip != ip {
                return None;
            }
            return Some(Answer::found(vec![ip], 60));
        }
        let rest = strip_region_domain(
            name,
            self.region().name,
            "compute-1.amazonaws.com",
            "compute.amazonaws.com",
        )?;
        let public = dashed_ip(rest.strip_prefix("ec2-")?)?;
        let (eni, mapped) = self.public_target(public)?;
        let e = &self[eni];
        if !self[e.vpc].dns_hostnames {
            return None;
        }
        let private = inside.is_some_and(|v| v == e.vpc || self.peer_resolves_private(v, e.vpc));
        let ip = if private { mapped } else { public };
        Some(Answer::found(vec![ip], 60))
    }

    /// V4: whether `owner`'s public instance names answer private IPs when asked from `asker`:
    /// an active peering between them with AllowDnsResolutionFromRemoteVpc on `owner`'s side.
    fn peer_resolves_private(&self, asker: VpcId, owner: VpcId) -> bool {
        self.active_peering(asker, owner)
            .is_some_and(|p| self[p].options_of(owner).allow_dns_resolution_from_remote_vpc)
    }

    /// L2/L6/L13: an NLB's name answers one address per AZ where every target group has a
    /// healthy target (all nodes when no AZ is left); public addresses for internet-facing, even inside the VPC.
    /// A zonal name `<az>.<name>` answers that AZ's node.
    fn resolve_lb_name(&self, name: &str) -> Option<Answer> {
        if let Some(lb) = self.lb_named(name) {
            return Some(Answer::found(self.lb_addresses(lb, None), 60));
        }
        let (az, rest) = name.split_once('.')?;
        let lb = self.lb_named(rest).filter(|lb| self[lb].nodes.iter().any(|n| n.az == az))?;
        Some(Answer::found(self.lb_addresses(lb, Some(az)), 60))
    }

    /// The live load balancer whose DNS name is `name` (lowercase), from the name index.
    fn lb_named(&self, name: &str) -> Option<LbId> {
        self.dns_names().public(name).iter().find_map(|&d| match d {
            DnsName::Lb(lb) => {
                let l = &self[lb];
                (!l.deleted && l.dns_name.eq_ignore_ascii_case(name)).then_some(lb)
            }
            DnsName::Endpoint(_) => None,
        })
    }

    /// The addresses an NLB's name answers (of one AZ's node when `az` is given).
    pub fn lb_addresses(&self, lb: LbId, az: Option<&str>) -> Vec<Ipv4Addr> {
        let l = &self[lb];
        let live = self.azs_with_healthy_targets(l);
        l.nodes
            .iter()
            .filter(|n| match az {
                Some(a) => n.az == a,
                None => live.is_empty() || live.contains(&n.az),
            })
            .map(|n| match l.scheme {
                Scheme::InternetFacing => self.public_ip_of(n.eni).unwrap_or(self[n.eni].private_ip),
                Scheme::Internal => self[n.eni].private_ip,
            })
            .collect()
    }

    /// L6, L12, L13: the AZs whose nodes the name answers. A group that keeps to each zone (cross-zone
    /// off for it) takes out every zone where it has no healthy target; a group with no healthy
    /// target anywhere fails open and takes out none; when no zone is left, the name answers all.
    fn azs_with_healthy_targets(&self, l: &LoadBalancer) -> Vec<&'static str> {
        let mut azs: Vec<&'static str> = l.nodes.iter().map(|n| n.az).collect();
        for x in &l.listeners {
            let listener = &self[x];
            let Some(tg) = listener.target_group.filter(|_| !listener.deleted) else { continue };
            let group = &self[tg];
            let healthy_azs = group.targets.iter().filter(|t| t.state == HealthState::Healthy);
            let healthy_azs: Vec<&str> = healthy_azs
                .filter_map(|t| self.target_address(group.vpc, t.target))
                .map(|(_, az)| az)
                .collect();
            if healthy_azs.is_empty() || group.crosses_zones(l.cross_zone) {
                continue;
            }
            azs.retain(|az| healthy_azs.contains(az));
        }
        azs
    }

    /// P6: `<vpce-id>-<suffix>.<service base name>` answers every endpoint ENI; `<vpce-id>-<suffix>-<az>.<base>` that AZ's.
    fn resolve_endpoint_name(&self, name: &str) -> Option<Answer> {
        let (first, base) = name.split_once('.')?;
        // The stem is the whole first label (regional name) or the part before one of its dashes (zonal).
        let dashes = first.match_indices('-').map(|(i, _)| i);
        let (ep, az) = std::iter::once(first.len())
            .chain(dashes)
            .filter_map(|end| {
                let stem = &first[..end];
                let az = first.get(end + 1..);
                self.endpoint_with_stem(stem, base).map(|ep| (ep, az))
            })
            .min_by_key(|(ep, _)| *ep)?;
        Some(Answer::found(self.endpoint_addresses(&self[ep], az), 60))
    }

    /// The resolving endpoint whose stem `<vpce-id>-<suffix>` is `stem` and whose service's base name is `base`.
    fn endpoint_with_stem(&self, stem: &str, base: &str) -> Option<EndpointId> {
        self.dns_names().public(stem).iter().find_map(|&d| match d {
            DnsName::Endpoint(ep) => {
                let e = &self[ep];
                let same_stem = stem
                    .strip_prefix(e.aws_id.as_str())
                    .and_then(|rest| rest.strip_prefix('-'))
                    .is_some_and(|suffix| suffix == e.dns_suffix);
                let ok = same_stem && endpoint_resolves(e) && self.endpoint_base_dns_name(e.service) == base;
                ok.then_some(ep)
            }
            DnsName::Lb(_) => None,
        })
    }

    fn endpoint_addresses(&self, e: &VpcEndpoint, az: Option<&str>) -> Vec<Ipv4Addr> {
        e.enis
            .iter()
            .filter(|eni| az.is_none_or(|a| self[self[*eni].subnet].az == a))
            .map(|eni| self[eni].private_ip)
            .collect()
    }

    /// P6: the endpoint's DNS names: the regional one, then one per AZ.
    pub fn endpoint_dns_names(&self, ep: EndpointId) -> Vec<String> {
        let e = &self[ep];
        let base = self.endpoint_base_dns_name(e.service);
        let stem = format!("{}-{}", e.aws_id, e.dns_suffix);
        let mut names = vec![format!("{stem}.{base}")];
        for s in &e.subnets {
            names.push(format!("{stem}-{}.{base}", self[s].az));
        }
        names
    }

    /// Z1, P9, P13: the private zones of a VPC with both DNS attributes on: the Route 53
    /// private hosted zones associated with it, and the zone AWS makes for each endpoint's
    /// private DNS name (the name itself, or the parent of a wildcard name). The most
    /// specific zone containing the name answers; an endpoint's zone wins a tie (AWS lets
    /// a VPC have only one of two zones with the same name). A name in a hosted zone with
    /// no record is NXDOMAIN, whatever other zones or public DNS hold.
    fn resolve_private_zones(&self, vpc: VpcId, name: &str, depth: u8) -> Option<Answer> {
        let v = &self[vpc];
        if !(v.dns_support && v.dns_hostnames) {
            return None;
        }
        match self.answering_zone(vpc, name) {
            Some(zone) => Some(self.answer_from_zone(vpc, zone, name, depth)),
            None => self.resolve_private_dns(vpc, name).map(|(answer, _)| answer),
        }
    }

    /// Z1: the Route 53 private hosted zone that answers `name` inside `vpc`, if one does:
    /// the most specific zone associated with it, unless the VPC lacks a DNS attribute or an
    /// endpoint's private DNS name of as long a domain answers instead.
    pub fn answering_zone(&self, vpc: VpcId, name: &str) -> Option<&HostedZone> {
        let v = &self[vpc];
        if !(v.dns_support && v.dns_hostnames) {
            return None;
        }
        let zone = self.most_specific_zone(vpc, name)?;
        match self.resolve_private_dns(vpc, name) {
            Some((_, domain_len)) if domain_len >= zone.name.len() => None,
            _ => Some(zone),
        }
    }

    /// Z1: the live private hosted zone associated with `vpc` with the longest domain holding `name`.
    fn most_specific_zone(&self, vpc: VpcId, name: &str) -> Option<&HostedZone> {
        let zones = self.hosted_zones().live().map(|(_, z)| z);
        zones.filter(|z| z.vpcs.contains(&vpc) && z.contains(name)).max_by_key(|z| z.name.len())
    }

    /// Z1: what a hosted zone answers for an A query: its A records, an alias's target's
    /// addresses, a CNAME followed (in the same VPC's view); NOERROR with no address when
    /// the name has only other types; NXDOMAIN when it has no record.
    fn answer_from_zone(&self, vpc: VpcId, zone: &HostedZone, name: &str, depth: u8) -> Answer {
        let mut records = zone.records_named(name).peekable();
        if records.peek().is_none() {
            return Answer::nx();
        }
        for r in records {
            match &r.data {
                RecordData::A(addrs) => return Answer::found(addrs.clone(), r.ttl),
                RecordData::Alias(target) => {
                    let mut a = self.resolve_chain(View::Vpc(vpc), target, depth + 1);
                    a.cnames.clear();
                    return a;
                }
                RecordData::Cname(_) if depth >= MAX_CNAME_CHAIN => {
                    return Answer { rcode: Rcode::ServFail, cnames: Vec::new(), addrs: Vec::new(), ttl: 0 };
                }
                RecordData::Cname(target) => {
                    let mut a = self.resolve_chain(View::Vpc(vpc), target, depth + 1);
                    let link = Cname { name: name.to_string(), target: target.clone(), ttl: r.ttl };
                    a.cnames.insert(0, link);
                    return a;
                }
                RecordData::Aaaa(_) | RecordData::Txt(_) => {}
            }
        }
        Answer::found(Vec::new(), 300)
    }

    /// P9, P13: a service's private DNS name answers the endpoint ENIs inside a consumer VPC
    /// with private DNS enabled; P12: a provider's name only once verified. A wildcard name
    /// (`*.dkr.ecr.<region>.amazonaws.com`) answers every name under it. With the answer, the
    /// length of the zone's domain (the name, or the wildcard's parent).
    fn resolve_private_dns(&self, vpc: VpcId, name: &str) -> Option<(Answer, usize)> {
        let parent = name.split_once('.').map(|(_, parent)| parent);
        let wildcard = parent.map(|p| format!("*.{p}"));
        let exact = self.private_dns_endpoint(vpc, name).map(|e| (e, name.len()));
        let (e, domain_len) = exact.or_else(|| {
            let e = self.private_dns_endpoint(vpc, wildcard.as_deref()?)?;
            Some((e, parent?.len()))
        })?;
        Some((Answer::found(self.endpoint_addresses(&self[e], None), 60), domain_len))
    }

    /// P9, P13: the oldest resolving endpoint of `vpc` whose usable private DNS name is `name`.
    fn private_dns_endpoint(&self, vpc: VpcId, name: &str) -> Option<EndpointId> {
        self.dns_names().private(vpc, name).iter().copied().find(|&ep| {
            let e = &self[ep];
            let live = match e.service {
                ServiceRef::Provider(s) => self[s].state == ServiceState::Available,
                ServiceRef::Aws(a) => a.answers_privately(),
            };
            e.vpc == vpc
                && e.private_dns_enabled
                && endpoint_resolves(e)
                && live
                && self.endpoint_private_dns_name(e.service).is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
    }

    /// Hosts of the simulated internet: checkip, and the region's AWS service names.
    fn resolve_internet_name(&self, name: &str) -> Option<Answer> {
        if name == "checkip.amazonaws.com" {
            return Some(Answer::found(vec![crate::region::CHECKIP_ADDR], 60));
        }
        let service = strip_domain(name.strip_suffix(".amazonaws.com")?, self.region().name)?;
        let known = AwsService::answering(self.region().name, name);
        if let Some(addr) = self.region().gateway_service_addr(known.map_or(service, |a| a.short_name())) {
            // E3: S3 and DynamoDB answer public addresses inside their prefix lists, gateway endpoint or not.
            return Some(Answer::found(vec![addr], 60));
        }
        // P13: an AWS service's name (`ssm`, `api.ecr`, `<id>.dkr.ecr`) or any other plain one.
        let plain = !service.is_empty() && service.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        (plain || known.is_some()).then(|| Answer::found(vec![self.region().service_addr()], 60))
    }
}

/// P6: an endpoint's names answer while its interfaces exist.
fn endpoint_resolves(e: &VpcEndpoint) -> bool {
    !matches!(e.state, EndpointState::Deleting | EndpointState::Deleted | EndpointState::Failed)
}

/// `10-0-0-5` as an address.
fn dashed_ip(s: &str) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut parts = s.split('-');
    for o in &mut octets {
        let part = parts.next()?;
        // As `Ipv4Addr`'s parser: decimal digits only, no leading zero.
        if part.is_empty()
            || !part.bytes().all(|b| b.is_ascii_digit())
            || (part.len() > 1 && part.starts_with('0'))
        {
            return None;
        }
        *o = part.parse().ok()?;
    }
    parts.next().is_none().then_some(Ipv4Addr::from(octets))
}

/// `name` without `.domain` at its end.
fn strip_domain<'a>(name: &'a str, domain: &str) -> Option<&'a str> {
    name.strip_suffix(domain)?.strip_suffix('.')
}

/// `name` without the region's EC2 domain: `us_east_1` there (D2, D3), `<region>.<domain>` elsewhere;
/// what [`crate::region::Region::internal_suffix`] and `public_suffix` spell, without building it.
fn strip_region_domain<'a>(name: &'a str, region: &str, us_east_1: &str, domain: &str) -> Option<&'a str> {
    if region == "us-east-1" {
        strip_domain(name, us_east_1)
    } else {
        strip_domain(strip_domain(name, domain)?, region)
    }
}

/// The name in lowercase, borrowed when it already is (names are compared lowercase).
fn lowercase(name: &str) -> std::borrow::Cow<'_, str> {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(name.to_ascii_lowercase())
    } else {
        std::borrow::Cow::Borrowed(name)
    }
}
