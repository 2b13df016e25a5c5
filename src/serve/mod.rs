//! `vpcsim serve`: a local web page to explore one scenario's world. The page (plain
//! JavaScript and SVG, built into the binary) draws the topology, traces a flow and
//! draws its forward and return paths, walks the scenario's timeline step by step and
//! runs console commands on an instance. Everything it shows comes from a small JSON
//! API with the same schemas as the command line's `--json` (docs/web.md).
//!
//! - [`timeline`]: the scenario run once, the world kept after every step.
//! - [`api`]: requests to answers, apart from any socket ([`Explorer::handle`]).
//! - [`http`]: the HTTP loop (tiny_http), its limits and its `Host` check.
//! - [`topology`]: the diagram model as JSON, traced paths as diagram nodes.
//! - `assets`: the page's files, looked up by exact name.

pub mod api;
mod assets;
pub mod http;
pub mod timeline;
pub mod topology;

pub use api::{Explorer, Request, Response};
pub use http::{ServeError, Server};
pub use timeline::Timeline;

use crate::error::FileError;
use crate::scenario::Scenario;
use crate::session::Session;

/// An explorer over `scenario`, run on `session` (which has no stacks yet), opening after
/// `default_step` steps (the commands' default is [`Scenario::clean_up_starts`]).
pub fn explore(scenario: &Scenario, session: Session, default_step: usize) -> Result<Explorer, FileError> {
    Timeline::build(scenario, session, default_step).map(Explorer::new)
}

/// An explorer over the built-in seed lab, opening before its clean-up.
///
/// ```
/// let mut explorer = vpcsim::serve::lab().unwrap();
/// let r = explorer.handle(&vpcsim::serve::Request { method: "GET", target: "/api/steps", body: b"" });
/// assert_eq!(r.status, 200);
/// ```
pub fn lab() -> Result<Explorer, FileError> {
    let scenario = crate::scenario::load_str("privatelink-lab.yaml", crate::lab::SCENARIO)?;
    let mut session = Session::for_scenario(&scenario)?;
    session.embedded = vec![("privatelink-lab.cfn.yaml", crate::lab::TEMPLATE)];
    let before_clean_up = scenario.clean_up_starts().unwrap_or(scenario.steps.len());
    explore(&scenario, session, before_clean_up)
}
