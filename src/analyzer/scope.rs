//! Network Access Analyzer scopes (RA4), read verbatim from AWS's JSON: `MatchPaths`
//! and `ExcludePaths`, each path a `Source`, a `Destination` (a `ResourceStatement` of
//! `Resources` or `ResourceTypes`, a `PacketHeaderStatement` of addresses, prefix lists,
//! ports and protocols) and `ThroughResources`. Read once into typed statements ([`Scope`]);
//! a path is then matched against what the walk saw ([`PathFacts`]).

use std::net::Ipv4Addr;

use serde::Deserialize;

use crate::addr::{Cidr, PortRange, Protocol};
use crate::trace::ComponentKind;
use crate::world::World;

/// A scope as AWS writes it.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct ScopeJson {
    /// Paths to find.
    #[serde(default)]
    pub match_paths: Vec<PathJson>,
    /// Paths to leave out.
    #[serde(default)]
    pub exclude_paths: Vec<PathJson>,
}

/// A scope file as people save it: the [`ScopeJson`] document itself, or the output of
/// `aws ec2 get-network-insights-access-scope-content` (or of
/// `create-network-insights-access-scope`) with the paths under
/// `NetworkInsightsAccessScopeContent`, or that content object alone. (A bare JSON list,
/// the value of `--match-paths`, is read before this.)
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct DocumentJson {
    #[serde(default)]
    match_paths: Option<Vec<PathJson>>,
    #[serde(default)]
    exclude_paths: Option<Vec<PathJson>>,
    /// The id a content object names (which scope it was): the paths are what count.
    #[serde(default, rename = "NetworkInsightsAccessScopeId")]
    _scope_id: Option<String>,
    /// The content of a get or create output.
    #[serde(default)]
    network_insights_access_scope_content: Option<ContentJson>,
    /// The scope's own description in a create output (id, ARN, dates, tags): it says
    /// nothing about paths.
    #[serde(default)]
    network_insights_access_scope: Option<serde::de::IgnoredAny>,
}

/// `NetworkInsightsAccessScopeContent`: AWS's output of a scope's paths.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct ContentJson {
    #[serde(default, rename = "NetworkInsightsAccessScopeId")]
    _scope_id: Option<String>,
    #[serde(default)]
    match_paths: Vec<PathJson>,
    #[serde(default)]
    exclude_paths: Vec<PathJson>,
}

/// One `AccessScopePathRequest`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct PathJson {
    /// Where the path starts.
    pub source: Option<StatementJson>,
    /// Where it ends.
    pub destination: Option<StatementJson>,
    /// What it passes through (each statement must be passed).
    #[serde(default)]
    pub through_resources: Vec<ThroughJson>,
}

/// One `PathStatementRequest`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct StatementJson {
    /// Packet header conditions.
    pub packet_header_statement: Option<HeaderJson>,
    /// Resource conditions.
    pub resource_statement: Option<ResourceJson>,
}

/// One `ThroughResourcesStatementRequest`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct ThroughJson {
    /// The resources passed.
    pub resource_statement: Option<ResourceJson>,
}

/// One `ResourceStatementRequest`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct ResourceJson {
    /// Resource ids (or ARNs).
    #[serde(default)]
    pub resources: Vec<String>,
    /// CloudFormation resource types (`AWS::EC2::InternetGateway`).
    #[serde(default)]
    pub resource_types: Vec<String>,
}

/// One `PacketHeaderStatementRequest`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct HeaderJson {
    /// Source CIDR blocks.
    #[serde(default)]
    pub source_addresses: Vec<String>,
    /// Destination CIDR blocks.
    #[serde(default)]
    pub destination_addresses: Vec<String>,
    /// Source ports (`80`, `1024-65535`).
    #[serde(default)]
    pub source_ports: Vec<String>,
    /// Destination ports.
    #[serde(default)]
    pub destination_ports: Vec<String>,
    /// Source prefix lists (`pl-...`): their entries hold the source address.
    #[serde(default)]
    pub source_prefix_lists: Vec<String>,
    /// Destination prefix lists: their entries hold a destination address.
    #[serde(default)]
    pub destination_prefix_lists: Vec<String>,
    /// `tcp`, `udp` (and vpcsim's `icmp`).
    #[serde(default)]
    pub protocols: Vec<String>,
}

/// The resource types a scope may name, with the trace component kinds they match.
pub const RESOURCE_TYPES: [(&str, ResourceType); 13] = [
    ("AWS::EC2::Instance", ResourceType::Instance),
    ("AWS::EC2::NetworkInterface", ResourceType::NetworkInterface),
    ("AWS::EC2::InternetGateway", ResourceType::InternetGateway),
    ("AWS::EC2::NatGateway", ResourceType::NatGateway),
    ("AWS::EC2::VPCPeeringConnection", ResourceType::PeeringConnection),
    ("AWS::EC2::VPCEndpoint", ResourceType::VpcEndpoint),
    ("AWS::EC2::VPCEndpointService", ResourceType::VpcEndpointService),
    ("AWS::ElasticLoadBalancingV2::LoadBalancer", ResourceType::LoadBalancer),
    ("AWS::ElasticLoadBalancingV2::TargetGroup", ResourceType::TargetGroup),
    ("AWS::EC2::SecurityGroup", ResourceType::SecurityGroup),
    ("AWS::EC2::NetworkAcl", ResourceType::NetworkAcl),
    ("AWS::EC2::RouteTable", ResourceType::RouteTable),
    ("AWS::EC2::Subnet", ResourceType::Subnet),
];

/// A resource type a scope names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ResourceType {
    /// An instance.
    Instance,
    /// A network interface (of an instance, a load balancer node or an endpoint).
    NetworkInterface,
    /// An internet gateway (as a source: the internet through it).
    InternetGateway,
    /// A NAT gateway.
    NatGateway,
    /// A VPC peering connection.
    PeeringConnection,
    /// A VPC endpoint.
    VpcEndpoint,
    /// An endpoint service.
    VpcEndpointService,
    /// A load balancer.
    LoadBalancer,
    /// A target group.
    TargetGroup,
    /// A security group.
    SecurityGroup,
    /// A network ACL.
    NetworkAcl,
    /// A route table.
    RouteTable,
    /// A subnet (of a source or destination).
    Subnet,
}

impl ResourceType {
    /// The type of a trace component.
    pub fn of_component(kind: ComponentKind) -> Option<ResourceType> {
        Some(match kind {
            ComponentKind::Instance => ResourceType::Instance,
            ComponentKind::NetworkInterface => ResourceType::NetworkInterface,
            ComponentKind::SecurityGroup => ResourceType::SecurityGroup,
            ComponentKind::NetworkAcl => ResourceType::NetworkAcl,
            ComponentKind::RouteTable => ResourceType::RouteTable,
            ComponentKind::InternetGateway => ResourceType::InternetGateway,
            ComponentKind::NatGateway => ResourceType::NatGateway,
            ComponentKind::VpcPeeringConnection => ResourceType::PeeringConnection,
            ComponentKind::LoadBalancer => ResourceType::LoadBalancer,
            ComponentKind::TargetGroup => ResourceType::TargetGroup,
            ComponentKind::VpcEndpoint => ResourceType::VpcEndpoint,
            ComponentKind::VpcEndpointService => ResourceType::VpcEndpointService,
            ComponentKind::LoadBalancerListener | ComponentKind::Internet => return None,
        })
    }
}

/// Resources by id or type; empty lists match anything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Resources {
    /// Ids (or ARNs).
    pub ids: Vec<String>,
    /// Types.
    pub types: Vec<ResourceType>,
}

impl Resources {
    /// Whether one side (its ids and types) matches: some id, and some type, when given.
    pub fn matches<'a>(&self, ids: impl IntoIterator<Item = &'a str>, types: &[ResourceType]) -> bool {
        let by_id = self.ids.is_empty() || ids.into_iter().any(|i| self.ids.iter().any(|x| x == i));
        let by_type = self.types.is_empty() || types.iter().any(|t| self.types.contains(t));
        by_id && by_type
    }
}

/// A managed prefix list a scope names (AWS's, such as S3's, or the account's), with the
/// blocks it held when last read from the world.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrefixListBlocks {
    /// `pl-...`.
    pub id: String,
    /// Its entries' blocks.
    pub blocks: Vec<Cidr>,
}

/// Whether an address condition holds: no block and no list given, or some block or some
/// list's entry holds one of `addresses`.
fn address_ok(blocks: &[Cidr], lists: &[PrefixListBlocks], addresses: &[Ipv4Addr]) -> bool {
    let held = |c: &Cidr| addresses.iter().any(|a| c.contains(*a));
    (blocks.is_empty() && lists.is_empty())
        || blocks.iter().any(held)
        || lists.iter().any(|l| l.blocks.iter().any(held))
}

/// Packet header conditions; an empty list matches anything. On each side, addresses and
/// prefix lists are alternatives: the address must be in some block or some list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Headers {
    /// Blocks holding the source address.
    pub source_addresses: Vec<Cidr>,
    /// Blocks holding a destination address.
    pub destination_addresses: Vec<Cidr>,
    /// Prefix lists holding the source address.
    pub source_prefix_lists: Vec<PrefixListBlocks>,
    /// Prefix lists holding a destination address.
    pub destination_prefix_lists: Vec<PrefixListBlocks>,
    /// Source ports.
    pub source_ports: Vec<PortRange>,
    /// Destination ports.
    pub destination_ports: Vec<PortRange>,
    /// Protocols.
    pub protocols: Vec<Protocol>,
}

impl Headers {
    /// The source address condition.
    pub fn source_ok(&self, src: Ipv4Addr) -> bool {
        address_ok(&self.source_addresses, &self.source_prefix_lists, &[src])
    }

    /// The destination address condition: some address of the destination.
    pub fn destination_ok(&self, dst: &[Ipv4Addr]) -> bool {
        address_ok(&self.destination_addresses, &self.destination_prefix_lists, dst)
    }

    /// The protocol and port conditions.
    pub fn probe_ok(&self, protocol: Protocol, src_port: u16, dst_port: u16) -> bool {
        let ports = |list: &[PortRange], p: u16| list.is_empty() || list.iter().any(|r| r.contains(p));
        let ported = protocol != Protocol::Icmp;
        (self.protocols.is_empty() || self.protocols.contains(&protocol))
            && (self.source_ports.is_empty() || (ported && ports(&self.source_ports, src_port)))
            && (self.destination_ports.is_empty() || (ported && ports(&self.destination_ports, dst_port)))
    }
}

/// One path statement, validated.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PathMatch {
    /// Source resources.
    pub source: Resources,
    /// Destination resources.
    pub destination: Resources,
    /// Header conditions of the source and destination statements together.
    pub headers: Headers,
    /// Each must be passed by some component of the path.
    pub through: Vec<Resources>,
}

/// A validated scope.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scope {
    /// Paths to find.
    pub matches: Vec<PathMatch>,
    /// Paths to leave out.
    pub excludes: Vec<PathMatch>,
}

/// A scope that could not be read, located in its file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct ScopeError {
    /// The file.
    pub file: String,
    /// Line (from 1).
    pub line: usize,
    /// Column (from 1).
    pub column: usize,
    /// What is wrong, and what to do.
    pub message: String,
}

/// The line and column (from 1) of the first `"needle"` in `text`, else 1:1.
fn locate(text: &str, needle: &str) -> (usize, usize) {
    let quoted = format!("\"{needle}\"");
    let Some(at) = text.find(&quoted).or_else(|| text.find(needle)) else { return (1, 1) };
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Reads a scope: AWS's JSON, every value checked, in no world (a prefix list it names
/// is an error: read it with [`parse_in`]).
///
/// ```
/// let scope = vpcsim::analyzer::scope::parse("s.json",
///     r#"{"MatchPaths": [{"Source": {"ResourceStatement": {"ResourceTypes": ["AWS::EC2::InternetGateway"]}}}]}"#).unwrap();
/// assert_eq!(scope.matches.len(), 1);
/// ```
pub fn parse(file: &str, text: &str) -> Result<Scope, ScopeError> {
    parse_with(file, text, &|_| None)
}

/// Reads a scope for world `w`: as [`parse`], and each prefix list it names
/// (`SourcePrefixLists`, `DestinationPrefixLists`) must be one of `w`'s managed prefix
/// lists, AWS's (S3, DynamoDB) or the account's; its entries are read now.
///
/// ```
/// use vpcsim::lab::{Lab, LabOptions};
///
/// let lab = Lab::ready(LabOptions::default()).unwrap();
/// let s3 = lab.world.aws_prefix_list(&format!("com.amazonaws.{}.s3", lab.world.region().name)).unwrap();
/// let text = format!(r#"{{"MatchPaths": [{{"Destination": {{"PacketHeaderStatement": {{"DestinationPrefixLists": ["{}"]}}}}}}]}}"#,
///     lab.world[s3].aws_id);
/// let scope = vpcsim::analyzer::scope::parse_in("s.json", &text, &lab.world).unwrap();
/// assert!(!scope.matches[0].headers.destination_prefix_lists[0].blocks.is_empty());
/// ```
pub fn parse_in(file: &str, text: &str, w: &World) -> Result<Scope, ScopeError> {
    parse_with(file, text, &|id| prefix_list_blocks(w, id))
}

/// Reads a scope to check world `w` with (`vpcsim check`): as [`parse_in`], and every
/// resource a statement names by id or ARN must be one of `w`'s, so that a typo or a
/// placeholder left in a ready scope is an error rather than a scope that holds because
/// it names nothing.
///
/// ```
/// use vpcsim::lab::{Lab, LabOptions};
///
/// let lab = Lab::ready(LabOptions::default()).unwrap();
/// let text = r#"{"MatchPaths": [{"Destination": {"ResourceStatement": {"Resources": ["subnet-0000"]}}}]}"#;
/// let e = vpcsim::analyzer::scope::parse_for("s.json", text, &lab.world).unwrap_err();
/// assert!(e.to_string().starts_with("s.json:1:"), "{e}");
/// ```
pub fn parse_for(file: &str, text: &str, w: &World) -> Result<Scope, ScopeError> {
    let scope = parse_in(file, text, w)?;
    let statements = scope.matches.iter().chain(&scope.excludes);
    let ids = statements.flat_map(|m| [&m.source, &m.destination].into_iter().chain(&m.through));
    if let Some(id) = ids.flat_map(|r| &r.ids).find(|id| w.find(id).is_none()) {
        let (line, column) = locate(text, id);
        return Err(ScopeError {
            file: file.to_string(),
            line,
            column,
            message: format!(
                "resource {id} is not in this world: name a resource of it by its id or ARN \
                 (a ready scope's REPLACE placeholder must be replaced)"
            ),
        });
    }
    Ok(scope)
}

/// The id an EC2 ARN names (`arn:aws:ec2:REGION:ACCOUNT:subnet/subnet-0a1b` is
/// `subnet-0a1b`), as the world knows EC2 resources; other ARNs (load balancers, target
/// groups) are ids of their own.
fn resource_id(id: &str) -> String {
    match id.strip_prefix("arn:").filter(|rest| rest.split(':').nth(1) == Some("ec2")) {
        Some(rest) => rest.rsplit('/').next().unwrap_or(rest).to_string(),
        None => id.to_string(),
    }
}

/// The blocks of `w`'s managed prefix list `id`, if it has one by that id.
fn prefix_list_blocks(w: &World, id: &str) -> Option<Vec<Cidr>> {
    let pl = w.prefix_list_id("", id).ok()?;
    Some(w[pl].cidrs().collect())
}

impl Scope {
    /// The scope with every prefix list's blocks read again from `w` (a list deleted
    /// since holds nothing), as an analysis started now sees them.
    pub fn with_prefix_lists_of(&self, w: &World) -> Scope {
        let mut out = self.clone();
        for m in out.matches.iter_mut().chain(out.excludes.iter_mut()) {
            let h = &mut m.headers;
            for l in h.source_prefix_lists.iter_mut().chain(h.destination_prefix_lists.iter_mut()) {
                l.blocks = prefix_list_blocks(w, &l.id).unwrap_or_default();
            }
        }
        out
    }
}

/// Managed prefix lists by id, with their blocks (`None`: no such list).
type PrefixLists<'a> = dyn Fn(&str) -> Option<Vec<Cidr>> + 'a;

/// serde's message without the ` at line L column C` it ends with (the error says where).
fn without_location(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rsplit_once(" at line ") {
        Some((message, _)) if e.line() > 0 => message.to_string(),
        _ => text,
    }
}

/// The scope document of `text` in any of the shapes people save ([`DocumentJson`], or a
/// bare list of match paths), syntax and unknown keys reported where serde found them.
fn document(file: &str, text: &str, fail: &Fail<'_>) -> Result<ScopeJson, ScopeError> {
    let located = |e: serde_json::Error| ScopeError {
        file: file.to_string(),
        line: e.line().max(1),
        column: e.column().max(1),
        message: format!("not an access scope: {}", without_location(&e)),
    };
    if text.trim_start().starts_with('[') {
        let match_paths: Vec<PathJson> = serde_json::from_str(text).map_err(located)?;
        return Ok(ScopeJson { match_paths, exclude_paths: Vec::new() });
    }
    let doc: DocumentJson = serde_json::from_str(text).map_err(located)?;
    match doc.network_insights_access_scope_content {
        Some(_) if doc.match_paths.is_some() || doc.exclude_paths.is_some() => Err(fail(
            "NetworkInsightsAccessScopeContent",
            "both MatchPaths and NetworkInsightsAccessScopeContent: give the paths once".into(),
        )),
        Some(content) => {
            Ok(ScopeJson { match_paths: content.match_paths, exclude_paths: content.exclude_paths })
        }
        None if doc.network_insights_access_scope.is_some() => Err(fail(
            "NetworkInsightsAccessScope",
            "NetworkInsightsAccessScope describes a scope but holds no paths: save the output of \
             get-network-insights-access-scope-content (or keep NetworkInsightsAccessScopeContent)"
                .into(),
        )),
        None => Ok(ScopeJson {
            match_paths: doc.match_paths.unwrap_or_default(),
            exclude_paths: doc.exclude_paths.unwrap_or_default(),
        }),
    }
}

fn parse_with(file: &str, text: &str, lists: &PrefixLists<'_>) -> Result<Scope, ScopeError> {
    let fail = |needle: &str, message: String| {
        let (line, column) = locate(text, needle);
        ScopeError { file: file.to_string(), line, column, message }
    };
    let raw = document(file, text, &fail)?;
    if raw.match_paths.is_empty() {
        return Err(fail("MatchPaths", "a scope needs at least one path in MatchPaths".into()));
    }
    let paths = |list: &[PathJson]| list.iter().map(|p| path(p, &fail, lists)).collect::<Result<Vec<_>, _>>();
    Ok(Scope { matches: paths(&raw.match_paths)?, excludes: paths(&raw.exclude_paths)? })
}

type Fail<'a> = dyn Fn(&str, String) -> ScopeError + 'a;

fn path(p: &PathJson, fail: &Fail<'_>, lists: &PrefixLists<'_>) -> Result<PathMatch, ScopeError> {
    let mut out = PathMatch::default();
    for (side, statement) in [(0, &p.source), (1, &p.destination)] {
        let Some(st) = statement else { continue };
        if let Some(r) = &st.resource_statement {
            let res = resources(r, fail)?;
            if side == 0 {
                out.source = res;
            } else {
                out.destination = res;
            }
        }
        if let Some(h) = &st.packet_header_statement {
            headers(h, &mut out.headers, fail, lists)?;
        }
    }
    for t in &p.through_resources {
        if let Some(r) = &t.resource_statement {
            out.through.push(resources(r, fail)?);
        }
    }
    Ok(out)
}

fn resources(r: &ResourceJson, fail: &Fail<'_>) -> Result<Resources, ScopeError> {
    let mut types = Vec::new();
    for t in &r.resource_types {
        match RESOURCE_TYPES.iter().find(|(name, _)| name == t) {
            Some((_, ty)) => types.push(*ty),
            None => {
                let known: Vec<&str> = RESOURCE_TYPES.iter().map(|(n, _)| *n).collect();
                return Err(fail(
                    t,
                    format!("resource type {t} is not modelled; use one of {}", known.join(", ")),
                ));
            }
        }
    }
    Ok(Resources { ids: r.resources.iter().map(|id| resource_id(id)).collect(), types })
}

/// The prefix lists `ids` names, each known to `lists` and holding some block.
fn prefix_lists(
    ids: &[String],
    fail: &Fail<'_>,
    lists: &PrefixLists<'_>,
) -> Result<Vec<PrefixListBlocks>, ScopeError> {
    ids.iter()
        .map(|id| match lists(id) {
            None => Err(fail(
                id,
                format!(
                    "prefix list {id} does not exist in this world; name a managed prefix list \
                     (aws ec2 describe-managed-prefix-lists) or give its blocks as addresses"
                ),
            )),
            Some(blocks) if blocks.is_empty() => Err(fail(
                id,
                format!("prefix list {id} has no entries, so no address could match it; add entries or leave it out"),
            )),
            Some(blocks) => Ok(PrefixListBlocks { id: id.clone(), blocks }),
        })
        .collect()
}

fn headers(
    h: &HeaderJson,
    out: &mut Headers,
    fail: &Fail<'_>,
    lists: &PrefixLists<'_>,
) -> Result<(), ScopeError> {
    out.source_prefix_lists.extend(prefix_lists(&h.source_prefix_lists, fail, lists)?);
    out.destination_prefix_lists.extend(prefix_lists(&h.destination_prefix_lists, fail, lists)?);
    let cidrs = |list: &[String]| {
        list.iter()
            .map(|c| {
                c.parse::<Cidr>().map_err(|_| fail(c, format!("{c} is not an IPv4 CIDR block (10.0.0.0/16)")))
            })
            .collect::<Result<Vec<_>, _>>()
    };
    let ports = |list: &[String]| {
        list.iter()
            .map(|p| {
                let (a, b) = p.split_once('-').unwrap_or((p, p));
                match (a.trim().parse::<u16>(), b.trim().parse::<u16>()) {
                    (Ok(a), Ok(b)) if a <= b => Ok(PortRange { from: a, to: b }),
                    _ => Err(fail(p, format!("{p} is not a port or a range of ports (80, 1024-65535)"))),
                }
            })
            .collect::<Result<Vec<_>, _>>()
    };
    out.source_addresses.extend(cidrs(&h.source_addresses)?);
    out.destination_addresses.extend(cidrs(&h.destination_addresses)?);
    out.source_ports.extend(ports(&h.source_ports)?);
    out.destination_ports.extend(ports(&h.destination_ports)?);
    for p in &h.protocols {
        let protocol = match p.to_ascii_lowercase().as_str() {
            "tcp" => Protocol::Tcp,
            "udp" => Protocol::Udp,
            "icmp" => Protocol::Icmp,
            _ => return Err(fail(p, format!("protocol {p}: expected tcp, udp or icmp"))),
        };
        out.protocols.push(protocol);
    }
    Ok(())
}
