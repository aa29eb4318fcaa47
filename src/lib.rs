//! aftersales: a shop's after-sales desk as a chat bot.
//!
//! Layout, in reading order (ARCHITECTURE.md has the full map):
//! - the pure core — [`money`], [`order`], [`reason`], [`policy`],
//!   [`retention`], [`conversation`], [`agents`], [`catalogue`], [`typed`]: no I/O, no
//!   clock, no Telegram types; [`backoff`], a leaf both the core and the
//!   shell use;
//! - the shell — [`store`] (SQLite), [`desk`] (one input, one transaction),
//!   [`scheduler`] (due jobs) and [`background`] (what runs beside a
//!   channel), the channels [`telegram`] and [`terminal`],
//!   and the order tools [`import`] and [`demo`].

pub mod agents;
pub mod backoff;
pub mod calendar;
pub mod case;
pub mod catalogue;
pub mod config;
pub mod conversation;
pub mod followup;
pub mod money;
pub mod order;
pub mod outgoing;
pub mod policy;
pub mod reason;
pub mod retention;
pub mod typed;

pub mod background;
pub mod clock;
pub mod demo;
pub mod desk;
pub mod import;
pub mod media;
pub mod push;
pub mod refunds;
pub mod scheduler;
pub mod store;
pub mod telegram;
pub mod terminal;
pub mod tracker;
