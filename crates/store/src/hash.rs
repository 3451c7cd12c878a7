//! The hash type (placeholder; the data-types issue replaces this with the
//! listpack / hashtable encodings behind the same kind of API).

/// A hash value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hash {
    fields: Vec<(Box<[u8]>, Box<[u8]>)>,
}

impl Hash {
    /// An empty hash.
    pub fn new() -> Self {
        Self::default()
    }
    /// Number of fields.
    pub fn len(&self) -> usize {
        self.fields.len()
    }
    /// True when empty (an empty hash is never stored).
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }
    /// The `OBJECT ENCODING` name.
    pub fn encoding(&self) -> &'static str {
        "listpack"
    }
    /// Heap bytes held.
    pub fn heap_size(&self) -> usize {
        self.fields.iter().map(|(f, v)| f.len() + v.len() + 32).sum()
    }
}
