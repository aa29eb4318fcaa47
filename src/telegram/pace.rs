//! Telegram's rate limits as a pure schedule: no clock, no I/O. The sender
//! asks [`Pace::earliest`] when a request to a chat may go, and calls
//! [`Pace::record`] when it sends one; time is always a parameter, so the
//! schedule is tested without waiting.
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
//! Windows are sliding: "n per w" means no interval of length `w` ever holds
//! more than `n` recorded sends.
//!
//! 429 policy ([`Pace::throttled`]): Telegram's "retry after" does not say
//! whether one chat or the whole bot was flooded. The chat that got it is
//! paused for the time given. If another chat is still paused by an earlier
//! 429 when this one arrives, the flood is taken as bot-wide and every send
//! is held for the time given too. A single 429 does not stop other
//! customers' replies; a second one close behind does.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

/// Telegram's rate limits. A count of 0 disables that limit.
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
}

/// Groups, supergroups and channels have negative chat ids.
fn is_group(chat_id: i64) -> bool {
    chat_id < 0
}

#[derive(Debug, Default)]
struct ChatPace {
    last_message: Option<Instant>,
    /// Recent messages to a group, at most `per_group.0` of them.
    recent: VecDeque<Instant>,
    paused_until: Option<Instant>,
}

/// The rate-limit schedule. `now` must never go backwards between calls
/// (pass [`Instant::now`] or offsets from one base instant).
#[derive(Debug)]
pub struct Pace {
    limits: Limits,
    /// The last `global.0` sends, oldest first.
    global: VecDeque<Instant>,
    chats: HashMap<i64, ChatPace>,
    paused_all: Option<Instant>,
    last_prune: Option<Instant>,
}

/// When a new event may happen so that `events` (oldest first, at most the
/// last `n`) plus the new one keep at most `n` in any window of `window`.
fn window_opens(events: &VecDeque<Instant>, (n, window): (u32, Duration)) -> Option<Instant> {
    let n = n as usize;
    if n == 0 || events.len() < n {
        return None;
    }
    // The n-th most recent event must have left the window.
    events.get(events.len() - n).map(|oldest| oldest.checked_add(window).unwrap_or(*oldest))
}

fn push_capped(events: &mut VecDeque<Instant>, at: Instant, cap: u32) {
    if cap == 0 {
        return;
    }
    events.push_back(at);
    while events.len() > cap as usize {
        events.pop_front();
    }
}

fn later(a: Instant, b: Option<Instant>) -> Instant {
    match b {
        Some(b) if b > a => b,
        _ => a,
    }
}

impl Pace {
    pub fn new(limits: Limits) -> Self {
        Pace { limits, global: VecDeque::new(), chats: HashMap::new(), paused_all: None, last_prune: None }
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The earliest instant, not before `now`, at which a request to
    /// `chat_id` may go. `message` says whether it is a message (counts
    /// towards the chat's limits) or an edit / callback answer (global only).
    pub fn earliest(&self, chat_id: i64, message: bool, now: Instant) -> Instant {
        let mut at = later(now, self.paused_all);
        at = later(at, window_opens(&self.global, self.limits.global));
        if let Some(chat) = self.chats.get(&chat_id) {
            at = later(at, chat.paused_until);
            if message {
                at = later(at, chat.last_message.and_then(|last| last.checked_add(self.limits.per_chat)));
                if is_group(chat_id) {
                    at = later(at, window_opens(&chat.recent, self.limits.per_group));
                }
            }
        }
        at
    }

    /// Whether a request may go right now.
    pub fn ready(&self, chat_id: i64, message: bool, now: Instant) -> bool {
        self.earliest(chat_id, message, now) <= now
    }

    /// Notes a request sent at `now`. Call it only when
    /// [`earliest`](Self::earliest) allowed `now`.
    pub fn record(&mut self, chat_id: i64, message: bool, now: Instant) {
        push_capped(&mut self.global, now, self.limits.global.0);
        if message {
            let chat = self.chats.entry(chat_id).or_default();
            chat.last_message = Some(now);
            if is_group(chat_id) {
                push_capped(&mut chat.recent, now, self.limits.per_group.0);
            }
        }
        self.prune(now);
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

    /// The longest span over which a past send can still hold a new one back.
    fn horizon(&self) -> Duration {
        self.limits.per_chat.max(self.limits.per_group.1).max(self.limits.global.1).max(Duration::from_secs(1))
    }

    /// Forgets chats whose sends and pauses can no longer affect anything,
    /// at most once per horizon so that recording stays O(1) on average.
    fn prune(&mut self, now: Instant) {
        let horizon = self.horizon();
        if self.last_prune.is_some_and(|last| now.saturating_duration_since(last) < horizon) {
            return;
        }
        self.last_prune = Some(now);
        let (per_chat, group_window) = (self.limits.per_chat, self.limits.per_group.1);
        let over = |at: Instant, span: Duration| now.saturating_duration_since(at) >= span;
        self.chats.retain(|_, chat| {
            let gap_open = chat.last_message.is_none_or(|last| over(last, per_chat));
            let window_open = chat.recent.back().is_none_or(|&last| over(last, group_window));
            let unpaused = chat.paused_until.is_none_or(|until| until <= now);
            !(gap_open && window_open && unpaused)
        });
        if self.paused_all.is_some_and(|until| until <= now) {
            self.paused_all = None;
        }
    }
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
    fn one_message_per_second_per_chat() {
        let t0 = Instant::now();
        let mut pace = Pace::new(Limits::default());
        assert_eq!(pace.earliest(PRIVATE, true, t0), t0);
        pace.record(PRIVATE, true, t0);
        assert_eq!(pace.earliest(PRIVATE, true, t0 + ms(10)), t0 + ms(1000));
        // Another chat is not held back.
        assert_eq!(pace.earliest(7, true, t0 + ms(10)), t0 + ms(10));
        // Edits and callback answers to the same chat are not held back.
        assert_eq!(pace.earliest(PRIVATE, false, t0 + ms(10)), t0 + ms(10));
    }

    #[test]
    fn twenty_per_minute_per_group() {
        let t0 = Instant::now();
        let mut pace = Pace::new(Limits::default());
        let mut now = t0;
        for _ in 0..20 {
            now = pace.earliest(GROUP, true, now);
            pace.record(GROUP, true, now);
        }
        // The 20 went one second apart; the 21st waits for the first to age out.
        assert_eq!(now, t0 + ms(19_000));
        assert_eq!(pace.earliest(GROUP, true, now), t0 + ms(60_000));
    }

    #[test]
    fn thirty_per_second_overall() {
        let t0 = Instant::now();
        let mut pace = Pace::new(Limits::default());
        for chat in 0..30 {
            assert!(pace.ready(chat, true, t0));
            pace.record(chat, true, t0);
        }
        assert_eq!(pace.earliest(100, true, t0), t0 + ms(1000));
        assert_eq!(pace.earliest(100, false, t0 + ms(500)), t0 + ms(1000));
    }

    #[test]
    fn pauses_hold_the_chat_or_everyone() {
        let t0 = Instant::now();
        let mut pace = Pace::new(Limits::default());
        pace.pause_chat(PRIVATE, t0 + ms(5000));
        assert_eq!(pace.earliest(PRIVATE, false, t0), t0 + ms(5000));
        assert_eq!(pace.earliest(7, true, t0), t0);
        // A shorter pause does not shorten a longer one.
        pace.pause_chat(PRIVATE, t0 + ms(1000));
        assert_eq!(pace.earliest(PRIVATE, true, t0), t0 + ms(5000));
        pace.pause_all(t0 + ms(2000));
        assert_eq!(pace.earliest(7, true, t0), t0 + ms(2000));
        assert_eq!(pace.earliest(7, true, t0 + ms(2000)), t0 + ms(2000));
    }

    #[test]
    fn one_429_pauses_the_chat_two_pause_everyone() {
        let t0 = Instant::now();
        let mut pace = Pace::new(Limits::default());
        assert!(!pace.throttled(PRIVATE, ms(3000), t0));
        assert_eq!(pace.earliest(PRIVATE, true, t0), t0 + ms(3000));
        assert_eq!(pace.earliest(7, true, t0), t0);
        // A second chat flooded while the first is still paused: bot-wide.
        assert!(pace.throttled(7, ms(4000), t0 + ms(1000)));
        assert_eq!(pace.earliest(8, true, t0 + ms(1000)), t0 + ms(5000));
        // Once both pauses are over, a new 429 is a single chat's again.
        assert!(!pace.throttled(9, ms(1000), t0 + ms(6000)));
        assert_eq!(pace.earliest(8, true, t0 + ms(6000)), t0 + ms(6000));
    }

    #[test]
    fn idle_chats_are_forgotten() {
        let t0 = Instant::now();
        let mut pace = Pace::new(Limits::default());
        for chat in 0..20 {
            pace.record(chat, true, t0 + ms(chat as u64 * 50));
        }
        pace.record(GROUP, true, t0 + ms(1000));
        pace.pause_chat(5, t0 + ms(500_000));
        assert!(pace.tracked_chats() >= 20);
        // Past every window: only the still-paused chat is remembered.
        pace.record(99, false, t0 + ms(200_000));
        assert_eq!(pace.tracked_chats(), 1);
        assert_eq!(pace.earliest(5, true, t0 + ms(200_000)), t0 + ms(500_000));
    }

    #[test]
    fn unlimited_never_waits() {
        let t0 = Instant::now();
        let mut pace = Pace::new(Limits::unlimited());
        for _ in 0..100 {
            assert!(pace.ready(GROUP, true, t0));
            pace.record(GROUP, true, t0);
        }
    }

    #[derive(Clone, Debug)]
    enum Op {
        Advance(u64),
        /// Try to send now; sends only if the schedule allows.
        Try(usize, bool),
        /// Wait until the schedule allows a send, then send.
        WaitAndSend(usize, bool),
        PauseChat(usize, u64),
        PauseAll(u64),
        Throttled(usize, u64),
    }

    const CHATS: [i64; 6] = [1, 2, 3, -10, -20, -30];

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            3 => (0u64..1500).prop_map(Op::Advance),
            5 => (0..CHATS.len(), any::<bool>()).prop_map(|(c, m)| Op::Try(c, m)),
            3 => (0..CHATS.len(), any::<bool>()).prop_map(|(c, m)| Op::WaitAndSend(c, m)),
            1 => (0..CHATS.len(), 0u64..5000).prop_map(|(c, d)| Op::PauseChat(c, d)),
            1 => (0u64..3000).prop_map(Op::PauseAll),
            1 => (0..CHATS.len(), 0u64..5000).prop_map(|(c, d)| Op::Throttled(c, d)),
        ]
    }

    fn limits() -> impl Strategy<Value = Limits> {
        (0u64..2000, 0u32..5, 0u64..10_000, 0u32..6, 0u64..3000).prop_map(|(gap, gn, gw, n, w)| Limits {
            per_chat: ms(gap),
            per_group: (gn, ms(gw)),
            global: (n, ms(w)),
        })
    }

    /// No more than `n` of the sorted `times` in any window of length `w`.
    fn within_window(times: &[Instant], (n, w): (u32, Duration)) -> bool {
        n == 0 || times.windows(n as usize + 1).all(|span| span[n as usize].duration_since(span[0]) >= w)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Whatever the order of requests, pauses and waits, a sender that
        /// obeys `earliest` never breaks a limit or a pause, and `earliest`
        /// is exact: at the instant it names, the send is allowed.
        #[test]
        fn schedules_never_exceed_limits(limits in prop_oneof![Just(Limits::default()), limits()],
                                         ops in proptest::collection::vec(op(), 1..300)) {
            let t0 = Instant::now();
            let mut pace = Pace::new(limits);
            let mut now = t0;
            // (chat, message, at)
            let mut sent: Vec<(i64, bool, Instant)> = Vec::new();
            // (chat or None for all, sends before it, until): a pause holds
            // the sends that come after it, up to `until`.
            let mut pauses: Vec<(Option<i64>, usize, Instant)> = Vec::new();
            for op in ops {
                match op {
                    Op::Advance(d) => now += ms(d),
                    Op::Try(c, message) => {
                        let at = pace.earliest(CHATS[c], message, now);
                        prop_assert!(at >= now);
                        if at == now {
                            pace.record(CHATS[c], message, now);
                            sent.push((CHATS[c], message, now));
                        }
                    }
                    Op::WaitAndSend(c, message) => {
                        now = pace.earliest(CHATS[c], message, now);
                        prop_assert!(pace.ready(CHATS[c], message, now));
                        pace.record(CHATS[c], message, now);
                        sent.push((CHATS[c], message, now));
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
                }
            }
            let all: Vec<Instant> = sent.iter().map(|s| s.2).collect();
            prop_assert!(within_window(&all, limits.global));
            for chat in CHATS {
                let messages: Vec<Instant> =
                    sent.iter().filter(|s| s.0 == chat && s.1).map(|s| s.2).collect();
                prop_assert!(messages.windows(2).all(|p| p[1].duration_since(p[0]) >= limits.per_chat));
                if is_group(chat) {
                    prop_assert!(within_window(&messages, limits.per_group));
                }
            }
            for (chat, before, until) in pauses {
                prop_assert!(!sent[before..].iter().any(|s| chat.is_none_or(|c| c == s.0) && s.2 < until));
            }
        }
    }
}
