//! A month's report in the agents' group, for `/report` (and the monthly
//! post): the shell's part. It reads the store, has the pure `report`
//! build and draw it, writes the page under the media folder and queues
//! the headline and the page, in the transaction that asked for them.

use sha2::{Digest, Sha256};

use super::Txn;
use crate::catalogue::Msg;
use crate::month::Month;
use crate::outgoing::Outgoing;
use crate::report::{self, Period};
use crate::store::{self, StoreError};

/// Where the pages go, under the media folder.
const PAGES: &str = "reports";

impl Txn<'_> {
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
        let report = report::build(period, zone, config.shop.currency, &rows);
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
