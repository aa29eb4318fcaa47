//! What runs beside a channel's own loop, the same for `serve` and `chat`:
//! the scheduler of due jobs, the push and ops endpoints when configured,
//! and the watch for Ctrl-C or SIGTERM. One stop ends them all: a signal, or the
//! channel itself (the terminal at the end of its input), flips the same
//! shutdown flag, and [`Background::stop`] waits for every task.

use std::future::Future;
use std::sync::Arc;

use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use crate::desk::Desk;

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
    /// Starts the scheduler, the push and ops endpoints (given their bound
    /// listeners) and the signal watch.
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
        let scheduler = crate::scheduler::run(desk.clone(), background.wake(), background.shutdown());
        background.spawn("scheduler", scheduler);
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
