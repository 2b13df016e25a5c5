//! Checking a step's outcome against its [`Expect`]ations.
//!
//! Text keys look at the command's output as a terminal shows it: stdout, then
//! stderr (like `2>&1`), so `output-contains: timed out` sees curl's error. Unless
//! `fails` or `exit` is given, the command must exit 0, as under `set -e`.

use std::net::Ipv4Addr;

use serde::Serialize;
use serde_json::Value;

use super::{Expect, Pattern};
use crate::addr::Cidr;
use crate::trace::{ComponentKind, Trace};

/// What running a step produced.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct StepOutcome {
    /// Exit status (0 for success).
    pub exit_code: i32,
    /// What the command printed on stdout.
    pub stdout: String,
    /// What it printed on stderr.
    pub stderr: String,
    /// The packet walk, for commands that send traffic.
    pub trace: Option<Trace>,
    /// The addresses `dig` printed.
    pub answers: Vec<Ipv4Addr>,
    /// The JSON output, for `save` (not in a report: it is the stdout of the `aws` call).
    #[serde(skip)]
    pub json: Option<Value>,
}

impl StepOutcome {
    /// A successful outcome printing `stdout`.
    pub fn ok(stdout: impl Into<String>) -> StepOutcome {
        StepOutcome { stdout: stdout.into(), ..StepOutcome::default() }
    }

    /// A failed outcome with `exit_code`, printing `stderr`.
    pub fn failed(exit_code: i32, stderr: impl Into<String>) -> StepOutcome {
        StepOutcome { exit_code, stderr: stderr.into(), ..StepOutcome::default() }
    }

    /// stdout then stderr, as a terminal shows them.
    pub fn output(&self) -> String {
        match (self.stdout.is_empty(), self.stderr.is_empty()) {
            (_, true) => self.stdout.clone(),
            (true, false) => self.stderr.clone(),
            (false, false) => format!(
                "{}{}{}",
                self.stdout,
                if self.stdout.ends_with('\n') { "" } else { "\n" },
                self.stderr
            ),
        }
    }
}

/// One expectation checked: the key, what it wanted, what there was, whether it held.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Check {
    /// The `expect` key (`exit` for the implicit "must exit 0").
    pub key: String,
    /// What the key asks for.
    pub expected: String,
    /// What the outcome shows.
    pub actual: String,
    /// Whether it held.
    pub held: bool,
    /// For path keys: the kinds the forward path passed, in order.
    pub path: Option<String>,
}

/// A [`Check`] that did not hold.
pub type Failure = Check;

impl Check {
    fn new(key: &str, expected: impl Into<String>, actual: impl Into<String>, held: bool) -> Check {
        Check { key: key.to_string(), expected: expected.into(), actual: actual.into(), held, path: None }
    }
}

/// Every expectation of `expect` (or the implicit "exit 0" when there is none), checked.
pub fn evaluate(expect: Option<&Expect>, outcome: &StepOutcome) -> Vec<Check> {
    let default = Expect::default();
    let e = expect.unwrap_or(&default);
    let output = outcome.output();
    let mut checks = vec![exit(e, outcome)];
    checks.extend(e.output_contains.iter().map(|s| contains("output-contains", s, &output, true)));
    checks.extend(e.output_not_contains.iter().map(|s| contains("output-not-contains", s, &output, false)));
    checks.extend(e.output_matches.iter().map(|p| matches("output-matches", p, &output, true)));
    checks.extend(e.output_not_matches.iter().map(|p| matches("output-not-matches", p, &output, false)));
    checks.extend(e.answers_in.as_ref().map(|c| answers("answers-in", c, &outcome.answers, true)));
    checks.extend(e.answers_not_in.as_ref().map(|c| answers("answers-not-in", c, &outcome.answers, false)));
    let trace = outcome.trace.as_ref();
    checks.extend(e.via.as_ref().map(|k| with_path(via(k, trace), trace)));
    checks.extend(e.not_via.as_ref().map(|k| with_path(not_via(k, trace), trace)));
    checks.extend(e.explanation.map(|c| with_path(explanation(c, trace), trace)));
    checks.extend(e.seen_source_in.map(|c| with_path(seen_source(c, trace), trace)));
    checks
}

/// The expectations of `expect` that did not hold against `outcome`.
///
/// ```
/// use vpcsim::scenario::{check, Expect, StepOutcome};
/// let e = Expect { output_contains: vec!["Web Server".into()], ..Expect::default() };
/// assert!(check(&e, &StepOutcome::ok("<h1>CloudNeta Web Server 1</h1>")).is_empty());
/// assert_eq!(check(&e, &StepOutcome::failed(7, "curl: (7) Failed to connect")).len(), 2);
/// ```
pub fn check(expect: &Expect, outcome: &StepOutcome) -> Vec<Failure> {
    evaluate(Some(expect), outcome).into_iter().filter(|c| !c.held).collect()
}

fn exit(e: &Expect, o: &StepOutcome) -> Check {
    let code = o.exit_code;
    let first_err = o.stderr.lines().next().map(|l| format!(" ({l})")).unwrap_or_default();
    let actual = format!("{code}{first_err}");
    match (e.fails, e.exit) {
        (_, Some(want)) => Check::new("exit", want.to_string(), actual, code == want),
        (Some(true), None) => Check::new("fails", "true (a non-zero exit status)", actual, code != 0),
        (Some(false), None) => Check::new("fails", "false (exit status 0)", actual, code == 0),
        (None, None) => {
            let hint = if code == 0 { "" } else { "; add `fails: true` if the command should fail" };
            Check::new("exit", "0", format!("{actual}{hint}"), code == 0)
        }
    }
}

fn excerpt(output: &str) -> String {
    let one_line: String = output.trim_end().replace('\n', "⏎");
    match one_line.char_indices().nth(160) {
        Some((cut, _)) => format!("{:?}…", &one_line[..cut]),
        None if one_line.is_empty() => "no output".to_string(),
        None => format!("{one_line:?}"),
    }
}

fn contains(key: &str, needle: &str, output: &str, want: bool) -> Check {
    let found = output.contains(needle);
    let actual =
        if found { "present in the output".to_string() } else { format!("output was {}", excerpt(output)) };
    Check::new(key, format!("{needle:?}"), actual, found == want)
}

fn matches(key: &str, pattern: &Pattern, output: &str, want: bool) -> Check {
    let hit = pattern.regex.find(output).map(|m| {
        let start = output[..m.start()].rfind('\n').map_or(0, |i| i + 1);
        let end = output[m.end()..].find('\n').map_or(output.len(), |i| m.end() + i);
        output[start..end].to_string()
    });
    let actual = match &hit {
        Some(line) => format!("matching line {line:?}"),
        None => format!("no line matches; output was {}", excerpt(output)),
    };
    Check::new(key, format!("/{}/", pattern.source), actual, hit.is_some() == want)
}

fn cidr_list(cidrs: &[Cidr]) -> String {
    let all: Vec<String> = cidrs.iter().map(Cidr::to_string).collect();
    format!("[{}]", all.join(", "))
}

fn answers(key: &str, cidrs: &[Cidr], answers: &[Ipv4Addr], want_in: bool) -> Check {
    let expected = cidr_list(cidrs);
    if answers.is_empty() {
        return Check::new(key, expected, "dig printed no address", false);
    }
    let wrong: Vec<String> = answers
        .iter()
        .filter(|a| cidrs.iter().any(|c| c.contains(**a)) != want_in)
        .map(Ipv4Addr::to_string)
        .collect();
    let printed: Vec<String> = answers.iter().map(Ipv4Addr::to_string).collect();
    let actual = if wrong.is_empty() {
        printed.join(", ")
    } else {
        let verb = if want_in { "outside" } else { "inside" };
        format!("{} ({} {verb})", printed.join(", "), wrong.join(", "))
    };
    Check::new(key, expected, actual, wrong.is_empty())
}

const NO_TRACE: &str = "no path to check: the command traced no flow (dig and aws calls send no traffic)";

fn kinds_text(kinds: &[ComponentKind]) -> String {
    let all: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
    format!("[{}]", all.join(", "))
}

fn path_text(trace: &Trace) -> String {
    let kinds: Vec<&str> = trace.forward.iter().map(|h| h.kind.as_str()).collect();
    kinds.join(" → ")
}

fn with_path(mut check: Check, trace: Option<&Trace>) -> Check {
    check.path = trace.map(path_text);
    check
}

fn via(kinds: &[ComponentKind], trace: Option<&Trace>) -> Check {
    let Some(t) = trace else { return Check::new("via", kinds_text(kinds), NO_TRACE, false) };
    let held = t.passes_in_order(kinds);
    let actual = if held { "passed in that order".to_string() } else { format!("path was {}", path_text(t)) };
    Check::new("via", kinds_text(kinds), actual, held)
}

fn not_via(kinds: &[ComponentKind], trace: Option<&Trace>) -> Check {
    let Some(t) = trace else { return Check::new("not-via", kinds_text(kinds), NO_TRACE, false) };
    let passed: Vec<ComponentKind> = kinds.iter().copied().filter(|k| t.passes(*k)).collect();
    let actual =
        if passed.is_empty() { "none passed".to_string() } else { format!("passed {}", kinds_text(&passed)) };
    Check::new("not-via", kinds_text(kinds), actual, passed.is_empty())
}

fn explanation(code: crate::trace::ExplanationCode, trace: Option<&Trace>) -> Check {
    let Some(t) = trace else { return Check::new("explanation", code.as_str(), NO_TRACE, false) };
    match &t.explanation {
        Some(x) => Check::new("explanation", code.as_str(), x.to_string(), x.code == code),
        None => Check::new("explanation", code.as_str(), "the flow was not blocked", false),
    }
}

fn seen_source(cidr: Cidr, trace: Option<&Trace>) -> Check {
    let Some(t) = trace else { return Check::new("seen-source-in", cidr.to_string(), NO_TRACE, false) };
    match t.seen_source() {
        Some(src) => Check::new("seen-source-in", cidr.to_string(), src.to_string(), cidr.contains(src)),
        None => {
            let why = t.explanation.as_ref().map(|x| format!(": {x}")).unwrap_or_default();
            Check::new(
                "seen-source-in",
                cidr.to_string(),
                format!("the packet was not delivered{why}"),
                false,
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(source: &str) -> Pattern {
        Pattern { source: source.into(), regex: regex::Regex::new(&format!("(?m){source}")).unwrap() }
    }

    #[test]
    fn output_is_stdout_then_stderr_like_a_terminal() {
        let o = StepOutcome { stdout: "a".into(), stderr: "b\n".into(), ..StepOutcome::default() };
        assert_eq!(o.output(), "a\nb\n");
    }

    #[test]
    fn a_match_reports_the_whole_matching_line() {
        let c = matches("output-matches", &pattern("^Server \\d$"), "x\nServer 2\ny", true);
        assert!(c.held);
        assert_eq!(c.actual, "matching line \"Server 2\"");
        assert!(!matches("output-matches", &pattern("^Server$"), "a Server", true).held);
    }

    #[test]
    fn long_output_is_cut_in_a_failure_message() {
        let long = "é".repeat(500);
        let c = contains("output-contains", "zzz", &long, true);
        assert!(!c.held);
        assert!(c.actual.ends_with("\"…"), "{}", c.actual);
        assert!(c.actual.chars().count() < 200);
    }

    #[test]
    fn answers_name_the_addresses_on_the_wrong_side() {
        let cidrs = ["10.0.0.0/16".parse().unwrap()];
        let got = [Ipv4Addr::new(10, 0, 0, 240), Ipv4Addr::new(15, 165, 14, 143)];
        let c = answers("answers-in", &cidrs, &got, true);
        assert_eq!(c.actual, "10.0.0.240, 15.165.14.143 (15.165.14.143 outside)");
        assert!(!c.held);
        assert_eq!(answers("answers-not-in", &cidrs, &[], false).actual, "dig printed no address");
    }

    #[test]
    fn without_expect_a_step_must_exit_zero() {
        let checks = evaluate(None, &StepOutcome::failed(7, "curl: (7) Failed to connect\n"));
        assert_eq!(checks.len(), 1);
        assert_eq!(
            checks[0].actual,
            "7 (curl: (7) Failed to connect); add `fails: true` if the command should fail"
        );
        assert!(evaluate(None, &StepOutcome::ok("")).iter().all(|c| c.held));
    }
}
