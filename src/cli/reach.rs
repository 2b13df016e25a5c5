//! `vpcsim reach`: the reachability matrix of the world a scenario leaves, every
//! source against every destination and port ([`vpcsim::analyzer`]), with identical
//! rows and columns merged; `--json` for machines; `--explain SRC DST PORT` for the
//! full trace behind one cell.

use std::path::Path;

use vpcsim::analyzer::group::Grouped;
use vpcsim::analyzer::{access, cell, json, select, Filter, Matrix, Probe, Source, Target, DEFAULT_PROBES};
use vpcsim::world::World;

use super::junit::{Case, Status, Suite};
use super::style::{table, Style};
use super::{exit, world, CliError};

/// What `vpcsim reach` was asked.
pub struct Args<'a> {
    /// The scenario file (or `lab`).
    pub file: &'a Path,
    /// Which steps to apply.
    pub state: &'a world::StateArgs,
    /// `--from` filters.
    pub from: &'a [String],
    /// `--to` filters.
    pub to: &'a [String],
    /// `--port` values (the default set when empty).
    pub ports: &'a [String],
    /// `--json`.
    pub json: bool,
    /// `--explain SRC DST PORT`.
    pub explain: Option<&'a [String]>,
    /// `--junit FILE`: one passing case per source class, destination class and port,
    /// named with its verdict (reach asserts nothing); with `--explain`, one case that
    /// fails when the cell is not reachable.
    pub junit: Option<&'a Path>,
}

/// How many names a row or column legend lists before `(+N more)`.
const LEGEND_NAMES: usize = 4;

/// `vpcsim reach FILE ...`.
pub fn command(a: &Args<'_>) -> Result<u8, CliError> {
    let probes = probes(a.ports)?;
    let prepared = world::prepare_described(a.file, a.state)?;
    super::output::errln(&prepared.state_line);
    let w = &prepared.session.world;
    let from: Vec<Filter> = a.from.iter().map(|f| Filter::parse(f)).collect();
    let to: Vec<Filter> = a.to.iter().map(|f| Filter::parse(f)).collect();
    if let Some(explain) = a.explain {
        let grid =
            Grid { from: &from, to: &to, probes: if a.ports.is_empty() { None } else { Some(&probes) } };
        let (code, case) = explain_cell(w, explain, &grid, a.json)?;
        if let Some(path) = a.junit {
            let suite = Suite { name: format!("vpcsim reach {}", a.file.display()), cases: vec![case] };
            super::junit::write(path, &prepared.inputs, &super::junit::xml("vpcsim reach", &[suite])?)?;
        }
        return Ok(code);
    }
    let sources = select::sources(w, &from);
    let targets = select::targets(w, &to);
    if sources.is_empty() || targets.is_empty() {
        let side = if sources.is_empty() { "source" } else { "destination" };
        return Err(CliError::invalid(format!("no {side} matches the filters given")));
    }
    let m = Matrix::compute_parallel(w, sources, targets, probes);
    if let Some(path) = a.junit {
        let suite = cells_suite(w, &m, &a.file.display().to_string());
        super::junit::write(path, &prepared.inputs, &super::junit::xml("vpcsim reach", &[suite])?)?;
    }
    if a.json {
        super::emit(&format!("{}\n", vpcsim::describe::pretty(&json::matrix(w, &m))));
    } else {
        let title =
            format!("{} ({} of {} steps)", prepared.name, prepared.state.applied, prepared.state.total);
        super::emit(&text(w, &m, &title, Style::detect()));
    }
    Ok(exit::OK)
}

/// The probes asked, or the default set.
pub fn probes(ports: &[String]) -> Result<Vec<Probe>, CliError> {
    if ports.is_empty() {
        return Ok(DEFAULT_PROBES.to_vec());
    }
    let mut out: Vec<Probe> = Vec::new();
    for p in ports.iter().flat_map(|p| p.split(',')) {
        let probe: Probe = p.parse().map_err(|e: vpcsim::analyzer::probe::ProbeParseError| {
            CliError::invalid(format!("--port: {e}"))
        })?;
        if !out.contains(&probe) {
            out.push(probe);
        }
    }
    Ok(out)
}

/// What the grid shows for an instance's cell to itself, and the line that says why.
const TO_ITSELF: &str = "self";
const TO_ITSELF_NOTE: &str =
    "self: an instance to its own address; the packet never leaves the instance, so no path is walked";

/// Whether a grouped cell stands only for an instance's flow to itself ([`Matrix::no_path`]).
fn to_itself(g: &Grouped, m: &Matrix, r: usize, c: usize) -> bool {
    matches!((g.rows[r].as_slice(), g.columns[c].as_slice()),
             ([s], [t]) if access::no_path(m.sources[*s], m.targets[*t]))
}

/// The reachable probes of one grouped cell: `all`, a list, `-`, or `self`.
fn cell_text(g: &Grouped, m: &Matrix, r: usize, c: usize) -> String {
    if to_itself(g, m, r, c) {
        return TO_ITSELF.to_string();
    }
    let open: Vec<String> = (0..m.probes.len())
        .filter(|&p| g.verdict(r, c, p).is_reachable())
        .map(|p| m.probes[p].short())
        .collect();
    if open.is_empty() {
        "-".to_string()
    } else if open.len() == m.probes.len() && open.len() > 1 {
        "all".to_string()
    } else {
        open.join(",")
    }
}

/// Names of a group: the first few, then how many more.
fn legend(names: Vec<String>) -> String {
    let more = names.len().saturating_sub(LEGEND_NAMES);
    let mut shown = names.into_iter().take(LEGEND_NAMES).collect::<Vec<_>>().join(", ");
    if more > 0 {
        shown.push_str(&format!(" (+{more} more)"));
    }
    shown
}

/// The matrix for people: the legend of row and column groups, then the grid.
pub fn text(w: &World, m: &Matrix, title: &str, style: Style) -> String {
    let g = Grouped::of(m);
    let ports: Vec<String> = m.probes.iter().map(|p| p.short()).collect();
    let mut out = format!(
        "{}\n{} sources in {} classes, {} destinations in {} classes, ports {}\n",
        style.bold(&format!("Reachability of {title}")),
        m.sources.len(),
        m.source_classes.len(),
        m.targets.len(),
        m.target_classes.len(),
        ports.join(",")
    );
    let rows: Vec<Vec<String>> = g
        .rows
        .iter()
        .enumerate()
        .map(|(r, members)| {
            let names = members.iter().map(|&s| select::source_label(w, m.sources[s])).collect();
            vec![format!("S{}", r + 1), legend(names)]
        })
        .collect();
    out.push_str(&format!("\n{}\n", style.bold("Sources")));
    out.push_str(&table(&[], &rows, "  ", style));
    let cols: Vec<Vec<String>> = g
        .columns
        .iter()
        .enumerate()
        .map(|(c, members)| {
            let names = members.iter().map(|&t| select::target_label(w, m.targets[t])).collect();
            vec![format!("D{}", c + 1), legend(names)]
        })
        .collect();
    out.push_str(&format!("\n{}\n", style.bold("Destinations")));
    out.push_str(&table(&[], &cols, "  ", style));
    let header: Vec<String> =
        std::iter::once(String::new()).chain((1..=g.columns.len()).map(|c| format!("D{c}"))).collect();
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let grid: Vec<Vec<String>> = (0..g.rows.len())
        .map(|r| {
            std::iter::once(format!("S{}", r + 1))
                .chain((0..g.columns.len()).map(|c| cell_text(&g, m, r, c)))
                .collect()
        })
        .collect();
    out.push_str(&format!("\n{}\n", style.bold("Reachable ports (row reaches column)")));
    out.push_str(&table(&header, &grid, "  ", style));
    if (0..g.rows.len()).any(|r| (0..g.columns.len()).any(|c| to_itself(&g, m, r, c))) {
        out.push_str(&format!("\n{TO_ITSELF_NOTE}\n"));
    }
    out
}

/// A source by name or id (`internet` for the internet).
fn find_source(w: &World, name: &str) -> Option<Source> {
    select::sources(w, &[])
        .into_iter()
        .find(|s| select::source_label(w, *s) == name || select::source_id(w, *s) == name)
}

/// A destination by name or id.
fn find_target(w: &World, name: &str) -> Option<Target> {
    select::targets(w, &[])
        .into_iter()
        .find(|t| select::target_label(w, *t) == name || select::target_id(w, *t) == name)
}

/// The grid `S1`, `D1` labels refer to: the `--from`, `--to` and `--port` given with `--explain`.
struct Grid<'a> {
    from: &'a [Filter],
    to: &'a [Filter],
    /// `--port`, when given.
    probes: Option<&'a [Probe]>,
}

/// The position (from 0) of the grid's row or column `label` names (`S2`, `D1`).
fn grid_index(label: &str, side: char) -> Option<usize> {
    label.strip_prefix(side)?.parse::<usize>().ok()?.checked_sub(1)
}

/// `--explain`'s source and destination: each by name or id, or by its grid label (`S2`,
/// `D1`: the first member of that row or column of the grid the same `--from`, `--to` and
/// `--port` print). The filters and ports are refused when no label needs them.
fn explain_ends(w: &World, src: &str, dst: &str, grid: &Grid<'_>) -> Result<(Source, Target), CliError> {
    let row = grid_index(src, 'S').filter(|_| find_source(w, src).is_none());
    let column = grid_index(dst, 'D').filter(|_| find_target(w, dst).is_none());
    let filtered = !grid.from.is_empty() || !grid.to.is_empty() || grid.probes.is_some();
    if row.is_none() && column.is_none() && filtered {
        return Err(CliError::invalid(
            "--explain with a named SRC and DST cannot be used with --from, --to or --port: it names \
             one flow, and those options only choose the grid its S1 and D1 labels refer to",
        ));
    }
    let grouped = if row.is_some() || column.is_some() {
        let probes = grid.probes.map_or_else(|| probes(&[]), |p| Ok(p.to_vec()))?;
        let m =
            Matrix::compute_parallel(w, select::sources(w, grid.from), select::targets(w, grid.to), probes);
        let g = Grouped::of(&m);
        Some((m, g))
    } else {
        None
    };
    let s = match (row, &grouped) {
        (Some(r), Some((m, g))) => g.rows.get(r).map(|members| m.sources[members[0]]).ok_or_else(|| {
            CliError::invalid(format!("--explain: no row {src}: the grid has {} (S1-S{0})", g.rows.len()))
        })?,
        _ => find_source(w, src).ok_or_else(|| {
            CliError::invalid(format!(
                "--explain: no source named {src} (a running instance, a load balancer node, internet, or a row S1, S2, ...)"
            ))
        })?,
    };
    let t = match (column, &grouped) {
        (Some(c), Some((m, g))) => g.columns.get(c).map(|members| m.targets[members[0]]).ok_or_else(|| {
            CliError::invalid(format!("--explain: no column {dst}: the grid has {} (D1-D{0})", g.columns.len()))
        })?,
        _ => find_target(w, dst).ok_or_else(|| {
            CliError::invalid(format!(
                "--explain: no destination named {dst} (an instance, a load balancer, an endpoint, or a column D1, D2, ...)"
            ))
        })?,
    };
    Ok((s, t))
}

/// `--explain SRC DST PORT`: the full trace of the cell's decisive flow; with `--json`,
/// its analysis in the flow schema `vpcsim trace --json` prints (`NetworkPathFound` is the
/// cell's verdict; no components when no address could be tried).
fn explain_cell(w: &World, args: &[String], grid: &Grid<'_>, json: bool) -> Result<(u8, Case), CliError> {
    let [src, dst, port] = args else {
        return Err(CliError::invalid("--explain takes SRC DST PORT"));
    };
    let (s, t) = explain_ends(w, src, dst, grid)?;
    if access::no_path(s, t) {
        return Err(CliError::invalid(format!(
            "--explain {src} {dst}: no path to explain: {}",
            TO_ITSELF_NOTE.trim_start_matches("self: ")
        )));
    }
    let probe: Probe = port.parse().map_err(|e| CliError::invalid(format!("--explain: {e}")))?;
    let style = Style::detect();
    let (verdict, trace) = cell::explain(w, s, t, probe);
    let code = if verdict.is_reachable() { exit::OK } else { exit::FAILED };
    let name = format!("{} -> {} {probe}", select::source_label(w, s), select::target_label(w, t));
    let status = if verdict.is_reachable() {
        Status::Passed
    } else {
        let text = trace.as_ref().map(|t| super::trace::paths(t, Style::plain())).unwrap_or_default();
        Status::Failed { message: format!("{name}: {}", verdict.label()), text }
    };
    let case = Case { name, classname: "vpcsim reach --explain".into(), status, output: None };
    if json {
        let mut analysis = match &trace {
            Some(trace) => vpcsim::trace::analysis(w, trace),
            None => vpcsim::trace::Analysis {
                network_path_found: false,
                forward_path_components: Vec::new(),
                return_path_components: Vec::new(),
                explanations: Vec::new(),
            },
        };
        analysis.network_path_found = verdict.is_reachable();
        let doc = serde_json::to_value(&analysis).unwrap_or(serde_json::Value::Null);
        super::emit(&format!("{}\n", vpcsim::describe::pretty(&doc)));
        return Ok((code, case));
    }
    let mut out = format!(
        "Cell {} -> {} {probe}: {}\n",
        select::source_label(w, s),
        select::target_label(w, t),
        verdict.label()
    );
    match trace {
        Some(trace) => out.push_str(&super::trace::paths(&trace, style)),
        None => {
            out.push_str("no address to try: the destination has no public address the internet could use\n")
        }
    }
    super::emit(&out);
    Ok((code, case))
}

/// The matrix as a JUnit suite: a case per source class, destination class and port, named
/// `S1 internet -> D2 Custom-NLB tcp:80: reachable`; all pass, since `reach` asserts nothing
/// (`check` and scenario expectations do).
fn cells_suite(w: &World, m: &Matrix, file: &str) -> Suite {
    let mut cases = Vec::new();
    for (sc, smembers) in m.source_classes.members.iter().enumerate() {
        let sources =
            legend(smembers.iter().map(|&s| select::source_label(w, m.sources[s as usize])).collect());
        for (tc, tmembers) in m.target_classes.members.iter().enumerate() {
            let targets =
                legend(tmembers.iter().map(|&t| select::target_label(w, m.targets[t as usize])).collect());
            for (p, probe) in m.probes.iter().enumerate() {
                let verdict = if m.no_path(sc as u32, tc as u32) {
                    "no path (an instance to itself)".to_string()
                } else if m.varies_by_source(sc as u32, tc as u32, p) {
                    "varies by source".to_string()
                } else {
                    m.class_verdict(sc as u32, tc as u32, p).label()
                };
                cases.push(Case {
                    name: format!("S{} {sources} -> D{} {targets} {probe}: {verdict}", sc + 1, tc + 1),
                    classname: file.to_string(),
                    status: Status::Passed,
                    output: None,
                });
            }
        }
    }
    Suite { name: format!("vpcsim reach {file}"), cases }
}
