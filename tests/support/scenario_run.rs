//! Running a scenario a test wrote: its stacks created and its steps run, every
//! expectation holding, or the error its stacks' creation ends in.
#![allow(dead_code)]

use vpcsim::error::FileError;
use vpcsim::scenario::{self, render};
use vpcsim::session::Session;

/// Runs the scenario `text` (read as file `file`); every expectation must hold. The
/// session, for further checks.
pub fn passing(file: &str, text: &str) -> Session {
    let s = scenario::load_str(file, text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let mut session = Session::for_scenario(&s).unwrap();
    let report = scenario::run(&s, &mut session).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert!(report.passed, "{}", render::text(&report));
    session
}

/// The error running the scenario `text` (read as file `file`) ends in: its stacks are refused.
pub fn refused(file: &str, text: &str) -> FileError {
    let s = scenario::load_str(file, text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let mut session = Session::for_scenario(&s).unwrap();
    match scenario::run(&s, &mut session) {
        Ok(_) => panic!("the stack was created\n{text}"),
        Err(e) => e,
    }
}
