//! cfn-init (M3): a resource's `AWS::CloudFormation::Init` metadata, checked once by
//! [`Init::parse`], and run by the shell when the instance's script runs
//! `/opt/aws/bin/cfn-init -s STACK -r RESOURCE [-c CONFIGSETS] [--region REGION]`.
//!
//! A config is applied in cfn-init's order: `packages` (yum, dnf and apt install what they
//! name; rpm, python, rubygems and msi change nothing the simulation sees, and are warned),
//! `groups` and `users` (warned: they change nothing), `sources` (warned: archives come from
//! the network, which the simulation never reaches), `files` (`content` written, text or a
//! JSON object, `encoding: base64` decoded; `mode`, `owner` and `group` accepted; a file
//! with a `source` URL is warned and not written), `commands` in alphabetical order of their
//! names through the same shell as the UserData (a `test` is taken as passing, warned), then
//! `services` (`sysvinit` or `systemd`: `ensureRunning: true` starts a daemon, `false` stops
//! it; `enabled` matters only at the next boot). `configSets` name configs (or other sets
//! with `ConfigSet: NAME`) to run in order; without `-c`, cfn-init runs the set `default`, or
//! the config `config` when there are no sets. An unknown key is an error at its location.
//!
//! cfn-init fails (status 1, nothing applied) when `-s`, `-r` or `--region` name another
//! stack, resource or region than the one whose script runs, when the resource has no
//! `AWS::CloudFormation::Init` metadata, or when a config set is not defined.

use base64::Engine as _;
use indexmap::IndexMap;

use super::problem::Problem;
use super::shell::{Commands, Shell};
use crate::yaml::Node;

/// The metadata key cfn-init reads.
pub const KEY: &str = "AWS::CloudFormation::Init";

/// How deep `ConfigSet` references may nest before a set is taken as circular.
const MAX_SET_DEPTH: usize = 16;

/// A resource's `AWS::CloudFormation::Init` metadata.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Init {
    configs: IndexMap<String, Config>,
    sets: IndexMap<String, Vec<SetItem>>,
}

/// One item of a config set: a config, or another set.
#[derive(Clone, Debug, PartialEq)]
enum SetItem {
    Config(String),
    Set(String),
}

/// One config: what cfn-init does, in its order.
#[derive(Clone, Debug, Default, PartialEq)]
struct Config {
    /// `yum install -y NAME` or `apt-get install -y NAME`, as the package manager would run it.
    packages: Vec<Vec<String>>,
    /// Path and content.
    files: Vec<(String, String)>,
    /// In alphabetical order of their names: the command line, its working directory and environment.
    commands: Vec<Command>,
    /// Daemon and whether cfn-init makes it run (true) or stops it (false).
    services: Vec<(String, bool)>,
}

#[derive(Clone, Debug, Default, PartialEq)]
struct Command {
    line: String,
    cwd: Option<String>,
    env: Vec<(String, String)>,
}

/// What cfn-init is asked to read: the stack, the resource and its region, and its metadata.
#[derive(Clone, Copy, Debug)]
pub struct Source<'a> {
    /// The stack's name (`-s`).
    pub stack: &'a str,
    /// The resource's logical id (`-r`).
    pub resource: &'a str,
    /// The region (`--region`).
    pub region: &'a str,
    /// The resource's `AWS::CloudFormation::Init` metadata, if it has any.
    pub init: Option<&'a Init>,
}

impl Init {
    /// The `AWS::CloudFormation::Init` of a resource's (evaluated) metadata, if it has one,
    /// and a warning for each key accepted that changes nothing.
    pub fn parse(metadata: Option<&Node>) -> Result<Option<(Init, Vec<String>)>, Problem> {
        let Some((_, node)) = metadata.and_then(|m| m.entry(KEY)) else { return Ok(None) };
        let mut warnings = Vec::new();
        let mut init = Init::default();
        for (key, value) in map(node, KEY)? {
            let at = format!("{KEY}.{}", key.name);
            if key.name == "configSets" {
                for (name, items) in map(value, &at)? {
                    init.sets.insert(name.name.clone(), set_items(items, &format!("{at}.{}", name.name))?);
                }
            } else {
                init.configs.insert(key.name.clone(), config(value, &at, &mut warnings)?);
            }
        }
        Ok(Some((init, warnings)))
    }

    /// The configs `-c SETS` (comma-separated) names, in order; None for an unknown set.
    fn configs_of(&self, sets: Option<&str>) -> Result<Vec<&Config>, String> {
        let mut names = Vec::new();
        match sets {
            None if self.sets.is_empty() => names.push("config".to_string()),
            Some("default") if self.sets.is_empty() => names.push("config".to_string()),
            None => self.expand("default", 0, &mut names)?,
            Some(list) => {
                for set in list.split(',').map(str::trim) {
                    self.expand(set, 0, &mut names)?;
                }
            }
        }
        names
            .iter()
            .map(|n| self.configs.get(n).ok_or_else(|| format!("no config named {n} in {KEY}")))
            .collect()
    }

    fn expand(&self, set: &str, depth: usize, out: &mut Vec<String>) -> Result<(), String> {
        let items = self.sets.get(set).ok_or_else(|| format!("no configSet named {set}"))?;
        if depth > MAX_SET_DEPTH {
            return Err(format!("configSet {set} refers to itself"));
        }
        for item in items {
            match item {
                SetItem::Config(c) => out.push(c.clone()),
                SetItem::Set(s) => self.expand(s, depth + 1, out)?,
            }
        }
        Ok(())
    }
}

fn map<'n>(node: &'n Node, at: &str) -> Result<&'n [(crate::yaml::Key, Node)], Problem> {
    node.as_map()
        .ok_or_else(|| Problem::new(node.loc, format!("{at}: expected a map, not {}", node.a_type_name())))
}

fn text(node: &Node, at: &str) -> Result<String, Problem> {
    node.scalar_text()
        .ok_or_else(|| Problem::new(node.loc, format!("{at}: expected text, not {}", node.a_type_name())))
}

fn flag(node: &Node, at: &str) -> Result<bool, Problem> {
    match text(node, at)?.as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        other => Err(Problem::new(node.loc, format!("{at}: expected true or false, not {other:?}"))),
    }
}

fn unknown(key: &crate::yaml::Key, at: &str, expected: &str) -> Problem {
    Problem::new(key.loc, format!("{at}: unknown key `{}`; expected one of {expected}", key.name))
}

fn set_items(node: &Node, at: &str) -> Result<Vec<SetItem>, Problem> {
    let items = node
        .as_seq()
        .ok_or_else(|| Problem::new(node.loc, format!("{at}: a configSet is a list of config names")))?;
    items
        .iter()
        .map(|item| match item.get("ConfigSet") {
            Some(set) => Ok(SetItem::Set(text(set, at)?)),
            None => Ok(SetItem::Config(text(item, at)?)),
        })
        .collect()
}

fn config(node: &Node, at: &str, warnings: &mut Vec<String>) -> Result<Config, Problem> {
    const KEYS: &str = "packages, groups, users, sources, files, commands, services";
    let mut c = Config::default();
    for (key, value) in map(node, at)? {
        let at = format!("{at}.{}", key.name);
        match key.name.as_str() {
            "packages" => c.packages = packages(value, &at, warnings)?,
            "groups" | "users" => warnings.push(format!(
                "{at} is accepted but does not change the simulation: vpcsim models no accounts on instances"
            )),
            "sources" => warnings.push(format!(
                "{at} is accepted but does not change the simulation: archives are downloaded from the network, which vpcsim never reaches"
            )),
            "files" => c.files = files(value, &at, warnings)?,
            "commands" => c.commands = commands(value, &at, warnings)?,
            "services" => c.services = services(value, &at, warnings)?,
            _ => return Err(unknown(key, &at, KEYS)),
        }
    }
    Ok(c)
}

fn packages(node: &Node, at: &str, warnings: &mut Vec<String>) -> Result<Vec<Vec<String>>, Problem> {
    const KEYS: &str = "apt, msi, python, rpm, rubygems, yum";
    let mut out = Vec::new();
    for (manager, list) in map(node, at)? {
        let at = format!("{at}.{}", manager.name);
        let names: Vec<String> = map(list, &at)?.iter().map(|(k, _)| k.name.clone()).collect();
        let install = match manager.name.as_str() {
            "yum" => "yum",
            "apt" => "apt-get",
            "rpm" | "python" | "rubygems" | "msi" => {
                warnings.push(format!(
                    "{at} ({}) is accepted but does not change the simulation: vpcsim installs only yum and apt packages",
                    names.join(", ")
                ));
                continue;
            }
            _ => return Err(unknown(manager, &at, KEYS)),
        };
        out.extend(names.into_iter().map(|n| vec![install.to_string(), "install".into(), "-y".into(), n]));
    }
    Ok(out)
}

fn files(node: &Node, at: &str, warnings: &mut Vec<String>) -> Result<Vec<(String, String)>, Problem> {
    const KEYS: &str = "content, source, encoding, group, owner, mode, authentication, context";
    let mut out = Vec::new();
    for (path, spec) in map(node, at)? {
        let at = format!("{at}.{}", path.name);
        let (mut content, mut base64) = (None, false);
        for (key, value) in map(spec, &at)? {
            match key.name.as_str() {
                "content" => content = Some(content_text(value)),
                "encoding" => base64 = text(value, &at)? == "base64",
                "source" => warnings.push(format!(
                    "{at}.source is accepted but does not change the simulation: the file comes from the network, which vpcsim never reaches; it is not written"
                )),
                "context" => warnings.push(format!(
                    "{at}.context is accepted but does not change the simulation: vpcsim does not render Mustache templates"
                )),
                "group" | "owner" | "mode" | "authentication" => {}
                _ => return Err(unknown(key, &at, KEYS)),
            }
        }
        let Some(mut content) = content else { continue };
        if base64 {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(content.trim())
                .map_err(|_| Problem::new(spec.loc, format!("{at}: content is not valid base64")))?;
            content = String::from_utf8_lossy(&bytes).into_owned();
        }
        out.push((path.name.clone(), content));
    }
    Ok(out)
}

/// A file's content: text as written, a map or list as the JSON cfn-init writes.
fn content_text(node: &Node) -> String {
    match node.scalar_text() {
        Some(t) => t,
        None => node.to_json().to_string(),
    }
}

fn commands(node: &Node, at: &str, warnings: &mut Vec<String>) -> Result<Vec<Command>, Problem> {
    const KEYS: &str = "command, env, cwd, test, ignoreErrors, waitAfterCompletion";
    let mut named: Vec<(String, Command)> = Vec::new();
    for (name, spec) in map(node, at)? {
        let at = format!("{at}.{}", name.name);
        let mut c = Command::default();
        for (key, value) in map(spec, &at)? {
            match key.name.as_str() {
                "command" => {
                    c.line = match value.as_seq() {
                        Some(argv) => argv.iter().map(|a| text(a, &at)).collect::<Result<Vec<_>, _>>()?.join(" "),
                        None => text(value, &at)?,
                    }
                }
                "cwd" => c.cwd = Some(text(value, &at)?),
                "env" => {
                    for (k, v) in map(value, &at)? {
                        c.env.push((k.name.clone(), text(v, &at)?));
                    }
                }
                "test" => warnings.push(format!(
                    "{at}.test is accepted but does not change the simulation: vpcsim takes the test as passing and runs the command"
                )),
                "ignoreErrors" | "waitAfterCompletion" => {}
                _ => return Err(unknown(key, &at, KEYS)),
            }
        }
        named.push((name.name.clone(), c));
    }
    named.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(named.into_iter().map(|(_, c)| c).collect())
}

fn services(node: &Node, at: &str, warnings: &mut Vec<String>) -> Result<Vec<(String, bool)>, Problem> {
    const KEYS: &str = "enabled, ensureRunning, files, sources, packages, commands";
    let mut out = Vec::new();
    for (manager, list) in map(node, at)? {
        let at = format!("{at}.{}", manager.name);
        match manager.name.as_str() {
            "sysvinit" | "systemd" => {}
            "windows" => {
                warnings.push(format!(
                    "{at} is accepted but does not change the simulation: vpcsim runs no Windows services"
                ));
                continue;
            }
            _ => return Err(unknown(manager, &at, "sysvinit, systemd, windows")),
        }
        for (name, spec) in map(list, &at)? {
            let at = format!("{at}.{}", name.name);
            for (key, value) in map(spec, &at)? {
                match key.name.as_str() {
                    "ensureRunning" => out.push((name.name.clone(), flag(value, &at)?)),
                    "enabled" => {
                        flag(value, &at)?;
                    }
                    "files" | "sources" | "packages" | "commands" => {}
                    _ => return Err(unknown(key, &at, KEYS)),
                }
            }
        }
    }
    Ok(out)
}

/// Runs `cfn-init ARGS` in `sh`: applies the configs of the sets asked for; returns the exit
/// status (0, or 1 when cfn-init could not run, with why in the shell's notes).
pub(crate) fn run(sh: &mut Shell<'_>, fx: &mut dyn Commands, args: &[&str]) -> u8 {
    let Some(source) = sh.host().init else {
        sh.notes.push("cfn-init runs outside a CloudFormation stack: nothing is applied".into());
        return 1;
    };
    let (mut stack, mut resource, mut region, mut sets) = (None, None, None, None);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let (flag, inline) = a.split_once('=').map_or((*a, None), |(f, v)| (f, Some(v)));
        let mut value = || inline.or_else(|| it.next().copied());
        match flag {
            "-s" | "--stack" => stack = value(),
            "-r" | "--resource" => resource = value(),
            "--region" => region = value(),
            "-c" | "--configsets" => sets = value(),
            "--role" | "--url" | "--access-key" | "--secret-key" | "--credential-file" | "-f" | "-k" => {
                value();
            }
            _ => {}
        }
    }
    let mismatch = |what: &str, given: Option<&str>, actual: &str| {
        given.filter(|g| *g != actual).map(|g| format!("cfn-init {what} {g}: the script runs in {actual}"))
    };
    let stack = stack.map(|s| if super::signal::names_stack(s, source.stack) { source.stack } else { s });
    let refused = mismatch("-s", stack, source.stack)
        .or_else(|| mismatch("-r", resource, source.resource))
        .or_else(|| mismatch("--region", region, source.region))
        .or_else(|| stack.is_none().then(|| "cfn-init without -s STACK reads no metadata".to_string()))
        .or_else(|| resource.is_none().then(|| "cfn-init without -r RESOURCE reads no metadata".to_string()));
    if let Some(why) = refused {
        sh.notes.push(format!("{why}; nothing is applied"));
        return 1;
    }
    let Some(init) = source.init else {
        sh.notes.push(format!("cfn-init: {} has no {KEY} metadata; nothing is applied", source.resource));
        return 1;
    };
    let configs = match init.configs_of(sets) {
        Ok(c) => c,
        Err(why) => {
            sh.notes.push(format!("cfn-init: {why}; nothing is applied"));
            return 1;
        }
    };
    for config in configs {
        apply(sh, fx, config);
    }
    0
}

/// One config, in cfn-init's order: packages, files, commands, services.
fn apply(sh: &mut Shell<'_>, fx: &mut dyn Commands, config: &Config) {
    for install in &config.packages {
        let args: Vec<&str> = install.iter().map(String::as_str).collect();
        fx.run(sh, &args, None);
    }
    for (path, content) in &config.files {
        sh.write(fx, path, content.clone(), false);
    }
    for c in &config.commands {
        sh.run_in(fx, &c.line, c.cwd.as_deref(), &c.env);
    }
    for (daemon, running) in &config.services {
        let verb = if *running { "start" } else { "stop" };
        fx.run(sh, &["systemctl", verb, daemon], None);
    }
}
