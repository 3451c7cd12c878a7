//! The sorted set type (placeholder; the data-types issue replaces this with
//! the listpack / skiplist encodings behind the same kind of API).

/// A sorted set value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ZSet {
    members: Vec<(Box<[u8]>, f64)>,
}

impl ZSet {
    /// An empty sorted set.
    pub fn new() -> Self {
        Self::default()
    }
    /// Number of members.
    pub fn len(&self) -> usize {
        self.members.len()
    }
    /// True when empty (an empty sorted set is never stored).
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }
    /// The `OBJECT ENCODING` name.
    pub fn encoding(&self) -> &'static str {
        "listpack"
    }
    /// Heap bytes held.
    pub fn heap_size(&self) -> usize {
        self.members.iter().map(|(m, _)| m.len() + 24).sum()
    }
}
