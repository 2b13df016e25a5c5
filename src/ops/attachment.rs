//! Network interface attachments (M4): an instance's interfaces beyond its primary one,
//! attached at launch, by AttachNetworkInterface or by a template's
//! `AWS::EC2::NetworkInterfaceAttachment`, and detached again. Every check runs before
//! anything changes, so a refused call changes nothing.

use super::ec2::CreateNetworkInterface;
use super::ApiResult;
use crate::error::ApiError;
use crate::ids::*;
use crate::model::eni::{Attachment, EniOwner};
use crate::model::instance::{max_interfaces, InstanceState};
use crate::world::World;

/// M4: one interface an instance is launched with beyond its primary one.
#[derive(Clone, Debug)]
pub struct LaunchInterface {
    /// Its device index (1, 2, ...).
    pub device_index: u32,
    /// A new interface, or an existing one.
    pub interface: LaunchNic,
    /// Whether it is deleted with the instance: true for a new interface unless told;
    /// an existing interface cannot be (AWS refuses true for one).
    pub delete_on_termination: Option<bool>,
}

/// M4: the interface a launch attaches.
#[derive(Clone, Debug)]
pub enum LaunchNic {
    /// A new interface in a subnet (`SubnetId`, `GroupSet`, `PrivateIpAddress`).
    New(CreateNetworkInterface),
    /// An existing, available interface (`NetworkInterfaceId`).
    Existing(EniId),
}

impl World {
    /// AttachNetworkInterface: `eni` becomes the instance's interface at `device_index`
    /// (M4); returns the attachment id (`eni-attach-...`). The interface keeps its subnet,
    /// address and groups; flows to its address now reach the instance through it.
    pub fn attach_network_interface(
        &mut self,
        eni: EniId,
        instance: InstanceId,
        device_index: u32,
        delete_on_termination: bool,
    ) -> ApiResult<String> {
        const OP: &str = "AttachNetworkInterface";
        self.check_attachable(OP, eni, instance, device_index)?;
        Ok(self.attach(eni, instance, device_index, delete_on_termination))
    }

    /// M4: why `eni` cannot be attached to `instance` at `device_index`, if it cannot: the
    /// instance must not be terminated, the interface must be free (not attached, not
    /// requester-managed) and in the instance's Availability Zone (any subnet, any VPC of
    /// the account, as multi-VPC attachments allow), the device index must be free, and the
    /// instance type's interface limit must leave room.
    pub(crate) fn check_attachable(
        &self,
        op: &str,
        eni: EniId,
        instance: InstanceId,
        device_index: u32,
    ) -> ApiResult<()> {
        let inst = &self.instances[instance];
        if inst.state == InstanceState::Terminated {
            return Err(ApiError::new(
                op,
                "IncorrectInstanceState",
                format!("The instance '{}' is not in a valid state for this operation.", inst.aws_id),
            ));
        }
        let e = &self.enis[eni];
        if e.owner != EniOwner::Detached {
            return Err(ApiError::new(
                op,
                "InvalidParameterValue",
                format!("Interface: [{}] in use.", e.aws_id),
            ));
        }
        let limit = crate::model::instance::max_private_ips(&inst.instance_type);
        self.check_private_ip_limit(op, 1 + e.secondary_ips.len(), limit)?;
        let (az, eni_az) = (self.subnets[self.enis[inst.eni].subnet].az, self.subnets[e.subnet].az);
        if az != eni_az {
            return Err(ApiError::new(
                op,
                "InvalidParameterCombination",
                format!(
                    "The network interface {} is in {eni_az} and the instance {} in {az}: they must be in the same availability zone.",
                    e.aws_id, inst.aws_id
                ),
            ));
        }
        if inst.enis().any(|x| self.device_index(x) == device_index) {
            return Err(ApiError::new(
                op,
                "InvalidParameterValue",
                format!(
                    "Instance '{}' already has an interface attached at device index '{device_index}'.",
                    inst.aws_id
                ),
            ));
        }
        let count = inst.enis().count() + 1;
        if count > max_interfaces(&inst.instance_type) {
            return Err(ApiError::new(
                op,
                "AttachmentLimitExceeded",
                format!("Interface count {count} exceeds the limit for {}", inst.instance_type),
            ));
        }
        Ok(())
    }

    /// The device index an instance's interface is attached at (0 for the primary).
    fn device_index(&self, eni: EniId) -> u32 {
        self.enis[eni].attachment.as_ref().map_or(0, |a| a.device_index)
    }

    /// Attaches a checked interface ([`World::check_attachable`]); returns the attachment id.
    pub(crate) fn attach(
        &mut self,
        eni: EniId,
        instance: InstanceId,
        device_index: u32,
        delete_on_termination: bool,
    ) -> String {
        let id = self.ids.aws_id("eni-attach");
        let attachment = Attachment { id: id.clone(), device_index, delete_on_termination };
        self.enis.set_attachment(eni, EniOwner::Instance(instance), Some(attachment));
        if device_index > 0 {
            self.instances[instance].secondary_enis.push(eni);
        }
        id
    }

    /// DetachNetworkInterface: the interface leaves its instance and becomes available
    /// again, with its address and groups (M4). The primary interface cannot be detached.
    /// Detaching is immediate in vpcsim, so `--force` changes nothing.
    pub fn detach_network_interface(&mut self, attachment_id: &str) -> ApiResult<EniId> {
        const OP: &str = "DetachNetworkInterface";
        let eni = self.eni_attachment(OP, attachment_id)?;
        if self.device_index(eni) == 0 {
            return Err(ApiError::new(
                OP,
                "OperationNotPermitted",
                "The network interface at device index 0 cannot be detached.",
            ));
        }
        self.detach(eni);
        Ok(eni)
    }

    /// Detaches a secondary interface from its instance.
    pub(crate) fn detach(&mut self, eni: EniId) {
        if let EniOwner::Instance(i) = self.enis[eni].owner {
            self.instances[i].secondary_enis.retain(|x| *x != eni);
        }
        self.enis.set_attachment(eni, EniOwner::Detached, None);
    }

    /// The interface of an instance named where AWS wants exactly one (AssociateAddress and
    /// ModifyInstanceAttribute by instance id): an instance with several is refused (M4).
    pub fn only_interface(&self, op: &str, instance: InstanceId) -> ApiResult<EniId> {
        let inst = &self.instances[instance];
        if !inst.secondary_enis.is_empty() {
            return Err(ApiError::new(
                op,
                "InvalidInstanceID",
                format!(
                    "There are multiple interfaces attached to instance '{}'. Please specify an interface ID for the operation instead.",
                    inst.aws_id
                ),
            ));
        }
        Ok(inst.eni)
    }

    /// The live interface whose attachment is `id` (`eni-attach-...`).
    pub fn eni_attachment(&self, op: &str, id: &str) -> ApiResult<EniId> {
        self.enis
            .arena()
            .iter()
            .find(|(_, e)| !e.deleted && e.attachment.as_ref().is_some_and(|a| a.id == id))
            .map(|(x, _)| x)
            .ok_or_else(|| {
                ApiError::new(
                    op,
                    "InvalidAttachmentID.NotFound",
                    format!("The attachment ID '{id}' does not exist"),
                )
            })
    }
}
