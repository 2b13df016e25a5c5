//! vpcsim: an offline, deterministic simulator of AWS VPC networking.
//!
//! Map of the code:
//! - [`addr`]: validated CIDRs, protocols and port ranges.
//! - [`trace`]: flows in, traces out: components, headers, explanation codes.
//! - [`error`]: AWS API errors and located errors for files.
//! - [`cfn`]: CloudFormation templates: parse, check, order, evaluate, create through a sink.
//! - [`yaml`]: spanned YAML/JSON document tree with limits (templates, scenario files).

pub mod addr;
pub mod cfn;
pub mod error;
pub mod trace;
pub mod yaml;
