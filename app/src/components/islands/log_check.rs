//! The citizen's own check of their access log, run in their browser ([`crate::log_proof::check`]).
//!
//! It fetches the proofs of the entries the page shows, checks them against the keys the page
//! names, keeps what it verified in the browser's storage for the next visit, and says in
//! plain words what it checked, or raises the alarm with a file of the evidence to hand on.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{
    log_proof::{Finding, LogKeys, ShownEntry, Verified},
    url::encode_component,
};

/// The texts of the check, in the reader's language, rendered on the server: an island has no
/// page context. `{name}` marks a figure the browser fills in.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogCheckTexts {
    pub checking: String,
    /// `{proven}`, `{size}`.
    pub intact: String,
    /// `{size}`.
    pub nothing: String,
    /// `{witness}`.
    pub witnessed: String,
    pub unwitnessed: String,
    pub first_visit: String,
    /// `{before}`.
    pub since: String,
    /// `{pending}`.
    pub pending: String,
    pub alarm: String,
    pub unsigned: String,
    pub not_witnessed: String,
    /// `{before}`, `{now}`.
    pub set_back: String,
    /// `{before}`.
    pub rewritten: String,
    pub not_included: String,
    pub differs: String,
    pub vanished: String,
    pub overdue: String,
    pub backdated: String,
    pub keys_changed: String,
    pub advice: String,
    pub evidence: String,
    /// When the log was set back or rewritten: what starting over means, and its button.
    pub start_over_hint: String,
    pub start_over: String,
    pub failed: String,
    /// The thousands separator of the reader's language.
    pub thousands: String,
}

/// Where the browser keeps what it verified last (one log per portal, so one place).
#[cfg(feature = "hydrate")]
const STORAGE_KEY: &str = "klarsicht-zugriffsprotokoll";

/// How a check went.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(not(feature = "hydrate"), expect(dead_code, reason = "only the browser runs the check"))]
enum Outcome {
    Checking,
    /// What the check verified, and how long the check took in milliseconds.
    Verified(Verified, f64),
    /// What was found, and the evidence as a JSON file's text.
    Alarm(Finding, String),
    Failed,
}

/// The check of the entries `shown` of `person` (as the page shows them, newest first) with
/// `keys`; `children` says what to do without JavaScript and gives way once the check runs.
/// `acting_for` is the page's `?fuer=`, passed on to the server.
///
/// Lazy: the island, its cryptography and its types are a WebAssembly module of their own
/// (`cargo leptos build --split`) that only this page loads; every other page stays as light as
/// before. (Lazy in the browser's build only: the server's would compile the island twice.)
#[cfg_attr(feature = "hydrate", island(lazy))]
#[cfg_attr(not(feature = "hydrate"), island)]
pub fn LogCheck(
    person: String,
    acting_for: Option<String>,
    keys: LogKeys,
    shown: Vec<ShownEntry>,
    texts: LogCheckTexts,
    children: Children,
) -> impl IntoView {
    let (outcome, set_outcome) = signal(None::<Outcome>);
    // Checks against what this browser remembered, or with `anew` as on a first visit.
    let check = Callback::new(move |anew: bool| {
        set_outcome.set(Some(Outcome::Checking));
        #[cfg(feature = "hydrate")]
        {
            let (person, acting_for, keys, shown) = (person.clone(), acting_for.clone(), keys.clone(), shown.clone());
            leptos::task::spawn_local(async move {
                set_outcome.set(Some(run(person, acting_for, keys, shown, anew).await));
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (&person, &acting_for, &keys, &shown, anew);
    });
    Effect::new(move |_| check.run(false));
    view! {
        <div class="log-check" hidden=move || outcome.read().is_some()>{children()}</div>
        {move || outcome.get().map(|outcome| say(&texts, outcome, move || check.run(true)))}
    }
}

/// The outcome in words. After a set-back, a rewrite or a new key the citizen may
/// `start_over`: the city may have explained it (a restore from a backup, declared on the page;
/// a new key it announced), and otherwise the alarm would come back on every visit.
fn say(texts: &LogCheckTexts, outcome: Outcome, start_over: impl Fn() + Send + Sync + 'static) -> AnyView {
    let number = |number: u64| grouped(number, &texts.thousands);
    match outcome {
        Outcome::Checking => view! { <p role="status">{texts.checking.clone()}</p> }.into_any(),
        Outcome::Verified(verified, took) => {
            let mut sentences = vec![match verified.proven {
                0 if verified.pending == 0 => texts.nothing.replace("{size}", &number(verified.size)),
                proven => texts.intact.replace("{proven}", &number(proven as u64)).replace("{size}", &number(verified.size)),
            }];
            sentences.push(match &verified.witnessed {
                Some((witness, _)) => texts.witnessed.replace("{witness}", witness),
                None => texts.unwitnessed.clone(),
            });
            sentences.push(match verified.since {
                Some(before) => texts.since.replace("{before}", &number(before)),
                None => texts.first_visit.clone(),
            });
            if verified.pending > 0 {
                sentences.push(texts.pending.replace("{pending}", &number(verified.pending as u64)));
            }
            // How long the check took, for the browser tests to report.
            view! { <p role="status" class="log-check__result" data-check-ms=format!("{took:.1}")>{sentences.join(" ")}</p> }.into_any()
        }
        Outcome::Alarm(finding, evidence) => {
            let may_start_over = matches!(finding, Finding::SetBack { .. } | Finding::Rewritten { .. } | Finding::KeysChanged);
            let reason = match finding {
                Finding::Unsigned => texts.unsigned.clone(),
                Finding::Unwitnessed => texts.not_witnessed.clone(),
                Finding::SetBack { before, now } => texts.set_back.replace("{before}", &number(before)).replace("{now}", &number(now)),
                Finding::Rewritten { before } => texts.rewritten.replace("{before}", &number(before)),
                Finding::NotIncluded { .. } => texts.not_included.clone(),
                Finding::Differs { .. } => texts.differs.clone(),
                Finding::Vanished { .. } => texts.vanished.clone(),
                Finding::Overdue { .. } => texts.overdue.clone(),
                Finding::Backdated { .. } => texts.backdated.clone(),
                Finding::KeysChanged => texts.keys_changed.clone(),
            };
            let href = format!("data:application/json;charset=utf-8,{}", encode_component(&evidence));
            view! {
                <div role="alert" class="error log-check__alarm">
                    <p><strong>{texts.alarm.clone()}</strong> " " {reason}</p>
                    <p>{texts.advice.clone()}</p>
                    <p><a class="button button--secondary" href=href download="klarsicht-protokoll-beweis.json">{texts.evidence.clone()}</a></p>
                    {may_start_over.then(|| view! {
                        <p>{texts.start_over_hint.clone()}</p>
                        <p><button type="button" class="button button--secondary" on:click=move |_| start_over()>{texts.start_over.clone()}</button></p>
                    })}
                </div>
            }
            .into_any()
        }
        Outcome::Failed => view! { <p role="alert" class="error">{texts.failed.clone()}</p> }.into_any(),
    }
}

/// `4102331` as `4.102.331` (with `.` as `separator`).
fn grouped(number: u64, separator: &str) -> String {
    let digits = number.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (at, digit) in digits.chars().enumerate() {
        if at > 0 && (digits.len() - at).is_multiple_of(3) {
            out.push_str(separator);
        }
        out.push(digit);
    }
    out
}

/// Fetches the proofs, checks them against what this browser kept (unless `anew`), and keeps
/// what it verified. A failed check keeps what was kept before.
#[cfg(feature = "hydrate")]
async fn run(person: String, acting_for: Option<String>, keys: LogKeys, shown: Vec<ShownEntry>, anew: bool) -> Outcome {
    use crate::log_proof::Remembered;

    let storage = window().local_storage().ok().flatten();
    let remembered: Option<Remembered> = storage
        .as_ref()
        .filter(|_| !anew)
        .and_then(|storage| storage.get_item(STORAGE_KEY).ok().flatten())
        .and_then(|text| serde_json::from_str(&text).ok());
    let since = remembered.as_ref().and_then(Remembered::tree_size);
    let Ok(proofs) = crate::api::access_log_proofs(acting_for, since).await else { return Outcome::Failed };
    let an_hour_ago = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(js_sys::Date::now() - 3_600_000.0));
    let overdue_before: String = an_hour_ago.to_iso_string().into();
    let clock = window().performance();
    let started = clock.as_ref().map_or(0.0, web_sys::Performance::now);
    let checked = crate::log_proof::check(&keys, &person, &shown, &proofs, remembered.as_ref(), &overdue_before);
    let took = clock.as_ref().map_or(0.0, web_sys::Performance::now) - started;
    match checked {
        Ok(verified) => {
            if let (Some(storage), Ok(text)) = (storage, serde_json::to_string(&verified.remember)) {
                // A browser that keeps nothing only loses the comparison with the next visit.
                let _ = storage.set_item(STORAGE_KEY, &text);
            }
            Outcome::Verified(verified, took)
        }
        Err(finding) => {
            let evidence = serde_json::json!({
                "found": finding,
                "checked_at": String::from(js_sys::Date::new_0().to_iso_string()),
                "keys": keys,
                "person": person,
                "shown": shown,
                "proofs": proofs,
                "remembered": remembered,
            });
            Outcome::Alarm(finding, serde_json::to_string_pretty(&evidence).unwrap_or_default())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(grouped(4_102_331, "."), "4.102.331");
        assert_eq!(grouped(999, "."), "999");
        assert_eq!(grouped(1_000, ","), "1,000");
        assert_eq!(grouped(0, "."), "0");
    }

    #[test]
    fn evidence_addresses_are_percent_encoded() {
        assert_eq!(encode_component("{\"a\": 1}\n"), "%7B%22a%22%3A%201%7D%0A");
    }
}
