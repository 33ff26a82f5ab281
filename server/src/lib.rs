//! The Kassa server: configuration, start-up, the provider return routes and, in sandbox
//! mode, the provider simulators.
// The back office's views nest deep types (a page, its forms and their fields, each of its own
// type), and the server computes their rendering's layout here.
#![recursion_limit = "256"]

pub mod allocator;
pub mod config;
pub mod demo;
mod headers;
pub mod language;
pub mod origin;
pub mod packs;
pub mod precompressed;
mod request_owner;
pub mod returns;
mod server_fns;
pub mod sim;
pub mod startup;
