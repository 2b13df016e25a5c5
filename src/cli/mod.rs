//! The command line: clap's raw arguments become one command, run once, returning
//! an exit code that means something. One module per command; [`world`] prepares
//! the world a scenario leaves (all steps, or the first N), [`style`] holds tables
//! and colour, [`output`] writes and checks every byte sent to standard output and error.

mod check;
mod describe;
mod diff;
mod graph;
mod import;
mod junit;
mod lessons;
mod output;
mod reach;
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
  vpcsim lab nat-instance                      run the NAT-instance lab (vpcsim lab --list: every lab)
  vpcsim lessons                               list the lab and the lessons, and how to run each
  vpcsim explain BAD_STATE                     what an explanation code means
  vpcsim run scenarios/*.yaml                  run scenario files and check their expectations
  vpcsim shell scenarios/privatelink-lab.yaml  type dig, curl, aws ... on the lab's world
  vpcsim trace lab --from My-EC2 --to Custom-NLB:80 --until 4
  vpcsim describe lab subnets
  vpcsim graph lab --format svg -o lab.svg
  vpcsim reach lab --port 80,443
  vpcsim diff lab --before-step 4
  vpcsim check lab --scope scenarios/scopes/internet-to-instances.json
  vpcsim serve --open

FILE is a scenario file, `lab` for the built-in seed lab, or a built-in lesson's name (`vpcsim lessons` lists them). Every command that takes one shows its world \
after the steps before clean-up (the first step that deletes or terminates anything); --until and --from-start choose another.";

/// The sentence every `--help` of a command that takes a scenario ends with: which state it uses.
macro_rules! state_help {
    () => {
        "\n\nState: the stacks are created, then every step before the first that deletes or terminates \
anything (a lab is shown before its clean-up); the first line on standard error says which \
(`privatelink-lab.yaml after 12 of 21 steps (before clean-up; ...)`). --until N|end|NAME stops after step N \
(its position in the file, from 1), after every step, or after the step named NAME; --from-start applies no step."
    };
}

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
    /// List the lab and every lesson, a title each and how to run it.
    #[command(after_help = "Example:\n  vpcsim lessons\n  vpcsim run scenarios/lesson-no-public-ip.yaml")]
    Lessons,
    /// Say what an explanation code (a blocked flow's reason) means, in a paragraph.
    #[command(
        after_help = "Example:\n  vpcsim explain IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS\n\nThe text is docs/explanation-codes.md's, built in; the code's case does not matter."
    )]
    Explain {
        /// The code, as a trace or a blocked curl prints it (BAD_STATE, NO_ROUTE_TO_DESTINATION, ...).
        code: String,
    },
    /// Run a built-in lab step by step: the PrivateLink seed lab, or NAME (`--list`).
    #[command(
        after_help = concat!(
            "Example:\n  vpcsim lab --pause\n  vpcsim lab --until end\n  vpcsim lab nat-instance --pause\n  vpcsim lab --list\n\nExit status: 0 when every observation of the lab held, 1 otherwise.",
            state_help!()
        )
    )]
    Lab {
        /// The lab: privatelink (the default), nat-instance or nat-gateway (`--list` says what each shows).
        name: Option<String>,
        /// List the built-in labs, what each shows and how to run it.
        #[arg(long, conflicts_with_all = ["name", "json", "pause", "wide", "until", "from_start", "parameters", "region"])]
        list: bool,
        /// Print the report as one JSON document (see `vpcsim run --help`).
        #[arg(long)]
        json: bool,
        /// Wait for Enter between steps (only when standard input is a terminal).
        #[arg(long, conflicts_with = "json")]
        pause: bool,
        /// Paths as wide tables with whole ids and ARNs, however narrow the terminal (or COLUMNS).
        #[arg(long, conflicts_with = "json")]
        wide: bool,
        #[command(flatten)]
        state: world::StateArgs,
    },
    /// Run scenario files: create their stacks, run their steps, check their expectations.
    #[command(after_help = "Example:\n  vpcsim run scenarios/privatelink-lab.yaml\n\n\
--json prints an array with one report per file: {name, file, passed, steps: [{index, title, action, on, \
command, status, outcome: {exit_code, stdout, stderr, trace, answers}, checks: [{key, expected, actual, held, path}]}]}.\n\n\
Exit status: 0 every expectation held, 1 one failed, 2 a file is invalid.")]
    Run {
        /// Scenario files (YAML), or built-in lessons' names (`vpcsim lessons`).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Print the reports as one JSON document.
        #[arg(long)]
        json: bool,
        /// Print only failures and a line per file.
        #[arg(long, conflicts_with = "json")]
        quiet: bool,
        /// Paths as wide tables with whole ids and ARNs, however narrow the terminal (or COLUMNS).
        #[arg(long, conflicts_with_all = ["json", "quiet"])]
        wide: bool,
        /// Raise an account quota as Service Quotas would, before the stacks are created
        /// (repeatable): routes-per-table, rules-per-group, groups-per-interface,
        /// nacl-rules-per-direction, subnets-per-vpc, endpoints-per-vpc, targets-per-group,
        /// cidr-blocks-per-vpc.
        #[arg(long = "quota", value_name = "NAME=VALUE", value_parser = vpcsim::quota::Quota::parse_setting)]
        quotas: Vec<(vpcsim::quota::Quota, usize)>,
        /// A template's parameters and region, when the files are CloudFormation templates.
        #[command(flatten)]
        template: world::TemplateArgs,
        /// Also write a JUnit XML report (one test suite per file, one test case per step).
        #[arg(long, value_name = "FILE")]
        junit: Option<PathBuf>,
    },
    /// What vpcsim understands of a CloudFormation template: each resource modelled, skipped or refused.
    #[command(after_help = "Examples:\n  vpcsim import scenarios/two-tier-internal-nlb.cfn.yaml\n  \
vpcsim import scenarios/privatelink-lab.cfn.yaml --parameter KeyName=lab-key --json\n\n\
Each resource is modelled (created in the simulated region), skipped (it cannot change what the network \
does, or its Condition is false) or refused (a networking type vpcsim does not model, or a value the region \
refuses), with the warnings its properties drew; what depends on a refused resource is not tried (the rest \
is created without them, so every refusal is listed). --json prints {File, Resources: [{LogicalId, Type, Status, \
Reason, Warnings}]}.\n\n\
Exit status: 0 nothing refused, 2 something refused or the template is invalid.")]
    Import {
        /// The CloudFormation template (YAML or JSON).
        #[arg(value_name = "TEMPLATE")]
        file: PathBuf,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        template: world::TemplateArgs,
    },
    /// An interactive shell on a scenario's world: dig, curl, ping, nc, aws, trace, describe, graph.
    #[command(
        after_help = concat!("Example:\n  vpcsim shell scenarios/privatelink-lab.yaml --until 9\n  My-EC2$ curl http://${CustomNLB.DNSName}/\n  My-EC2$ trace Custom-WEB-1:80\n\n\
Without FILE the built-in lab is used. Type `help` in the shell for its commands. When standard input is not \
a terminal, lines are read plainly and each is echoed after its prompt.",
state_help!())
    )]
    Shell {
        /// Scenario file (or `lab`); the built-in lab when absent.
        #[arg(value_name = "FILE")]
        file: Option<PathBuf>,
        #[command(flatten)]
        state: world::StateArgs,
    },
    /// Trace one flow from an instance (or an interface, or the internet), forward and back, like Reachability Analyzer.
    #[command(after_help = concat!("Examples:\n  vpcsim trace lab --from My-EC2 --to Custom-NLB --until 4\n  \
vpcsim trace lab --from My-EC2 --to Custom-WEB-1:80 --until 4 --json\n  \
vpcsim trace lab --from internet --to Custom-WEB-1:80\n\n\
HOST is an address, a DNS name (resolved by the instance's VPC resolver) or a resource name (an instance, \
a load balancer, an endpoint). The flow leaves from source port 32768. In the table, IN shows the packet \
where it differs from the row above and OUT where the component rewrote it (NAT, load balancing).\n\n\
--json prints a Reachability Analyzer analysis: {NetworkPathFound, ForwardPathComponents, ReturnPathComponents, \
Explanations}; each component has SequenceNumber, Component {Id, Name, Arn}, what matched (SecurityGroupRule, \
AclRule, RouteTableRoute, ElasticLoadBalancerListener, LoadBalancerTarget) and InboundHeader / OutboundHeader \
{SourceAddresses, DestinationAddresses, SourcePortRanges, DestinationPortRanges, Protocol}; each explanation \
has ExplanationCode, Component and Message (vpcsim's sentence).\n\n\
Exit status: 0 reachable, 1 not reachable, 2 bad input.", state_help!()))]
    Trace {
        /// Scenario file (or `lab`).
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// The source: an instance (Name tag, logical id or i- id), an eni- id, a load balancer
        /// (its first node), `internet` (a client at 203.0.113.10) or `internet:ADDRESS`.
        #[arg(long, value_name = "SOURCE")]
        from: String,
        /// The destination: HOST or HOST:PORT.
        #[arg(long, value_name = "HOST[:PORT]")]
        to: String,
        /// The protocol.
        #[arg(long, value_enum, default_value = "tcp")]
        protocol: ProtocolArg,
        #[command(flatten)]
        state: world::StateArgs,
        /// Print a Reachability Analyzer-shaped JSON analysis.
        #[arg(long)]
        json: bool,
        /// The wide table with whole ids and ARNs, however narrow the terminal (or COLUMNS).
        #[arg(long, conflicts_with = "json")]
        wide: bool,
    },
    /// The AWS CLI's JSON for the world a scenario leaves.
    #[command(
        after_help = concat!("Examples:\n  vpcsim describe lab route-tables --until 4\n  vpcsim describe scenarios/privatelink-lab.yaml vpc-endpoints --until 9\n\n\
Each WHAT prints what `aws ec2 describe-WHAT` (or `aws elbv2 ...`) prints; target-health lists every target group's \
targets; without WHAT all of them are merged into one document.",
            state_help!()
        )
    )]
    Describe {
        /// Scenario file (or `lab`).
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// What to describe.
        #[arg(value_parser = clap::builder::PossibleValuesParser::new(vpcsim::describe::WHAT))]
        what: Option<String>,
        #[command(flatten)]
        state: world::StateArgs,
    },
    /// A diagram of the world a scenario leaves, optionally with a traced path drawn over it.
    #[command(after_help = concat!("Examples:\n  vpcsim graph lab --until 9 --format svg -o lab.svg\n  \
vpcsim graph lab --until 4 --trace My-EC2 Custom-NLB:80 --format mermaid\n\n\
svg needs Graphviz (`apt-get install graphviz`).", state_help!()))]
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
        #[command(flatten)]
        state: world::StateArgs,
        /// Write to this file instead of standard output.
        #[arg(short = 'o', long = "output", value_name = "PATH")]
        output: Option<PathBuf>,
    },
    /// Reachability matrix: every source against every destination and port, in classes.
    #[command(
        after_help = concat!("Examples:\n  vpcsim reach lab\n  vpcsim reach lab --from internet --to vpc:My-VPC --port 22,80\n  \
vpcsim reach lab --explain My-EC2 Custom-WEB-1 tcp:80\n  vpcsim reach lab --explain S2 D3 80\n\n\
Sources are the internet, running instances and load balancer nodes; destinations are instances, load balancers \
and interface endpoints. --from and --to keep those matching any filter: a Name tag, a load balancer's name or an \
AWS id, `internet`, `vpc:NAME-OR-ID`, `subnet:NAME-OR-ID` or `tag:KEY=VALUE`. --port takes PORT (tcp), tcp:PORT, \
udp:PORT or icmp, comma-separated or repeated; the default is tcp 22, 80, 443, 3306, 5432, 6379, 8080, udp 53 and icmp. \
A destination is reached when every interface it has is (each node of a load balancer, each interface of an \
endpoint). Rows (and columns) with identical verdicts are merged.\n\n\
--explain SRC DST PORT takes names or ids, or a cell's labels in the grid (S2 D3: the first source of row S2, the \
first destination of column D3, in the grid the same --from, --to and --port print).\n\n\
--json prints {sources, destinations, ports, cells}; see docs/reachability.md. With --explain, --json prints \
the cell's flow as `vpcsim trace --json` does (docs/json.md).\n\n\
Exit status: 0 the matrix was printed (with --explain: reachable), 1 with --explain: not reachable, 2 bad input.", state_help!())
    )]
    Reach {
        /// Scenario file (or `lab`).
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Keep only these sources (repeatable).
        #[arg(long, value_name = "FILTER")]
        from: Vec<String>,
        /// Keep only these destinations (repeatable).
        #[arg(long, value_name = "FILTER")]
        to: Vec<String>,
        /// Ports to ask (repeatable, comma-separated).
        #[arg(long = "port", value_name = "PORT")]
        ports: Vec<String>,
        #[command(flatten)]
        state: world::StateArgs,
        /// Print the matrix as JSON.
        #[arg(long)]
        json: bool,
        /// Print the full trace behind one cell (by names or ids, or by its grid labels: S2 D3).
        #[arg(long, num_args = 3, value_names = ["SRC", "DST", "PORT"])]
        explain: Option<Vec<String>>,
        /// Also write a JUnit XML report: a passing case per class pair and port, named with
        /// its verdict; with --explain, one case that fails when the cell is not reachable.
        #[arg(long, value_name = "FILE")]
        junit: Option<PathBuf>,
    },
    /// What a change changed: every reachability cell whose verdict differs between two worlds.
    #[command(after_help = "Examples:\n  vpcsim diff lab --before-step 4\n  \
vpcsim diff scenarios/two-tier-internal-nlb.cfn.yaml changed.cfn.yaml\n  vpcsim diff before.yaml after.yaml --to tag:Tier=db --port 5432\n\n\
BEFORE and AFTER are scenario files (their stacks and steps applied: the steps before clean-up unless \
--before-step and --after-step stop each after its first N steps) or CloudFormation templates (one stack each, created with the same --parameter and --region). With one scenario, \
--before-step and --after-step pick two of its steps: it runs once, and the later matrix is the earlier one brought up to date \
over the resources that differ (in full when a change stands for every VPC, such as a managed prefix list; two files are both computed in full). \
Sources and destinations are matched by name; \
--from, --to and --port ask as `vpcsim reach` does. Each change prints the port, the sources and \
destinations it holds for, and the decisive hop of both traces.\n\n\
Exit status: 0 nothing changed, 1 something changed, 2 bad input.")]
    Diff {
        /// The earlier scenario file or template.
        #[arg(value_name = "BEFORE")]
        before: PathBuf,
        /// The later scenario file or template (BEFORE again when absent).
        #[arg(value_name = "AFTER")]
        after: Option<PathBuf>,
        /// Apply only the first N steps of BEFORE.
        #[arg(long, value_name = "N")]
        before_step: Option<usize>,
        /// Apply only the first M steps of AFTER.
        #[arg(long, value_name = "M")]
        after_step: Option<usize>,
        /// Keep only these sources (repeatable).
        #[arg(long, value_name = "FILTER")]
        from: Vec<String>,
        /// Keep only these destinations (repeatable).
        #[arg(long, value_name = "FILTER")]
        to: Vec<String>,
        /// Ports to ask (repeatable, comma-separated).
        #[arg(long = "port", value_name = "PORT")]
        ports: Vec<String>,
        /// Print the changes as JSON.
        #[arg(long)]
        json: bool,
        /// Parameters and region for BEFORE and AFTER when they are CloudFormation templates.
        #[command(flatten)]
        template: world::TemplateArgs,
    },
    /// Network Access Analyzer offline: the paths an access scope finds, each with its path.
    #[command(after_help = concat!("Examples:\n  vpcsim check lab --scope scenarios/scopes/internet-to-instances.json\n  \
vpcsim check scenarios/two-tier-internal-nlb.yaml --scope a.json --scope b.json --json\n\n\
SCOPE is an access scope as AWS writes it: {MatchPaths: [...], ExcludePaths: [...]} (or the --match-paths list \
alone, or the saved output of create-network-insights-access-scope or get-network-insights-access-scope-content), \
each path a Source and a \
Destination (ResourceStatement: Resources or ResourceTypes; PacketHeaderStatement: SourceAddresses, \
DestinationAddresses, SourcePorts, DestinationPorts, Protocols) and ThroughResources. A finding is a reachable \
path that matches a MatchPaths entry and no ExcludePaths entry; paths are those of `vpcsim reach` on the default \
ports plus the first port of each DestinationPorts range a scope names (--port replaces them). \
A resource named that the world does not have is an error (replace a ready scope's REPLACE placeholder). \
Ready scopes are in scenarios/scopes/; see docs/reachability.md.\n\n\
Exit status: 0 no scope has a finding, 1 some scope has one, 2 bad input.", state_help!()))]
    Check {
        /// Scenario file (or `lab`).
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Access scope files (repeatable).
        #[arg(long = "scope", value_name = "SCOPE.json", required = true)]
        scopes: Vec<PathBuf>,
        /// Ports to ask (repeatable, comma-separated).
        #[arg(long = "port", value_name = "PORT")]
        ports: Vec<String>,
        #[command(flatten)]
        state: world::StateArgs,
        /// Print the findings as JSON.
        #[arg(long)]
        json: bool,
        /// Also write a JUnit XML report (one test suite per scope, one test case per finding).
        #[arg(long, value_name = "FILE")]
        junit: Option<PathBuf>,
    },
    /// A local web page to explore a scenario's world: topology, traced paths, its steps, a console.
    #[command(after_help = concat!("Examples:\n  vpcsim serve --open\n  vpcsim serve scenarios/two-tier-internal-nlb.yaml --port 8080\n\n\
FILE is a scenario file, a CloudFormation template (one stack, no steps) or `lab`; the built-in lab when absent. \
The page and its JSON API (docs/web.md) are served on 127.0.0.1 only unless --bind says otherwise; \
--port 0 picks a free port. Everything is built into the binary: no network is used. Runs until interrupted. \
The page opens at the state below; its slider shows the world after every step.", state_help!()))]
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
        #[command(flatten)]
        state: world::StateArgs,
    },
}

/// Writes to standard output and flushes (see [`output`] for what happens on a write error).
pub fn emit(text: &str) {
    output::out(text);
}

/// Runs the command; the exit code.
pub fn run(cli: Cli) -> u8 {
    let result = match cli.command {
        Command::Lessons => lessons::lessons(),
        Command::Explain { code } => lessons::explain(&code),
        Command::Lab { list: true, .. } => Ok(run::list_labs()),
        Command::Lab { name, json, pause, wide, state, .. } => {
            Ok(run::lab(name.as_deref(), run::Show { json, quiet: false, wide }, pause, &state))
        }
        Command::Run { files, json, quiet, wide, quotas, template, junit } => {
            Ok(run::files(&files, run::Show { json, quiet, wide }, &quotas, &template, junit.as_deref()))
        }
        Command::Import { file, json, template } => import::command(&file, json, &template),
        Command::Shell { file, state } => shell::run(file.as_deref(), &state),
        Command::Trace { file, from, to, protocol, state, json, wide } => {
            trace::command(&file, &from, &to, protocol, &state, json, wide)
        }
        Command::Describe { file, what, state } => describe::command(&file, what.as_deref(), &state),
        Command::Graph { file, format, trace, state, output } => {
            graph::command(&file, format, trace.as_deref(), &state, output.as_deref())
        }
        Command::Reach { file, from, to, ports, state, json, explain, junit } => {
            reach::command(&reach::Args {
                file: &file,
                state: &state,
                from: &from,
                to: &to,
                ports: &ports,
                json,
                explain: explain.as_deref(),
                junit: junit.as_deref(),
            })
        }
        Command::Diff { before, after, before_step, after_step, from, to, ports, json, template } => {
            diff::command(&diff::Args {
                before: &before,
                after: after.as_deref(),
                before_step,
                after_step,
                from: &from,
                to: &to,
                ports: &ports,
                json,
                template: &template,
            })
        }
        Command::Check { file, scopes, ports, state, json, junit } => check::command(&check::Args {
            file: &file,
            state: &state,
            scopes: &scopes,
            ports: &ports,
            json,
            junit: junit.as_deref(),
        }),
        Command::Serve { file, port, bind, open, state } => {
            serve::command(serve::Args { file: file.as_deref(), port, bind, open, state: &state })
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
