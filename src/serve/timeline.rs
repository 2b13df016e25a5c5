//! A scenario's timeline for `vpcsim serve`: the world once its stacks exist (step 0)
//! and after every step that ran, each step's report, and the worlds the console has
//! changed. A step's world is kept as the run left it; the console works on a copy of
//! it, which [`Timeline::reset`] drops.

use std::collections::BTreeMap;

use crate::error::FileError;
use crate::scenario::wait::WaitBudget;
use crate::scenario::{self, Report, Scenario};
use crate::session::Session;

/// A scenario run once, with the world after each step.
#[derive(Debug)]
pub struct Timeline {
    /// The scenario's name, file and description.
    pub name: String,
    /// Its file as given.
    pub file: String,
    /// Its longer text.
    pub description: Option<String>,
    /// The run's report: every step, passed, failed or skipped.
    pub report: Report,
    /// The step the page opens at.
    pub default_step: usize,
    /// Each step's narrative (its `description`), in order.
    pub descriptions: Vec<Option<String>>,
    /// `worlds[k]`: the session after `k` steps (index 0: the stacks only).
    worlds: Vec<Session>,
    /// Worlds the console changed, by step, each with the virtual time its waits took.
    edited: BTreeMap<usize, (Session, WaitBudget)>,
}

impl Timeline {
    /// Runs `scenario` on `session` (which has no stacks yet), keeping the world after each
    /// step; the page opens after `default_step` steps (or the last that ran, if fewer).
    pub fn build(
        scenario: &Scenario,
        mut session: Session,
        default_step: usize,
    ) -> Result<Timeline, FileError> {
        let mut worlds = Vec::new();
        let report =
            scenario::run::run_each(scenario, &mut session, &mut |s: &Session| worlds.push(s.clone()))?;
        let default_step = default_step.min(worlds.len() - 1);
        Ok(Timeline {
            name: scenario.name.clone(),
            file: scenario.file.clone(),
            description: scenario.description.clone(),
            report,
            default_step,
            descriptions: scenario.steps.iter().map(|s| s.description.clone()).collect(),
            worlds,
            edited: BTreeMap::new(),
        })
    }

    /// The highest step whose world exists (steps after a failed one never ran).
    pub fn last(&self) -> usize {
        self.worlds.len() - 1
    }

    /// The world after `step` steps, with the console's changes.
    pub fn session(&self, step: usize) -> Option<&Session> {
        self.edited.get(&step).map(|(s, _)| s).or_else(|| self.worlds.get(step))
    }

    /// The world after `step` steps for the console to change (a copy, made on first use).
    pub fn session_mut(&mut self, step: usize) -> Option<&mut Session> {
        self.edit(step).map(|(s, _)| s)
    }

    /// The console's copy of the world after `step` steps and what its waits have used
    /// (bounded like the shell's: [`crate::scenario::MAX_WAIT`] a wait,
    /// [`crate::scenario::MAX_TOTAL_WAIT`] in all until a reset).
    pub fn edit(&mut self, step: usize) -> Option<(&mut Session, &mut WaitBudget)> {
        let original = self.worlds.get(step)?;
        let (s, b) = self.edited.entry(step).or_insert_with(|| (original.clone(), WaitBudget::new()));
        Some((s, b))
    }

    /// Whether the console changed the world of `step`.
    pub fn is_edited(&self, step: usize) -> bool {
        self.edited.contains_key(&step)
    }

    /// Drops the console's changes to the world of `step`; whether there were any.
    pub fn reset(&mut self, step: usize) -> bool {
        self.edited.remove(&step).is_some()
    }
}
