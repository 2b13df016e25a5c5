//! ModifyInstanceMetadataOptions (M1): turn an instance's metadata service on or off and
//! require IMDSv2 tokens or not.

use super::ApiResult;
use crate::error::ApiError;
use crate::ids::InstanceId;
use crate::model::instance::InstanceState;
use crate::model::metadata_options::{Endpoint, MetadataOptions, Tokens};
use crate::world::World;

impl World {
    /// ModifyInstanceMetadataOptions: the options given change, the others stay; the
    /// instance's options after the change. A terminated instance cannot be changed.
    pub fn modify_instance_metadata_options(
        &mut self,
        instance: InstanceId,
        endpoint: Option<Endpoint>,
        tokens: Option<Tokens>,
    ) -> ApiResult<MetadataOptions> {
        let i = &self.instances[instance];
        if i.state == InstanceState::Terminated {
            return Err(ApiError::new(
                "ModifyInstanceMetadataOptions",
                "IncorrectInstanceState",
                format!("The instance '{}' is not in a state from which it can be modified.", i.aws_id),
            ));
        }
        let options = &mut self.instances[instance].metadata_options;
        options.endpoint = endpoint.unwrap_or(options.endpoint);
        options.tokens = tokens.unwrap_or(options.tokens);
        Ok(*options)
    }
}
