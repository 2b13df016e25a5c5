//! `aws cloudformation ...`: create-stack, delete-stack, describe-stacks and
//! describe-stack-events. A stack is created at once on the virtual clock (the call
//! returns when CloudFormation would have finished, the clock moved on by the waits);
//! a stack that fails rolls back, stays as ROLLBACK_COMPLETE until it is deleted, and
//! its events say what happened and when.

use indexmap::IndexMap;
use serde_json::json;

use super::Answer;
use crate::cfn::{ResourceEvent, ResourceStatus};
use crate::command::aws::request::{CloudFormationRequest, TemplateBody};
use crate::describe::cloudformation::{self as j, StackSummary};
use crate::error::ApiError;
use crate::session::Session;
use crate::stack::events::Stamped;
use crate::stack::Body;

/// CreateStack: refused when a stack of that name exists (a rolled-back one too), or when
/// the template does not pass its checks (nothing is created); otherwise the stack is
/// created, or fails, rolls back and stays as ROLLBACK_COMPLETE. Either way the answer is
/// its id, as AWS answers before the stack is done.
pub fn create_stack(
    s: &mut Session,
    op: &str,
    name: &str,
    body: &TemplateBody,
    params: &IndexMap<String, String>,
) -> Answer {
    check_name(op, name)?;
    if s.stacks.contains_key(name) || s.stack_log.current(name).is_some() {
        return Err(ApiError::new(op, "AlreadyExistsException", format!("Stack [{name}] already exists")));
    }
    let (file, text) = template_text(s, op, body)?;
    let exports: IndexMap<String, String> = s.stacks.values().flat_map(|st| st.exports.clone()).collect();
    let start = s.world.now_ms();
    let (result, events) =
        crate::stack::create_stack_recorded(&mut s.world, name, (&file, Body::Text(&text)), params, &exports);
    let Some(id) = events.first().map(|e| e.event.physical_id.clone()) else {
        let problems = result.err().map(|e| e.problems).unwrap_or_default();
        let why: Vec<String> = problems.iter().map(ToString::to_string).collect();
        return Err(ApiError::new(op, "ValidationError", format!("Template error: {}", why.join("; "))));
    };
    match result {
        Ok(stack) => {
            s.warnings.extend(stack.warnings.iter().cloned());
            s.stacks.insert(name.to_string(), stack);
        }
        Err(_) => {
            // The world is as before the call; the clock moves on to when the stack failed.
            let failed_at = events.last().map_or(start, |e| e.at_ms);
            s.world.advance(std::time::Duration::from_millis(failed_at.saturating_sub(s.world.now_ms())));
        }
    }
    s.stack_log.append(events);
    Ok(json!({"StackId": id}))
}

/// What vpcsim says after a create-stack that succeeded as a call (the AWS CLI prints
/// only the id): the template's warnings, or that the stack rolled back and why.
pub fn notes(s: &Session, request: &crate::command::aws::Request) -> String {
    let crate::command::aws::Request::CloudFormation(CloudFormationRequest::CreateStack { name, .. }) =
        request
    else {
        return String::new();
    };
    if let Some(stack) = s.stacks.get(name) {
        return stack.warnings.iter().map(|w| format!("vpcsim warning: {w}\n")).collect();
    }
    match s.stack_log.current(name) {
        Some(r) if r.status == ResourceStatus::RollbackComplete => format!(
            "vpcsim: stack {name} failed and rolled back (ROLLBACK_COMPLETE): {}; `aws cloudformation describe-stack-events --stack-name {name}` shows what happened\n",
            r.reason.as_deref().unwrap_or_default()
        ),
        _ => String::new(),
    }
}

/// AWS's rule for stack names: a letter, then letters, digits and hyphens, 128 at most.
fn check_name(op: &str, name: &str) -> Result<(), ApiError> {
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    if first_ok && name.len() <= 128 && chars.all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Ok(());
    }
    Err(ApiError::new(
        op,
        "ValidationError",
        format!("1 validation error detected: Value '{name}' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*"),
    ))
}

/// The template's text and the name its problems are reported under: the file's path
/// (relative to the scenario's folder), or `--template-body` for text on the line.
fn template_text(s: &Session, op: &str, body: &TemplateBody) -> Result<(String, String), ApiError> {
    match body {
        TemplateBody::Text(text) => Ok(("--template-body".to_string(), text.clone())),
        TemplateBody::File(name) => {
            // A built-in lesson's templates are in the binary, as for its `stacks:`.
            if let Some((_, text)) = s.embedded.iter().find(|(n, _)| n == name) {
                return Ok((name.clone(), text.to_string()));
            }
            let path = match &s.files_dir {
                Some(dir) => dir.join(name),
                None => std::path::PathBuf::from(name),
            };
            let text = crate::source::read(&path, crate::yaml::Limits::default().max_bytes).map_err(|e| {
                ApiError::new(op, "ValidationError", format!("--template-body file://{name}: {e}"))
            })?;
            Ok((path.display().to_string(), text))
        }
    }
}

/// DeleteStack: a stack that is not there is no error (as AWS answers). C1: a stack whose
/// export another stack imports is not touched; otherwise what can be deleted is, and
/// what refused stays in the stack, which shows DELETE_FAILED with the reason. A stack
/// that rolled back holds nothing and simply goes.
pub fn delete_stack(s: &mut Session, name: &str) {
    let now = s.world.now_ms();
    let Some(mut stack) = s.stacks.get(name).cloned() else {
        if let Some(record) =
            s.stack_log.current(name).filter(|r| r.status == ResourceStatus::RollbackComplete)
        {
            let id = record.id.clone();
            let events = [ResourceStatus::DeleteInProgress, ResourceStatus::DeleteComplete].map(|status| {
                let reason = (status == ResourceStatus::DeleteInProgress).then_some("User Initiated");
                Stamped { at_ms: now, event: ResourceEvent::of_stack(name, &id, status, reason) }
            });
            s.stack_log.append(events);
        }
        return;
    };
    if let Some(reason) = crate::stack::export_in_use(&stack, s.stacks.values()) {
        let events = [
            (ResourceStatus::DeleteInProgress, "User Initiated"),
            (ResourceStatus::DeleteFailed, reason.as_str()),
        ]
        .map(|(status, why)| Stamped {
            at_ms: now,
            event: ResourceEvent::of_stack(name, &stack.id, status, Some(why)),
        });
        s.stack_log.append(events);
        s.delete_failed.insert(name.to_string(), reason);
        return;
    }
    let (result, events) = crate::stack::delete_stack_recorded(&mut s.world, &mut stack);
    s.stack_log.append(events);
    match result {
        Ok(()) => {
            s.stacks.shift_remove(name);
            s.delete_failed.shift_remove(name);
        }
        Err(refused) => {
            let reason = crate::cfn::engine::delete_failed_reason(&refused);
            s.delete_failed.insert(name.to_string(), reason);
            s.stacks.insert(name.to_string(), stack);
        }
    }
}

/// describe-stacks: every stack (those created, then those rolled back), or the one
/// named by name or id (AWS's `ValidationError` when there is none).
pub fn describe_stacks(s: &Session, op: &str, name: Option<&str>) -> Answer {
    let mut items = Vec::new();
    for (n, stack) in &s.stacks {
        let (status, reason) = match s.delete_failed.get(n) {
            Some(reason) => ("DELETE_FAILED", Some(reason.as_str())),
            None => ("CREATE_COMPLETE", None),
        };
        let created_ms = s.stack_log.current(n).map(|r| r.created_ms);
        items.push(StackSummary { name: n, id: &stack.id, created_ms, status, reason, stack: Some(stack) });
    }
    for r in s.stack_log.rolled_back().filter(|r| !s.stacks.contains_key(&r.name)) {
        items.push(StackSummary {
            name: &r.name,
            id: &r.id,
            created_ms: Some(r.created_ms),
            status: r.status.as_str(),
            reason: r.reason.as_deref(),
            stack: None,
        });
    }
    if let Some(n) = name {
        items.retain(|i| i.name == n || i.id == n);
        if items.is_empty() {
            return Err(ApiError::new(op, "ValidationError", format!("Stack with id {n} does not exist")));
        }
    }
    Ok(j::stacks(items.into_iter()))
}

/// describe-stack-events: a live stack's events by its name, or any stack's by its id
/// (a deleted one's too), newest first.
pub fn describe_stack_events(s: &Session, op: &str, name: &str) -> Answer {
    match s.stack_log.find(name) {
        Some(record) => Ok(j::stack_events(record)),
        None => Err(ApiError::new(op, "ValidationError", format!("Stack [{name}] does not exist"))),
    }
}
