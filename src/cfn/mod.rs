#![warn(missing_docs)]
//! CloudFormation: templates in, resources out through a [`ResourceSink`].
//!
//! The pipeline, one module per stage:
//! - [`intrinsic`]: short tags rewritten to long forms; the supported functions.
//! - [`template`]: sections and attributes checked and typed, with locations.
//! - [`params`]: parameter values checked against types and constraints.
//! - [`conditions`]: the `Conditions` section evaluated once.
//! - [`rules`]: the `Rules` section's assertions checked against the parameters.
//! - [`graph`]: references checked ("did you mean"), dependency graph, creation order.
//! - [`eval`] and [`functions`]: intrinsic functions evaluated (dry run, then live).
//! - [`engine`]: create-stack and delete-stack.
//! - [`event`]: the status changes a stack reports as it is created, rolled back and deleted.
//! - [`nested`]: nested stacks (`AWS::CloudFormation::Stack`) from a local template (C3).
//! - [`sink`]: the trait the simulation model implements.
//! - [`init`]: cfn-init: `AWS::CloudFormation::Init` metadata run by the UserData (M3).
//! - [`wait`]: WaitConditionHandle, WaitCondition and CreationPolicy on the virtual clock (C2).
//! - [`signal`]: cfn-signal and wait condition handle signals a UserData sends (C2).
//! - [`php`]: the little PHP a lab page uses, rendered with the instance's values (M1).
//! - [`shell`]: the one reader of UserData scripts; [`userdata`] and [`forwarding`] consume it.
//! - [`userdata`]: what an instance listens on, from its UserData or Metadata.
//! - [`forwarding`]: whether an instance's UserData or Metadata makes it a NAT instance (G5).
//!
//! Every static problem is found before the first [`ResourceSink::create`] call, and
//! independent problems are reported together as one [`crate::error::FileError`].

pub mod conditions;
pub mod engine;
pub mod eval;
pub mod event;
pub mod forwarding;
pub mod functions;
pub mod graph;
pub mod init;
pub mod intrinsic;
pub mod nested;
pub mod params;
pub mod php;
pub mod problem;
pub mod rules;
pub mod shell;
pub mod signal;
pub mod sink;
pub mod template;
pub mod userdata;
pub mod wait;

pub use engine::{create_stack, create_stack_from_node, delete_stack, property_location, Stack};
pub use event::{ResourceEvent, ResourceStatus};
pub use forwarding::{detect_forwarding, forwarding, forwarding_at};
pub use problem::Problem;
pub use sink::{
    AttrValue, AttributeUpdate, Created, ResourceSink, SentSignal, SinkError, SinkWarning, StackContext,
};
pub use template::Template;
pub use userdata::{
    decode_user_data, detect_services, detect_web_server, image, listening, listening_at,
    listening_from_script, web_server, Boot, Listening, WebServer,
};
