//! What CloudFormation reports as a stack is created, rolled back and deleted: one
//! [`ResourceEvent`] per change of a resource's (or the stack's own) status, handed to
//! the sink as it happens, so that the model stamps it with its clock. The stack itself
//! is reported as a resource of type [`STACK_TYPE`] whose logical id is the stack's name.

/// The type CloudFormation gives the stack's own events (and a nested stack's resource).
pub const STACK_TYPE: &str = "AWS::CloudFormation::Stack";

/// A resource's or a stack's status, as `describe-stack-events` prints it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ResourceStatus {
    /// Creation started (a resource's first event, and a waiting resource's signals).
    CreateInProgress,
    /// Created.
    CreateComplete,
    /// Creation failed (or was cancelled because another resource failed).
    CreateFailed,
    /// A stack rolls back what it created after a failure.
    RollbackInProgress,
    /// A stack rolled back: it holds nothing and can only be deleted.
    RollbackComplete,
    /// Deletion started.
    DeleteInProgress,
    /// Deleted.
    DeleteComplete,
    /// Deletion refused; what is left stays.
    DeleteFailed,
}

impl ResourceStatus {
    /// CloudFormation's spelling (`CREATE_COMPLETE`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceStatus::CreateInProgress => "CREATE_IN_PROGRESS",
            ResourceStatus::CreateComplete => "CREATE_COMPLETE",
            ResourceStatus::CreateFailed => "CREATE_FAILED",
            ResourceStatus::RollbackInProgress => "ROLLBACK_IN_PROGRESS",
            ResourceStatus::RollbackComplete => "ROLLBACK_COMPLETE",
            ResourceStatus::DeleteInProgress => "DELETE_IN_PROGRESS",
            ResourceStatus::DeleteComplete => "DELETE_COMPLETE",
            ResourceStatus::DeleteFailed => "DELETE_FAILED",
        }
    }
}

/// One change of status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceEvent {
    /// The stack the resource belongs to (a nested stack's own name for its resources).
    pub stack_name: String,
    /// The resource's logical id, or the stack's name for the stack's own events.
    pub logical_id: String,
    /// Its type (`AWS::EC2::VPC`, [`STACK_TYPE`] for the stack).
    pub resource_type: String,
    /// Its physical id once it has one (empty before), the stack's id for the stack.
    pub physical_id: String,
    /// The new status.
    pub status: ResourceStatus,
    /// Why, when CloudFormation says (`User Initiated`, `Resource creation Initiated`, an
    /// error, a signal received).
    pub reason: Option<String>,
}

impl ResourceEvent {
    /// An event of resource `logical_id` of type `resource_type` in stack `stack_name`.
    pub fn new(
        stack_name: &str,
        (logical_id, resource_type, physical_id): (&str, &str, &str),
        status: ResourceStatus,
        reason: Option<&str>,
    ) -> ResourceEvent {
        ResourceEvent {
            stack_name: stack_name.to_string(),
            logical_id: logical_id.to_string(),
            resource_type: resource_type.to_string(),
            physical_id: physical_id.to_string(),
            status,
            reason: reason.map(str::to_string),
        }
    }

    /// An event of the stack `stack_name` (id `stack_id`) itself.
    pub fn of_stack(
        stack_name: &str,
        stack_id: &str,
        status: ResourceStatus,
        reason: Option<&str>,
    ) -> ResourceEvent {
        ResourceEvent::new(stack_name, (stack_name, STACK_TYPE, stack_id), status, reason)
    }
}

/// The reason an error gives on a CREATE_FAILED event: its first problem's message.
pub fn reason(error: &crate::error::FileError) -> String {
    error.problems.first().map_or_else(String::new, |p| p.message.clone())
}

/// The events of a stack rolled back after `error`: ROLLBACK_IN_PROGRESS (naming the
/// resources that failed), each resource whose creation began deleted in reverse order,
/// then ROLLBACK_COMPLETE. `begun` holds each resource's logical id, type and physical id.
pub fn roll_back(
    (stack_name, stack_id): (&str, &str),
    begun: &[(String, String, String)],
    failed: &[String],
    error: &crate::error::FileError,
    sink: &mut dyn super::ResourceSink,
) {
    let why = match failed {
        [] => reason(error),
        ids => format!(
            "The following resource(s) failed to create: [{}]. Rollback requested by user.",
            ids.join(", ")
        ),
    };
    let stack = |status, reason: Option<&str>| ResourceEvent::of_stack(stack_name, stack_id, status, reason);
    sink.record(stack(ResourceStatus::RollbackInProgress, Some(&why)));
    for (id, kind, physical) in begun.iter().rev() {
        let resource = |status| ResourceEvent::new(stack_name, (id, kind, physical), status, None);
        sink.record(resource(ResourceStatus::DeleteInProgress));
        if kind == STACK_TYPE {
            // C3: a nested stack goes with its parent's rollback.
            let child = super::nested::stack_name(stack_name, id);
            for status in [ResourceStatus::DeleteInProgress, ResourceStatus::DeleteComplete] {
                sink.record(ResourceEvent::of_stack(&child, physical, status, None));
            }
        }
        sink.record(resource(ResourceStatus::DeleteComplete));
    }
    sink.record(stack(ResourceStatus::RollbackComplete, None));
}
