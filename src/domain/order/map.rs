//! Every order the pool holds, keyed by its own [`OrderKey`]: a table of the shared orders
//! themselves rather than a map from a copy of the key, so each order costs the table one pointer
//! (8 bytes at its load) instead of a 48-byte key beside it, and growing the table moves pointers.
//! An order's key never changes once it is in the table (nothing writes `Order::key`).

use super::record::{Order, OrderKey};
use hashbrown::HashTable;
use std::hash::BuildHasher;
use std::sync::Arc;

/// The pool's orders, found by key.
#[derive(Clone, Default)]
pub struct OrderMap {
    table: HashTable<Arc<Order>>,
    hasher: foldhash::fast::RandomState,
}

impl std::fmt::Debug for OrderMap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrderMap")
            .field("len", &self.table.len())
            .finish()
    }
}

impl OrderMap {
    fn hash(&self, key: &OrderKey) -> u64 {
        self.hasher.hash_one(key)
    }

    pub fn len(&self) -> usize {
        self.table.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// Makes room for `additional` more orders at once.
    pub fn reserve(&mut self, additional: usize) {
        let hasher = &self.hasher;
        self.table.reserve(additional, |o| hasher.hash_one(&o.key));
    }

    pub fn get(&self, key: &OrderKey) -> Option<&Arc<Order>> {
        self.table.find(self.hash(key), |o| o.key == *key)
    }

    /// The order to change; its key must stay as it is.
    pub fn get_mut(&mut self, key: &OrderKey) -> Option<&mut Arc<Order>> {
        let hash = self.hash(key);
        self.table.find_mut(hash, |o| o.key == *key)
    }

    /// The order of `key`, made by `new` when there is none.
    pub fn get_or_insert_with(
        &mut self,
        key: &OrderKey,
        new: impl FnOnce() -> Arc<Order>,
    ) -> &mut Arc<Order> {
        let hash = self.hash(key);
        let hasher = &self.hasher;
        self.table
            .entry(hash, |o| o.key == *key, |o| hasher.hash_one(&o.key))
            .or_insert_with(new)
            .into_mut()
    }

    /// Puts `order` in under its key, answering the one it replaces.
    pub fn insert(&mut self, order: Arc<Order>) -> Option<Arc<Order>> {
        let hash = self.hash(&order.key);
        let hasher = &self.hasher;
        match self
            .table
            .entry(hash, |o| o.key == order.key, |o| hasher.hash_one(&o.key))
        {
            hashbrown::hash_table::Entry::Occupied(mut e) => {
                Some(std::mem::replace(e.get_mut(), order))
            }
            hashbrown::hash_table::Entry::Vacant(e) => {
                e.insert(order);
                None
            }
        }
    }

    pub fn remove(&mut self, key: &OrderKey) -> Option<Arc<Order>> {
        let hash = self.hash(key);
        match self.table.find_entry(hash, |o| o.key == *key) {
            Ok(e) => Some(e.remove().0),
            Err(_) => None,
        }
    }

    /// Every order, in no order.
    pub fn values(&self) -> impl Iterator<Item = &Arc<Order>> {
        self.table.iter()
    }
}

impl std::ops::Index<&OrderKey> for OrderMap {
    type Output = Arc<Order>;

    fn index(&self, key: &OrderKey) -> &Arc<Order> {
        self.get(key).expect("an order the pool holds")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(channel: &str, id: &str) -> OrderKey {
        OrderKey {
            channel: channel.into(),
            order_id: id.into(),
        }
    }

    #[test]
    fn finds_replaces_and_removes_orders_by_their_own_key() {
        let mut map = OrderMap::default();
        assert!(map.is_empty());
        for i in 0..1_000 {
            assert!(
                map.insert(Arc::new(Order::new(key("dy", &i.to_string()))))
                    .is_none()
            );
        }
        // The same order id on another channel is another order.
        map.get_or_insert_with(&key("ks", "7"), || Arc::new(Order::new(key("ks", "7"))));
        assert_eq!(map.len(), 1_001);
        assert_eq!(map[&key("dy", "7")].key, key("dy", "7"));
        assert_eq!(map[&key("ks", "7")].key, key("ks", "7"));

        let mut paid = Order::new(key("dy", "7"));
        paid.presale = true;
        let old = map.insert(Arc::new(paid)).expect("replaces the one there");
        assert!(!old.presale);
        assert!(map[&key("dy", "7")].presale);
        let found = map.get_or_insert_with(&key("dy", "7"), || unreachable!("it is there"));
        Arc::make_mut(found).presale = false;
        assert!(!map[&key("dy", "7")].presale);

        assert!(map.remove(&key("dy", "7")).is_some());
        assert!(map.remove(&key("dy", "7")).is_none());
        assert!(map.get(&key("dy", "7")).is_none());
        assert_eq!(map.len(), 1_000);
        map.reserve(10_000);
        assert_eq!(map.values().count(), 1_000);
        assert!(map.get(&key("dy", "999")).is_some());
    }
}
