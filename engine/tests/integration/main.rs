//! The integration tests, in one binary: each file was a binary of its own, and each
//! linked the whole crate again (gigabytes of disk and minutes of linking on 2 cores).

#[path = "../common/mod.rs"]
mod common;

mod accounts;
mod checkout;
mod drafts;
mod effects;
mod images;
mod intake;
mod jobs;
mod links;
mod report;
mod settings;
mod storefront;
mod writes;
