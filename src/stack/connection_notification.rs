//! `AWS::EC2::VPCEndpointConnectionNotification` from templates: a service's or an
//! endpoint's connection events told to an SNS topic (which vpcsim does not model: the
//! notification is kept and listed by describe-vpc-endpoint-connection-notifications).

use crate::cfn::{Created, SinkError};
use crate::model::connection_notification::Watched;
use crate::world::Handle;

use super::props::{bad_hint, Props};
use super::{api, created, s, StackBuilder};

const OP: &str = "CreateVpcEndpointConnectionNotification";

impl StackBuilder<'_> {
    pub(super) fn connection_notification(&mut self, p: Props<'_>) -> Result<Created, SinkError> {
        let watched = match (p.opt_str("ServiceId")?, p.opt_str("VPCEndpointId")?) {
            (Some(id), None) => {
                Watched::Service(self.world.service_id(OP, &id).map_err(|e| api(e, Some("ServiceId")))?)
            }
            (None, Some(id)) => {
                Watched::Endpoint(self.world.endpoint_id(OP, &id).map_err(|e| api(e, Some("VPCEndpointId")))?)
            }
            _ => {
                return Err(bad_hint(
                    "ServiceId",
                    "Exactly one of ServiceId or VPCEndpointId must be specified",
                    "give the endpoint service's id, or one endpoint's",
                ))
            }
        };
        let topic = p.str("ConnectionNotificationArn")?;
        let events = p.str_list("ConnectionEvents")?;
        let n = self.world.create_vpc_endpoint_connection_notification(watched, &topic, &events).map_err(
            |e| {
                let at =
                    if e.message.contains("ARN") { "ConnectionNotificationArn" } else { "ConnectionEvents" };
                api(e, Some(at))
            },
        )?;
        let id = self.world[n].aws_id.clone();
        Ok(created(id.clone(), &[("VPCEndpointConnectionNotificationId", s(id))]))
    }

    pub(super) fn remove_connection_notification(&mut self, c: &Created) -> Result<(), SinkError> {
        if let Some(Handle::ConnectionNotification(n)) = self.world.find(&c.physical_id) {
            self.world.delete_vpc_endpoint_connection_notifications(&[n]);
        }
        Ok(())
    }
}
