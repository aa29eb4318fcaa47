//! The desk: where one customer input becomes one transaction. It gathers
//! the facts the conversation needs, runs the pure step, and writes the new
//! state, the case changes and the rendered replies (into the outbox)
//! together, so a crash leaves either all of it or none.

pub mod agents;
pub mod followup;
mod reports;

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::case::{Added, CaseId, Event};
use crate::catalogue::{self, Described, Msg};
use crate::clock::Clock;
use crate::config::Config;
use crate::conversation::{self, Addition, Audit, Conversation, Effect, Facts, Input, Keys, Reply, Step, WrongAnswers};
use crate::followup::Press;
use crate::lang::Lang;
use crate::ops::Metrics;
use crate::order::{OrderNo, OrderSummary};
use crate::outgoing::{self, AlbumItem, ButtonSpec, Keyboard, Outgoing};
use crate::reason::Reason;
use crate::refunds::{self, WebhookRefunds};
use crate::store::customers::{self, CustomerInfo, Identity};
use crate::store::facts;
use crate::store::ownership::ProofWindows;
use crate::store::{Store, StoreError, Tx, cases, flags, orders, outbox, ownership, updates};
use crate::tracker::HttpTracker;

/// Cases shown under "my cases".
const CASES_LISTED: u32 = 10;

/// One input from a channel.
#[derive(Clone, Debug)]
pub struct Incoming {
    /// The channel's id for this delivery (Telegram's update_id), used to
    /// recognise a redelivery; `None` where the channel cannot redeliver.
    pub update_id: Option<i64>,
    pub identity: Identity,
    pub input: Input,
    /// The message behind a text or media input, to relay it to agents.
    pub message: Option<MessageRef>,
}

/// A message in the channel, for relaying it as it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageRef {
    pub message_id: i32,
    pub relay: Relay,
    /// A photo, video or file (edits change its caption, not its text).
    pub media: bool,
    /// Set when the message was edited: its new text or caption. An edit is
    /// mirrored where the message was relayed; the customer's latest answer,
    /// edited, is read as a new answer; other edits are told they are not read.
    pub edited: Option<String>,
}

/// How a message reaches the other side.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Relay {
    /// Copied; a photo or video of an album (its group id and file) is sent
    /// again with the rest of the album.
    Copy { album: Option<(String, AlbumItem)> },
    /// Described in words (a sticker, a location, a poll …).
    Describe(Described),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Handled {
    Applied,
    /// Seen before: nothing was done again.
    Duplicate,
}

#[derive(Clone)]
pub struct Desk {
    store: Store,
    config: Arc<Config>,
    /// The version of the config's rules, stored with every decision.
    rules_version: Arc<str>,
    adapters: Arc<Adapters>,
    clock: Clock,
    /// What the shell counts, for the ops endpoint.
    metrics: Arc<Metrics>,
}

/// The shop's systems the follow-ups call, as configured.
struct Adapters {
    tracker: Option<HttpTracker>,
    refunds: Option<WebhookRefunds>,
}

impl Adapters {
    fn new(config: &Config) -> Adapters {
        let tracker = match config.tracker.url.is_empty() {
            true => None,
            false => HttpTracker::new(&config.tracker, config.shop.timezone.0)
                .inspect_err(|error| tracing::error!(%error, "tracking provider unusable; not polling"))
                .ok(),
        };
        let refunds = match config.refunds.mode {
            refunds::Mode::Manual => None,
            refunds::Mode::Webhook => WebhookRefunds::new(&config.refunds)
                .inspect_err(|error| tracing::error!(%error, "refund webhook unusable; refunds go to agents"))
                .ok(),
        };
        Adapters { tracker, refunds }
    }
}

impl Desk {
    pub fn new(store: Store, config: Arc<Config>) -> Desk {
        let rules_version = config.rules_version().into();
        let adapters = Arc::new(Adapters::new(&config));
        Desk { store, config, rules_version, adapters, clock: Clock::System, metrics: Arc::default() }
    }

    /// The same desk on another clock (tests move time forward).
    pub fn with_clock(self, clock: Clock) -> Desk {
        Desk { clock, ..self }
    }

    /// The time now, on the desk's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Handles one input in one transaction.
    pub async fn handle(&self, incoming: Incoming, now: DateTime<Utc>) -> Result<Handled, StoreError> {
        let mut tx = self.store.write().await?;
        let handled = self.handle_in(&mut tx, incoming, now).await?;
        tx.commit().await?;
        Ok(handled)
    }

    /// Handles one input inside the caller's write transaction (a batch of
    /// updates commits together); the caller commits or rolls back.
    pub async fn handle_in(&self, tx: &mut Tx, incoming: Incoming, now: DateTime<Utc>) -> Result<Handled, StoreError> {
        // Customer text enters here, from every channel: matchers see one form of it.
        let mut incoming = Incoming { input: incoming.input.normalised(), ..incoming };
        let mut txn = Txn { desk: self, tx, now };
        let identity = &incoming.identity;
        if let Some(update_id) = incoming.update_id
            && !updates::claim(txn.tx, identity.channel, update_id, now).await?
        {
            return Ok(Handled::Duplicate);
        }
        let config = &*self.config;
        let customer = customers::find_or_create(txn.tx, identity, config.shop.default_language, now).await?;
        let message_id = incoming.message.as_ref().map(|message| message.message_id);
        let edited = incoming.message.as_ref().is_some_and(|message| message.edited.is_some());
        if edited {
            // The edit of a message relayed to a person is mirrored to them.
            if txn.customer_to_agents(customer.id, &incoming).await? {
                return Ok(Handled::Applied);
            }
            // The latest answer, if its question is still open, edited, is
            // read as a new answer; any other edit would answer a question
            // already moved past.
            let latest = message_id == customer.conversation.last_message
                && matches!(incoming.input, Input::Text(_) | Input::Command(_));
            if !latest {
                incoming.input = Input::Edited;
            }
        } else if let Input::Text(text) = &incoming.input
            && config.agents.mentions_threat(text)
        {
            let open = cases::for_customer(txn.tx, customer.id, CASES_LISTED).await?;
            let case = open.into_iter().find(|case| !case.status.is_closed()).map(|case| case.id);
            flags::record(txn.tx, customer.id, case.as_ref(), "threat", text, now).await?;
        }
        // A tracking number or a survey answer is the bot's even while a
        // person has the chat (it shows on the case's timeline), and never
        // reopens a closed escalation.
        let identity = &incoming.identity;
        let followed =
            incoming.input != Input::Edited && txn.followup_input(identity, &customer, &incoming.input).await?;
        let relayed = !followed && !edited && txn.customer_to_agents(customer.id, &incoming).await?;
        if followed || relayed {
            // Answered by a follow-up (its edit is a new answer too), or not answered by the bot.
            let answered = message_id.filter(|_| followed);
            if customer.conversation.last_message != answered {
                let state = Conversation { last_message: answered, ..customer.conversation };
                customers::save_conversation(txn.tx, customer.id, &state, now).await?;
            }
            return Ok(Handled::Applied);
        }
        let answered = match incoming.input {
            Input::Edited => customer.conversation.last_message,
            _ => message_id,
        };
        let needs = conversation::needs(&customer.conversation, &incoming.input, &config.intake);
        let windows = txn.proof_windows();
        let known = facts::read(txn.tx, customer.id, needs.order.as_ref(), windows, now, CASES_LISTED).await?;
        let phone_orders = match &needs.phone_orders {
            Some(phone) => orders::recent_for_phone(txn.tx, phone, config.intake.recent_orders)
                .await?
                .iter()
                .map(OrderSummary::from)
                .collect(),
            None => Vec::new(),
        };
        let (order, standing, line_history, claims) = match known.order {
            Some(known) => (Some(known.order), known.standing, known.line_history, known.claims),
            None => Default::default(),
        };
        let facts = Facts {
            setup: config.setup(&self.rules_version),
            now,
            first_name: &customer.first_name,
            line_history,
            claims,
            retention: known.customer.retention,
            order,
            order_locked_until: standing.locked_until,
            wrong_answers: WrongAnswers { here: standing.failures.here, everywhere: standing.failures.everywhere },
            phone_orders,
            cases: known.customer.cases,
            case: match &needs.case {
                Some(id) => cases::detail(txn.tx, id, customer.id).await?,
                None => None,
            },
            next_case_id: known.customer.next_case_id,
        };
        let asked = std::mem::discriminant(&customer.conversation.step);
        let lang_before = customer.conversation.lang;
        let (mut state, effects) = conversation::step(customer.conversation, incoming.input, &facts);
        // An edit may still answer a question that was asked again (an order
        // number not found), not one the conversation has moved past.
        state.last_message = answered.filter(|_| std::mem::discriminant(&state.step) == asked);
        let chat =
            Chat { channel: identity.channel, chat_id: identity.chat_id, customer_id: customer.id, lang: state.lang };
        let opened = txn.effects(&chat, effects).await?;
        // Follow-ups of a new case (return instructions) come after its confirmation.
        for case in opened {
            txn.case_changed(&case).await?;
        }
        customers::save_conversation(txn.tx, customer.id, &state, now).await?;
        if state.lang != lang_before {
            customers::set_lang(txn.tx, customer.id, state.lang).await?;
        }
        Ok(Handled::Applied)
    }
}

/// One transaction's work, whatever caused it (a customer's update, an
/// agents' update, a job, a pushed event): the desk, its open write
/// transaction and the time it runs at. Each part of the desk extends it:
/// the customer's step here, the agents' side in [`agents`], the
/// follow-ups in [`followup`].
struct Txn<'a> {
    desk: &'a Desk,
    tx: &'a mut Tx,
    now: DateTime<Utc>,
}

/// The customer a step's effects are for: where their replies go, and in
/// which language.
struct Chat<'a> {
    channel: &'a str,
    chat_id: i64,
    customer_id: i64,
    lang: Lang,
}

impl Txn<'_> {
    /// The customer's lock on `order`, and the wrong answers about it: from
    /// this customer within the lock time, from everyone within the
    /// cross-chat window.
    async fn standing(&mut self, customer_id: i64, order: &OrderNo) -> Result<ownership::Standing, StoreError> {
        let windows = self.proof_windows();
        ownership::standing(self.tx, customer_id, order, windows).await
    }

    /// Since when wrong answers count: from this chat (the lock time), from all chats.
    fn proof_windows(&self) -> ProofWindows {
        let intake = &self.desk.config.intake;
        ProofWindows {
            chat_since: self.now - intake.proof_lock.chrono(),
            since: self.now - intake.proof_window.chrono(),
        }
    }

    /// Tells the agents' group, once per window, that `order` now takes only
    /// a shared phone number.
    async fn proof_alert(&mut self, customer_id: i64, order: OrderNo) -> Result<(), StoreError> {
        let window = self.desk.config.intake.proof_window.chrono();
        if !ownership::claim_alert(self.tx, &order, self.now - window, self.now).await? {
            return Ok(());
        }
        let failures = self.standing(customer_id, &order).await?.failures;
        let msg = Msg::AlertProofContactOnly {
            order,
            wrong: failures.everywhere,
            chats: failures.chats,
            hours: window.num_hours(),
        };
        match self.desk.config.agents.chat_id {
            Some(_) => self.tell_agents(None, &msg).await,
            None => {
                tracing::warn!(alert = ?msg, "no agents' group to alert; the order takes only a shared phone number");
                Ok(())
            }
        }
    }

    /// A follow-up button, or a text for a follow-up (a tracking number, a
    /// survey comment) from a customer not in the middle of a request.
    /// False when the conversation should take the input.
    async fn followup_input(
        &mut self,
        identity: &Identity,
        customer: &customers::Customer,
        input: &Input,
    ) -> Result<bool, StoreError> {
        let info = CustomerInfo {
            id: customer.id,
            channel: identity.channel.to_owned(),
            chat_id: identity.chat_id,
            first_name: customer.first_name.clone(),
            lang: customer.conversation.lang.code().to_owned(),
        };
        match input {
            Input::Button { data, callback_id, .. } => {
                let Some(press) = Press::parse(data) else { return Ok(false) };
                let notice = self.press(&info, &press).await?;
                if let Some(callback_id) = callback_id {
                    let notice = notice.map(|msg| catalogue::render(customer.conversation.lang, &msg));
                    let payload = Outgoing::AnswerButton { callback_id: callback_id.clone(), notice };
                    outbox::enqueue(self.tx, &info.channel, info.chat_id, &payload, None, self.now, self.now).await?;
                }
                Ok(true)
            }
            Input::Text(text) if customer.conversation.step == Step::Menu => {
                // A question about a case is answered with the case, even
                // while a tracking number or a comment is awaited.
                if conversation::typed_case(text).is_some() {
                    return Ok(false);
                }
                // One of the shop's order numbers on its own is a new request,
                // even while a tracking number or a comment is awaited.
                let pattern = &self.desk.config.intake.order_number_pattern.0;
                if let Some(order) = OrderNo::parse(text, pattern)
                    && orders::find(self.tx, &order).await?.is_some()
                {
                    return Ok(false);
                }
                self.customer_text(&info, text).await
            }
            _ => Ok(false),
        }
    }

    /// Carries out a step's effects for the customer at `chat`; returns the
    /// cases the step opened, for their follow-ups once its replies are queued.
    async fn effects(&mut self, chat: &Chat<'_>, effects: Vec<Effect>) -> Result<Vec<CaseId>, StoreError> {
        let mut opened = Vec::new();
        for effect in effects {
            if let Some(case) = self.effect(chat, effect).await? {
                opened.push(case);
            }
        }
        Ok(opened)
    }

    /// One effect; a case it opened.
    async fn effect(&mut self, chat: &Chat<'_>, effect: Effect) -> Result<Option<CaseId>, StoreError> {
        match effect {
            Effect::Reply(reply) => self.reply(chat, reply).await?,
            Effect::AnswerButton { callback_id, notice } => {
                let notice = notice.map(|msg| catalogue::render(chat.lang, &msg));
                self.enqueue(chat, &Outgoing::AnswerButton { callback_id, notice }, None, self.now).await?
            }
            Effect::OpenCase(case) => {
                cases::open(self.tx, chat.customer_id, &case, self.now).await?;
                if case.reason == Reason::ServiceComplaint {
                    flags::record(self.tx, chat.customer_id, Some(&case.id), "complaint", &case.detail, self.now)
                        .await?;
                }
                return Ok(Some(case.id));
            }
            Effect::AddToCase { case, addition } => self.add_to_case(chat.customer_id, &case, addition).await?,
            Effect::RequestAgent { case, why } => self.escalate(chat.customer_id, case.as_ref(), why).await?,
            Effect::LockOrder { order, until } => ownership::lock(self.tx, chat.customer_id, &order, until).await?,
            Effect::ContactOnly { order } => self.proof_alert(chat.customer_id, order).await?,
            Effect::Audit(audit) => {
                let (kind, data) = match audit {
                    Audit::ProofFailed { order } => {
                        ownership::record_failure(self.tx, chat.customer_id, &order, self.now).await?;
                        ("proof_failed", serde_json::json!({ "order_no": order.as_str() }))
                    }
                    Audit::ProofPassed { order, by_contact } => {
                        ("proof_passed", serde_json::json!({ "order_no": order.as_str(), "by_contact": by_contact }))
                    }
                    Audit::OrderLocked { order } => ("order_locked", serde_json::json!({ "order_no": order.as_str() })),
                    Audit::ForeignContact => ("foreign_contact", serde_json::json!({})),
                };
                ownership::audit(self.tx, chat.customer_id, kind, &data, self.now).await?
            }
        }
        Ok(None)
    }

    /// Records what the customer added on their case's timeline (photos as
    /// evidence too), and refreshes the case's card for the agents.
    async fn add_to_case(&mut self, customer_id: i64, case: &CaseId, addition: Addition) -> Result<(), StoreError> {
        // The step only offers the customer's own cases; the store has the last word.
        let owner = cases::state(self.tx, case).await?.map(|state| state.customer_id);
        if owner != Some(customer_id) {
            tracing::warn!(%case, "an addition for a case that is not the customer's; ignored");
            return Ok(());
        }
        match addition {
            Addition::Text(text) => {
                cases::add_event(self.tx, case, "customer", &Event::Added(Added::Text { text }), self.now).await?;
            }
            Addition::Evidence(evidence) => {
                if cases::add_evidence(self.tx, case, &evidence).await? {
                    let added = Event::Added(Added::Evidence { evidence: evidence.kind });
                    cases::add_event(self.tx, case, "customer", &added, self.now).await?;
                }
            }
        }
        self.case_added(customer_id, case).await
    }

    async fn reply(&mut self, chat: &Chat<'_>, reply: Reply) -> Result<(), StoreError> {
        let text = catalogue::render_all(chat.lang, &reply.parts);
        let keyboard = keyboard(chat.lang, &reply.keys);
        let coalesce = reply.album.as_ref().map(|album| format!("{}:{}:album:{album}", chat.channel, chat.chat_id));
        let not_before = match coalesce {
            Some(_) => self.now + self.desk.config.intake.album_quiet.chrono(),
            None => self.now,
        };
        let mut pieces = outgoing::split_text(&text, outgoing::MAX_TEXT_CHARS);
        // Only the last piece carries the keyboard (and may replace the pressed message).
        let last = pieces.pop().unwrap_or_default();
        for piece in pieces {
            self.enqueue(chat, &Outgoing::Send { text: piece, keyboard: Keyboard::None }, None, self.now).await?;
        }
        let payload = match reply.edit {
            Some(message_id) => Outgoing::Edit { message_id, text: last, keyboard },
            None => Outgoing::Send { text: last, keyboard },
        };
        self.enqueue(chat, &payload, coalesce.as_deref(), not_before).await
    }

    async fn enqueue(
        &mut self,
        chat: &Chat<'_>,
        payload: &Outgoing,
        coalesce: Option<&str>,
        not_before: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        outbox::enqueue(self.tx, chat.channel, chat.chat_id, payload, coalesce, not_before, self.now).await.map(drop)
    }
}

/// The keyboard a reply asks for, its labels in `lang`.
fn keyboard(lang: Lang, keys: &Keys) -> Keyboard {
    match keys {
        Keys::None => Keyboard::None,
        Keys::Buttons(rows) => inline_keyboard(lang, rows),
        Keys::ShareContact => Keyboard::ShareContact { label: catalogue::render(lang, &Msg::ShareContactButton) },
        Keys::RemoveShareContact => Keyboard::Remove,
    }
}

/// Buttons under a message, their labels in the reader's language.
fn inline_keyboard(lang: Lang, rows: &[Vec<catalogue::Button>]) -> Keyboard {
    let rows = rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|button| ButtonSpec { label: catalogue::render(lang, &button.label), data: button.data.clone() })
                .collect()
        })
        .collect();
    Keyboard::Inline { rows }
}
