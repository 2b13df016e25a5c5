//! An instance's network interfaces from templates (M4): the entries of an
//! `AWS::EC2::Instance`'s `NetworkInterfaces` (each a new interface in a subnet or an
//! existing `AWS::EC2::NetworkInterface`, at its `DeviceIndex`) and
//! `AWS::EC2::NetworkInterfaceAttachment`; an interface's private addresses, primary and
//! secondary (M6: `PrivateIpAddress`, `PrivateIpAddresses`, `SecondaryPrivateIpAddressCount`).
//! Errors point at the entry (and the address) at fault.

use std::net::Ipv4Addr;

use crate::cfn::{Created, SinkError};
use crate::error::ApiError;
use crate::ops::attachment::{LaunchInterface, LaunchNic};
use crate::ops::ec2::{CreateNetworkInterface, RunInstance};
use crate::yaml::Node;

use super::props::{bad, bad_hint, item, Props};
use super::{api, created, s, StackBuilder};

/// One entry of `NetworkInterfaces`, read: where it is, its device index and, for an
/// existing interface, its id.
pub(super) struct Entry {
    path: String,
    device_index: u32,
    existing: Option<String>,
    addresses: Addresses,
}

/// M6: an interface's private addresses as a template writes them, with where each one is.
#[derive(Clone, Debug, Default)]
pub(super) struct Addresses {
    /// The primary address: `PrivateIpAddress`, or the entry of `PrivateIpAddresses` marked
    /// `Primary`, with its path.
    primary: Option<(Ipv4Addr, String)>,
    /// The secondary addresses of `PrivateIpAddresses`, with their paths.
    secondary: Vec<(Ipv4Addr, String)>,
    /// `SecondaryPrivateIpAddressCount`.
    count: usize,
    /// Where the addresses are written, for an error about how many there are.
    at: String,
}

impl Addresses {
    /// Reads `PrivateIpAddress`, `PrivateIpAddresses` (one `Primary: true` at most, agreeing
    /// with `PrivateIpAddress`) and `SecondaryPrivateIpAddressCount`.
    pub(super) fn read(p: &Props<'_>, op: &str) -> Result<Addresses, SinkError> {
        let mut a = Addresses { at: p.path("PrivateIpAddress"), ..Default::default() };
        if let Some(ip) = p.opt_ip("PrivateIpAddress")? {
            a.primary = Some((ip, p.path("PrivateIpAddress")));
        }
        let mut listed_primary = false;
        for (path, node) in p.maps("PrivateIpAddresses")? {
            a.at = p.path("PrivateIpAddresses");
            let x = item(node, &path);
            let ip = x.opt_ip("PrivateIpAddress")?.ok_or_else(|| {
                bad(&x.path("PrivateIpAddress"), "required property PrivateIpAddress is missing")
            })?;
            let primary = x
                .opt_bool("Primary")?
                .ok_or_else(|| bad(&x.path("Primary"), "required property Primary is missing"))?;
            if !primary {
                a.secondary.push((ip, x.path("PrivateIpAddress")));
                continue;
            }
            let message = match (&a.primary, listed_primary) {
                (Some((first, _)), true) => {
                    format!(
                        "Only one primary private IP address may be specified; {first} is already primary."
                    )
                }
                (Some((first, _)), false) if *first != ip => {
                    format!("The primary private IP address {ip} does not match PrivateIpAddress {first}.")
                }
                _ => {
                    a.primary = Some((ip, x.path("PrivateIpAddress")));
                    listed_primary = true;
                    continue;
                }
            };
            return Err(api(ApiError::new(op, "InvalidParameterValue", message), Some(&x.path("Primary"))));
        }
        if let Some(n) = p.opt_int_in("SecondaryPrivateIpAddressCount", 1, 1000)? {
            a.count = n as usize;
            a.at = p.path("SecondaryPrivateIpAddressCount");
        }
        Ok(a)
    }

    /// Whether the interface is given secondary addresses.
    fn has_secondary(&self) -> bool {
        !self.secondary.is_empty() || self.count > 0
    }

    /// Puts the addresses into a request.
    pub(super) fn apply(&self, req: &mut CreateNetworkInterface) {
        req.private_ip = self.primary.as_ref().map(|p| p.0);
        req.secondary_ips = self.secondary.iter().map(|s| s.0).collect();
        req.secondary_count = self.count;
    }

    /// The property an error about these addresses points at: the address it names, or
    /// where the addresses are written when there are too many.
    pub(super) fn locate(&self, e: &ApiError) -> Option<String> {
        if e.code == "PrivateIpAddressLimitExceeded" {
            return Some(self.at.clone());
        }
        self.primary
            .iter()
            .chain(&self.secondary)
            .find(|(ip, _)| e.message.contains(&format!("Address {ip} ")))
            .map(|(_, at)| at.clone())
    }
}

impl StackBuilder<'_> {
    /// M4: the launch's interfaces from `NetworkInterfaces` into `req`: the entry at
    /// device index 0 is the primary one, the others are attached at theirs. Returns the
    /// entries read, to locate a refused launch ([`launch_error`]).
    pub(super) fn launch_interfaces(
        &self,
        nics: Vec<(String, &Node)>,
        req: &mut RunInstance,
    ) -> Result<Vec<Entry>, SinkError> {
        let several = nics.len() > 1;
        let mut entries = Vec::new();
        let mut primary = false;
        for (path, nic) in nics {
            let n = item(nic, &path);
            let device_index = match n.opt_int_in("DeviceIndex", 0, 31)? {
                Some(i) => i as u32,
                None if !several => 0,
                None => {
                    return Err(bad_hint(
                        &path,
                        "required property DeviceIndex is missing",
                        "give each interface its DeviceIndex: 0 for the primary one, then 1, 2, ...",
                    ))
                }
            };
            let public = n.opt_bool("AssociatePublicIpAddress")?;
            if device_index > 0 && public.is_some() {
                return Err(bad_hint(
                    &n.path("AssociatePublicIpAddress"),
                    "a public IPv4 address can only be assigned to the interface at device index 0",
                    "remove AssociatePublicIpAddress here; give the instance an Elastic IP on this interface instead",
                ));
            }
            let existing = n.opt_str("NetworkInterfaceId")?;
            let addresses = Addresses::read(&n, "RunInstances")?;
            let nic = match &existing {
                Some(id) => {
                    for key in [
                        "SubnetId",
                        "GroupSet",
                        "PrivateIpAddress",
                        "PrivateIpAddresses",
                        "SecondaryPrivateIpAddressCount",
                        "Description",
                    ] {
                        if n.get(key).is_some() {
                            return Err(bad(
                                &n.path(key),
                                format!("{key} applies only to an interface created at launch, not to NetworkInterfaceId {id}"),
                            ));
                        }
                    }
                    LaunchNic::Existing(
                        self.world
                            .eni_id("RunInstances", id)
                            .map_err(|e| api(e, Some(&n.path("NetworkInterfaceId"))))?,
                    )
                }
                None => LaunchNic::New(self.new_interface(&n, &addresses)?),
            };
            if primary && device_index == 0 {
                return Err(bad(
                    &n.path("DeviceIndex"),
                    "Each network interface requires a unique device index.",
                ));
            }
            let delete_on_termination = n.opt_bool("DeleteOnTermination")?;
            entries.push(Entry { path, device_index, existing, addresses });
            match nic {
                LaunchNic::Existing(eni) if device_index == 0 => req.primary_interface = Some(eni),
                LaunchNic::New(create) if device_index == 0 => {
                    req.subnet = create.subnet;
                    req.groups = create.groups;
                    req.private_ip = create.private_ip;
                    req.secondary_ips = create.secondary_ips;
                    req.secondary_count = create.secondary_count;
                    req.public_ip = public;
                }
                interface => {
                    req.secondary.push(LaunchInterface { device_index, interface, delete_on_termination })
                }
            }
            primary |= device_index == 0;
        }
        if !primary {
            return Err(bad_hint(
                &entries[0].path,
                "the instance has no primary network interface: one must have DeviceIndex 0",
                "set DeviceIndex: 0 on the primary interface",
            ));
        }
        Ok(entries)
    }

    /// A new interface of a `NetworkInterfaces` entry.
    fn new_interface(
        &self,
        n: &Props<'_>,
        addresses: &Addresses,
    ) -> Result<CreateNetworkInterface, SinkError> {
        let subnet = n.opt_str("SubnetId")?.ok_or_else(|| {
            bad_hint(
                &n.path("SubnetId"),
                "the interface names no subnet",
                "add SubnetId or NetworkInterfaceId",
            )
        })?;
        let subnet =
            self.world.subnet_id("RunInstances", &subnet).map_err(|e| api(e, Some(&n.path("SubnetId"))))?;
        let groups = n
            .str_list("GroupSet")?
            .iter()
            .map(|id| self.world.sg_id("RunInstances", id).map_err(|e| api(e, Some(&n.path("GroupSet")))))
            .collect::<Result<_, _>>()?;
        let mut req = CreateNetworkInterface {
            subnet: Some(subnet),
            groups,
            description: n.opt_str("Description")?.unwrap_or_default(),
            ..Default::default()
        };
        addresses.apply(&mut req);
        Ok(req)
    }

    /// AWS::EC2::NetworkInterfaceAttachment (M4): `Ref` and `AttachmentId` are the
    /// attachment id. DeleteOnTermination is true unless told.
    pub(super) fn network_interface_attachment(&mut self, p: Props<'_>) -> Result<Created, SinkError> {
        const OP: &str = "AttachNetworkInterface";
        let instance = self.lookup(&p, "InstanceId", |w, id| w.instance_id(OP, id))?;
        let eni = self.lookup(&p, "NetworkInterfaceId", |w, id| w.eni_id(OP, id))?;
        let index = p
            .opt_int_in("DeviceIndex", 1, 31)?
            .ok_or_else(|| bad("DeviceIndex", "required property DeviceIndex is missing"))?;
        let delete = p.opt_bool("DeleteOnTermination")?.unwrap_or(true);
        let id = self.world.attach_network_interface(eni, instance, index as u32, delete).map_err(|e| {
            let at = match e.code.as_str() {
                "InvalidParameterValue" if e.message.contains("device index") => "DeviceIndex",
                "AttachmentLimitExceeded" | "IncorrectInstanceState" => "InstanceId",
                _ => "NetworkInterfaceId",
            };
            api(e, Some(at))
        })?;
        Ok(created(id.clone(), &[("AttachmentId", s(id))]))
    }

    /// Deleting an `AWS::EC2::NetworkInterfaceAttachment` detaches the interface (already
    /// done when its instance was terminated first).
    pub(super) fn remove_attachment(&mut self, c: &Created) -> Result<(), SinkError> {
        if self.world.eni_attachment("DetachNetworkInterface", &c.physical_id).is_ok() {
            self.world.detach_network_interface(&c.physical_id).map_err(|e| api(e, None))?;
        }
        Ok(())
    }
}

/// M4: the property a refused launch points at: the entry the error names (by its
/// interface id or device index), else `NetworkInterfaces`.
pub(super) fn launch_error(e: ApiError, entries: &[Entry]) -> SinkError {
    if let Some(at) = entries.iter().find_map(|x| x.addresses.locate(&e)) {
        return api(e, Some(&at));
    }
    if e.code == "PrivateIpAddressLimitExceeded" {
        if let Some(x) = entries.iter().find(|x| x.addresses.has_secondary()) {
            return api(e, Some(&x.addresses.at));
        }
    }
    let named = entries.iter().find(|x| {
        x.existing.as_ref().is_some_and(|id| e.message.contains(id.as_str()))
            || e.message.contains(&format!("device index {} ", x.device_index))
    });
    let at = match (named, e.code.as_str()) {
        (Some(x), _) if x.existing.is_some() => format!("{}.NetworkInterfaceId", x.path),
        (Some(x), _) => format!("{}.SubnetId", x.path),
        (None, "InvalidParameterValue") if e.message.contains("unique device index") => {
            duplicate_index(entries).map_or("NetworkInterfaces".into(), |x| format!("{}.DeviceIndex", x.path))
        }
        (None, "InvalidParameterCombination") => {
            let primary = entries.iter().find(|x| x.device_index == 0).unwrap_or(&entries[0]);
            format!("{}.AssociatePublicIpAddress", primary.path)
        }
        _ => "NetworkInterfaces".into(),
    };
    api(e, Some(&at))
}

/// The first entry whose device index an earlier entry already has.
fn duplicate_index(entries: &[Entry]) -> Option<&Entry> {
    entries
        .iter()
        .enumerate()
        .find(|(i, x)| entries[..*i].iter().any(|y| y.device_index == x.device_index))
        .map(|(_, x)| x)
}
