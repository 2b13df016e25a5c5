//! describe-vpc-endpoint-connection-notifications: each notification with the service or
//! endpoint it watches, its SNS topic and the events it would send.

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
