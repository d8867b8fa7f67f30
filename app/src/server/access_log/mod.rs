//! The access log: append-only, every entry a leaf of a Merkle tree whose checkpoints the
//! portal signs and an independent witness cosigns, so that the citizen's own browser can prove
//! that what their page shows is in the one log everyone sees, and that the log only grew.
//!
//! The gate appends an entry in the same transaction as the read it records, with its leaf
//! (the exact bytes hashed into the tree, [`leaf`]): one insert, no row every reader has to
//! take. The [`sequencer`] places the committed entries in the tree ([`tree`]) in batches,
//! signs a checkpoint for each ([`signer`]) and has the [`witness`] cosign it
//! ([`cosignature`]). `Sequencer::verify` recomputes the whole tree (`server
//! verify-access-log`, and the data protection officer's check).

pub mod cosignature;
pub mod leaf;
pub mod sequencer;
pub mod signer;
pub mod tree;
pub mod witness;

use crate::{
    office::OfficeCode,
    policy::Category,
    server::db::{BeginWrite, CitizenId, Database, DatabaseError, LogEntryId, MixedId, Office, StaffId, Tables, Timestamp, on_backend},
};

/// The basis a read was allowed on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogBasis {
    Application,
    Consent,
    Emergency,
}

impl LogBasis {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Application => "application",
            Self::Consent => "consent",
            Self::Emergency => "emergency",
        }
    }
}

/// What one allowed read records.
#[derive(Clone, Debug)]
pub struct NewEntry {
    pub staff: StaffId,
    pub office: OfficeCode,
    pub citizen: CitizenId,
    pub categories: Vec<Category>,
    pub purpose: String,
    pub basis: LogBasis,
    /// The id of what `basis` names (an application, a consent, an emergency access).
    pub basis_ref: Option<MixedId>,
}

/// The most entries of one person their access-log page shows, the newest (what the page's
/// texts say, "1.000"); the export holds every one. It bounds what one page costs.
pub const CITIZEN_PAGE: i64 = 1_000;

/// The condition under which the citizen sees the entry `l` at the time `$2`: every entry but
/// what a recorded deferral holds back until its date. Their page, their proofs and their
/// export share it, so a deferred entry shows in none of them.
macro_rules! shown_to_citizen {
    () => {
        "NOT EXISTS (SELECT 1 FROM access_log_deferrals d \
         WHERE (d.access_log_seq = l.seq OR (l.basis = 'emergency' AND d.emergency_access_id = l.basis_ref)) \
         AND d.visible_from > $2)"
    };
}
pub(crate) use shown_to_citizen;

#[derive(Clone)]
pub struct AccessLog {
    database: Tables<Office>,
}

impl AccessLog {
    pub fn new(database: Database) -> Self {
        Self { database: database.office() }
    }

    /// Appends one entry in its own transaction, answering its seq. The gate appends inside
    /// the transaction of the read instead (see `append_in`).
    pub async fn append(&self, entry: NewEntry) -> Result<i64, DatabaseError> {
        let seq = on_backend!(self.database, pool => {
            let mut transaction = pool.begin_write().await?;
            let seq = append_in!(&mut *transaction, &entry)?;
            transaction.commit().await?;
            Ok::<i64, sqlx::Error>(seq)
        })?;
        Ok(seq)
    }
}

/// Whether a connection is PostgreSQL's (for the few statements whose best form differs).
pub(crate) fn is_postgres<C: sqlx::Connection>(_connection: &C) -> bool {
    <C::Database as sqlx::Database>::NAME == "PostgreSQL"
}

/// An entry as written, with its leaf: $1–$9 the entry, $10 the leaf. The seq is the next of
/// the sequence (PostgreSQL) or of the table (SQLite, where seq is the rowid).
pub(crate) const INSERT_ENTRY: &str = "INSERT INTO access_log (id, occurred_at, staff_id, office_code, citizen_id, categories, purpose, \
     basis, basis_ref, leaf) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING seq";

/// Appends `$entry` on the connection `$connection` (inside the caller's transaction), for
/// either backend: one insert of the entry with its leaf, committed with the read it records;
/// concurrent appends do not wait for one another. Evaluates to `Result<i64, sqlx::Error>`,
/// the new seq.
macro_rules! append_in {
    ($connection:expr, $entry:expr) => {
        async {
            use $crate::server::access_log as log;
            let connection = $connection;
            let entry: &log::NewEntry = $entry;
            let written = log::Written::of(entry).map_err(|error| sqlx::Error::Protocol(error.to_string()))?;
            sqlx::query_scalar::<_, i64>(log::INSERT_ENTRY)
                .bind(written.id)
                .bind(written.occurred_at)
                .bind(entry.staff)
                .bind(&entry.office)
                .bind(entry.citizen)
                .bind(sqlx::types::Json(&written.categories))
                .bind(&entry.purpose)
                .bind(entry.basis.as_str())
                .bind(entry.basis_ref)
                .bind(&written.leaf)
                .fetch_one(&mut *connection)
                .await
        }
        .await
    };
}
pub(crate) use append_in;

/// What an entry is written with besides what the read gave: its id, its time, its categories
/// as codes (sorted, once each) and its leaf with a new salt. Built by `append_in!`.
pub(crate) struct Written {
    pub(crate) id: LogEntryId,
    pub(crate) occurred_at: Timestamp,
    pub(crate) categories: Vec<String>,
    pub(crate) leaf: String,
}

impl Written {
    /// Counted for the operators' metrics as an append (an entry whose transaction then rolls
    /// back is counted too).
    pub(crate) fn of(entry: &NewEntry) -> Result<Self, getrandom::Error> {
        metrics::counter!("klarsicht_access_log_appends_total", "basis" => entry.basis.as_str()).increment(1);
        let id = LogEntryId::new();
        let occurred_at = Timestamp::now();
        let mut categories: Vec<String> = entry.categories.iter().map(|category| category.code().to_owned()).collect();
        categories.sort();
        categories.dedup();
        let leaf = leaf::Leaf::of(
            id,
            occurred_at,
            entry.office.as_str(),
            entry.citizen,
            categories.clone(),
            &entry.purpose,
            entry.basis.as_str(),
            entry.basis_ref,
            leaf::salt()?,
        )
        .to_bytes();
        Ok(Self { id, occurred_at, categories, leaf })
    }
}
