//! The global allocator: jemalloc, with a running count of the bytes the
//! process holds (`used_memory`).
//!
//! Redis's `zmalloc` keeps an atomic counter of every allocation's usable
//! size; `used_memory` and the `maxmemory` check read it. Asking jemalloc
//! for `stats.allocated` instead would be as exact, but it needs an epoch
//! refresh that merges every arena's statistics, which is far too slow to do
//! before each command. So [`Counting`] wraps jemalloc and counts:
//!
//! - each allocation is counted at its jemalloc *size class* (the bytes it
//!   really occupies), computed with a few instructions from jemalloc's
//!   class spacing (8, then steps of 16 up to 128, then four classes per
//!   doubling), so the count follows `stats.allocated` closely;
//! - each thread adds to a thread-local delta, and only when that delta
//!   passes ±16 KiB does it reach the shared atomic. The request path thus
//!   pays a thread-local add, not a contended atomic, per allocation. The
//!   shared figure lags by at most 16 KiB per thread; [`used_memory_here`]
//!   adds the calling thread's own delta, which makes the before/after
//!   difference the eviction loop measures around a deletion exact.
//!
//! Everything the process allocates through Rust's allocator is counted:
//! keys, values, tables, client query and output buffers, the AOF buffer,
//! Lua. That is what Redis counts too (its client buffers are zmalloc'ed).

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::sync::atomic::{AtomicIsize, Ordering};

/// Bytes held, as flushed by all threads.
static USED: AtomicIsize = AtomicIsize::new(0);

/// A thread's delta is published once it reaches this many bytes.
const FLUSH_AT: isize = 16 * 1024;

thread_local! {
    // No destructor: the allocator may run while a thread is torn down.
    static LOCAL: Cell<isize> = const { Cell::new(0) };
}

/// jemalloc's size class for a request of `size` bytes (default build:
/// 16-byte quantum, four classes per power of two above 128).
#[inline]
pub fn size_class(size: usize) -> usize {
    if size <= 8 {
        return 8;
    }
    if size <= 128 {
        return (size + 15) & !15;
    }
    let x = size - 1;
    let lg = usize::BITS - 1 - x.leading_zeros();
    let delta = 1usize << (lg - 2);
    (x | (delta - 1)) + 1
}

#[inline]
fn class_of(layout: &Layout) -> usize {
    size_class(layout.size().max(layout.align()))
}

#[inline]
fn account(delta: isize) {
    let _ = LOCAL.try_with(|c| {
        let v = c.get() + delta;
        if v >= FLUSH_AT || v <= -FLUSH_AT {
            USED.fetch_add(v, Ordering::Relaxed);
            c.set(0);
        } else {
            c.set(v);
        }
    });
}

/// `used_memory`: bytes allocated by the whole process (within 16 KiB per
/// thread).
pub fn used_memory() -> u64 {
    USED.load(Ordering::Relaxed).max(0) as u64
}

/// [`used_memory`] including the calling thread's unpublished delta: exact
/// for differences measured on one thread.
pub fn used_memory_here() -> u64 {
    let local = LOCAL.try_with(|c| c.get()).unwrap_or(0);
    (USED.load(Ordering::Relaxed) + local).max(0) as u64
}

/// The binary's allocator: jemalloc plus the `used_memory` count.
pub struct Counting;

unsafe impl GlobalAlloc for Counting {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = tikv_jemallocator::Jemalloc.alloc(layout);
        if !p.is_null() {
            account(class_of(&layout) as isize);
        }
        p
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = tikv_jemallocator::Jemalloc.alloc_zeroed(layout);
        if !p.is_null() {
            account(class_of(&layout) as isize);
        }
        p
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        tikv_jemallocator::Jemalloc.dealloc(ptr, layout);
        account(-(class_of(&layout) as isize));
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = tikv_jemallocator::Jemalloc.realloc(ptr, layout, new_size);
        if !p.is_null() {
            let new = size_class(new_size.max(layout.align()));
            account(new as isize - class_of(&layout) as isize);
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use super::size_class;

    #[test]
    fn size_classes_match_jemalloc() {
        let expect = [
            (1, 8),
            (8, 8),
            (9, 16),
            (17, 32),
            (33, 48),
            (100, 112),
            (128, 128),
            (129, 160),
            (160, 160),
            (161, 192),
            (256, 256),
            (257, 320),
            (4096, 4096),
            (4097, 5120),
            (1 << 20, 1 << 20),
            ((1 << 20) + 1, (1 << 20) + (1 << 18)),
        ];
        for (n, c) in expect {
            assert_eq!(size_class(n), c, "size {n}");
        }
        // Against jemalloc itself.
        for n in (1..70_000).step_by(7) {
            let real = unsafe { tikv_jemalloc_sys_nallocx(n) };
            if real != 0 {
                assert_eq!(size_class(n), real, "size {n}");
            }
        }
    }

    unsafe fn tikv_jemalloc_sys_nallocx(n: usize) -> usize {
        tikv_jemalloc_sys::nallocx(n, 0)
    }
}
