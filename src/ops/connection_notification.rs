//! CreateVpcEndpointConnectionNotification and DeleteVpcEndpointConnectionNotifications:
//! a service or an endpoint, an SNS topic and the events (Connect, Accept, Reject,
//! Delete), checked as the API checks them.

use super::ApiResult;
use crate::error::ApiError;
use crate::ids::ConnectionNotificationId;
use crate::model::connection_notification::{ConnectionNotification, Watched, EVENTS};
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
