//! A matrix for machines (`vpcsim reach --json`): the sources and destinations with
//! their classes, the ports, and one cell per class pair and port; a pair a flow hash
//! decides lists each source's verdict.

use serde_json::{json, Value};

use crate::world::World;

use super::cell::Verdict;
use super::matrix::Matrix;
use super::select::{self, Source, Target};

fn source_kind(s: Source) -> &'static str {
    match s {
        Source::Internet => "internet",
        Source::Instance(_) => "instance",
        Source::LbNode(..) => "load-balancer-node",
    }
}

fn target_kind(t: Target) -> &'static str {
    match t {
        Target::Instance(_) => "instance",
        Target::Lb(_) => "load-balancer",
        Target::Endpoint(_) => "vpc-endpoint",
        Target::Internet(_) => "internet",
    }
}

/// A verdict's fields: `verdict` (`reachable`, an RA2 code, `elsewhere`, `no-address`) and `on_return`.
fn verdict_fields(v: Verdict) -> (String, bool) {
    match v {
        Verdict::Blocked { code, on_return } => (code.as_str().to_string(), on_return),
        other => (other.label(), false),
    }
}

/// The matrix as one JSON document:
/// `{sources: [{id, name, kind, class}], destinations: [...], ports: ["tcp:22", ...],
/// cells: [{source_class, destination_class, port, verdict, on_return, no_path?, by_source?: [{source, verdict, on_return}]}]}`;
/// `no_path: true` marks a cell that stands only for an instance's flow to itself ([`Matrix::no_path`]).
pub fn matrix(w: &World, m: &Matrix) -> Value {
    let sources: Vec<Value> = m
        .sources
        .iter()
        .enumerate()
        .map(|(n, s)| {
            json!({"id": select::source_id(w, *s), "name": select::source_label(w, *s),
                   "kind": source_kind(*s), "class": m.source_classes.class_of[n]})
        })
        .collect();
    let destinations: Vec<Value> = m
        .targets
        .iter()
        .enumerate()
        .map(|(n, t)| {
            json!({"id": select::target_id(w, *t), "name": select::target_label(w, *t),
                   "kind": target_kind(*t), "class": m.target_classes.class_of[n]})
        })
        .collect();
    let mut cells = Vec::new();
    for sc in 0..m.source_classes.len() as u32 {
        for tc in 0..m.target_classes.len() as u32 {
            for (p, probe) in m.probes.iter().enumerate() {
                let (verdict, on_return) = verdict_fields(m.class_verdict(sc, tc, p));
                let mut cell = json!({"source_class": sc, "destination_class": tc, "port": probe.to_string(),
                                      "verdict": verdict, "on_return": on_return});
                if m.no_path(sc, tc) {
                    cell["no_path"] = Value::Bool(true);
                }
                if m.varies_by_source(sc, tc, p) {
                    let t = m.target_classes.members[tc as usize][0] as usize;
                    let each: Vec<Value> = m.source_classes.members[sc as usize]
                        .iter()
                        .map(|&s| {
                            let (verdict, on_return) = verdict_fields(m.verdict(s as usize, t, p));
                            json!({"source": select::source_id(w, m.sources[s as usize]),
                                   "verdict": verdict, "on_return": on_return})
                        })
                        .collect();
                    cell["by_source"] = Value::Array(each);
                }
                cells.push(cell);
            }
        }
    }
    let ports: Vec<String> = m.probes.iter().map(ToString::to_string).collect();
    json!({"sources": sources, "destinations": destinations, "ports": ports, "cells": cells})
}
