//! The agents' side of the desk: escalations opened, messages relayed both
//! ways, agents' commands and card buttons, service-level pings. Each runs
//! inside the transaction of the update (or job) that caused it; the pure
//! rules are in [`crate::agents`].

use chrono::{DateTime, Utc};

use super::{Chat, Desk, Incoming, MessageRef, Relay, Txn};
use crate::agent_command::AgentCommand;
use crate::agents::card::{self, CardAction};
use crate::agents::{self, Actor, CaseFacts, Effect, Escalation};
use crate::case::{ByAgent, CaseId, CaseStatus, Event};
use crate::catalogue::card::CardCase;
use crate::catalogue::card::CardView;
use crate::catalogue::card::TIMELINE_SHOWN;
use crate::catalogue::card::TimelineLine;
use crate::catalogue::{self, DecisionText, Described, Msg, QueueLine};
use crate::conversation::{self, Conversation, Input};
use crate::escalation::Status;
use crate::escalation::Why;
use crate::lang::Lang;
use crate::outgoing::{ButtonSpec, Keyboard, Outgoing};
use crate::store::customers::CustomerInfo;
use crate::store::escalations::{self, CaseRecord};
use crate::store::jobs::{self, Task};
use crate::store::{StoreError, Tx, cases, customers, outbox, topics, updates};

/// The agents' group is a Telegram chat.
const AGENTS_CHANNEL: &str = "telegram";
/// Cases listed by `/queue` at most.
const QUEUE_LISTED: u32 = 30;
/// A relayed album has at most this many items (Telegram's limit).
const ALBUM_MAX: usize = 10;

/// An update from the agents' group.
#[derive(Clone, Debug)]
pub struct AgentIncoming {
    pub update_id: Option<i64>,
    pub channel: &'static str,
    pub chat_id: i64,
    /// The forum topic it was written in.
    pub thread_id: Option<i32>,
    /// The message it replies to (how agents pick a case without topics).
    pub reply_to: Option<i32>,
    pub user_id: i64,
    /// The sender's name as Telegram shows it.
    pub display_name: String,
    pub input: AgentInput,
}

#[derive(Clone, Debug)]
pub enum AgentInput {
    /// A message: its text (or caption) and how to relay it.
    Message { text: Option<String>, message: MessageRef },
    /// A card button.
    Button { data: String, callback_id: String, message_id: Option<i32> },
}

/// Where an agent's answer goes: a button's notice, or a reply in the topic.
enum Reply<'a> {
    Button(&'a str),
    Topic,
}

impl Desk {
    /// Handles one update from the agents' group inside the caller's write
    /// transaction; the caller commits or rolls back.
    pub async fn handle_agents_in(
        &self,
        tx: &mut Tx,
        incoming: AgentIncoming,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        if let Some(update_id) = incoming.update_id
            && !updates::claim(tx, incoming.channel, update_id, now).await?
        {
            return Ok(());
        }
        let settings = &self.config.agents;
        if settings.chat_id != Some(incoming.chat_id) {
            return Ok(());
        }
        let actor = match settings.agent(incoming.user_id, &incoming.display_name) {
            Some(agent) => Actor::Agent(agent),
            None => Actor::Stranger { user_id: incoming.user_id },
        };
        let mut txn = Txn { desk: self, tx, now };
        match &incoming.input {
            AgentInput::Button { data, callback_id, .. } => {
                let pressed = CardAction::parse(data);
                let escalation = match pressed {
                    Some((_, id)) => escalations::get(txn.tx, id).await?,
                    None => None,
                };
                match (pressed, escalation) {
                    (Some((action, _)), Some(escalation)) => {
                        txn.command(&escalation, &actor, &action.command(), &Reply::Button(callback_id)).await?
                    }
                    _ => txn.answer_button(callback_id, Some(Msg::StaleButton)).await?,
                }
            }
            AgentInput::Message { text, message } => txn.message(&incoming, &actor, text.as_deref(), message).await?,
        }
        Ok(())
    }
}

impl Txn<'_> {
    /// A service-level ping on an escalation that may still wait for an agent.
    pub(super) async fn sla_ping(&mut self, escalation: i64) -> Result<(), StoreError> {
        if let Some(escalation) = escalations::get(self.tx, escalation).await? {
            // A case the follow-ups closed (refunded) no longer waits for anyone.
            if let Some(case) = &escalation.case
                && cases::state(self.tx, case).await?.is_some_and(|state| state.status == CaseStatus::Closed)
            {
                return Ok(());
            }
            let effects = agents::sla_tick(&escalation, &self.desk.config.agents, self.now);
            self.apply(&escalation, effects, &Reply::Topic).await?;
        }
        Ok(())
    }

    pub(super) fn agents_lang(&self) -> Lang {
        self.desk.config.agents.lang(self.desk.config.shop.default_language)
    }

    /// Hands the customer (and their case) to the agents, unless they are
    /// with them already.
    pub(super) async fn escalate(
        &mut self,
        customer_id: i64,
        case: Option<&CaseId>,
        why: Why,
    ) -> Result<(), StoreError> {
        if let Some(active) = escalations::latest_for_customer(self.tx, customer_id).await?
            && active.status.is_active()
        {
            return Ok(());
        }
        let escalation = escalations::open(self.tx, customer_id, case, why, self.now).await?;
        if let Some(case) = case {
            cases::add_event(self.tx, case, "bot", &Event::Escalated { why }, self.now).await?;
        }
        if self.desk.config.agents.chat_id.is_none() {
            return Ok(());
        }
        self.show(&escalation, true).await?;
        let at = agents::next_ping(&escalation, &self.desk.config.agents, self.now);
        self.schedule_ping(&escalation, Some(at)).await
    }

    /// The customer added to their case: the card of its latest hand-over,
    /// if there is one, shows it.
    pub(super) async fn case_added(&mut self, customer_id: i64, case: &CaseId) -> Result<(), StoreError> {
        match escalations::latest_for_customer(self.tx, customer_id).await? {
            Some(escalation) if escalation.case.as_ref() == Some(case) => self.show(&escalation, false).await,
            _ => Ok(()),
        }
    }

    /// Writes the escalation's topic (name, card, evidence) and queues the
    /// card: the sender creates the topic and posts the card on first use,
    /// and edits it in place afterwards.
    async fn show(&mut self, escalation: &Escalation, new: bool) -> Result<(), StoreError> {
        let Some(chat_id) = self.desk.config.agents.chat_id else { return Ok(()) };
        let Some(customer) = customers::by_id(self.tx, escalation.customer_id).await? else { return Ok(()) };
        let case = match &escalation.case {
            Some(id) => escalations::case(self.tx, id).await?,
            None => None,
        };
        let lang = self.agents_lang();
        let (text, keyboard) = self.card(escalation, &customer, case.as_ref()).await?;
        let key = escalation.topic_key.as_str();
        if new {
            let name = card::topic_name(case.as_ref().map(|case| (&case.id, case.reason)), &customer.first_name);
            let name = catalogue::render(lang, &name);
            let album = case.as_ref().map(|case| case.evidence.clone()).unwrap_or_default();
            let existing = topics::get(self.tx, key).await?;
            topics::upsert(
                self.tx,
                key,
                chat_id,
                self.desk.config.agents.topics,
                &name,
                &text,
                &keyboard,
                &album,
                self.now,
            )
            .await?;
            if existing.is_some_and(|topic| topic.closed) {
                self.topic_state(key, true).await?;
            }
        } else {
            topics::set_card(self.tx, key, &text, &keyboard, self.now).await?;
        }
        let coalesce = format!("card:{key}");
        self.post_to_agents(Some(key), &Outgoing::Card, Some(&coalesce)).await.map(drop)
    }

    async fn card(
        &mut self,
        escalation: &Escalation,
        customer: &CustomerInfo,
        case: Option<&CaseRecord>,
    ) -> Result<(String, Keyboard), StoreError> {
        let zone = self.desk.config.shop.timezone.0;
        let local = |at: DateTime<Utc>| at.with_timezone(&zone).naive_local();
        let (timeline, earlier) = match &escalation.case {
            Some(id) => escalations::timeline(self.tx, id, TIMELINE_SHOWN as u32).await?,
            None => (Vec::new(), 0),
        };
        let timeline = timeline
            .into_iter()
            .map(|entry| TimelineLine {
                at: local(entry.at),
                actor: entry.event.agent().map_or(entry.actor, |by| by.agent.clone()),
                kind: entry.event.kind().to_owned(),
                detail: entry.event.detail().to_owned(),
            })
            .collect();
        let view = CardView {
            case: case.map(|case| CardCase {
                id: case.id.clone(),
                order: case.order.clone(),
                item: case.item.clone(),
                sku: case.sku.clone(),
                quantity: case.quantity,
                unit_price: case.unit_price,
                paid: case.unit_price.times(case.quantity),
                reason: case.reason,
                detail: case.detail.clone(),
                outcome: case.outcome,
                status: case.status,
                decision: DecisionText::new(&case.decision, zone),
                agreed: case.agreed,
                responsibility: case.responsibility,
                evidence: case.evidence.len(),
            }),
            customer: customer.first_name.clone(),
            phone: case.map(|case| card::mask_phone(&case.phone)),
            customer_lang: customer.lang(),
            why: escalation.why,
            status: escalation.status,
            assignee: escalation.assignee.clone(),
            opened: local(escalation.opened_at),
            timeline,
            earlier,
        };
        let lang = self.agents_lang();
        let text = catalogue::render(lang, &Msg::Card(Box::new(view)));
        let rows = card::actions(escalation, case.is_some())
            .into_iter()
            .map(|row| {
                row.into_iter()
                    .map(|action| ButtonSpec {
                        label: catalogue::render(lang, &action.label()),
                        data: action.data(escalation.id),
                    })
                    .collect()
            })
            .collect();
        Ok((text, Keyboard::Inline { rows }))
    }

    async fn schedule_ping(&mut self, escalation: &Escalation, at: Option<DateTime<Utc>>) -> Result<(), StoreError> {
        let task = Task::SlaPing(escalation.id);
        match at {
            Some(at) => jobs::schedule(self.tx, &task, at, self.now).await,
            None => jobs::cancel(self.tx, &task).await,
        }
    }

    async fn topic_state(&mut self, key: &str, open: bool) -> Result<(), StoreError> {
        topics::set_closed(self.tx, key, !open, self.now).await?;
        self.post_to_agents(Some(key), &Outgoing::TopicState { open }, None).await.map(drop)
    }

    /// Queues a row for the agents' group, in a topic or in the group itself.
    pub(super) async fn post_to_agents(
        &mut self,
        topic: Option<&str>,
        payload: &Outgoing,
        coalesce: Option<&str>,
    ) -> Result<i64, StoreError> {
        let chat_id = self.desk.config.agents.chat_id.unwrap_or_default();
        outbox::enqueue_to_topic(self.tx, AGENTS_CHANNEL, chat_id, topic, payload, coalesce, self.now, self.now).await
    }

    pub(super) async fn tell_agents(&mut self, topic: Option<&str>, msg: &Msg) -> Result<(), StoreError> {
        let text = catalogue::render(self.agents_lang(), msg);
        self.post_to_agents(topic, &Outgoing::Send { text, keyboard: Keyboard::None }, None).await.map(drop)
    }

    pub(super) async fn tell_customer(&mut self, customer: &CustomerInfo, msg: &Msg) -> Result<(), StoreError> {
        let text = catalogue::render(customer.lang(), msg);
        let payload = Outgoing::Send { text, keyboard: Keyboard::None };
        outbox::enqueue(self.tx, &customer.channel, customer.chat_id, &payload, None, self.now, self.now)
            .await
            .map(drop)
    }

    async fn answer_button(&mut self, callback_id: &str, notice: Option<Msg>) -> Result<(), StoreError> {
        let notice = notice.map(|msg| catalogue::render(self.agents_lang(), &msg));
        let payload = Outgoing::AnswerButton { callback_id: callback_id.to_owned(), notice };
        let chat_id = self.desk.config.agents.chat_id.unwrap_or_default();
        outbox::enqueue(self.tx, AGENTS_CHANNEL, chat_id, &payload, None, self.now, self.now).await.map(drop)
    }

    /// A message in the agents' group: a command, or words for a customer.
    async fn message(
        &mut self,
        incoming: &AgentIncoming,
        actor: &Actor,
        text: Option<&str>,
        message: &MessageRef,
    ) -> Result<(), StoreError> {
        let escalation = self.escalation_for(incoming).await?;
        let topic = escalation.as_ref().map(|escalation| escalation.topic_key.clone());
        let currency = self.desk.config.shop.currency;
        let command = match text {
            Some(text) if message.edited.is_none() => AgentCommand::parse(text, "", currency),
            _ => Ok(None),
        };
        match command {
            Ok(Some(AgentCommand::Queue)) => {
                let thread_topic = topic.as_deref();
                return match actor {
                    Actor::Agent(_) => self.queue(thread_topic).await,
                    Actor::Stranger { user_id } => self.refused(*user_id, "queue", thread_topic).await,
                };
            }
            Ok(Some(AgentCommand::Report(month))) => {
                let thread_topic = topic.as_deref();
                return match (actor, month.or_else(|| self.last_month())) {
                    (Actor::Agent(_), Some(month)) => self.post_report(month, thread_topic).await,
                    (Actor::Agent(_), None) => Ok(()),
                    (Actor::Stranger { user_id }, _) => self.refused(*user_id, "report", thread_topic).await,
                };
            }
            Ok(Some(command @ (AgentCommand::Inspect { .. } | AgentCommand::Refunded { .. }))) => {
                let thread_topic = topic.as_deref();
                return match actor {
                    Actor::Agent(agent) => {
                        let named = match &command {
                            AgentCommand::Inspect { case, .. } | AgentCommand::Refunded { case } => case.clone(),
                            _ => None,
                        };
                        let case = named.or_else(|| escalation.and_then(|escalation| escalation.case));
                        self.return_command(case, &command, agent.user_id, thread_topic).await
                    }
                    Actor::Stranger { user_id } => self.refused(*user_id, "return command", thread_topic).await,
                };
            }
            Ok(Some(command)) => {
                return match escalation {
                    Some(escalation) => self.command(&escalation, actor, &command, &Reply::Topic).await,
                    None => Ok(()),
                };
            }
            Err(usage) => {
                if matches!(actor, Actor::Agent(_)) {
                    self.tell_agents(topic.as_deref(), &Msg::CommandUsage(usage.syntax().to_owned())).await?;
                }
                return Ok(());
            }
            Ok(None) => {}
        }
        if text.is_some_and(|text| text.trim_start().starts_with('/')) {
            if text.is_some_and(|text| text.trim_start().starts_with("/help")) && matches!(actor, Actor::Agent(_)) {
                self.tell_agents(topic.as_deref(), &Msg::AgentsHelp).await?;
            }
            return Ok(());
        }
        // Chatter outside any case is the group's own business.
        let Some(escalation) = escalation else { return Ok(()) };
        let agent = match actor {
            Actor::Agent(agent) => agent,
            Actor::Stranger { user_id } => return self.refused(*user_id, "message", topic.as_deref()).await,
        };
        if let Some(new_text) = &message.edited {
            return self.mirror_edit(incoming.chat_id, message, new_text, Some(&agent.name)).await.map(drop);
        }
        if !escalation.status.is_active() {
            return self.tell_agents(topic.as_deref(), &Msg::NotRelayed { status: escalation.status }).await;
        }
        let Some(customer) = customers::by_id(self.tx, escalation.customer_id).await? else { return Ok(()) };
        if let Relay::Describe(_) = message.relay {
            return self.tell_agents(topic.as_deref(), &Msg::CannotRelay).await;
        }
        // The first agent to answer the customer takes the case.
        let escalation = match escalation.assignee {
            None => {
                self.command(&escalation, actor, &AgentCommand::Take, &Reply::Topic).await?;
                escalations::get(self.tx, escalation.id).await?.unwrap_or(escalation)
            }
            Some(_) => escalation,
        };
        let signed = self.desk.config.agents.show_agent_name.then_some(agent.name.as_str());
        let to = Destination { channel: &customer.channel, chat_id: customer.chat_id, topic: None };
        self.relay(&escalation, incoming.chat_id, text, message, &to, signed).await?;
        if let Some(case) = &escalation.case {
            let by = ByAgent { agent: agent.name.clone(), agent_id: agent.user_id };
            let event = Event::AgentMessage { text: text.unwrap_or("[media]").to_owned(), by };
            cases::add_event(self.tx, case, &format!("agent:{}", agent.user_id), &event, self.now).await?;
        }
        Ok(())
    }

    /// The escalation an agents' group message is about: by its topic, or
    /// (without topics) by the card or relayed message it replies to.
    async fn escalation_for(&mut self, incoming: &AgentIncoming) -> Result<Option<Escalation>, StoreError> {
        let key = match (incoming.thread_id, incoming.reply_to) {
            (Some(thread), _) => topics::key_for_thread(self.tx, incoming.chat_id, thread).await?,
            (None, Some(reply_to)) => match topics::key_for_card(self.tx, incoming.chat_id, reply_to).await? {
                Some(key) => Some(key),
                None => {
                    let row = outbox::row_for_message(self.tx, AGENTS_CHANNEL, incoming.chat_id, reply_to).await?;
                    let escalation = match row {
                        Some(row) => escalations::relay_by_copy(self.tx, row).await?,
                        None => None,
                    };
                    return match escalation {
                        Some(id) => escalations::get(self.tx, id).await,
                        None => Ok(None),
                    };
                }
            },
            (None, None) => None,
        };
        match key {
            Some(key) => escalations::latest_for_topic(self.tx, &key).await,
            None => Ok(None),
        }
    }

    async fn refused(&mut self, user_id: i64, what: &str, topic: Option<&str>) -> Result<(), StoreError> {
        escalations::audit_refused(self.tx, user_id, what, self.now).await?;
        self.tell_agents(topic, &Msg::NotAnAgent).await
    }

    async fn queue(&mut self, topic: Option<&str>) -> Result<(), StoreError> {
        let open = escalations::open_by_age(self.tx, QUEUE_LISTED).await?;
        let lines = open
            .into_iter()
            .map(|(escalation, customer)| QueueLine {
                case: escalation.case.clone(),
                customer,
                why: escalation.why,
                status: escalation.status,
                assignee: escalation.assignee.map(|assignee| assignee.name),
                waited_minutes: (self.now - escalation.opened_at).num_minutes(),
            })
            .collect();
        self.tell_agents(topic, &Msg::Queue(lines)).await
    }

    async fn command(
        &mut self,
        escalation: &Escalation,
        actor: &Actor,
        command: &AgentCommand,
        reply: &Reply<'_>,
    ) -> Result<(), StoreError> {
        let case = match &escalation.case {
            Some(id) => escalations::case(self.tx, id).await?,
            None => None,
        };
        let facts = case.as_ref().map(|case| CaseFacts {
            id: case.id.clone(),
            status: case.status,
            outcome: case.outcome,
            refund_cap: case.decision.refund_cap,
        });
        let effects = agents::act(escalation, facts.as_ref(), actor, command, &self.desk.config.agents, self.now);
        self.apply(escalation, effects, reply).await
    }

    /// Carries out the agents core's effects.
    async fn apply(
        &mut self,
        escalation: &Escalation,
        effects: Vec<Effect>,
        reply: &Reply<'_>,
    ) -> Result<(), StoreError> {
        let topic = escalation.topic_key.clone();
        let customer = customers::by_id(self.tx, escalation.customer_id).await?;
        let mut current = escalation.clone();
        let mut refresh = false;
        let mut answered = false;
        // A decision's follow-ups (return instructions) come after the words telling it.
        let mut decided = None;
        let actor = effects.iter().find_map(|effect| match effect {
            Effect::Event(event) => event.agent().map(|by| format!("agent:{}", by.agent_id)),
            _ => None,
        });
        for effect in effects {
            match effect {
                Effect::Save(next) => {
                    escalations::save(self.tx, &next, self.now).await?;
                    current = next;
                }
                Effect::Decide { status, outcome, agreed } => {
                    if let Some(case) = &escalation.case {
                        escalations::decide(self.tx, case, status, outcome, agreed, self.now).await?;
                        decided = Some(case);
                    }
                }
                Effect::Responsibility(code) => {
                    if let Some(case) = &escalation.case {
                        escalations::set_responsibility(self.tx, case, code, self.now).await?;
                    }
                }
                Effect::Event(event) => {
                    if let Some(case) = &escalation.case {
                        let actor = actor.as_deref().unwrap_or("system");
                        cases::add_event(self.tx, case, actor, &event, self.now).await?;
                    }
                }
                Effect::TellCustomer(msg) => {
                    if let Some(customer) = &customer {
                        self.tell_customer(customer, &msg).await?;
                    }
                }
                Effect::TellAgents(msg) => self.tell_agents(Some(&topic), &msg).await?,
                Effect::PingGroup(msg) => self.tell_agents(None, &msg).await?,
                Effect::Notice(msg) => match reply {
                    Reply::Button(callback_id) => {
                        answered = true;
                        self.answer_button(callback_id, Some(msg)).await?
                    }
                    Reply::Topic => self.tell_agents(Some(&topic), &msg).await?,
                },
                Effect::RefreshCard => refresh = true,
                Effect::Topic { open } => self.topic_state(&topic, open).await?,
                Effect::ResumeBot(notice) => {
                    if let Some(customer) = &customer {
                        self.resume_bot(customer, notice).await?;
                    }
                }
                Effect::Refused { user_id, what } => {
                    escalations::audit_refused(self.tx, user_id, &what, self.now).await?
                }
                Effect::PingAt(at) => self.schedule_ping(&current, at).await?,
            }
        }
        if let Some(case) = decided {
            self.case_changed(case).await?;
        }
        if let Reply::Button(callback_id) = reply
            && !answered
        {
            self.answer_button(callback_id, None).await?;
        }
        if refresh && self.desk.config.agents.chat_id.is_some() {
            self.show(&current, false).await?;
        }
        Ok(())
    }

    /// The customer's conversation starts again at the menu, after `notice`.
    async fn resume_bot(&mut self, customer: &CustomerInfo, notice: Msg) -> Result<(), StoreError> {
        let state = customers::conversation(self.tx, customer.id).await?.unwrap_or(Conversation::new(customer.lang()));
        let (state, effects) = conversation::resume(state, notice);
        let chat =
            Chat { channel: &customer.channel, chat_id: customer.chat_id, customer_id: customer.id, lang: state.lang };
        // Resuming opens no case.
        self.effects(&chat, effects).await?;
        customers::save_conversation(self.tx, customer.id, &state, self.now).await
    }

    /// Relays a message to `to`: copied, re-sent as part of an album, or
    /// described; recorded so a later edit can be mirrored.
    async fn relay(
        &mut self,
        escalation: &Escalation,
        from_chat: i64,
        text: Option<&str>,
        message: &MessageRef,
        to: &Destination<'_>,
        signed: Option<&str>,
    ) -> Result<(), StoreError> {
        let row = match &message.relay {
            Relay::Describe(described) => {
                let text = catalogue::render(self.agents_lang(), &Msg::CustomerSent(described.clone()));
                self.enqueue_to(to, Outgoing::Send { text, keyboard: Keyboard::None }, None, self.now).await?
            }
            Relay::Copy { album: Some((group, item)) } => {
                let key = format!("relay-album:{from_chat}:{group}");
                let (replaced, mut items) = match outbox::pending_payload(self.tx, &key).await? {
                    Some((id, Outgoing::Album { items, .. })) => (Some(id), items),
                    _ => (None, Vec::new()),
                };
                if items.len() >= ALBUM_MAX {
                    // A full album goes as it is; the rest starts a new one.
                    items.clear();
                }
                items.push(item.clone());
                let quiet = self.desk.config.intake.album_quiet.chrono();
                let caption = text.map(str::to_owned);
                let row = self.enqueue_to(to, Outgoing::Album { items, caption }, Some(key), self.now + quiet).await?;
                if let Some(replaced) = replaced {
                    escalations::repoint_relays(self.tx, replaced, row).await?;
                }
                row
            }
            Relay::Copy { album: None } => match (signed, text) {
                (Some(agent), Some(text)) if !message.media => {
                    let said = Msg::AgentSays { agent: agent.to_owned(), text: text.to_owned() };
                    let text = catalogue::render(self.customer_lang(escalation).await?, &said);
                    self.enqueue_to(to, Outgoing::Send { text, keyboard: Keyboard::None }, None, self.now).await?
                }
                _ => {
                    let copy =
                        Outgoing::Copy { from_chat_id: from_chat, message_id: message.message_id, caption: None };
                    self.enqueue_to(to, copy, None, self.now).await?
                }
            },
        };
        escalations::record_relay(self.tx, escalation.id, from_chat, message.message_id, row).await
    }

    async fn enqueue_to(
        &mut self,
        to: &Destination<'_>,
        payload: Outgoing,
        coalesce: Option<String>,
        not_before: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let coalesce = coalesce.as_deref();
        outbox::enqueue_to_topic(self.tx, to.channel, to.chat_id, to.topic, &payload, coalesce, not_before, self.now)
            .await
    }

    async fn customer_lang(&mut self, escalation: &Escalation) -> Result<Lang, StoreError> {
        let customer = customers::by_id(self.tx, escalation.customer_id).await?;
        Ok(customer.map(|customer| customer.lang()).unwrap_or(self.desk.config.shop.default_language))
    }

    /// An edit of a relayed message changes its copy; false when the message
    /// was not relayed.
    async fn mirror_edit(
        &mut self,
        from_chat: i64,
        message: &MessageRef,
        new_text: &str,
        signed: Option<&str>,
    ) -> Result<bool, StoreError> {
        let Some((escalation_id, row)) = escalations::relay_of(self.tx, from_chat, message.message_id).await? else {
            return Ok(false);
        };
        let Some(escalation) = escalations::get(self.tx, escalation_id).await? else { return Ok(false) };
        let Some((channel, chat_id, topic)) = outbox::destination_of(self.tx, row).await? else {
            return Ok(false);
        };
        let text = match (signed.filter(|_| self.desk.config.agents.show_agent_name), message.media) {
            (Some(agent), false) => {
                let said = Msg::AgentSays { agent: agent.to_owned(), text: new_text.to_owned() };
                catalogue::render(self.customer_lang(&escalation).await?, &said)
            }
            _ => new_text.to_owned(),
        };
        let edit = Outgoing::EditCopy { outbox_id: row, text, media: message.media };
        let to = Destination { channel: &channel, chat_id, topic: topic.as_deref() };
        self.enqueue_to(&to, edit, None, self.now).await?;
        if let Some(case) = &escalation.case {
            let event = Event::Edited { text: new_text.to_owned() };
            cases::add_event(self.tx, case, "customer", &event, self.now).await?;
        }
        Ok(true)
    }
}

/// Where a relayed message goes.
#[derive(Clone)]
struct Destination<'a> {
    channel: &'a str,
    chat_id: i64,
    topic: Option<&'a str>,
}

impl Txn<'_> {
    /// A customer's input while their escalation is active (or reopened):
    /// relayed to the agents instead of answered by the bot. Returns false
    /// when the bot should answer as usual.
    pub(super) async fn customer_to_agents(
        &mut self,
        customer_id: i64,
        incoming: &Incoming,
    ) -> Result<bool, StoreError> {
        let (desk, now) = (self.desk, self.now);
        let settings = &desk.config.agents;
        if settings.chat_id.is_none() {
            return Ok(false);
        }
        let Some(escalation) = escalations::latest_for_customer(self.tx, customer_id).await? else { return Ok(false) };
        let message = match (&incoming.input, &incoming.message) {
            (Input::Button { .. } | Input::Command(_), _) | (_, None) => None,
            (_, Some(message)) => Some(message),
        };
        let Some(message) = message else {
            // A button or a command: the bot's menus are paused while a person handles the chat.
            if !escalation.status.is_active() {
                return Ok(false);
            }
            if let Input::Button { callback_id: Some(callback_id), .. } = &incoming.input {
                let notice = catalogue::render(self.customer_lang(&escalation).await?, &Msg::WithAPerson);
                let payload = Outgoing::AnswerButton { callback_id: callback_id.clone(), notice: Some(notice) };
                outbox::enqueue(
                    self.tx,
                    incoming.identity.channel,
                    incoming.identity.chat_id,
                    &payload,
                    None,
                    now,
                    now,
                )
                .await?;
            } else if let Some(customer) = customers::by_id(self.tx, customer_id).await? {
                self.tell_customer(&customer, &Msg::WithAPerson).await?;
            }
            return Ok(true);
        };
        let chat = incoming.identity.chat_id;
        if let Some(new_text) = &message.edited {
            // Once the bot answers again, an edit the agents never saw is the bot's.
            return match escalation.status {
                status if status.is_active() => self.mirror_edit(chat, message, new_text, None).await.map(|_| true),
                Status::Closed => self.mirror_edit(chat, message, new_text, None).await,
                _ => Ok(false),
            };
        }
        let escalation = if escalation.status.is_active() {
            escalation
        } else if agents::reopens(&escalation, settings, now) {
            let effects = agents::reopen(&escalation, settings, now);
            self.apply(&escalation, effects, &Reply::Topic).await?;
            escalations::get(self.tx, escalation.id).await?.unwrap_or(escalation)
        } else {
            return Ok(false);
        };
        let text = match &incoming.input {
            Input::Text(text) => Some(text.as_str()),
            _ => None,
        };
        let to = Destination {
            channel: AGENTS_CHANNEL,
            chat_id: settings.chat_id.unwrap_or_default(),
            topic: Some(&escalation.topic_key),
        };
        self.relay(&escalation, chat, None, message, &to, None).await?;
        if let Some(case) = &escalation.case {
            let shown = match (&message.relay, text) {
                (_, Some(text)) => text.to_owned(),
                (Relay::Describe(Described::Sticker { emoji }), None) => {
                    format!("[sticker {}]", emoji.clone().unwrap_or_default())
                }
                _ => "[media]".to_owned(),
            };
            cases::add_event(self.tx, case, "customer", &Event::CustomerMessage { text: shown }, now).await?;
        }
        Ok(true)
    }
}
