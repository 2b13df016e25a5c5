//! Reachability Analyzer and Network Access Analyzer JSON (RA1, RA4): paths, analyses
//! (`NetworkPathFound`, `ForwardPathComponents`, `ReturnPathComponents`,
//! `Explanations` once succeeded), access scopes, their content, their analyses and
//! findings, with the field names of the AWS CLI.

use serde_json::{json, Value};

use super::timestamp;
use crate::ids::*;
use crate::model::insights::{AnalysisResult, AnalysisStatus, PathEnd, PathFilter};
use crate::world::{Handle, World};

fn arn(w: &World, kind: &str, id: &str) -> String {
    format!("arn:aws:ec2:{}:{}:{kind}/{id}", w.region().name, w.account_id())
}

/// The id and ARN of a path's end.
fn end_ids(w: &World, end: PathEnd) -> (String, String) {
    let (h, kind) = match end {
        PathEnd::Instance(i) => (Handle::Instance(i), Some("instance")),
        PathEnd::Interface(e) => (Handle::Eni(e), Some("network-interface")),
        PathEnd::InternetGateway(g) => (Handle::Igw(g), Some("internet-gateway")),
        PathEnd::LoadBalancer(lb) => (Handle::Lb(lb), None),
        PathEnd::Endpoint(ep) => (Handle::Endpoint(ep), Some("vpc-endpoint")),
    };
    let id = w.aws_id(h).to_string();
    let full = match kind {
        Some(kind) => arn(w, kind, &id),
        None => id.clone(),
    };
    (id, full)
}

fn filter_json(f: &PathFilter) -> Value {
    let mut v = json!({});
    if let Some(a) = f.source_address {
        v["SourceAddress"] = json!(a.to_string());
    }
    if let Some(p) = f.source_port {
        v["SourcePortRange"] = json!({"FromPort": p, "ToPort": p});
    }
    if let Some(a) = f.destination_address {
        v["DestinationAddress"] = json!(a.to_string());
    }
    if let Some(p) = f.destination_port {
        v["DestinationPortRange"] = json!({"FromPort": p, "ToPort": p});
    }
    v
}

/// One `NetworkInsightsPath`.
pub fn network_insights_path(w: &World, id: InsightsPathId) -> Value {
    let p = &w[id];
    let (source, source_arn) = end_ids(w, p.source);
    let mut v = json!({
        "NetworkInsightsPathId": p.aws_id,
        "NetworkInsightsPathArn": arn(w, "network-insights-path", &p.aws_id),
        "CreatedDate": timestamp(p.created_ms),
        "Source": source,
        "SourceArn": source_arn,
    });
    if let Some(d) = p.destination {
        let (destination, destination_arn) = end_ids(w, d);
        v["Destination"] = json!(destination);
        v["DestinationArn"] = json!(destination_arn);
    }
    if let Some(ip) = p.source_ip {
        v["SourceIp"] = json!(ip.to_string());
    }
    if let Some(ip) = p.destination_ip {
        v["DestinationIp"] = json!(ip.to_string());
    }
    v["Protocol"] = json!(p.protocol.to_string());
    if let Some(port) = p.destination_port {
        v["DestinationPort"] = json!(port);
    }
    if let Some(f) = &p.filter_at_source {
        v["FilterAtSource"] = filter_json(f);
    }
    v["Tags"] = json!([]);
    v
}

/// describe-network-insights-paths: every live path.
pub fn network_insights_paths(w: &World) -> Value {
    let list: Vec<Value> = w.insights_paths().live().map(|(id, _)| network_insights_path(w, id)).collect();
    json!({"NetworkInsightsPaths": list})
}

/// One `NetworkInsightsAnalysis`: its result once it has succeeded, `running` before.
pub fn network_insights_analysis(w: &World, id: InsightsAnalysisId) -> Value {
    let a = &w[id];
    let status = a.status(w.now_ms());
    let mut v = json!({
        "NetworkInsightsAnalysisId": a.aws_id,
        "NetworkInsightsAnalysisArn": arn(w, "network-insights-analysis", &a.aws_id),
        "NetworkInsightsPathId": w[a.path].aws_id,
        "StartDate": timestamp(a.started_ms),
        "Status": status.as_str(),
    });
    match (&a.result, status) {
        (_, AnalysisStatus::Running) => {}
        (AnalysisResult::Failed(why), _) => v["StatusMessage"] = json!(why),
        (AnalysisResult::Analyzed(result), _) => {
            let r = serde_json::to_value(result).unwrap_or(Value::Null);
            if let Value::Object(fields) = r {
                for (k, x) in fields {
                    if k == "Explanations" && x.as_array().is_some_and(|e| e.is_empty()) {
                        continue;
                    }
                    v[k] = x;
                }
            }
        }
    }
    v["Tags"] = json!([]);
    v
}

/// describe-network-insights-analyses: every live analysis.
pub fn network_insights_analyses(w: &World) -> Value {
    let list: Vec<Value> =
        w.insights_analyses().live().map(|(id, _)| network_insights_analysis(w, id)).collect();
    json!({"NetworkInsightsAnalyses": list})
}

/// One `NetworkInsightsAccessScope`.
pub fn access_scope(w: &World, id: AccessScopeId) -> Value {
    let s = &w[id];
    json!({
        "NetworkInsightsAccessScopeId": s.aws_id,
        "NetworkInsightsAccessScopeArn": arn(w, "network-insights-access-scope", &s.aws_id),
        "CreatedDate": timestamp(s.created_ms),
        "UpdatedDate": timestamp(s.created_ms),
        "Tags": [],
    })
}

/// describe-network-insights-access-scopes: every live scope.
pub fn access_scopes(w: &World) -> Value {
    let list: Vec<Value> = w.access_scopes().live().map(|(id, _)| access_scope(w, id)).collect();
    json!({"NetworkInsightsAccessScopes": list})
}

/// One `NetworkInsightsAccessScopeContent`: the paths as they were given.
pub fn access_scope_content(w: &World, id: AccessScopeId) -> Value {
    let s = &w[id];
    let mut v = json!({"NetworkInsightsAccessScopeId": s.aws_id, "MatchPaths": s.match_paths});
    if !s.exclude_paths.is_null() {
        v["ExcludePaths"] = s.exclude_paths.clone();
    }
    v
}

/// One `NetworkInsightsAccessScopeAnalysis`: `FindingsFound` is `unknown` while it runs.
pub fn access_scope_analysis(w: &World, id: AccessScopeAnalysisId) -> Value {
    let a = &w[id];
    let status = a.status(w.now_ms());
    let mut v = json!({
        "NetworkInsightsAccessScopeAnalysisId": a.aws_id,
        "NetworkInsightsAccessScopeAnalysisArn": arn(w, "network-insights-access-scope-analysis", &a.aws_id),
        "NetworkInsightsAccessScopeId": w[a.scope].aws_id,
        "Status": status.as_str(),
        "StartDate": timestamp(a.started_ms),
    });
    if status == AnalysisStatus::Running {
        v["FindingsFound"] = json!("unknown");
    } else {
        v["EndDate"] = json!(timestamp(a.end_ms()));
        v["FindingsFound"] = json!(if a.findings.is_empty() { "false" } else { "true" });
        v["AnalyzedEniCount"] = json!(a.analyzed_eni_count);
    }
    v["Tags"] = json!([]);
    v
}

/// describe-network-insights-access-scope-analyses: every live scope analysis.
pub fn access_scope_analyses(w: &World) -> Value {
    let list: Vec<Value> =
        w.access_scope_analyses().live().map(|(id, _)| access_scope_analysis(w, id)).collect();
    json!({"NetworkInsightsAccessScopeAnalyses": list})
}

/// get-network-insights-access-scope-analysis-findings: none while the analysis runs.
pub fn access_scope_findings(w: &World, id: AccessScopeAnalysisId) -> Value {
    let a = &w[id];
    let status = a.status(w.now_ms());
    let scope = &w[a.scope].aws_id;
    let findings: Vec<Value> = if status == AnalysisStatus::Running {
        Vec::new()
    } else {
        a.findings
            .iter()
            .map(|f| {
                json!({
                    "NetworkInsightsAccessScopeAnalysisId": a.aws_id,
                    "NetworkInsightsAccessScopeId": scope,
                    "FindingId": f.finding_id,
                    "FindingComponents": serde_json::to_value(&f.components).unwrap_or(Value::Null),
                })
            })
            .collect()
    };
    json!({
        "NetworkInsightsAccessScopeAnalysisId": a.aws_id,
        "AnalysisStatus": status.as_str(),
        "AnalysisFindings": findings,
    })
}
