//! vpcsim: an offline, deterministic simulator of AWS VPC networking.
//!
//! Map of the code:
//! - [`addr`]: validated CIDRs, protocols and port ranges.
//! - [`trace`]: flows in, traces out: components, headers, explanation codes.
//! - [`error`]: AWS API errors and located errors for files.
//! - [`command`]: command lines as learners type them: `dig`, `curl`, `ping`, `nc`, `aws ...`.
//! - [`scenario`]: scenario files: parse, substitute, run against a backend, check expectations.
//! - [`yaml`]: spanned YAML/JSON document tree with limits (templates, scenario files).

pub mod addr;
pub mod command;
pub mod error;
pub mod scenario;
pub mod trace;
pub mod yaml;
