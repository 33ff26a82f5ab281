//! The `kassa` binary's allocator: mimalloc (`main.rs`), which hands freed memory back at once.
//!
//! Under load, glibc's malloc and free took about a quarter of the server's time (perf: a
//! page's render allocates and frees thousands of small values); with mimalloc the same
//! machine renders OpenPay about half again as fast. Its default keeps freed pages a second
//! and, in practice, longer on an idle thread: 183 MB after the load glibc finished at 65 MB.
//! Purging at once costs a little of the speed and keeps the memory glibc's
//! (docs/ARCHITECTURE.md, serving speed).

/// mimalloc v3's `mi_option_purge_delay` (`include/mimalloc.h`; libmimalloc-sys leaves its
/// options unnamed on purpose). The test checks it is still that option by its default.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Sets mimalloc's options; call before the runtime starts its threads (they are not
/// thread-safe to set).
pub fn configure() {
    // SAFETY: sets a plain integer option; no other thread runs yet.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 0) };
}

#[cfg(test)]
mod tests {
    #[test]
    fn purge_delay_is_the_option_set() {
        // Its default in mimalloc 3.3 (`src/options.c`): 1,000 ms.
        // SAFETY: reads an integer option.
        assert_eq!(
            unsafe { libmimalloc_sys::mi_option_get(super::PURGE_DELAY) },
            1000
        );
    }
}
