//! A [`Report`] for people ([`text`]) and for programs ([`json`]).
//!
//! The JSON document is the report itself: `{name, file, passed, steps: [{index,
//! title, action ("run" | "wait" | "wait-for"), on, command, status ("passed" | "failed" | "skipped"), outcome: {exit_code,
//! stdout, stderr, trace, answers} | null, checks: [{key, expected, actual,
//! held, path}]}]}`; `trace` is the flow's Reachability Analyzer analysis
//! ([`crate::trace::analysis`]), the document `vpcsim trace --json` prints. A run keeps
//! at most [`super::MAX_KEPT_OUTPUT`] bytes of `stdout` and `stderr` in all; past it,
//! outputs are cut and end with a note saying so.

use std::fmt::Write;

use super::run::{Report, StepReport, StepStatus};
use crate::trace::{analysis, compact, Hop, Trace};
use crate::world::World;

/// How text output is laid out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Layout {
    /// Paths as aligned tables with full ids and ARNs, lines as long as they need.
    #[default]
    Wide,
    /// Paths one hop a line, ARNs shortened, and every line folded to this many columns
    /// ([`crate::trace::compact`]).
    Fit(usize),
}

/// The report as text: each command as typed, its output, the path, ✔/✘ per expectation.
pub fn text(report: &Report) -> String {
    text_in(report, Layout::Wide)
}

/// [`text`] in a layout: with [`Layout::Fit`], no line is wider than its width.
pub fn text_in(report: &Report, layout: Layout) -> String {
    let mut out = format!("Scenario: {} ({})\n", report.name, report.file);
    let mut explained = false;
    for step in &report.steps {
        out.push('\n');
        step_text(&mut out, step, layout, &mut explained);
    }
    let passed = report.steps.iter().filter(|s| s.status == StepStatus::Passed).count();
    let verdict = if report.passed { "PASS" } else { "FAIL" };
    let _ = writeln!(out, "\n{verdict}: {passed} of {} steps passed", report.steps.len());
    let out = escape_controls(&out);
    match layout {
        Layout::Wide => out.into_owned(),
        Layout::Fit(width) => compact::fit(&compact::shorten_arns(&out), width),
    }
}

/// Text from files (names, tags, web pages, outputs) made safe for a terminal: control
/// characters other than newline and tab, DEL and the C1 controls are written as
/// visible escapes (`\x1b`, `\r`, `\u{9b}`), so an escape sequence in a Name tag cannot
/// clear or rewrite the screen. JSON output needs none of this: it escapes them itself.
///
/// ```
/// use vpcsim::scenario::render::escape_controls;
/// assert_eq!(escape_controls("web\x1b[2J\r\n\tok"), "web\\x1b[2J\\r\n\tok");
/// assert_eq!(escape_controls("plain"), "plain");
/// ```
pub fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| c.is_control() && c != '\n' && c != '\t';
    if !text.contains(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '\r' => out.push_str("\\r"),
            c if unsafe_char(c) && (c as u32) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if unsafe_char(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

fn step_text(out: &mut String, step: &StepReport, layout: Layout, explained: &mut bool) {
    let _ = writeln!(out, "── step {}: {}", step.index, step.title);
    if let Some(d) = &step.description {
        out.push_str(d.trim_end());
        out.push('\n');
    }
    if step.status == StepStatus::Skipped {
        out.push_str("   skipped: an earlier step failed\n");
        return;
    }
    if !step.command.is_empty() {
        let prompt = match (&step.on, step.action) {
            (_, "wait" | "wait-for") => "#".to_string(),
            (Some(on), _) => format!("[{on}]$"),
            (None, _) => "$".to_string(),
        };
        let _ = writeln!(out, "{prompt} {}", step.command);
    }
    if let Some(outcome) = &step.outcome {
        let output = outcome.output();
        out.push_str(&output);
        if !output.is_empty() && !output.ends_with('\n') {
            out.push('\n');
        }
        if let Some(trace) = &outcome.trace {
            trace_text_in(out, trace, layout);
            if let Some(x) = trace.explanation.as_ref().filter(|_| !*explained) {
                out.push_str(&why(x.code.as_str()));
                *explained = true;
            }
        }
    }
    for c in &step.checks {
        if c.held {
            let _ = writeln!(out, "  ✔ {}: {}", c.key, c.expected);
        } else {
            let _ = writeln!(out, "  ✘ {}: expected {}, got {}", c.key, c.expected, c.actual);
            if let Some(path) = &c.path {
                let _ = writeln!(out, "      path: {path}");
            }
        }
    }
}

/// The forward and return paths as compact tables, what the destination saw, and why the flow stopped.
pub fn trace_text(out: &mut String, trace: &Trace) {
    trace_text_in(out, trace, Layout::Wide)
}

/// [`trace_text`] in a layout: tables when wide, one hop a line when fitted.
pub fn trace_text_in(out: &mut String, trace: &Trace, layout: Layout) {
    for (label, hops) in [("path", &trace.forward), ("return", &trace.ret)] {
        if hops.is_empty() {
            continue;
        }
        let _ = writeln!(out, "  {label}:");
        match layout {
            Layout::Wide => hops_table(out, hops),
            Layout::Fit(width) => out.push_str(&compact::path(hops, "  ", width)),
        }
    }
    if let Some(seen) = &trace.delivered {
        let _ = writeln!(out, "  the destination saw: {seen}");
    }
    if let Some(x) = &trace.explanation {
        let _ = writeln!(out, "  blocked: {x}");
    }
}

fn hops_table(out: &mut String, hops: &[Hop]) {
    let kind_w = hops.iter().map(|h| h.kind.as_str().len()).max().unwrap_or(0);
    let id_w = hops.iter().map(|h| h.id.len()).max().unwrap_or(0);
    let name_w = hops.iter().map(|h| h.name.as_deref().unwrap_or("-").len()).max().unwrap_or(0);
    for h in hops {
        let name = h.name.as_deref().unwrap_or("-");
        let matched = h.matched.as_ref().map(ToString::to_string).unwrap_or_default();
        let line = format!(
            "  {:>3}  {:kind_w$}  {:id_w$}  {:name_w$}  {matched}",
            h.seq,
            h.kind.as_str(),
            h.id,
            name
        );
        let _ = writeln!(out, "{}", line.trim_end());
    }
}

/// What an explanation code means, as a paragraph under the first blocked flow of a run
/// (`  why: ...`, folded to 80 columns), with the command that says it again.
pub fn why(code: &str) -> String {
    let Some(text) = crate::trace::explain::explain(code) else { return String::new() };
    let options = textwrap::Options::new(80).initial_indent("  why: ").subsequent_indent("       ");
    format!("{}\n       (vpcsim explain {code} says this again)\n", textwrap::fill(&text, options))
}

/// The report as one JSON document (field names in the module doc); `w` is the world
/// the scenario ran in, which names the region and account of the analyses' ARNs.
pub fn json(report: &Report, w: &World) -> serde_json::Value {
    let mut doc = serde_json::to_value(report).unwrap_or(serde_json::Value::Null);
    let Some(steps) = doc.get_mut("steps").and_then(serde_json::Value::as_array_mut) else { return doc };
    for (step, value) in report.steps.iter().zip(steps) {
        let Some(trace) = step.outcome.as_ref().and_then(|o| o.trace.as_ref()) else { continue };
        if let Some(slot) = value.pointer_mut("/outcome/trace") {
            *slot = serde_json::to_value(analysis(w, trace)).unwrap_or(serde_json::Value::Null);
        }
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::nlb::ListenerProtocol;
    use crate::trace::{ComponentKind, Matched, Text};

    fn hop(seq: u16, kind: ComponentKind, id: &str, name: Option<&str>, matched: Option<Matched>) -> Hop {
        Hop { seq, kind, id: id.into(), name: name.map(Text::from), matched, inbound: None, outbound: None }
    }

    #[test]
    fn a_path_is_a_table_with_aligned_columns() {
        let hops = [
            hop(1, ComponentKind::Instance, "i-0abc", Some("My-EC2"), None),
            hop(
                2,
                ComponentKind::LoadBalancerListener,
                "lis-1",
                None,
                Some(Matched::Listener { protocol: ListenerProtocol::Tcp, port: 80 }),
            ),
        ];
        let mut out = String::new();
        hops_table(&mut out, &hops);
        assert_eq!(
            out,
            "    1  instance                i-0abc  My-EC2\n    2  load-balancer-listener  lis-1   -       TCP:80\n"
        );
    }
}
