//! Reachability Analyzer and Network Access Analyzer calls (RA1, RA4): paths,
//! analyses, access scopes, their analyses and findings. Ids are resolved and scopes
//! read (`file://` from the scenario's folder) before the op runs.

use serde_json::{json, Value};

use super::Answer;
use crate::command::aws::filter::Filter;
use crate::command::aws::request::{Insights, ScopePaths};
use crate::command::aws::Request;
use crate::describe::filter::{self as f, apply, only, FilterSet};
use crate::describe::insights as j;
use crate::error::ApiError;
use crate::session::Session;
use crate::world::World;

/// The answer of a network insights call, or `None` for any other call.
pub fn run(s: &mut Session, op: &str, request: &Request) -> Option<Answer> {
    use Request as R;
    Some(match request {
        R::CreateNetworkInsightsPath(req) => {
            let w = &mut s.world;
            w.create_network_insights_path(req.clone())
                .map(|p| json!({"NetworkInsightsPath": j::network_insights_path(w, p)}))
        }
        R::StartNetworkInsightsAnalysis { path_id } => {
            let w = &mut s.world;
            w.insights_path_id(op, path_id)
                .and_then(|p| w.start_network_insights_analysis(p))
                .map(|a| json!({"NetworkInsightsAnalysis": j::network_insights_analysis(w, a)}))
        }
        R::DescribeNetworkInsightsPaths { ids, filters } => {
            let w = &s.world;
            narrow(
                op,
                j::network_insights_paths(w),
                &f::NETWORK_INSIGHTS_PATHS,
                "NetworkInsightsPathId",
                ids,
                filters,
            )
        }
        R::DescribeNetworkInsightsAnalyses { ids, path_id, filters } => {
            analyses(&s.world, op, ids, path_id.as_deref(), filters)
        }
        R::DeleteNetworkInsights { what, id } => delete(&mut s.world, op, *what, id),
        R::CreateNetworkInsightsAccessScope { match_paths, exclude_paths } => {
            create_scope(s, op, match_paths, exclude_paths.as_ref())
        }
        R::StartNetworkInsightsAccessScopeAnalysis { scope_id } => {
            let w = &mut s.world;
            w.access_scope_id(op, scope_id).map(|x| {
                let a = w.start_network_insights_access_scope_analysis(x);
                json!({"NetworkInsightsAccessScopeAnalysis": j::access_scope_analysis(w, a)})
            })
        }
        R::GetNetworkInsightsAccessScopeAnalysisFindings { analysis_id } => {
            let w = &s.world;
            w.access_scope_analysis_id(op, analysis_id).map(|a| j::access_scope_findings(w, a))
        }
        R::DescribeNetworkInsightsAccessScopes { ids, filters } => {
            let w = &s.world;
            let set = &f::NETWORK_INSIGHTS_ACCESS_SCOPES;
            narrow(op, j::access_scopes(w), set, "NetworkInsightsAccessScopeId", ids, filters)
        }
        R::DescribeNetworkInsightsAccessScopeAnalyses { ids, scope_id, filters } => {
            scope_analyses(&s.world, op, ids, scope_id.as_deref(), filters)
        }
        R::GetNetworkInsightsAccessScopeContent { scope_id } => {
            let w = &s.world;
            w.access_scope_id(op, scope_id)
                .map(|x| json!({"NetworkInsightsAccessScopeContent": j::access_scope_content(w, x)}))
        }
        _ => return None,
    })
}

fn narrow(
    op: &str,
    mut doc: Value,
    set: &FilterSet,
    id_field: &str,
    ids: &[String],
    filters: &[Filter],
) -> Answer {
    only(op, &mut doc, set.key, id_field, ids, |id| {
        let kind = id_field.trim_end_matches("Id");
        (not_found_code(kind), format!("The {kind} '{id}' does not exist"))
    })?;
    apply(op, set, filters, &mut doc)?;
    Ok(doc)
}

/// AWS's `*.NotFound` code for each kind of network insights id.
fn not_found_code(kind: &str) -> &'static str {
    match kind {
        "NetworkInsightsPath" => "InvalidNetworkInsightsPathId.NotFound",
        "NetworkInsightsAnalysis" => "InvalidNetworkInsightsAnalysisId.NotFound",
        "NetworkInsightsAccessScope" => "InvalidNetworkInsightsAccessScopeId.NotFound",
        _ => "InvalidNetworkInsightsAccessScopeAnalysisId.NotFound",
    }
}

fn analyses(w: &World, op: &str, ids: &[String], path_id: Option<&str>, filters: &[Filter]) -> Answer {
    let mut doc = j::network_insights_analyses(w);
    if let Some(p) = path_id {
        w.insights_path_id(op, p)?;
        if let Some(items) = doc["NetworkInsightsAnalyses"].as_array_mut() {
            items.retain(|a| a["NetworkInsightsPathId"] == p);
        }
    }
    narrow(op, doc, &f::NETWORK_INSIGHTS_ANALYSES, "NetworkInsightsAnalysisId", ids, filters)
}

fn scope_analyses(w: &World, op: &str, ids: &[String], scope_id: Option<&str>, filters: &[Filter]) -> Answer {
    let mut doc = j::access_scope_analyses(w);
    if let Some(x) = scope_id {
        w.access_scope_id(op, x)?;
        if let Some(items) = doc["NetworkInsightsAccessScopeAnalyses"].as_array_mut() {
            items.retain(|a| a["NetworkInsightsAccessScopeId"] == x);
        }
    }
    let set = &f::NETWORK_INSIGHTS_ACCESS_SCOPE_ANALYSES;
    narrow(op, doc, set, "NetworkInsightsAccessScopeAnalysisId", ids, filters)
}

fn delete(w: &mut World, op: &str, what: Insights, id: &str) -> Answer {
    match what {
        Insights::Path => {
            let p = w.insights_path_id(op, id)?;
            w.delete_network_insights_path(p)?;
            Ok(json!({"NetworkInsightsPathId": id}))
        }
        Insights::Analysis => {
            let a = w.insights_analysis_id(op, id)?;
            w.delete_network_insights_analysis(a);
            Ok(json!({"NetworkInsightsAnalysisId": id}))
        }
        Insights::AccessScope => {
            let x = w.access_scope_id(op, id)?;
            w.delete_network_insights_access_scope(x)?;
            Ok(json!({"NetworkInsightsAccessScopeId": id}))
        }
        Insights::AccessScopeAnalysis => {
            let a = w.access_scope_analysis_id(op, id)?;
            w.delete_network_insights_access_scope_analysis(a);
            Ok(json!({"NetworkInsightsAccessScopeAnalysisId": id}))
        }
    }
}

/// The JSON of `--match-paths` or `--exclude-paths`: as given, or read from its file.
fn paths_json(s: &Session, op: &str, flag: &str, paths: &ScopePaths) -> Result<Value, ApiError> {
    match paths {
        ScopePaths::Json(v) => Ok(v.clone()),
        ScopePaths::File(name) => super::json_file(s, op, flag, name),
    }
}

fn create_scope(s: &mut Session, op: &str, match_paths: &ScopePaths, exclude: Option<&ScopePaths>) -> Answer {
    let matches = paths_json(s, op, "match-paths", match_paths)?;
    let excludes = exclude.map(|e| paths_json(s, op, "exclude-paths", e)).transpose()?;
    let doc = json!({"MatchPaths": matches, "ExcludePaths": excludes.clone().unwrap_or(json!([]))});
    let scope = crate::analyzer::scope::parse_in("--match-paths", &crate::describe::pretty(&doc), &s.world)
        .map_err(|e| ApiError::new(op, "InvalidParameterValue", e.to_string()))?;
    let w = &mut s.world;
    let x = w.create_network_insights_access_scope(scope, matches, excludes.unwrap_or(Value::Null));
    Ok(json!({
        "NetworkInsightsAccessScope": j::access_scope(w, x),
        "NetworkInsightsAccessScopeContent": j::access_scope_content(w, x),
    }))
}
