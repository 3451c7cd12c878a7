//! Keyspace keys: binary strings of 16 bytes that hold short keys inline.
//!
//! Every key of the keyspace is stored in a table node (and again in the
//! expires table when it has a TTL). A `Box<[u8]>` is 16 bytes plus a heap
//! allocation of at least 16 bytes (jemalloc's smallest class above 8), and
//! the allocation costs a cache miss whenever the key's bytes are compared.
//! [`Key`] is the same 16 bytes, but a key of up to 15 bytes lives in them:
//! no allocation at all. Typical cache keys (`user:1234`, `session:ab12`,
//! `key:0000000042`) are that short; longer keys (Celery's
//! `celery-task-meta-<uuid>`) are boxed as before.
//!
//! Layout (little-endian): inline, bytes 0..15 hold the key and byte 15 its
//! length (0..=15, top bit clear); boxed, the first word is the pointer and
//! the second the length with its top bit set, which is byte 15's top bit.

use std::borrow::Borrow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::ptr::NonNull;

#[cfg(not(target_endian = "little"))]
compile_error!("hematite_store::Key assumes a little-endian target");

/// Longest key stored inline.
pub const INLINE_MAX: usize = 15;

const HEAP_FLAG: usize = 1 << (usize::BITS - 1);

#[repr(C)]
#[derive(Clone, Copy)]
struct Boxed {
    ptr: NonNull<u8>,
    len_flagged: usize,
}

#[repr(C)]
union Repr {
    inline: [u8; 16],
    boxed: Boxed,
}

/// An owned, binary-safe key (see the module documentation).
pub struct Key(Repr);

// SAFETY: a Key owns its bytes like a Box<[u8]>; nothing is shared.
unsafe impl Send for Key {}
// SAFETY: as above; `&Key` only gives `&[u8]`.
unsafe impl Sync for Key {}

impl Key {
    /// A key holding `bytes`.
    #[inline]
    pub fn new(bytes: &[u8]) -> Key {
        if bytes.len() <= INLINE_MAX {
            let mut inline = [0u8; 16];
            inline[..bytes.len()].copy_from_slice(bytes);
            inline[15] = bytes.len() as u8;
            Key(Repr { inline })
        } else {
            Key::from_box(bytes.into())
        }
    }

    fn from_box(b: Box<[u8]>) -> Key {
        if b.len() <= INLINE_MAX {
            return Key::new(&b);
        }
        let len = b.len();
        let ptr = NonNull::new(Box::into_raw(b) as *mut u8).expect("Box pointers are not null");
        Key(Repr { boxed: Boxed { ptr, len_flagged: len | HEAP_FLAG } })
    }

    #[inline]
    fn is_boxed(&self) -> bool {
        // SAFETY: byte 15 is initialised in both representations.
        unsafe { self.0.inline[15] & 0x80 != 0 }
    }

    /// The key's bytes.
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        // SAFETY: the representation is the one `is_boxed` says; a boxed
        // key's pointer and length come from a live Box<[u8]> it owns.
        unsafe {
            if self.is_boxed() {
                let b = self.0.boxed;
                std::slice::from_raw_parts(b.ptr.as_ptr(), b.len_flagged & !HEAP_FLAG)
            } else {
                let len = self.0.inline[15] as usize;
                &self.0.inline[..len]
            }
        }
    }

    /// True when the key's bytes are on the heap (longer than
    /// [`INLINE_MAX`]).
    pub fn is_heap(&self) -> bool {
        self.is_boxed()
    }
}

impl Drop for Key {
    fn drop(&mut self) {
        if self.is_boxed() {
            // SAFETY: a boxed key owns the Box<[u8]> it was built from.
            unsafe {
                let b = self.0.boxed;
                let len = b.len_flagged & !HEAP_FLAG;
                drop(Box::from_raw(std::ptr::slice_from_raw_parts_mut(b.ptr.as_ptr(), len)));
            }
        }
    }
}

impl Clone for Key {
    #[inline]
    fn clone(&self) -> Key {
        if self.is_boxed() {
            Key::from_box(self.as_bytes().into())
        } else {
            // SAFETY: inline keys are plain bytes.
            Key(Repr { inline: unsafe { self.0.inline } })
        }
    }
}

impl Deref for Key {
    type Target = [u8];
    #[inline]
    fn deref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl AsRef<[u8]> for Key {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl Borrow<[u8]> for Key {
    #[inline]
    fn borrow(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl Hash for Key {
    /// Hashes exactly as `[u8]` does, so tables keyed by `Key` can be
    /// searched with a `&[u8]`.
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state)
    }
}

impl PartialEq for Key {
    #[inline]
    fn eq(&self, other: &Key) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for Key {}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Key) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Key {
    fn cmp(&self, other: &Key) -> std::cmp::Ordering {
        self.as_bytes().cmp(other.as_bytes())
    }
}

impl PartialEq<[u8]> for Key {
    fn eq(&self, other: &[u8]) -> bool {
        self.as_bytes() == other
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(self.as_bytes()))
    }
}

impl From<&[u8]> for Key {
    #[inline]
    fn from(b: &[u8]) -> Key {
        Key::new(b)
    }
}

impl<const N: usize> From<&[u8; N]> for Key {
    fn from(b: &[u8; N]) -> Key {
        Key::new(b)
    }
}

impl From<Vec<u8>> for Key {
    fn from(v: Vec<u8>) -> Key {
        if v.len() <= INLINE_MAX {
            Key::new(&v)
        } else {
            Key::from_box(v.into_boxed_slice())
        }
    }
}

impl From<Box<[u8]>> for Key {
    fn from(b: Box<[u8]>) -> Key {
        Key::from_box(b)
    }
}

impl From<&Key> for Key {
    fn from(k: &Key) -> Key {
        k.clone()
    }
}

impl From<Key> for Vec<u8> {
    fn from(k: Key) -> Vec<u8> {
        k.as_bytes().to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::hash_map::DefaultHasher;

    fn h<T: Hash + ?Sized>(t: &T) -> u64 {
        let mut s = DefaultHasher::new();
        t.hash(&mut s);
        s.finish()
    }

    #[test]
    fn inline_and_boxed_keys_behave_like_byte_strings() {
        assert_eq!(std::mem::size_of::<Key>(), 16);
        assert_eq!(std::mem::size_of::<Option<Key>>(), 24);
        for len in [0usize, 1, 14, 15, 16, 17, 100, 5000] {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 % 256) as u8).collect();
            let k = Key::new(&bytes);
            assert_eq!(k.as_bytes(), &bytes[..]);
            assert_eq!(k.is_heap(), len > INLINE_MAX);
            let c = k.clone();
            assert_eq!(c, k);
            assert_eq!(&*c, &bytes[..]);
            assert_eq!(h(&k), h(&bytes[..]), "Borrow<[u8]> needs equal hashes");
            assert_eq!(Key::from(bytes.clone()), k);
            assert_eq!(Key::from(bytes.clone().into_boxed_slice()), k);
            assert_eq!(Vec::from(k), bytes);
        }
        // Bytes with the top bit set in the last inline position.
        let k = Key::new(&[0xFF; 15]);
        assert!(!k.is_heap());
        assert_eq!(k.as_bytes(), &[0xFF; 15]);
        assert!(Key::new(b"a") < Key::new(b"b"));
    }
}
