//! The `kassa` binary's relocations, packed (DT_RELR): a position-independent executable
//! carries one 24-byte relocation per pointer in its read-only data (135,000 of them, 3.2 MB
//! that the loader reads, and keeps resident, at every start); packed they take a few KB.
//! Needs GNU ld 2.38 and glibc 2.36 (Debian 12) or later; the binary stays PIE (ASLR).
fn main() {
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux")
        && std::env::var("CARGO_CFG_TARGET_ENV").as_deref() == Ok("gnu")
    {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}
