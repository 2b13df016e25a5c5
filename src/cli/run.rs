//! `vpcsim lab` and `vpcsim run`: run scenarios and print their reports.

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use vpcsim::quota::Quota;

use vpcsim::scenario::{self, render, Scenario};

use super::world;
use super::{exit, junit, output, CliError};

/// `vpcsim lab [--json] [--pause] [--until N|end|NAME] [--from-start]`: the lab's steps up to
/// the state chosen (by default every step before clean-up), narrated.
pub fn lab(name: Option<&str>, show: Show, pause: bool, state: &world::StateArgs) -> u8 {
    let json = show.json;
    let lab = match builtin_lab(name) {
        Ok(lab) => lab,
        Err(e) => return fail(e),
    };
    if !state.template.parameters.is_empty() || state.template.region.is_some() {
        return fail(CliError::invalid(
            "--parameter and --region apply to a CloudFormation template; a lab is a built-in scenario",
        ));
    }
    let mut s = match world::load_builtin(lab) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let state = match world::State::of(&s, state) {
        Ok(state) => state,
        Err(e) => return fail(e),
    };
    s.steps.truncate(state.applied);
    let pause = pause && !json && std::io::stdin().is_terminal();
    let mut reports = Vec::new();
    let code = match run_one(&s, true, show, &[], &mut reports, &mut Vec::new()) {
        Ok((code, text)) => {
            if json {
                output::errln(&state.line(&s.file));
            } else {
                print_steps(&format!("{}\n{text}{}", state.line(&s.file), rest_note(&state, name)), pause);
            }
            code
        }
        Err(e) => fail(e),
    };
    if json {
        super::emit(&format!(
            "{}\n",
            serde_json::to_string_pretty(&serde_json::Value::Array(reports)).unwrap_or_default()
        ));
    }
    code
}

/// The built-in lab `vpcsim lab [NAME]` names: the seed lab without a name; an unknown name
/// is invalid input that lists the labs.
fn builtin_lab(name: Option<&str>) -> Result<&'static vpcsim::labs::BuiltinLab, CliError> {
    let Some(name) = name else { return Ok(&vpcsim::labs::LABS[0]) };
    vpcsim::labs::find(name).ok_or_else(|| {
        let names = vpcsim::labs::LABS.iter().map(|l| l.name);
        let hint = vpcsim::command::closest(name, names.clone())
            .map(|c| format!(" (did you mean {c}?)"))
            .unwrap_or_default();
        CliError::invalid(format!(
            "no built-in lab {name}{hint}; the labs are: {} (vpcsim lab --list)",
            names.collect::<Vec<_>>().join(", ")
        ))
    })
}

/// `vpcsim lab --list`: every built-in lab, what it shows and how to run it.
pub fn list_labs() -> u8 {
    let mut out = String::from("The built-in labs:\n");
    for (i, lab) in vpcsim::labs::LABS.iter().enumerate() {
        let run = if i == 0 { "vpcsim lab".to_string() } else { format!("vpcsim lab {}", lab.name) };
        out.push_str(&format!("\n  {}\n      {}\n      {run}\n", lab.name, lab.summary));
    }
    out.push_str("\nEach takes --pause, --until N|end|NAME, --from-start, --json and --wide.\n");
    super::emit(&out);
    exit::OK
}

/// What the lab left out, and how to see it.
fn rest_note(state: &world::State, name: Option<&str>) -> String {
    let lab = name.map_or_else(|| "vpcsim lab".to_string(), |n| format!("vpcsim lab {n}"));
    match state.total - state.applied {
        0 => String::new(),
        1 => format!("One more step (clean-up): {lab} --until end\n"),
        n => format!("{n} more steps (clean-up): {lab} --until end\n"),
    }
}

/// How a report is shown.
#[derive(Clone, Copy, Debug, Default)]
pub struct Show {
    /// One JSON document.
    pub json: bool,
    /// Only failures and a line per file.
    pub quiet: bool,
    /// Wide tables and whole ARNs whatever the terminal's width.
    pub wide: bool,
}

/// `vpcsim run FILE... [--json] [--quiet] [--wide] [--parameter K=V] [--region R]`: the
/// worst exit code of all files. A CloudFormation template runs as a scenario of one stack
/// and no steps; among scenario files (`vpcsim run scenarios/*.yaml`) templates are passed
/// over, since the scenarios create them under `stacks:`.
///
/// `junit`: also write a JUnit XML report there (one suite per file, one case per step);
/// a file that cannot be written, or one of the inputs, is exit 3 or 2.
pub fn files(
    files: &[PathBuf],
    show: Show,
    quotas: &[(Quota, usize)],
    template: &world::TemplateArgs,
    junit: Option<&std::path::Path>,
) -> u8 {
    let json = show.json;
    let mut worst = exit::OK;
    let mut reports = Vec::new();
    let mut suites = Vec::new();
    let mut inputs: Vec<PathBuf> = files.to_vec();
    let any_scenario = files.iter().any(|f| !is_template(f));
    let scenarios: Vec<&PathBuf> = files.iter().filter(|f| !any_scenario || !is_template(f)).collect();
    let mixed = any_scenario && scenarios.len() < files.len();
    let twice = quotas.iter().enumerate().find(|(i, (q, _))| quotas[..*i].iter().any(|(p, _)| p == q));
    if let Some((_, (q, _))) = twice {
        output::errln(&format!("vpcsim: --quota {} is given twice; give each quota once", q.key()));
        return exit::INVALID;
    }
    if mixed && *template != world::TemplateArgs::default() {
        output::errln("vpcsim: --parameter and --region apply to CloudFormation templates, and templates given with scenario files are passed over; run the template alone");
        return exit::INVALID;
    }
    for f in files {
        if !scenarios.contains(&f) {
            output::errln(&format!(
                "skipping {}: a CloudFormation template, not a scenario (scenarios name it under `stacks:`)",
                f.display()
            ));
            continue;
        }
        let code = match world::load(f, template).and_then(|(s, builtin)| {
            inputs.extend(s.stacks.iter().filter_map(|st| match &st.template {
                scenario::TemplateSource::File(path) => Some(path.clone()),
                scenario::TemplateSource::Inline(_) => None,
            }));
            run_one(&s, builtin, show, quotas, &mut reports, &mut suites)
        }) {
            Ok((code, text)) => {
                super::emit(&text);
                code
            }
            Err(e) => {
                suites.push(junit::error_suite(f, &e.message));
                fail(e)
            }
        };
        worst = worst.max(code);
    }
    if let Some(path) = junit {
        let written = junit::xml("vpcsim run", &suites).and_then(|xml| junit::write(path, &inputs, &xml));
        if let Err(e) = written {
            worst = worst.max(fail(e));
        }
    }
    if json {
        super::emit(&format!(
            "{}\n",
            serde_json::to_string_pretty(&serde_json::Value::Array(reports)).unwrap_or_default()
        ));
    }
    worst
}

/// Whether a file is a CloudFormation template (so `vpcsim run scenarios/*.yaml` can pass over
/// the templates beside the scenarios), as [`scenario::template::is_template`] decides.
fn is_template(path: &std::path::Path) -> bool {
    let Ok(text) = vpcsim::source::read(path, vpcsim::yaml::Limits::default().max_bytes) else {
        return false;
    };
    let Ok(doc) = vpcsim::yaml::parse(&text, &vpcsim::yaml::Limits::default()) else { return false };
    scenario::template::is_template(&doc)
}

fn fail(e: CliError) -> u8 {
    output::errln(&render::escape_controls(&e.message));
    e.code
}

/// Runs one scenario; its exit code and the text to print (empty with `--json`, whose report is pushed).
fn run_one(
    s: &Scenario,
    builtin: bool,
    show: Show,
    quotas: &[(Quota, usize)],
    reports: &mut Vec<serde_json::Value>,
    suites: &mut Vec<junit::Suite>,
) -> Result<(u8, String), CliError> {
    let mut session = world::session_for(s, builtin)?;
    for (quota, value) in quotas {
        session
            .world
            .request_service_quota_increase(*quota, *value)
            .map_err(|e| CliError::invalid(format!("--quota: {e}")))?;
    }
    let mut progress = ProgressLine::new();
    let report = scenario::run_observed(s, &mut session, &mut |p| progress.show(p))
        .map_err(|e| CliError::invalid(e.to_string()))?;
    progress.clear();
    for w in &session.warnings {
        output::errln(&render::escape_controls(&format!("warning: {w}")));
    }
    let code = report.exit_code() as u8;
    suites.push(junit::scenario_suite(&report));
    let text = if show.json {
        reports.push(render::json(&report, &session.world));
        String::new()
    } else if show.quiet {
        quiet_text(&report)
    } else {
        let wide = with_preamble(&render::text(&report), s);
        match super::style::fit_width(&wide, show.wide) {
            Some(width) => {
                let fitted = render::text_in(&report, render::Layout::Fit(width));
                vpcsim::trace::compact::fit(&with_preamble(&fitted, s), width)
            }
            None => wide,
        }
    };
    Ok((code, text))
}

/// The report's text with the scenario's description and its stacks' creation after its
/// first line, as a learner would type it (`aws cloudformation create-stack ...`).
fn with_preamble(text: &str, s: &Scenario) -> String {
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    let mut out = format!("{first}\n");
    if let Some(d) = &s.description {
        out.push_str(&render::escape_controls(d.trim_end()));
        out.push('\n');
    }
    for stack in &s.stacks {
        let template = match &stack.template {
            scenario::TemplateSource::File(path) => {
                format!("file://{}", path.file_name().unwrap_or(path.as_os_str()).to_string_lossy())
            }
            scenario::TemplateSource::Inline(_) => "(inline in the scenario)".to_string(),
        };
        let mut line = format!(
            "\n── stack {}: created before step 1\n$ aws cloudformation create-stack --stack-name {} \\\n    --template-body {template}",
            stack.name, stack.name
        );
        for (k, v) in &stack.parameters {
            line.push_str(&format!(" \\\n    --parameters ParameterKey={k},ParameterValue={v}"));
        }
        out.push_str(&render::escape_controls(&line));
        out.push('\n');
    }
    out.push_str(rest);
    out
}

/// `FILE: passed`, or `FILE: FAILED` followed by the failed step's report.
fn quiet_text(report: &scenario::Report) -> String {
    if report.passed {
        return format!("{}: passed\n", report.file);
    }
    let full = render::text(report);
    let failed: Vec<&str> = split_steps(&full).into_iter().filter(|c| c.contains("  ✘ ")).collect();
    format!("{}: FAILED\n{}", report.file, failed.concat())
}

/// A report's text cut before each `── step` line: the header first, then one piece per step
/// (the last piece ends with the summary line).
fn split_steps(text: &str) -> Vec<&str> {
    let mut cuts: Vec<usize> = text.match_indices("\n── step ").map(|(i, _)| i + 1).collect();
    cuts.insert(0, 0);
    cuts.push(text.len());
    cuts.windows(2).map(|w| &text[w[0]..w[1]]).collect()
}

/// What a learner typed at the pause between steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pause {
    /// Enter: the next step.
    Next,
    /// `b`: back to the step before (the run is deterministic, so showing it again is
    /// what re-running up to it would print).
    Back,
    /// `q`, or the end of input: stop here.
    Quit,
}

impl Pause {
    fn read(line: &str, read: usize) -> Pause {
        match line.trim() {
            _ if read == 0 => Pause::Quit,
            "b" | "B" | "back" => Pause::Back,
            "q" | "Q" | "quit" | "exit" => Pause::Quit,
            _ => Pause::Next,
        }
    }
}

/// The pause prompt.
const PAUSE_PROMPT: &str = "-- Enter: next step, b: back, q: quit --";

/// Prints a report step by step; when `pause`, waits between steps for Enter (next), `b`
/// (the step before, again) or `q` (stop). Without `pause` it prints everything.
fn print_steps(text: &str, pause: bool) {
    let pieces = split_steps(text);
    let stdin = std::io::stdin();
    let mut i = 0;
    while i < pieces.len() {
        super::emit(pieces[i]);
        if !pause || i + 1 == pieces.len() {
            i += 1;
            continue;
        }
        output::err(PAUSE_PROMPT);
        let mut line = String::new();
        let read = stdin.lock().read_line(&mut line).unwrap_or(0);
        match Pause::read(&line, read) {
            Pause::Next => i += 1,
            Pause::Back => i = i.saturating_sub(1).max(1).min(i),
            Pause::Quit => {
                output::errln("");
                return;
            }
        }
    }
}

/// A progress line on standard error, shown only on a terminal and only once a run has
/// taken longer than a second (most runs finish well before, and print nothing extra).
struct ProgressLine {
    start: std::time::Instant,
    terminal: bool,
    shown: bool,
}

impl ProgressLine {
    fn new() -> ProgressLine {
        use std::io::IsTerminal;
        ProgressLine {
            start: std::time::Instant::now(),
            terminal: std::io::stderr().is_terminal(),
            shown: false,
        }
    }

    fn show(&mut self, p: scenario::Progress<'_>) {
        if !self.terminal || self.start.elapsed() < std::time::Duration::from_secs(1) {
            return;
        }
        output::err(&format!("\r\x1b[2K{}", progress_text(p)));
        self.shown = true;
    }

    fn clear(&mut self) {
        if self.shown {
            output::err("\r\x1b[2K");
            self.shown = false;
        }
    }
}

/// The progress line's text, cut to fit an 80-column terminal.
fn progress_text(p: scenario::Progress<'_>) -> String {
    let text = match p {
        scenario::Progress::Stacks => "creating the stacks".to_string(),
        scenario::Progress::Step { index, total, title } => format!("step {index}/{total}: {title}"),
    };
    text.chars().take(78).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pause_reads_enter_as_next_b_as_back_and_q_or_the_end_as_quit() {
        assert_eq!(Pause::read("\n", 1), Pause::Next);
        assert_eq!(Pause::read("b\n", 2), Pause::Back);
        assert_eq!(Pause::read("q\n", 2), Pause::Quit);
        assert_eq!(Pause::read("", 0), Pause::Quit);
    }

    #[test]
    fn a_report_is_cut_before_each_step() {
        let text = "Scenario: x\n\n── step 1: a\nout\n\n── step 2: b\n\nPASS\n";
        assert_eq!(split_steps(text), ["Scenario: x\n\n", "── step 1: a\nout\n\n", "── step 2: b\n\nPASS\n"]);
    }

    #[test]
    fn a_progress_line_shows_only_on_a_terminal_once_a_second_has_passed() {
        let step = scenario::Progress::Step { index: 3, total: 21, title: "curl goes privately" };
        let long_ago = std::time::Instant::now() - std::time::Duration::from_secs(2);
        let mut fresh = ProgressLine { start: std::time::Instant::now(), terminal: true, shown: false };
        fresh.show(step);
        assert!(!fresh.shown, "nothing before a second has passed");
        let mut piped = ProgressLine { start: long_ago, terminal: false, shown: false };
        piped.show(step);
        assert!(!piped.shown, "nothing when standard error is not a terminal");
        let mut slow = ProgressLine { start: long_ago, terminal: true, shown: false };
        slow.show(step);
        assert!(slow.shown);
        slow.clear();
        assert!(!slow.shown);
        assert_eq!(progress_text(step), "step 3/21: curl goes privately");
        assert_eq!(
            progress_text(scenario::Progress::Step { index: 1, total: 1, title: &"x".repeat(200) }).len(),
            78
        );
    }
}
