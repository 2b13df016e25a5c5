//! The two sides of a matrix: sources (the internet, running instances, load balancer
//! nodes) and destinations (instances, load balancers, endpoints), and the filters
//! (`--from`, `--to`) that pick some of them by name, id, tag, subnet or VPC.

use std::net::Ipv4Addr;

use crate::ids::*;
use crate::model::instance::InstanceState;
use crate::model::Tags;
use crate::world::{Handle, World};

/// Where flows start.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    /// A client on the internet ([`crate::forward::INTERNET_CLIENT`]).
    Internet,
    /// A running instance, from its primary interface.
    Instance(InstanceId),
    /// A load balancer node, from its interface.
    LbNode(LbId, EniId),
}

/// Where flows go.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    /// An instance, at its primary interface.
    Instance(InstanceId),
    /// A load balancer, at every node.
    Lb(LbId),
    /// An interface endpoint, at every interface.
    Endpoint(EndpointId),
    /// A host on the internet at this public address, reached through an internet gateway
    /// (Network Access Analyzer scopes only: `vpcsim reach` never lists it; see
    /// [`super::egress`]).
    Internet(Ipv4Addr),
}

/// One `--from` / `--to` filter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Filter {
    /// `internet`: the internet as a source.
    Internet,
    /// `vpc:NAME-OR-ID`.
    Vpc(String),
    /// `subnet:NAME-OR-ID`.
    Subnet(String),
    /// `tag:KEY=VALUE`.
    Tag(String, String),
    /// A Name tag, a load balancer's name or an AWS id (or ARN).
    Name(String),
}

impl Filter {
    /// Reads `internet`, `vpc:X`, `subnet:X`, `tag:KEY=VALUE` or a name or id.
    pub fn parse(text: &str) -> Filter {
        if let Some(v) = text.strip_prefix("vpc:") {
            return Filter::Vpc(v.to_string());
        }
        if let Some(s) = text.strip_prefix("subnet:") {
            return Filter::Subnet(s.to_string());
        }
        if let Some((k, v)) = text.strip_prefix("tag:").and_then(|t| t.split_once('=')) {
            return Filter::Tag(k.to_string(), v.to_string());
        }
        if text == "internet" {
            return Filter::Internet;
        }
        Filter::Name(text.to_string())
    }
}

/// What a filter sees of one side: its handle, tags, subnets and VPC.
struct Facts<'w> {
    handle: Option<Handle>,
    tags: Option<&'w Tags>,
    subnets: Vec<SubnetId>,
    vpc: Option<VpcId>,
    internet: bool,
    /// Other names a `Filter::Name` matches: a node's label (`LB@AZ`) and interface id.
    aliases: Vec<String>,
}

impl Facts<'_> {
    fn matches(&self, w: &World, f: &Filter) -> bool {
        let named = |h: Handle, x: &str| w.aws_id(h) == x || w.name_of(h) == Some(x);
        match f {
            Filter::Internet => self.internet,
            Filter::Vpc(x) => self.vpc.is_some_and(|v| named(Handle::Vpc(v), x)),
            Filter::Subnet(x) => self.subnets.iter().any(|s| named(Handle::Subnet(*s), x)),
            Filter::Tag(k, v) => self.tags.and_then(|t| t.get(k)).is_some_and(|t| t == v),
            Filter::Name(x) => {
                self.handle.is_some_and(|h| named(h, x)) || self.aliases.iter().any(|a| a == x)
            }
        }
    }
}

fn facts_of_source(w: &World, s: Source) -> Facts<'_> {
    match s {
        Source::Internet => Facts {
            handle: None,
            tags: None,
            subnets: Vec::new(),
            vpc: None,
            internet: true,
            aliases: Vec::new(),
        },
        Source::Instance(i) => facts_of_target(w, Target::Instance(i)),
        Source::LbNode(lb, eni) => {
            let mut facts = facts_of_target(w, Target::Lb(lb));
            facts.subnets = vec![w[eni].subnet];
            facts.aliases = vec![source_label(w, s), w.aws_id(Handle::Eni(eni)).to_string()];
            facts
        }
    }
}

fn facts_of_target(w: &World, t: Target) -> Facts<'_> {
    match t {
        Target::Instance(i) => {
            let eni = &w[w[i].eni];
            Facts {
                handle: Some(Handle::Instance(i)),
                tags: Some(&w[i].tags),
                subnets: w[i].enis().map(|e| w[e].subnet).collect(),
                vpc: Some(eni.vpc),
                internet: false,
                aliases: Vec::new(),
            }
        }
        Target::Lb(lb) => {
            let l = &w[lb];
            Facts {
                handle: Some(Handle::Lb(lb)),
                tags: Some(&l.tags),
                subnets: l.nodes.iter().map(|n| n.subnet).collect(),
                vpc: Some(l.vpc),
                internet: false,
                aliases: Vec::new(),
            }
        }
        Target::Endpoint(ep) => {
            let e = &w[ep];
            Facts {
                handle: Some(Handle::Endpoint(ep)),
                tags: Some(&e.tags),
                subnets: e.subnets.clone(),
                vpc: Some(e.vpc),
                internet: false,
                aliases: Vec::new(),
            }
        }
        Target::Internet(_) => Facts {
            handle: None,
            tags: None,
            subnets: Vec::new(),
            vpc: None,
            internet: true,
            aliases: Vec::new(),
        },
    }
}

/// Whether `filters` keep a side: no filter keeps everything, else any one must match.
fn kept(w: &World, facts: &Facts<'_>, filters: &[Filter]) -> bool {
    filters.is_empty() || filters.iter().any(|f| facts.matches(w, f))
}

/// Every source the filters keep, in a stable order: the internet, instances, then nodes.
pub fn sources(w: &World, filters: &[Filter]) -> Vec<Source> {
    let instances = w
        .instances()
        .iter()
        .filter(|(_, i)| i.state == InstanceState::Running)
        .map(|(id, _)| Source::Instance(id));
    let nodes = w.lbs().live().flat_map(|(id, lb)| lb.nodes.iter().map(move |n| Source::LbNode(id, n.eni)));
    std::iter::once(Source::Internet)
        .chain(instances)
        .chain(nodes)
        .filter(|s| kept(w, &facts_of_source(w, *s), filters))
        .collect()
}

/// Every destination the filters keep: instances (not terminated), load balancers, endpoints.
pub fn targets(w: &World, filters: &[Filter]) -> Vec<Target> {
    let instances = w
        .instances()
        .iter()
        .filter(|(_, i)| i.state != InstanceState::Terminated)
        .map(|(id, _)| Target::Instance(id));
    let lbs = w.lbs().live().map(|(id, _)| Target::Lb(id));
    let endpoints = w
        .endpoints()
        .iter()
        .filter(|(_, e)| e.enis.iter().any(|x| !w[x].deleted))
        .map(|(id, _)| Target::Endpoint(id));
    instances.chain(lbs).chain(endpoints).filter(|t| kept(w, &facts_of_target(w, *t), filters)).collect()
}

/// How a source is shown: the Name tag, else the id; a node as `LB@AZ`.
pub fn source_label(w: &World, s: Source) -> String {
    match s {
        Source::Internet => "internet".to_string(),
        Source::Instance(i) => label(w, Handle::Instance(i)),
        Source::LbNode(lb, eni) => {
            let az = w[lb].nodes.iter().find(|n| n.eni == eni).map_or("", |n| n.az);
            format!("{}@{az}", label(w, Handle::Lb(lb)))
        }
    }
}

/// How a destination is shown: the Name tag (a load balancer's name), else the id.
pub fn target_label(w: &World, t: Target) -> String {
    match t {
        Target::Instance(i) => label(w, Handle::Instance(i)),
        Target::Lb(lb) => label(w, Handle::Lb(lb)),
        Target::Endpoint(ep) => label(w, Handle::Endpoint(ep)),
        Target::Internet(ip) => format!("internet ({ip})"),
    }
}

fn label(w: &World, h: Handle) -> String {
    w.name_of(h).unwrap_or_else(|| w.aws_id(h)).to_string()
}

/// The AWS id of a source (`internet` for the internet, the node's interface for a node).
pub fn source_id(w: &World, s: Source) -> String {
    match s {
        Source::Internet => "internet".to_string(),
        Source::Instance(i) => w.aws_id(Handle::Instance(i)).to_string(),
        Source::LbNode(_, eni) => w.aws_id(Handle::Eni(eni)).to_string(),
    }
}

/// The AWS id (or ARN) of a destination (a host on the internet: its address).
pub fn target_id(w: &World, t: Target) -> String {
    let h = match t {
        Target::Instance(i) => Handle::Instance(i),
        Target::Lb(lb) => Handle::Lb(lb),
        Target::Endpoint(ep) => Handle::Endpoint(ep),
        Target::Internet(ip) => return ip.to_string(),
    };
    w.aws_id(h).to_string()
}
