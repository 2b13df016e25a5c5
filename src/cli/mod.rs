//! The command line: clap's raw arguments become one command, run once, returning
//! an exit code that means something. One module per command; [`world`] prepares
//! the world a scenario leaves (all steps, or the first N), [`style`] holds tables
//! and colour, [`output`] writes and checks every byte sent to standard output and error.

mod describe;
mod graph;
mod output;
mod run;
mod serve;
mod shell;
mod style;
mod trace;
mod world;

use std::io::Write as _;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Exit codes that mean something.
pub mod exit {
    /// Every expectation held; the flow is reachable.
    pub const OK: u8 = 0;
    /// An expectation failed; the flow is not reachable.
    pub const FAILED: u8 = 1;
    /// Invalid input: bad arguments, an invalid file, an unknown name.
    pub const INVALID: u8 = 2;
    /// Output could not be written (standard output, standard error or an `-o` file).
    pub const WRITE: u8 = 3;
}

/// A failure the command reports on stderr before exiting with `code`.
#[derive(Debug)]
pub struct CliError {
    /// The exit code.
    pub code: u8,
    /// What to print.
    pub message: String,
}

impl CliError {
    /// Invalid input (exit 2).
    pub fn invalid(message: impl Into<String>) -> CliError {
        CliError { code: exit::INVALID, message: message.into() }
    }
}

const ABOUT: &str =
    "Simulate AWS VPC networking offline: packets and DNS hop by hop, every decision explained.";
const LONG_ABOUT: &str =
    "vpcsim models one AWS region in memory (VPCs, subnets, route tables, internet gateways, \
security groups, NACLs, instances, Network Load Balancers, PrivateLink endpoint services and endpoints, DNS) \
and walks simulated packets through it hop by hop, explaining each decision like Reachability Analyzer.";
const EXAMPLES: &str = "Examples:
  vpcsim lab                                   run the PrivateLink lab, narrated
  vpcsim run scenarios/*.yaml                  run scenario files and check their expectations
  vpcsim shell scenarios/privatelink-lab.yaml  type dig, curl, aws ... on the lab's world
  vpcsim trace lab --from My-EC2 --to Custom-NLB:80 --until 4
  vpcsim describe lab subnets --until 9
  vpcsim graph lab --until 9 --format svg -o lab.svg
  vpcsim serve --open                          explore the lab in a web page

FILE is a scenario file, or `lab` for the built-in seed lab.";

/// `vpcsim`'s arguments.
#[derive(Parser, Debug)]
#[command(name = "vpcsim", version, about = ABOUT, long_about = LONG_ABOUT, after_help = EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The protocol of a traced flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ProtocolArg {
    /// TCP (port 80 unless given).
    Tcp,
    /// UDP (port 80 unless given).
    Udp,
    /// ICMP echo request.
    Icmp,
}

/// Diagram formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// Graphviz DOT text.
    Dot,
    /// A Mermaid flowchart (renders in GitHub Markdown).
    Mermaid,
    /// SVG drawn by Graphviz `dot` (must be installed).
    Svg,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the seed lab (PrivateLink through an endpoint service), step by step.
    #[command(
        after_help = "Example:\n  vpcsim lab --pause\n\nExit status: 0 when every observation of the lab held, 1 otherwise."
    )]
    Lab {
        /// Print the report as one JSON document (see `vpcsim run --help`).
        #[arg(long)]
        json: bool,
        /// Wait for Enter between steps (only when standard input is a terminal).
        #[arg(long)]
        pause: bool,
    },
    /// Run scenario files: create their stacks, run their steps, check their expectations.
    #[command(after_help = "Example:\n  vpcsim run scenarios/privatelink-lab.yaml\n\n\
--json prints an array with one report per file: {name, file, passed, steps: [{index, title, action, on, \
command, status, outcome: {exit_code, stdout, stderr, trace, answers}, checks: [{key, expected, actual, held, path}]}]}.\n\n\
Exit status: 0 every expectation held, 1 one failed, 2 a file is invalid.")]
    Run {
        /// Scenario files (YAML).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Print the reports as one JSON document.
        #[arg(long)]
        json: bool,
        /// Print only failures and a line per file.
        #[arg(long)]
        quiet: bool,
        /// Raise an account quota as Service Quotas would, before the stacks are created
        /// (repeatable): routes-per-table, rules-per-group, groups-per-interface,
        /// nacl-rules-per-direction, subnets-per-vpc, endpoints-per-vpc, targets-per-group.
        #[arg(long = "quota", value_name = "NAME=VALUE", value_parser = vpcsim::quota::Quota::parse_setting)]
        quotas: Vec<(vpcsim::quota::Quota, usize)>,
    },
    /// An interactive shell on a scenario's world: dig, curl, ping, nc, aws, trace, describe, graph.
    #[command(
        after_help = "Example:\n  vpcsim shell scenarios/privatelink-lab.yaml --until 9\n  My-EC2$ curl http://${CustomNLB.DNSName}/\n  My-EC2$ trace Custom-WEB-1:80\n\n\
Without FILE the built-in lab is used. Type `help` in the shell for its commands. When standard input is not \
a terminal, lines are read plainly and each is echoed after its prompt."
    )]
    Shell {
        /// Scenario file (or `lab`); the built-in lab when absent.
        #[arg(value_name = "FILE")]
        file: Option<PathBuf>,
        /// Apply the scenario's first N steps (default: none, only its stacks).
        #[arg(long, value_name = "N")]
        until: Option<usize>,
    },
    /// Trace one flow from an instance, forward and back, like Reachability Analyzer.
    #[command(after_help = "Examples:\n  vpcsim trace lab --from My-EC2 --to Custom-NLB --until 4\n  \
vpcsim trace lab --from My-EC2 --to Custom-WEB-1:80 --until 4 --json\n\n\
HOST is an address, a DNS name (resolved by the instance's VPC resolver) or a resource name (an instance, \
a load balancer, an endpoint). The flow leaves from source port 32768. In the table, IN shows the packet \
where it differs from the row above and OUT where the component rewrote it (NAT, load balancing).\n\n\
--json prints a Reachability Analyzer analysis: {NetworkPathFound, ForwardPathComponents, ReturnPathComponents, \
Explanations}; each component has SequenceNumber, Component {Id, Name, Arn}, what matched (SecurityGroupRule, \
AclRule, RouteTableRoute, ElasticLoadBalancerListener, LoadBalancerTarget) and InboundHeader / OutboundHeader \
{SourceAddresses, DestinationAddresses, SourcePortRanges, DestinationPortRanges, Protocol}; each explanation \
has ExplanationCode, Component and Message (vpcsim's sentence).\n\n\
Exit status: 0 reachable, 1 not reachable, 2 bad input.")]
    Trace {
        /// Scenario file (or `lab`).
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// The source instance: Name tag, logical id or i- id.
        #[arg(long, value_name = "INSTANCE")]
        from: String,
        /// The destination: HOST or HOST:PORT.
        #[arg(long, value_name = "HOST[:PORT]")]
        to: String,
        /// The protocol.
        #[arg(long, value_enum, default_value = "tcp")]
        protocol: ProtocolArg,
        /// Apply only the scenario's first N steps.
        #[arg(long, value_name = "N")]
        until: Option<usize>,
        /// Print a Reachability Analyzer-shaped JSON analysis.
        #[arg(long)]
        json: bool,
    },
    /// The AWS CLI's JSON for the world a scenario leaves.
    #[command(
        after_help = "Examples:\n  vpcsim describe lab route-tables --until 4\n  vpcsim describe scenarios/privatelink-lab.yaml vpc-endpoints --until 9\n\n\
Each WHAT prints what `aws ec2 describe-WHAT` (or `aws elbv2 ...`) prints; target-health lists every target group's \
targets; without WHAT all of them are merged into one document."
    )]
    Describe {
        /// Scenario file (or `lab`).
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// What to describe.
        #[arg(value_parser = clap::builder::PossibleValuesParser::new(vpcsim::describe::WHAT))]
        what: Option<String>,
        /// Apply only the scenario's first N steps.
        #[arg(long, value_name = "N")]
        until: Option<usize>,
    },
    /// A diagram of the world a scenario leaves, optionally with a traced path drawn over it.
    #[command(after_help = "Examples:\n  vpcsim graph lab --until 9 --format svg -o lab.svg\n  \
vpcsim graph lab --until 4 --trace My-EC2 Custom-NLB:80 --format mermaid\n\n\
svg needs Graphviz (`apt-get install graphviz`).")]
    Graph {
        /// Scenario file (or `lab`).
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value = "dot")]
        format: GraphFormat,
        /// Draw the path of a flow from an instance to HOST[:PORT] (TCP).
        #[arg(long, num_args = 2, value_names = ["FROM", "TO[:PORT]"])]
        trace: Option<Vec<String>>,
        /// Apply only the scenario's first N steps.
        #[arg(long, value_name = "N")]
        until: Option<usize>,
        /// Write to this file instead of standard output.
        #[arg(short = 'o', long = "output", value_name = "PATH")]
        output: Option<PathBuf>,
    },
    /// A local web page to explore a scenario's world: topology, traced paths, its steps, a console.
    #[command(
        after_help = "Examples:\n  vpcsim serve --open\n  vpcsim serve scenarios/two-tier-internal-nlb.yaml --port 8080\n\n\
FILE is a scenario file, a CloudFormation template (one stack, no steps) or `lab`; the built-in lab when absent. \
The page and its JSON API (docs/web.md) are served on 127.0.0.1 only unless --bind says otherwise; \
--port 0 picks a free port. Everything is built into the binary: no network is used. Runs until interrupted."
    )]
    Serve {
        /// Scenario file, template or `lab`; the built-in lab when absent.
        #[arg(value_name = "FILE")]
        file: Option<PathBuf>,
        /// The port to listen on (0: any free port, printed).
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Listen on this address instead of 127.0.0.1 (warns: others can then use the page).
        #[arg(long, value_name = "ADDR")]
        bind: Option<std::net::IpAddr>,
        /// Open the page in the default browser.
        #[arg(long)]
        open: bool,
    },
}

/// Writes to standard output and flushes (see [`output`] for what happens on a write error).
pub fn emit(text: &str) {
    output::out(text);
}

/// Runs the command; the exit code.
pub fn run(cli: Cli) -> u8 {
    let result = match cli.command {
        Command::Lab { json, pause } => Ok(run::lab(json, pause)),
        Command::Run { files, json, quiet, quotas } => Ok(run::files(&files, json, quiet, &quotas)),
        Command::Shell { file, until } => shell::run(file.as_deref(), until),
        Command::Trace { file, from, to, protocol, until, json } => {
            trace::command(&file, &from, &to, protocol, until, json)
        }
        Command::Describe { file, what, until } => describe::command(&file, what.as_deref(), until),
        Command::Graph { file, format, trace, until, output } => {
            graph::command(&file, format, trace.as_deref(), until, output.as_deref())
        }
        Command::Serve { file, port, bind, open } => {
            serve::command(serve::Args { file: file.as_deref(), port, bind, open })
        }
    };
    let code = match result {
        Ok(code) => code,
        Err(e) => {
            output::errln(&format!("vpcsim: {}", vpcsim::scenario::render::escape_controls(&e.message)));
            e.code
        }
    };
    match output::failure() {
        Some(message) => {
            let _ = writeln!(std::io::stderr(), "vpcsim: {message}");
            exit::WRITE
        }
        None => code,
    }
}
