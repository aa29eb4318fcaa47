//! aftersales: a shop's after-sales desk as a chat bot.
//!
//! Layout, in reading order (ARCHITECTURE.md has the full map; each layer
//! imports only from the ones before it):
//! - values — [`money`], [`backoff`], [`calendar`], [`lang`], [`setting`], [`reason`],
//!   [`typed`], [`parcel`], [`escalation`], [`outgoing`];
//! - the pure domain — [`order`], [`shop`], [`policy`], [`retention`],
//!   [`case`], [`agent_command`], [`replay`], [`records`]; what the bot says, [`catalogue`],
//!   and the period's figures in its words, [`report`];
//!   the state machines [`agents`], [`followup`], [`conversation`]: no I/O,
//!   no clock, no Telegram types;
//! - [`config`], which composes every module's settings, and [`rulebook`];
//! - the shell — [`store`] (SQLite), [`desk`] (one input, one transaction),
//!   [`scheduler`] (due jobs) and [`background`] (what runs beside a
//!   channel), the channels [`telegram`] and [`terminal`], [`app`] (the
//!   service composed for either channel, with one shutdown), the adapters
//!   [`tracker`], [`push`], [`refunds`], [`media`], [`clock`], and the order
//!   tools [`import`] and [`demo`].

pub mod agent_command;
pub mod agents;
pub mod backoff;
pub mod calendar;
pub mod case;
pub mod catalogue;
pub mod config;
pub mod conversation;
pub mod escalation;
pub mod followup;
pub mod lang;
pub mod money;
pub mod month;
pub mod order;
pub mod outgoing;
pub mod parcel;
pub mod policy;
pub mod reason;
pub mod records;
pub mod replay;
pub mod report;
pub mod retention;
pub mod setting;
pub mod shop;
pub mod typed;

pub mod app;
pub mod background;
pub mod clock;
pub mod demo;
pub mod desk;
pub mod import;
pub mod media;
pub mod ops;
pub mod ops_endpoint;
pub mod push;
pub mod refunds;
pub mod rulebook;
pub mod scheduler;
pub mod store;
pub mod telegram;
pub mod terminal;
pub mod tracker;
