//! Reachability over a whole world at once, offline: every source against every
//! destination and port ([`matrix`]), computed over equivalence classes
//! ([`classes`]) by the one packet walk ([`cell`]), never a second copy of its rules.
//!
//! - [`probe`]: the ports and protocols asked (`tcp:443`, `udp:53`, `icmp`).
//! - [`reads`]: what the walks of each row and column read, for [`update`].
//! - [`select`]: sources and destinations, and the filters that pick them.
//! - [`scope`]: Network Access Analyzer scopes, read verbatim from AWS's JSON.
//! - [`access`]: the findings of a scope: reachable paths it matches.
//! - [`egress`]: the internet as a destination of scopes: one representative host.
//! - [`path`]: one Reachability Analyzer path analyzed (create-network-insights-path).
//! - [`cell`]: one source, destination and probe walked and judged.
//! - [`classes`]: what makes two interfaces indistinguishable to every rule.
//! - [`matrix`]: the verdicts, per class pair, read per cell.
//! - [`update`]: the matrix brought up to date after a change, walking only what it touched.
//! - [`diff`]: what a change changed, cell by cell over the classes both worlds share.
//! - [`steps`]: two states of one world: what changed between them, and the later matrix brought up to date.
//! - [`group`]: rows and columns with identical verdicts, for people.
//! - [`json`]: the matrix for machines.

pub mod access;
pub mod cell;
pub mod classes;
pub mod diff;
pub mod egress;
pub mod group;
pub mod json;
pub mod matrix;
pub mod path;
pub mod probe;
pub mod reads;
pub mod scope;
pub mod select;
pub mod steps;
pub mod update;

pub use cell::Verdict;
pub use matrix::Matrix;
pub use probe::{Probe, DEFAULT_PROBES};
pub use select::{Filter, Source, Target};
