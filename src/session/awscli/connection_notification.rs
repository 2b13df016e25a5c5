//! Endpoint connection notifications: create (for a service or an endpoint), describe
//! and delete; deleting several reports each failure in `Unsuccessful`, as AWS does.

use serde_json::json;

use super::Answer;
use crate::command::aws::Request;
use crate::describe as j;
use crate::error::ApiError;
use crate::model::connection_notification::Watched;
use crate::world::World;

/// Runs a mutating connection-notification call.
pub fn mutate(w: &mut World, op: &str, request: &Request) -> Answer {
    use Request as R;
    match request {
        R::CreateVpcEndpointConnectionNotification { service_id, endpoint_id, topic_arn, events } => {
            let watched = match (service_id, endpoint_id) {
                (Some(id), None) => Watched::Service(w.service_id(op, id)?),
                (None, Some(id)) => Watched::Endpoint(w.endpoint_id(op, id)?),
                _ => {
                    return Err(ApiError::new(
                        op,
                        "InvalidParameter",
                        "Exactly one of ServiceId or VpcEndpointId must be specified",
                    ))
                }
            };
            let n = w.create_vpc_endpoint_connection_notification(watched, topic_arn, events)?;
            Ok(json!({"ConnectionNotification": j::connection_notification(w, n)}))
        }
        R::DeleteVpcEndpointConnectionNotifications { ids } => {
            let mut unsuccessful = Vec::new();
            for id in ids {
                match w.connection_notification_id(op, id) {
                    Ok(n) => w.delete_vpc_endpoint_connection_notifications(&[n]),
                    Err(e) => unsuccessful
                        .push(json!({"Error": {"Code": e.code, "Message": e.message}, "ResourceId": id})),
                }
            }
            Ok(json!({"Unsuccessful": unsuccessful}))
        }
        _ => Err(ApiError::new(op, "UnsupportedOperation", format!("vpcsim does not simulate {op}"))),
    }
}

/// describe-vpc-endpoint-connection-notifications, of one notification when its id is given.
pub fn describe(w: &World, op: &str, id: Option<&str>) -> Answer {
    let only = id.map(|id| w.connection_notification_id(op, id)).transpose()?;
    Ok(j::connection_notifications(w, only))
}
