//! Health checks simulated by events: the cost of a wait does not grow with its length.

#[allow(unused_imports)]
use super::*;
