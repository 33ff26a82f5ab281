//! The payment engine: domain types, validation, storage, provider connectors and the checkout
//! service. Everything above `server` is pure and also compiles for the browser (wasm).

pub mod bank;
pub mod digits;
pub mod html;
pub mod images;
pub mod links;
pub mod mobile;
pub mod money;
pub mod public;
pub mod report;
pub mod status;
pub mod time;
pub mod tracking;
pub mod validation;

#[cfg(feature = "server")]
pub mod accounts;
#[cfg(feature = "server")]
pub mod activity;
#[cfg(feature = "server")]
pub mod checkout;
#[cfg(feature = "server")]
pub mod connectors;
#[cfg(feature = "server")]
pub mod db;
#[cfg(feature = "server")]
pub mod effects;
#[cfg(feature = "server")]
pub mod group_commit;
#[cfg(feature = "server")]
pub mod housekeeping;
#[cfg(feature = "server")]
pub mod intake;
#[cfg(feature = "server")]
pub mod jobs;
#[cfg(feature = "server")]
pub mod mail;
#[cfg(feature = "server")]
pub mod polls;
#[cfg(feature = "server")]
pub mod secrets;
#[cfg(feature = "server")]
pub mod settings;
#[cfg(feature = "server")]
pub mod slips;
pub mod zones;
