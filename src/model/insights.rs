//! Reachability Analyzer and Network Access Analyzer resources (RA1, RA4): paths and
//! their analyses, access scopes and theirs. They change nothing the network does; an
//! analysis is computed from the world as it was when it started and shows `running`
//! until its duration on the virtual clock has passed, then its result.

use std::net::Ipv4Addr;

use serde_json::Value;

use crate::addr::Protocol;
use crate::analyzer::scope::Scope;
use crate::ids::*;
use crate::trace::{Analysis, PathComponent};

/// How long a path analysis runs on the virtual clock before it succeeds.
pub const PATH_ANALYSIS_MS: u64 = 30_000;

/// How long an access scope analysis runs on the virtual clock before it succeeds.
pub const SCOPE_ANALYSIS_MS: u64 = 60_000;

/// One end of a path, as its id named it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathEnd {
    /// An instance (its primary interface).
    Instance(InstanceId),
    /// A network interface.
    Interface(EniId),
    /// An internet gateway: the internet on its far side.
    InternetGateway(IgwId),
    /// A load balancer (every node).
    LoadBalancer(LbId),
    /// An interface VPC endpoint (every interface).
    Endpoint(EndpointId),
}

/// `--filter-at-source`: single values only (vpcsim analyzes one flow).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PathFilter {
    /// `SourceAddress`.
    pub source_address: Option<Ipv4Addr>,
    /// `SourcePortRange` of one port.
    pub source_port: Option<u16>,
    /// `DestinationAddress`.
    pub destination_address: Option<Ipv4Addr>,
    /// `DestinationPortRange` of one port.
    pub destination_port: Option<u16>,
}

/// A Reachability Analyzer path: what to analyze, resolved when it was created.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetworkInsightsPath {
    /// `nip-...`.
    pub aws_id: String,
    /// Where flows start.
    pub source: PathEnd,
    /// Where they should arrive (none when only an address is given).
    pub destination: Option<PathEnd>,
    /// `--source-ip`.
    pub source_ip: Option<Ipv4Addr>,
    /// `--destination-ip`.
    pub destination_ip: Option<Ipv4Addr>,
    /// `tcp` or `udp`.
    pub protocol: Protocol,
    /// `--destination-port`.
    pub destination_port: Option<u16>,
    /// `--filter-at-source`.
    pub filter_at_source: Option<PathFilter>,
    /// When it was created (virtual milliseconds).
    pub created_ms: u64,
    /// Deleted (its slot and id stay).
    pub deleted: bool,
}

/// What an analysis found, fixed when it started.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AnalysisResult {
    /// The path analyzed (RA1).
    Analyzed(Analysis),
    /// The analysis could not run, and why (AWS's `failed` with a status message).
    Failed(String),
}

/// The status an analysis shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnalysisStatus {
    /// Started, not done on the virtual clock yet.
    Running,
    /// Done.
    Succeeded,
    /// Could not run.
    Failed,
}

impl AnalysisStatus {
    /// The API's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            AnalysisStatus::Running => "running",
            AnalysisStatus::Succeeded => "succeeded",
            AnalysisStatus::Failed => "failed",
        }
    }
}

/// When an analysis started and how long it runs: its status at `now_ms`.
fn status_at(started_ms: u64, duration_ms: u64, failed: bool, now_ms: u64) -> AnalysisStatus {
    if now_ms < started_ms.saturating_add(duration_ms) {
        AnalysisStatus::Running
    } else if failed {
        AnalysisStatus::Failed
    } else {
        AnalysisStatus::Succeeded
    }
}

/// A Reachability Analyzer analysis of one path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetworkInsightsAnalysis {
    /// `nia-...`.
    pub aws_id: String,
    /// The path analyzed.
    pub path: InsightsPathId,
    /// When it started (virtual milliseconds).
    pub started_ms: u64,
    /// What it found.
    pub result: AnalysisResult,
    /// Deleted (its slot and id stay).
    pub deleted: bool,
}

impl NetworkInsightsAnalysis {
    /// Its status at `now_ms`: `running` for [`PATH_ANALYSIS_MS`], then its result's.
    pub fn status(&self, now_ms: u64) -> AnalysisStatus {
        let failed = matches!(self.result, AnalysisResult::Failed(_));
        status_at(self.started_ms, PATH_ANALYSIS_MS, failed, now_ms)
    }

    /// When it is done (virtual milliseconds).
    pub fn end_ms(&self) -> u64 {
        self.started_ms.saturating_add(PATH_ANALYSIS_MS)
    }
}

/// A Network Access Analyzer access scope: the statements, and the JSON they were given as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessScope {
    /// `nis-...`.
    pub aws_id: String,
    /// The statements, validated.
    pub scope: Scope,
    /// `MatchPaths` as given, for get-network-insights-access-scope-content.
    pub match_paths: Value,
    /// `ExcludePaths` as given.
    pub exclude_paths: Value,
    /// When it was created (virtual milliseconds).
    pub created_ms: u64,
    /// Deleted (its slot and id stay).
    pub deleted: bool,
}

/// One finding of a scope analysis: a path the scope matches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScopeFinding {
    /// A stable id derived from the analysis and the finding's position.
    pub finding_id: String,
    /// The path's components, shaped like a path analysis's (RA4).
    pub components: Vec<PathComponent>,
}

/// A Network Access Analyzer analysis of one scope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessScopeAnalysis {
    /// `nisa-...`.
    pub aws_id: String,
    /// The scope analyzed.
    pub scope: AccessScopeId,
    /// When it started (virtual milliseconds).
    pub started_ms: u64,
    /// What it found, one finding per source, destination and port.
    pub findings: Vec<ScopeFinding>,
    /// The interfaces the analysis looked at.
    pub analyzed_eni_count: usize,
    /// Deleted (its slot and id stay).
    pub deleted: bool,
}

impl AccessScopeAnalysis {
    /// Its status at `now_ms`: `running` for [`SCOPE_ANALYSIS_MS`], then `succeeded`.
    pub fn status(&self, now_ms: u64) -> AnalysisStatus {
        status_at(self.started_ms, SCOPE_ANALYSIS_MS, false, now_ms)
    }

    /// When it is done (virtual milliseconds).
    pub fn end_ms(&self) -> u64 {
        self.started_ms.saturating_add(SCOPE_ANALYSIS_MS)
    }
}
