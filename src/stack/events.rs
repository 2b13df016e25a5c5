//! What CloudFormation remembers of stacks over time, for `describe-stack-events` and
//! `describe-stacks`: every status change of a stack and its resources, stamped on the
//! virtual clock as the engine reported it, grouped per stack. A stack that failed and
//! rolled back stays here as ROLLBACK_COMPLETE (it holds nothing) until it is deleted;
//! a deleted stack's events stay readable by its stack id, as AWS keeps them.

use crate::cfn::event::STACK_TYPE;
use crate::cfn::{ResourceEvent, ResourceStatus};

/// An event stamped with the virtual clock when it happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stamped {
    /// When, in virtual milliseconds.
    pub at_ms: u64,
    /// What happened.
    pub event: ResourceEvent,
}

/// One event as `describe-stack-events` prints it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackEvent {
    /// `EventId`: a UUID derived from the stack's id and the event's place in the log.
    pub event_id: String,
    /// When, in virtual milliseconds.
    pub at_ms: u64,
    /// What happened.
    pub event: ResourceEvent,
}

/// One stack's life: created (or being created), rolled back, deleted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackRecord {
    /// Its name.
    pub name: String,
    /// Its id (`arn:aws:cloudformation:...:stack/NAME/UUID`).
    pub id: String,
    /// When its creation began, in virtual milliseconds.
    pub created_ms: u64,
    /// Its status: the last status of its own events.
    pub status: ResourceStatus,
    /// Why, when the last of its own events says (a rollback keeps its cause).
    pub reason: Option<String>,
    /// Its events, oldest first.
    pub events: Vec<StackEvent>,
}

impl StackRecord {
    /// Whether the stack still exists (it was not deleted).
    pub fn exists(&self) -> bool {
        self.status != ResourceStatus::DeleteComplete
    }
}

/// Every stack's record, in the order they were first heard of.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StackLog {
    records: Vec<StackRecord>,
    /// How many events were logged, for event ids.
    logged: u64,
}

impl StackLog {
    /// An empty log.
    pub fn new() -> StackLog {
        StackLog::default()
    }

    /// Files events as they came: a stack's CREATE_IN_PROGRESS opens a new record; any
    /// other event goes to the existing record of its stack's name (one is opened for a
    /// stack first heard of by another event); the stack's own events set its status.
    pub fn append(&mut self, events: impl IntoIterator<Item = Stamped>) {
        for Stamped { at_ms, event } in events {
            let own = event.resource_type == STACK_TYPE && event.logical_id == event.stack_name;
            let opens = own && event.status == ResourceStatus::CreateInProgress;
            let at = match self.position(&event.stack_name) {
                Some(at) if !opens => at,
                _ => {
                    let id = if own { event.physical_id.clone() } else { String::new() };
                    self.records.push(StackRecord {
                        name: event.stack_name.clone(),
                        id,
                        created_ms: at_ms,
                        status: ResourceStatus::CreateInProgress,
                        reason: None,
                        events: Vec::new(),
                    });
                    self.records.len() - 1
                }
            };
            let record = &mut self.records[at];
            if own {
                record.status = event.status;
                record.reason = match (&event.reason, event.status) {
                    (Some(r), _) => Some(r.clone()),
                    (None, ResourceStatus::RollbackComplete) => record.reason.take(),
                    (None, _) => None,
                };
                if record.id.is_empty() {
                    record.id.clone_from(&event.physical_id);
                }
            }
            self.logged += 1;
            let event_id = event_id(&record.id, self.logged);
            record.events.push(StackEvent { event_id, at_ms, event });
        }
    }

    /// The stack of this name that exists now (AWS finds a live stack by its name).
    pub fn current(&self, name: &str) -> Option<&StackRecord> {
        self.position(name).map(|at| &self.records[at])
    }

    /// The stack a `--stack-name` names: a live stack's name, or any stack's id (a deleted
    /// one included, the newest of that id).
    pub fn find(&self, name_or_id: &str) -> Option<&StackRecord> {
        self.current(name_or_id).or_else(|| self.records.iter().rev().find(|r| r.id == name_or_id))
    }

    /// The stacks that failed, rolled back and wait to be deleted (ROLLBACK_COMPLETE).
    pub fn rolled_back(&self) -> impl Iterator<Item = &StackRecord> {
        self.records.iter().filter(|r| r.status == ResourceStatus::RollbackComplete)
    }

    fn position(&self, name: &str) -> Option<usize> {
        self.records.iter().rposition(|r| r.name == name && r.exists())
    }
}

/// A UUID-shaped event id, fixed by the stack's id and the event's number in the log.
fn event_id(stack_id: &str, n: u64) -> String {
    let h = crate::cfn::params::fnv1a(format!("{stack_id}#{n}").as_bytes());
    let g = crate::cfn::params::fnv1a(format!("{n}#{stack_id}").as_bytes());
    crate::ids::uuid_shaped(h, g)
}
