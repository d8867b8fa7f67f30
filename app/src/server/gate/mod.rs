//! The gate: the only code that reads citizen data for staff.
//!
//! In one transaction it loads the facts the decision needs, asks the pure policy function
//! (`crate::policy::decide`) category by category, reads only the allowed categories, appends
//! the access-log entry, and returns a view that holds those categories and nothing else. If
//! the log entry cannot be written, the transaction fails and nothing is returned. A denied
//! category is absent from the view, not marked; an application of another office, a consent to
//! another office, an emergency access of another office do not exist for the caller.
//!
//! Three ways in, one per basis of the rule: a case (the office's own application), data shared
//! by consent for a purpose, and a confirmed emergency access. The facts are read anew on every
//! call, so a revocation counts from the next request: nothing about a person is cached. Only
//! the vocabulary (category names, field labels) is kept, under the revision the database
//! counts up with each change to it (`vocabulary`), and which office holds a record the guard
//! asked for, which never changes (`held`).
//!
//! The views beside the core: the case file (`case_file`), the queue and the sharings list
//! (`queue`), the office's emergency accesses (`emergency`) and flags (`flags`), and the data
//! protection officer's review of the log (`log_review`).
//!
//! INVARIANT: no other code hands staff what it reads of citizen tables. The citizen's own
//! services (`server::citizen`) take a citizen's capability; the caseworker's actions
//! (`server::casework`) answer only whether they were done; `tests/tests/black_box/no_bypass.rs`
//! fails when SQL on citizen tables appears anywhere else.

mod case_file;
mod correspondence;
mod emergency;
mod flags;
mod held;
mod log_review;
mod queue;
pub(in crate::server) mod vocabulary;

pub use held::Held;
pub use queue::QueueQuery;
pub(in crate::server) use correspondence::{Correspondence, CorrespondenceLists, correspondence_lists};
pub(in crate::server) use emergency::{EMERGENCY_COLUMNS, EmergencyRow, status_at};
pub(in crate::server) use flags::{PROTECTIONS, citizen_of_case, protection};
pub(in crate::server) use vocabulary::{VocabularyCache, vocabulary_in};

use std::{
    collections::{BTreeMap, BTreeSet},
    sync::Arc,
};

use sqlx::types::Json;

use crate::{
    case::{CaseView, SharedDataView},
    office::OfficeCode,
    policy::{
        ApplicationFact, ApplicationState, Basis, Category, ConsentFact, Decision, EmergencyFact, Facts,
        ProtectionFact, Purpose, Reader, Retention, Seconds, decide,
    },
    server::{
        access_log::{LogBasis, NewEntry, append_in},
        auth::{CaseAccess, CaseworkerAt, OfficeEmergency},
        db::{
            ApplicationId, Backend, BeginWrite, CitizenId, ConsentId, Database, DatabaseError, DocumentId, EmergencyId, Id,
            MixedId, Records, StaffId, Tables, Timestamp, on_backend, on_sqlite_writer,
        },
        error::ServiceError,
    },
    status::ApplicationStatus,
};

/// The gate's key to the citizens' records ([`Tables<Records>`]): only this module can make one.
pub(in crate::server) struct Keeper(());

#[derive(Clone)]
pub struct Gate {
    database: Tables<Records>,
    /// The category names and field labels, shared by the clones of one server's gate.
    vocabulary: Arc<VocabularyCache>,
    /// Which office holds the records the guard found, shared likewise.
    holders: Arc<held::Holders>,
}

/// The facts about one citizen (`$citizen`, an SQL expression) at office `$2` in one statement:
/// each round trip counts, on PostgreSQL and on SQLite's one writer, where every other write
/// waits for it. A row is one of the citizen's applications at the office (once per category
/// its template version requires), a consent to the office, an emergency access of the office,
/// or a protection flag; see [`FactRow`]. Applications come first, each one's rows together.
macro_rules! facts_sql {
    ($citizen:literal) => {
        concat!(
            "SELECT 'application' AS kind, a.id, a.citizen_id AS citizen, a.status, r.category_code AS category, \
               CAST(NULL AS TEXT) AS purpose, a.reference, a.benefit_type_code AS benefit_type, c.retention_days, \
               a.closed_at AS first, CAST(NULL AS TIMESTAMPTZ) AS second, CAST(NULL AS TIMESTAMPTZ) AS third, \
               CAST(NULL AS TIMESTAMPTZ) AS fourth, CAST(NULL AS JSONB) AS categories, \
               (SELECT v.revision FROM vocabulary_revision v) AS revision \
             FROM applications a LEFT JOIN template_required_categories r ON r.version_id = a.template_version_id \
             LEFT JOIN data_categories c ON c.code = r.category_code \
             WHERE a.office_code = $2 AND a.citizen_id = ",
            $citizen,
            " UNION ALL SELECT 'consent', id, NULL, NULL, category_code, purpose, NULL, NULL, NULL, \
               granted_at, expires_at, revoked_at, NULL, NULL, NULL \
             FROM consents WHERE citizen_id = ",
            $citizen,
            " AND recipient_office_code = $2 \
             UNION ALL SELECT 'emergency', id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, \
               opened_at, confirmed_at, expires_at, ended_at, categories, NULL \
             FROM emergency_accesses WHERE citizen_id = ",
            $citizen,
            " AND office_code = $2 \
             UNION ALL SELECT 'flag', id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, set_at, lifted_at, NULL, NULL, NULL, NULL \
             FROM protection_flags WHERE citizen_id = ",
            $citizen,
            " ORDER BY 1, 2"
        )
    };
}

/// The facts about citizen `$1` at office `$2`.
pub(in crate::server) const FACTS: &str = facts_sql!("$1");
/// The facts about the citizen of application `$1` at office `$2`, none if it is not the
/// office's or a draft; its row says what the case view shows of it.
const CASE_FACTS: &str = facts_sql!(
    "(SELECT s.citizen_id FROM applications s WHERE s.id = $1 AND s.office_code = $2 AND s.status <> 'draft')"
);

/// The columns of [`facts_sql!`], which the four kinds of row share; read only as a [`FactRow`].
#[derive(sqlx::FromRow)]
struct FactColumns {
    kind: String,
    id: MixedId,
    citizen: Option<CitizenId>,
    status: Option<String>,
    reference: Option<String>,
    benefit_type: Option<String>,
    category: Option<String>,
    retention_days: Option<i64>,
    purpose: Option<String>,
    first: Option<Timestamp>,
    second: Option<Timestamp>,
    third: Option<Timestamp>,
    fourth: Option<Timestamp>,
    categories: Option<Json<Vec<String>>>,
    revision: Option<i64>,
}

/// A row of [`facts_sql!`], by the kind of fact it holds.
pub(in crate::server) enum FactRow {
    /// One of the citizen's applications at the office, once per category its template version
    /// requires (with the category's retention in days), with the vocabulary's revision as the
    /// statement saw it.
    Application {
        id: ApplicationId,
        citizen: Option<CitizenId>,
        status: ApplicationStatus,
        reference: Option<String>,
        benefit_type: Option<String>,
        required: Option<(String, i64)>,
        closed_at: Option<Timestamp>,
        vocabulary_revision: Option<i64>,
    },
    /// A consent to the office.
    Consent {
        id: ConsentId,
        category: Option<String>,
        purpose: Option<String>,
        granted_at: Option<Timestamp>,
        expires_at: Option<Timestamp>,
        revoked_at: Option<Timestamp>,
    },
    /// An emergency access of the office, with the categories it opens.
    Emergency {
        id: EmergencyId,
        opened_at: Option<Timestamp>,
        confirmed_at: Option<Timestamp>,
        expires_at: Option<Timestamp>,
        ended_at: Option<Timestamp>,
        categories: Vec<String>,
    },
    /// A protection flag on the citizen.
    Flag { set_at: Option<Timestamp>, lifted_at: Option<Timestamp> },
}

impl From<FactColumns> for FactRow {
    fn from(columns: FactColumns) -> Self {
        let FactColumns { kind, id, first, second, third, fourth, .. } = columns;
        match kind.as_str() {
            "application" => Self::Application {
                id: id.of_kind(),
                citizen: columns.citizen,
                // An unknown status counts as a draft, which opens nothing to staff.
                status: columns.status.as_deref().and_then(ApplicationStatus::from_code).unwrap_or(ApplicationStatus::Draft),
                reference: columns.reference,
                benefit_type: columns.benefit_type,
                required: columns.category.map(|category| (category, columns.retention_days.unwrap_or(0))),
                closed_at: first,
                vocabulary_revision: columns.revision,
            },
            "consent" => Self::Consent {
                id: id.of_kind(),
                category: columns.category,
                purpose: columns.purpose,
                granted_at: first,
                expires_at: second,
                revoked_at: third,
            },
            "emergency" => Self::Emergency {
                id: id.of_kind(),
                opened_at: first,
                confirmed_at: second,
                expires_at: third,
                ended_at: fourth,
                categories: columns.categories.map(|Json(codes)| codes).unwrap_or_default(),
            },
            // A protection flag, and anything unknown is taken as one: it can only deny.
            _ => Self::Flag { set_at: first, lifted_at: second },
        }
    }
}

impl<'r, R: sqlx::Row> sqlx::FromRow<'r, R> for FactRow
where
    FactColumns: sqlx::FromRow<'r, R>,
{
    fn from_row(row: &'r R) -> Result<Self, sqlx::Error> {
        FactColumns::from_row(row).map(Self::from)
    }
}

/// What a case view shows of its application, from its row of `CASE_FACTS`.
struct CaseRow {
    citizen: CitizenId,
    status: ApplicationStatus,
    reference: String,
    benefit_type: String,
    vocabulary_revision: i64,
}

/// Application `application` among `rows` of `CASE_FACTS`, if they hold it.
fn case_row(rows: &[FactRow], application: ApplicationId) -> Option<CaseRow> {
    rows.iter().find_map(|row| match row {
        FactRow::Application { id, citizen, status, reference, benefit_type, vocabulary_revision, .. } if *id == application => {
            Some(CaseRow {
                citizen: (*citizen)?,
                status: *status,
                reference: reference.clone()?,
                benefit_type: benefit_type.clone()?,
                vocabulary_revision: (*vocabulary_revision)?,
            })
        }
        _ => None,
    })
}

fn seconds(timestamp: Timestamp) -> Seconds {
    timestamp.as_offset_date_time().unix_timestamp()
}

/// Loads, on `$connection` (inside the caller's transaction), everything the rule needs about
/// office `$office` and citizen `$citizen` at `$now`. Evaluates to `Result<Facts, sqlx::Error>`.
macro_rules! load_facts {
    ($connection:expr, $office:expr, $citizen:expr, $now:expr) => {
        async {
            let connection = $connection;
            let (office, citizen): (&OfficeCode, CitizenId) = ($office, $citizen);
            let rows: Vec<FactRow> =
                sqlx::query_as(FACTS).bind(citizen).bind(office).fetch_all(&mut *connection).await?;
            Ok::<Facts, sqlx::Error>(facts($now, office, citizen, &rows))
        }
        .await
    };
}

/// The data categories' names in their order.
pub(in crate::server) const CATEGORY_NAMES: &str = "SELECT code, name_de, name_en FROM data_categories ORDER BY sort_order";

/// Reads the citizen's data of the `allowed` categories on `$connection`, and the answers of
/// application `$answers_of` (an `Option<ApplicationId>`) of the same categories, in one statement; then
/// appends the log entry for the read in the same transaction. Reads and logs nothing when
/// nothing is allowed. Evaluates to `Result<(Answers, Answers), sqlx::Error>`: data, answers.
macro_rules! read_and_log {
    ($connection:expr, $entry:expr, $answers_of:expr) => {
        async {
            let connection = $connection;
            let entry: &NewEntry = $entry;
            let answers_of: Option<ApplicationId> = $answers_of;
            let (mut data, mut answers) = (Answers::new(), Answers::new());
            if entry.categories.is_empty() {
                return Ok::<(Answers, Answers), sqlx::Error>((data, answers));
            }
            // One placeholder per allowed category ($3…): only those rows are read at all. Without
            // an application, $2 is NULL and the second part finds nothing.
            let placeholders: Vec<String> =
                (3..entry.categories.len() + 3).map(|number| format!("${number}")).collect();
            let placeholders = placeholders.join(", ");
            let sql = format!(
                "SELECT 'data', category_code, data FROM citizen_data WHERE citizen_id = $1 AND category_code IN ({placeholders}) \
                 UNION ALL SELECT 'answers', category_code, answers FROM application_answers \
                 WHERE application_id = $2 AND category_code IN ({placeholders})"
            );
            let mut query =
                sqlx::query_as::<_, (String, String, Json<serde_json::Value>)>(&sql).bind(entry.citizen).bind(answers_of);
            for category in &entry.categories {
                query = query.bind(category.code());
            }
            for (part, category, Json(value)) in query.fetch_all(&mut *connection).await? {
                match part.as_str() {
                    "data" => data.insert(category, value),
                    _ => answers.insert(category, value),
                };
            }
            // INVARIANT: the entry is written in this transaction; if it fails, so does the read.
            append_in!(&mut *connection, entry)?;
            Ok((data, answers))
        }
        .await
    };
}

/// Values by category code: a citizen's data, or an application's answers.
type Answers = BTreeMap<String, serde_json::Value>;

/// Reads case `$application` of `$office` for staff member `$staff` through the rule, with the
/// application's own answers, and logs the read, in one write transaction on `$pool`; with
/// `$file`, the rest of the case file too (`case_file::case_file_in!`), in the same transaction
/// and only once the rule has let the office read the case; its entry then names `documents`
/// when the file lists some. Evaluates to
/// `Result<Option<CaseRead>, sqlx::Error>`: `None` when it is not the office's.
macro_rules! case_view_in {
    ($pool:expr, $vocabulary:expr, $staff:expr, $office:expr, $application:expr, $file:expr) => {
        async {
            let (vocabulary, staff, office, application): (&VocabularyCache, StaffId, &OfficeCode, ApplicationId) =
                ($vocabulary, $staff, $office, $application);
            let mut transaction = $pool.begin_write().await?;
            let connection = &mut *transaction;
            let rows: Vec<FactRow> =
                sqlx::query_as(CASE_FACTS).bind(application).bind(office).fetch_all(&mut *connection).await?;
            let Some(CaseRow { citizen, status, reference, benefit_type, vocabulary_revision }) = case_row(&rows, application)
            else {
                return Ok(None);
            };
            let facts = facts(Timestamp::now(), office, citizen, &rows);
            let reader = Reader::Caseworker { office: office.clone() };
            let purpose = Purpose::Application { application: application.to_string() };
            let mut entry = NewEntry {
                staff,
                office: office.clone(),
                citizen,
                categories: allowed(&reader, &purpose, &facts).into_iter().map(|(category, _)| category).collect(),
                purpose: format!("application {application}"),
                basis: LogBasis::Application,
                basis_ref: Some(application.mixed()),
            };
            // A case with nothing left to read (every category past its retention) is no case
            // of the office's any more: it answers like an unknown one.
            if entry.categories.is_empty() {
                return Ok(None);
            }
            // The rest of the file; its list of the documents handed in for the application is
            // a read of `documents` on the application's basis, as each download is.
            let file = match $file {
                true => case_file::case_file_in!($pool, &mut *connection, application, office)?,
                false => None,
            };
            if file.as_ref().is_some_and(|file| file.correspondence.has_documents())
                && !entry.categories.contains(&Category::Documents)
            {
                entry.categories.push(Category::Documents);
            }
            // The application's own answers with the data, of the same allowed categories only;
            // of the data, only the fields the application's own form asks for.
            let (mut data, answers) = read_and_log!(&mut *connection, &entry, Some(application))?;
            let vocabulary = match vocabulary.at(vocabulary_revision) {
                Some(kept) => kept,
                None => vocabulary::load_vocabulary!(vocabulary, &mut *connection, vocabulary_revision)?,
            };
            vocabulary.keep_asked_by(&benefit_type, &mut data);
            transaction.commit().await?;
            let view = CaseView { application: application.to_string(), reference, benefit_type, status, data, answers };
            Ok::<Option<CaseRead>, sqlx::Error>(Some(CaseRead { view, allowed: entry.categories, vocabulary, file }))
        }
        .await
    };
}

/// What one read of a case brought: the view, the categories its log entry names (those the
/// rule allowed, and `documents` for a file's list of them), the vocabulary it was read with,
/// and the rest of the case file when asked.
struct CaseRead {
    view: CaseView,
    allowed: Vec<Category>,
    vocabulary: Arc<vocabulary::Vocabulary>,
    file: Option<case_file::CaseFileRow>,
}

/// The categories `reader` may read for `purpose`, each with its basis. Every decision is
/// counted by outcome and category for the operators' metrics (no person, no office).
fn allowed(reader: &Reader, purpose: &Purpose, facts: &Facts) -> Vec<(Category, Basis)> {
    Category::ALL
        .into_iter()
        .filter_map(|category| {
            let decision = decide(reader, category, purpose, facts);
            let outcome = if matches!(decision, Decision::Allow(_)) { "allow" } else { "deny" };
            metrics::counter!("klarsicht_gate_decisions_total", "outcome" => outcome, "category" => category.code())
                .increment(1);
            match decision {
                Decision::Allow(basis) => Some((category, basis)),
                Decision::Deny(_) => None,
            }
        })
        .collect()
}

impl Gate {
    pub fn new(database: Database) -> Self {
        Self { database: database.records(Keeper(())), vocabulary: Arc::default(), holders: Arc::default() }
    }

    /// The kept vocabulary, for the citizen's services to share: one copy per server.
    pub(in crate::server) fn vocabulary_cache(&self) -> Arc<VocabularyCache> {
        Arc::clone(&self.vocabulary)
    }

    /// What `at` makes of the office that holds `record` (a caseworker there, say), and the id
    /// the capability names: the application (a document's, or the application itself) or the
    /// emergency access. All the guard needs to mint a capability for it, nothing of its
    /// content. `None` when the record does not exist for any office (a draft is the citizen's
    /// alone) or when `at` makes nothing of its office.
    ///
    /// A holder found for `at` is kept ([`held`]); one of another office is looked up each time,
    /// so that it costs what an unknown record costs.
    pub(in crate::server) async fn holder<Of, Names, At>(
        &self,
        record: Held<Of, Names>,
        at: impl Fn(&OfficeCode) -> Option<At>,
    ) -> Result<Option<(At, Id<Names>)>, DatabaseError> {
        let key = record.key();
        if let Some((office, id)) = self.holders.get(&key)
            && let Some(at) = at(&office)
        {
            return Ok(Some((at, id.of_kind())));
        }
        let found: Option<(OfficeCode, MixedId)> =
            on_backend!(self.database, pool => sqlx::query_as(record.sql).bind(record.id).fetch_optional(pool).await)?;
        let Some((office, id)) = found else { return Ok(None) };
        let Some(at) = at(&office) else { return Ok(None) };
        self.holders.keep(key, office, id);
        Ok(Some((at, id.of_kind())))
    }

    /// Opens the application of `case` for its caseworker, without the rest of the case file:
    /// what the gate benchmark measures. `None` when it has nothing to read for the office (a
    /// draft, or past every retention).
    #[cfg(feature = "bench")]
    pub async fn case_view(&self, case: &CaseAccess) -> Result<Option<CaseView>, DatabaseError> {
        Ok(self.read_case(case, false).await?.map(|read| read.view))
    }

    /// Reads the case of `case` through the rule and logs it, with the rest of the case file
    /// when `file`: one write transaction.
    async fn read_case(&self, case: &CaseAccess, file: bool) -> Result<Option<CaseRead>, DatabaseError> {
        let (staff, office, application) = (case.staff(), case.office(), case.application());
        let read = match &self.database.backend {
            Backend::Sqlite(pool) => {
                let (pool, office) = (pool.clone(), office.clone());
                let vocabulary = Arc::clone(&self.vocabulary);
                on_sqlite_writer(async move { case_view_in!(&pool, &vocabulary, staff, &office, application, file) })
                    .await?
            }
            Backend::Postgres(pool) => {
                case_view_in!(pool, &self.vocabulary, staff, office, application, file)?
            }
        };
        Ok(read)
    }

    /// Document `document` of the application of `case`, read by its caseworker: only while
    /// the rule lets the office read something of the application (its own case, not beyond
    /// retention), and logged as a read of category `documents` on the application's basis in
    /// the same transaction. `None` otherwise.
    pub(super) async fn read_application_document(
        &self,
        case: &CaseAccess,
        document: DocumentId,
    ) -> Result<Option<(String, String, Vec<u8>)>, DatabaseError> {
        let (staff, office, application) = (case.staff(), case.office(), case.application());
        let read = on_backend!(self.database, pool => {
            let mut transaction = pool.begin_write().await?;
            let connection = &mut *transaction;
            let rows: Vec<FactRow> =
                sqlx::query_as(CASE_FACTS).bind(application).bind(office).fetch_all(&mut *connection).await?;
            let Some(CaseRow { citizen, .. }) = case_row(&rows, application) else {
                return Ok(None);
            };
            let facts = facts(Timestamp::now(), office, citizen, &rows);
            let reader = Reader::Caseworker { office: office.clone() };
            let purpose = Purpose::Application { application: application.to_string() };
            if allowed(&reader, &purpose, &facts).is_empty() {
                return Ok(None);
            }
            let found: Option<(String, String, Vec<u8>)> = sqlx::query_as(
                "SELECT file_name, media_type, content FROM documents WHERE id = $1 AND application_id = $2",
            )
            .bind(document)
            .bind(application)
            .fetch_optional(&mut *connection)
            .await?;
            let Some(found) = found else { return Ok(None) };
            let entry = NewEntry {
                staff,
                office: office.clone(),
                citizen,
                categories: vec![Category::Documents],
                purpose: format!("application {application}"),
                basis: LogBasis::Application,
                basis_ref: Some(application.mixed()),
            };
            // INVARIANT: the entry is written in this transaction; if it fails, so does the read.
            append_in!(&mut *connection, &entry)?;
            transaction.commit().await?;
            Ok::<_, sqlx::Error>(Some(found))
        })?;
        Ok(read)
    }

    /// The data `citizen` shared with the office of `at` by consent for `purpose`, read by its
    /// caseworker. `None` when no consent counts now (or a protection flag holds): the answer
    /// is then the same as for a citizen who does not exist.
    pub async fn consented_view(
        &self,
        at: &CaseworkerAt,
        citizen: CitizenId,
        purpose: &str,
    ) -> Result<Option<SharedDataView>, DatabaseError> {
        let (staff, office) = (at.staff(), at.office());
        let view = on_backend!(self.database, pool => {
            let mut transaction = pool.begin_write().await?;
            let connection = &mut *transaction;
            let facts = load_facts!(&mut *connection, office, citizen, Timestamp::now())?;
            let reader = Reader::Caseworker { office: office.clone() };
            let allowed = allowed(&reader, &Purpose::Consented { purpose: purpose.to_owned() }, &facts);
            if allowed.is_empty() {
                return Ok(None);
            }
            let consents: BTreeSet<&str> = allowed
                .iter()
                .filter_map(|(_, basis)| match basis {
                    Basis::Consent { consent } => Some(consent.as_str()),
                    _ => None,
                })
                .collect();
            let entry = NewEntry {
                staff,
                office: office.clone(),
                citizen,
                categories: allowed.iter().map(|(category, _)| *category).collect(),
                purpose: purpose.to_owned(),
                basis: LogBasis::Consent,
                // The consent, when one consent covers the read; several are found by purpose.
                basis_ref: match consents.len() {
                    1 => consents.first().and_then(|id| ConsentId::parse(id)).map(ConsentId::mixed),
                    _ => None,
                },
            };
            let (data, _) = read_and_log!(&mut *connection, &entry, None)?;
            let vocabulary = vocabulary_in!(&self.vocabulary, &mut *connection)?;
            transaction.commit().await?;
            Ok::<Option<SharedDataView>, sqlx::Error>(Some(SharedDataView {
                citizen: citizen.to_string(),
                purpose: purpose.to_owned(),
                labels: vocabulary.labels_of(None, &[&data]),
                data,
                categories: vocabulary.categories.clone(),
            }))
        })?;
        Ok(view)
    }

    /// The data the confirmed, running emergency access of `held` opens, read by a caseworker
    /// of its office. `None` when it is not (or no longer) in force.
    pub async fn emergency_view(&self, held: &OfficeEmergency) -> Result<Option<SharedDataView>, DatabaseError> {
        let (staff, office, emergency) = (held.staff(), held.office(), held.emergency());
        let view = on_backend!(self.database, pool => {
            let mut transaction = pool.begin_write().await?;
            let connection = &mut *transaction;
            let found: Option<(CitizenId, String)> = sqlx::query_as(
                "SELECT citizen_id, reason FROM emergency_accesses WHERE id = $1 AND office_code = $2",
            )
            .bind(emergency)
            .bind(office)
            .fetch_optional(&mut *connection)
            .await?;
            let Some((citizen, reason)) = found else {
                return Ok(None);
            };
            let facts = load_facts!(&mut *connection, office, citizen, Timestamp::now())?;
            let reader = Reader::Caseworker { office: office.clone() };
            let allowed = allowed(&reader, &Purpose::Emergency { emergency: emergency.to_string() }, &facts);
            if allowed.is_empty() {
                return Ok(None);
            }
            let entry = NewEntry {
                staff,
                office: office.clone(),
                citizen,
                categories: allowed.iter().map(|(category, _)| *category).collect(),
                purpose: format!("emergency access {emergency}"),
                basis: LogBasis::Emergency,
                basis_ref: Some(emergency.mixed()),
            };
            let (data, _) = read_and_log!(&mut *connection, &entry, None)?;
            let vocabulary = vocabulary_in!(&self.vocabulary, &mut *connection)?;
            transaction.commit().await?;
            Ok::<Option<SharedDataView>, sqlx::Error>(Some(SharedDataView {
                citizen: citizen.to_string(),
                purpose: reason,
                labels: vocabulary.labels_of(None, &[&data]),
                data,
                categories: vocabulary.categories.clone(),
            }))
        })?;
        Ok(view)
    }

    /// Records, in one transaction, that the caseworker of `at` is shown the names of `listed`
    /// in a list: each a read of `identity` for its purpose, decided by the rule and logged in
    /// one entry per person and purpose, the purpose marked as a listing
    /// ([`crate::consent::LISTED_PREFIX`]). Answers, for each, whether its name may be shown.
    pub(super) async fn read_listed_names(
        &self,
        at: &CaseworkerAt,
        listed: &[(CitizenId, Purpose)],
    ) -> Result<Vec<bool>, DatabaseError> {
        if listed.is_empty() {
            return Ok(Vec::new());
        }
        let (staff, office) = (at.staff(), at.office());
        let reader = Reader::Caseworker { office: office.clone() };
        let shown = on_backend!(self.database, pool => {
            let mut transaction = pool.begin_write().await?;
            let connection = &mut *transaction;
            let now = Timestamp::now();
            let mut shown = Vec::with_capacity(listed.len());
            let mut logged: Vec<(CitizenId, &Purpose)> = Vec::new();
            for (citizen, purpose) in listed {
                let facts = load_facts!(&mut *connection, office, *citizen, now)?;
                // The rule allows a name in a list on an application's or a consent's basis.
                // On an application, the name is the applicant's `identity`, which the form must
                // ask. A consent is a named person's declaration (Art. 7(1) GDPR: the office must
                // be able to show who gave it): one that counts names its giver, whatever it shares.
                let basis = match purpose {
                    Purpose::Consented { .. } => allowed(&reader, purpose, &facts).into_iter().map(|(_, basis)| basis).next(),
                    _ => match decide(&reader, Category::Identity, purpose, &facts) {
                        Decision::Allow(basis) => Some(basis),
                        Decision::Deny(_) => None,
                    },
                };
                let (log_basis, basis_ref, text) = match (basis, purpose) {
                    (Some(Basis::Consent { consent }), Purpose::Consented { purpose }) => {
                        (LogBasis::Consent, ConsentId::parse(&consent).map(ConsentId::mixed), purpose.clone())
                    }
                    (Some(Basis::Application { .. }), Purpose::Application { application }) => {
                        (LogBasis::Application, ApplicationId::parse(application).map(ApplicationId::mixed), format!("application {application}"))
                    }
                    _ => {
                        shown.push(false);
                        continue;
                    }
                };
                shown.push(true);
                if logged.contains(&(*citizen, purpose)) {
                    continue;
                }
                logged.push((*citizen, purpose));
                let entry = NewEntry {
                    staff,
                    office: office.clone(),
                    citizen: *citizen,
                    categories: vec![Category::Identity],
                    purpose: format!("{}{text}", crate::consent::LISTED_PREFIX),
                    basis: log_basis,
                    basis_ref,
                };
                // INVARIANT: the entry is written in this transaction; if it fails, no name is shown.
                append_in!(&mut *connection, &entry)?;
            }
            transaction.commit().await?;
            Ok::<_, sqlx::Error>(shown)
        })?;
        Ok(shown)
    }
}

/// The facts from the rows of [`facts_sql!`].
pub(in crate::server) fn facts(now: Timestamp, office: &OfficeCode, citizen: CitizenId, rows: &[FactRow]) -> Facts {
    let citizen_text = citizen.to_string();
    let mut retention = Retention([0; 10]);
    let mut application_facts: Vec<ApplicationFact> = Vec::new();
    let (mut consents, mut emergencies, mut protection_flags) = (Vec::new(), Vec::new(), Vec::new());
    for row in rows {
        match row {
            FactRow::Application { id, status, required, closed_at, .. } => {
                let id = id.to_string();
                if application_facts.last().is_none_or(|last| last.id != id) {
                    application_facts.push(ApplicationFact {
                        id,
                        office: office.clone(),
                        citizen: citizen_text.clone(),
                        state: match status {
                            ApplicationStatus::Draft => ApplicationState::Draft,
                            ApplicationStatus::Closed | ApplicationStatus::Withdrawn => {
                                ApplicationState::Closed { at: closed_at.map(seconds).unwrap_or(Seconds::MIN) }
                            }
                            _ => ApplicationState::Open,
                        },
                        required: Vec::new(),
                    });
                }
                let required = required.as_ref().and_then(|(code, days)| Some((Category::from_code(code)?, *days)));
                if let (Some((category, days)), Some(fact)) = (required, application_facts.last_mut()) {
                    fact.required.push(category);
                    retention.0[category as usize] = days.saturating_mul(86_400);
                }
            }
            FactRow::Consent { id, category, purpose, granted_at, expires_at, revoked_at } => {
                if let (Some(category), Some(purpose), Some(granted_at)) =
                    (category.as_deref().and_then(Category::from_code), purpose, granted_at)
                {
                    consents.push(ConsentFact {
                        id: id.to_string(),
                        office: office.clone(),
                        citizen: citizen_text.clone(),
                        category,
                        purpose: purpose.clone(),
                        granted_at: seconds(*granted_at),
                        expires_at: expires_at.map(seconds),
                        revoked_at: revoked_at.map(seconds),
                    });
                }
            }
            FactRow::Emergency { id, opened_at, confirmed_at, expires_at, ended_at, categories } => {
                if let Some(opened_at) = opened_at {
                    emergencies.push(EmergencyFact {
                        id: id.to_string(),
                        office: office.clone(),
                        citizen: citizen_text.clone(),
                        opened_at: seconds(*opened_at),
                        confirmed_at: confirmed_at.map(seconds),
                        expires_at: expires_at.map(seconds),
                        ended_at: ended_at.map(seconds),
                        categories: categories.iter().filter_map(|code| Category::from_code(code)).collect(),
                    });
                }
            }
            FactRow::Flag { set_at, lifted_at } => protection_flags.push(ProtectionFact {
                citizen: citizen_text.clone(),
                set_at: set_at.map(seconds).unwrap_or(Seconds::MIN),
                lifted_at: lifted_at.map(seconds),
            }),
        }
    }
    Facts {
        now: seconds(now),
        office: office.clone(),
        citizen: citizen_text,
        applications: application_facts,
        consents,
        emergencies,
        protection_flags,
        retention,
    }
}
