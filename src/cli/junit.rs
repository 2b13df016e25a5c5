//! `--junit FILE` for `run`, `check` and `reach`: results as JUnit XML, the format CI
//! systems read. One `<testsuites>` with a `<testsuite>` per scenario file, scope or
//! matrix and a `<testcase>` per step, finding or cell. Written with quick-xml, which
//! escapes text and attributes; characters XML 1.0 cannot hold (terminal controls) are
//! shown as `\u{..}`. No times or host names: the same run writes the same bytes.

use std::path::{Path, PathBuf};

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

use super::{exit, CliError};

/// How a test case ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// It passed.
    Passed,
    /// An expectation did not hold: a one-line message and the details.
    Failed {
        /// One line.
        message: String,
        /// The details.
        text: String,
    },
    /// It could not run at all (an invalid file): the message.
    Error(String),
    /// It was not run, and why.
    Skipped(String),
}

/// One `<testcase>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case {
    /// `name`.
    pub name: String,
    /// `classname`: the file or scope it belongs to.
    pub classname: String,
    /// How it ended.
    pub status: Status,
    /// `<system-out>`, when there is something to show.
    pub output: Option<String>,
}

/// One `<testsuite>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suite {
    /// `name`.
    pub name: String,
    /// Its cases.
    pub cases: Vec<Case>,
}

/// Text XML 1.0 can hold: controls other than tab, newline and carriage return become `\u{..}`.
fn xml_safe(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

fn count(cases: &[Case], f: impl Fn(&Status) -> bool) -> String {
    cases.iter().filter(|c| f(&c.status)).count().to_string()
}

fn start<'a>(name: &'a str, attributes: &[(&str, &str)]) -> Event<'a> {
    let mut e = BytesStart::new(name);
    for (k, v) in attributes {
        e.push_attribute((*k, xml_safe(v).as_str()));
    }
    Event::Start(e)
}

fn text_element(
    w: &mut Writer<Vec<u8>>,
    name: &str,
    attributes: &[(&str, &str)],
    text: &str,
) -> std::io::Result<()> {
    w.write_event(start(name, attributes))?;
    w.write_event(Event::Text(BytesText::new(&xml_safe(text))))?;
    w.write_event(Event::End(BytesEnd::new(name)))
}

fn case(w: &mut Writer<Vec<u8>>, c: &Case) -> std::io::Result<()> {
    if c.status == Status::Passed && c.output.is_none() {
        let mut e = BytesStart::new("testcase");
        e.push_attribute(("name", xml_safe(&c.name).as_str()));
        e.push_attribute(("classname", xml_safe(&c.classname).as_str()));
        return w.write_event(Event::Empty(e));
    }
    w.write_event(start("testcase", &[("name", &c.name), ("classname", &c.classname)]))?;
    match &c.status {
        Status::Passed => {}
        Status::Failed { message, text } => {
            text_element(w, "failure", &[("message", message), ("type", "expectation")], text)?
        }
        Status::Error(message) => {
            text_element(w, "error", &[("message", message), ("type", "invalid")], message)?
        }
        Status::Skipped(why) => {
            let mut e = BytesStart::new("skipped");
            e.push_attribute(("message", xml_safe(why).as_str()));
            w.write_event(Event::Empty(e))?;
        }
    }
    if let Some(out) = &c.output {
        text_element(w, "system-out", &[], out)?;
    }
    w.write_event(Event::End(BytesEnd::new("testcase")))
}

/// The `name`, `tests`, `failures` and `errors` attributes of a suite (or of all).
fn totals(name: &str, cases: &[Case]) -> Vec<(&'static str, String)> {
    vec![
        ("name", name.to_string()),
        ("tests", cases.len().to_string()),
        ("failures", count(cases, |s| matches!(s, Status::Failed { .. }))),
        ("errors", count(cases, |s| matches!(s, Status::Error(_)))),
    ]
}

fn suites_xml(w: &mut Writer<Vec<u8>>, name: &str, suites: &[Suite]) -> std::io::Result<()> {
    let all: Vec<Case> = suites.iter().flat_map(|s| s.cases.iter().cloned()).collect();
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let top = totals(name, &all);
    w.write_event(start("testsuites", &top.iter().map(|(k, x)| (*k, x.as_str())).collect::<Vec<_>>()))?;
    for s in suites {
        let mut a = totals(&s.name, &s.cases);
        // `skipped` on each suite only: the schema CI tools validate against (Jenkins'
        // junit-10.xsd) declares it there and not on `<testsuites>`.
        a.push(("skipped", count(&s.cases, |s| matches!(s, Status::Skipped(_)))));
        w.write_event(start("testsuite", &a.iter().map(|(k, x)| (*k, x.as_str())).collect::<Vec<_>>()))?;
        for c in &s.cases {
            case(w, c)?;
        }
        w.write_event(Event::End(BytesEnd::new("testsuite")))?;
    }
    w.write_event(Event::End(BytesEnd::new("testsuites")))
}

/// The report as a JUnit XML document named `name`.
pub fn xml(name: &str, suites: &[Suite]) -> Result<String, CliError> {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    suites_xml(&mut w, name, suites).map_err(|e| CliError::invalid(format!("--junit: {e}")))?;
    let mut out =
        String::from_utf8(w.into_inner()).map_err(|e| CliError::invalid(format!("--junit: {e}")))?;
    out.push('\n');
    Ok(out)
}

/// Writes the report to `path`, refusing any of the command's `inputs` (the same file by
/// device and inode, whatever path names it): exit 3 when it cannot be written.
pub fn write(path: &Path, inputs: &[PathBuf], xml: &str) -> Result<(), CliError> {
    if let Some(input) = inputs.iter().find(|i| same_file::is_same_file(i, path).unwrap_or(false)) {
        return Err(CliError::invalid(format!(
            "--junit {}: that is {}, an input of this command; refusing to overwrite it (choose another file)",
            path.display(),
            input.display()
        )));
    }
    std::fs::write(path, xml)
        .map_err(|e| CliError { code: exit::WRITE, message: format!("cannot write {}: {e}", path.display()) })
}

/// A scenario's report: one case per step; a failed step fails with its first unmet
/// expectation as the message and every unmet one, the command and its output as text.
pub fn scenario_suite(r: &vpcsim::scenario::run::Report) -> Suite {
    use vpcsim::scenario::run::StepStatus;
    let cases = r
        .steps
        .iter()
        .map(|step| {
            let status = match step.status {
                StepStatus::Passed => Status::Passed,
                StepStatus::Skipped => Status::Skipped("an earlier step failed".into()),
                StepStatus::Failed => {
                    let unmet: Vec<String> = step
                        .failures()
                        .map(|c| format!("{}: expected {}, got {}", c.key, c.expected, c.actual))
                        .collect();
                    let message =
                        unmet.first().and_then(|m| m.lines().next()).unwrap_or("the step failed").to_string();
                    let mut text = unmet.join("\n");
                    text.push_str(&format!("\n$ {}\n", step.command));
                    if let Some(o) = &step.outcome {
                        text.push_str(&o.output());
                    }
                    Status::Failed { message, text }
                }
            };
            Case {
                name: format!("step {}: {}", step.index, step.title),
                classname: r.file.clone(),
                status,
                output: None,
            }
        })
        .collect();
    Suite { name: r.name.clone(), cases }
}

/// A file that could not run at all: one case in error.
pub fn error_suite(file: &Path, message: &str) -> Suite {
    let name = file.display().to_string();
    let case = Case {
        name: "load".into(),
        classname: name.clone(),
        status: Status::Error(message.to_string()),
        output: None,
    };
    Suite { name, cases: vec![case] }
}
