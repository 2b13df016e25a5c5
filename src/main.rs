//! The `vpcsim` command: parse the arguments, run, exit with a code that means
//! something (0 all held, 1 an expectation failed, 2 invalid input).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use vpcsim::scenario::{self, render, Scenario};
use vpcsim::session::Session;

/// The seed lab's scenario and template, built in so `vpcsim lab` works from any directory.
const LAB_SCENARIO: &str = include_str!("../scenarios/privatelink-lab.yaml");
const LAB_TEMPLATE: &str = include_str!("../scenarios/privatelink-lab.cfn.yaml");

#[derive(Parser, Debug)]
#[command(
    name = "vpcsim",
    version,
    about = "Simulate AWS VPC networking offline: packets and DNS hop by hop, every decision explained.",
    long_about = "vpcsim models one AWS region in memory (VPCs, subnets, route tables, internet gateways, \
security groups, NACLs, instances, Network Load Balancers, PrivateLink endpoint services and endpoints, DNS) \
and walks simulated packets through it hop by hop, explaining each decision like Reachability Analyzer.",
    after_help = "Examples:\n  vpcsim lab                         run the PrivateLink lab, narrated\n  vpcsim run scenarios/*.yaml        run scenario files and check their expectations\n  vpcsim run --json my-lesson.yaml   the same, as one JSON document"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the seed lab (PrivateLink through an endpoint service), step by step.
    #[command(
        after_help = "Example:\n  vpcsim lab\n\nExit status: 0 when every observation of the lab held, 1 otherwise."
    )]
    Lab {
        /// Print the report as one JSON document.
        #[arg(long)]
        json: bool,
    },
    /// Run scenario files: create their stacks, run their steps, check their expectations.
    #[command(
        after_help = "Example:\n  vpcsim run scenarios/privatelink-lab.yaml\n\nExit status: 0 every expectation held, 1 one failed, 2 a file is invalid."
    )]
    Run {
        /// Scenario files (YAML).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Print the reports as one JSON document.
        #[arg(long)]
        json: bool,
        /// Print only failures and the summary line.
        #[arg(long)]
        quiet: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Lab { json } => run_lab(json),
        Command::Run { files, json, quiet } => run_files(&files, json, quiet),
    };
    ExitCode::from(code)
}

fn run_lab(json: bool) -> u8 {
    let scenario = match scenario::load_str("privatelink-lab.yaml", LAB_SCENARIO) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return 2;
        }
    };
    let mut reports = Vec::new();
    let code = run_one(&scenario, &[("privatelink-lab.cfn.yaml", LAB_TEMPLATE)], json, false, &mut reports);
    if json {
        println!("{}", serde_json::to_string_pretty(&serde_json::Value::Array(reports)).unwrap_or_default());
    }
    code
}

fn run_files(files: &[PathBuf], json: bool, quiet: bool) -> u8 {
    let mut worst = 0;
    let mut reports = Vec::new();
    for f in files {
        let code = match scenario::load(f) {
            Ok(s) => run_one(&s, &[], json, quiet, &mut reports),
            Err(e) => {
                eprintln!("{e}");
                2
            }
        };
        worst = worst.max(code);
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&serde_json::Value::Array(reports)).unwrap_or_default());
    }
    worst
}

fn run_one(
    s: &Scenario,
    embedded: &[(&'static str, &'static str)],
    json: bool,
    quiet: bool,
    reports: &mut Vec<serde_json::Value>,
) -> u8 {
    let mut session = match Session::for_scenario(s) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("{e}");
            return 2;
        }
    };
    session.embedded = embedded.to_vec();
    match scenario::run(s, &mut session) {
        Ok(report) => {
            if json {
                reports.push(render::json(&report));
            } else if quiet {
                let status = if report.passed { "passed" } else { "FAILED" };
                println!("{}: {status}", report.file);
            } else {
                print!("{}", render::text(&report));
            }
            report.exit_code() as u8
        }
        Err(e) => {
            eprintln!("{e}");
            2
        }
    }
}
