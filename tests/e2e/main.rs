//! End-to-end tests: the real `aftersales` binary, driven as customers
//! would drive it — over a fake Telegram Bot API on loopback, and through
//! the terminal channel from a pipe.

#[path = "../support/fake_services.rs"]
mod fake_services;
#[path = "../support/fake_telegram/mod.rs"]
mod fake_telegram;

mod agents;
mod cases;
mod claims;
mod db_copy;
mod evidence;
mod followups;
mod helpers;
mod instances;
mod ops;
mod orders_import;
mod ownership;
mod policy_cli;
mod records;
mod refusals;
mod report;
mod report_group;
mod report_page;
mod resilience;
mod retention;
mod services_selftest;
mod shop_owner;
pub mod survey_burst;
mod telegram_intake;
mod terminal_chat;
mod typing;
mod webhook;
