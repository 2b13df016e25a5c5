//! vpcsim: an offline, deterministic simulator of AWS VPC networking.
//!
//! Map of the code:
//! - [`addr`]: validated CIDRs, protocols and port ranges.
//! - [`trace`]: flows in, traces out: components, headers, explanation codes.
//! - [`error`]: AWS API errors and located errors for files.

pub mod addr;
pub mod apps;
pub mod dns;
pub mod error;
pub mod forward;
pub mod ids;
pub mod lab;
pub mod model;
pub mod ops;
pub mod region;
pub mod trace;
pub mod world;
