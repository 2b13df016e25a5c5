//! CreateVpcEndpointConnectionNotification and DeleteVpcEndpointConnectionNotifications:
//! a service or an endpoint, an SNS topic and the events (Connect, Accept, Reject,
//! Delete), checked as the API checks them; and [`World::notify_connection`], which the
//! endpoint calls use to publish each event when it happens.

use super::ApiResult;
use crate::error::ApiError;
use crate::ids::ConnectionNotificationId;
use crate::ids::EndpointId;
use crate::model::connection_notification::{ConnectionNotification, Published, Watched, EVENTS};
use crate::model::vpc_endpoint::ServiceRef;
use crate::world::{Handle, World};

const CREATE: &str = "CreateVpcEndpointConnectionNotification";

impl World {
    /// CreateVpcEndpointConnectionNotification: the events must be some of Connect, Accept,
    /// Reject and Delete (each kept once), the topic an SNS ARN.
    pub fn create_vpc_endpoint_connection_notification(
        &mut self,
        watched: Watched,
        topic_arn: &str,
        events: &[String],
    ) -> ApiResult<ConnectionNotificationId> {
        if events.is_empty() {
            return Err(ApiError::new(
                CREATE,
                "MissingParameter",
                "The request must contain the parameter ConnectionEvents",
            ));
        }
        if let Some(bad) = events.iter().find(|e| !EVENTS.contains(&e.as_str())) {
            return Err(ApiError::new(
                CREATE,
                "InvalidParameter",
                format!("Invalid connection event {bad}: the events are {}", EVENTS.join(", ")),
            ));
        }
        if !topic_arn.starts_with("arn:aws:sns:") {
            return Err(ApiError::new(
                CREATE,
                "InvalidParameter",
                format!("ConnectionNotificationArn {topic_arn} is not an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)"),
            ));
        }
        let mut kept: Vec<String> = Vec::new();
        for e in events {
            if !kept.contains(e) {
                kept.push(e.clone());
            }
        }
        let notification = ConnectionNotification {
            aws_id: self.ids.aws_id("vpce-nfn"),
            watched,
            topic_arn: topic_arn.to_string(),
            events: kept,
            published: Vec::new(),
            deleted: false,
        };
        Ok(self.connection_notifications.insert(
            &mut self.by_aws_id,
            Handle::ConnectionNotification,
            notification,
        ))
    }

    /// DeleteVpcEndpointConnectionNotifications: each id must name a live notification.
    pub fn delete_vpc_endpoint_connection_notifications(&mut self, ids: &[ConnectionNotificationId]) {
        for id in ids {
            self.connection_notifications[*id].deleted = true;
        }
    }

    /// P14: an endpoint connection event happened now (`Connect` when an endpoint asks to
    /// connect, `Accept`, `Reject`, `Delete` when it is deleted): every live notification
    /// on the endpoint's service or on the endpoint itself that subscribes to the event
    /// publishes it, with the endpoint's state after it.
    pub(crate) fn notify_connection(&mut self, endpoint: EndpointId, event: &'static str) {
        let (service, state, at_ms) =
            (self.endpoints[endpoint].service, self.endpoints[endpoint].state, self.now_ms);
        let watching: Vec<ConnectionNotificationId> = self
            .connection_notifications
            .live()
            .filter(|(_, n)| match n.watched {
                Watched::Service(s) => service == ServiceRef::Provider(s),
                Watched::Endpoint(e) => e == endpoint,
            })
            .filter(|(_, n)| n.events.iter().any(|e| e == event))
            .map(|(id, _)| id)
            .collect();
        for id in watching {
            self.connection_notifications[id].published.push(Published { at_ms, event, endpoint, state });
        }
    }

    /// A live notification by its `vpce-nfn-...` id.
    pub fn connection_notification_id(&self, op: &str, id: &str) -> ApiResult<ConnectionNotificationId> {
        match self.find(id) {
            Some(Handle::ConnectionNotification(x)) if !self.connection_notifications[x].deleted => Ok(x),
            _ => Err(ApiError::new(
                op,
                "InvalidConnectionNotification",
                format!("The connection notification ID '{id}' does not exist"),
            )),
        }
    }
}
