//! vpcsim: an offline, deterministic simulator of AWS VPC networking. It routes
//! simulated packets and DNS lookups hop by hop through a model of one region and
//! explains every decision, like Reachability Analyzer, in microseconds.
//!
//! Map of the code:
//! - [`addr`]: validated CIDRs, protocols and port ranges.
//! - [`ids`]: typed arena handles and the seeded AWS id generator.
//! - [`region`]: regions, their AZs and Amazon public ranges.
//! - [`model`]: one small type per AWS resource.
//! - [`world`]: the region: arenas, indexes, clock.
//! - [`ops`]: control-plane calls named after the AWS API.
//! - [`quota`]: the account's limits (routes per table, rules per group, ...), raisable.
//! - [`forward`]: the packet walk, verdict-only or explained.
//! - [`trace`]: flows in, traces out: components, headers, explanation codes.
//! - [`dns`]: what names resolve to from inside a VPC.
//! - [`apps`]: dig, curl, ping and nc on an instance.
//! - [`lab`]: the seed lab built from its embedded template, its resources found by logical id.
//! - [`catalogue`]: the lab, the lessons and their templates built into the binary.
//! - [`labs`]: the labs built into the binary (`vpcsim lab NAME`), the seed lab first.
//! - [`error`]: AWS API errors and located errors for files.
//! - [`source`]: reading the files people wrote: regular files only, size-limited, UTF-8 located.
//! - [`yaml`]: spanned YAML/JSON document tree with limits (templates, scenario files).
//! - [`cfn`]: CloudFormation templates: parse, check, order, evaluate, create through a sink.
//! - [`stack`]: CloudFormation stacks built into a world, atomically.
//! - [`command`]: command lines as learners type them: `dig`, `curl`, `ping`, `nc`, `aws ...`.
//! - [`scenario`]: scenario files: parse, substitute, run against a backend, check expectations.
//! - [`session`]: a world with its stacks, the backend scenario files run against.
//! - [`describe`]: the AWS CLI's JSON for a world's resources (`describe-vpcs`, ...).
//! - [`graph`]: a world (and a traced path) as a Graphviz DOT or Mermaid diagram.
//! - [`analyzer`]: every source against every destination and port at once (reachability matrix, diff).
//! - [`serve`]: `vpcsim serve`: a local web page and JSON API to explore a scenario's world.

pub mod addr;
pub mod analyzer;
pub mod apps;
pub mod catalogue;
pub mod cfn;
pub mod command;
pub mod describe;
pub mod dns;
pub mod error;
pub mod forward;
pub mod graph;
pub mod ids;
pub mod lab;
pub mod labs;
pub mod model;
pub mod quota;
pub mod region;
pub mod scenario;
pub mod serve;
pub mod session;
pub mod source;
pub mod stack;
#[cfg(feature = "testing")]
pub mod testing;
pub mod trace;
pub mod world;
pub mod yaml;

pub use world::ops;
