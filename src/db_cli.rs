//! `aftersales db copy`: a shop's SQLite database moved to PostgreSQL, with
//! each table's progress on stderr and what the copy did on stdout.

use std::io::{IsTerminal, Write};

use clap::Subcommand;

use aftersales::store::copy::{self, Counts, Progress};

#[derive(Subcommand)]
pub enum DbCommand {
    /// Copy a shop's SQLite database into PostgreSQL (created and migrated if missing), from one
    /// moment of it, while the bot may keep running. Run it again after stopping the bot to catch
    /// up: new rows are copied, changed rows updated, rows gone removed; nothing else is touched.
    Copy {
        /// The SQLite database, e.g. sqlite://aftersales.db.
        #[arg(long)]
        from: String,
        /// The PostgreSQL database, e.g. postgres://shop:secret@db.example/aftersales.
        #[arg(long)]
        to: String,
    },
}

pub async fn run(command: DbCommand) -> anyhow::Result<()> {
    let DbCommand::Copy { from, to } = command;
    let at_terminal = std::io::stderr().is_terminal();
    let counts = copy::copy(&from, &to, |progress| show(progress, at_terminal)).await?;
    print!("{}", summary(&counts));
    Ok(())
}

/// A table's progress: rewritten in place at a terminal, else one line when done.
fn show(progress: &Progress<'_>, at_terminal: bool) {
    let Progress { table, done, total } = *progress;
    let line = format!("{table:<18} {done:>8} / {total} rows");
    let mut stderr = std::io::stderr().lock();
    // Progress is a courtesy: a closed stderr does not stop the copy.
    let _ = if at_terminal {
        write!(stderr, "\r{line}{}", if done == total { "\n" } else { "" })
    } else if done == total {
        writeln!(stderr, "{line}")
    } else {
        Ok(())
    };
}

/// Per table what the copy did, then the sums in a sentence.
fn summary(counts: &[Counts]) -> String {
    let mut out = format!(
        "{:<18} {:>8} {:>8} {:>8} {:>14} {:>8}\n",
        "table", "copied", "updated", "removed", "already there", "total"
    );
    for c in counts {
        out += &format!(
            "{:<18} {:>8} {:>8} {:>8} {:>14} {:>8}\n",
            c.table, c.copied, c.updated, c.removed, c.unchanged, c.total
        );
    }
    let sum = |count: fn(&Counts) -> u64| counts.iter().map(count).sum::<u64>();
    let (copied, updated, removed) = (sum(|c| c.copied), sum(|c| c.updated), sum(|c| c.removed));
    if copied + updated + removed == 0 {
        out += &format!("Nothing new: the target already had all {} rows.\n", sum(|c| c.total));
    } else {
        out += &format!(
            "Copied {copied} rows, updated {updated}, removed {removed}; {} were already there.\n",
            sum(|c| c.unchanged)
        );
    }
    out
}
