//! Scenario files (work in progress).
