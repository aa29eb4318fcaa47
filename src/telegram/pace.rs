//! Telegram's rate limits as a pure schedule: no clock, no I/O. The sender
//! asks [`Pace::earliest`] when a request to a chat may go, calls
//! [`Pace::record`] when it sends one and hands the [`Ticket`] it got back
//! to [`Pace::completed`] when the call ends; time is always a parameter, so
//! the schedule is tested without waiting.
//!
//! Limits kept (Telegram's published guidance):
//! - about one message per second in any one chat;
//! - at most 20 messages per minute in a group (chat id < 0);
//! - at most 30 requests per second overall.
//!
//! Only messages (see [`Outgoing::is_message`](crate::outgoing::Outgoing::is_message))
//! count towards the per-chat and per-group limits; edits and callback
//! answers still count towards the global one.
//!
//! Windows are sliding and count requests as Telegram sees them, when they
//! arrive: "n per w" means no interval of length `w` ever holds more than
//! `n` arrivals. A request arrives some time between its dispatch and its
//! completion (its answer, or its failure, came back), and the network
//! latency in between varies: n requests dispatched over exactly `w` can
//! arrive within less. So a request holds a slot of each window it counts
//! towards from its dispatch until `w` after its completion, and a new one
//! may go only while fewer than `n` slots are held. Any two requests in the
//! same window then lie at least `w` apart (the later one went out `w` after
//! the earlier one's answer, so after its arrival) unless both held a slot
//! at once, and at most `n` ever do. The one-per-second gap in a chat is the
//! window "1 per `per_chat`". While calls in flight hold every slot of a
//! window, no time can be named: [`Pace::earliest`] says so, and the caller
//! asks again when a call completes.
//!
//! 429 policy ([`Pace::throttled`]): Telegram's "retry after" does not say
//! whether one chat or the whole bot was flooded. The chat that got it is
//! paused for the time given. If another chat is still paused by an earlier
//! 429 when this one arrives, the flood is taken as bot-wide and every send
//! is held for the time given too. A single 429 does not stop other
//! customers' replies; a second one close behind does.
//!
//! Memory: a chat is remembered only while something about it can still
//! hold a request back (a message in flight, a window not yet over, a
//! pause). [`Pace::tidy`] forgets the others, at most once per
//! [`TIDY_EVERY`], and gives a mostly empty table's memory back, so a bot
//! that served 40,000 customers goes back to a few bytes when they are
//! quiet; the sender calls it at [`Pace::tidy_at`].

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::{Duration, Instant};

/// How often, at most, [`Pace::tidy`] passes over the chats remembered: the
/// pass costs one step per chat, so sending stays O(1) on average.
pub const TIDY_EVERY: Duration = Duration::from_secs(1);

/// Telegram's rate limits. A count or gap of 0 disables that limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Minimum gap between two messages to the same chat.
    pub per_chat: Duration,
    /// At most this many messages per window to one group.
    pub per_group: (u32, Duration),
    /// At most this many requests per window, all chats together.
    pub global: (u32, Duration),
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            per_chat: Duration::from_secs(1),
            per_group: (20, Duration::from_secs(60)),
            global: (30, Duration::from_secs(1)),
        }
    }
}

impl Limits {
    /// No limits at all: for tests that must not wait.
    pub fn unlimited() -> Self {
        Limits { per_chat: Duration::ZERO, per_group: (0, Duration::ZERO), global: (0, Duration::ZERO) }
    }

    /// The per-chat gap as a window: one message per `per_chat`.
    fn chat_gap(&self) -> (u32, Duration) {
        (u32::from(!self.per_chat.is_zero()), self.per_chat)
    }
}

/// Groups, supergroups and channels have negative chat ids.
fn is_group(chat_id: i64) -> bool {
    chat_id < 0
}

/// A request's hold on the limits, from [`Pace::record`] (its dispatch) to
/// [`Pace::completed`] (its answer came back, or it failed). Hand it back
/// exactly once, whatever became of the call: until then it keeps its
/// slots taken.
#[derive(Debug, PartialEq, Eq)]
#[must_use = "hand the ticket to Pace::completed when the call ends, or its slots stay taken"]
pub struct Ticket {
    id: u64,
    chat_id: i64,
    message: bool,
}

/// One sliding window "n per w": the requests holding a slot are those in
/// flight plus those that completed less than `w` ago.
#[derive(Debug, Default)]
struct Window {
    /// Requests recorded and not completed yet.
    in_flight: u32,
    /// The last `n` completions, oldest first.
    completed: VecDeque<Instant>,
}

impl Window {
    /// When, not before `now`, a new request may take a slot; `None` while
    /// requests in flight hold all `n` (a count of 0 is no limit).
    fn opens(&self, (n, window): (u32, Duration), now: Instant) -> Option<Instant> {
        if n == 0 {
            return Some(now);
        }
        let free = n.checked_sub(self.in_flight).filter(|&free| free > 0)? as usize;
        // At most `free - 1` completions may still be in the window: the
        // `free`-th most recent one must have left it.
        let oldest = self.completed.len().checked_sub(free).and_then(|index| self.completed.get(index));
        let at = oldest.map(|&done| done.checked_add(window).unwrap_or(done));
        Some(later(now, at))
    }

    /// How many requests may take a slot at `now` (`usize::MAX` for no limit).
    fn room(&self, (n, window): (u32, Duration), now: Instant) -> usize {
        if n == 0 {
            return usize::MAX;
        }
        let held = self.completed.iter().filter(|&&done| done.checked_add(window).is_none_or(|end| end > now)).count();
        (n.saturating_sub(self.in_flight) as usize).saturating_sub(held)
    }

    fn take(&mut self, (n, _): (u32, Duration)) {
        if n > 0 {
            self.in_flight = self.in_flight.saturating_add(1);
        }
    }

    fn release(&mut self, (n, _): (u32, Duration), at: Instant) {
        if n == 0 {
            return;
        }
        self.in_flight = self.in_flight.saturating_sub(1);
        // Completions may be reported late, out of order.
        let index = self.completed.partition_point(|&done| done <= at);
        self.completed.insert(index, at);
        while self.completed.len() > n as usize {
            self.completed.pop_front();
        }
    }

    /// Whether nothing in it can hold back a request any more.
    fn idle(&self, (_, window): (u32, Duration), now: Instant) -> bool {
        self.in_flight == 0 && self.completed.back().is_none_or(|&last| now.saturating_duration_since(last) >= window)
    }
}

#[derive(Debug, Default)]
struct ChatPace {
    /// Messages to the chat, against the gap between two of them.
    gap: Window,
    /// Messages to a group, against the per-group limit.
    group: Window,
    paused_until: Option<Instant>,
}

/// The rate-limit schedule. `now` must never go backwards between calls
/// (pass [`Instant::now`] or offsets from one base instant); only
/// [`completed`](Pace::completed) may name an earlier instant.
#[derive(Debug)]
pub struct Pace {
    limits: Limits,
    global: Window,
    /// Tickets handed out and not yet back.
    out: HashSet<u64>,
    next_ticket: u64,
    chats: HashMap<i64, ChatPace>,
    paused_all: Option<Instant>,
    last_tidy: Option<Instant>,
}

fn later(a: Instant, b: Option<Instant>) -> Instant {
    match b {
        Some(b) if b > a => b,
        _ => a,
    }
}

impl Pace {
    pub fn new(limits: Limits) -> Self {
        Pace {
            limits,
            global: Window::default(),
            out: HashSet::new(),
            next_ticket: 0,
            chats: HashMap::new(),
            paused_all: None,
            last_tidy: None,
        }
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The earliest instant, not before `now`, at which a request to
    /// `chat_id` may go. `message` says whether it is a message (counts
    /// towards the chat's limits) or an edit / callback answer (global only).
    ///
    /// `None`: calls in flight hold every slot of a window the request
    /// counts towards, so no instant can be named before one of them
    /// completes; ask again after [`completed`](Self::completed).
    pub fn earliest(&self, chat_id: i64, message: bool, now: Instant) -> Option<Instant> {
        let mut at = self.earliest_any(now)?;
        if let Some(chat) = self.chats.get(&chat_id) {
            at = later(at, chat.paused_until);
            if message {
                at = at.max(chat.gap.opens(self.limits.chat_gap(), now)?);
                if is_group(chat_id) {
                    at = at.max(chat.group.opens(self.limits.per_group, now)?);
                }
            }
        }
        Some(at)
    }

    /// The earliest instant, not before `now`, at which the limits on all
    /// chats together (the global one, a bot-wide pause) let some request
    /// go; `None` while calls in flight hold every slot. A chat's own limits
    /// may hold its requests longer.
    pub fn earliest_any(&self, now: Instant) -> Option<Instant> {
        Some(later(now, self.paused_all).max(self.global.opens(self.limits.global, now)?))
    }

    /// How many requests the limits on all chats together let start at
    /// `now` (`usize::MAX` without a global limit); a chat's own limits may
    /// hold some of them back. More than 0 exactly when
    /// [`earliest_any`](Self::earliest_any) allows `now`.
    pub fn room(&self, now: Instant) -> usize {
        if self.paused_all.is_some_and(|until| until > now) {
            return 0;
        }
        self.global.room(self.limits.global, now)
    }

    /// Whether a request may go right now.
    pub fn ready(&self, chat_id: i64, message: bool, now: Instant) -> bool {
        self.earliest(chat_id, message, now).is_some_and(|at| at <= now)
    }

    /// Notes a request sent at `now`. Call it only when
    /// [`earliest`](Self::earliest) allowed `now`, and hand the ticket to
    /// [`completed`](Self::completed) when the call ends, however it ends.
    pub fn record(&mut self, chat_id: i64, message: bool, now: Instant) -> Ticket {
        let id = self.next_ticket;
        self.next_ticket = self.next_ticket.wrapping_add(1);
        self.out.insert(id);
        self.global.take(self.limits.global);
        if message {
            let chat = self.chats.entry(chat_id).or_default();
            chat.gap.take(self.limits.chat_gap());
            if is_group(chat_id) {
                chat.group.take(self.limits.per_group);
            }
        }
        self.tidy(now);
        Ticket { id, chat_id, message }
    }

    /// Notes that the request holding `ticket` completed at `at`: its answer
    /// came back, or it failed in any way (network error, 429, panic, given
    /// up). Its slots free up once the windows have passed over `at`.
    ///
    /// `at` may lie before instants already passed to the schedule (an
    /// answer noticed late), but not before the request's dispatch nor
    /// before its arrival at the server.
    pub fn completed(&mut self, ticket: Ticket, at: Instant) {
        if !self.out.remove(&ticket.id) {
            return;
        }
        self.global.release(self.limits.global, at);
        // A chat is remembered while it has a message in flight, unless no
        // limit tracks its messages at all.
        if ticket.message
            && let Some(chat) = self.chats.get_mut(&ticket.chat_id)
        {
            chat.gap.release(self.limits.chat_gap(), at);
            if is_group(ticket.chat_id) {
                chat.group.release(self.limits.per_group, at);
            }
        }
        self.tidy(at);
    }

    /// Notes a request an earlier sender made and saw completed at `at` (a
    /// process since restarted, or another instance that led before this
    /// one): it holds its slots until the windows have passed over `at`,
    /// as if this schedule had sent it.
    pub fn recall(&mut self, chat_id: i64, message: bool, at: Instant) {
        let ticket = self.record(chat_id, message, at);
        self.completed(ticket, at);
    }

    /// The longest window a limit counts over: how far back sends matter.
    pub fn memory(&self) -> Duration {
        self.limits.per_chat.max(self.limits.per_group.1).max(self.limits.global.1)
    }

    /// Requests recorded and not completed (for tests and metrics).
    pub fn in_flight(&self) -> usize {
        self.out.len()
    }

    /// Holds every request to `chat_id` until `until`.
    pub fn pause_chat(&mut self, chat_id: i64, until: Instant) {
        let chat = self.chats.entry(chat_id).or_default();
        chat.paused_until = Some(later(until, chat.paused_until));
    }

    /// Holds every request to every chat until `until`.
    pub fn pause_all(&mut self, until: Instant) {
        self.paused_all = Some(later(until, self.paused_all));
    }

    /// Applies a 429 "retry after" that came back for `chat_id` at `now` (the
    /// policy is in the module doc). Returns whether all chats were paused.
    pub fn throttled(&mut self, chat_id: i64, retry_after: Duration, now: Instant) -> bool {
        let until = now.checked_add(retry_after).unwrap_or(now);
        let another_paused = self
            .chats
            .iter()
            .any(|(&other, chat)| other != chat_id && chat.paused_until.is_some_and(|until| until > now));
        self.pause_chat(chat_id, until);
        if another_paused {
            self.pause_all(until);
        }
        another_paused
    }

    /// Chats the schedule still remembers (for tests and metrics).
    pub fn tracked_chats(&self) -> usize {
        self.chats.len()
    }

    /// When [`tidy`](Self::tidy) should run next, not before `now`: `None`
    /// while the schedule holds nothing to forget or give back.
    pub fn tidy_at(&self, now: Instant) -> Option<Instant> {
        let holds = self.chats.capacity() > 0 || self.out.capacity() > 0 || self.paused_all.is_some();
        holds.then(|| later(now, self.last_tidy.and_then(|last| last.checked_add(TIDY_EVERY))))
    }

    /// Forgets chats whose requests and pauses can no longer hold anything
    /// back (none in flight, every window over) and shrinks tables left
    /// mostly empty; does nothing if it last ran less than [`TIDY_EVERY`]
    /// before `now`.
    pub fn tidy(&mut self, now: Instant) {
        if self.last_tidy.is_some_and(|last| now.saturating_duration_since(last) < TIDY_EVERY) {
            return;
        }
        self.last_tidy = Some(now);
        let (gap, per_group) = (self.limits.chat_gap(), self.limits.per_group);
        self.chats.retain(|_, chat| {
            let unpaused = chat.paused_until.is_none_or(|until| until <= now);
            !(chat.gap.idle(gap, now) && chat.group.idle(per_group, now) && unpaused)
        });
        if let Some(keep) = shrunk(self.chats.len(), self.chats.capacity()) {
            self.chats.shrink_to(keep);
        }
        if let Some(keep) = shrunk(self.out.len(), self.out.capacity()) {
            self.out.shrink_to(keep);
        }
        if self.paused_all.is_some_and(|until| until <= now) {
            self.paused_all = None;
        }
    }
}

/// The capacity to shrink a table of `len` entries to, if at most a quarter
/// of its `capacity` is used: twice its length, so that a table that is
/// filling up again is not reallocated at once (an empty one is freed).
fn shrunk(len: usize, capacity: usize) -> Option<usize> {
    (len.saturating_mul(4) <= capacity && capacity > 0).then(|| len.saturating_mul(2))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const PRIVATE: i64 = 42;
    const GROUP: i64 = -1001;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn sends_recalled_from_before_a_restart_hold_their_slots_until_their_windows_pass() {
        let limits = Limits { per_chat: ms(1000), per_group: (20, ms(60_000)), global: (30, ms(1000)) };
        let mut pace = Pace::new(limits);
        let t0 = Instant::now();
        for chat in 0..30 {
            pace.recall(PRIVATE + chat, true, t0);
        }
        for _ in 0..20 {
            pace.recall(GROUP, true, t0);
        }
        let now = t0 + ms(400);
        assert_eq!(pace.earliest(7, false, now), Some(t0 + ms(1000)), "30 a second already went out");
        assert_eq!(pace.earliest(PRIVATE, true, now), Some(t0 + ms(1000)), "one a second in a chat");
        assert_eq!(pace.earliest(GROUP, true, now), Some(t0 + ms(60_000)), "20 a minute in a group");
        assert_eq!(pace.in_flight(), 0);
        assert_eq!(pace.memory(), ms(60_000));
    }

    #[test]
    fn one_message_per_second_per_chat() {
        let t0 = Instant::now();
        let mut pace = Pace::new(Limits::default());
        assert_eq!(pace.earliest(PRIVATE, true, t0), Some(t0));
        let ticket = pace.record(PRIVATE, true, t0);
        // While it is on its way, the next message to the chat waits for its answer.
        assert_eq!(pace.earliest(PRIVATE, true, t0 + ms(10)), None);
        // Another chat is not held back.
        assert_eq!(pace.earliest(7, true, t0 + ms(10)), Some(t0 + ms(10)));
        // Edits and callback answers to the same chat are not held back.
        assert_eq!(pace.earliest(PRIVATE, false, t0 + ms(10)), Some(t0 + ms(10)));
        // The gap runs from the answer: the message reached Telegram by then at the latest.
        pace.completed(ticket, t0 + ms(40));
        assert_eq!(pace.earliest(PRIVATE, true, t0 + ms(50)), Some(t0 + ms(1040)));
        assert!(pace.ready(PRIVATE, true, t0 + ms(1040)));
    }

    #[test]
    fn twenty_per_minute_per_group() {
        let t0 = Instant::now();
        let mut pace = Pace::new(Limits::default());
        let mut now = t0;
        for _ in 0..20 {
            now = pace.earliest(GROUP, true, now).expect("nothing in flight");
            let ticket = pace.record(GROUP, true, now);
            now += ms(10);
            pace.completed(ticket, now);
        }
        // One every 1,010 ms (a second after each answer); the 21st waits
        // until a minute after the first one's answer.
        assert_eq!(now, t0 + ms(19 * 1010 + 10));
        assert_eq!(pace.earliest(GROUP, true, now), Some(t0 + ms(60_010)));
    }

    #[test]
    fn thirty_per_second_overall() {
        let t0 = Instant::now();
        let mut pace = Pace::new(Limits::default());
        let mut tickets = Vec::new();
        for chat in 0..30 {
            assert!(pace.ready(chat, true, t0));
            tickets.push(pace.record(chat, true, t0));
        }
        for (n, ticket) in tickets.into_iter().enumerate() {
            pace.completed(ticket, t0 + ms(100 + n as u64));
        }
        // A second after the first answer, one slot is free; then the next.
        assert_eq!(pace.earliest(100, true, t0 + ms(200)), Some(t0 + ms(1100)));
        assert_eq!(pace.earliest(100, false, t0 + ms(500)), Some(t0 + ms(1100)));
        assert_eq!(pace.room(t0 + ms(1099)), 0);
        assert_eq!(pace.room(t0 + ms(1100)), 1);
        assert_eq!(pace.room(t0 + ms(1110)), 11);
        let ticket = pace.record(100, false, t0 + ms(1100));
        assert_eq!(pace.room(t0 + ms(1100)), 0);
        assert_eq!(pace.earliest(101, false, t0 + ms(1100)), Some(t0 + ms(1101)));
        pace.completed(ticket, t0 + ms(1105));
    }

    /// A call that never completes (its answer lost, its task gone without a
    /// word to the pace) would keep its slot for ever: whatever becomes of a
    /// call, its ticket must come back.
    #[test]
    fn a_call_in_flight_holds_its_slot_until_a_window_after_it_completes() {
        let t0 = Instant::now();
        let limits = Limits { global: (3, ms(1000)), ..Limits::unlimited() };
        let mut pace = Pace::new(limits);
        let tickets: Vec<Ticket> = (0..3).map(|chat| pace.record(chat, true, t0)).collect();
        assert_eq!(pace.in_flight(), 3);
        // None completes: blocked, however long it takes.
        for later in [0, 1000, 60_000, 3_600_000] {
            assert_eq!(pace.earliest_any(t0 + ms(later)), None);
            assert_eq!(pace.earliest(9, true, t0 + ms(later)), None);
            assert!(!pace.ready(9, false, t0 + ms(later)));
        }
        // One completes (an answer, a 429, a network error: all the same):
        // still blocked until a window after that.
        let mut tickets = tickets.into_iter();
        let done = t0 + ms(3_600_500);
        pace.completed(tickets.next().expect("ticket"), done);
        assert_eq!(pace.in_flight(), 2);
        assert_eq!(pace.earliest(9, true, done), Some(done + ms(1000)));
        assert_eq!(pace.earliest_any(done), Some(done + ms(1000)));
        assert!(!pace.ready(9, true, done + ms(999)));
        // Then free, for one request only.
        assert!(pace.ready(9, true, done + ms(1000)));
        let again = pace.record(9, true, done + ms(1000));
        assert_eq!(pace.earliest(10, true, done + ms(1000)), None);
        for ticket in tickets.chain([again]) {
            pace.completed(ticket, done + ms(1200));
        }
        assert_eq!(pace.in_flight(), 0);
        assert_eq!(pace.earliest(10, true, done + ms(1300)), Some(done + ms(2200)));
        assert!(pace.ready(10, true, done + ms(2200)));
    }

    #[test]
    fn a_ticket_comes_back_once() {
        let t0 = Instant::now();
        let mut pace = Pace::new(Limits { global: (1, ms(1000)), ..Limits::unlimited() });
        let ticket = pace.record(1, true, t0);
        let mut other = Pace::new(Limits { global: (1, ms(1000)), ..Limits::unlimited() });
        // Another schedule's ticket has nothing to give back here.
        let foreign = other.record(1, true, t0);
        other.completed(foreign, t0);
        assert_eq!(other.in_flight(), 0);
        pace.completed(ticket, t0 + ms(10));
        assert_eq!(pace.earliest(2, false, t0 + ms(10)), Some(t0 + ms(1010)));
    }

    #[test]
    fn pauses_hold_the_chat_or_everyone() {
        let t0 = Instant::now();
        let mut pace = Pace::new(Limits::default());
        pace.pause_chat(PRIVATE, t0 + ms(5000));
        assert_eq!(pace.earliest(PRIVATE, false, t0), Some(t0 + ms(5000)));
        assert_eq!(pace.earliest(7, true, t0), Some(t0));
        // A shorter pause does not shorten a longer one.
        pace.pause_chat(PRIVATE, t0 + ms(1000));
        assert_eq!(pace.earliest(PRIVATE, true, t0), Some(t0 + ms(5000)));
        assert_eq!(pace.earliest_any(t0), Some(t0));
        pace.pause_all(t0 + ms(2000));
        assert_eq!(pace.earliest_any(t0), Some(t0 + ms(2000)));
        assert_eq!(pace.earliest(7, true, t0), Some(t0 + ms(2000)));
        assert_eq!(pace.earliest(7, true, t0 + ms(2000)), Some(t0 + ms(2000)));
    }

    #[test]
    fn one_429_pauses_the_chat_two_pause_everyone() {
        let t0 = Instant::now();
        let mut pace = Pace::new(Limits::default());
        assert!(!pace.throttled(PRIVATE, ms(3000), t0));
        assert_eq!(pace.earliest(PRIVATE, true, t0), Some(t0 + ms(3000)));
        assert_eq!(pace.earliest(7, true, t0), Some(t0));
        // A second chat flooded while the first is still paused: bot-wide.
        assert!(pace.throttled(7, ms(4000), t0 + ms(1000)));
        assert_eq!(pace.earliest(8, true, t0 + ms(1000)), Some(t0 + ms(5000)));
        // Once both pauses are over, a new 429 is a single chat's again.
        assert!(!pace.throttled(9, ms(1000), t0 + ms(6000)));
        assert_eq!(pace.earliest(8, true, t0 + ms(6000)), Some(t0 + ms(6000)));
    }

    #[test]
    fn idle_chats_are_forgotten() {
        let t0 = Instant::now();
        let mut pace = Pace::new(Limits::default());
        for chat in 0..20 {
            let at = t0 + ms(chat as u64 * 50);
            let ticket = pace.record(chat, true, at);
            pace.completed(ticket, at + ms(5));
        }
        let done = pace.record(GROUP, true, t0 + ms(1000));
        pace.completed(done, t0 + ms(1010));
        let flying = pace.record(77, true, t0 + ms(1000));
        pace.pause_chat(5, t0 + ms(500_000));
        assert!(pace.tracked_chats() >= 20);
        // Past every window: only the still-paused chat and the one whose
        // message is still in flight are remembered.
        let ticket = pace.record(99, false, t0 + ms(200_000));
        assert_eq!(pace.tracked_chats(), 2);
        assert_eq!(pace.earliest(5, true, t0 + ms(200_000)), Some(t0 + ms(500_000)));
        assert_eq!(pace.earliest(77, true, t0 + ms(200_000)), None);
        pace.completed(flying, t0 + ms(200_000));
        pace.completed(ticket, t0 + ms(200_000));
        assert_eq!(pace.earliest(77, true, t0 + ms(200_000)), Some(t0 + ms(201_000)));
    }

    /// A bot that served 40,000 customers at once keeps nothing of them
    /// once their windows are over: the table is freed, not just emptied.
    #[test]
    fn a_quiet_schedule_forgets_every_chat_and_frees_its_tables() {
        let t0 = Instant::now();
        let mut pace = Pace::new(Limits { global: (0, Duration::ZERO), ..Limits::default() });
        assert_eq!(pace.tidy_at(t0), None);
        let tickets: Vec<Ticket> = (0..40_000).map(|chat| pace.record(chat, true, t0)).collect();
        for ticket in tickets {
            pace.completed(ticket, t0 + ms(10));
        }
        assert_eq!(pace.tracked_chats(), 40_000);
        assert!(pace.chats.capacity() >= 40_000);
        // Still within each chat's one-second gap: all remembered.
        assert_eq!(pace.tidy_at(t0 + ms(10)), Some(t0 + TIDY_EVERY));
        pace.tidy(t0 + ms(1000));
        assert_eq!(pace.tracked_chats(), 40_000);
        assert_eq!(pace.earliest(7, true, t0 + ms(1000)), Some(t0 + ms(1010)));
        // Every gap over: nothing left, and nothing more to do.
        let quiet = t0 + ms(2000);
        assert_eq!(pace.tidy_at(quiet), Some(quiet));
        pace.tidy(quiet);
        assert_eq!(pace.tracked_chats(), 0);
        assert_eq!((pace.chats.capacity(), pace.out.capacity()), (0, 0));
        assert_eq!(pace.tidy_at(quiet), None);
        assert!(pace.ready(7, true, quiet));
    }

    /// Under steady traffic of new customers the schedule holds only those of
    /// the last couple of seconds, tidied as it records and completes.
    #[test]
    fn steady_traffic_keeps_the_table_small() {
        let t0 = Instant::now();
        let mut pace = Pace::new(Limits { global: (0, Duration::ZERO), ..Limits::default() });
        let mut most = 0;
        // A new chat every 10 ms for 100 s, each answered 5 ms later.
        for chat in 0..10_000 {
            let at = t0 + ms(chat as u64 * 10);
            let ticket = pace.record(chat, true, at);
            pace.completed(ticket, at + ms(5));
            most = most.max(pace.tracked_chats());
        }
        // A chat's gap lasts 1 s after its answer, and a tidy comes at most
        // 1 s after that: about 200 chats at 100 a second.
        assert!(most <= 210, "remembered up to {most} chats");
        assert!(pace.chats.capacity() <= 4 * 210, "a table of {}", pace.chats.capacity());
    }

    #[test]
    fn unlimited_never_waits() {
        let t0 = Instant::now();
        let mut pace = Pace::new(Limits::unlimited());
        let tickets: Vec<Ticket> = (0..100)
            .map(|_| {
                assert!(pace.ready(GROUP, true, t0));
                pace.record(GROUP, true, t0)
            })
            .collect();
        assert_eq!(pace.in_flight(), 100);
        for ticket in tickets {
            pace.completed(ticket, t0);
        }
        assert_eq!(pace.in_flight(), 0);
    }

    #[derive(Clone, Debug)]
    enum Op {
        Advance(u64),
        /// Try to send now; sends only if the schedule allows.
        Try(usize, bool),
        /// Wait until the schedule allows a send, then send. While calls in
        /// flight hold it back, one of them (the `usize`-th, modulo) completes
        /// after `u64` ms.
        WaitAndSend(usize, bool, usize, u64),
        /// The `usize`-th call in flight (modulo) completes; it is noticed
        /// now, and reported as having ended up to `u64` ms before (not
        /// before its dispatch).
        Complete(usize, u64),
        PauseChat(usize, u64),
        PauseAll(u64),
        Throttled(usize, u64),
        /// Forget what no longer matters (as the sender does on a timer).
        Tidy,
    }

    const CHATS: [i64; 6] = [1, 2, 3, -10, -20, -30];

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            3 => (0u64..1500).prop_map(Op::Advance),
            5 => (0..CHATS.len(), any::<bool>()).prop_map(|(c, m)| Op::Try(c, m)),
            3 => (0..CHATS.len(), any::<bool>(), any::<usize>(), 0u64..700)
                .prop_map(|(c, m, k, latency)| Op::WaitAndSend(c, m, k, latency)),
            4 => (any::<usize>(), prop_oneof![Just(0u64), 0u64..1500]).prop_map(|(k, back)| Op::Complete(k, back)),
            1 => (0..CHATS.len(), 0u64..5000).prop_map(|(c, d)| Op::PauseChat(c, d)),
            1 => (0u64..3000).prop_map(Op::PauseAll),
            1 => (0..CHATS.len(), 0u64..5000).prop_map(|(c, d)| Op::Throttled(c, d)),
            1 => Just(Op::Tidy),
        ]
    }

    fn limits() -> impl Strategy<Value = Limits> {
        (0u64..2000, 0u32..5, 0u64..10_000, 0u32..6, 0u64..3000).prop_map(|(gap, gn, gw, n, w)| Limits {
            per_chat: ms(gap),
            per_group: (gn, ms(gw)),
            global: (n, ms(w)),
        })
    }

    /// Where in [dispatch, completion] a request reaches the server: mostly
    /// at either end, where limits are broken first.
    fn arrival() -> impl Strategy<Value = f64> {
        prop_oneof![Just(0.0), Just(1.0), 0.0..=1.0]
    }

    #[derive(Clone, Copy, Debug)]
    struct Sent {
        chat: i64,
        message: bool,
        dispatched: Instant,
        /// `None`: still in flight at the end.
        completed: Option<Instant>,
    }

    /// No more than `n` of the sorted `times` in any window of length `w`.
    fn within_window(times: &[Instant], (n, w): (u32, Duration)) -> bool {
        n == 0 || times.windows(n as usize + 1).all(|span| span[n as usize].duration_since(span[0]) >= w)
    }

    /// The worst case of every replay: no `n + 1` of the requests can be
    /// placed, each anywhere between its dispatch and its completion, within
    /// one window of length `w`. They can iff the last dispatch among them
    /// comes less than `w` after the first completion.
    fn held_apart(sent: &[Sent], (n, w): (u32, Duration)) -> bool {
        if n == 0 || w.is_zero() {
            return true;
        }
        sent.iter().all(|last| {
            let together = sent
                .iter()
                .filter(|other| {
                    other.dispatched <= last.dispatched && other.completed.is_none_or(|done| done + w > last.dispatched)
                })
                .count();
            together <= n as usize
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Whatever the order of requests, completions, pauses and waits, a
        /// sender that obeys `earliest` never breaks a limit or a pause at the
        /// server, wherever between dispatch and completion each request
        /// arrives; `earliest` is exact: at the instant it names, the send is
        /// allowed; and it only says "no time yet" while calls are in flight.
        #[test]
        fn schedules_never_exceed_limits(limits in prop_oneof![Just(Limits::default()), limits()],
                                         ops in proptest::collection::vec(op(), 1..300),
                                         arrivals in proptest::collection::vec(arrival(), 300)) {
            let t0 = Instant::now();
            let mut pace = Pace::new(limits);
            let mut now = t0;
            let mut sent: Vec<Sent> = Vec::new();
            // (index into `sent`, its ticket)
            let mut flying: Vec<(usize, Ticket)> = Vec::new();
            // (chat or None for all, sends before it, until): a pause holds
            // the sends that come after it, up to `until`.
            let mut pauses: Vec<(Option<i64>, usize, Instant)> = Vec::new();
            fn complete(pace: &mut Pace, sent: &mut [Sent], flying: &mut Vec<(usize, Ticket)>, k: usize, at: Instant) {
                if flying.is_empty() {
                    return;
                }
                let (index, ticket) = flying.remove(k % flying.len());
                let at = at.max(sent[index].dispatched);
                pace.completed(ticket, at);
                sent[index].completed = Some(at);
            }
            for op in ops {
                match op {
                    Op::Advance(d) => now += ms(d),
                    Op::Try(c, message) => {
                        let at = pace.earliest(CHATS[c], message, now);
                        prop_assert!(at.is_some() || !flying.is_empty());
                        prop_assert!(at.is_none_or(|at| at >= now));
                        // What holds every chat back holds this one.
                        let any = pace.earliest_any(now);
                        prop_assert!(any.is_some() || at.is_none());
                        prop_assert!(at.is_none_or(|at| any.is_some_and(|any| now <= any && any <= at)));
                        prop_assert_eq!(pace.room(now) > 0, any == Some(now));
                        if at == Some(now) {
                            flying.push((sent.len(), pace.record(CHATS[c], message, now)));
                            sent.push(Sent { chat: CHATS[c], message, dispatched: now, completed: None });
                        }
                    }
                    Op::WaitAndSend(c, message, k, latency) => {
                        loop {
                            match pace.earliest(CHATS[c], message, now) {
                                Some(at) => {
                                    prop_assert!(at >= now);
                                    now = at;
                                    break;
                                }
                                None => {
                                    prop_assert!(!flying.is_empty(), "held back with nothing in flight");
                                    now += ms(latency);
                                    complete(&mut pace, &mut sent, &mut flying, k, now);
                                }
                            }
                        }
                        prop_assert!(pace.ready(CHATS[c], message, now));
                        flying.push((sent.len(), pace.record(CHATS[c], message, now)));
                        sent.push(Sent { chat: CHATS[c], message, dispatched: now, completed: None });
                    }
                    Op::Complete(k, back) => {
                        let at = now.checked_sub(ms(back)).unwrap_or(t0).max(t0);
                        complete(&mut pace, &mut sent, &mut flying, k, at);
                    }
                    Op::PauseChat(c, d) => {
                        pace.pause_chat(CHATS[c], now + ms(d));
                        pauses.push((Some(CHATS[c]), sent.len(), now + ms(d)));
                    }
                    Op::PauseAll(d) => {
                        pace.pause_all(now + ms(d));
                        pauses.push((None, sent.len(), now + ms(d)));
                    }
                    Op::Throttled(c, d) => {
                        let all = pace.throttled(CHATS[c], ms(d), now);
                        pauses.push((Some(CHATS[c]), sent.len(), now + ms(d)));
                        if all {
                            pauses.push((None, sent.len(), now + ms(d)));
                        }
                    }
                    Op::Tidy => {
                        prop_assert!(pace.tidy_at(now).is_none_or(|at| at >= now));
                        pace.tidy(now);
                    }
                }
            }
            prop_assert_eq!(pace.in_flight(), flying.len());

            // The worst case, exactly.
            let messages = |chat: i64| -> Vec<Sent> {
                sent.iter().filter(|s| s.chat == chat && s.message).copied().collect()
            };
            prop_assert!(held_apart(&sent, limits.global));
            for chat in CHATS {
                prop_assert!(held_apart(&messages(chat), limits.chat_gap()));
                if is_group(chat) {
                    prop_assert!(held_apart(&messages(chat), limits.per_group));
                }
            }

            // A replay: each request reaches the server somewhere between its
            // dispatch and its completion (those still in flight, up to an
            // hour later).
            let end = now + Duration::from_secs(3600);
            let arrived: Vec<Instant> = sent
                .iter()
                .zip(arrivals.iter().cycle())
                .map(|(s, &at)| s.dispatched + s.completed.unwrap_or(end).duration_since(s.dispatched).mul_f64(at))
                .collect();
            let sorted = |keep: &dyn Fn(&Sent) -> bool| -> Vec<Instant> {
                let mut times: Vec<Instant> =
                    sent.iter().zip(&arrived).filter(|(s, _)| keep(s)).map(|(_, &at)| at).collect();
                times.sort();
                times
            };
            prop_assert!(within_window(&sorted(&|_| true), limits.global));
            for chat in CHATS {
                let times = sorted(&|s| s.chat == chat && s.message);
                prop_assert!(times.windows(2).all(|p| p[1].duration_since(p[0]) >= limits.per_chat));
                if is_group(chat) {
                    prop_assert!(within_window(&times, limits.per_group));
                }
            }

            for (chat, before, until) in pauses {
                prop_assert!(!sent[before..].iter().any(|s| chat.is_none_or(|c| c == s.chat) && s.dispatched < until));
            }
        }
    }
}
