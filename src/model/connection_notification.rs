//! VPC endpoint connection notifications: an SNS topic told about an endpoint service's
//! (or one endpoint's) connection events. vpcsim models no SNS: a notification is kept,
//! listed and deleted as the API does, and each event it subscribes to is recorded as
//! the message it publishes to its topic when the event happens ([`Published`]).

use crate::ids::{EndpointId, ServiceId};
use crate::model::vpc_endpoint::EndpointState;

/// The events a notification can be told about, in the API's spelling.
pub const EVENTS: [&str; 4] = ["Connect", "Accept", "Reject", "Delete"];

/// What a notification watches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Watched {
    /// Every endpoint connection to this endpoint service.
    Service(ServiceId),
    /// One endpoint's connection.
    Endpoint(EndpointId),
}

/// A connection notification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectionNotification {
    /// `vpce-nfn-...`.
    pub aws_id: String,
    /// The service or endpoint it watches.
    pub watched: Watched,
    /// The SNS topic's ARN.
    pub topic_arn: String,
    /// The events it sends, in the order given, each once.
    pub events: Vec<String>,
    /// What it published to its topic so far, oldest first.
    pub published: Vec<Published>,
    /// Deleted.
    pub deleted: bool,
}

/// One message a notification published: an endpoint connection event, when it happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Published {
    /// When, in virtual milliseconds.
    pub at_ms: u64,
    /// `Connect`, `Accept`, `Reject` or `Delete` (one of [`EVENTS`]).
    pub event: &'static str,
    /// The endpoint whose connection it is about.
    pub endpoint: EndpointId,
    /// The endpoint's state just after the event.
    pub state: EndpointState,
}
