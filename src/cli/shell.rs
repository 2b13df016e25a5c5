//! `vpcsim shell`: an interactive session on a scenario's world. The prompt says
//! where commands run (`My-EC2$ `); the commands are those of scenario steps (`dig`,
//! `curl`, `ping`, `nc` on the current instance, `aws ...`, `wait 30s`, `wait-for X
//! STATE`) plus `on NAME`, `trace`, `describe`, `graph`, `help` and `exit`.
//!
//! On a terminal, lines are edited with rustyline: history, and tab completion of
//! commands, `aws` operations and flags, and resource and DNS names. Otherwise lines
//! are read plainly and each is echoed after its prompt, so a transcript reads like
//! a terminal session and is the same bytes every time. Errors never end the session.

use std::io::{BufRead, IsTerminal};
use std::path::Path;

use rustyline::completion::Completer;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use rustyline::{Context, Editor, Helper};
use vpcsim::command::{app, aws};
use vpcsim::scenario::render::escape_controls;
use vpcsim::scenario::subst::{apply, Resolver, Saved, Template};
use vpcsim::scenario::wait::{self, WaitBudget};
use vpcsim::scenario::{format_duration, parse_duration, Backend, Resolution, StepOutcome};
use vpcsim::session::Session;
use vpcsim::world::Handle;

use super::style::Style;
use super::{describe, trace, world, CliError, ProtocolArg};

/// The shell's own commands, then the tools, as `help` and completion list them.
const COMMANDS: [&str; 13] = [
    "on", "dig", "curl", "ping", "nc", "aws", "wait", "wait-for", "trace", "describe", "graph", "help",
    "exit",
];

/// States `wait-for` knows, for completion.
const STATES: [&str; 8] =
    ["available", "healthy", "unhealthy", "pendingAcceptance", "pending", "deleted", "running", "active"];

const HELP: &str = "Commands (the same as scenario steps, plus a few of the shell's own):
  on NAME                            run the next commands on instance NAME (Name tag, logical id or i- id)
  dig [+short] NAME                  DNS from the current instance
  curl [-v] URL                      HTTP from the current instance
  ping [-c N] HOST                   ICMP from the current instance
  nc -z [-u] HOST PORT               a port probe from the current instance
  aws SERVICE OPERATION ...          a control-plane call (aws ec2 describe-vpcs, aws elbv2 ...)
  wait DURATION                      advance the virtual clock (30s, 2m)
  wait-for RESOURCE STATE            advance the clock until RESOURCE is in STATE (limit 15m)
  trace HOST[:PORT] [PROTO]          the path of a flow from the current instance (tcp, udp or icmp)
  describe [WHAT]                    the AWS CLI's JSON (vpcs, subnets, route-tables, ...)
  graph [dot|mermaid] [HOST[:PORT]]  a diagram, with the path of a flow to HOST
  help, exit
${X}, ${X.Attr} substitute as in scenario files (Ref and GetAtt of stack resources).
";

/// `vpcsim shell [FILE] [--until N|end|NAME] [--from-start]`.
pub fn run(file: Option<&Path>, state: &world::StateArgs) -> Result<u8, CliError> {
    let file = file.unwrap_or(Path::new("lab"));
    let prepared = world::prepare_described(file, state)?;
    let line = prepared.state_line.clone();
    let mut shell = Shell::new(prepared.session, prepared.saved, Style::detect());
    let w = &shell.session.world;
    super::emit(&format!(
        "vpcsim shell: {line}\nRegion {}, {}. Type help for the commands.\n",
        w.region.name,
        w.wall_clock()
    ));
    if std::io::stdin().is_terminal() {
        interactive(&mut shell)?;
    } else {
        plain(&mut shell)?;
    }
    Ok(super::exit::OK)
}

/// Reads lines plainly, echoing each after its prompt. A line that is not UTF-8 is an
/// error naming it, and the shell goes on with the next line, as a shell reading a script
/// goes on after a command that fails; a read error ends the session with exit 2.
fn plain(shell: &mut Shell) -> Result<(), CliError> {
    let mut input = std::io::stdin().lock();
    let mut bytes = Vec::new();
    loop {
        bytes.clear();
        let read = input
            .read_until(b'\n', &mut bytes)
            .map_err(|e| CliError::invalid(format!("cannot read standard input: {e}")))?;
        if read == 0 {
            return Ok(());
        }
        let (out, next) = match std::str::from_utf8(&bytes) {
            Ok(line) => {
                super::emit(&format!("{}{}\n", shell.prompt(), escape_controls(line.trim_end())));
                shell.execute(line)
            }
            Err(e) => {
                shell.line += 1;
                let message = format!(
                    "vpcsim: line {}: not valid UTF-8 (at byte {}); the line is skipped\n",
                    shell.line,
                    e.valid_up_to() + 1
                );
                (message, Next::Continue)
            }
        };
        super::emit(&out);
        if next == Next::Exit || super::output::stopped() {
            return Ok(());
        }
    }
}

/// Reads lines with rustyline: history and completion.
fn interactive(shell: &mut Shell) -> Result<(), CliError> {
    let mut rl: Editor<Complete, rustyline::history::DefaultHistory> =
        Editor::new().map_err(|e| CliError::invalid(format!("cannot start line editing: {e}")))?;
    rl.set_helper(Some(Complete { names: shell.names() }));
    loop {
        match rl.readline(&shell.prompt()) {
            Ok(line) => {
                if !line.trim().is_empty() {
                    let _ = rl.add_history_entry(line.as_str());
                }
                let (out, next) = shell.execute(&line);
                super::emit(&out);
                if next == Next::Exit || super::output::stopped() {
                    break;
                }
                if let Some(h) = rl.helper_mut() {
                    h.names = shell.names();
                }
            }
            Err(rustyline::error::ReadlineError::Interrupted) => continue,
            Err(_) => break,
        }
    }
    Ok(())
}

/// What to do after a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Next {
    Continue,
    Exit,
}

/// The session and where commands run.
struct Shell {
    session: Session,
    /// The outputs the scenario's applied steps saved, for `${NAME.Path}`.
    saved: Saved,
    on: Option<String>,
    style: Style,
    /// Virtual time the session's waits have scheduled.
    budget: WaitBudget,
    /// The number of the line being run, from 1.
    line: usize,
}

/// Substitutions against the session (Ref and GetAtt; saved outputs come from [`Shell::saved`]).
struct SessionResolver<'a>(&'a Session);

impl Resolver for SessionResolver<'_> {
    fn resolve(&self, name: &str) -> Resolution {
        Backend::resolve(self.0, name)
    }

    fn get_att(&self, name: &str, attr: &str) -> Result<String, String> {
        Backend::get_att(self.0, name, attr)
    }
}

impl Shell {
    /// A shell on the first running instance with a name.
    fn new(session: Session, saved: Saved, style: Style) -> Shell {
        let w = &session.world;
        let on = w
            .instances()
            .ids()
            .map(Handle::Instance)
            .filter(|h| matches!(h, Handle::Instance(i) if w[i].state.as_str() == "running"))
            .find_map(|h| w.name_of(h).map(str::to_string));
        Shell { session, saved, on, style, budget: WaitBudget::new(), line: 0 }
    }

    fn prompt(&self) -> String {
        format!("{}$ ", escape_controls(self.on.as_deref().unwrap_or("vpcsim")))
    }

    /// Names completion offers: instances, resources, DNS names, AWS ids.
    fn names(&self) -> Vec<String> {
        let w = &self.session.world;
        let mut names = self.session.host_names();
        names.extend(w.vpcs().values().filter(|v| !v.deleted).map(|v| v.aws_id.clone()));
        names.extend(w.subnets().values().filter(|s| !s.deleted).map(|s| s.aws_id.clone()));
        names.extend(w.sgs().values().filter(|s| !s.deleted).map(|s| s.aws_id.clone()));
        names.extend(w.route_tables().values().map(|r| r.aws_id.clone()));
        names.extend(w.instances().values().map(|i| i.aws_id.clone()));
        names.extend(w.lbs().values().filter(|l| !l.deleted).map(|l| l.arn.clone()));
        names.extend(w.target_groups().values().filter(|t| !t.deleted).map(|t| t.arn.clone()));
        names.extend(w.services().values().map(|s| s.service_id.clone()));
        names.extend(w.services().values().map(|s| s.service_name.clone()));
        names.extend(w.endpoints().values().map(|e| e.aws_id.clone()));
        names.sort();
        names.dedup();
        names
    }

    /// Runs one line; what to print, and whether to go on.
    fn execute(&mut self, line: &str) -> (String, Next) {
        self.line += 1;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            return (String::new(), Next::Continue);
        }
        let line = match self.substitute(line) {
            Ok(l) => l,
            Err(e) => {
                let message = format!("vpcsim: line {}: {e}\n", self.line);
                return (escape_controls(&message).into_owned(), Next::Continue);
            }
        };
        let words: Vec<&str> = line.split_whitespace().collect();
        let Some(first) = words.first() else { return (String::new(), Next::Continue) };
        let out = match *first {
            "exit" | "quit" | "logout" => return (String::new(), Next::Exit),
            "help" => HELP.to_string(),
            "on" => self.switch(&words[1..]),
            "wait" => self.wait(&words[1..]),
            "wait-for" => self.wait_for(&words[1..]),
            "trace" => return (self.trace(&words[1..]), Next::Continue),
            "describe" => match describe::document(&self.session.world, words.get(1).copied()) {
                Ok(doc) => format!("{}\n", vpcsim::describe::pretty(&doc)),
                Err(e) => format!("vpcsim: {}\n", e.message),
            },
            "graph" => self.graph(&words[1..]),
            "aws" => match aws::parse_line(&line) {
                Ok(call) => outcome_text(&self.session.run_aws(&call)),
                Err(e) => format!("{e}\n"),
            },
            program if app::PROGRAMS.contains(&program) || program == "ncat" || program == "netcat" => {
                return (self.run_app(&line), Next::Continue);
            }
            other => {
                let hint = vpcsim::command::closest(other, COMMANDS)
                    .map(|c| format!(" (did you mean {c}?)"))
                    .unwrap_or_default();
                format!("vpcsim: unknown command {other}{hint}; type help for the commands\n")
            }
        };
        (escape_controls(&out).into_owned(), Next::Continue)
    }

    fn substitute(&self, line: &str) -> Result<String, String> {
        if !line.contains("${") {
            return Ok(line.to_string());
        }
        let template = Template::parse(line).map_err(|e| e.to_string())?;
        apply(&template, &self.saved, &SessionResolver(&self.session))
    }

    fn switch(&mut self, args: &[&str]) -> String {
        let [name] = args else {
            return format!(
                "on: give one instance name; now on {}\n",
                self.on.as_deref().unwrap_or("no instance")
            );
        };
        match self.session.instance(name) {
            Ok(i) if self.session.world[i].state.as_str() != "running" => {
                let state = self.session.world[i].state.as_str();
                format!("on: {name} is {state}; commands run on running instances\n")
            }
            Ok(i) => {
                let w = &self.session.world;
                self.on = Some(name.to_string());
                let id = &w[i].aws_id;
                let ip = w[w[i].eni].private_ip;
                format!("now on {name} ({id}, {ip})\n")
            }
            Err(e) => format!("on: {e}\n"),
        }
    }

    /// `wait DURATION`: bounded like a scenario's `wait` (MAX_WAIT, and MAX_TOTAL_WAIT for the session).
    fn wait(&mut self, args: &[&str]) -> String {
        let d = match args {
            [text] => parse_duration(text).map(|d| (*text, d)),
            _ => None,
        };
        let Some((text, d)) = d else { return "wait: give one duration, like 30s, 2m or 1h\n".into() };
        if let Err(e) = self.budget.charge("wait", text, d) {
            return format!("vpcsim: {e}; {}\n", e.hint());
        }
        self.session.advance(d);
        format!("the clock is now {}\n", self.session.world.wall_clock())
    }

    /// `wait-for RESOURCE STATE`: the scenario's loop and limit (its timeout counts towards MAX_TOTAL_WAIT).
    fn wait_for(&mut self, args: &[&str]) -> String {
        let [resource, state] = args else {
            return "wait-for: give a resource and a state, like: wait-for Custom-NLB-TG healthy\n".into();
        };
        let timeout = vpcsim::scenario::DEFAULT_WAIT_FOR_TIMEOUT;
        if let Err(e) = self.budget.charge("timeout", &format_duration(timeout), timeout) {
            return format!("vpcsim: {e}; {}\n", e.hint());
        }
        let outcome = wait::wait_for(&mut self.session, resource, state, timeout);
        if outcome.exit_code == 0 {
            outcome.stdout
        } else {
            format!("wait-for: {}", outcome.stderr)
        }
    }

    fn trace(&mut self, args: &[&str]) -> String {
        let Some(on) = self.on.clone() else {
            return "trace: no instance to trace from; use on NAME\n".into();
        };
        let protocol = match args.get(1).copied() {
            None | Some("tcp") => ProtocolArg::Tcp,
            Some("udp") => ProtocolArg::Udp,
            Some("icmp") => ProtocolArg::Icmp,
            Some(p) => return format!("trace: unknown protocol {p}: use tcp, udp or icmp\n"),
        };
        let Some(to) = args.first() else { return "trace: give HOST[:PORT] [tcp|udp|icmp]\n".into() };
        match trace::trace_from(&self.session, &on, to, protocol) {
            Ok(t) => trace::text(&t, self.style),
            Err(e) => format!("trace: {}\n", e.message),
        }
    }

    /// `graph [dot|mermaid] [HOST[:PORT]]`: the world, with a TCP flow from the current instance drawn over it.
    fn graph(&self, args: &[&str]) -> String {
        let (format, rest) = match args.first().copied() {
            Some(f @ ("dot" | "mermaid")) => (f, &args[1..]),
            _ => ("dot", args),
        };
        let traced = match (rest.first(), &self.on) {
            (None, _) => None,
            (Some(to), Some(on)) => match trace::trace_from(&self.session, on, to, ProtocolArg::Tcp) {
                Ok(t) => Some(t),
                Err(e) => return format!("graph: {}\n", e.message),
            },
            (Some(_), None) => return "graph: no instance to trace from; use on NAME\n".into(),
        };
        let d = vpcsim::graph::Diagram::of(&self.session.world, traced.as_ref().map(|t| &t.trace));
        if format == "mermaid" {
            d.mermaid()
        } else {
            d.dot()
        }
    }

    fn run_app(&mut self, line: &str) -> String {
        let Some(on) = self.on.clone() else { return "no instance to run on; use on NAME\n".into() };
        match app::parse_line(line) {
            Ok(cmd) => {
                let outcome = self.session.run_app(&on, &cmd);
                let mut out = escape_controls(&outcome_text(&outcome)).into_owned();
                if let Some(x) = outcome.trace.as_ref().and_then(|t| t.explanation.as_ref()) {
                    out.push_str(&self.style.dim(&escape_controls(&format!("(vpcsim: blocked: {x})"))));
                    out.push('\n');
                }
                out
            }
            Err(e) => escape_controls(&format!("{}\n", e.message)).into_owned(),
        }
    }
}

/// What a command printed: stdout, then stderr.
fn outcome_text(o: &StepOutcome) -> String {
    let mut out = o.stdout.clone();
    out.push_str(&o.stderr);
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// Tab completion: commands first, then what each command takes.
struct Complete {
    names: Vec<String>,
}

/// The candidates for the word under the cursor: where it starts and the words that complete it.
fn candidates(names: &[String], line: &str) -> (usize, Vec<String>) {
    let start = line.rfind(char::is_whitespace).map_or(0, |i| i + 1);
    let prefix = &line[start..];
    let before: Vec<&str> = line[..start].split_whitespace().collect();
    let pool: Vec<String> = match before.as_slice() {
        [] => COMMANDS.iter().map(|c| c.to_string()).collect(),
        ["describe"] => vpcsim::describe::WHAT.iter().map(|c| c.to_string()).collect(),
        ["graph"] => vec!["dot".into(), "mermaid".into()],
        ["wait-for", _] => STATES.iter().map(|s| s.to_string()).collect(),
        ["aws"] => vec!["ec2".into(), "elbv2".into(), "cloudformation".into()],
        ["aws", service] => {
            aws::OPERATIONS.iter().filter(|o| o.service == *service).map(|o| o.name.to_string()).collect()
        }
        ["aws", service, operation, ..] if prefix.starts_with("--") => aws::OPERATIONS
            .iter()
            .filter(|o| o.service == *service && o.name == *operation)
            .flat_map(|o| o.flags.iter().map(|f| format!("--{}", f.name)))
            .collect(),
        [_, ..] if prefix.starts_with("http://") => names.iter().map(|n| format!("http://{n}/")).collect(),
        _ => names.to_vec(),
    };
    (start, pool.into_iter().filter(|c| c.starts_with(prefix)).collect())
}

impl Completer for Complete {
    type Candidate = String;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        Ok(candidates(&self.names, &line[..pos]))
    }
}

impl Hinter for Complete {
    type Hint = String;
}

impl Highlighter for Complete {}

impl Validator for Complete {}

impl Helper for Complete {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_word_completes_to_commands() {
        assert_eq!(candidates(&[], "wa"), (0, vec!["wait".to_string(), "wait-for".to_string()]));
    }

    #[test]
    fn aws_operations_and_their_flags_complete() {
        let (start, ops) = candidates(&[], "aws ec2 describe-vpc");
        assert_eq!(start, 8);
        assert!(ops.contains(&"describe-vpcs".to_string()));
        let (_, flags) = candidates(&[], "aws elbv2 describe-target-health --t");
        assert_eq!(flags, ["--target-group-arn", "--targets"]);
    }

    #[test]
    fn wait_for_completes_a_resource_then_a_state() {
        let names = vec!["CustomNLBTG".to_string()];
        assert_eq!(candidates(&names, "wait-for Cus").1, ["CustomNLBTG"]);
        assert_eq!(candidates(&names, "wait-for CustomNLBTG he").1, ["healthy"]);
    }

    #[test]
    fn names_complete_after_on_and_in_urls() {
        let names = vec!["My-EC2".to_string(), "custom-nlb.elb".to_string()];
        assert_eq!(candidates(&names, "on My").1, ["My-EC2"]);
        assert_eq!(candidates(&names, "curl http://cu").1, ["http://custom-nlb.elb/"]);
    }
}
