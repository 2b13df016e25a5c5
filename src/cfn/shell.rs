//! The one reader of shell scripts (UserData, and cfn-init's `commands`): lines joined at
//! `\` continuations, heredocs (`<<EOF` expanded, `<<'EOF'` taken literally), `&&`, `||`,
//! `;` and `&` chains and `|` pipelines, quotes, `NAME=value` and `$NAME`/`${NAME}`,
//! command substitution (`$(...)` and backquotes), `>`/`>>` redirections (`2>` and `>&`
//! discard). The shell runs the commands every reader shares: `echo`, `printf`, `cat`,
//! `tee`, `cd`, `cut -d -f`, `awk '{print $N}'`, `set`, `trap`, `curl` to the instance
//! metadata service (M1, with or without an IMDSv2 token) and Amazon Linux's
//! `ec2-metadata`, `cfn-init` (M3) and, on an instance that can make them, `aws` calls (M7, through
//! [`Api`]), and it keeps the files the script writes. Every other
//! command goes to a [`Commands`] consumer, which decides what it means to it: what the
//! instance listens on ([`super::userdata`]), whether it forwards packets
//! ([`super::forwarding`]), which signals it sends ([`super::signal`]).
//!
//! A script is read for what it sets up: every command succeeds (status 0) except a
//! cfn-init that could not run, an `aws` call the API refused or could not reach (M7), a
//! function whose last command failed, `false` and `exit N`. `$?` is
//! the last status; `a && b` runs `b` only when `a` succeeded and `a || b` only when it
//! failed, so an `error_exit` helper called as `cfn-init ... || error_exit 'msg'` does not
//! run. Shell functions (`function NAME {`, `NAME() {`, one line or several, up to the
//! line that closes them) are kept when defined and run when called, with `$1`...`$9`,
//! `$@` and `$*` their arguments; `exit` ends the script (a function's too). `set -e` (or
//! `-e` on the `#!` line, as in `#!/bin/bash -ex`) ends the script at a command that
//! fails outside a `&&`/`||` list, after the `trap '...' ERR` command if one is set; an
//! `EXIT` trap runs when the script ends. Command substitutions inherit neither, as in bash.

use indexmap::IndexMap;

use super::init;
use crate::model::metadata_options::{MetadataReply, MetadataRequest};

/// What one reader of a script makes of the commands the shell does not run itself.
pub(crate) trait Commands {
    /// Runs one command for its effect (`args[0]` without its directory, after `sudo`,
    /// `nohup` and `exec`); returns what it prints.
    fn run(&mut self, sh: &mut Shell<'_>, args: &[&str], stdin: Option<String>) -> Option<String>;

    /// The script wrote `content` to `path` (with `>`, `>>` or `tee`).
    fn wrote(&mut self, _path: &str, _content: &str) {}
}

/// What a script runs on: the instance behind the metadata service (M1) and the resource
/// whose `AWS::CloudFormation::Init` metadata cfn-init reads (M3).
#[derive(Clone, Copy, Default)]
pub struct Host<'a> {
    /// M1: what `GET path` on 169.254.169.254 answers (`/latest/meta-data/local-ipv4`), once
    /// the instance exists; without it, a metadata `curl` prints nothing.
    pub metadata: Option<&'a Metadata<'a>>,
    /// M3: the stack, resource and metadata cfn-init reads; without it cfn-init fails.
    pub init: Option<init::Source<'a>>,
    /// M7: the AWS API as the instance's CLI reaches it; without it, `aws` goes to the
    /// consumer like any other command.
    pub aws: Option<&'a dyn Api>,
}

/// M7: the AWS CLI on the instance a script runs on, making its calls as the instance.
pub trait Api {
    /// Runs `aws ARGS...` (`args` are the words after `aws`): what it prints on stdout and
    /// its exit status.
    fn call(&self, args: &[&str]) -> Reply;

    /// A run of the script starts again (another reader reads it): the calls it makes are
    /// answered as the first run's were, in order, and are not made twice.
    fn rewind(&self);
}

/// What an `aws` call printed on stdout and its exit status (0, or the CLI's 252 to 255).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reply {
    /// Exit status.
    pub status: u8,
    /// Standard output.
    pub stdout: String,
}

/// The instance metadata service's answer to a request (M1: under the instance's metadata
/// options, so a request without a token may get 401).
pub type Metadata<'a> = dyn Fn(&MetadataRequest<'_>) -> MetadataReply + 'a;

impl std::fmt::Debug for Host<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Host")
            .field("metadata", &self.metadata.is_some())
            .field("init", &self.init)
            .field("aws", &self.aws.is_some())
            .finish()
    }
}

/// The state of a script being run: its files, directory and variables.
#[derive(Debug)]
pub struct Shell<'a> {
    /// Files written, by absolute path, in the order first written.
    pub files: IndexMap<String, String>,
    /// The working directory (`cd`).
    pub cwd: String,
    vars: IndexMap<String, String>,
    status: u8,
    depth: u8,
    host: Host<'a>,
    /// What cfn-init said when it could not run, in order.
    pub notes: Vec<String>,
    /// Shell functions defined so far, by name: their body's lines.
    functions: IndexMap<String, Vec<(String, Option<Heredoc>)>>,
    /// `exit` ran: the rest of the script does not.
    exited: bool,
    /// `set -e`: a failing command outside a `&&`/`||` list ends the script.
    errexit: bool,
    /// The commands `trap CMD ERR` and `trap CMD EXIT` set.
    traps: Traps,
}

/// The commands a script set with `trap`.
#[derive(Clone, Debug, Default)]
struct Traps {
    err: Option<String>,
    exit: Option<String>,
}

/// One piece of a shell word: quoted text taken as written, or text still to expand.
#[derive(Clone, Debug, PartialEq)]
enum Piece {
    Lit(String),
    Exp(String),
}

/// A word or an operator (`&&`, `|`, `>`, `2>`, ...).
#[derive(Clone, Debug, PartialEq)]
enum Token {
    Word(Vec<Piece>),
    Op(String),
}

/// A heredoc's body and whether it is expanded (its delimiter unquoted).
#[derive(Clone, Debug)]
struct Heredoc {
    body: String,
    expand: bool,
}

const SEPARATORS: &[&str] = &["&&", "||", ";", "&", "(", ")"];

/// Most bytes a word, a command's output or a file may hold; past it the text is cut (a
/// script that doubles a variable on every line stays small).
pub const MAX_TEXT_BYTES: usize = 1 << 20;

/// How deep command substitutions and cfn-init runs may nest; deeper ones print nothing.
pub const MAX_NESTING: u8 = 16;

/// The address of the instance metadata service in URLs.
const METADATA_URL: &str = "http://169.254.169.254";

impl<'a> Shell<'a> {
    /// A shell in `/` on `host`, with no files written yet.
    pub fn new(host: Host<'a>) -> Shell<'a> {
        Shell {
            files: IndexMap::new(),
            cwd: "/".into(),
            vars: IndexMap::new(),
            status: 0,
            depth: 0,
            host,
            notes: Vec::new(),
            functions: IndexMap::new(),
            exited: false,
            errexit: false,
            traps: Traps::default(),
        }
    }

    /// Runs a script; returns what it printed.
    pub(crate) fn run_script(&mut self, fx: &mut dyn Commands, script: &str) -> String {
        self.run_lines(fx, logical_lines(script))
    }

    /// Runs logical lines, keeping the functions they define, until the end or `exit`.
    fn run_lines(&mut self, fx: &mut dyn Commands, lines: Vec<(String, Option<Heredoc>)>) -> String {
        let mut out = String::new();
        let mut lines = lines.into_iter();
        while let Some((line, heredoc)) = lines.next() {
            if self.exited {
                break;
            }
            if let Some((name, rest)) = function_header(&line) {
                let body = function_body(rest, &mut lines);
                self.functions.insert(name, body);
                continue;
            }
            let stdin = heredoc.map(|h| if h.expand { self.expand_text(fx, &h.body, true) } else { h.body });
            out.push_str(&self.run_line(fx, &line, stdin));
        }
        out
    }

    fn run_line(&mut self, fx: &mut dyn Commands, line: &str, stdin: Option<String>) -> String {
        let mut out = String::new();
        let commands = split_commands(&tokenize(line));
        for (k, (after, pipeline)) in commands.iter().enumerate() {
            let skip = match after.as_deref() {
                Some("&&") => self.status != 0,
                Some("||") => self.status == 0,
                _ => false,
            };
            if skip || self.exited {
                continue;
            }
            let mut input = stdin.clone();
            for command in pipeline {
                input = self.run_command(fx, command, input);
            }
            out.push_str(&input.unwrap_or_default());
            let tested = matches!(commands.get(k + 1), Some((Some(op), _)) if op == "&&" || op == "||");
            if self.status != 0 && !tested {
                out.push_str(&self.failed(fx));
            }
        }
        out
    }

    /// A command failed outside a `&&`/`||` list: the ERR trap runs, then `set -e` ends
    /// the script with the command's status.
    fn failed(&mut self, fx: &mut dyn Commands) -> String {
        let status = self.status;
        let out = match self.traps.err.take() {
            Some(trap) => {
                let out = self.run_script(fx, &trap);
                self.traps.err = Some(trap);
                out
            }
            None => String::new(),
        };
        self.status = status;
        if self.errexit {
            self.exited = true;
        }
        out
    }

    /// `set [-e|+e|-o errexit|+o errexit|-x|...]`: only `-e` changes what the script does.
    fn set(&mut self, args: &[&str]) {
        let mut it = args.iter();
        while let Some(a) = it.next() {
            match *a {
                "-o" | "+o" if it.next() == Some(&"errexit") => self.errexit = *a == "-o",
                a if a.starts_with('-') && a.contains('e') => self.errexit = true,
                a if a.starts_with('+') && a.contains('e') => self.errexit = false,
                _ => {}
            }
        }
    }

    /// `trap [CMD] SIGNAL...`: ERR and EXIT are kept (`-` or an empty command clears them);
    /// other signals never arrive during a boot.
    fn trap(&mut self, args: &[&str]) {
        let [command, signals @ ..] = args else { return };
        let command = (!matches!(*command, "-" | "")).then(|| command.to_string());
        for signal in signals {
            match signal.trim_start_matches("SIG") {
                "ERR" => self.traps.err = command.clone(),
                "EXIT" | "0" => self.traps.exit = command.clone(),
                _ => {}
            }
        }
    }

    /// Runs the function `name` with `args` as `$1`...; returns what it printed.
    fn call(&mut self, fx: &mut dyn Commands, name: &str, args: &[&str]) -> Option<String> {
        let body = self.functions.get(name)?.clone();
        if self.depth >= MAX_NESTING {
            return Some(String::new());
        }
        let positional: Vec<(String, String)> = (1..=9)
            .map(|i| (i.to_string(), args.get(i - 1).map_or("", |a| *a).to_string()))
            .chain([("@".to_string(), args.join(" ")), ("*".to_string(), args.join(" "))])
            .collect();
        let saved: Vec<Option<String>> = positional.iter().map(|(k, _)| self.vars.get(k).cloned()).collect();
        self.vars.extend(positional.iter().cloned());
        self.depth += 1;
        let out = self.run_lines(fx, body);
        self.depth -= 1;
        for ((k, _), old) in positional.into_iter().zip(saved) {
            match old {
                Some(v) => self.vars.insert(k, v),
                None => self.vars.shift_remove(&k),
            };
        }
        Some(out)
    }

    /// Runs one command of a pipeline; returns its standard output.
    fn run_command(
        &mut self,
        fx: &mut dyn Commands,
        tokens: &[Token],
        stdin: Option<String>,
    ) -> Option<String> {
        let (words, redirect) = self.split_redirect(fx, tokens);
        let assignments = words.iter().take_while(|w| assignment(w).is_some()).count();
        if assignments == words.len() {
            for (name, value) in words.iter().filter_map(|w| assignment(w)) {
                self.vars.insert(name.to_string(), value.to_string());
            }
            return None;
        }
        let mut args: Vec<&str> = words[assignments..]
            .iter()
            .map(String::as_str)
            .skip_while(|w| matches!(*w, "sudo" | "nohup" | "exec"))
            .collect();
        if let Some(command) = args.first_mut() {
            *command = command.rsplit('/').next().unwrap_or(command);
        }
        self.status = 0;
        let output = match args.first() {
            Some(name) if self.functions.contains_key(*name) => self.call(fx, name, &args[1..]),
            _ => self.builtin(fx, &args, stdin),
        }
        .map(cut);
        match (redirect, output) {
            (Some((path, append)), Some(out)) => {
                self.write(fx, &path, out, append);
                None
            }
            (_, out) => out,
        }
    }

    /// The commands the shell runs itself; the rest go to the consumer.
    fn builtin(&mut self, fx: &mut dyn Commands, args: &[&str], stdin: Option<String>) -> Option<String> {
        match args {
            [] => None,
            ["echo", rest @ ..] => Some(echo(rest)),
            ["printf", fmt, ..] => Some(fmt.replace("\\n", "\n")),
            ["cat"] => stdin,
            ["cat", paths @ ..] => {
                let mut out = String::new();
                for text in paths.iter().filter_map(|p| self.files.get(&self.absolute(p))) {
                    if out.len() + text.len() > MAX_TEXT_BYTES {
                        break;
                    }
                    out.push_str(text);
                }
                Some(out)
            }
            ["tee", rest @ ..] => {
                let append = rest.contains(&"-a");
                for path in rest.iter().filter(|a| !a.starts_with('-')) {
                    self.write(fx, path, stdin.clone().unwrap_or_default(), append);
                }
                stdin
            }
            ["cd", dir, ..] => {
                self.cwd = self.absolute(dir);
                None
            }
            ["exit", rest @ ..] => {
                self.status = rest.first().and_then(|s| s.parse().ok()).unwrap_or(self.status);
                self.exited = true;
                None
            }
            ["false"] => {
                self.status = 1;
                None
            }
            ["true" | ":", ..] => None,
            ["set", rest @ ..] => {
                self.set(rest);
                None
            }
            ["trap", rest @ ..] => {
                self.trap(rest);
                None
            }
            ["aws", rest @ ..] if self.host.aws.is_some() => {
                let reply = self.host.aws.map(|api| api.call(rest)).unwrap_or_default();
                self.status = reply.status;
                Some(reply.stdout)
            }
            ["curl", rest @ ..] if rest.iter().any(|a| a.starts_with(METADATA_URL)) => {
                self.metadata(fx, rest)
            }
            ["ec2-metadata", rest @ ..] => self.ec2_metadata(rest),
            ["cut", rest @ ..] => Some(cut_fields(&stdin.unwrap_or_default(), rest)),
            ["awk", program] => Some(awk_print(&stdin.unwrap_or_default(), program)),
            ["cfn-init", rest @ ..] if self.depth < MAX_NESTING => {
                self.depth += 1;
                self.status = init::run(self, fx, rest);
                self.depth -= 1;
                None
            }
            _ => fx.run(self, args, stdin),
        }
    }

    /// M1: `curl [-s] [-f] [-X METHOD] [-H HEADER]... [-o FILE] http://169.254.169.254/PATH`:
    /// what the instance's metadata service answers (`PUT /latest/api/token` with a TTL
    /// header returns an IMDSv2 token); an error page is the output too, as curl prints it,
    /// except with `-f`.
    fn metadata(&mut self, fx: &mut dyn Commands, args: &[&str]) -> Option<String> {
        let mut output = None;
        let (mut method, mut headers, mut fail) = ("GET", Vec::new(), false);
        let mut it = args.iter();
        let mut url = "";
        while let Some(a) = it.next() {
            match *a {
                "-o" | "--output" => output = it.next().map(|f| f.to_string()),
                "-X" | "--request" => method = it.next().copied().unwrap_or("GET"),
                "-H" | "--header" => headers.extend(it.next().copied()),
                "-m" | "--max-time" | "--connect-timeout" | "-w" => {
                    it.next();
                }
                "-f" | "--fail" => fail = true,
                a if a.starts_with('-') && !a.starts_with("--") && a.contains('f') => fail = true,
                a if a.starts_with(METADATA_URL) => url = a,
                _ => {}
            }
        }
        let path = &url[METADATA_URL.len()..];
        let request = MetadataRequest::with_headers(method, path, &headers);
        let answer = self.host.metadata.map(|m| m(&request)).and_then(|reply| {
            if fail {
                reply.value()
            } else {
                Some(reply.body)
            }
        });
        match output {
            Some(file) => {
                self.write(fx, &file, answer.unwrap_or_default(), false);
                None
            }
            None => answer,
        }
    }

    /// M1, M7: Amazon Linux's `ec2-metadata [-i] [-t] [-z] [-R] [-o] [-v]` (none: all of
    /// them): one `name: value` line each, read from the metadata service with an IMDSv2
    /// token as the tool does; an option it does not have prints nothing and fails.
    fn ec2_metadata(&mut self, args: &[&str]) -> Option<String> {
        const FIELDS: &[(&str, &str, &str, &str)] = &[
            ("-i", "--instance-id", "instance-id", "instance-id"),
            ("-t", "--instance-type", "instance-type", "instance-type"),
            ("-z", "--availability-zone", "placement", "placement/availability-zone"),
            ("-R", "--region", "region", "placement/region"),
            ("-o", "--local-ipv4", "local-ipv4", "local-ipv4"),
            ("-v", "--public-ipv4", "public-ipv4", "public-ipv4"),
        ];
        let mut asked = Vec::new();
        for a in args {
            match FIELDS.iter().find(|(short, long, _, _)| a == short || a == long) {
                Some(field) => asked.push(field),
                None => {
                    self.status = 1;
                    return Some(String::new());
                }
            }
        }
        if asked.is_empty() {
            asked = FIELDS.iter().collect();
        }
        let metadata = self.host.metadata?;
        let mut out = String::new();
        for (_, _, name, path) in asked {
            let path = format!("/latest/meta-data/{path}");
            let value = metadata(&MetadataRequest::get_with_token(&path)).value().unwrap_or_default();
            out.push_str(&format!("{name}: {value}\n"));
        }
        Some(out)
    }

    /// The words of a command, expanded, and the file its output goes to (`>`, `>>`).
    fn split_redirect(
        &mut self,
        fx: &mut dyn Commands,
        tokens: &[Token],
    ) -> (Vec<String>, Option<(String, bool)>) {
        let mut words: Vec<String> = Vec::new();
        let mut redirect = None;
        let mut it = tokens.iter();
        let mut total = 0;
        while let Some(t) = it.next() {
            match t {
                // The words of one command together stay within the text bound too.
                Token::Word(_) if total > MAX_TEXT_BYTES => {}
                Token::Word(w) => {
                    let word = self.expand(fx, w);
                    total += word.len();
                    words.push(word);
                }
                Token::Op(op) if op == ">" || op == ">>" || op == "1>" || op == "1>>" => {
                    if let Some(Token::Word(w)) = it.next() {
                        redirect = Some((self.expand(fx, w), op.ends_with(">>")));
                    }
                }
                Token::Op(_) => {
                    it.next();
                }
            }
        }
        (words, redirect)
    }

    fn expand(&mut self, fx: &mut dyn Commands, word: &[Piece]) -> String {
        let mut out = String::new();
        for piece in word {
            match piece {
                Piece::Lit(s) => out.push_str(s),
                Piece::Exp(s) => out.push_str(&self.expand_text(fx, s, false)),
            }
        }
        cut(out)
    }

    /// `$NAME`, `${NAME}`, `${NAME:-DEFAULT}`, `$?`, `$(...)` and backquotes expanded; with
    /// `escapes` (a heredoc body), `\$`, `` \` `` and `\\` stand for the character.
    fn expand_text(&mut self, fx: &mut dyn Commands, text: &str, escapes: bool) -> String {
        let mut out = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' if escapes && matches!(chars.peek(), Some('$' | '`' | '\\')) => out.extend(chars.next()),
                '`' => {
                    let inner: String = chars.by_ref().take_while(|c| *c != '`').collect();
                    out.push_str(&self.substitute(fx, &inner));
                }
                '$' => match chars.peek().copied() {
                    Some('(') => {
                        chars.next();
                        let inner = until_close(&mut chars);
                        out.push_str(&self.substitute(fx, &inner));
                    }
                    Some('{') => {
                        chars.next();
                        let inner: String = chars.by_ref().take_while(|c| *c != '}').collect();
                        let (name, default) = inner.split_once(":-").unwrap_or((&inner, ""));
                        let value = self.var(name);
                        out.push_str(if value.is_empty() { default } else { &value });
                    }
                    Some('?') => {
                        chars.next();
                        out.push_str(&self.status.to_string());
                    }
                    Some(p) if p.is_ascii_digit() && p != '0' || p == '@' || p == '*' => {
                        chars.next();
                        out.push_str(&self.var(&p.to_string()));
                    }
                    Some(n) if n == '_' || n.is_ascii_alphabetic() => {
                        let mut name = String::new();
                        while let Some(n) = chars.next_if(|n| *n == '_' || n.is_ascii_alphanumeric()) {
                            name.push(n);
                        }
                        out.push_str(&self.var(&name));
                    }
                    _ => out.push('$'),
                },
                c => out.push(c),
            }
            if out.len() > MAX_TEXT_BYTES {
                break;
            }
        }
        cut(out)
    }

    fn var(&self, name: &str) -> String {
        self.vars.get(name).cloned().unwrap_or_default()
    }

    /// Command substitution: what `script` prints, without its final newlines.
    fn substitute(&mut self, fx: &mut dyn Commands, script: &str) -> String {
        if self.depth >= MAX_NESTING {
            return String::new();
        }
        self.depth += 1;
        let exited = std::mem::replace(&mut self.exited, false);
        let errexit = std::mem::replace(&mut self.errexit, false);
        let traps = std::mem::take(&mut self.traps);
        let out = self.run_script(fx, script);
        (self.exited, self.errexit, self.traps) = (exited, errexit, traps);
        self.depth -= 1;
        out.trim_end_matches('\n').to_string()
    }

    /// `path` made absolute against the working directory.
    pub fn absolute(&self, path: &str) -> String {
        if path.starts_with('/') {
            path.to_string()
        } else {
            join_path(&self.cwd, path)
        }
    }

    /// Writes (or appends) `content` to `path` and tells the consumer.
    pub(crate) fn write(&mut self, fx: &mut dyn Commands, path: &str, content: String, append: bool) {
        let path = self.absolute(path);
        fx.wrote(&path, &content);
        let entry = self.files.entry(path).or_default();
        if !append {
            entry.clear();
        }
        entry.push_str(&content);
        if entry.len() > MAX_TEXT_BYTES {
            *entry = cut(std::mem::take(entry));
        }
    }

    /// Runs `script` as a command line of this shell (cfn-init's `commands`), in `cwd` if
    /// given and with `env` set for it.
    pub(crate) fn run_in(
        &mut self,
        fx: &mut dyn Commands,
        script: &str,
        cwd: Option<&str>,
        env: &[(String, String)],
    ) {
        let saved_cwd = cwd.map(|d| {
            let dir = self.absolute(d);
            std::mem::replace(&mut self.cwd, dir)
        });
        let saved_vars = self.vars.clone();
        self.vars.extend(env.iter().cloned());
        let exited = std::mem::replace(&mut self.exited, false);
        self.run_script(fx, script);
        self.exited = exited;
        self.vars = saved_vars;
        if let Some(dir) = saved_cwd {
            self.cwd = dir;
        }
    }

    /// The host the script runs on.
    pub fn host(&self) -> Host<'a> {
        self.host
    }
}

/// `text` cut to [`MAX_TEXT_BYTES`], at a character boundary.
fn cut(mut text: String) -> String {
    if text.len() > MAX_TEXT_BYTES {
        let mut end = MAX_TEXT_BYTES;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

/// `NAME=value`: a variable assignment.
fn assignment(word: &str) -> Option<(&str, &str)> {
    let (name, value) = word.split_once('=')?;
    let mut chars = name.chars();
    let first = chars.next()?;
    ((first == '_' || first.is_ascii_alphabetic()) && chars.all(|c| c == '_' || c.is_ascii_alphanumeric()))
        .then_some((name, value))
}

/// Whether any word of the script, as written, is one of `names` (`apt`, `apt-get`).
pub(crate) fn mentions(script: &str, names: &[&str]) -> bool {
    logical_lines(script).iter().flat_map(|(line, _)| tokenize(line)).any(|t| match t {
        Token::Word(pieces) => {
            let text: String = pieces
                .iter()
                .map(|p| match p {
                    Piece::Lit(s) | Piece::Exp(s) => s.as_str(),
                })
                .collect();
            names.contains(&text.as_str())
        }
        Token::Op(_) => false,
    })
}

/// Script lines with `\` continuations joined, each with its heredoc if it opens one.
fn logical_lines(script: &str) -> Vec<(String, Option<Heredoc>)> {
    let mut out = Vec::new();
    let mut lines = script.lines();
    let mut pending = String::new();
    while let Some(raw) = lines.next() {
        if let Some(cont) = raw.strip_suffix('\\') {
            pending.push_str(cont);
            continue;
        }
        let line = std::mem::take(&mut pending) + raw;
        let heredoc = heredoc_delimiter(&line).map(|(delim, expand)| {
            let body: Vec<&str> = lines.by_ref().take_while(|l| l.trim() != delim).collect();
            Heredoc { body: body.iter().map(|l| format!("{l}\n")).collect(), expand }
        });
        out.push((line, heredoc));
    }
    out
}

/// A heredoc's delimiter, and whether its body is expanded (the delimiter is unquoted).
fn heredoc_delimiter(line: &str) -> Option<(String, bool)> {
    let after = line.split_once("<<")?.1.trim_start_matches('-').trim_start();
    let word: String =
        after.chars().take_while(|c| !c.is_whitespace() && *c != '>' && *c != '|' && *c != ';').collect();
    let expand = !word.contains(['\'', '"', '\\']);
    let word = word.trim_matches(|c| c == '\'' || c == '"' || c == '\\').to_string();
    (!word.is_empty()).then_some((word, expand))
}

/// Shell words and operators: unquoted `&&`, `||`, `;`, `&`, `|`, `>`, `>>`, `<<`,
/// parentheses and file-descriptor redirections (`2>`, `>&`) are their own tokens.
fn tokenize(line: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut word: Vec<Piece> = Vec::new();
    let mut started = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                started = true;
                push(&mut word, Piece::Lit(chars.by_ref().take_while(|c| *c != '\'').collect()));
            }
            '"' => {
                started = true;
                double_quoted(&mut chars, &mut word);
            }
            '\\' => {
                started = true;
                push(&mut word, Piece::Lit(chars.next().map(String::from).unwrap_or_default()));
            }
            '$' if chars.peek() == Some(&'(') => {
                chars.next();
                started = true;
                push(&mut word, Piece::Exp(format!("$({})", until_close(&mut chars))));
            }
            '`' => {
                started = true;
                let inner: String = chars.by_ref().take_while(|c| *c != '`').collect();
                push(&mut word, Piece::Exp(format!("$({inner})")));
            }
            '#' if !started => break,
            c if c.is_whitespace() || "&|;><()".contains(c) => {
                let fd = (c == '>' && matches!(word.as_slice(), [Piece::Exp(d)] if d == "1" || d == "2"))
                    .then(|| std::mem::take(&mut word));
                if started && fd.is_none() {
                    out.push(Token::Word(std::mem::take(&mut word)));
                }
                started = false;
                if !c.is_whitespace() {
                    out.push(Token::Op(operator(c, fd, &mut chars)));
                }
            }
            c => {
                started = true;
                push(&mut word, Piece::Exp(c.to_string()));
            }
        }
    }
    if started {
        out.push(Token::Word(word));
    }
    out
}

/// The operator that starts with `c` (doubled `&&`, `||`, `>>`, `<<`; `2>`, `>&`).
fn operator(c: char, fd: Option<Vec<Piece>>, chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> String {
    let mut op = match fd {
        Some(d) => match d.as_slice() {
            [Piece::Exp(n)] => format!("{n}>"),
            _ => ">".to_string(),
        },
        None => c.to_string(),
    };
    let doubled = "&|><".contains(c) && chars.peek() == Some(&c);
    if doubled || (c == '>' && chars.peek() == Some(&'&')) {
        op.extend(chars.next());
    }
    op
}

/// Appends to the last piece when it is of the same kind.
fn push(word: &mut Vec<Piece>, piece: Piece) {
    match (word.last_mut(), piece) {
        (Some(Piece::Lit(a)), Piece::Lit(b)) | (Some(Piece::Exp(a)), Piece::Exp(b)) => a.push_str(&b),
        (_, piece) => word.push(piece),
    }
}

/// The rest of a double-quoted string: `\"`, `\\`, `\$` and `` \` `` stand for the
/// character; `$...` and backquotes are expanded later.
fn double_quoted(chars: &mut std::iter::Peekable<std::str::Chars<'_>>, word: &mut Vec<Piece>) {
    while let Some(d) = chars.next() {
        match d {
            '"' => break,
            '\\' if matches!(chars.peek(), Some('"' | '\\' | '$' | '`')) => {
                push(word, Piece::Lit(chars.next().map(String::from).unwrap_or_default()))
            }
            '$' if chars.peek() == Some(&'(') => {
                chars.next();
                push(word, Piece::Exp(format!("$({})", until_close(chars))));
            }
            d => push(word, Piece::Exp(d.to_string())),
        }
    }
}

/// The text up to the `)` that closes a `$(` already read, quotes and nesting respected.
fn until_close(chars: &mut impl Iterator<Item = char>) -> String {
    let mut out = String::new();
    let mut depth = 1;
    while let Some(c) = chars.next() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            '\'' | '"' => {
                out.push(c);
                for q in chars.by_ref() {
                    out.push(q);
                    if q == c {
                        break;
                    }
                }
                continue;
            }
            _ => {}
        }
        out.push(c);
    }
    out
}

/// Splits tokens into commands, each a pipeline of commands' tokens, with the separator
/// before it (`&&`, `||`, ...; none for the first).
fn split_commands(tokens: &[Token]) -> Vec<(Option<String>, Vec<Vec<Token>>)> {
    let is = |t: &Token, ops: &[&str]| matches!(t, Token::Op(o) if ops.contains(&o.as_str()));
    let mut out = Vec::new();
    let mut after = None;
    for chunk in tokens.split_inclusive(|t| is(t, SEPARATORS)) {
        let (command, separator) = match chunk.split_last() {
            Some((Token::Op(op), rest)) if SEPARATORS.contains(&op.as_str()) => (rest, Some(op.clone())),
            _ => (chunk, None),
        };
        if !command.is_empty() {
            out.push((after.take(), command.split(|t| is(t, &["|"])).map(<[Token]>::to_vec).collect()));
        }
        after = separator.or(after);
    }
    out
}

/// `function NAME [()] [{ ...]` or `NAME() [{ ...]`: the function's name and what follows
/// its header on the line.
fn function_header(line: &str) -> Option<(String, &str)> {
    let line = line.trim_start();
    let (name, rest) = match line.strip_prefix("function ") {
        Some(rest) => {
            let rest = rest.trim_start();
            let end = rest.find(|c: char| c.is_whitespace() || c == '(' || c == '{').unwrap_or(rest.len());
            let (name, rest) = rest.split_at(end);
            (name, rest.trim_start().strip_prefix("()").unwrap_or(rest))
        }
        None => {
            let (name, rest) = line.split_once("()")?;
            let rest = rest.trim_start();
            if !(rest.is_empty() || rest.starts_with('{')) {
                return None;
            }
            (name.trim_end(), rest)
        }
    };
    let valid = !name.is_empty() && name.chars().all(|c| c == '_' || c == '-' || c.is_ascii_alphanumeric());
    valid.then(|| (name.to_string(), rest.trim()))
}

/// A function's body: the lines after its header up to the `}` that closes it (one line
/// `{ a; b; }` when the header's line holds it all).
fn function_body(
    rest: &str,
    lines: &mut impl Iterator<Item = (String, Option<Heredoc>)>,
) -> Vec<(String, Option<Heredoc>)> {
    let opened = rest.strip_prefix('{').map(str::trim);
    if let Some(inline) = opened.and_then(|r| r.strip_suffix('}')) {
        return vec![(inline.trim().trim_end_matches(';').to_string(), None)];
    }
    let mut body: Vec<(String, Option<Heredoc>)> =
        opened.filter(|r| !r.is_empty()).map(|r| (r.to_string(), None)).into_iter().collect();
    let mut depth = 0usize;
    for (line, heredoc) in lines.by_ref() {
        let trimmed = line.trim();
        if opened.is_none() && trimmed == "{" && body.is_empty() {
            continue;
        }
        if trimmed == "}" || trimmed == "};" {
            if depth == 0 {
                break;
            }
            depth -= 1;
        } else if function_header(trimmed).is_some_and(|(_, r)| r.starts_with('{') && !r.ends_with('}')) {
            depth += 1;
        }
        body.push((line, heredoc));
    }
    body
}

/// `cut -d DELIM -f N[,M...]` (or `-dDELIM`, `-fN`): the fields of each line, joined by
/// the delimiter (a tab when none is given); other options leave the text as it is.
fn cut_fields(text: &str, args: &[&str]) -> String {
    let (mut delim, mut fields) = ("\t".to_string(), Vec::new());
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let value = |flag: &str, it: &mut std::slice::Iter<'_, &str>| match a.strip_prefix(flag) {
            Some("") => it.next().map(|v| v.to_string()),
            other => other.map(str::to_string),
        };
        if let Some(d) = value("-d", &mut it) {
            delim = d;
        } else if let Some(f) = value("-f", &mut it) {
            fields = f.split(',').filter_map(|n| n.parse::<usize>().ok()).collect();
        }
    }
    if fields.is_empty() || delim.is_empty() {
        return text.to_string();
    }
    let line = |l: &str| {
        let parts: Vec<&str> = l.split(delim.as_str()).collect();
        let picked: Vec<&str> = fields.iter().filter_map(|n| parts.get(n.wrapping_sub(1)).copied()).collect();
        picked.join(&delim)
    };
    text.lines().map(|l| line(l) + "\n").collect()
}

/// `awk '{print $N}'`: the Nth whitespace-separated field of each line (`$0` the line);
/// any other program prints nothing.
fn awk_print(text: &str, program: &str) -> String {
    let inner = program.trim().strip_prefix('{').and_then(|p| p.strip_suffix('}')).map(str::trim);
    let Some(n) = inner.and_then(|p| p.strip_prefix("print $")).and_then(|n| n.trim().parse::<usize>().ok())
    else {
        return String::new();
    };
    let field = |l: &str| {
        if n == 0 {
            l.to_string()
        } else {
            l.split_whitespace().nth(n - 1).unwrap_or("").to_string()
        }
    };
    text.lines().map(|l| field(l) + "\n").collect()
}

/// `echo [-n] [-e] WORDS...`.
fn echo(args: &[&str]) -> String {
    let newline = !args.contains(&"-n");
    let escapes = args.contains(&"-e");
    let text = args
        .iter()
        .filter(|a| !matches!(**a, "-n" | "-e" | "-ne" | "-en"))
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    let text = if escapes { text.replace("\\n", "\n").replace("\\t", "\t") } else { text };
    if newline {
        text + "\n"
    } else {
        text
    }
}

/// `dir/name`, without a doubled slash.
pub(crate) fn join_path(dir: &str, name: &str) -> String {
    format!("{}/{name}", dir.trim_end_matches('/'))
}

/// Runs `script` on `host` for one consumer; returns the shell as the script left it.
/// The `#!` line's `-e` (`#!/bin/bash -ex`) sets `set -e`; the EXIT trap runs at the end.
pub(crate) fn run<'a>(script: &str, host: Host<'a>, fx: &mut dyn Commands) -> Shell<'a> {
    if let Some(api) = host.aws {
        api.rewind();
    }
    let mut sh = Shell::new(host);
    if let Some(shebang) = script.lines().next().and_then(|l| l.strip_prefix("#!")) {
        sh.set(&shebang.split_whitespace().skip(1).collect::<Vec<_>>());
    }
    sh.run_script(fx, script);
    if let Some(trap) = sh.traps.exit.take() {
        sh.exited = false;
        sh.run_script(fx, &trap);
    }
    sh
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::metadata_options::{self, MetadataOptions, Tokens};

    /// Records the commands it is given.
    #[derive(Default)]
    struct Log(Vec<String>);

    impl Commands for Log {
        fn run(&mut self, _: &mut Shell<'_>, args: &[&str], _: Option<String>) -> Option<String> {
            self.0.push(args.join(" "));
            None
        }
    }

    fn files(script: &str) -> IndexMap<String, String> {
        run(script, Host::default(), &mut Log::default()).files
    }

    #[test]
    fn chains_pipelines_and_sudo_reach_the_consumer_as_plain_commands() {
        let mut log = Log::default();
        run(
            "sudo yum install -y httpd && /usr/bin/systemctl start httpd; nohup x &\n",
            Host::default(),
            &mut log,
        );
        assert_eq!(log.0, ["yum install -y httpd", "systemctl start httpd", "x"]);
    }

    #[test]
    fn variables_and_command_substitution_expand_in_words_and_unquoted_heredocs() {
        let f = files("NAME=web\nX=$(echo one)\necho \"$NAME ${X} `echo two`\" > /a\ncat > /b <<EOF\n$NAME \\$HOME\nEOF\ncat > /c <<'EOF'\n$NAME\nEOF\n");
        assert_eq!(f["/a"], "web one two\n");
        assert_eq!(f["/b"], "web $HOME\n");
        assert_eq!(f["/c"], "$NAME\n");
    }

    #[test]
    fn m1_metadata_curl_answers_with_the_instance_values_and_imdsv2_tokens_work() {
        let value = |path: &str| (path == "/latest/meta-data/local-ipv4").then(|| "10.0.1.5".to_string());
        let required = MetadataOptions { tokens: Tokens::Required, ..MetadataOptions::default() };
        let answer = |r: &MetadataRequest<'_>| metadata_options::answer(required, r, value);
        let host = Host { metadata: Some(&answer), ..Host::default() };
        let script = "TOKEN=$(curl -s -X PUT \"http://169.254.169.254/latest/api/token\" -H \"X-aws-ec2-metadata-token-ttl-seconds: 21600\")\nIP=$(curl -s -H \"X-aws-ec2-metadata-token: $TOKEN\" http://169.254.169.254/latest/meta-data/local-ipv4)\necho \"<h1>$IP</h1>\" > /var/www/html/index.html\n";
        let sh = run(script, host, &mut Log::default());
        assert_eq!(sh.files["/var/www/html/index.html"], "<h1>10.0.1.5</h1>\n");
        // Without the token: curl prints the 401 page, or nothing with -f.
        let v1 = "A=$(curl -s http://169.254.169.254/latest/meta-data/local-ipv4)\necho \"$A\" > /a\nB=$(curl -sf http://169.254.169.254/latest/meta-data/local-ipv4)\necho \"[$B]\" > /b\n";
        let sh = run(v1, host, &mut Log::default());
        assert!(sh.files["/a"].contains("<title>401 - Unauthorized</title>"), "{}", sh.files["/a"]);
        assert_eq!(sh.files["/b"], "[]\n");
    }

    #[test]
    fn a_script_that_doubles_a_variable_on_every_line_stays_within_the_text_bound() {
        let script = format!("A=x\n{}echo $A > /f\n", "A=$A$A\n".repeat(40));
        let len = files(&script)["/f"].len();
        assert!(len <= MAX_TEXT_BYTES && len > MAX_TEXT_BYTES / 2, "{len}");
        let many = format!(
            "A=x\n{}echo{} > /h\ncat{} > /i\n",
            "A=$A$A\n".repeat(21),
            " $A".repeat(64),
            " /h".repeat(64)
        );
        let f = files(&many);
        assert!(f["/h"].len() <= MAX_TEXT_BYTES && f["/i"].len() <= MAX_TEXT_BYTES);
        let nested = format!("echo {}x{} > /g\n", "$(echo ".repeat(100), ")".repeat(100));
        assert_eq!(files(&nested)["/g"], "\n");
    }

    #[test]
    fn a_function_runs_when_called_with_its_arguments_and_not_when_defined() {
        let mut log = Log::default();
        let script = "function error_exit\n{\n  cfn-signal -e 1 -r \"$1\" 'url'\n  exit 1\n}\nnotify() { say \"$@\"; }\nnotify a b\nsetup || error_exit 'setup failed'\nfalse || error_exit 'it failed'\nnever\n";
        run(script, Host::default(), &mut log);
        assert_eq!(log.0, ["say a b", "setup", "cfn-signal -e 1 -r it failed url"]);
    }

    #[test]
    fn and_runs_only_after_success_and_or_only_after_failure() {
        let mut log = Log::default();
        run("a && b || c\nfalse && d || e\nfalse; f\n", Host::default(), &mut log);
        assert_eq!(log.0, ["a", "b", "e", "f"]);
    }

    /// An API that fails every call naming `fail`, answers the rest, and counts calls made.
    struct FakeApi {
        fail: &'static str,
        made: std::cell::RefCell<Vec<String>>,
        next: std::cell::Cell<usize>,
    }

    impl Api for FakeApi {
        fn call(&self, args: &[&str]) -> Reply {
            let line = args.join(" ");
            let k = self.next.get();
            self.next.set(k + 1);
            if self.made.borrow().len() <= k {
                self.made.borrow_mut().push(line.clone());
            }
            let status = if line.contains(self.fail) { 254 } else { 0 };
            Reply { status, stdout: format!("{{\"Return\": {}}}\n", status == 0) }
        }

        fn rewind(&self) {
            self.next.set(0);
        }
    }

    fn fake(fail: &'static str) -> FakeApi {
        FakeApi { fail, made: Default::default(), next: Default::default() }
    }

    #[test]
    fn m7_a_failed_aws_call_runs_the_or_branch_and_its_status_is_the_scripts() {
        let api = fake("replace-route");
        let host = Host { aws: Some(&api), ..Host::default() };
        let mut log = Log::default();
        let sh = run("aws ec2 replace-route --x 1 || aws ec2 create-route --x 1\necho $? > /status\nOUT=$(aws ec2 create-route --y 2)\necho \"$OUT\" > /out\n", host, &mut log);
        assert_eq!(
            *api.made.borrow(),
            ["ec2 replace-route --x 1", "ec2 create-route --x 1", "ec2 create-route --y 2"]
        );
        assert_eq!(
            (sh.files["/status"].as_str(), sh.files["/out"].as_str()),
            ("0\n", "{\"Return\": true}\n")
        );
        assert!(log.0.is_empty(), "aws goes to the API, not the consumer: {:?}", log.0);
    }

    #[test]
    fn m7_set_e_from_the_shebang_ends_the_script_at_a_failed_call_after_the_err_trap() {
        let api = fake("associate-address");
        let host = Host { aws: Some(&api), ..Host::default() };
        let mut log = Log::default();
        let script = "#!/bin/bash -ex\ntrap 'cfn-signal -e 1 --resource Nat' ERR\nfalse || true\naws ec2 associate-address\naws ec2 modify-instance-attribute\ncfn-signal -e 0 --resource Nat\n";
        run(script, host, &mut log);
        assert_eq!(log.0, ["cfn-signal -e 1 --resource Nat"]);
        assert_eq!(*api.made.borrow(), ["ec2 associate-address"]);
        // Without -e the trap runs and the script goes on.
        let api = fake("associate-address");
        let mut log = Log::default();
        run(
            &script.replacen("#!/bin/bash -ex\n", "", 1),
            Host { aws: Some(&api), ..Host::default() },
            &mut log,
        );
        assert_eq!(log.0, ["cfn-signal -e 1 --resource Nat", "cfn-signal -e 0 --resource Nat"]);
        // `set -e` in the script does the same; a command substitution does not inherit it.
        let mut log = Log::default();
        run("set -e\nX=$(false; echo still)\necho \"$X\" > /x\nfalse\nnever\n", Host::default(), &mut log);
        assert!(log.0.is_empty(), "{:?}", log.0);
    }

    #[test]
    fn m7_a_second_reading_of_the_script_is_answered_without_making_the_calls_again() {
        let api = fake("replace-route");
        let host = Host { aws: Some(&api), ..Host::default() };
        let script = "aws ec2 replace-route || aws ec2 create-route\n";
        run(script, host, &mut Log::default());
        run(script, host, &mut Log::default());
        assert_eq!(*api.made.borrow(), ["ec2 replace-route", "ec2 create-route"]);
    }

    #[test]
    fn m7_ec2_metadata_cut_and_awk_give_the_instance_id_and_region_as_amazon_linux_does() {
        let value = |path: &str| match path {
            "/latest/meta-data/instance-id" => Some("i-0abc".to_string()),
            "/latest/meta-data/placement/region" => Some("us-east-1".to_string()),
            _ => None,
        };
        let required = MetadataOptions { tokens: Tokens::Required, ..MetadataOptions::default() };
        let answer = |r: &MetadataRequest<'_>| metadata_options::answer(required, r, value);
        let host = Host { metadata: Some(&answer), ..Host::default() };
        let script = "ID=$(ec2-metadata -i | cut -d ' ' -f 2)\nR=$(ec2-metadata --region | awk '{print $2}')\necho \"$ID $R\" > /a\nec2-metadata --nope || echo failed > /b\n";
        let sh = run(script, host, &mut Log::default());
        assert_eq!((sh.files["/a"].as_str(), sh.files["/b"].as_str()), ("i-0abc us-east-1\n", "failed\n"));
    }

    #[test]
    fn stderr_redirections_write_nothing_and_stdout_ones_write_the_file() {
        let f = files("echo a 2>/dev/null > /x\necho b >/y 2>&1\n");
        assert_eq!((f["/x"].as_str(), f["/y"].as_str()), ("a\n", "b\n"));
        assert!(!f.contains_key("/dev/null"));
    }
}
