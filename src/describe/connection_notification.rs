//! describe-vpc-endpoint-connection-notifications: each notification with the service or
//! endpoint it watches, its SNS topic and the events it sends; and the messages they
//! published to their topics (`aws sns vpcsim-list-published-messages`, vpcsim's own call).

use serde_json::{json, Value};

use crate::ids::ConnectionNotificationId;
use crate::model::connection_notification::Watched;
use crate::world::World;

/// One notification as create- and describe-vpc-endpoint-connection-notifications print it.
pub fn connection_notification(w: &World, n: ConnectionNotificationId) -> Value {
    let c = &w[n];
    let mut v = json!({"ConnectionNotificationId": c.aws_id});
    match c.watched {
        Watched::Service(s) => v["ServiceId"] = json!(w[s].service_id),
        Watched::Endpoint(e) => v["VpcEndpointId"] = json!(w[e].aws_id),
    }
    v["ConnectionNotificationArn"] = json!(c.topic_arn);
    v["ConnectionEvents"] = json!(c.events);
    v["ConnectionNotificationType"] = json!("Topic");
    v["ConnectionNotificationState"] = json!("Enabled");
    v
}

/// describe-vpc-endpoint-connection-notifications: the live notifications, or the one asked for.
pub fn connection_notifications(w: &World, only: Option<ConnectionNotificationId>) -> Value {
    let items: Vec<Value> = w
        .connection_notifications()
        .live()
        .filter(|(x, _)| only.is_none_or(|o| o == *x))
        .map(|(x, _)| connection_notification(w, x))
        .collect();
    json!({"ConnectionNotificationSet": items})
}

/// The messages endpoint connection notifications published (P14), oldest first, to one
/// topic or to all; a deleted notification's earlier messages stay (they were delivered).
/// Each message says which notification sent it, the event, the service (for a
/// provider's), the endpoint and its state after the event.
pub fn published_messages(w: &World, topic_arn: Option<&str>) -> Value {
    let mut all: Vec<(u64, usize, Value)> = Vec::new();
    for n in w.connection_notifications().values().filter(|n| topic_arn.is_none_or(|t| t == n.topic_arn)) {
        for p in &n.published {
            let endpoint = &w[p.endpoint];
            let mut message = json!({"ConnectionNotificationId": n.aws_id, "ConnectionEvent": p.event});
            if let crate::model::vpc_endpoint::ServiceRef::Provider(s) = endpoint.service {
                message["ServiceId"] = json!(w[s].service_id);
            }
            message["VpcEndpointId"] = json!(endpoint.aws_id);
            message["VpcEndpointState"] = json!(p.state.as_str());
            let item = json!({
                "TopicArn": n.topic_arn,
                "Timestamp": super::timestamp(p.at_ms),
                "Message": message,
            });
            all.push((p.at_ms, all.len(), item));
        }
    }
    all.sort_by_key(|(at, n, _)| (*at, *n));
    json!({"Messages": all.into_iter().map(|(_, _, v)| v).collect::<Vec<_>>()})
}
