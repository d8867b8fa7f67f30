//! The administrators' server functions: offices, staff and roles, data categories, and the
//! audit of administration (which the data protection officer reads too). None returns citizen
//! data: the overview counts, never lists, people who are not staff.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::{internal, invalid};
#[cfg(feature = "ssr")]
use crate::server::{
    administration::{self, AdminError, OfficeInput},
    auth::guard,
};
use crate::{
    admin::{AdminOverview, AuditEntry, RetentionReport},
    auth::ApiError,
};

/// Where the administration's pages are.
pub const ADMIN_PATH: &str = "/verwaltung/start";

#[cfg(feature = "ssr")]
fn refused(error: AdminError) -> ApiError {
    match error {
        AdminError::NotFound => guard::fail(ApiError::NotFound),
        AdminError::Invalid { field, message } => invalid(field, &message),
        AdminError::Database(error) => internal(error),
    }
}

/// A yes/no box of a form: present ("ja", "on", "true") or absent.
#[cfg(feature = "ssr")]
fn ticked(value: Option<&str>) -> bool {
    matches!(value.map(str::trim), Some("ja" | "on" | "true"))
}

/// Offices, staff with their roles, data categories and aggregate counts.
#[server(prefix = "/api", endpoint = "verwaltung/uebersicht")]
pub async fn administration_overview() -> Result<AdminOverview, ApiError> {
    let admin = guard::administrator().await?;
    let services = guard::services()?;
    let mut overview =
        services.administration.overview(&admin).await.map_err(internal)?.ok_or_else(|| guard::fail(ApiError::NotAllowed))?;
    overview.retention_runs = services.gate.retention_runs(10).await.map_err(internal)?;
    Ok(overview)
}

/// Creates an office, or changes the one with this code.
#[server(prefix = "/api", endpoint = "verwaltung/amt-speichern")]
pub async fn save_office(
    code: String,
    name_de: String,
    name_en: String,
    kind: String,
    active: Option<String>,
) -> Result<(), ApiError> {
    let admin = guard::administrator().await?;
    let input = (|| {
        Ok::<_, AdminError>(OfficeInput {
            code: administration::code("code", &code)?,
            name_de: administration::text("name_de", &name_de, 2, 120)?,
            name_en: administration::text("name_en", &name_en, 2, 120)?,
            kind: kind.trim().to_owned(),
            active: ticked(active.as_deref()),
        })
    })()
    .map_err(refused)?;
    guard::services()?.administration.save_office(&admin, input).await.map_err(refused)?;
    super::applying::go_to(&format!("{ADMIN_PATH}?erledigt=amt#aemter"));
    Ok(())
}

/// Creates a staff member with roles. Returns the new id.
#[server(prefix = "/api", endpoint = "verwaltung/mitarbeitende-anlegen")]
pub async fn create_staff(
    display_name: String,
    email: String,
    subject: Option<String>,
    roles: Option<Vec<String>>,
) -> Result<String, ApiError> {
    let admin = guard::administrator().await?;
    let name = administration::text("display_name", &display_name, 2, 120).map_err(refused)?;
    let email = administration::email(&email).map_err(refused)?;
    let subject = subject.map(|subject| subject.trim().to_owned()).filter(|subject| !subject.is_empty());
    if subject.as_ref().is_some_and(|subject| subject.chars().count() > 255) {
        return Err(invalid("subject", "the provider's subject has at most 255 characters"));
    }
    let roles = administration::roles(&roles.unwrap_or_default()).map_err(refused)?;
    let id = guard::services()?.administration.create_staff(&admin, name, email, subject, roles).await.map_err(refused)?;
    super::applying::go_to(&format!("{ADMIN_PATH}?erledigt=angelegt#mitarbeitende"));
    Ok(id.to_string())
}

/// Gives a staff member exactly these roles.
#[server(prefix = "/api", endpoint = "verwaltung/rollen-setzen")]
pub async fn set_staff_roles(staff: String, roles: Option<Vec<String>>) -> Result<(), ApiError> {
    let admin = guard::administrator().await?;
    let staff = crate::server::db::Id::parse(staff.trim()).ok_or_else(|| invalid("staff", "choose a staff member from the list"))?;
    let roles = administration::roles(&roles.unwrap_or_default()).map_err(refused)?;
    guard::services()?.administration.set_roles(&admin, staff, roles).await.map_err(refused)?;
    super::applying::go_to(&format!("{ADMIN_PATH}?erledigt=rollen#mitarbeitende"));
    Ok(())
}

/// Deactivates a staff member; their sessions end at once.
#[server(prefix = "/api", endpoint = "verwaltung/mitarbeitende-deaktivieren")]
pub async fn deactivate_staff(staff: String, confirmed: Option<String>) -> Result<(), ApiError> {
    let admin = guard::administrator().await?;
    let staff = crate::server::db::Id::parse(staff.trim()).ok_or_else(|| invalid("staff", "choose a staff member from the list"))?;
    if !ticked(confirmed.as_deref()) {
        return Err(invalid("confirmed", "tick the box to confirm that this person may no longer sign in"));
    }
    guard::services()?.administration.deactivate_staff(&admin, staff).await.map_err(refused)?;
    super::applying::go_to(&format!("{ADMIN_PATH}?erledigt=deaktiviert#mitarbeitende"));
    Ok(())
}

/// Changes a data category: names and plain-language descriptions in German and English, the
/// special-category flag (GDPR Art. 9) and the retention period in days.
#[server(prefix = "/api", endpoint = "verwaltung/kategorie-speichern")]
pub async fn save_category(
    code: String,
    name_de: String,
    name_en: String,
    description_de: String,
    description_en: String,
    special_category: Option<String>,
    retention_days: String,
) -> Result<(), ApiError> {
    let admin = guard::administrator().await?;
    let input = (|| {
        Ok::<_, AdminError>(crate::admin::CategoryView {
            code: administration::code("code", &code)?,
            name_de: administration::text("name_de", &name_de, 2, 120)?,
            name_en: administration::text("name_en", &name_en, 2, 120)?,
            description_de: administration::text("description_de", &description_de, 10, 1_000)?,
            description_en: administration::text("description_en", &description_en, 10, 1_000)?,
            special_category: ticked(special_category.as_deref()),
            retention_days: retention_days.trim().parse().map_err(|_| AdminError::Invalid {
                field: "retention_days",
                message: "give the retention in whole days, from 1 to 36,500".to_owned(),
            })?,
        })
    })()
    .map_err(refused)?;
    guard::services()?.administration.save_category(&admin, input).await.map_err(refused)?;
    super::applying::go_to(&format!("{ADMIN_PATH}?erledigt=kategorie#kategorien"));
    Ok(())
}

/// The audit of administration, newest first: who changed what and when. For administrators
/// and the data protection officer.
#[server(prefix = "/api", endpoint = "verwaltung/protokoll")]
pub async fn admin_audit() -> Result<Vec<AuditEntry>, ApiError> {
    let reader = guard::staff().await?;
    let administration = guard::services()?.administration;
    administration.audit(&reader, 200).await.map_err(internal)?.ok_or_else(|| guard::fail(ApiError::NotAllowed))
}

/// The latest retention runs, newest first: when, and how much each removed (counts by
/// category and office only). For administrators and the data protection officer.
#[server(prefix = "/api", endpoint = "verwaltung/loeschlaeufe")]
pub async fn retention_runs() -> Result<Vec<RetentionReport>, ApiError> {
    let reader = guard::staff().await?;
    if !reader.is_administrator() && !reader.is_data_protection_officer() {
        return Err(guard::fail(ApiError::NotAllowed));
    }
    guard::services()?.gate.retention_runs(50).await.map_err(internal)
}
