//! The list type.
//!
//! For now a list is a double-ended queue of byte strings, which gives O(1)
//! pushes and pops at both ends and O(1) indexing. `OBJECT ENCODING`
//! reports `quicklist`, the only list encoding Redis 7.0 reports. The
//! compact encodings (listpack for small lists, a quicklist of listpack
//! nodes for large ones, bounded by `list-max-listpack-size`) replace this
//! representation in the data-types issue without changing this API.

use std::collections::VecDeque;

/// Which end of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The head (index 0).
    Left,
    /// The tail.
    Right,
}

/// A list value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct List {
    items: VecDeque<Box<[u8]>>,
}

impl List {
    /// An empty list.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when the list has no elements (such a list is never stored).
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The `OBJECT ENCODING` name.
    pub fn encoding(&self) -> &'static str {
        "quicklist"
    }

    /// Pushes an element at one end.
    pub fn push(&mut self, end: End, v: &[u8]) {
        match end {
            End::Left => self.items.push_front(v.into()),
            End::Right => self.items.push_back(v.into()),
        }
    }

    /// Pops an element from one end.
    pub fn pop(&mut self, end: End) -> Option<Box<[u8]>> {
        match end {
            End::Left => self.items.pop_front(),
            End::Right => self.items.pop_back(),
        }
    }

    /// Elements `start..=end` (already clamped to the list).
    pub fn range(&self, start: usize, end: usize) -> impl Iterator<Item = &[u8]> {
        self.items.range(start..=end).map(|b| &b[..])
    }

    /// Heap bytes held.
    pub fn heap_size(&self) -> usize {
        self.items.iter().map(|b| b.len() + 16).sum::<usize>() + self.items.capacity() * 16
    }
}
