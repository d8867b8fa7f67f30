//! The citizen's server functions of the guided application flow. Each page's form posts to one
//! of them; after a write the answer names the next page, and the browser is sent there (a
//! redirect with and without JavaScript), so the flow works as plain forms.

use std::collections::BTreeMap;

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::{go_to, invalid};
#[cfg(feature = "ssr")]
use crate::server::{
    auth::guard,
    citizen::Submission,
    db::{ApplicationId, Id},
};
use crate::{
    applying::{ApplyStart, CheckAnswers, CitizenOverview, DraftStep, Receipt, StepSaved},
    auth::ApiError,
};

/// The citizen's start page: applications (their own and their minor children's), what the
/// offices wait for, and the newest reads of their data.
#[server(prefix = "/api", endpoint = "buerger/uebersicht")]
pub async fn my_overview() -> Result<CitizenOverview, ApiError> {
    let citizen = guard::citizen().await?;
    Ok(guard::services()?.citizen.citizen_overview(&citizen).await?)
}

/// Which help the citizen (or their minor child) may apply for, and what the draft holds.
#[server(prefix = "/api", endpoint = "buerger/antrag")]
pub async fn help_on_offer(person: Option<String>) -> Result<ApplyStart, ApiError> {
    let acting = guard::acting_for(guard::citizen().await?, person.as_deref()).await?;
    Ok(guard::services()?.citizen.apply_start(&acting).await?)
}

/// Chooses the kinds of help to apply for (`benefits[0]`, `benefits[1]`, …: codes, as the
/// page's checkboxes send them); answers the first page of the flow.
#[server(prefix = "/api", endpoint = "buerger/antrag-waehlen")]
pub async fn choose_help(person: Option<String>, benefits: Option<Vec<String>>) -> Result<String, ApiError> {
    let acting = guard::acting_for(guard::citizen().await?, person.as_deref()).await?;
    let chosen = benefits.unwrap_or_default();
    let next = guard::services()?.citizen.choose_benefits(&acting, &chosen).await?;
    go_to(&next);
    Ok(next)
}

/// One page of the draft, with its problems when `problems` is set (after a save that did not fit).
#[server(prefix = "/api", endpoint = "buerger/antrag-schritt")]
pub async fn application_step(
    person: Option<String>,
    category: String,
    problems: Option<String>,
) -> Result<DraftStep, ApiError> {
    let acting = guard::acting_for(guard::citizen().await?, person.as_deref()).await?;
    let judged = problems.is_some_and(|problems| !problems.is_empty());
    Ok(guard::services()?.citizen.draft_step(&acting, category.trim(), judged).await?)
}

/// Keeps the answers of one page (`answers`: question key → answer as written), even those that
/// do not fit, and goes on to the next page, or back to this one to show what to fix.
#[server(prefix = "/api", endpoint = "buerger/antrag-speichern")]
pub async fn save_answers(
    person: Option<String>,
    category: String,
    answers: Option<BTreeMap<String, String>>,
) -> Result<StepSaved, ApiError> {
    let acting = guard::acting_for(guard::citizen().await?, person.as_deref()).await?;
    let answers = answers.unwrap_or_default();
    if answers.len() > 100 {
        return Err(invalid("answers", "send the answers of one page at a time"));
    }
    let self_service = guard::services()?.citizen.clone();
    let saved = self_service.save_step(&acting, category.trim(), &answers).await?;
    go_to(&saved.next);
    Ok(saved)
}

/// Every answer of the draft, and for each office what it receives, on which legal basis, and
/// the sharings the citizen may add.
#[server(prefix = "/api", endpoint = "buerger/antrag-pruefen")]
pub async fn check_application(person: Option<String>) -> Result<CheckAnswers, ApiError> {
    let acting = guard::acting_for(guard::citizen().await?, person.as_deref()).await?;
    Ok(guard::services()?.citizen.check_answers(&acting).await?)
}

/// Submits the draft: one application per office, all or none, with the sharings chosen
/// (`sharings[0]`, `sharings[1]`, …: their ids). `versions` are the consent template versions the
/// citizen saw, comma-separated. Answers the receipt's address, or the check page's when
/// something is missing or the terms changed meanwhile.
#[server(prefix = "/api", endpoint = "buerger/antrag-absenden")]
pub async fn submit_application(
    person: Option<String>,
    versions: String,
    sharings: Option<Vec<String>>,
) -> Result<String, ApiError> {
    let acting = guard::acting_for(guard::citizen().await?, person.as_deref()).await?;
    fn ids<'a, Of>(
        text: impl Iterator<Item = &'a str>,
        field: &str,
        fix: &str,
    ) -> Result<std::collections::BTreeSet<Id<Of>>, ApiError> {
        text.map(str::trim)
            .filter(|id| !id.is_empty())
            .map(|id| Id::parse(id).ok_or_else(|| invalid(field, fix)))
            .collect()
    }
    let versions = ids(versions.split(','), "versions", "send the versions shown on the check page")?;
    let sharings = sharings.unwrap_or_default();
    let sharings = ids(sharings.iter().map(String::as_str), "sharings", "choose from the sharings offered")?;
    let self_service = guard::services()?.citizen.clone();
    let check_page = |reason: &str| {
        let path = crate::server::citizen::APPLY_PATH;
        match acting.is_self() {
            true => format!("{path}/pruefen?{reason}=1"),
            false => format!("{path}/pruefen?fuer={}&{reason}=1", acting.person()),
        }
    };
    let next = match self_service.submit_draft(&acting, &versions, &sharings).await? {
        Submission::Submitted(applications) => {
            let list: Vec<String> = applications.iter().map(ToString::to_string).collect();
            tracing::info!(citizen = %acting.citizen().id(), count = list.len(), "applications submitted");
            format!("{}/eingang?antraege={}", crate::server::citizen::APPLY_PATH, list.join(","))
        }
        Submission::Incomplete => check_page("fehler"),
        Submission::TermsChanged => check_page("geaendert"),
    };
    go_to(&next);
    Ok(next)
}

/// The receipt of submitted applications (`applications`: ids, comma-separated), to print.
#[server(prefix = "/api", endpoint = "buerger/antrag-eingang")]
pub async fn application_receipt(applications: String) -> Result<Receipt, ApiError> {
    let citizen = guard::citizen().await?;
    let ids = applications
        .split(',')
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map(|id| ApplicationId::parse(id).ok_or_else(|| invalid("applications", "give the ids from your receipt's address")))
        .collect::<Result<Vec<ApplicationId>, ApiError>>()?;
    if ids.is_empty() || ids.len() > 10 {
        return Err(invalid("applications", "give between one and ten application ids"));
    }
    Ok(guard::services()?.citizen.receipt(&citizen, &ids).await?)
}
