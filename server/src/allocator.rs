//! The `kassa` binary's allocator: mimalloc (`main.rs`), which hands freed memory back at once.
//!
//! Under load, glibc's malloc and free took about a quarter of the server's time (perf: a
//! page's render allocates and frees thousands of small values); with mimalloc the same
//! machine renders OpenPay about half again as fast. Its default keeps freed pages a second
//! and, in practice, longer on an idle thread: 183 MB after the load glibc finished at 65 MB.
//! Purging at once costs a little of the speed and keeps the memory glibc's.
//!
//! Nor does it ask for transparent huge pages: it advises them on its arena, and the kernel's
//! khugepaged then fills whole 2 MiB pages around the few 4 KiB ones in use, bringing purged
//! memory back: 29 MB of heap after a start instead of 7, at the same speed
//! (docs/ARCHITECTURE.md, serving speed).

/// mimalloc v3's `mi_option_purge_delay` (`include/mimalloc.h`; libmimalloc-sys leaves its
/// options unnamed on purpose). The test checks these are still those options by their defaults.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// mimalloc v3's `mi_option_allow_thp`.
const ALLOW_THP: libmimalloc_sys::mi_option_t = 43;

/// Sets mimalloc's options. They must hold before its first allocation (the arena is advised
/// when it is mapped), so `main.rs` runs this as a constructor ahead of mimalloc's own start.
pub extern "C" fn configure() {
    // SAFETY: stores two integers in mimalloc's option table; only one thread runs yet.
    unsafe {
        libmimalloc_sys::mi_option_set(PURGE_DELAY, 0);
        libmimalloc_sys::mi_option_set(ALLOW_THP, 0);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_options_set_are_the_ones_meant() {
        // Their defaults in mimalloc 3.3 (`src/options.c`): 1,000 ms, and huge pages allowed.
        // SAFETY: reads integer options.
        unsafe {
            assert_eq!(libmimalloc_sys::mi_option_get(super::PURGE_DELAY), 1000);
            assert_eq!(libmimalloc_sys::mi_option_get(super::ALLOW_THP), 1);
        }
    }
}
