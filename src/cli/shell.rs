//! `vpcsim shell`: an interactive session on a scenario's world (the same world, ids and
//! saved outputs as `run` and `lab` for the same file, in the state `--until` selects).
//! The prompt says where commands run (`My-EC2$ `); the commands are those of scenario
//! steps (`dig`, `curl`, `ping`, `nc` on the current instance, `aws ...`, `wait 30s`,
//! `wait-for X STATE`) plus `on NAME`, `trace`, `describe`, `graph`, `save`, `help` and
//! `exit`. `> FILE` writes a command's output to a file; a pipe is refused.
//!
//! On a terminal, lines are edited with rustyline: history (kept in the user's data
//! folder), and tab completion by context: running instances after `on`, the names the
//! current instance resolves after `dig`, `curl`, `ping` and `nc`, `aws` services,
//! operations and flags, files after `-o` and `>`. Otherwise lines are read plainly and
//! each is echoed after its prompt, so a transcript reads like a terminal session and is
//! the same bytes every time. Errors never end the session.

use std::io::{BufRead, IsTerminal, Read as _};
use std::path::Path;

use rustyline::completion::Completer;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use rustyline::{Context, Editor, Helper};
use vpcsim::apps::Client;
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
const COMMANDS: [&str; 14] = [
    "on", "dig", "curl", "ping", "nc", "aws", "wait", "wait-for", "trace", "describe", "graph", "save",
    "help", "exit",
];

/// States `wait-for` knows, for completion.
const STATES: [&str; 8] =
    ["available", "healthy", "unhealthy", "pendingAcceptance", "pending", "deleted", "running", "active"];

const HELP: &str = "Commands (those of scenario steps, plus a few of the shell's own):
  on NAME                    run the next commands on instance NAME
  on internet [ADDRESS]      run them on a client on the internet (203.0.113.10)
  dig [+short] NAME          DNS from the current instance
  curl [-v] URL              HTTP from the current instance
  ping [-c N] HOST           ICMP from the current instance
  nc -z [-u] HOST PORT       a port probe from the current instance
  aws SERVICE OPERATION ...  a control-plane call (aws ec2 describe-vpcs, ...)
  wait DURATION              advance the virtual clock (30s, 2m)
  wait-for RESOURCE STATE    advance the clock until RESOURCE is in STATE
  trace HOST[:PORT] [PROTO]  a flow's path from the current instance (tcp, udp, icmp)
  describe [WHAT]            the AWS CLI's JSON (vpcs, subnets, route-tables, ...)
  graph [FORMAT] [HOST]      a diagram (dot, mermaid, svg), with a flow's path
  save NAME                  keep the last aws call's JSON as ${NAME.Path}
  help [COMMAND], exit       COMMAND --help and aws ... help work too
${X}, ${X.Attr} substitute as in scenario files (Ref and GetAtt of stack resources),
${NAME.Path} the outputs saved by the scenario's steps and by save. `COMMAND > FILE`
writes the output to FILE (`>>` appends); pipes (|) are refused.
";

/// Each command's own help: `help COMMAND` and `COMMAND --help`.
const COMMAND_HELP: [(&str, &str); 14] = [
    ("on", "on NAME: run the next commands on instance NAME (Name tag, logical id or i- id)."),
    ("dig", "dig [+short] [@SERVER] NAME: DNS from the current instance, through its VPC's resolver."),
    ("curl", "curl [-s] [-v] [--connect-timeout SECS] [-m SECS] URL: HTTP from the current instance."),
    ("ping", "ping [-c N] HOST: ICMP echo from the current instance."),
    ("nc", "nc -z [-w SECS] [-u] HOST PORT[-PORT]: a port probe from the current instance, each port of a range in turn."),
    ("aws", "aws SERVICE OPERATION [--flag VALUE ...]: a control-plane call; `aws help`,\n`aws SERVICE help` and `aws SERVICE OPERATION help` list services, operations and flags."),
    ("wait", "wait DURATION: advance the virtual clock (30s, 2m, 1h); nothing sleeps."),
    ("wait-for", "wait-for RESOURCE STATE: advance the clock until RESOURCE is in STATE (limit 15m)."),
    ("trace", "trace HOST[:PORT] [tcp|udp|icmp] [--protocol P] [--json] [--wide] [-o FILE]:\nthe path of a flow from the current instance, forward and back (as `vpcsim trace`)."),
    ("describe", "describe [WHAT] [-o FILE]: the AWS CLI's JSON (vpcs, subnets, route-tables, ...)."),
    ("graph", "graph [dot|mermaid|svg] [--format F] [HOST[:PORT]] [-o FILE]: a diagram of the\nworld, with the path of a TCP flow from the current instance to HOST."),
    ("save", "save NAME: keep the last aws call's JSON output; ${NAME.Path[0].Field} reads it."),
    ("help", "help [COMMAND]: the commands, or one command's help."),
    ("exit", "exit (or quit, or Ctrl-D): leave the shell."),
];

/// `vpcsim shell [FILE] [--until N|end|NAME] [--from-start]`.
pub fn run(file: Option<&Path>, state: &world::StateArgs) -> Result<u8, CliError> {
    let file = file.unwrap_or(Path::new("lab"));
    let prepared = world::prepare_described(file, state)?;
    let line = prepared.state_line.clone();
    let mut shell = Shell::new(prepared.session, prepared.saved, Style::detect());
    let w = &shell.session.world;
    super::emit(&format!(
        "vpcsim shell: {line}\nRegion {}, {}. Type help for the commands.\n",
        w.region().name,
        w.wall_clock()
    ));
    if std::io::stdin().is_terminal() {
        interactive(&mut shell)?;
    } else {
        plain(&mut shell)?;
    }
    Ok(super::exit::OK)
}

/// The longest line the shell reads (bytes, newline included); a longer one is skipped
/// without being held, so a stream with no newline costs no more than this.
pub const MAX_LINE_BYTES: usize = 64 << 10;

/// Reads lines plainly, echoing each after its prompt. A line that is not UTF-8, or longer
/// than [`MAX_LINE_BYTES`], is an error naming it, and the shell goes on with the next
/// line, as a shell reading a script goes on after a command that fails; a read error ends
/// the session with exit 2.
fn plain(shell: &mut Shell) -> Result<(), CliError> {
    let mut input = std::io::stdin().lock();
    let mut bytes = Vec::new();
    let unreadable = |e: std::io::Error| CliError::invalid(format!("cannot read standard input: {e}"));
    loop {
        bytes.clear();
        let read =
            (&mut input).take(MAX_LINE_BYTES as u64).read_until(b'\n', &mut bytes).map_err(unreadable)?;
        if read == 0 {
            return Ok(());
        }
        let too_long = read == MAX_LINE_BYTES && !bytes.ends_with(b"\n");
        if too_long {
            skip_line(&mut input).map_err(unreadable)?;
        }
        let (out, next) = match std::str::from_utf8(&bytes) {
            _ if too_long => {
                shell.line += 1;
                let message = format!(
                    "vpcsim: line {}: longer than {MAX_LINE_BYTES} bytes (limit MAX_LINE_BYTES); the line is skipped\n",
                    shell.line
                );
                (message, Next::Continue)
            }
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

/// Reads and drops the rest of a line, up to and including its newline, a buffer at a time.
fn skip_line(input: &mut impl BufRead) -> std::io::Result<()> {
    loop {
        let buf = input.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        match buf.iter().position(|b| *b == b'\n') {
            Some(i) => {
                input.consume(i + 1);
                return Ok(());
            }
            None => {
                let n = buf.len();
                input.consume(n);
            }
        }
    }
}

/// Reads lines with rustyline: history (kept in [`history_file`]) and completion.
fn interactive(shell: &mut Shell) -> Result<(), CliError> {
    let mut rl: Editor<Complete, rustyline::history::DefaultHistory> =
        Editor::new().map_err(|e| CliError::invalid(format!("cannot start line editing: {e}")))?;
    rl.set_helper(Some(shell.completer()));
    let history = history_file();
    if let Some(text) = history.as_ref().and_then(|p| std::fs::read_to_string(p).ok()) {
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let _ = rl.add_history_entry(line);
        }
    }
    loop {
        match rl.readline(&shell.prompt()) {
            Ok(line) => {
                if !line.trim().is_empty() {
                    let _ = rl.add_history_entry(line.as_str());
                    if let Some(path) = &history {
                        remember(path, &line);
                    }
                }
                let (out, next) = shell.execute(&line);
                super::emit(&out);
                if next == Next::Exit || super::output::stopped() {
                    break;
                }
                rl.set_helper(Some(shell.completer()));
            }
            Err(rustyline::error::ReadlineError::Interrupted) => continue,
            Err(_) => break,
        }
    }
    Ok(())
}

/// Where the shell keeps its history: `$XDG_DATA_HOME/vpcsim/history`, else
/// `~/.local/share/vpcsim/history`; `None` when neither is known.
fn history_file() -> Option<std::path::PathBuf> {
    let data = std::env::var_os("XDG_DATA_HOME")
        .filter(|d| !d.is_empty())
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".local/share")))?;
    Some(data.join("vpcsim").join("history"))
}

/// Appends a line to the history file (creating its folder); a failure only loses history.
fn remember(path: &Path, line: &str) {
    use std::io::Write as _;
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
        let _ = writeln!(f, "{}", line.replace('\n', " "));
    }
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
    /// The JSON the last `aws` call printed, for `save NAME`.
    last_json: Option<serde_json::Value>,
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
        Shell { session, saved, on, style, budget: WaitBudget::new(), line: 0, last_json: None }
    }

    fn prompt(&self) -> String {
        format!("{}$ ", escape_controls(self.on.as_deref().unwrap_or("vpcsim")))
    }

    /// The completer for the current state: names, running instances, and the hosts the
    /// current instance's VPC resolves.
    fn completer(&self) -> Complete {
        Complete {
            names: self.names(),
            instances: self.instances(),
            hosts: self.hosts(),
            files: rustyline::completion::FilenameCompleter::new(),
        }
    }

    /// Running instances with a name (for `on`).
    fn instances(&self) -> Vec<String> {
        let w = &self.session.world;
        let mut names: Vec<String> = w
            .instances()
            .ids()
            .filter(|i| w[*i].state.as_str() == "running")
            .filter_map(|i| w.name_of(Handle::Instance(i)).map(str::to_string))
            .collect();
        names.sort();
        names
    }

    /// The DNS names the current instance resolves (for curl, dig, ping and nc).
    fn hosts(&self) -> Vec<String> {
        let w = &self.session.world;
        let Some(on) = self.on.as_deref().and_then(|n| self.session.instance(n).ok()) else {
            return Vec::new();
        };
        let mut hosts: Vec<String> = self
            .session
            .host_names()
            .into_iter()
            .filter(|n| n.contains('.') && vpcsim::apps::host::resolve(w, on, n).is_ok())
            .collect();
        hosts.sort();
        hosts.dedup();
        hosts
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

    /// Runs one line; what to print, and whether to go on. `> FILE` (or `>> FILE`) sends
    /// what the command printed to FILE instead.
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
        let (line, redirect) = match split_redirect(&line) {
            Ok(split) => split,
            Err(e) => return (format!("vpcsim: {e}\n"), Next::Continue),
        };
        let (out, next) = self.dispatch(&line);
        match redirect {
            None => (out, next),
            Some(r) => (r.write(out.as_bytes()), next),
        }
    }

    /// Runs one command line (substituted, without its redirection).
    fn dispatch(&mut self, line: &str) -> (String, Next) {
        let words: Vec<&str> = line.split_whitespace().collect();
        let Some(first) = words.first() else { return (String::new(), Next::Continue) };
        if words.len() == 2 && matches!(words[1], "--help" | "-h") && *first != "aws" {
            return (command_help(first), Next::Continue);
        }
        let out = match *first {
            "exit" | "quit" | "logout" => return (String::new(), Next::Exit),
            "help" => match words.get(1) {
                Some(cmd) => command_help(cmd),
                None => HELP.to_string(),
            },
            "on" => self.switch(&words[1..]),
            "wait" => self.wait(&words[1..]),
            "wait-for" => self.wait_for(&words[1..]),
            "save" => self.save(&words[1..]),
            "trace" => return (self.trace(&words[1..]), Next::Continue),
            "describe" => self.describe(&words[1..]),
            "graph" => self.graph(&words[1..]),
            "aws" if matches!(words.last(), Some(&("help" | "--help" | "-h"))) => {
                aws_help(&words[1..words.len() - 1])
            }
            "aws" => match aws::parse_line(line) {
                Ok(call) => {
                    let outcome = self.session.run_aws(&call);
                    self.last_json = outcome.json.clone();
                    outcome_text(&outcome)
                }
                Err(e) => format!("{e}\n"),
            },
            program if app::PROGRAMS.contains(&program) || program == "ncat" || program == "netcat" => {
                return (self.run_app(line), Next::Continue);
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

    /// `save NAME`: the last aws call's JSON, kept for `${NAME.Path}`.
    fn save(&mut self, args: &[&str]) -> String {
        let [name] = args else { return "save: give one name, like: save svc\n".into() };
        let valid = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !valid {
            return format!(
                "save: `{name}` cannot be a name: letters, digits, `_` and `-`, starting with a letter\n"
            );
        }
        match &self.last_json {
            Some(json) => {
                self.saved.insert(name.to_string(), (self.line, json.clone()));
                format!("saved as {name}: ${{{name}.Path}} reads it\n")
            }
            None => "save: no aws call has printed JSON yet in this session\n".into(),
        }
    }

    /// `describe [WHAT]`.
    fn describe(&self, args: &[&str]) -> String {
        match describe::document(&self.session.world, args.first().copied()) {
            Ok(doc) => format!("{}\n", vpcsim::describe::pretty(&doc)),
            Err(e) => format!("vpcsim: {}\n", e.message),
        }
    }

    fn substitute(&self, line: &str) -> Result<String, String> {
        if !line.contains("${") {
            return Ok(line.to_string());
        }
        let template = Template::parse(line).map_err(|e| e.to_string())?;
        apply(&template, &self.saved, &SessionResolver(&self.session))
    }

    fn switch(&mut self, args: &[&str]) -> String {
        let name = args.join(" ");
        if args.is_empty() || (args.len() > 1 && args[0] != "internet") {
            return format!(
                "on: give one instance name, or internet [ADDRESS]; now on {}\n",
                self.on.as_deref().unwrap_or("no instance")
            );
        }
        match self.session.client(&name) {
            Ok(client) => {
                let w = &self.session.world;
                self.on = Some(name.clone());
                let ip = w.client_address(client);
                match client {
                    Client::Instance(i) => format!("now on {name} ({}, {ip})\n", w[i].aws_id),
                    Client::Interface(e) => format!("now on {name} ({}, {ip})\n", w[e].aws_id),
                    Client::Internet(_) => format!("now on the internet ({ip})\n"),
                }
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

    /// `trace HOST[:PORT] [tcp|udp|icmp] [--protocol P] [--json] [--wide] [-o FILE]`.
    fn trace(&mut self, args: &[&str]) -> String {
        let opts = match Options::parse(args, &["--protocol"]) {
            Ok(o) => o,
            Err(e) => return format!("trace: {e}\n"),
        };
        let Some(on) = self.on.clone() else {
            return "trace: no instance to trace from; use on NAME\n".into();
        };
        let proto = opts.value("--protocol").or(opts.positional.get(1).map(String::as_str));
        let protocol = match proto {
            None | Some("tcp") => ProtocolArg::Tcp,
            Some("udp") => ProtocolArg::Udp,
            Some("icmp") => ProtocolArg::Icmp,
            Some(p) => return format!("trace: unknown protocol {p}: use tcp, udp or icmp\n"),
        };
        let Some(to) = opts.positional.first() else {
            return "trace: give HOST[:PORT] [tcp|udp|icmp]\n".into();
        };
        let out = match trace::trace_from(&self.session, &on, to, protocol) {
            Ok(t) if opts.flag("--json") => {
                format!(
                    "{}\n",
                    vpcsim::describe::pretty(&trace::analysis_json(&self.session.world, &t.trace))
                )
            }
            Ok(t) => trace::fitted(&t, self.style, opts.flag("--wide") || opts.output.is_some()),
            Err(e) => format!("trace: {}\n", e.message),
        };
        opts.deliver(out)
    }

    /// `graph [dot|mermaid|svg] [--format F] [HOST[:PORT]] [-o FILE]`: the world, with a TCP
    /// flow from the current instance drawn over it.
    fn graph(&self, args: &[&str]) -> String {
        let opts = match Options::parse(args, &["--format"]) {
            Ok(o) => o,
            Err(e) => return format!("graph: {e}\n"),
        };
        let mut rest: Vec<&str> = opts.positional.iter().map(String::as_str).collect();
        let format = match (opts.value("--format"), rest.first().copied()) {
            (Some(f), _) => f,
            (None, Some(f @ ("dot" | "mermaid" | "svg"))) => {
                rest.remove(0);
                f
            }
            _ => "dot",
        };
        if !matches!(format, "dot" | "mermaid" | "svg") {
            return format!("graph: unknown format {format}: use dot, mermaid or svg\n");
        }
        let traced = match (rest.first(), &self.on) {
            (None, _) => None,
            (Some(to), Some(on)) => match trace::trace_from(&self.session, on, to, ProtocolArg::Tcp) {
                Ok(t) => Some(t),
                Err(e) => return format!("graph: {}\n", e.message),
            },
            (Some(_), None) => return "graph: no instance to trace from; use on NAME\n".into(),
        };
        let d = vpcsim::graph::Diagram::of(&self.session.world, traced.as_ref().map(|t| &t.trace));
        match format {
            "mermaid" => opts.deliver(d.mermaid()),
            "svg" => match super::graph::svg(&d.dot()) {
                Ok(bytes) => opts.deliver_bytes(&bytes),
                Err(e) => format!("graph: {}\n", e.message),
            },
            _ => opts.deliver(d.dot()),
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

/// A command's help (`help COMMAND`, `COMMAND --help`).
fn command_help(command: &str) -> String {
    match COMMAND_HELP.iter().find(|(c, _)| *c == command) {
        Some((_, text)) => format!("{text}\n"),
        None => {
            let hint = vpcsim::command::closest(command, COMMANDS)
                .map(|c| format!(" (did you mean {c}?)"))
                .unwrap_or_default();
            format!("help: no command {command}{hint}; type help for the commands\n")
        }
    }
}

/// `aws help`, `aws SERVICE help`, `aws SERVICE OPERATION help`: what vpcsim models.
fn aws_help(words: &[&str]) -> String {
    let ops = aws::OPERATIONS;
    match words {
        [] => {
            let mut services: Vec<&str> = ops.iter().map(|o| o.service).collect();
            services.dedup();
            format!("aws SERVICE OPERATION ...; services: {}\n", services.join(", "))
        }
        [service] => {
            let names: Vec<&str> = ops.iter().filter(|o| o.service == *service).map(|o| o.name).collect();
            if names.is_empty() {
                return format!("aws: no service {service} is modelled; `aws help` lists them\n");
            }
            format!(
                "aws {service} operations:\n{}\n",
                names.iter().map(|n| format!("  {n}")).collect::<Vec<_>>().join("\n")
            )
        }
        [service, operation, ..] => {
            match ops.iter().find(|o| o.service == *service && o.name == *operation) {
                Some(op) => {
                    let mut out = format!("aws {service} {operation} flags:\n");
                    for f in op.flags {
                        let required = if f.required { " (required)" } else { "" };
                        out.push_str(&format!("  --{}{required}\n", f.name));
                    }
                    out
                }
                None => format!("aws: no operation {service} {operation}; `aws {service} help` lists them\n"),
            }
        }
    }
}

/// Where a command's output goes when the line ends in `> FILE` or `>> FILE`.
#[derive(Debug, PartialEq, Eq)]
struct Redirect {
    path: String,
    append: bool,
}

impl Redirect {
    /// Writes (or appends) the output; what to print instead: nothing, or the error.
    fn write(&self, bytes: &[u8]) -> String {
        use std::io::Write as _;
        let file = std::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .append(self.append)
            .truncate(!self.append)
            .open(&self.path);
        match file.and_then(|mut f| f.write_all(bytes)) {
            Ok(()) => String::new(),
            Err(e) => format!("vpcsim: cannot write {}: {e}\n", self.path),
        }
    }
}

/// A line split at its first unquoted `>` or `>>`: the command, and where its output goes.
/// An unquoted `|` or `<` is refused: the shell runs one command at a time.
fn split_redirect(line: &str) -> Result<(String, Option<Redirect>), String> {
    let mut quote: Option<char> = None;
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '|' | '<') => {
                return Err(format!("`{c}` is not supported in the shell: it runs one command at a time (`> FILE` writes its output to a file)"))
            }
            (None, '>') => {
                let append = line[i + 1..].starts_with('>');
                let target = line[i + 1 + usize::from(append)..].trim();
                if target.is_empty() || target.contains(char::is_whitespace) {
                    return Err("`>` takes one file name: COMMAND > FILE".into());
                }
                let redirect = Redirect { path: target.to_string(), append };
                return Ok((line[..i].trim_end().to_string(), Some(redirect)));
            }
            _ => {}
        }
    }
    Ok((line.to_string(), None))
}

/// The options of the shell's `trace` and `graph`: flags, flags with a value, `-o FILE`, and
/// the positional words left.
struct Options {
    positional: Vec<String>,
    flags: Vec<String>,
    values: Vec<(String, String)>,
    output: Option<String>,
}

impl Options {
    /// `valued` names the flags that take a value (besides `-o`/`--output`).
    fn parse(args: &[&str], valued: &[&str]) -> Result<Options, String> {
        let mut opts =
            Options { positional: Vec::new(), flags: Vec::new(), values: Vec::new(), output: None };
        let mut words = args.iter();
        while let Some(w) = words.next() {
            let value = |words: &mut std::slice::Iter<'_, &str>| {
                words.next().map(|v| v.to_string()).ok_or(format!("{w} takes a value"))
            };
            match *w {
                "-o" | "--output" => opts.output = Some(value(&mut words)?),
                f if valued.contains(&f) => opts.values.push((f.to_string(), value(&mut words)?)),
                "--json" | "--wide" => opts.flags.push(w.to_string()),
                f if f.starts_with('-') && f.len() > 1 => return Err(format!("unknown option {f}")),
                p => opts.positional.push(p.to_string()),
            }
        }
        Ok(opts)
    }

    fn flag(&self, name: &str) -> bool {
        self.flags.iter().any(|f| f == name)
    }

    fn value(&self, name: &str) -> Option<&str> {
        self.values.iter().find(|(f, _)| f == name).map(|(_, v)| v.as_str())
    }

    /// The text, or nothing once written to `-o FILE` (or the error).
    fn deliver(&self, text: String) -> String {
        match &self.output {
            Some(path) => Redirect { path: path.clone(), append: false }.write(text.as_bytes()),
            None => text,
        }
    }

    fn deliver_bytes(&self, bytes: &[u8]) -> String {
        match &self.output {
            Some(path) => Redirect { path: path.clone(), append: false }.write(bytes),
            None => String::from_utf8_lossy(bytes).into_owned(),
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
    instances: Vec<String>,
    hosts: Vec<String>,
    files: rustyline::completion::FilenameCompleter,
}

/// The tools that take a host.
const HOST_TOOLS: [&str; 6] = ["dig", "curl", "ping", "nc", "ncat", "netcat"];

/// The candidates for the word under the cursor: where it starts and the words that complete it.
/// After `on`, running instances; after a tool, the hosts the instance resolves (as URLs for
/// curl); after `aws`, services, operations and flags; elsewhere, resource names.
fn candidates(c: &Complete, line: &str) -> (usize, Vec<String>) {
    let start = line.rfind(char::is_whitespace).map_or(0, |i| i + 1);
    let prefix = &line[start..];
    let before: Vec<&str> = line[..start].split_whitespace().collect();
    let pool: Vec<String> = match before.as_slice() {
        [] => COMMANDS.iter().map(|c| c.to_string()).collect(),
        ["on"] => c.instances.clone(),
        ["help"] => COMMANDS.iter().map(|c| c.to_string()).collect(),
        ["describe"] => vpcsim::describe::WHAT.iter().map(|c| c.to_string()).collect(),
        ["graph"] => vec!["dot".into(), "mermaid".into(), "svg".into()],
        ["wait-for", _] => STATES.iter().map(|s| s.to_string()).collect(),
        ["aws"] => {
            let mut services: Vec<String> = aws::OPERATIONS.iter().map(|o| o.service.to_string()).collect();
            services.dedup();
            services
        }
        ["aws", service] => {
            aws::OPERATIONS.iter().filter(|o| o.service == *service).map(|o| o.name.to_string()).collect()
        }
        ["aws", service, operation, ..] if prefix.starts_with("--") => aws::OPERATIONS
            .iter()
            .filter(|o| o.service == *service && o.name == *operation)
            .flat_map(|o| o.flags.iter().map(|f| format!("--{}", f.name)))
            .collect(),
        [tool, ..] if HOST_TOOLS.contains(tool) && prefix.starts_with("http") => {
            c.hosts.iter().map(|n| format!("http://{n}/")).collect()
        }
        [tool, ..] if HOST_TOOLS.contains(tool) && !prefix.starts_with('-') => c.hosts.clone(),
        _ => c.names.clone(),
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
        let words: Vec<&str> = line[..pos].split_whitespace().collect();
        let after_output = matches!(
            (line[..pos].ends_with(char::is_whitespace), words.as_slice()),
            (true, [.., "-o" | "--output" | ">" | ">>"]) | (false, [.., "-o" | "--output" | ">" | ">>", _])
        );
        if after_output {
            let (start, pairs) = self.files.complete_path(line, pos)?;
            return Ok((start, pairs.into_iter().map(|p| p.replacement).collect()));
        }
        Ok(candidates(self, &line[..pos]))
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

    fn complete(names: &[&str], instances: &[&str], hosts: &[&str]) -> Complete {
        let owned = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
        Complete {
            names: owned(names),
            instances: owned(instances),
            hosts: owned(hosts),
            files: rustyline::completion::FilenameCompleter::new(),
        }
    }

    #[test]
    fn the_first_word_completes_to_commands() {
        let c = complete(&[], &[], &[]);
        assert_eq!(candidates(&c, "wa"), (0, vec!["wait".to_string(), "wait-for".to_string()]));
    }

    #[test]
    fn aws_operations_and_their_flags_complete() {
        let c = complete(&[], &[], &[]);
        let (start, ops) = candidates(&c, "aws ec2 describe-vpc");
        assert_eq!(start, 8);
        assert!(ops.contains(&"describe-vpcs".to_string()));
        let (_, flags) = candidates(&c, "aws elbv2 describe-target-health --t");
        assert_eq!(flags, ["--target-group-arn", "--targets"]);
    }

    #[test]
    fn wait_for_completes_a_resource_then_a_state() {
        let c = complete(&["CustomNLBTG"], &[], &[]);
        assert_eq!(candidates(&c, "wait-for Cus").1, ["CustomNLBTG"]);
        assert_eq!(candidates(&c, "wait-for CustomNLBTG he").1, ["healthy"]);
    }

    #[test]
    fn on_completes_instances_and_tools_complete_the_hosts_the_instance_resolves() {
        let c =
            complete(&["Custom-NLB", "CustomSG", "My-EC2"], &["Custom-WEB-1", "My-EC2"], &["custom-nlb.elb"]);
        assert_eq!(candidates(&c, "on Cu").1, ["Custom-WEB-1"], "no security group after on");
        assert_eq!(candidates(&c, "curl http://cu").1, ["http://custom-nlb.elb/"]);
        assert_eq!(
            candidates(&c, "curl http://Cu").1,
            Vec::<String>::new(),
            "a name curl cannot resolve is not offered"
        );
        assert_eq!(candidates(&c, "dig +short cu").1, ["custom-nlb.elb"]);
    }

    #[test]
    fn a_redirect_splits_off_its_file_and_a_pipe_is_refused() {
        let r = |path: &str, append| Some(Redirect { path: path.into(), append });
        assert_eq!(
            split_redirect("describe vpcs > out.json").unwrap(),
            ("describe vpcs".into(), r("out.json", false))
        );
        assert_eq!(
            split_redirect("describe vpcs >> out.json").unwrap(),
            ("describe vpcs".into(), r("out.json", true))
        );
        assert_eq!(
            split_redirect("aws ec2 x --query 'a > b'").unwrap(),
            ("aws ec2 x --query 'a > b'".into(), None)
        );
        assert!(split_redirect("describe vpcs | jq .").unwrap_err().contains("one command at a time"));
        assert!(split_redirect("describe vpcs >").is_err());
    }
}
