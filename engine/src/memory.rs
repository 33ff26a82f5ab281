//! Memory a burst of work freed, handed back to the system.

/// glibc keeps what a thread freed in that thread's arena for its next allocations, so a
/// server idle after one burst (an argon2 hash's 19 MiB, the site's files compressed at
/// brotli's highest level on a first start) would hold that memory for good. The `kassa`
/// binary allocates through mimalloc, which purges at once (`server::allocator`); this still
/// trims what C code (SQLite) took from glibc, and serves tests and benches.
pub fn give_back_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free memory to the system; it touches nothing in use.
    unsafe {
        libc::malloc_trim(0);
    }
}
