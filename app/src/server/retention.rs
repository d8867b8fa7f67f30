//! What time does to records. Retention: data of a closed or withdrawn application is kept for as long as each of its
//! categories' retention period says, counted from the closing, and then removed. The rule
//! already stops every read at that moment; this removes what nobody may read any more.
//!
//! An application past the retention of some but not all of its categories loses the answers
//! of those categories ("anonymized": what remains says nothing of them). Once every category
//! is past, the application goes with everything that hangs on it: answers, documents,
//! messages, requests, notes and history. The citizen's own data (kept once, reused) is not
//! touched, nor the access log, which records reads, not data. Each run is one transaction
//! and writes what it did to `retention_runs`, the audit trail.
//!
//! And recording what ran out: a consent's expiry in its history, an emergency access's status.
//! The rule treats both as ended on time regardless; these runs write it down.

use std::collections::{BTreeMap, BTreeSet};

use sqlx::types::Json;

use crate::{
    admin::RetentionReport,
    server::db::{ApplicationId, BeginWrite, ConsentEventId, ConsentId, Database, DatabaseError, Records, RetentionRunId, Tables, Timestamp, on_backend},
};

/// Retention's key to the citizens' records ([`Tables<Records>`]): only this module can make one.
pub(in crate::server) struct Keeper(());

/// The runs on time: retention (scheduled, or started by an administrator) and its record,
/// and recording expired consents and emergency accesses.
#[derive(Clone)]
pub struct Retention {
    database: Tables<Records>,
}

/// A closed application's category: id, office, closing, category, its retention in days.
type Candidate = (ApplicationId, String, Timestamp, String, i64);

/// The PostgreSQL advisory lock that lets one retention run at a time ("KSRETENT", fixed once).
const RETENTION_LOCK: i64 = 0x4b53_5245_5445_4e54;

impl Retention {
    pub fn new(database: Database) -> Self {
        Self { database: database.records(Keeper(())) }
    }

    /// Removes what is past retention at `now`, in one transaction with its audit record.
    pub async fn run_retention(&self, now: Timestamp) -> Result<RetentionReport, DatabaseError> {
        let run = RetentionRunId::new();
        let report = on_backend!(self.database, pool => {
            let mut transaction = pool.begin_write().await?;
            // Several instances on one PostgreSQL each run this once a day: one at a time, and
            // the later one finds nothing left that is due (SQLite's writers wait in line anyway).
            if crate::server::access_log::is_postgres(&*transaction) {
                sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(RETENTION_LOCK).execute(&mut *transaction).await?;
            }
            // No application closed later than the shortest retention ago can be due.
            let shortest: Option<i64> =
                sqlx::query_scalar("SELECT MIN(retention_days) FROM data_categories").fetch_one(&mut *transaction).await?;
            let cutoff = now + time::Duration::days(-shortest.unwrap_or(0));
            let candidates: Vec<Candidate> = sqlx::query_as(
                "SELECT a.id, a.office_code, a.closed_at, r.category_code, c.retention_days FROM applications a \
                 JOIN template_required_categories r ON r.version_id = a.template_version_id \
                 JOIN data_categories c ON c.code = r.category_code \
                 WHERE a.status IN ('closed', 'withdrawn') AND a.closed_at IS NOT NULL AND a.closed_at <= $1 \
                 ORDER BY a.id",
            )
            .bind(cutoff)
            .fetch_all(&mut *transaction)
            .await?;
            let mut due: BTreeMap<ApplicationId, (String, Vec<String>, usize)> = BTreeMap::new();
            for (application, office, closed_at, category, days) in candidates {
                let entry = due.entry(application).or_insert_with(|| (office, Vec::new(), 0));
                entry.2 += 1;
                // The rule reads a category while now <= closing + retention.
                if now > closed_at + time::Duration::days(days) {
                    entry.1.push(category);
                }
            }
            let mut report = RetentionReport {
                run: run.to_string(),
                started_at: now.to_rfc3339(),
                ..RetentionReport::default()
            };
            let mut anonymized = BTreeSet::new();
            for (application, (office, past, required)) in due {
                if past.is_empty() {
                    continue;
                }
                if past.len() == required {
                    // ON DELETE CASCADE takes answers, documents, messages, requests, notes, history.
                    sqlx::query("DELETE FROM applications WHERE id = $1").bind(application).execute(&mut *transaction).await?;
                    report.deleted += 1;
                    *report.deleted_by_office.entry(office).or_default() += 1;
                    continue;
                }
                for category in past {
                    let removed = sqlx::query("DELETE FROM application_answers WHERE application_id = $1 AND category_code = $2")
                        .bind(application)
                        .bind(&category)
                        .execute(&mut *transaction)
                        .await?
                        .rows_affected();
                    if removed > 0 {
                        *report.answers_removed.entry(category).or_default() += removed;
                        anonymized.insert(application);
                    }
                }
            }
            report.anonymized = u64::try_from(anonymized.len()).unwrap_or(u64::MAX);
            let detail = serde_json::json!({
                "answers_removed": report.answers_removed,
                "deleted_by_office": report.deleted_by_office,
            });
            sqlx::query(
                "INSERT INTO retention_runs (id, started_at, finished_at, deleted_count, anonymized_count, detail) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(run)
            .bind(now)
            .bind(Timestamp::now())
            .bind(i64::try_from(report.deleted).unwrap_or(i64::MAX))
            .bind(i64::try_from(report.anonymized).unwrap_or(i64::MAX))
            .bind(Json(detail))
            .execute(&mut *transaction)
            .await?;
            transaction.commit().await?;
            Ok::<_, sqlx::Error>(report)
        })?;
        Ok(report)
    }

    /// The latest retention runs, newest first: when, and how much each removed. No citizen
    /// data: counts by category and office only.
    pub async fn retention_runs(&self, limit: i64) -> Result<Vec<RetentionReport>, DatabaseError> {
        type Row = (RetentionRunId, Timestamp, i64, i64, Json<serde_json::Value>);
        let rows: Vec<Row> = on_backend!(self.database, pool => sqlx::query_as(
            "SELECT id, started_at, deleted_count, anonymized_count, detail FROM retention_runs \
             ORDER BY started_at DESC, id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(pool)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|(id, started_at, deleted, anonymized, Json(detail))| {
                let counts = |key: &str| -> BTreeMap<String, u64> {
                    serde_json::from_value(detail.get(key).cloned().unwrap_or_default()).unwrap_or_default()
                };
                RetentionReport {
                    run: id.to_string(),
                    started_at: started_at.to_rfc3339(),
                    deleted: u64::try_from(deleted).unwrap_or(0),
                    anonymized: u64::try_from(anonymized).unwrap_or(0),
                    answers_removed: counts("answers_removed"),
                    deleted_by_office: counts("deleted_by_office"),
                }
            })
            .collect())
    }

    /// Records an `expired` event for every consent whose time ran out (the rule already treats
    /// it as ended; this writes it into the history). Answers how many. Run periodically.
    pub async fn record_expired_consents(&self) -> Result<u64, DatabaseError> {
        let now = Timestamp::now();
        let due: Vec<(ConsentId, Timestamp)> = on_backend!(self.database, pool => sqlx::query_as(
            "SELECT c.id, c.expires_at FROM consents c WHERE c.revoked_at IS NULL AND c.expires_at IS NOT NULL \
             AND c.expires_at <= $1 AND NOT EXISTS \
               (SELECT 1 FROM consent_events e WHERE e.consent_id = c.id AND e.kind = 'expired')",
        )
        .bind(now)
        .fetch_all(pool)
        .await)?;
        for (consent, expired_at) in &due {
            // Another instance may record it in the same moment: the unique index keeps one.
            let recorded = on_backend!(self.database, pool => sqlx::query(
                "INSERT INTO consent_events (id, consent_id, occurred_at, kind, actor_citizen_id, detail) \
                 SELECT $1, $2, $3, 'expired', NULL, NULL WHERE NOT EXISTS \
                   (SELECT 1 FROM consent_events WHERE consent_id = $2 AND kind = 'expired')",
            )
            .bind(ConsentEventId::new())
            .bind(*consent)
            .bind(*expired_at)
            .execute(pool)
            .await
            .map(|_| ()))
            .map_err(DatabaseError::from);
            if let Err(error) = recorded
                && !error.is_unique_violation()
            {
                return Err(error);
            }
        }
        Ok(due.len() as u64)
    }

    /// Sets the stored status of emergency accesses whose time ran out to `expired`. The rule
    /// ends them at `expires_at` regardless; this keeps the lists tidy. Run periodically.
    pub async fn record_expired_emergencies(&self) -> Result<u64, DatabaseError> {
        let expired = on_backend!(self.database, pool => sqlx::query(
            "UPDATE emergency_accesses SET status = 'expired' WHERE status = 'confirmed' AND expires_at <= $1",
        )
        .bind(Timestamp::now())
        .execute(pool)
        .await
        .map(|result| result.rows_affected()))?;
        Ok(expired)
    }
}
