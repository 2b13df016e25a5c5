//! Transactions on a world: [`World::transaction`] runs a sequence of control-plane
//! calls (a whole stack) and, when it fails, puts the world back exactly as it was
//! without cloning it. Arenas keep the old value of what they hand out mutably, the
//! indexes ([`UndoMap`]) log what they overwrite, and the few scalars (id streams, clock,
//! quotas) are saved whole, so both success and rollback cost what the calls touched.

use std::collections::hash_map::Entry;
use std::fmt;
use std::hash::Hash;

use rustc_hash::FxHashMap;

use super::World;

/// A hash map that, during a transaction, logs each entry it overwrites or removes so that
/// [`UndoMap::rollback`] restores it. Its `Debug` lists entries by key, so two maps with
/// the same entries print the same whatever their history.
#[derive(Clone)]
pub(crate) struct UndoMap<K, V> {
    map: FxHashMap<K, V>,
    log: Option<Vec<(K, Option<V>)>>,
}

impl<K, V> Default for UndoMap<K, V> {
    fn default() -> Self {
        UndoMap { map: FxHashMap::default(), log: None }
    }
}

impl<K: Hash + Eq + Clone, V: Clone> UndoMap<K, V> {
    /// The value under `key`.
    #[inline]
    pub(crate) fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.map.get(key)
    }

    /// Whether `key` has a value.
    #[inline]
    pub(crate) fn contains_key(&self, key: &K) -> bool {
        self.map.contains_key(key)
    }

    /// How many entries there are.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }

    /// Every value, in no particular order.
    #[cfg(test)]
    pub(crate) fn values(&self) -> impl Iterator<Item = &V> {
        self.map.values()
    }

    /// Sets `key` to `value`, returning the old value.
    pub(crate) fn insert(&mut self, key: K, value: V) -> Option<V> {
        let old = self.map.insert(key.clone(), value);
        if let Some(log) = &mut self.log {
            log.push((key, old.clone()));
        }
        old
    }

    /// Sets `key` to `value` unless it has one; returns whether it was set.
    pub(crate) fn insert_new(&mut self, key: K, value: V) -> bool {
        match self.map.entry(key) {
            Entry::Occupied(_) => false,
            Entry::Vacant(slot) => {
                if let Some(log) = &mut self.log {
                    log.push((slot.key().clone(), None));
                }
                slot.insert(value);
                true
            }
        }
    }

    /// Removes `key`, returning its value.
    pub(crate) fn remove(&mut self, key: &K) -> Option<V> {
        let old = self.map.remove(key);
        if let (Some(log), Some(v)) = (&mut self.log, &old) {
            log.push((key.clone(), Some(v.clone())));
        }
        old
    }

    pub(super) fn begin(&mut self) {
        self.log = Some(Vec::new());
    }

    pub(super) fn commit(&mut self) {
        self.log = None;
    }

    pub(super) fn rollback(&mut self) {
        for (key, old) in self.log.take().into_iter().flatten().rev() {
            match old {
                Some(v) => self.map.insert(key, v),
                None => self.map.remove(&key),
            };
        }
    }
}

impl<K: fmt::Debug + Ord, V: fmt::Debug> fmt::Debug for UndoMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut entries: Vec<_> = self.map.iter().collect();
        entries.sort_by(|a, b| a.0.cmp(b.0));
        f.debug_map().entries(entries).finish()
    }
}

/// The scalars a transaction saves whole.
struct Saved {
    ids: super::IdGen,
    connections: super::IdGen,
    now_ms: u64,
    quotas: crate::quota::Quotas,
    caller: String,
}

/// Applies `$method` to every arena and index of a world.
macro_rules! each_store {
    ($w:expr, $method:ident) => {{
        let w = $w;
        w.vpcs.$method();
        w.subnets.$method();
        w.route_tables.$method();
        w.igws.$method();
        w.eigws.$method();
        w.sgs.$method();
        w.nacls.$method();
        w.enis.$method();
        w.instances.$method();
        w.eips.$method();
        w.lbs.$method();
        w.listeners.$method();
        w.target_groups.$method();
        w.services.$method();
        w.endpoints.$method();
        w.nat_gateways.$method();
        w.peerings.$method();
        w.prefix_lists.$method();
        w.gateway_endpoints.$method();
        w.launch_templates.$method();
        w.auto_scaling_groups.$method();
        w.insights_paths.$method();
        w.insights_analyses.$method();
        w.access_scopes.$method();
        w.access_scope_analyses.$method();
        w.hosted_zones.$method();
        w.dhcp_options.$method();
        w.connection_notifications.$method();
        w.flow_logs.$method();
        w.log_groups.$method();
        w.by_aws_id.by_hash.$method();
        w.by_aws_id.spill.$method();
        w.members.$method();
        w.eip_addresses.$method();
        w.subnets_by_address.$method();
        w.dns_names.$method();
        w.links.$method();
    }};
}

impl World {
    /// Runs `calls` on this world as one unit: when they fail, every change they made is
    /// undone (resources, indexes, id streams, clock, quotas), as CloudFormation rolls a
    /// failed stack back. The cost is that of the changes, not of the world: nothing is
    /// cloned but the old values of the resources the calls change. A transaction inside
    /// another falls back to a copy of the world.
    pub fn transaction<T, E>(&mut self, calls: impl FnOnce(&mut World) -> Result<T, E>) -> Result<T, E> {
        if self.in_transaction {
            let snapshot = self.clone();
            let result = calls(self);
            if result.is_err() {
                *self = snapshot;
            }
            return result;
        }
        let saved = Saved {
            ids: self.ids.clone(),
            connections: self.connections.clone(),
            now_ms: self.now_ms,
            quotas: self.quotas.clone(),
            caller: self.caller.clone(),
        };
        self.in_transaction = true;
        each_store!(&mut *self, begin);
        let result = calls(self);
        self.in_transaction = false;
        if result.is_ok() {
            each_store!(&mut *self, commit);
        } else {
            each_store!(&mut *self, rollback);
            self.ids = saved.ids;
            self.connections = saved.connections;
            self.now_ms = saved.now_ms;
            self.quotas = saved.quotas;
            self.caller = saved.caller;
        }
        result
    }
}
