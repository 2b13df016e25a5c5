//! Instances, network interfaces and Elastic IPs (A4, I1, S4).

use std::net::Ipv4Addr;
use std::sync::{Arc, LazyLock};

use super::attachment::{LaunchInterface, LaunchNic};
use super::ApiResult;
use crate::addr::Protocol;
use crate::error::ApiError;
use crate::ids::*;
use crate::model::eip::ElasticIp;
use crate::model::eni::{Attachment, EniOwner, NetworkInterface, SecondaryIp};
use crate::model::instance::{
    max_interfaces, max_private_ips, Answer, DocumentRoot, ImageFamily, Instance, InstanceState, Service,
};
use crate::model::nat_instance::Forwarding;
use crate::model::Tags;
use crate::quota::Quota;
use crate::world::{Handle, World};

/// Options of RunInstances for one instance.
#[derive(Clone, Debug, Default)]
pub struct RunInstance {
    /// The subnet of the primary interface.
    pub subnet: Option<SubnetId>,
    /// M4: an existing, available interface to launch with as the primary one (device
    /// index 0), instead of a new one in `subnet`.
    pub primary_interface: Option<EniId>,
    /// M4: the interfaces at device index 1, 2, ...
    pub secondary: Vec<LaunchInterface>,
    /// Security groups; the VPC's default group when empty (S4).
    pub groups: Vec<SgId>,
    /// An explicit private address (A4).
    pub private_ip: Option<Ipv4Addr>,
    /// M6: explicit secondary addresses of the new primary interface.
    pub secondary_ips: Vec<Ipv4Addr>,
    /// M6: how many more secondary addresses its subnet picks for it.
    pub secondary_count: usize,
    /// AssociatePublicIpAddress; the subnet's MapPublicIpOnLaunch when absent.
    pub public_ip: Option<bool>,
    /// Instance type; `t2.micro` when absent.
    pub instance_type: Option<String>,
    /// Image id.
    pub image_id: Option<String>,
    /// Key pair.
    pub key_name: Option<String>,
    /// What the image starts at boot (sshd on Amazon Linux, the default).
    pub image_family: ImageFamily,
    /// What listens: the image family's defaults when None.
    pub services: Option<Vec<Service>>,
    /// M1: `MetadataOptions` (`HttpEndpoint`, `HttpTokens`); AWS's defaults when not given.
    pub metadata_options: crate::model::metadata_options::MetadataOptions,
    /// Tags.
    pub tags: Tags,
}

/// Options of CreateNetworkInterface.
#[derive(Clone, Debug, Default)]
pub struct CreateNetworkInterface {
    /// The subnet.
    pub subnet: Option<SubnetId>,
    /// Groups; the default group when empty.
    pub groups: Vec<SgId>,
    /// An explicit address (A4).
    pub private_ip: Option<Ipv4Addr>,
    /// M6: explicit secondary addresses (A4 for each).
    pub secondary_ips: Vec<Ipv4Addr>,
    /// M6: how many more secondary addresses the subnet picks.
    pub secondary_count: usize,
    /// Description.
    pub description: String,
    /// Source/destination check; default true.
    pub source_dest_check: Option<bool>,
    /// Tags.
    pub tags: Tags,
}

/// The instance type and image when RunInstances names none, shared by every such instance.
static DEFAULT_TYPE: LazyLock<Arc<str>> = LazyLock::new(|| Arc::from("t2.micro"));
static DEFAULT_IMAGE: LazyLock<Arc<str>> = LazyLock::new(|| Arc::from("ami-0a1b2c3d4e5f60718"));

/// The most instances one world launches, terminated ones included (vpcsim's bound, where
/// AWS's is the account's vCPU quota): each holds an interface, addresses and services,
/// so `run-instances --count 60000` in a /16, or an Auto Scaling group that large, would
/// otherwise cost a gigabyte.
pub const MAX_INSTANCES: usize = 10_000;

/// The InstanceLimitExceeded message, naming [`MAX_INSTANCES`].
pub fn instance_limit_message() -> String {
    format!(
        "You have requested more instances than your current instance limit of {MAX_INSTANCES} allows (vpcsim launches at most {MAX_INSTANCES} in one world, MAX_INSTANCES)."
    )
}

impl World {
    fn check_groups(&self, op: &str, subnet: SubnetId, groups: &[SgId]) -> ApiResult<Vec<SgId>> {
        let vpc = self.subnets[subnet].vpc;
        self.quotas.check(Quota::GroupsPerInterface, op, groups.len())?;
        if let Some(g) = groups.iter().find(|g| self.sgs[**g].vpc != vpc) {
            return Err(ApiError::new(
                op,
                "InvalidParameter",
                format!(
                    "Security group {} and subnet {} belong to different networks.",
                    self.sgs[*g].aws_id, self.subnets[subnet].aws_id
                ),
            ));
        }
        Ok(if groups.is_empty() { vec![self.vpcs[vpc].default_sg] } else { groups.to_vec() })
    }

    /// Checks, before anything is created, that an interface with `groups` can be created in
    /// each of `subnets` (a load balancer's nodes, an endpoint's interfaces): the groups fit
    /// the subnet's VPC and the quota, and the subnet has a free address. With this checked
    /// first, a call creating several interfaces fails whole or not at all.
    pub(crate) fn check_new_interfaces(
        &self,
        op: &str,
        subnets: &[SubnetId],
        groups: &[SgId],
    ) -> ApiResult<()> {
        for s in subnets {
            self.check_groups(op, *s, groups)?;
            self.check_free_address(op, *s)?;
        }
        Ok(())
    }

    /// Create an interface in `subnet` owned by `owner`; the address is explicit (A4) or allocated (A2).
    pub(crate) fn new_eni(
        &mut self,
        op: &str,
        req: CreateNetworkInterface,
        owner: EniOwner,
    ) -> ApiResult<EniId> {
        let subnet = req.subnet.ok_or_else(|| {
            ApiError::new(op, "MissingParameter", "The request must contain the parameter SubnetId.")
        })?;
        let groups = self.check_groups(op, subnet, &req.groups)?;
        let limit = crate::model::instance::MAX_PRIVATE_IPS_DETACHED;
        self.check_new_addresses(op, subnet, req.private_ip, &req.secondary_ips, req.secondary_count, limit)?;
        let ip = match req.private_ip {
            Some(ip) => ip,
            None => self.allocate_private_ip_except(op, subnet, &req.secondary_ips)?,
        };
        let vpc = self.subnets[subnet].vpc;
        let aws_id = self.ids.aws_id("eni");
        let id = self.enis.insert(
            &mut self.by_aws_id,
            NetworkInterface {
                aws_id,
                subnet,
                vpc,
                private_ip: ip,
                secondary_ips: req.secondary_ips.iter().map(|&ip| SecondaryIp { ip, eip: None }).collect(),
                public_ip: None,
                auto_public_ip: false,
                eip: None,
                groups,
                source_dest_check: req.source_dest_check.unwrap_or(true),
                owner,
                attachment: None,
                description: req.description,
                tags: req.tags,
                deleted: false,
            },
        );
        self.allocate_secondary_ips(op, id, req.secondary_count)?;
        Ok(id)
    }

    /// Give an interface an auto-assigned public address (A6, I1).
    pub(crate) fn assign_public_ip(&mut self, eni: EniId) -> Ipv4Addr {
        let ip = self.allocate_public_ip();
        self.enis.assign_public_ip(eni, ip);
        ip
    }

    /// Remove an interface and its addresses from the indexes.
    pub(super) fn remove_eni(&mut self, eni: EniId) {
        self.enis.remove(eni, &mut self.eips);
    }

    /// DeleteNetworkInterface: only an interface not in use (a standalone one) may be
    /// deleted; an instance's, a load balancer node's or an endpoint's is refused.
    pub fn delete_network_interface(&mut self, eni: EniId) -> ApiResult<()> {
        let e = &self.enis[eni];
        if e.deleted {
            return Ok(());
        }
        if e.owner != EniOwner::Detached {
            return Err(ApiError::new(
                "DeleteNetworkInterface",
                "InvalidNetworkInterface.InUse",
                format!("The network interface '{}' is currently in use.", e.aws_id),
            ));
        }
        self.remove_eni(eni);
        Ok(())
    }

    /// CreateNetworkInterface: a standalone interface.
    pub fn create_network_interface(&mut self, req: CreateNetworkInterface) -> ApiResult<EniId> {
        self.new_eni("CreateNetworkInterface", req, EniOwner::Detached)
    }

    /// RunInstances for one instance (running at once; sshd listens on 22), with its
    /// primary interface and any secondary ones (M4). Everything is checked before
    /// anything is created.
    pub fn run_instance(&mut self, req: RunInstance) -> ApiResult<InstanceId> {
        const OP: &str = "RunInstances";
        let subnet = match req.primary_interface {
            Some(eni) => self.enis[eni].subnet,
            None => req.subnet.ok_or_else(|| {
                ApiError::new(
                    OP,
                    "MissingParameter",
                    "The request must contain the parameter SubnetId (no default VPC in vpcsim).",
                )
            })?,
        };
        self.check_launch(OP, subnet, &req)?;
        let id = InstanceId(self.instances.len() as u32);
        let eni = match req.primary_interface {
            Some(eni) => eni,
            None => self.new_eni(
                OP,
                CreateNetworkInterface {
                    subnet: Some(subnet),
                    groups: req.groups,
                    private_ip: req.private_ip,
                    secondary_ips: req.secondary_ips,
                    secondary_count: req.secondary_count,
                    description: String::new(),
                    source_dest_check: None,
                    tags: Tags::new(),
                },
                EniOwner::Instance(id),
            )?,
        };
        let single = req.primary_interface.is_none() && req.secondary.is_empty();
        if single && req.public_ip.unwrap_or(self.subnets[subnet].map_public_ip_on_launch) {
            self.assign_public_ip(eni);
        }
        let aws_id = self.ids.aws_id("i");
        let services = req.services.unwrap_or_else(|| req.image_family.default_services());
        self.instances.insert(
            &mut self.by_aws_id,
            Handle::Instance,
            Instance {
                aws_id,
                eni,
                secondary_enis: Vec::new(),
                state: InstanceState::Running,
                instance_type: req.instance_type.map_or_else(|| DEFAULT_TYPE.clone(), Arc::from),
                image_id: req.image_id.map_or_else(|| DEFAULT_IMAGE.clone(), Arc::from),
                key_name: req.key_name,
                services,
                answers_ping: req.image_family.answers_ping(),
                forwarding: Forwarding::default(),
                metadata_options: req.metadata_options,
                tags: req.tags,
            },
        );
        let primary = Attachment {
            id: format!("eni-attach-{}", self.enis[eni].aws_id.trim_start_matches("eni-")),
            device_index: 0,
            delete_on_termination: req.primary_interface.is_none(),
        };
        self.enis.set_attachment(eni, EniOwner::Instance(id), Some(primary));
        for nic in req.secondary {
            let (x, delete) = match nic.interface {
                LaunchNic::New(create) => (
                    self.new_eni(OP, create, EniOwner::Instance(id))?,
                    nic.delete_on_termination.unwrap_or(true),
                ),
                LaunchNic::Existing(x) => (x, false),
            };
            self.attach(x, id, nic.device_index, delete);
        }
        Ok(id)
    }

    /// M4: the checks of a launch, before anything is created: an existing primary
    /// interface is available and gets no public address; a public address is asked for a
    /// single new interface only; device indexes are unique; the instance type's interface
    /// limit holds; every interface is in the primary's Availability Zone, free, with
    /// groups of its VPC and an address to give.
    fn check_launch(&self, op: &str, subnet: SubnetId, req: &RunInstance) -> ApiResult<()> {
        let invalid = |code: &str, message: String| Err(ApiError::new(op, code, message));
        if self.instances.len() >= MAX_INSTANCES {
            return invalid("InstanceLimitExceeded", instance_limit_message());
        }
        let ty = req.instance_type.as_deref().unwrap_or(&DEFAULT_TYPE);
        let limit = max_private_ips(ty);
        match req.primary_interface {
            Some(eni) => self.check_free_interface(op, eni, limit)?,
            None => {
                let primary = CreateNetworkInterface {
                    subnet: Some(subnet),
                    groups: req.groups.clone(),
                    private_ip: req.private_ip,
                    secondary_ips: req.secondary_ips.clone(),
                    secondary_count: req.secondary_count,
                    ..Default::default()
                };
                self.check_new_interface(op, subnet, &primary, limit)?
            }
        }
        if req.public_ip == Some(true) && (req.primary_interface.is_some() || !req.secondary.is_empty()) {
            return invalid(
                "InvalidParameterCombination",
                "The associatePublicIPAddress parameter cannot be specified when launching with multiple network interfaces or an existing network interface.".into(),
            );
        }
        let mut indexes = vec![0];
        for nic in &req.secondary {
            if indexes.contains(&nic.device_index) {
                return invalid(
                    "InvalidParameterValue",
                    "Each network interface requires a unique device index.".into(),
                );
            }
            indexes.push(nic.device_index);
        }
        if indexes.len() > max_interfaces(ty) {
            return invalid(
                "AttachmentLimitExceeded",
                format!("Interface count {} exceeds the limit for {ty}", indexes.len()),
            );
        }
        let az = self.subnets[subnet].az;
        for nic in &req.secondary {
            let at = match &nic.interface {
                LaunchNic::Existing(x) => {
                    self.check_free_interface(op, *x, limit)?;
                    if nic.delete_on_termination == Some(true) {
                        return invalid(
                            "InvalidParameterCombination",
                            format!("DeleteOnTermination can be true only for a network interface created at launch, not for {}.", self.enis[*x].aws_id),
                        );
                    }
                    self.enis[*x].subnet
                }
                LaunchNic::New(create) => {
                    let s = create.subnet.ok_or_else(|| {
                        ApiError::new(
                            op,
                            "MissingParameter",
                            "Each network interface needs a SubnetId or a NetworkInterfaceId.",
                        )
                    })?;
                    self.check_new_interface(op, s, create, limit)?;
                    s
                }
            };
            if self.subnets[at].az != az {
                return invalid(
                    "InvalidParameterCombination",
                    format!(
                        "The network interface at device index {} is in {} and the instance in {az}: they must be in the same availability zone.",
                        nic.device_index, self.subnets[at].az
                    ),
                );
            }
        }
        Ok(())
    }

    /// M4: an existing interface can be attached: not deleted, not in use, holding no
    /// more than `limit` private addresses (M6: the instance type's).
    fn check_free_interface(&self, op: &str, eni: EniId, limit: usize) -> ApiResult<()> {
        let e = &self.enis[eni];
        if e.deleted || e.owner != EniOwner::Detached {
            return Err(ApiError::new(
                op,
                "InvalidParameterValue",
                format!("Interface: [{}] in use.", e.aws_id),
            ));
        }
        self.check_private_ip_limit(op, 1 + e.secondary_ips.len(), limit)
    }

    /// A new interface can be created in `subnet`: groups of its VPC, and the addresses asked
    /// for free (A4) or any addresses free (A2), at most `limit` of them (M6).
    fn check_new_interface(
        &self,
        op: &str,
        subnet: SubnetId,
        req: &CreateNetworkInterface,
        limit: usize,
    ) -> ApiResult<()> {
        self.check_groups(op, subnet, &req.groups)?;
        self.check_new_addresses(op, subnet, req.private_ip, &req.secondary_ips, req.secondary_count, limit)
    }

    /// Let an instance serve `body` over HTTP on `port` (what its UserData or Metadata says).
    pub fn serve_http(&mut self, instance: InstanceId, port: u16, software: &str, body: &str) {
        let service = Service::new(
            Protocol::Tcp,
            port,
            software.to_string(),
            Answer::Http(DocumentRoot::with_index(body)),
        );
        self.serve(instance, service);
    }

    /// Let an instance run `service` (its software, not an AWS call); it replaces whatever
    /// listened on that protocol and port.
    pub fn serve(&mut self, instance: InstanceId, service: Service) {
        let inst = &mut self.instances[instance];
        inst.services.retain(|s| !(s.protocol == service.protocol && s.port == service.port));
        inst.services.push(service);
    }

    /// What the instance's software listens on once its UserData ran (not an AWS call): it
    /// replaces every service the instance had.
    pub fn set_services(&mut self, instance: InstanceId, services: Vec<Service>) {
        self.instances[instance].services = services;
    }

    /// G5: what the instance's operating system does with packets not addressed to it, as its
    /// UserData or Metadata sets it up (IP forwarding, masquerade rules); not an AWS call.
    pub fn set_forwarding(&mut self, instance: InstanceId, forwarding: Forwarding) {
        self.instances[instance].forwarding = forwarding;
    }

    /// Stop whatever the instance serves on `protocol`/`port` (its software, not an AWS call).
    pub fn stop_serving(&mut self, instance: InstanceId, protocol: Protocol, port: u16) {
        self.instances[instance].services.retain(|s| !(s.protocol == protocol && s.port == port));
    }

    /// TerminateInstances: routes to it become blackholes (R5); its interfaces go away,
    /// except those attached with DeleteOnTermination false, which are detached and stay
    /// available (M4).
    pub fn terminate_instance(&mut self, instance: InstanceId) {
        let inst = &mut self.instances[instance];
        if inst.state == InstanceState::Terminated {
            return;
        }
        inst.state = InstanceState::Terminated;
        let enis: Vec<EniId> = inst.enis().collect();
        for e in enis {
            if self.enis[e].attachment.as_ref().is_some_and(|a| !a.delete_on_termination) {
                self.detach(e);
            } else {
                self.remove_eni(e);
            }
        }
    }

    /// ModifyNetworkInterfaceAttribute / ModifyInstanceAttribute: source/destination check.
    pub fn set_source_dest_check(&mut self, eni: EniId, on: bool) {
        self.enis.set_source_dest_check(eni, on);
    }

    /// ModifyInstanceAttribute --groups: replace an interface's groups.
    pub fn set_groups(&mut self, eni: EniId, groups: &[SgId]) -> ApiResult<()> {
        let subnet = self.enis[eni].subnet;
        let groups = self.check_groups("ModifyInstanceAttribute", subnet, groups)?;
        self.enis.set_groups(eni, groups);
        Ok(())
    }

    /// AllocateAddress: an Elastic IP from the region's ranges (A6).
    pub fn allocate_address(&mut self, tags: Tags) -> EipId {
        let id = EipId(self.eips.len() as u32);
        let public_ip = self.allocate_public_ip();
        let allocation_id = self.ids.aws_id("eipalloc");
        self.add_elastic_ip(public_ip, id);
        self.eips.insert(
            &mut self.by_aws_id,
            Handle::Eip,
            ElasticIp {
                allocation_id,
                public_ip,
                eni: None,
                private_ip: None,
                association_id: None,
                tags,
                released: false,
            },
        );
        id
    }

    /// AssociateAddress: the Elastic IP replaces the interface's auto-assigned address (I1).
    pub fn associate_address(&mut self, eip: EipId, eni: EniId) -> ApiResult<String> {
        self.associate_address_with(eip, eni, None)
    }

    /// AssociateAddress `--private-ip-address`: the Elastic IP maps to `private`, one of the
    /// interface's addresses (M6), or to its primary address when `None` (I1). An Elastic
    /// IP already on that address is disassociated.
    pub fn associate_address_with(
        &mut self,
        eip: EipId,
        eni: EniId,
        private: Option<Ipv4Addr>,
    ) -> ApiResult<String> {
        const OP: &str = "AssociateAddress";
        let e = &self.enis[eni];
        let private = private.unwrap_or(e.private_ip);
        if !e.holds(private) {
            return Err(ApiError::new(
                OP,
                "InvalidParameterValue",
                format!(
                    "The private IP address {private} is not assigned to the network interface {}.",
                    e.aws_id
                ),
            ));
        }
        if self.gateway_of(e.vpc).is_none() {
            return Err(ApiError::new(
                OP,
                "Gateway.NotAttached",
                format!("Network {} is not attached to any internet gateway.", self.vpcs[e.vpc].aws_id),
            ));
        }
        if self.eips[eip].eni.is_some() {
            self.enis.disassociate(eip, &mut self.eips);
        }
        let e = &self.enis[eni];
        let prev = if e.private_ip == private { e.eip } else { e.secondary(private).and_then(|s| s.eip) };
        if let Some(prev) = prev {
            self.enis.disassociate(prev, &mut self.eips);
        }
        let assoc = self.ids.aws_id("eipassoc");
        self.enis.associate(eni, private, eip, &mut self.eips, assoc.clone());
        Ok(assoc)
    }

    /// ReleaseAddress: an associated address is refused (`InvalidIPAddress.InUse`);
    /// a free one goes back to Amazon.
    pub fn release_address(&mut self, eip: EipId) -> ApiResult<()> {
        if self.eips[eip].eni.is_some() {
            return Err(ApiError::new(
                "ReleaseAddress",
                "InvalidIPAddress.InUse",
                "The address is associated; disassociate it first.",
            ));
        }
        self.eips[eip].released = true;
        Ok(())
    }

    /// DisassociateAddress; an instance's only interface that had an automatic public IP
    /// gets a new one (I7).
    pub fn disassociate_address(&mut self, eip: EipId) {
        let eni = self.eips[eip].eni;
        self.enis.disassociate(eip, &mut self.eips);
        if let Some(eni) = eni.filter(|e| self.regains_public_ip(*e)) {
            self.assign_public_ip(eni);
        }
    }

    /// I7: the primary (and only) interface of an instance launched with an automatic
    /// public IP gets a new one when its Elastic IP is disassociated.
    fn regains_public_ip(&self, eni: EniId) -> bool {
        let e = &self.enis[eni];
        e.auto_public_ip
            && matches!(e.owner, EniOwner::Instance(i)
                if self.instances[i].eni == eni && self.instances[i].secondary_enis.is_empty())
    }
}
