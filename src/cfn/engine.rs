//! create-stack and delete-stack: [`plan`] finds every static problem before the model is
//! touched (types, references, parameters, conditions, cycles, a dry-run evaluation);
//! [`execute`] then creates resources in dependency order, evaluating each one's
//! properties and metadata (CloudFormation resolves intrinsic functions in both) just
//! before the sink creates it.

use std::cell::Cell;

use indexmap::{IndexMap, IndexSet};

use super::conditions::{self, Inputs};
use super::eval::{Env, PSEUDO};
use super::event::{ResourceEvent, ResourceStatus as Status};
use super::init::Init;
use super::nested::{self, Nesting};
use super::params::{self, ParamValue};
use super::problem::Problem;
use super::sink::{is_network_type, AttrValue, Created, ResourceSink, SinkError, StackContext};
use super::template::Template;
use super::{graph, intrinsic, wait};
use crate::error::{FileError, FileProblem, Location};
use crate::yaml::{self, Node, NodeValue};

/// A nested stack (C3): its template, a local file, is created as part of the parent.
pub const NESTED_STACK: &str = "AWS::CloudFormation::Stack";

/// A created stack: what the model made of it, and what delete-stack needs.
#[derive(Clone, Debug, PartialEq)]
pub struct Stack {
    /// The stack's name.
    pub name: String,
    /// The stack's id (`arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/UUID`), what
    /// `AWS::StackId` gives.
    pub id: String,
    /// Resources the model created: logical id -> (type, what the model returned), in creation order.
    pub resources: IndexMap<String, (String, Created)>,
    /// Outputs: name -> value (lists joined with commas).
    pub outputs: IndexMap<String, String>,
    /// Exports: export name -> value.
    pub exports: IndexMap<String, String>,
    /// Other stacks' exports this stack imports (`Fn::ImportValue`), in the order first read.
    pub imports: IndexSet<String>,
    /// The order resources were created in (a topological order); deletion runs it backwards.
    pub creation_order: Vec<String>,
    /// Each resource's dependencies (Ref, Fn::GetAtt, Fn::Sub, DependsOn), in template order.
    pub dependencies: IndexMap<String, Vec<String>>,
    /// Resources not created: their Condition is false, or their type is not networking.
    pub skipped: Vec<String>,
    /// Warnings, for example each skipped non-network resource.
    pub warnings: Vec<FileProblem>,
    /// Every resource's type by logical id, in template order (created, skipped or not).
    pub types: IndexMap<String, String>,
    /// Nested stacks (C3) by the parent's logical id, each created with the parent and
    /// deleted with it.
    pub nested: IndexMap<String, Stack>,
}

/// Everything known before the first sink call.
struct Plan {
    tpl: Template,
    params: IndexMap<String, ParamValue>,
    conditions: IndexMap<String, bool>,
    order: Vec<String>,
    deps: IndexMap<String, IndexSet<String>>,
    stubs: IndexSet<String>,
    warnings: Vec<Problem>,
}

/// Creates a stack from template text (YAML or JSON).
///
/// ```
/// use indexmap::IndexMap;
/// use vpcsim::cfn::{create_stack, Created, ResourceSink, SinkError, StackContext};
/// use vpcsim::yaml::Node;
///
/// struct Vpcs(u32);
/// impl ResourceSink for Vpcs {
///     fn supports(&self, t: &str) -> bool { t == "AWS::EC2::VPC" }
///     fn create(&mut self, _: &str, _: &str, _: &Node, _: Option<&Node>) -> Result<Created, SinkError> {
///         self.0 += 1;
///         Ok(Created { physical_id: format!("vpc-{:017x}", self.0), attributes: IndexMap::new() })
///     }
///     fn delete(&mut self, _: &str, _: &str, _: &Created) -> Result<(), SinkError> { Ok(()) }
/// }
///
/// let text = "Resources:\n  V:\n    Type: AWS::EC2::VPC\n    Properties: {CidrBlock: 10.0.0.0/16}\n\
///             Outputs:\n  Id: {Value: !Ref V}\n";
/// let ctx = StackContext { stack_name: "s".into(), region: "ap-northeast-2".into(),
///                          account_id: "123456789012".into(), azs: vec!["ap-northeast-2a".into()] };
/// let stack = create_stack("t.yaml", text, &IndexMap::new(), &ctx, &IndexMap::new(), &mut Vpcs(0)).unwrap();
/// assert_eq!(stack.outputs["Id"], "vpc-00000000000000001");
/// ```
pub fn create_stack(
    file: &str,
    text: &str,
    params: &IndexMap<String, String>,
    ctx: &StackContext,
    exports: &IndexMap<String, String>,
    sink: &mut dyn ResourceSink,
) -> Result<Stack, FileError> {
    let node = yaml::parse(text, &yaml::Limits::default())
        .map_err(|e| FileError::one(Problem::new(e.loc, e.message).in_file(file)))?;
    create_stack_from_node(file, &node, params, ctx, exports, sink)
}

/// Creates a stack from an already parsed template (for example one inline in a scenario).
pub fn create_stack_from_node(
    file: &str,
    template: &Node,
    params: &IndexMap<String, String>,
    ctx: &StackContext,
    exports: &IndexMap<String, String>,
    sink: &mut dyn ResourceSink,
) -> Result<Stack, FileError> {
    create_nested(file, template, params, ctx, exports, sink, &Nesting::root(file))
}

/// Creates a stack at a place in a chain of nested stacks (C3).
pub(super) fn create_nested(
    file: &str,
    template: &Node,
    params: &IndexMap<String, String>,
    ctx: &StackContext,
    exports: &IndexMap<String, String>,
    sink: &mut dyn ResourceSink,
    nesting: &Nesting,
) -> Result<Stack, FileError> {
    let plan = plan(template, params, ctx, exports, sink).map_err(|ps| file_error(file, ps))?;
    execute(file, plan, (ctx, exports), sink, nesting)
}

/// Deletes a stack's resources as CloudFormation does (C1): a resource goes once every
/// resource of the stack that depends on it is gone; a refusal is tried again after others
/// went, and when nothing more can go the deletion stops. What was deleted stays deleted
/// (the stack keeps only the rest); the error lists the resources that refused, each with
/// why, in the order they were tried.
pub fn delete_stack(stack: &mut Stack, sink: &mut dyn ResourceSink) -> Result<(), Vec<(String, SinkError)>> {
    let (name, stack_id) = (stack.name.clone(), stack.id.clone());
    let of_stack = |status, reason: Option<&str>| ResourceEvent::of_stack(&name, &stack_id, status, reason);
    sink.record(of_stack(Status::DeleteInProgress, Some("User Initiated")));
    loop {
        let mut progress = false;
        let mut refused = Vec::new();
        for id in stack.creation_order.clone().iter().rev() {
            if has_remaining_dependent(stack, id) {
                continue;
            }
            let Some((kind, created)) = stack.resources.get(id) else { continue };
            let event = |status, reason: Option<&str>| {
                ResourceEvent::new(&name, (id, kind, &created.physical_id), status, reason)
            };
            sink.record(event(Status::DeleteInProgress, None));
            let deleted = match stack.nested.get_mut(id) {
                Some(child) => delete_nested(id, child, sink),
                None => sink.delete(id, kind, created),
            };
            match deleted {
                Ok(()) => {
                    sink.record(event(Status::DeleteComplete, None));
                    stack.resources.shift_remove(id);
                    stack.nested.shift_remove(id);
                    stack.creation_order.retain(|x| x != id);
                    progress = true;
                }
                Err(e) => {
                    sink.record(event(Status::DeleteFailed, Some(&e.message)));
                    refused.push((id.clone(), e));
                }
            }
        }
        if stack.resources.is_empty() {
            sink.record(of_stack(Status::DeleteComplete, None));
            return Ok(());
        }
        if !progress {
            sink.record(of_stack(Status::DeleteFailed, Some(&delete_failed_reason(&refused))));
            return Err(refused);
        }
    }
}

/// C1: CloudFormation's reason for a stack whose deletion stopped: the resources that
/// refused, then why each did.
pub fn delete_failed_reason(refused: &[(String, SinkError)]) -> String {
    let ids: Vec<&str> = refused.iter().map(|(id, _)| id.as_str()).collect();
    let why: Vec<&str> = refused.iter().map(|(_, e)| e.message.as_str()).collect();
    format!("The following resource(s) failed to delete: [{}]. {}", ids.join(", "), why.join(" "))
}

/// C3: a nested stack goes with its parent; what it refused keeps it (and the parent) alive.
fn delete_nested(id: &str, child: &mut Stack, sink: &mut dyn ResourceSink) -> Result<(), SinkError> {
    delete_stack(child, sink).map_err(|refused| {
        let why: Vec<String> = refused.iter().map(|(r, e)| format!("{r}: {e}")).collect();
        SinkError {
            message: format!("nested stack {id} ({}) was not deleted: {}", child.name, why.join("; ")),
            hint: None,
            property: None,
        }
    })
}

/// Whether a resource of the stack that still exists depends on `id`.
fn has_remaining_dependent(stack: &Stack, id: &str) -> bool {
    stack.resources.keys().any(|r| stack.dependencies.get(r).is_some_and(|d| d.iter().any(|x| x == id)))
}

fn file_error(file: &str, mut problems: Vec<Problem>) -> FileError {
    problems.sort_by_key(|p| p.loc);
    problems.dedup();
    if problems.len() > graph::MAX_PROBLEMS {
        problems.truncate(graph::MAX_PROBLEMS);
        let loc = problems.last().map(|p| p.loc).unwrap_or_default();
        let msg =
            format!("more problems not shown (a report shows at most {} problems)", graph::MAX_PROBLEMS);
        problems.push(Problem::new(loc, msg).hint("fix these first"));
    }
    FileError { problems: problems.into_iter().map(|p| p.in_file(file)).collect() }
}

fn plan(
    doc: &Node,
    supplied: &IndexMap<String, String>,
    ctx: &StackContext,
    exports: &IndexMap<String, String>,
    sink: &dyn ResourceSink,
) -> Result<Plan, Vec<Problem>> {
    let mut problems = Vec::new();
    let doc = intrinsic::normalize(doc.clone(), &mut problems);
    let tpl = match Template::parse(&doc) {
        Ok(t) => t,
        Err(more) => return Err(problems.into_iter().chain(more).collect()),
    };
    let params = params::resolve(&tpl, supplied).unwrap_or_else(|more| {
        problems.extend(more);
        IndexMap::new()
    });
    let deps = graph::analyse(&tpl).unwrap_or_else(|more| {
        problems.extend(more);
        IndexMap::new()
    });
    let (stubs, mut warnings) = check_types(&tpl, sink, &mut problems);
    if !problems.is_empty() {
        return Err(problems);
    }
    // One running total of intrinsic output for this check: conditions, resources and outputs.
    let checked = Cell::new(0);
    let inputs = Inputs { tpl: &tpl, params: &params, ctx, exports, template_spent: &checked };
    let conditions = conditions::evaluate(&inputs)?;
    let (broken, unchecked) = super::rules::check(&inputs, &conditions);
    if !broken.is_empty() {
        return Err(broken);
    }
    warnings.extend(unchecked);
    let order = graph::creation_order(&tpl, &deps).map_err(|p| vec![p])?;
    let plan = Plan { tpl, params, conditions, order, deps, stubs, warnings };
    dry_run(&plan, ctx, exports, &checked)?;
    Ok(plan)
}

/// Sorts resource types into modelled, skipped (non-network: warned) and refused.
fn check_types(
    tpl: &Template,
    sink: &dyn ResourceSink,
    problems: &mut Vec<Problem>,
) -> (IndexSet<String>, Vec<Problem>) {
    let mut stubs = IndexSet::new();
    let mut warnings = Vec::new();
    for (id, r) in &tpl.resources {
        let kind = r.kind.name.as_str();
        let ctx = format!("Resources.{id}");
        let well_formed =
            kind.starts_with("Custom::") || (kind.starts_with("AWS::") && kind.split("::").count() == 3);
        if kind == NESTED_STACK {
            let url = r.properties.as_ref().and_then(|p| p.entry("TemplateURL"));
            if let Some(Err(p)) = url.map(|(_, u)| nested::refuse_url(u)) {
                problems.push(p.within(&ctx));
            }
        } else if sink.supports(kind) || super::wait::is_wait_type(kind) {
            continue;
        } else if !well_formed {
            let p = Problem::new(r.kind.loc, format!("invalid resource type `{kind}`"));
            problems.push(p.within(&ctx).hint("expected AWS::Service::Resource, for example AWS::EC2::VPC"));
        } else if is_network_type(kind) {
            let p = Problem::new(
                r.kind.loc,
                format!("resource type `{kind}` is networking but not supported by vpcsim"),
            );
            problems.push(p.within(&ctx).hint("remove the resource, or model it by hand in the scenario"));
        } else {
            let w = Problem::new(
                r.kind.loc,
                format!("resource type `{kind}` is not networking: skipped, not simulated"),
            );
            warnings.push(w.within(&ctx));
            stubs.insert(id.clone());
        }
    }
    (stubs, warnings)
}

fn is_active(plan: &Plan, id: &str) -> bool {
    let cond = plan.tpl.resources.get(id).and_then(|r| r.condition.as_ref());
    cond.is_none_or(|c| plan.conditions.get(&c.name).copied().unwrap_or(false))
}

/// Evaluates every active resource and output with resources unknown, so that static
/// mistakes (bad Fn::Select index, Fn::Join on a string, ...) surface before any creation.
/// It stops once a report is full ([`graph::MAX_PROBLEMS`] and one more, so the report
/// says that more were not shown).
fn dry_run(
    plan: &Plan,
    ctx: &StackContext,
    exports: &IndexMap<String, String>,
    checked: &Cell<usize>,
) -> Result<(), Vec<Problem>> {
    let env = env(plan, ctx, exports, None, checked);
    let mut problems = Vec::new();
    for (id, r) in plan.tpl.resources.iter().filter(|(id, _)| is_active(plan, id)) {
        if problems.len() > graph::MAX_PROBLEMS {
            return Err(problems);
        }
        let within = |e: Problem| e.within(&format!("Resources.{id}"));
        env.spent.set(0);
        if let Some(Err(e)) = r.properties.as_ref().map(|p| env.eval(p)) {
            problems.push(within(e));
        }
        env.spent.set(0);
        // M3: cfn-init's metadata is checked here, so that its mistakes are located.
        let metadata = r.metadata.as_ref().map(|m| env.eval(m).and_then(|n| Init::parse(n.as_ref())));
        if let Some(Err(e)) = metadata {
            problems.push(within(e));
        }
    }
    for (name, o) in plan.tpl.outputs.iter().filter(|(_, o)| output_active(plan, o)) {
        if problems.len() > graph::MAX_PROBLEMS {
            return Err(problems);
        }
        env.spent.set(0);
        let export = o.export_name.as_ref().map(|e| env.string(e, "Export.Name"));
        for r in [env.eval(&o.value).map(|_| ()), export.unwrap_or(Ok(None)).map(|_| ())] {
            if let Err(e) = r {
                problems.push(e.within(&format!("Outputs.{name}")));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

fn output_active(plan: &Plan, o: &super::template::Output) -> bool {
    o.condition.as_ref().is_none_or(|c| plan.conditions.get(&c.name).copied().unwrap_or(false))
}

fn env<'a>(
    plan: &'a Plan,
    ctx: &'a StackContext,
    exports: &'a IndexMap<String, String>,
    live: Option<&'a IndexMap<String, Created>>,
    template_spent: &'a Cell<usize>,
) -> Env<'a> {
    let spent = Cell::new(0);
    let conditions = &plan.conditions;
    let imported = Default::default();
    Env {
        tpl: &plan.tpl,
        params: &plan.params,
        ctx,
        conditions,
        exports,
        live,
        spent,
        template_spent,
        imported,
    }
}

/// Creates the planned resources, reporting each change of status to the sink as it
/// happens; on a failure the stack reports its rollback (the sink undoes what it made).
fn execute(
    file: &str,
    plan: Plan,
    (ctx, exports): (&StackContext, &IndexMap<String, String>),
    sink: &mut dyn ResourceSink,
    nesting: &Nesting,
) -> Result<Stack, FileError> {
    let id = super::eval::stack_id(ctx);
    sink.record(ResourceEvent::of_stack(
        &ctx.stack_name,
        &id,
        Status::CreateInProgress,
        Some("User Initiated"),
    ));
    let mut stack = Stack {
        name: ctx.stack_name.clone(),
        id,
        resources: IndexMap::new(),
        outputs: IndexMap::new(),
        exports: IndexMap::new(),
        imports: IndexSet::new(),
        creation_order: Vec::new(),
        dependencies: plan.deps.iter().map(|(k, v)| (k.clone(), v.iter().cloned().collect())).collect(),
        skipped: Vec::new(),
        warnings: plan.warnings.iter().cloned().map(|w| w.in_file(file)).collect(),
        types: plan.tpl.resources.iter().map(|(id, r)| (id.clone(), r.kind.name.clone())).collect(),
        nested: IndexMap::new(),
    };
    let mut run = Run {
        file,
        plan: &plan,
        ctx,
        exports,
        nesting,
        values: IndexMap::new(),
        waits: Vec::new(),
        spent: Cell::new(0),
        begun: Vec::new(),
        failed: Vec::new(),
    };
    match run.resources(&mut stack, sink).and_then(|()| run.outputs(&mut stack)) {
        Ok(()) => {
            sink.record(ResourceEvent::of_stack(&stack.name, &stack.id, Status::CreateComplete, None));
            Ok(stack)
        }
        Err(e) => {
            super::event::roll_back((&stack.name, &stack.id), &run.begun, &run.failed, &e, sink);
            Err(e)
        }
    }
}

/// One stack's creation under way: the plan, and what is known so far.
struct Run<'a> {
    file: &'a str,
    plan: &'a Plan,
    ctx: &'a StackContext,
    exports: &'a IndexMap<String, String>,
    nesting: &'a Nesting,
    /// What each resource created so far returned (and skipped ones' stand-ins).
    values: IndexMap<String, Created>,
    /// The WaitConditions with a handle created so far.
    waits: Vec<wait::Wait>,
    /// One running total of intrinsic output for the creation: resources and outputs.
    spent: Cell<usize>,
    /// Every resource whose creation began, in order: logical id, type, physical id.
    begun: Vec<(String, String, String)>,
    /// The resources whose creation failed.
    failed: Vec<String>,
}

impl Run<'_> {
    /// Every active resource in creation order; a failure is the resource's CREATE_FAILED.
    fn resources(&mut self, stack: &mut Stack, sink: &mut dyn ResourceSink) -> Result<(), FileError> {
        let (plan, ctx) = (self.plan, self.ctx);
        for id in &plan.order {
            let Some(r) = plan.tpl.resources.get(id) else { continue };
            let kind = r.kind.name.as_str();
            let event = |physical: &str, status, reason: Option<&str>| {
                ResourceEvent::new(&ctx.stack_name, (id, kind, physical), status, reason)
            };
            if !is_active(plan, id) || plan.stubs.contains(id) {
                if plan.stubs.contains(id) && is_active(plan, id) {
                    let bucket_name = (kind == "AWS::S3::Bucket")
                        .then(|| r.properties.as_ref().and_then(|p| p.entry("BucketName")))
                        .flatten()
                        .and_then(|(_, n)| {
                            let exports = self.exports;
                            env(plan, ctx, exports, Some(&self.values), &self.spent).eval(n).ok().flatten()
                        })
                        .and_then(|n| n.scalar_text());
                    let stand_in = stand_in(ctx, id, kind, bucket_name);
                    sink.record(event("", Status::CreateInProgress, None));
                    sink.record(event(&stand_in.physical_id, Status::CreateComplete, Some(NOT_SIMULATED)));
                    self.begun.push((id.clone(), kind.to_string(), stand_in.physical_id.clone()));
                    self.values.insert(id.clone(), stand_in);
                }
                stack.skipped.push(id.clone());
                continue;
            }
            sink.record(event("", Status::CreateInProgress, None));
            self.begun.push((id.clone(), kind.to_string(), String::new()));
            let created = match self.resource(id, r, stack, sink) {
                Ok(created) => created,
                Err(e) => {
                    sink.record(event("", Status::CreateFailed, Some(&super::event::reason(&e))));
                    self.failed.push(id.clone());
                    return Err(e);
                }
            };
            if let Some(last) = self.begun.last_mut() {
                last.2.clone_from(&created.physical_id);
            }
            sink.record(event(
                &created.physical_id,
                Status::CreateInProgress,
                Some("Resource creation Initiated"),
            ));
            if !self.waits_for_signals(id) {
                sink.record(event(&created.physical_id, Status::CreateComplete, None));
            }
            self.values.insert(id.clone(), created.clone());
            stack.resources.insert(id.clone(), (kind.to_string(), created));
            stack.creation_order.push(id.clone());
        }
        self.signals(stack, sink)
    }

    /// Whether a resource completes only once its signals come (C2): it has a
    /// CreationPolicy, or it is a WaitCondition with a handle.
    fn waits_for_signals(&self, id: &str) -> bool {
        let policy = self.plan.tpl.resources.get(id).is_some_and(|r| r.creation_policy.is_some());
        policy || self.waits.iter().any(|w| w.id() == id)
    }

    /// One resource: its properties and metadata evaluated, then created (by the engine
    /// for CloudFormation's own types, else by the sink).
    fn resource(
        &mut self,
        id: &str,
        r: &super::template::Resource,
        stack: &mut Stack,
        sink: &mut dyn ResourceSink,
    ) -> Result<Created, FileError> {
        let (plan, ctx, exports, file) = (self.plan, self.ctx, self.exports, self.file);
        let within = |e: Problem| FileError::one(e.within(&format!("Resources.{id}")).in_file(file));
        let empty = Node::new(NodeValue::Map(Vec::new()), r.loc);
        let props = match &r.properties {
            Some(p) => {
                let env = env(plan, ctx, exports, Some(&self.values), &self.spent);
                let props = env.eval(p).map_err(within)?.unwrap_or(empty);
                stack.imports.extend(env.imported.take());
                props
            }
            None => empty,
        };
        let metadata = match &r.metadata {
            Some(m) => env(plan, ctx, exports, Some(&self.values), &self.spent).eval(m).map_err(within)?,
            None => None,
        };
        let created = if wait::is_wait_type(&r.kind.name) {
            wait::create(ctx, id, &r.kind.name, &props, &mut self.waits, r.loc).map_err(within)?
        } else if r.kind.name == NESTED_STACK {
            let warned = sink.check_properties(NESTED_STACK, &props);
            for w in warned.map_err(|e| within(sink_problem(r.loc, &props, e)))? {
                let loc = property_location(&props, &w.property).unwrap_or(r.loc);
                stack
                    .warnings
                    .push(Problem::new(loc, w.message).within(&format!("Resources.{id}")).in_file(file));
            }
            let child = nested::create(file, id, &props, ctx, exports, sink, self.nesting)?;
            stack.exports.extend(child.stack.exports.clone());
            stack.nested.insert(id.to_string(), child.stack);
            child.created
        } else {
            sink.create(id, &r.kind.name, &props, metadata.as_ref())
                .map_err(|e| within(sink_problem(r.loc, &props, e)))?
        };
        for u in sink.take_attribute_updates() {
            let earlier = self.values.values_mut().chain(stack.resources.values_mut().map(|(_, c)| c));
            for c in earlier.filter(|c| c.physical_id == u.physical_id) {
                c.attributes.insert(u.attribute.clone(), u.value.clone());
            }
        }
        for w in sink.take_warnings() {
            let loc = property_location(&props, &w.property).unwrap_or(r.loc);
            let problem = Problem::new(loc, w.message).within(&format!("Resources.{id}"));
            stack.warnings.push(problem.in_file(file));
        }
        for &(loc, policy) in &r.update_policies {
            let message = format!(
                "{policy} is accepted but does not change the simulation: it governs stack updates, and vpcsim creates and deletes stacks but never updates one"
            );
            stack.warnings.push(Problem::new(loc, message).within(&format!("Resources.{id}")).in_file(file));
        }
        Ok(created)
    }

    /// C2: the stack waits on the clock for the signals its resources wait for; each
    /// signal received and each completion is an event at the time the wait ends. A wait
    /// that fails moves the clock to the failure, fails its resource and cancels the
    /// other waiting ones.
    fn signals(&mut self, stack: &mut Stack, sink: &mut dyn ResourceSink) -> Result<(), FileError> {
        let policy_env = env(self.plan, self.ctx, self.exports, Some(&self.values), &self.spent);
        let policies = wait::policies(&self.plan.tpl, stack.creation_order.iter(), &policy_env)
            .map_err(|e| FileError::one(e.in_file(self.file)))?;
        self.waits.extend(policies);
        if self.waits.is_empty() {
            return Ok(());
        }
        let sent = sink.signals();
        let settled = match wait::settle(&self.waits, &sent, self.ctx) {
            Ok(settled) => settled,
            Err(failed) => {
                sink.wait(failed.after);
                let error = FileError::one(failed.problem.in_file(self.file));
                for w in &self.waits {
                    let Some((kind, created)) = stack.resources.get(w.id()) else { continue };
                    let reason = match w.id() == failed.id {
                        true => super::event::reason(&error),
                        false => "Resource creation cancelled".to_string(),
                    };
                    let ids = (w.id(), kind.as_str(), created.physical_id.as_str());
                    sink.record(ResourceEvent::new(&stack.name, ids, Status::CreateFailed, Some(&reason)));
                }
                self.failed.push(failed.id);
                return Err(error);
            }
        };
        sink.wait(settled.waited);
        for (id, received) in &settled.received {
            let Some((kind, created)) = stack.resources.get(id) else { continue };
            let event = |status, reason: Option<&str>| {
                ResourceEvent::new(&stack.name, (id, kind, &created.physical_id), status, reason)
            };
            for unique in received {
                let reason = format!("Received SUCCESS signal with UniqueId {unique}");
                sink.record(event(Status::CreateInProgress, Some(&reason)));
            }
            sink.record(event(Status::CreateComplete, None));
        }
        for (id, value) in settled.data {
            if let Some(c) = self.values.get_mut(&id) {
                c.attributes.insert("Data".into(), value.clone());
            }
            if let Some((_, c)) = stack.resources.get_mut(&id) {
                c.attributes.insert("Data".into(), value);
            }
        }
        Ok(())
    }

    /// The stack's outputs and exports, evaluated once every resource is there.
    fn outputs(&self, stack: &mut Stack) -> Result<(), FileError> {
        outputs(self.file, self.plan, self.ctx, self.exports, (&self.values, &self.spent), stack)
    }
}

/// The reason on a skipped resource's CREATE_COMPLETE: CloudFormation would have made
/// it; vpcsim does not simulate it.
pub const NOT_SIMULATED: &str =
    "vpcsim: not simulated (not networking); a stand-in answers its Ref and Fn::GetAtt";

/// What `Ref` and `Fn::GetAtt Arn` return for a skipped non-network resource: for an S3
/// bucket (where flow logs may go, F1) its `BucketName` (or a generated name) and its
/// `arn:aws:s3:::` ARN; for an IAM role (a flow log's DeliverLogsPermissionArn) an
/// `arn:aws:iam::` role ARN; for an SNS topic (where endpoint connection notifications go)
/// its ARN, which is also its `Ref`.
fn stand_in(ctx: &StackContext, id: &str, kind: &str, bucket_name: Option<String>) -> Created {
    let physical_id =
        format!("{}-{id}-{:012x}", ctx.stack_name, params::fnv1a(id.as_bytes()) & 0xffff_ffff_ffff);
    if kind == "AWS::S3::Bucket" {
        // A generated name is at most 63 characters, as S3 allows: the head cut, the hash kept.
        let generated = || {
            let name = physical_id.to_ascii_lowercase();
            match name.len() > 63 {
                true => format!("{}{}", &name[..50], &name[name.len() - 13..]),
                false => name,
            }
        };
        let bucket = bucket_name.unwrap_or_else(generated);
        let arn = format!("arn:aws:s3:::{bucket}");
        return Created {
            physical_id: bucket,
            attributes: IndexMap::from([("Arn".to_string(), AttrValue::Str(arn))]),
        };
    }
    if kind == "AWS::SNS::Topic" {
        let arn = format!("arn:aws:sns:{}:{}:{physical_id}", ctx.region, ctx.account_id);
        let attributes = IndexMap::from([
            ("Arn".to_string(), AttrValue::Str(arn.clone())),
            ("TopicArn".to_string(), AttrValue::Str(arn.clone())),
            ("TopicName".to_string(), AttrValue::Str(physical_id)),
        ]);
        return Created { physical_id: arn, attributes };
    }
    let arn = match kind {
        "AWS::IAM::Role" => format!("arn:aws:iam::{}:role/{physical_id}", ctx.account_id),
        _ => format!("arn:aws:cloudformation:{}:{}:stand-in/{physical_id}", ctx.region, ctx.account_id),
    };
    Created { physical_id, attributes: IndexMap::from([("Arn".to_string(), AttrValue::Str(arn))]) }
}

fn sink_problem(resource_loc: Location, props: &Node, e: SinkError) -> Problem {
    let loc = e.property.as_deref().and_then(|p| property_location(props, p)).unwrap_or(resource_loc);
    Problem { loc, context: None, message: e.message, hint: e.hint }
}

/// The location of a property path like `NetworkInterfaces.0.SubnetId` or `Tags[1].Value`.
pub fn property_location(props: &Node, path: &str) -> Option<Location> {
    let mut node = props;
    let mut loc = props.loc;
    for part in path.split(['.', '[', ']']).filter(|p| !p.is_empty()) {
        node = match (node.as_seq(), part.parse::<usize>()) {
            (Some(items), Ok(i)) => items.get(i)?,
            _ => {
                let (k, v) = node.entry(part)?;
                loc = k.loc;
                v
            }
        };
        if node.as_map().is_none() && node.as_seq().is_none() {
            loc = node.loc;
        }
    }
    Some(loc)
}

fn outputs(
    file: &str,
    plan: &Plan,
    ctx: &StackContext,
    exports: &IndexMap<String, String>,
    (values, spent): (&IndexMap<String, Created>, &Cell<usize>),
    stack: &mut Stack,
) -> Result<(), FileError> {
    let env = env(plan, ctx, exports, Some(values), spent);
    for (name, o) in plan.tpl.outputs.iter().filter(|(_, o)| output_active(plan, o)) {
        env.spent.set(0);
        let fail = |e: Problem| FileError::one(e.within(&format!("Outputs.{name}")).in_file(file));
        let value = env.value(&o.value, "output Value").map_err(fail)?;
        let text = render(&value).map_err(fail)?;
        if let Some(export) = &o.export_name {
            let export_name = env.string(export, "Export.Name").map_err(fail)?.unwrap_or_default();
            if exports.contains_key(&export_name) || stack.exports.contains_key(&export_name) {
                let p = Problem::new(export.loc, format!("export `{export_name}` already exists"));
                return Err(fail(p.hint("export names are unique per region; rename this export")));
            }
            stack.exports.insert(export_name, text.clone());
        }
        stack.outputs.insert(name.clone(), text);
    }
    stack.imports.extend(env.imported.take());
    Ok(())
}

/// An output's text: scalars as text, lists joined with commas.
fn render(value: &Node) -> Result<String, Problem> {
    match &value.value {
        NodeValue::Seq(items) => items.iter().map(render).collect::<Result<Vec<_>, _>>().map(|v| v.join(",")),
        _ => value.scalar_text().ok_or_else(|| {
            Problem::new(
                value.loc,
                format!("an output value must be a string or a list, not {}", value.a_type_name()),
            )
        }),
    }
}

/// Pseudo parameters that `Ref` accepts (re-exported for documentation).
pub const PSEUDO_PARAMETERS: &[&str] = PSEUDO;
