//! Reachability Analyzer and Network Access Analyzer calls (RA1, RA4):
//! create-network-insights-path and start-network-insights-analysis, access scopes and
//! their analyses, and the deletes. A start computes its result from the world as it
//! is at once; the analysis shows `running` until its time on the virtual clock has
//! passed ([`crate::model::insights`]).

use std::net::Ipv4Addr;

use serde_json::Value;

use super::ApiResult;
use crate::addr::Protocol;
use crate::analyzer::scope::Scope;
use crate::analyzer::{access, path, select, Matrix};
use crate::error::ApiError;
use crate::ids::*;
use crate::model::insights::*;
use crate::world::{Handle, World};

/// Options of CreateNetworkInsightsPath, ids still as text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateNetworkInsightsPath {
    /// `--source`: an instance, a network interface or an internet gateway.
    pub source: String,
    /// `--destination`: an instance, a network interface, an internet gateway, a load balancer or an interface endpoint.
    pub destination: Option<String>,
    /// `--source-ip`.
    pub source_ip: Option<Ipv4Addr>,
    /// `--destination-ip`.
    pub destination_ip: Option<Ipv4Addr>,
    /// `--protocol`.
    pub protocol: Protocol,
    /// `--destination-port`.
    pub destination_port: Option<u16>,
    /// `--filter-at-source`.
    pub filter_at_source: Option<PathFilter>,
}

/// Whether an address can be a host on the internet (outside private, shared and special ranges).
fn public(ip: Ipv4Addr) -> bool {
    let shared = crate::addr::Cidr::new(Ipv4Addr::new(100, 64, 0, 0), 10);
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_unspecified()
        || shared.contains(ip))
}

impl World {
    /// A Reachability Analyzer path by id.
    pub fn insights_path_id(&self, op: &str, id: &str) -> ApiResult<InsightsPathId> {
        self.lookup(op, id, "InvalidNetworkInsightsPathId.NotFound", |h| match h {
            Handle::InsightsPath(x) if !self.insights_paths[x].deleted => Some(x),
            _ => None,
        })
    }

    /// A Reachability Analyzer analysis by id.
    pub fn insights_analysis_id(&self, op: &str, id: &str) -> ApiResult<InsightsAnalysisId> {
        self.lookup(op, id, "InvalidNetworkInsightsAnalysisId.NotFound", |h| match h {
            Handle::InsightsAnalysis(x) if !self.insights_analyses[x].deleted => Some(x),
            _ => None,
        })
    }

    /// An access scope by id.
    pub fn access_scope_id(&self, op: &str, id: &str) -> ApiResult<AccessScopeId> {
        self.lookup(op, id, "InvalidNetworkInsightsAccessScopeId.NotFound", |h| match h {
            Handle::AccessScope(x) if !self.access_scopes[x].deleted => Some(x),
            _ => None,
        })
    }

    /// An access scope analysis by id.
    pub fn access_scope_analysis_id(&self, op: &str, id: &str) -> ApiResult<AccessScopeAnalysisId> {
        self.lookup(op, id, "InvalidNetworkInsightsAccessScopeAnalysisId.NotFound", |h| match h {
            Handle::AccessScopeAnalysis(x) if !self.access_scope_analyses[x].deleted => Some(x),
            _ => None,
        })
    }

    /// The resource an id names, or an EC2 ARN of this region and account names
    /// (`arn:aws:ec2:REGION:ACCOUNT:instance/i-...`): AWS takes either for a path's ends.
    fn find_id_or_arn(&self, id: &str) -> Option<Handle> {
        let prefix = format!("arn:aws:ec2:{}:{}:", self.region().name, self.account_id());
        let by_arn = || id.strip_prefix(&prefix)?.split_once('/').and_then(|(_, rid)| self.find(rid));
        self.find(id).or_else(by_arn)
    }

    /// One end of a path by id or ARN: the kinds `allowed` names.
    fn path_end(&self, op: &str, id: &str, destination: bool) -> ApiResult<PathEnd> {
        let end = match self.find_id_or_arn(id) {
            Some(Handle::Instance(i)) if self.instances[i].state.as_str() != "terminated" => {
                Some(PathEnd::Instance(i))
            }
            Some(Handle::Eni(e)) if !self.enis[e].deleted => Some(PathEnd::Interface(e)),
            Some(Handle::Igw(g)) if !self.igws[g].deleted => Some(PathEnd::InternetGateway(g)),
            Some(Handle::Lb(lb)) if destination && !self.lbs[lb].deleted => Some(PathEnd::LoadBalancer(lb)),
            Some(Handle::Endpoint(ep)) if destination && self.endpoints[ep].state.as_str() != "deleted" => {
                Some(PathEnd::Endpoint(ep))
            }
            _ => None,
        };
        end.ok_or_else(|| {
            let kinds = if destination {
                "an instance, a network interface, an internet gateway, a load balancer or an interface VPC endpoint"
            } else {
                "an instance, a network interface or an internet gateway"
            };
            let side = if destination { "destination" } else { "source" };
            ApiError::new(op, "InvalidParameterValue", format!("The {side} '{id}' is not {kinds} of this region"))
        })
    }

    /// The addresses of an end (private and public).
    fn end_addresses(&self, end: PathEnd) -> Vec<Ipv4Addr> {
        let enis: Vec<EniId> = match end {
            PathEnd::Instance(i) => vec![self.instances[i].eni],
            PathEnd::Interface(e) => vec![e],
            PathEnd::LoadBalancer(lb) => self.lbs[lb].nodes.iter().map(|n| n.eni).collect(),
            PathEnd::Endpoint(ep) => self.endpoints[ep].enis.clone(),
            PathEnd::InternetGateway(_) => Vec::new(),
        };
        enis.into_iter()
            .flat_map(|e| [Some(self.enis[e].private_ip), self.public_ip_of(e)])
            .flatten()
            .collect()
    }

    /// Whether `ip` can stand for `end`: one of its addresses, or any public address behind a gateway.
    fn address_of_end(&self, end: PathEnd, ip: Ipv4Addr) -> bool {
        match end {
            PathEnd::InternetGateway(_) => public(ip),
            _ => self.end_addresses(end).contains(&ip),
        }
    }

    /// CreateNetworkInsightsPath (RA4): the ends resolved and every address checked against
    /// them, and the path refused when vpcsim could not analyze it as one flow.
    pub fn create_network_insights_path(
        &mut self,
        req: CreateNetworkInsightsPath,
    ) -> ApiResult<InsightsPathId> {
        const OP: &str = "CreateNetworkInsightsPath";
        let invalid = |m: String| ApiError::new(OP, "InvalidParameterValue", m);
        let source = self.path_end(OP, &req.source, false)?;
        let destination = req.destination.as_deref().map(|d| self.path_end(OP, d, true)).transpose()?;
        if destination.is_none() && req.destination_ip.is_none() {
            return Err(ApiError::new(
                OP,
                "MissingParameter",
                "Either Destination or DestinationIp must be specified",
            ));
        }
        if req.filter_at_source.is_some() && (req.source_ip.is_some() || req.destination_port.is_some()) {
            return Err(invalid("FilterAtSource cannot be combined with SourceIp or DestinationPort".into()));
        }
        let filter = req.filter_at_source.unwrap_or_default();
        if let Some(ip) = req.source_ip.or(filter.source_address) {
            if !self.address_of_end(source, ip) {
                return Err(invalid(format!(
                    "The source IP {ip} is not an address of the source {}",
                    req.source
                )));
            }
        }
        if let (Some(ip), Some(end)) = (req.destination_ip.or(filter.destination_address), destination) {
            if !self.address_of_end(end, ip) {
                let d = req.destination.as_deref().unwrap_or_default();
                return Err(invalid(format!(
                    "The destination IP {ip} is not an address of the destination {d}"
                )));
            }
        }
        if req.protocol == Protocol::Icmp {
            return Err(invalid("Protocol must be tcp or udp".into()));
        }
        let path = NetworkInsightsPath {
            aws_id: String::new(),
            source,
            destination,
            source_ip: req.source_ip,
            destination_ip: req.destination_ip,
            protocol: req.protocol,
            destination_port: req.destination_port,
            filter_at_source: req.filter_at_source,
            created_ms: self.now_ms,
            deleted: false,
        };
        if let Some(why) = path::unanalyzable(self, &path) {
            return Err(invalid(why));
        }
        let aws_id = self.ids.aws_id("nip");
        Ok(self.insights_paths.insert(
            &mut self.by_aws_id,
            Handle::InsightsPath,
            NetworkInsightsPath { aws_id, ..path },
        ))
    }

    /// StartNetworkInsightsAnalysis (RA1): the path analyzed in the world as it is now;
    /// the analysis is `running` for [`PATH_ANALYSIS_MS`] of virtual time.
    pub fn start_network_insights_analysis(&mut self, p: InsightsPathId) -> ApiResult<InsightsAnalysisId> {
        let result = match path::analyze(self, &self.insights_paths[p]) {
            Ok(a) => AnalysisResult::Analyzed(a),
            Err(why) => AnalysisResult::Failed(why),
        };
        let aws_id = self.ids.aws_id("nia");
        let analysis =
            NetworkInsightsAnalysis { aws_id, path: p, started_ms: self.now_ms, result, deleted: false };
        Ok(self.insights_analyses.insert(&mut self.by_aws_id, Handle::InsightsAnalysis, analysis))
    }

    /// DeleteNetworkInsightsPath: AWS refuses while analyses of it remain.
    pub fn delete_network_insights_path(&mut self, p: InsightsPathId) -> ApiResult<()> {
        if let Some((_, a)) = self.insights_analyses.live().find(|(_, a)| a.path == p) {
            return Err(ApiError::new(
                "DeleteNetworkInsightsPath",
                "DependencyViolation",
                format!(
                    "The path {} has analyses ({}); delete them first",
                    self.insights_paths[p].aws_id, a.aws_id
                ),
            ));
        }
        self.insights_paths[p].deleted = true;
        Ok(())
    }

    /// DeleteNetworkInsightsAnalysis.
    pub fn delete_network_insights_analysis(&mut self, a: InsightsAnalysisId) {
        self.insights_analyses[a].deleted = true;
    }

    /// CreateNetworkInsightsAccessScope (RA4): the statements, validated, and the JSON they came as.
    pub fn create_network_insights_access_scope(
        &mut self,
        scope: Scope,
        match_paths: Value,
        exclude_paths: Value,
    ) -> AccessScopeId {
        let aws_id = self.ids.aws_id("nis");
        let s = AccessScope {
            aws_id,
            scope,
            match_paths,
            exclude_paths,
            created_ms: self.now_ms,
            deleted: false,
        };
        self.access_scopes.insert(&mut self.by_aws_id, Handle::AccessScope, s)
    }

    /// StartNetworkInsightsAccessScopeAnalysis (RA4): the scope's findings over every source,
    /// destination and port of the world now (the default ports and those the scope names;
    /// its prefix lists' entries as they are now), one finding per source, destination and
    /// port, each with its path's components; the destinations include the internet
    /// ([`crate::analyzer::egress`]). The matrix is computed as `vpcsim reach`
    /// computes it, its source classes spread over rayon's threads: the same findings, in
    /// the same order, as on one thread.
    pub fn start_network_insights_access_scope_analysis(
        &mut self,
        s: AccessScopeId,
    ) -> AccessScopeAnalysisId {
        let scope = self.access_scopes[s].scope.with_prefix_lists_of(self);
        let probes = access::probes_for(std::slice::from_ref(&scope));
        let targets = crate::analyzer::egress::targets(self, std::slice::from_ref(&scope));
        let m = Matrix::compute_parallel(self, select::sources(self, &[]), targets, probes);
        let aws_id = self.ids.aws_id("nisa");
        let mut findings = Vec::new();
        for f in access::findings(self, &m, &scope) {
            for &src in &f.sources {
                for &dst in &f.targets {
                    let path = access::path(self, m.sources[src], m.targets[dst], m.probes[f.probe]);
                    let Some(trace) = path else { continue };
                    let n = findings.len() + 1;
                    let components = crate::trace::analysis(self, &trace).forward_path_components;
                    findings.push(ScopeFinding { finding_id: finding_id(&aws_id, n), components });
                }
            }
        }
        let analyzed_eni_count = self.enis.arena().live().count();
        let analysis = AccessScopeAnalysis {
            aws_id,
            scope: s,
            started_ms: self.now_ms,
            findings,
            analyzed_eni_count,
            deleted: false,
        };
        self.access_scope_analyses.insert(&mut self.by_aws_id, Handle::AccessScopeAnalysis, analysis)
    }

    /// DeleteNetworkInsightsAccessScope: AWS refuses while analyses of it remain.
    pub fn delete_network_insights_access_scope(&mut self, s: AccessScopeId) -> ApiResult<()> {
        if let Some((_, a)) = self.access_scope_analyses.live().find(|(_, a)| a.scope == s) {
            return Err(ApiError::new(
                "DeleteNetworkInsightsAccessScope",
                "DependencyViolation",
                format!(
                    "The access scope {} has analyses ({}); delete them first",
                    self.access_scopes[s].aws_id, a.aws_id
                ),
            ));
        }
        self.access_scopes[s].deleted = true;
        Ok(())
    }

    /// DeleteNetworkInsightsAccessScopeAnalysis.
    pub fn delete_network_insights_access_scope_analysis(&mut self, a: AccessScopeAnalysisId) {
        self.access_scope_analyses[a].deleted = true;
    }

    /// When the next running analysis is done (virtual milliseconds), for `wait-for`.
    pub(crate) fn next_analysis_end(&self) -> Option<u64> {
        let now = self.now_ms;
        let paths = self.insights_analyses.live().map(|(_, a)| a.end_ms());
        let scopes = self.access_scope_analyses.live().map(|(_, a)| a.end_ms());
        paths.chain(scopes).filter(|at| *at > now).min()
    }
}

/// A finding id shaped like AWS's (a UUID), fixed by the analysis id and the finding's position.
fn finding_id(analysis: &str, n: usize) -> String {
    let h = super::prefix_list::stable_hash(&format!("{analysis}/{n}"));
    let g = super::prefix_list::stable_hash(&format!("{n}/{analysis}"));
    crate::ids::uuid_shaped(h, g)
}
