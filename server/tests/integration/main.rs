//! The integration tests, in one binary: each file was a binary of its own, and each
//! linked the whole crate again (gigabytes of disk and minutes of linking on 2 cores).

#[path = "../common/mod.rs"]
mod common;

mod back_office;
mod cancellations;
mod crash;
mod durability;
mod everypay;
mod expiry;
mod live_news;
mod locales;
mod logos;
mod mail;
mod message_budgets;
mod mypos;
mod payme;
mod payment_links;
mod payments_report;
mod paypal;
mod receipts;
mod simulators;
mod site_files;
mod startup;
mod whole_server;
mod zarinpal_simulator;
