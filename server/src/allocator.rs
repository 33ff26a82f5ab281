//! The `kassa` binary's allocator: mimalloc (`main.rs`), which hands freed memory back soon.
//!
//! Under load, glibc's malloc and free took about a quarter of the server's time (perf: a
//! page's render allocates and frees thousands of small values); with mimalloc the same
//! machine renders OpenPay about half again as fast. Its default keeps freed pages a second
//! and, in practice, longer on an idle thread: 183 MB after the load glibc finished at 65 MB.
//!
//! So the start (which frees what compressing the site's files took) purges at once, and once
//! the server serves, freed memory waits `SERVING_PURGE_DELAY` so that pages freed and wanted
//! again within it are not handed back and faulted in again (at once, `madvise` and its page
//! faults were about 6 % of the CPU under the OpenPay load). What is waiting is purged when
//! mimalloc next takes or gives back a page after the delay, or when a runtime thread goes
//! idle (`on_thread_park`): after a load, nothing may take a page again for a long time.
//!
//! Nor does it ask for transparent huge pages: it advises them on its arena, and the kernel's
//! khugepaged then fills whole 2 MiB pages around the few 4 KiB ones in use, bringing purged
//! memory back: 29 MB of heap after a start instead of 7, at the same speed
//! (docs/ARCHITECTURE.md, serving speed).

use std::cell::Cell;
use std::time::{Duration, Instant};

/// mimalloc v3's `mi_option_purge_delay` (`include/mimalloc.h`; libmimalloc-sys leaves its
/// options unnamed on purpose). The test checks these are still those options by their defaults.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// mimalloc v3's `mi_option_allow_thp`.
const ALLOW_THP: libmimalloc_sys::mi_option_t = 43;

/// How long freed memory waits to be purged once the server serves (mimalloc's arenas wait
/// this times `arena_purge_mult`, 1 in v3).
const SERVING_PURGE_DELAY: std::ffi::c_long = 10;

/// The least time between two collections on one runtime thread going idle: under load the
/// threads park thousands of times a second.
const COLLECT_EVERY: Duration = Duration::from_millis(100);

/// Sets mimalloc's options. They must hold before its first allocation (the arena is advised
/// when it is mapped), so `main.rs` runs this as a constructor ahead of mimalloc's own start.
pub extern "C" fn configure() {
    // SAFETY: stores two integers in mimalloc's option table; only one thread runs yet.
    unsafe {
        libmimalloc_sys::mi_option_set(PURGE_DELAY, 0);
        libmimalloc_sys::mi_option_set(ALLOW_THP, 0);
    }
}

/// Called once the start is over: from now on freed memory waits `SERVING_PURGE_DELAY`.
pub fn serving() {
    // SAFETY: stores an integer in mimalloc's option table, which it reads atomically.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, SERVING_PURGE_DELAY) };
}

thread_local! {
    static COLLECTED: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// The runtime's `on_thread_park`: an idle thread purges what has waited past the delay
/// (`mi_collect(false)` also frees this thread's empty pages), at most every `COLLECT_EVERY`.
pub fn on_thread_park() {
    let now = Instant::now();
    COLLECTED.with(|collected| {
        if collected.get().is_none_or(|at| now - at >= COLLECT_EVERY) {
            collected.set(Some(now));
            // SAFETY: collects the calling thread's heap; any thread may call it at any time.
            unsafe { libmimalloc_sys::mi_collect(false) };
        }
    });
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
        // One test, not two: the options are the process's.
        super::serving();
        // SAFETY: reads an integer option.
        let delay = unsafe { libmimalloc_sys::mi_option_get(super::PURGE_DELAY) };
        assert_eq!(delay, super::SERVING_PURGE_DELAY);
    }
}
