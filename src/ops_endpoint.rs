//! The operations endpoint on `[ops] listen` (off by default): `GET
//! /metrics` in Prometheus' text exposition format and `GET /health` for a
//! supervisor or a load balancer (see `ops` for what they show). What the
//! store knows is read at each request, on the desk's clock.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};

use crate::clock::Clock;
use crate::ops::{Gauges, Metrics, Settings, checks, render};
use crate::store::{Store, StoreError, cases, jobs, outbox};

/// What the store knows at `now`.
pub async fn read_gauges(store: &Store, now: DateTime<Utc>) -> Result<Gauges, StoreError> {
    let mut conn = store.read().await?;
    let (outbox_pending, oldest_due) = outbox::backlog(&mut conn, now).await?;
    let oldest_pending = oldest_due.map(|due| (now - due).to_std().unwrap_or_default());
    let due_jobs = jobs::due_count(&mut conn, now).await?;
    let cases = cases::opened_by_outcome(&mut conn).await?;
    Ok(Gauges { outbox_pending, oldest_pending, due_jobs, cases })
}

/// What the endpoint reads from.
#[derive(Clone)]
pub struct Sources {
    pub store: Store,
    pub metrics: Arc<Metrics>,
    pub clock: Clock,
    pub settings: Settings,
}

/// A store that does not answer within this is unreachable to `/health`.
const DATABASE_TIMEOUT: Duration = Duration::from_secs(5);

impl Sources {
    async fn gauges(&self) -> Result<Gauges, String> {
        match tokio::time::timeout(DATABASE_TIMEOUT, read_gauges(&self.store, self.clock.now())).await {
            Ok(read) => read.map_err(|error| error.to_string()),
            Err(_) => Err(format!("no answer within {}s", DATABASE_TIMEOUT.as_secs())),
        }
    }
}

/// Serves `/metrics` and `/health` on `listener` until `shutdown` turns true.
pub async fn serve(
    listener: tokio::net::TcpListener,
    sources: Sources,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) -> std::io::Result<()> {
    let address = listener.local_addr()?;
    let router = Router::new().route("/metrics", get(metrics)).route("/health", get(health)).with_state(sources);
    tracing::info!(%address, "ops endpoint listening");
    axum::serve(listener, router)
        .with_graceful_shutdown(async move {
            let _ = shutdown.wait_for(|stop| *stop).await;
        })
        .await?;
    tracing::info!(%address, "ops endpoint stopped");
    Ok(())
}

async fn metrics(State(sources): State<Sources>) -> Response {
    match sources.gauges().await {
        Ok(gauges) => {
            let content_type = "text/plain; version=0.0.4; charset=utf-8";
            ([(header::CONTENT_TYPE, content_type)], render(&sources.metrics, &gauges)).into_response()
        }
        Err(error) => {
            tracing::error!(%error, "metrics: the store could not be read");
            (StatusCode::INTERNAL_SERVER_ERROR, error).into_response()
        }
    }
}

async fn health(State(sources): State<Sources>) -> Response {
    let checks = checks(&sources.gauges().await, sources.metrics.since_polled(), &sources.settings);
    let failing: Vec<&str> = checks.iter().filter(|(_, check)| check.is_err()).map(|(name, _)| *name).collect();
    let details: serde_json::Map<String, serde_json::Value> = checks
        .into_iter()
        .map(|(name, check)| (name.to_owned(), check.unwrap_or_else(|problem| problem).into()))
        .collect();
    if failing.is_empty() {
        (StatusCode::OK, axum::Json(serde_json::json!({"status": "ok", "checks": details}))).into_response()
    } else {
        tracing::warn!(?failing, "health check failing");
        let body = serde_json::json!({"status": "failing", "failing": failing, "checks": details});
        (StatusCode::SERVICE_UNAVAILABLE, axum::Json(body)).into_response()
    }
}
