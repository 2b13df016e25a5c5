//! Managed prefix lists (E1, E5): AWS's list for each gateway-endpoint service of the
//! region, made with the world and the same in every account, and the account's own
//! lists (create-managed-prefix-list) with their bound on entries.

use super::ApiResult;
use crate::addr::Cidr;
use crate::error::ApiError;
use crate::ids::*;
use crate::model::prefix_list::{PrefixList, PrefixListEntry, PrefixListOwner};
use crate::model::route_table::{Route, RouteOrigin, RouteTarget};
use crate::model::Tags;
use crate::quota::Quota;
use crate::world::{Handle, World};

/// The services with gateway endpoints and AWS-managed prefix lists (E1).
pub const GATEWAY_SERVICES: [&str; 2] = ["s3", "dynamodb"];

/// AWS's largest bound on a customer-managed list's entries.
pub const MAX_ENTRIES_LIMIT: u32 = 1000;

/// Options of CreateManagedPrefixList.
#[derive(Clone, Debug, Default)]
pub struct CreateManagedPrefixList {
    /// `--prefix-list-name`.
    pub name: String,
    /// `--max-entries`.
    pub max_entries: u32,
    /// `--entries`.
    pub entries: Vec<PrefixListEntry>,
    /// Tags.
    pub tags: Tags,
}

impl World {
    /// E1: AWS's prefix list of each gateway-endpoint service, with the region's published
    /// ranges. Their ids are vpcsim's own, the same for every seed (they draw nothing from
    /// the seeded stream, so adding them renumbers nothing).
    pub(crate) fn create_aws_prefix_lists(&mut self) {
        for service in GATEWAY_SERVICES {
            let ranges = self.region.gateway_service_ranges(service).unwrap_or(&[]);
            let entries: Vec<PrefixListEntry> = ranges
                .iter()
                .filter_map(|r| r.parse().ok())
                .map(|cidr| PrefixListEntry { cidr, description: None })
                .collect();
            let name = format!("com.amazonaws.{}.{service}", self.region.name);
            let aws_id = format!("pl-{:08x}", stable_hash(&name) as u32);
            self.prefix_lists.insert(
                &mut self.by_aws_id,
                Handle::PrefixList,
                PrefixList {
                    aws_id,
                    name,
                    owner: PrefixListOwner::Aws,
                    max_entries: entries.len() as u32,
                    entries,
                    version: 1,
                    tags: Tags::new(),
                    deleted: false,
                },
            );
        }
    }

    /// A prefix list by id.
    pub fn prefix_list_id(&self, op: &str, id: &str) -> ApiResult<PrefixListId> {
        self.lookup(op, id, "InvalidPrefixListID.NotFound", |h| match h {
            Handle::PrefixList(x) if !self.prefix_lists[x].deleted => Some(x),
            _ => None,
        })
    }

    /// E1: AWS's prefix list of a gateway-endpoint service (`com.amazonaws.<region>.s3`).
    pub fn aws_prefix_list(&self, service_name: &str) -> Option<PrefixListId> {
        self.prefix_lists
            .live()
            .find(|(_, p)| p.owner == PrefixListOwner::Aws && p.name == service_name)
            .map(|(id, _)| id)
    }

    /// CreateManagedPrefixList (E5): IPv4 entries, no more than `max_entries` (1 to 1,000),
    /// each CIDR once.
    pub fn create_managed_prefix_list(&mut self, req: CreateManagedPrefixList) -> ApiResult<PrefixListId> {
        const OP: &str = "CreateManagedPrefixList";
        if req.name.is_empty() || req.name.starts_with("com.amazonaws") {
            return Err(ApiError::new(
                OP,
                "InvalidParameterValue",
                format!("The prefix list name '{}' is invalid: it must be given and must not start with com.amazonaws", req.name),
            ));
        }
        if !(1..=MAX_ENTRIES_LIMIT).contains(&req.max_entries) {
            return Err(ApiError::new(
                OP,
                "InvalidParameterValue",
                format!("The maximum number of entries {} is invalid: it must be between 1 and {MAX_ENTRIES_LIMIT}", req.max_entries),
            ));
        }
        check_entries(OP, &req.entries, req.max_entries)?;
        let aws_id = self.ids.aws_id("pl");
        Ok(self.prefix_lists.insert(
            &mut self.by_aws_id,
            Handle::PrefixList,
            PrefixList {
                aws_id,
                name: req.name,
                owner: PrefixListOwner::Account,
                entries: req.entries,
                max_entries: req.max_entries,
                version: 1,
                tags: req.tags,
                deleted: false,
            },
        ))
    }
}

/// E5: entries fit the bound and name each CIDR once.
fn check_entries(op: &str, entries: &[PrefixListEntry], max_entries: u32) -> ApiResult<()> {
    if entries.len() > max_entries as usize {
        return Err(ApiError::new(
            op,
            "PrefixListMaxEntriesExceeded",
            format!(
                "The prefix list has {} entries, more than its maximum of {max_entries}. Raise --max-entries or remove entries.",
                entries.len()
            ),
        ));
    }
    let mut seen: Vec<Cidr> = Vec::with_capacity(entries.len());
    for e in entries {
        if seen.contains(&e.cidr) {
            return Err(ApiError::new(
                op,
                "InvalidRequest",
                format!("The CIDR {} is given more than once in the prefix list entries", e.cidr),
            ));
        }
        seen.push(e.cidr);
    }
    Ok(())
}

/// A hash that is the same on every run and platform (FNV-1a), for ids that must not
/// depend on the seed.
pub(crate) fn stable_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
}

impl World {
    /// CreateRoute with `--destination-prefix-list-id` (E5): one route per entry of a
    /// customer-managed list, so longest prefix match runs over the entries (R3). AWS's
    /// own lists are routed by gateway endpoints only.
    pub fn create_prefix_list_route(
        &mut self,
        table: RouteTableId,
        pl: PrefixListId,
        target: &crate::ops::vpc::RouteTargetSpec,
    ) -> ApiResult<()> {
        const OP: &str = "CreateRoute";
        if self.prefix_lists[pl].owner == PrefixListOwner::Aws {
            return Err(ApiError::new(
                OP,
                "InvalidParameterValue",
                format!(
                    "{} is an AWS-managed prefix list: a gateway endpoint adds its route (create-vpc-endpoint --vpc-endpoint-type Gateway --route-table-ids ...)",
                    self.prefix_lists[pl].aws_id
                ),
            ));
        }
        let target = self.resolve_target(OP, table, target)?;
        self.insert_prefix_list_routes(OP, table, pl, target)
    }

    /// E1/E5: add a route to `target` for every entry of `pl`, after checking the table
    /// has none for the list yet and that the entries fit the route quota (a list counts
    /// its maximum entries, as AWS counts it). An entry whose block already has a route
    /// keeps that route: a static route wins over a prefix-list route to the same block.
    pub(crate) fn insert_prefix_list_routes(
        &mut self,
        op: &str,
        table: RouteTableId,
        pl: PrefixListId,
        target: RouteTarget,
    ) -> ApiResult<()> {
        self.check_prefix_list_route(op, table, pl)?;
        let list = &self.prefix_lists[pl];
        let routes: Vec<Route> = list
            .cidrs()
            .map(|destination| Route {
                destination,
                prefix_list: Some(pl),
                target: target.clone(),
                origin: RouteOrigin::CreateRoute,
            })
            .collect();
        let rt = &mut self.route_tables[table];
        for r in routes {
            rt.insert(r);
        }
        Ok(())
    }

    /// The checks of [`World::insert_prefix_list_routes`], which change nothing.
    pub(crate) fn check_prefix_list_route(
        &self,
        op: &str,
        table: RouteTableId,
        pl: PrefixListId,
    ) -> ApiResult<()> {
        let rt = &self.route_tables[table];
        let list = &self.prefix_lists[pl];
        if rt.routes.iter().any(|r| r.prefix_list == Some(pl)) {
            return Err(ApiError::new(
                op,
                "RouteAlreadyExists",
                format!("The route identified by {} already exists in {}.", list.aws_id, rt.aws_id),
            ));
        }
        let own = rt.routes.iter().filter(|r| r.origin != RouteOrigin::CreateRouteTable).count();
        self.quotas.check(Quota::RoutesPerTable, op, own + list.max_entries as usize)
    }

    /// DeleteRoute with `--destination-prefix-list-id`: every entry's route of that list;
    /// a gateway endpoint's route goes only with the endpoint (or its table list).
    pub fn delete_prefix_list_route(&mut self, table: RouteTableId, pl: PrefixListId) -> ApiResult<()> {
        const OP: &str = "DeleteRoute";
        let rt = &self.route_tables[table];
        let Some(route) = rt.routes.iter().find(|r| r.prefix_list == Some(pl)) else {
            return Err(ApiError::new(
                OP,
                "InvalidRoute.NotFound",
                format!(
                    "no route with destination-prefix-list-id {} in route table {}",
                    self.prefix_lists[pl].aws_id, rt.aws_id
                ),
            ));
        };
        if let RouteTarget::GatewayEndpoint(g) = route.target {
            return Err(ApiError::new(
                OP,
                "InvalidParameterValue",
                format!(
                    "the route to {} belongs to gateway endpoint {}: delete the endpoint or remove the table from it",
                    self.prefix_lists[pl].aws_id, self.gateway_endpoints[g].aws_id
                ),
            ));
        }
        self.remove_prefix_list_routes(table, pl);
        Ok(())
    }

    /// Remove every route of list `pl` from `table`.
    pub(crate) fn remove_prefix_list_routes(&mut self, table: RouteTableId, pl: PrefixListId) {
        let rt = &mut self.route_tables[table];
        while let Some(pos) = rt.routes.iter().position(|r| r.prefix_list == Some(pl)) {
            rt.routes.remove(pos);
        }
    }
}

impl World {
    /// ReplaceRoute with `--destination-prefix-list-id`: a new target for every entry's route.
    pub fn replace_prefix_list_route(
        &mut self,
        table: RouteTableId,
        pl: PrefixListId,
        target: &crate::ops::vpc::RouteTargetSpec,
    ) -> ApiResult<()> {
        const OP: &str = "ReplaceRoute";
        let target = self.resolve_target(OP, table, target)?;
        let rt = &self.route_tables[table];
        let current = rt.routes.iter().find(|r| r.prefix_list == Some(pl)).map(|r| &r.target);
        match current {
            None => {
                return Err(ApiError::new(
                    OP,
                    "InvalidRoute.NotFound",
                    format!(
                        "no route with destination-prefix-list-id {} in route table {}",
                        self.prefix_lists[pl].aws_id, rt.aws_id
                    ),
                ))
            }
            Some(RouteTarget::GatewayEndpoint(g)) => {
                return Err(ApiError::new(
                    OP,
                    "InvalidParameterValue",
                    format!("the route belongs to gateway endpoint {}", self.gateway_endpoints[*g].aws_id),
                ))
            }
            Some(_) => {}
        }
        let blocks: Vec<Cidr> =
            rt.routes.iter().filter(|r| r.prefix_list == Some(pl)).map(|r| r.destination).collect();
        let rt = &mut self.route_tables[table];
        for b in blocks {
            if let Some(slot) = rt.target_mut(b) {
                *slot = target.clone();
            }
        }
        Ok(())
    }
}

impl World {
    /// DeleteManagedPrefixList: refused while a route or a security group rule uses it, as AWS refuses it.
    pub fn delete_managed_prefix_list(&mut self, pl: PrefixListId) -> ApiResult<()> {
        const OP: &str = "DeleteManagedPrefixList";
        let in_route =
            self.route_tables.live().any(|(_, t)| t.routes.iter().any(|r| r.prefix_list == Some(pl)));
        let in_rule = self.sgs.live().any(|(_, g)| {
            let uses = |r: &crate::model::security_group::SgRule| {
                r.peer == crate::model::security_group::Peer::PrefixList(pl)
            };
            g.ingress.iter().any(uses) || g.egress.iter().any(uses)
        });
        if in_route || in_rule {
            return Err(ApiError::new(
                OP,
                "DependencyViolation",
                format!(
                    "The prefix list {} is in use by a route or a security group rule and cannot be deleted",
                    self.prefix_lists[pl].aws_id
                ),
            ));
        }
        self.prefix_lists[pl].deleted = true;
        Ok(())
    }
}
