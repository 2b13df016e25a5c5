//! VPC endpoint connection notifications: an SNS topic told about an endpoint service's
//! (or one endpoint's) connection events. vpcsim models no SNS, so a notification
//! sends nothing; it is kept, listed and deleted as the API does, with the events it
//! would send.

use crate::ids::{EndpointId, ServiceId};

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
    /// The events it would send, in the order given, each once.
    pub events: Vec<String>,
    /// Deleted.
    pub deleted: bool,
}
