//! The set type (placeholder; the data-types issue replaces this with the
//! intset / hashtable encodings behind the same kind of API).

/// A set value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Set {
    members: Vec<Box<[u8]>>,
}

impl Set {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }
    /// Number of members.
    pub fn len(&self) -> usize {
        self.members.len()
    }
    /// True when empty (an empty set is never stored).
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }
    /// The `OBJECT ENCODING` name.
    pub fn encoding(&self) -> &'static str {
        "hashtable"
    }
    /// True if `member` is in the set.
    pub fn contains(&self, member: &[u8]) -> bool {
        self.members.iter().any(|m| &m[..] == member)
    }
    /// Calls `f` with every member (in no particular order).
    pub fn for_each(&self, mut f: impl FnMut(&[u8])) {
        for m in &self.members {
            f(m);
        }
    }
    /// Heap bytes held.
    pub fn heap_size(&self) -> usize {
        self.members.iter().map(|m| m.len() + 16).sum()
    }
}
