//! A month's report in the agents' group, for `/report` and the monthly
//! post: the shell's part. It reads the store, has the pure `report`
//! build and draw it, writes the page under the media folder and queues
//! the headline and the page, in the transaction that asked for them. The
//! monthly post is one durable job (`jobs::Task::MonthlyReport`) that
//! schedules the next month's as it runs.

use sha2::{Digest, Sha256};

use super::{Desk, Txn};
use crate::catalogue::Msg;
use crate::month::Month;
use crate::outgoing::Outgoing;
use crate::report::{self, Period};
use crate::store::jobs::{self, Task};
use crate::store::{self, StoreError};

/// Where the pages go, under the media folder.
const PAGES: &str = "reports";

impl Desk {
    /// Schedules the next monthly post unless one is pending (a restart
    /// keeps the one it has, even overdue, so none is lost or repeated).
    /// Without an agents' group there is no one to post to.
    pub async fn schedule_monthly_report(&self) -> Result<(), StoreError> {
        if self.config.agents.chat_id.is_none() {
            return Ok(());
        }
        let now = self.now();
        let Some((month, at)) = self.config.reports.next_monthly_post(now, self.config.shop.timezone.0) else {
            return Ok(());
        };
        let mut tx = self.store.write().await?;
        jobs::schedule_if_missing(&mut tx, &Task::MonthlyReport(month), at, now).await?;
        tx.commit().await?;
        Ok(())
    }
}

impl Txn<'_> {
    /// The monthly post of `month`'s report, and the next month's scheduled
    /// under the same key, so the job that ran is not deleted but moved.
    pub(super) async fn monthly_report(&mut self, month: Month) -> Result<(), StoreError> {
        if self.desk.config.agents.chat_id.is_some() {
            self.post_report(month, None).await?;
        }
        let zone = self.desk.config.shop.timezone.0;
        let next = month.next().and_then(|next| Some((next, self.desk.config.reports.monthly_post_at(next, zone)?)));
        match next {
            Some((next, at)) => jobs::schedule(self.tx, &Task::MonthlyReport(next), at, self.now).await,
            None => Ok(()),
        }
    }

    /// The last full month before today's, in the shop's zone.
    pub(super) fn last_month(&self) -> Option<Month> {
        Month::before(self.now.with_timezone(&self.desk.config.shop.timezone.0).date_naive())
    }

    /// Queues `month`'s headline and its page for the agents' group (in
    /// `topic`, or the group itself).
    pub(super) async fn post_report(&mut self, month: Month, topic: Option<&str>) -> Result<(), StoreError> {
        let config = &self.desk.config;
        let zone = config.shop.timezone.0;
        let period = match Period::month(zone, month) {
            Ok(period) => period,
            Err(error) => {
                tracing::warn!(%error, %month, "no report for a month without days");
                return Ok(());
            }
        };
        let rows = store::report::rows(self.tx, period).await?;
        let report = report::build(period, &config.report_setup(), &rows);
        let page = report::html::page(&report, self.agents_lang(), zone);
        self.tell_agents(topic, &Msg::ReportHeadline(report::headline(&report, zone))).await?;
        match write_page(&config.media.dir, month, &page).await {
            Ok(path) => {
                let file_name = format!("aftersales-report-{month}.html");
                let document = Outgoing::Document { path, file_name, caption: None };
                self.post_to_agents(topic, &document, None).await.map(drop)
            }
            // The figures still go; the page is missing, which the log says.
            Err(error) => {
                tracing::error!(%error, %month, "could not write the report page");
                Ok(())
            }
        }
    }
}

/// Writes `page` as `<media>/reports/report-<month>-<hash>.html` and returns
/// the path. Named by its content, so a file a queued row names never
/// changes under it, and writing it again (a retried transaction) is harmless.
async fn write_page(media: &str, month: Month, page: &str) -> std::io::Result<String> {
    let digest = Sha256::digest(page.as_bytes());
    let hash: String = digest.iter().take(6).map(|byte| format!("{byte:02x}")).collect();
    let dir = std::path::Path::new(media).join(PAGES);
    tokio::fs::create_dir_all(&dir).await?;
    let path = dir.join(format!("report-{month}-{hash}.html"));
    let partial = path.with_extension("part");
    tokio::fs::write(&partial, page).await?;
    tokio::fs::rename(&partial, &path).await?;
    Ok(path.to_string_lossy().into_owned())
}
