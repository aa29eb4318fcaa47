//! Runs the store's due jobs: service-level pings, the follow-ups and the
//! monthly report. The jobs are rows, not timers: a restart loses none, and
//! each runs in one transaction with what it causes.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, watch};

use crate::desk::Desk;

/// Jobs scheduled by other transactions are noticed within this time.
const LOOK_AGAIN: Duration = Duration::from_secs(1);

/// Runs due jobs until `shutdown` turns true; `wake` tells the sender that
/// replies were queued.
pub async fn run(desk: Desk, wake: Arc<Notify>, mut shutdown: watch::Receiver<bool>) {
    // The monthly report's job is made once, at the first start with an agents' group.
    if let Err(error) = desk.schedule_monthly_report().await {
        tracing::error!(%error, "could not schedule the monthly report");
    }
    while !*shutdown.borrow() {
        let pause = match desk.run_due_jobs(desk.now()).await {
            Ok(ran) => {
                if ran > 0 {
                    wake.notify_one();
                }
                match desk.next_job_at().await {
                    Ok(Some(at)) => (at - desk.now()).to_std().unwrap_or_default().min(LOOK_AGAIN),
                    _ => LOOK_AGAIN,
                }
            }
            Err(error) => {
                tracing::error!(%error, "could not run due jobs; retrying");
                LOOK_AGAIN * 5
            }
        };
        tokio::select! {
            () = tokio::time::sleep(pause) => {}
            _ = shutdown.changed() => {}
        }
    }
}
