//! What runs beside a channel's own loop, the same for `serve` and `chat`:
//! the push and ops endpoints when configured, the duties only the leading
//! instance does (the scheduler of due jobs; `serve` adds the sender and the
//! evidence downloader), and the watch for Ctrl-C or SIGTERM. One stop ends them all: a signal, or the
//! channel itself (the terminal at the end of its input), flips the same
//! shutdown flag, and [`Background::stop`] waits for every task.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use crate::desk::Desk;
use crate::store::{Dialect, Store};

/// Work only the leading instance does ([`crate::store::lead`]), started
/// each time this instance takes the lead, told to stop when it loses it.
pub type Duty = Box<dyn Fn(watch::Receiver<bool>) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

/// How often an instance that does not lead tries to take the lead: with
/// the leader's connection gone, the longest until another takes over.
const TRY_LEAD_EVERY: Duration = Duration::from_secs(1);

/// The endpoints' sockets, bound before anything starts.
#[derive(Default)]
pub struct Listeners {
    pub push: Option<tokio::net::TcpListener>,
    pub ops: Option<tokio::net::TcpListener>,
}

pub struct Background {
    stop: Arc<watch::Sender<bool>>,
    shutdown: watch::Receiver<bool>,
    wake: Arc<Notify>,
    tasks: Vec<(JoinHandle<()>, &'static str)>,
    signals: JoinHandle<()>,
}

impl Background {
    /// Starts the push and ops endpoints (given their bound listeners) and
    /// the signal watch.
    pub fn start(desk: &Desk, listeners: Listeners) -> Background {
        let (stop, shutdown) = watch::channel(false);
        let stop = Arc::new(stop);
        let wake = Arc::new(Notify::new());
        let on_signal = stop.clone();
        let signals = tokio::spawn(async move {
            wait_for_signal().await;
            tracing::info!("shutting down");
            let _ = on_signal.send(true);
        });
        let mut background = Background { stop, shutdown, wake, tasks: Vec::new(), signals };
        if let Some(listener) = listeners.push {
            let handler = crate::desk::followup::Pushed { desk: desk.clone(), wake: background.wake() };
            let settings = desk.config().push.clone();
            let shutdown = background.shutdown();
            background.spawn("push", async move {
                if let Err(error) = crate::push::serve(listener, settings, handler, shutdown).await {
                    tracing::error!(%error, "the push endpoint stopped");
                }
            });
        }
        if let Some(listener) = listeners.ops {
            let sources = crate::ops_endpoint::Sources {
                store: desk.store().clone(),
                metrics: desk.metrics().clone(),
                clock: desk.clock().clone(),
                settings: desk.config().ops.clone(),
            };
            let shutdown = background.shutdown();
            background.spawn("ops", async move {
                if let Err(error) = crate::ops_endpoint::serve(listener, sources, shutdown).await {
                    tracing::error!(%error, "the ops endpoint stopped");
                }
            });
        }
        background
    }

    /// Notified whenever replies were queued outside the channel's own loop
    /// (a job ran, an event was pushed): time to deliver them.
    pub fn wake(&self) -> Arc<Notify> {
        self.wake.clone()
    }

    /// Turns true when everything should stop.
    pub fn shutdown(&self) -> watch::Receiver<bool> {
        self.shutdown.clone()
    }

    /// Runs one more task until the shutdown; [`Background::stop`] waits for it.
    pub fn spawn(&mut self, name: &'static str, task: impl Future<Output = ()> + Send + 'static) {
        self.tasks.push((tokio::spawn(task), name));
    }

    /// The scheduler of due jobs, as a duty.
    pub fn scheduler(&self, desk: &Desk) -> Duty {
        let (desk, wake) = (desk.clone(), self.wake());
        Box::new(move |stop| Box::pin(crate::scheduler::run(desk.clone(), wake.clone(), stop)))
    }

    /// Does `duties` whenever this instance leads, until the shutdown.
    pub fn lead(&mut self, store: Store, duties: Vec<Duty>) {
        let shutdown = self.shutdown();
        self.spawn("lead", lead(store, duties, shutdown));
    }

    /// Flips the shutdown flag (if a signal has not already) and waits for
    /// every task to finish what it is doing.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        self.signals.abort();
        for (task, name) in self.tasks {
            if let Err(error) = task.await {
                tracing::error!(%error, task = name, "stopped abnormally");
            }
        }
    }
}

/// Takes the lead when no other instance holds it, does the duties while
/// leading, and tries again when the lead is lost.
async fn lead(store: Store, duties: Vec<Duty>, mut shutdown: watch::Receiver<bool>) {
    let mut contender = store.contender();
    while !*shutdown.borrow() {
        let tried = contender.try_lead().await;
        let mut lead = match tried {
            Ok(Some(lead)) => lead,
            Ok(None) | Err(_) => {
                if let Err(error) = tried {
                    tracing::error!(%error, "could not try to take the lead; trying again");
                }
                tokio::select! {
                    () = tokio::time::sleep(TRY_LEAD_EVERY) => {}
                    _ = shutdown.changed() => {}
                }
                continue;
            }
        };
        // Worth telling only where instances share a database.
        if store.dialect() == Dialect::Postgres {
            tracing::info!("leading: this instance delivers replies and runs due jobs");
        }
        let (stop, stopped) = watch::channel(false);
        let tasks: Vec<JoinHandle<()>> = duties.iter().map(|duty| tokio::spawn(duty(stopped.clone()))).collect();
        tokio::select! {
            () = lead.lost() => tracing::warn!("lost the lead: stopping its duties"),
            _ = shutdown.changed() => {}
        }
        let _ = stop.send(true);
        for task in tasks {
            if let Err(error) = task.await {
                tracing::error!(%error, "a duty stopped abnormally");
            }
        }
    }
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
