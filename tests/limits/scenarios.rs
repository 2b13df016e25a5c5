//! Scenarios and the shell: bounded steps, kept output and waits.

#[allow(unused_imports)]
use super::*;
