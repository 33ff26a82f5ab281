//! The Kassa server: configuration, start-up, the provider return routes and, in sandbox
//! mode, the provider simulators.

pub mod config;
pub mod demo;
mod headers;
pub mod language;
pub mod origin;
pub mod precompressed;
pub mod returns;
mod server_fns;
pub mod sim;
pub mod startup;
