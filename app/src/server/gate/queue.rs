//! Lists: the office's queue of applications and the data citizens shared with the office by
//! consent. Each filters in SQL by the same rule the policy function decides one read by (a test
//! checks that they agree): an application is listed while the office may read at least one
//! category for it; a sharing while its consent counts and no protection flag holds. A name in
//! a list is a read of `identity` like any other: the queue shows only the names a search by
//! name found, the list of sharings the names of who gave them; each is decided by the policy
//! function and logged (`Gate::read_listed_names`).

use super::{Gate, vocabulary::vocabulary_in};
use crate::{
    case::{QueueAssignee, QueueGroup, QueueItem, QueuePage, SharingItem, SharingsPage},
    consent::NamedCode,
    localized::Localized,
    policy::Purpose,
    server::{
        auth::CaseworkerAt,
        db::{ApplicationId, CitizenId, DatabaseError, Records, StaffId, Tables, Timestamp, on_backend},
    },
    status::ApplicationStatus,
};

/// Most applications on one page of the queue.
pub const MAX_PER_PAGE: i64 = 100;
/// Sharings on one page of the office's list: each name on it is a logged read.
const SHARINGS_PER_PAGE: i64 = 25;

/// Unix seconds of a timestamp column, truncated as `Timestamp::unix_timestamp` does.
fn epoch_of(database: &Tables<Records>, column: &str) -> String {
    match database.kind() {
        crate::server::db::DatabaseKind::Sqlite => format!("CAST(strftime('%s', {column}) AS INTEGER)"),
        crate::server::db::DatabaseKind::Postgres => format!("CAST(floor(extract(epoch FROM {column})) AS BIGINT)"),
    }
}

/// The condition under which the office (`$1`) may read something of application `a` at `$2`
/// (unix seconds): not a draft, and some category its template version requires is still
/// readable (open, or closed or withdrawn within that category's retention).
pub(super) fn readable_application(database: &Tables<Records>) -> String {
    format!(
        "a.office_code = $1 AND a.status <> 'draft' AND EXISTS (SELECT 1 FROM template_required_categories r \
         JOIN data_categories c ON c.code = r.category_code WHERE r.version_id = a.template_version_id \
         AND (a.status NOT IN ('closed', 'withdrawn') OR {} + c.retention_days * 86400 >= $2))",
        epoch_of(database, "a.closed_at")
    )
}

/// The condition under which the office (`$1`) may read the name of the applicant of `a` at `$2`
/// for the application: its template version requires `identity`, still readable.
fn readable_name(database: &Tables<Records>) -> String {
    format!(
        "EXISTS (SELECT 1 FROM template_required_categories r JOIN data_categories c ON c.code = r.category_code \
         WHERE r.version_id = a.template_version_id AND r.category_code = 'identity' \
         AND (a.status NOT IN ('closed', 'withdrawn') OR {} + c.retention_days * 86400 >= $2))",
        epoch_of(database, "a.closed_at")
    )
}

/// id, reference, kind of help, status, submitted, assignee, applicant, applicant's names (when
/// a search by name found them), assignee's name.
type QueueRow = (
    ApplicationId,
    String,
    String,
    ApplicationStatus,
    Option<Timestamp>,
    Option<StaffId>,
    CitizenId,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// What a caseworker asks of the queue.
#[derive(Clone, Debug)]
pub struct QueueQuery {
    pub group: QueueGroup,
    pub assignee: QueueAssignee,
    /// A reference number, or the start of a given or family name; empty for all.
    pub search: String,
    /// From 1.
    pub page: i64,
    pub per_page: i64,
}

/// The search as a LIKE prefix: lower case, without LIKE's wildcards.
fn search_prefix(search: &str) -> String {
    let cleaned: String = search.chars().filter(|c| !matches!(c, '%' | '_' | '\\')).collect();
    format!("{}%", cleaned.trim().to_lowercase())
}

impl Gate {
    /// One page of the applications of `office` that its caseworkers may read, in the tab,
    /// for the assignee and matching the search of `query`, oldest submission first; with how
    /// many each tab holds.
    ///
    /// A list shows no names: a name in a list is a read of `identity`, and a queue is looked at
    /// all day. Only a search by name shows the names it found, each a read the rule decides and
    /// the log records (`read_listed_names`); it finds only applicants whose name the office may
    /// read.
    pub async fn queue(&self, at: &CaseworkerAt, query: &QueueQuery) -> Result<Option<QueuePage>, DatabaseError> {
        let office = at.office();
        let (page, per_page) = (query.page.max(1), query.per_page.clamp(1, MAX_PER_PAGE));
        let now = Timestamp::now().as_offset_date_time().unix_timestamp();
        let condition = readable_application(&self.database);
        // INVARIANT: only these fixed status names are written into the SQL text; every value
        // from the caller is a bound parameter. $1 office, $2 now, $3 the assignee (NULL for
        // anyone), $4 a reference and $5 a name prefix ('' and '%' for no search), $6 and $7
        // the page. Each text is bound exactly the parameters it names, as both backends need.
        let statuses = ApplicationStatus::sql_list(query.group.statuses());
        let nobody = match query.assignee {
            QueueAssignee::Nobody => " AND a.assigned_staff_id IS NULL",
            _ => "",
        };
        let assignee = "($3 IS NULL OR a.assigned_staff_id = $3)";
        let by_name = "a.reference <> $4 AND $4 <> ''";
        let filtered = format!(
            "FROM applications a JOIN citizens c ON c.id = a.citizen_id WHERE {condition} AND a.status IN {statuses} \
             AND {assignee}{nobody} AND ($4 = '' OR a.reference = $4 OR ({} AND (LOWER(c.family_name) LIKE $5 \
             OR LOWER(c.given_name) LIKE $5 OR LOWER(c.given_name || ' ' || c.family_name) LIKE $5)))",
            readable_name(&self.database),
        );
        let list = format!(
            "SELECT a.id, a.reference, a.benefit_type_code, a.status, a.submitted_at, a.assigned_staff_id, a.citizen_id, \
             CASE WHEN {by_name} THEN c.given_name END, CASE WHEN {by_name} THEN c.family_name END, \
             (SELECT s.display_name FROM staff_members s WHERE s.id = a.assigned_staff_id) \
             {filtered} ORDER BY a.submitted_at, a.id LIMIT $6 OFFSET $7"
        );
        let total_sql = format!("SELECT COUNT(*) {filtered}");
        // The tabs' counts come from `queue_counts`, which triggers keep in step with every
        // change: counting a large office's applications on each request would not do.
        // (Closed applications past their retention count until the retention run removes
        // them; the list never shows them.)
        let counts_sql = match query.assignee {
            QueueAssignee::Anyone => "SELECT status, CAST(SUM(count) AS BIGINT) FROM queue_counts WHERE office_code = $1 GROUP BY status",
            QueueAssignee::Me => {
                "SELECT status, CAST(SUM(count) AS BIGINT) FROM queue_counts WHERE office_code = $1 AND assignee = $2 GROUP BY status"
            }
            QueueAssignee::Nobody => {
                "SELECT status, CAST(SUM(count) AS BIGINT) FROM queue_counts WHERE office_code = $1 AND assignee = '' GROUP BY status"
            }
        };
        let me = at.staff();
        let search = query.search.trim();
        let assigned = (query.assignee == QueueAssignee::Me).then_some(me);
        let me_text = me.to_string();
        let (reference, prefix) = match search.is_empty() {
            true => (String::new(), String::from("%")),
            false => (search.to_uppercase(), search_prefix(search)),
        };
        let offset = (page - 1).saturating_mul(per_page);
        type Names = Vec<(String, String, String)>;
        let (rows, total, counts, offices, benefits): (Vec<QueueRow>, i64, Vec<(String, i64)>, Names, Names) =
            on_backend!(self.database, pool => {
                let mut connection = pool.acquire().await?;
                let rows: Vec<QueueRow> = sqlx::query_as(&list)
                    .bind(office)
                    .bind(now)
                    .bind(assigned)
                    .bind(&reference)
                    .bind(&prefix)
                    .bind(per_page)
                    .bind(offset)
                    .fetch_all(&mut *connection)
                    .await?;
                let counted = sqlx::query_as(counts_sql).bind(office);
                let counted = if query.assignee == QueueAssignee::Me { counted.bind(&me_text) } else { counted };
                let counts: Vec<(String, i64)> = counted.fetch_all(&mut *connection).await?;
                let shown = i64::try_from(rows.len()).unwrap_or(i64::MAX);
                let in_tab: i64 = counts
                    .iter()
                    .filter(|(status, _)| query.group.holds(status))
                    .map(|(_, count)| count)
                    .sum();
                // A first page that is not full is the whole list; without a search the tab's
                // count is the total; only a search is counted.
                let total: i64 = if offset == 0 && shown < per_page {
                    shown
                } else if search.is_empty() && query.group != QueueGroup::Closed {
                    in_tab
                } else {
                    sqlx::query_scalar(&total_sql)
                        .bind(office)
                        .bind(now)
                        .bind(assigned)
                        .bind(&reference)
                        .bind(&prefix)
                        .fetch_one(&mut *connection)
                        .await?
                };
                // The offices and this office's kinds of help in one round trip.
                let names: Vec<(String, String, String, String)> = sqlx::query_as(
                    "SELECT 'office' AS kind, code, name_de, name_en FROM offices \
                     UNION ALL SELECT 'benefit', code, name_de, name_en FROM benefit_types WHERE office_code = $1 ORDER BY 1, 2",
                )
                .bind(office)
                .fetch_all(&mut *connection)
                .await?;
                let (offices, benefits): (Vec<_>, Vec<_>) = names.into_iter().partition(|(kind, ..)| kind == "office");
                let without_kind = |names: Vec<(String, String, String, String)>| -> Names {
                    names.into_iter().map(|(_, code, name_de, name_en)| (code, name_de, name_en)).collect()
                };
                let (offices, benefits) = (without_kind(offices), without_kind(benefits));
                Ok::<_, sqlx::Error>((rows, total, counts, offices, benefits))
            })?;
        let own: Vec<NamedCode> = offices
            .into_iter()
            .filter(|(code, ..)| at.caseworker().offices().any(|own| own.as_str() == code))
            .map(NamedCode::from)
            .collect();
        let Some(this_office) = own.iter().find(|named| named.code == office.as_str()).cloned() else { return Ok(None) };
        // The names a search found: shown only as far as the rule allows, each read logged.
        let named: Vec<(CitizenId, Purpose)> = rows
            .iter()
            .filter(|row| row.7.is_some())
            .map(|row| (row.6, Purpose::Application { application: row.0.to_string() }))
            .collect();
        let mut shown = self.read_listed_names(at, &named).await?.into_iter();
        let counts = QueueGroup::ALL
            .into_iter()
            .map(|group| {
                let count = counts
                    .iter()
                    .filter(|(status, _)| group.holds(status))
                    .map(|(_, count)| count)
                    .sum();
                (group, count)
            })
            .collect();
        Ok(Some(QueuePage {
            office: this_office,
            offices: own,
            items: rows
                .into_iter()
                .map(|(id, reference, benefit_type, status, submitted_at, assigned, _, given, family, assigned_name)| {
                    let applicant = match (given, family) {
                        (Some(given), Some(family)) if shown.next() == Some(true) => Some(format!("{given} {family}")),
                        _ => None,
                    };
                    QueueItem {
                        application: id.to_string(),
                        reference,
                        benefit_type,
                        status,
                        submitted_at: submitted_at.map(Timestamp::to_rfc3339),
                        assigned_to_me: assigned == Some(me),
                        applicant,
                        assigned_to: assigned_name,
                    }
                })
                .collect(),
            total,
            page,
            per_page,
            group: query.group,
            assignee: query.assignee,
            search: search.to_owned(),
            counts,
            benefits: benefits.into_iter().map(NamedCode::from).collect(),
        }))
    }

    /// Page `page` of the data citizens shared with `office` by consent that counts now, by
    /// citizen and purpose, ordered by name; none of a citizen under a protection flag. Each
    /// name on the page is a read the rule decides and the log records (`read_listed_names`).
    pub async fn sharings(&self, at: &CaseworkerAt, page: i64) -> Result<Option<SharingsPage>, DatabaseError> {
        let office = at.office();
        let now = Timestamp::now();
        type Row = (CitizenId, String, String, String, String, Option<Timestamp>);
        let (rows, office_name, categories): (Vec<Row>, Option<(String, String)>, Vec<NamedCode>) = on_backend!(self.database, pool => {
            let mut connection = pool.acquire().await?;
            let rows = sqlx::query_as(
                "SELECT c.citizen_id, p.given_name, p.family_name, c.purpose, c.category_code, c.expires_at \
                 FROM consents c JOIN citizens p ON p.id = c.citizen_id \
                 WHERE c.recipient_office_code = $1 AND c.granted_at <= $2 AND (c.revoked_at IS NULL OR c.revoked_at > $2) \
                 AND (c.expires_at IS NULL OR c.expires_at > $2) AND NOT EXISTS (SELECT 1 FROM protection_flags f \
                   WHERE f.citizen_id = c.citizen_id AND f.set_at <= $2 AND (f.lifted_at IS NULL OR f.lifted_at > $2)) \
                 ORDER BY p.family_name, p.given_name, c.citizen_id, c.purpose, c.category_code LIMIT 10000",
            )
            .bind(office)
            .bind(now)
            .fetch_all(&mut *connection)
            .await?;
            let office_name = sqlx::query_as("SELECT name_de, name_en FROM offices WHERE code = $1")
                .bind(office)
                .fetch_optional(&mut *connection)
                .await?;
            // The categories' names from the kept vocabulary.
            let vocabulary = vocabulary_in!(&self.vocabulary, &mut *connection)?;
            Ok::<_, sqlx::Error>((rows, office_name, vocabulary.categories.clone()))
        })?;
        let Some((name_de, name_en)) = office_name else { return Ok(None) };
        let this_office = NamedCode { code: office.to_string(), name: Localized::new(name_de, name_en) };
        // Grouped by citizen and purpose, in the order of the rows (by name).
        let mut grouped: Vec<(SharingItem, String)> = Vec::new();
        for (citizen, given, family, purpose, category, expires_at) in rows {
            let citizen = citizen.to_string();
            let same = grouped.last().is_some_and(|(item, _)| item.citizen == citizen && item.purpose == purpose);
            if !same {
                let item = SharingItem { citizen, name: None, purpose, categories: Vec::new(), until: None };
                grouped.push((item, format!("{given} {family}")));
            }
            let Some((item, _)) = grouped.last_mut() else { continue };
            item.categories.push(category);
            if let Some(expires_at) = expires_at.map(Timestamp::to_rfc3339)
                && item.until.as_ref().is_none_or(|until| expires_at < *until)
            {
                item.until = Some(expires_at);
            }
        }
        let total = i64::try_from(grouped.len()).unwrap_or(i64::MAX);
        let page = page.max(1);
        let skip = usize::try_from((page - 1).saturating_mul(SHARINGS_PER_PAGE)).unwrap_or(usize::MAX);
        let mut items: Vec<(SharingItem, String)> =
            grouped.into_iter().skip(skip).take(usize::try_from(SHARINGS_PER_PAGE).unwrap_or(usize::MAX)).collect();
        let listed: Vec<(CitizenId, Purpose)> = items
            .iter()
            .filter_map(|(item, _)| Some((CitizenId::parse(&item.citizen)?, Purpose::Consented { purpose: item.purpose.clone() })))
            .collect();
        let shown = self.read_listed_names(at, &listed).await?;
        for ((item, name), shown) in items.iter_mut().zip(shown) {
            if shown {
                item.name = Some(std::mem::take(name));
            }
        }
        Ok(Some(SharingsPage {
            office: this_office,
            items: items.into_iter().map(|(item, _)| item).collect(),
            categories,
            total,
            page,
            per_page: SHARINGS_PER_PAGE,
        }))
    }
}
