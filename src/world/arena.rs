//! Typed arenas: the storage of one kind of resource, addressed by its small typed
//! handle ([`crate::ids::VpcId`], ...). An arena only grows: a deleted resource keeps
//! its slot (and so its handle and AWS id stay valid) and is skipped by [`Arena::live`].
//! During a transaction ([`crate::world::World::transaction`]) an arena keeps the first
//! old value of every resource it hands out mutably, so that rolling back costs what the
//! transaction touched, not what the arena holds.

use std::fmt;
use std::marker::PhantomData;
use std::ops::{Index, IndexMut};

use rustc_hash::FxHashSet;

use super::{Handle, IdIndex};
use crate::ids::ArenaId;

/// A resource known by an AWS id (or ARN): the key of the world's id index.
pub trait AwsId {
    /// `vpc-...`, `arn:aws:...`, `eipalloc-...`.
    fn aws_id(&self) -> &str;
}

/// Whether a resource still exists (not deleted, not terminated).
pub trait Live {
    /// `false` once the resource is deleted or terminated; its slot is kept for its id.
    fn is_live(&self) -> bool;
}

/// The resources of one kind, in creation order, addressed by handle `I`.
pub struct Arena<I, T> {
    items: Vec<T>,
    undo: Option<Box<Undo<T>>>,
    /// Since [`Arena::watch`]: the length then and the old value of every resource changed.
    watch: Option<Box<Undo<T>>>,
    id: PhantomData<fn() -> I>,
}

/// What an open transaction needs to put an arena back: its length when it began and the
/// old value of every older resource changed since.
#[derive(Clone)]
struct Undo<T> {
    len: usize,
    saved: Vec<(usize, T)>,
    touched: FxHashSet<usize>,
}

impl<I: ArenaId, T> Arena<I, T> {
    /// An empty arena.
    pub fn new() -> Arena<I, T> {
        Arena { items: Vec::new(), undo: None, watch: None, id: PhantomData }
    }

    /// The handle the next [`Arena::push`] will return.
    #[inline]
    pub fn next_id(&self) -> I {
        I::from_index(self.items.len())
    }

    /// Adds a resource and returns its handle. Private: [`Arena::insert`] is the way in,
    /// so that no resource misses the id index.
    #[inline]
    fn push(&mut self, item: T) -> I {
        let id = self.next_id();
        self.items.push(item);
        id
    }

    /// Adds a resource and registers its AWS id in `index`; its handle.
    pub(super) fn insert(&mut self, index: &mut IdIndex, handle: fn(I) -> Handle, item: T) -> I
    where
        T: AwsId,
    {
        index.register(item.aws_id(), handle(self.next_id()));
        self.push(item)
    }

    /// The number of resources ever created (deleted ones included).
    #[inline]
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether no resource of this kind was ever created.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The resource behind `id`, if it was created in this arena.
    #[inline]
    pub fn get(&self, id: I) -> Option<&T> {
        self.items.get(id.index())
    }

    /// Whether `id` names a resource of this arena.
    #[inline]
    pub fn contains(&self, id: I) -> bool {
        id.index() < self.items.len()
    }

    /// Every handle, in creation order (deleted ones included).
    pub fn ids(&self) -> impl DoubleEndedIterator<Item = I> + ExactSizeIterator + Clone + use<I, T> {
        (0..self.items.len()).map(I::from_index)
    }

    /// Every resource with its handle, in creation order (deleted ones included).
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (I, &T)> + ExactSizeIterator + Clone {
        self.items.iter().enumerate().map(|(i, t)| (I::from_index(i), t))
    }

    /// Every resource, in creation order (deleted ones included).
    pub fn values(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }

    /// The first resource created.
    pub fn first(&self) -> Option<&T> {
        self.items.first()
    }

    /// The last resource created.
    pub fn last(&self) -> Option<&T> {
        self.items.last()
    }
}

impl<I: ArenaId, T: Clone> Arena<I, T> {
    /// The resource behind `id`, mutably.
    #[inline]
    pub fn get_mut(&mut self, id: I) -> Option<&mut T> {
        let i = id.index();
        if i < self.items.len() {
            self.keep(i);
        }
        self.items.get_mut(i)
    }

    /// Every resource mutably, in creation order.
    pub fn values_mut(&mut self) -> std::slice::IterMut<'_, T> {
        for i in 0..self.items.len() {
            self.keep(i);
        }
        self.items.iter_mut()
    }

    /// Starts remembering changes: [`Arena::rollback`] returns to this point.
    pub(crate) fn begin(&mut self) {
        self.undo =
            Some(Box::new(Undo { len: self.items.len(), saved: Vec::new(), touched: FxHashSet::default() }));
    }

    /// Keeps the changes made since [`Arena::begin`].
    pub(crate) fn commit(&mut self) {
        self.undo = None;
    }

    /// Puts back every resource changed since [`Arena::begin`] and drops those added since.
    pub(crate) fn rollback(&mut self) {
        let Some(undo) = self.undo.take() else { return };
        self.items.truncate(undo.len);
        for (i, old) in undo.saved {
            self.items[i] = old;
        }
    }

    /// In a transaction, and while watched, the old value of resource `i` the first time
    /// it may change.
    #[inline]
    fn keep(&mut self, i: usize) {
        for log in [self.undo.as_deref_mut(), self.watch.as_deref_mut()].into_iter().flatten() {
            if i < log.len && log.touched.insert(i) {
                log.saved.push((i, self.items[i].clone()));
            }
        }
    }

    /// Starts (or starts again) noting the resources created or handed out mutably.
    pub(crate) fn watch(&mut self) {
        self.watch =
            Some(Box::new(Undo { len: self.items.len(), saved: Vec::new(), touched: FxHashSet::default() }));
    }

    /// Since [`Arena::watch`], every resource that may have changed with its old value, in
    /// the order first changed, then every resource created, with none; nothing when not
    /// watched. (A resource a rolled-back transaction changed may be listed unchanged.)
    pub(crate) fn watched(&self) -> impl Iterator<Item = (I, Option<&T>)> {
        let (changed, created) = match self.watch.as_deref() {
            Some(log) => (log.saved.as_slice(), log.len.min(self.items.len())..self.items.len()),
            None => (&[][..], 0..0),
        };
        let changed =
            changed.iter().filter(|(i, _)| *i < self.items.len()).map(|(i, t)| (I::from_index(*i), Some(t)));
        changed.chain(created.map(|i| (I::from_index(i), None)))
    }
}

impl<I: ArenaId, T: Live> Arena<I, T> {
    /// Every resource that still exists, with its handle, in creation order.
    pub fn live(&self) -> impl DoubleEndedIterator<Item = (I, &T)> + Clone {
        self.iter().filter(|(_, t)| t.is_live())
    }
}

impl<I: ArenaId, T> Default for Arena<I, T> {
    fn default() -> Self {
        Arena::new()
    }
}

impl<I, T: Clone> Clone for Arena<I, T> {
    fn clone(&self) -> Self {
        Arena {
            items: self.items.clone(),
            undo: self.undo.clone(),
            watch: self.watch.clone(),
            id: PhantomData,
        }
    }
}

impl<I, T: fmt::Debug> fmt::Debug for Arena<I, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(&self.items).finish()
    }
}

impl<I: ArenaId, T> Index<I> for Arena<I, T> {
    type Output = T;

    #[inline]
    fn index(&self, id: I) -> &T {
        &self.items[id.index()]
    }
}

impl<I: ArenaId, T: Clone> IndexMut<I> for Arena<I, T> {
    #[inline]
    fn index_mut(&mut self, id: I) -> &mut T {
        let i = id.index();
        if i < self.items.len() {
            self.keep(i);
        }
        &mut self.items[i]
    }
}

impl<'a, I: ArenaId, T> IntoIterator for &'a Arena<I, T> {
    type Item = (I, &'a T);
    type IntoIter =
        std::iter::Map<std::iter::Enumerate<std::slice::Iter<'a, T>>, fn((usize, &'a T)) -> (I, &'a T)>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.iter().enumerate().map(|(i, t)| (I::from_index(i), t))
    }
}
