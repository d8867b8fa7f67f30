//! The administrators' page for consent templates: per benefit type the published version, its
//! history, and the draft being edited — the introduction, the categories the law requires,
//! the optional sharings — with the differences to the published version shown before it is
//! published. Plain forms that work without JavaScript.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    admin::{CategoryView, LONGEST_SHARING_DAYS, OfficeView, TemplateChange, TemplateVersionView, TemplateView, template_changes},
    api::{
        ADMIN_PATH, DiscardTemplateDraft, PublishTemplate, RemoveOptionalSharing, RemoveRequiredCategory, SaveOptionalSharing,
        SaveRequiredCategory, SaveTemplateTexts, StartTemplateDraft, TemplatesOverview, consent_templates,
    },
    components::{
        admin_form::{error_summary, refused},
        error_summary::Sent,
        guarded::Guarded,
        page_title::page_title,
        text_area::area_text,
    },
    i18n::*,
    url::format_timestamp,
};

/// What to fix in `field`, in plain words.
fn problem(i18n: I18nContext<Locale>, field: &str) -> &'static str {
    match field {
        "intro_de" | "intro_en" => t_string!(i18n, templates.problem_intro),
        "category" => t_string!(i18n, templates.problem_category),
        "office" => t_string!(i18n, templates.problem_office),
        "legal_basis" => t_string!(i18n, templates.problem_legal_basis),
        "explanation_de" | "explanation_en" => t_string!(i18n, templates.problem_explanation),
        "purpose_de" | "purpose_en" => t_string!(i18n, templates.problem_purpose),
        "max_validity_days" => t_string!(i18n, templates.problem_days),
        "required" => t_string!(i18n, templates.problem_required),
        "confirmed" => t_string!(i18n, templates.problem_confirmed),
        "version" | "changes" => t_string!(i18n, templates.problem_version),
        _ => t_string!(i18n, templates.problem_other),
    }
}

/// The server actions of the page, handed to each template's forms.
#[derive(Clone, Copy)]
struct Actions {
    start: ServerAction<StartTemplateDraft>,
    texts: ServerAction<SaveTemplateTexts>,
    required: ServerAction<SaveRequiredCategory>,
    remove_required: ServerAction<RemoveRequiredCategory>,
    sharing: ServerAction<SaveOptionalSharing>,
    remove_sharing: ServerAction<RemoveOptionalSharing>,
    discard: ServerAction<DiscardTemplateDraft>,
    publish: ServerAction<PublishTemplate>,
}

/// Names of categories and offices in the page's language.
#[derive(Clone)]
struct Names {
    german: bool,
    categories: Vec<CategoryView>,
    offices: Vec<OfficeView>,
}

impl Names {
    fn category(&self, code: &str) -> String {
        self.categories
            .iter()
            .find(|category| category.code == code)
            .map(|category| category.name.pick(self.german).to_owned())
            .unwrap_or_else(|| code.to_owned())
    }

    fn office(&self, code: &str) -> String {
        self.offices
            .iter()
            .find(|office| office.code == code)
            .map(|office| office.name.pick(self.german).to_owned())
            .unwrap_or_else(|| code.to_owned())
    }
}

fn basis_text(i18n: I18nContext<Locale>, basis: &str) -> &'static str {
    match basis {
        "art_9_2_a" => t_string!(i18n, apply.basis_art_9_2_a),
        _ => t_string!(i18n, apply.basis_art_6_1_a),
    }
}

/// One difference in words.
fn change_text(i18n: I18nContext<Locale>, names: &Names, change: &TemplateChange) -> String {
    let sharing = |category: &str, office: &str| format!("{} → {}", names.category(category), names.office(office));
    match change {
        TemplateChange::IntroChanged => t_string!(i18n, templates.change_intro).to_owned(),
        TemplateChange::RequiredAdded(category) => format!("{} {}", t_string!(i18n, templates.change_required_added), names.category(category)),
        TemplateChange::RequiredRemoved(category) => format!("{} {}", t_string!(i18n, templates.change_required_removed), names.category(category)),
        TemplateChange::RequiredChanged(category) => format!("{} {}", t_string!(i18n, templates.change_required_changed), names.category(category)),
        TemplateChange::SharingAdded(category, office) => format!("{} {}", t_string!(i18n, templates.change_sharing_added), sharing(category, office)),
        TemplateChange::SharingRemoved(category, office) => format!("{} {}", t_string!(i18n, templates.change_sharing_removed), sharing(category, office)),
        TemplateChange::SharingChanged(category, office) => format!("{} {}", t_string!(i18n, templates.change_sharing_changed), sharing(category, office)),
    }
}

/// What a version says: the introduction, the required categories, the optional sharings.
/// On a draft, each line can be taken out.
fn version_body(i18n: I18nContext<Locale>, names: &Names, version: &TemplateVersionView, actions: Option<Actions>) -> impl IntoView + use<> {
    let german = names.german;
    let intro = version.intro.pick(german).to_owned();
    let required = version
        .required
        .iter()
        .map(|required| {
            let name = names.category(&required.category);
            let explanation = required.explanation.pick(german).to_owned();
            let remove = actions.map(|actions| {
                let (version, category, hidden) = (version.id.clone(), required.category.clone(), name.clone());
                view! {
                    <ActionForm action=actions.remove_required>
                        <input type="hidden" name="version" value=version />
                        <input type="hidden" name="category" value=category />
                        <button type="submit" class="button button--secondary">{t!(i18n, templates.remove)}<span class="visually-hidden">" " {hidden}</span></button>
                    </ActionForm>
                }
            });
            view! { <tr><td>{name}</td><td>{required.legal_basis.clone()}</td><td>{explanation}</td><td>{remove}</td></tr> }
        })
        .collect_view();
    let optional = version
        .optional
        .iter()
        .map(|sharing| {
            let category = names.category(&sharing.category);
            let office = names.office(&sharing.office);
            let purpose = sharing.purpose.pick(german).to_owned();
            let remove = actions.map(|actions| {
                let (version, category_code, office_code) = (version.id.clone(), sharing.category.clone(), sharing.office.clone());
                let hidden = format!("{category} → {office}");
                view! {
                    <ActionForm action=actions.remove_sharing>
                        <input type="hidden" name="version" value=version />
                        <input type="hidden" name="category" value=category_code />
                        <input type="hidden" name="office" value=office_code />
                        <button type="submit" class="button button--secondary">{t!(i18n, templates.remove)}<span class="visually-hidden">" " {hidden}</span></button>
                    </ActionForm>
                }
            });
            view! {
                <tr>
                    <td>{category.clone()}</td>
                    <td>{office.clone()}</td>
                    <td>{purpose}</td>
                    <td>{basis_text(i18n, &sharing.legal_basis)}</td>
                    <td class="numeric">{sharing.max_validity_days}</td>
                    <td>{remove}</td>
                </tr>
            }
        })
        .collect_view();
    let no_optional = version.optional.is_empty();
    view! {
        <h4>{t!(i18n, templates.intro)}</h4>
        <p>{intro}</p>
        <h4>{t!(i18n, templates.required_heading)}</h4>
        <div class="table-wrapper">
            <table class="table">
                <thead><tr>
                    <th scope="col">{t!(i18n, templates.category)}</th>
                    <th scope="col">{t!(i18n, templates.legal_basis)}</th>
                    <th scope="col">{t!(i18n, templates.explanation)}</th>
                    <th scope="col"><span class="visually-hidden">{t!(i18n, templates.remove)}</span></th>
                </tr></thead>
                <tbody>{required}</tbody>
            </table>
        </div>
        <h4>{t!(i18n, templates.optional_heading)}</h4>
        {if no_optional {
            view! { <p>{t!(i18n, templates.no_optional)}</p> }.into_any()
        } else {
            view! {
                <div class="table-wrapper">
                    <table class="table">
                        <thead><tr>
                            <th scope="col">{t!(i18n, templates.category)}</th>
                            <th scope="col">{t!(i18n, templates.office)}</th>
                            <th scope="col">{t!(i18n, templates.purpose)}</th>
                            <th scope="col">{t!(i18n, templates.legal_basis)}</th>
                            <th scope="col">{t!(i18n, templates.max_days)}</th>
                            <th scope="col"><span class="visually-hidden">{t!(i18n, templates.remove)}</span></th>
                        </tr></thead>
                        <tbody>{optional}</tbody>
                    </table>
                </div>
            }
            .into_any()
        }}
    }
}

/// The category choices of a form, the one `sent` chosen.
fn category_options(names: &Names, sent: &Sent) -> impl IntoView + use<> {
    names
        .categories
        .iter()
        .map(|category| {
            let name = category.name.pick(names.german).to_owned();
            view! { <option value=category.code.clone() selected=sent.selected("category", &category.code, false)>{name}</option> }
        })
        .collect_view()
}

/// The ids of a draft's form fields: `prefix` keeps the drafts of several templates apart.
fn field_id(prefix: &str, draft: &TemplateVersionView, field: &str) -> String {
    format!("{prefix}-{}-{field}", draft.id)
}

/// The form that changes a draft's introduction.
fn texts_form(i18n: I18nContext<Locale>, draft: &TemplateVersionView, actions: Actions) -> impl IntoView + use<> {
    let (de, en) = (field_id("einleitung", draft, "de"), field_id("einleitung", draft, "en"));
    let sent = Sent::to::<SaveTemplateTexts>().for_item("version", &draft.id);
    let (version, intro_de, intro_en) = (draft.id.clone(), sent.text("intro_de", &draft.intro.de), sent.text("intro_en", &draft.intro.en));
    view! {
        <details>
            <summary>{t!(i18n, templates.edit_intro)}</summary>
            <ActionForm action=actions.texts>
                <input type="hidden" name="version" value=version />
                <div class="form-group">
                    <label for=de.clone()>{t!(i18n, templates.intro_de)}</label>
                    <textarea id=de name="intro_de" rows="4">{area_text(intro_de)}</textarea>
                </div>
                <div class="form-group">
                    <label for=en.clone()>{t!(i18n, templates.intro_en)}</label>
                    <textarea id=en name="intro_en" rows="4">{area_text(intro_en)}</textarea>
                </div>
                <button type="submit" class="button">{t!(i18n, templates.save)}</button>
            </ActionForm>
        </details>
    }
}

/// The form that adds a required category to a draft, or changes one.
fn required_form(i18n: I18nContext<Locale>, names: &Names, draft: &TemplateVersionView, actions: Actions) -> impl IntoView + use<> {
    let id = |field: &str| field_id("pflicht", draft, field);
    let (category, basis, hint, de, en) = (id("kategorie"), id("grundlage"), id("grundlage-hinweis"), id("de"), id("en"));
    let sent = Sent::to::<SaveRequiredCategory>().for_item("version", &draft.id);
    let categories = category_options(names, &sent);
    let version = draft.id.clone();
    view! {
        <details>
            <summary>{t!(i18n, templates.add_required)}</summary>
            <p class="hint">{t!(i18n, templates.add_required_hint)}</p>
            <ActionForm action=actions.required>
                <input type="hidden" name="version" value=version />
                <div class="form-group">
                    <label for=category.clone()>{t!(i18n, templates.category)}</label>
                    <select id=category name="category">{categories}</select>
                </div>
                <div class="form-group">
                    <label for=basis.clone()>{t!(i18n, templates.legal_basis)}</label>
                    <span class="hint" id=hint.clone()>{t!(i18n, templates.legal_basis_hint)}</span>
                    <input type="text" id=basis name="legal_basis" value=sent.text("legal_basis", "") aria-describedby=hint />
                </div>
                <div class="form-group">
                    <label for=de.clone()>{t!(i18n, templates.explanation_de)}</label>
                    <textarea id=de name="explanation_de" rows="2">{area_text(sent.text("explanation_de", ""))}</textarea>
                </div>
                <div class="form-group">
                    <label for=en.clone()>{t!(i18n, templates.explanation_en)}</label>
                    <textarea id=en name="explanation_en" rows="2">{area_text(sent.text("explanation_en", ""))}</textarea>
                </div>
                <button type="submit" class="button">{t!(i18n, templates.save)}</button>
            </ActionForm>
        </details>
    }
}

/// The form that adds an optional sharing to a draft, or changes one.
fn sharing_form(i18n: I18nContext<Locale>, names: &Names, draft: &TemplateVersionView, actions: Actions) -> impl IntoView + use<> {
    let id = |field: &str| field_id("freigabe", draft, field);
    let (category, office, purpose_de, purpose_en) = (id("kategorie"), id("amt"), id("zweck-de"), id("zweck-en"));
    let (days, hint, de, en) = (id("tage"), id("tage-hinweis"), id("de"), id("en"));
    let sent = Sent::to::<SaveOptionalSharing>().for_item("version", &draft.id);
    let categories = category_options(names, &sent);
    let offices = names
        .offices
        .iter()
        .filter(|office| office.active)
        .map(|office| {
            let name = office.name.pick(names.german).to_owned();
            view! { <option value=office.code.clone() selected=sent.selected("office", &office.code, false)>{name}</option> }
        })
        .collect_view();
    let version = draft.id.clone();
    view! {
        <details>
            <summary>{t!(i18n, templates.add_sharing)}</summary>
            <p class="hint">{t!(i18n, templates.add_sharing_hint)}</p>
            <ActionForm action=actions.sharing>
                <input type="hidden" name="version" value=version />
                <div class="form-group">
                    <label for=category.clone()>{t!(i18n, templates.category)}</label>
                    <select id=category name="category">{categories}</select>
                </div>
                <div class="form-group">
                    <label for=office.clone()>{t!(i18n, templates.office)}</label>
                    <select id=office name="office">{offices}</select>
                </div>
                <div class="form-group">
                    <label for=purpose_de.clone()>{t!(i18n, templates.purpose_de)}</label>
                    <input type="text" id=purpose_de name="purpose_de" value=sent.text("purpose_de", "") />
                </div>
                <div class="form-group">
                    <label for=purpose_en.clone()>{t!(i18n, templates.purpose_en)}</label>
                    <input type="text" id=purpose_en name="purpose_en" value=sent.text("purpose_en", "") />
                </div>
                <div class="form-group">
                    <label for=days.clone()>{t!(i18n, templates.max_days)}</label>
                    <span class="hint" id=hint.clone()>{t!(i18n, templates.max_days_hint, max = LONGEST_SHARING_DAYS)}</span>
                    <input type="text" inputmode="numeric" class="input--short" id=days name="max_validity_days" value=sent.text("max_validity_days", "") aria-describedby=hint />
                </div>
                <div class="form-group">
                    <label for=de.clone()>{t!(i18n, templates.explanation_de)}</label>
                    <textarea id=de name="explanation_de" rows="2">{area_text(sent.text("explanation_de", ""))}</textarea>
                </div>
                <div class="form-group">
                    <label for=en.clone()>{t!(i18n, templates.explanation_en)}</label>
                    <textarea id=en name="explanation_en" rows="2">{area_text(sent.text("explanation_en", ""))}</textarea>
                </div>
                <button type="submit" class="button">{t!(i18n, templates.save)}</button>
            </ActionForm>
        </details>
    }
}

/// The differences to the published version, and the forms that publish or discard the draft.
fn publish_forms(i18n: I18nContext<Locale>, names: &Names, template: &TemplateView, draft: &TemplateVersionView, actions: Actions) -> impl IntoView + use<> {
    let published = template.published();
    let changes = template_changes(published, draft);
    let widens = changes.iter().any(TemplateChange::widens);
    let changes_json = serde_json::to_string(&changes).unwrap_or_default();
    let items = changes
        .iter()
        .map(|change| {
            let class = if change.widens() { "change change--widens" } else { "change" };
            view! { <li class=class>{change_text(i18n, names, change)}</li> }
        })
        .collect_view();
    let compared = published.map(|published| published.version).unwrap_or_default();
    let nothing = changes.is_empty();
    let (publish_version, discard_version) = (draft.id.clone(), draft.id.clone());
    let confirm_id = format!("veroeffentlichen-{}", draft.id);
    let discard_id = format!("verwerfen-{}", draft.id);
    let heading_id = format!("unterschiede-{}", draft.id);
    let publishing = Sent::to::<PublishTemplate>().for_item("version", &draft.id);
    let discarding = Sent::to::<DiscardTemplateDraft>().for_item("version", &draft.id);
    view! {
        <section aria-labelledby=heading_id.clone()>
            <h4 id=heading_id.clone()>{t!(i18n, templates.changes_heading, version = compared)}</h4>
            {if nothing {
                view! { <p>{t!(i18n, templates.no_changes)}</p> }.into_any()
            } else {
                view! { <ul class="list">{items}</ul> }.into_any()
            }}
            {widens.then(|| view! { <p class="notice notice--warning">{t!(i18n, templates.widens_note)}</p> })}
            <ActionForm action=actions.publish>
                <input type="hidden" name="version" value=publish_version />
                <input type="hidden" name="changes" value=changes_json />
                <div class="choice">
                    <input type="checkbox" id=confirm_id.clone() name="confirmed" value="ja" checked=publishing.checked("confirmed", "ja", false) />
                    <label for=confirm_id>{t!(i18n, templates.publish_confirm)}</label>
                </div>
                <button type="submit" class="button">{t!(i18n, templates.publish)}</button>
            </ActionForm>
            <details>
                <summary>{t!(i18n, templates.discard)}</summary>
                <ActionForm action=actions.discard>
                    <input type="hidden" name="version" value=discard_version />
                    <div class="choice">
                        <input type="checkbox" id=discard_id.clone() name="confirmed" value="ja" checked=discarding.checked("confirmed", "ja", false) />
                        <label for=discard_id>{t!(i18n, templates.discard_confirm)}</label>
                    </div>
                    <button type="submit" class="button button--danger">{t!(i18n, templates.discard)}</button>
                </ActionForm>
            </details>
        </section>
    }
}

fn template_section(i18n: I18nContext<Locale>, names: &Names, template: TemplateView, actions: Actions) -> impl IntoView + use<> {
    let german = names.german;
    let anchor = format!("vorlage-{}", template.benefit);
    let name = template.benefit_name.pick(german).to_owned();
    let office = names.office(&template.office);
    let published = template.published().cloned();
    let draft = template.draft().cloned();
    let state = match &published {
        Some(published) => {
            let (version, since) = (published.version, published.published_at.as_deref().map(|at| format_timestamp(at, german)).unwrap_or_default());
            view! { <p>{t!(i18n, templates.published_state, version, since = move || since.clone())}</p> }.into_any()
        }
        None => view! { <p>{t!(i18n, templates.none_published)}</p> }.into_any(),
    };
    let published_body = published.as_ref().map(|published| {
        let version = published.version;
        let body = version_body(i18n, names, published, None);
        view! {
            <details>
                <summary>{t!(i18n, templates.show_published, version)}</summary>
                {body}
            </details>
        }
    });
    let draft_part = match &draft {
        Some(draft) => {
            let version = draft.version;
            let body = version_body(i18n, names, draft, Some(actions));
            let forms = (texts_form(i18n, draft, actions), required_form(i18n, names, draft, actions), sharing_form(i18n, names, draft, actions));
            let publish = publish_forms(i18n, names, &template, draft, actions);
            view! {
                <div class="draft">
                    <h3>{t!(i18n, templates.draft_heading, version)}</h3>
                    {body}
                    {forms}
                    {publish}
                </div>
            }
            .into_any()
        }
        None => {
            let (benefit, hidden) = (template.benefit.clone(), name.clone());
            view! {
                <ActionForm action=actions.start>
                    <input type="hidden" name="benefit" value=benefit />
                    <button type="submit" class="button">{t!(i18n, templates.start_draft)}<span class="visually-hidden">" " {hidden}</span></button>
                </ActionForm>
            }
            .into_any()
        }
    };
    let history = template
        .versions
        .iter()
        .filter(|version| version.status == "published")
        .map(|version| {
            let (number, at) = (version.version, version.published_at.as_deref().map(|at| format_timestamp(at, german)).unwrap_or_default());
            view! { <li>{t!(i18n, templates.history_item, version = number, since = move || at.clone())}</li> }
        })
        .collect_view();
    view! {
        <section aria-labelledby=anchor.clone() class="case-section">
            <h2 id=anchor.clone()>{name}</h2>
            <p>{t!(i18n, templates.office_line, office = move || office.clone())}</p>
            {state}
            {published_body}
            {draft_part}
            <h3>{t!(i18n, templates.history_heading)}</h3>
            <ul class="list">{history}</ul>
        </section>
    }
}

#[component]
pub fn TemplatesPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let actions = Actions {
        start: ServerAction::new(),
        texts: ServerAction::new(),
        required: ServerAction::new(),
        remove_required: ServerAction::new(),
        sharing: ServerAction::new(),
        remove_sharing: ServerAction::new(),
        discard: ServerAction::new(),
        publish: ServerAction::new(),
    };
    let key = move || {
        let versions = [
            actions.start.version().get(),
            actions.texts.version().get(),
            actions.required.version().get(),
            actions.remove_required.version().get(),
            actions.sharing.version().get(),
            actions.remove_sharing.version().get(),
            actions.discard.version().get(),
            actions.publish.version().get(),
        ];
        (query.read().get("erledigt"), versions)
    };
    let data = Resource::new(key, |_| consent_templates());
    let failed = move || {
        [
            actions.start.value().with(|value| refused(value.as_ref())),
            actions.texts.value().with(|value| refused(value.as_ref())),
            actions.required.value().with(|value| refused(value.as_ref())),
            actions.remove_required.value().with(|value| refused(value.as_ref())),
            actions.sharing.value().with(|value| refused(value.as_ref())),
            actions.remove_sharing.value().with(|value| refused(value.as_ref())),
            actions.discard.value().with(|value| refused(value.as_ref())),
            actions.publish.value().with(|value| refused(value.as_ref())),
        ]
        .into_iter()
        .flatten()
        .next()
    };

    view! {
        <Title text=page_title(move || t_string!(i18n, templates.page_title)) />
        <Guarded
            data=data
            sign_in_path="/verwaltung"
            render=Arc::new(move |overview: TemplatesOverview| {
                let german = i18n.get_locale_untracked() == Locale::de;
                let query = query.read_untracked();
                let count = |key: &str| query.get(key).and_then(|count| count.parse::<u64>().ok()).unwrap_or_default();
                let (moved, asked) = (count("uebernommen"), count("gefragt"));
                let done = query.get("erledigt").and_then(|done| {
                    Some(match done.as_str() {
                        "entwurf" => view! { {t!(i18n, templates.done_draft)} }.into_any(),
                        "texte" => view! { {t!(i18n, templates.done_texts)} }.into_any(),
                        "pflicht" | "pflicht-entfernt" | "freigabe" | "freigabe-entfernt" => {
                            view! { {t!(i18n, templates.done_changed)} }.into_any()
                        }
                        "verworfen" => view! { {t!(i18n, templates.done_discarded)} }.into_any(),
                        "veroeffentlicht" => view! { {t!(i18n, templates.done_published, moved, asked)} }.into_any(),
                        _ => return None,
                    })
                });
                let names = Names { german, categories: overview.categories.clone(), offices: overview.offices.clone() };
                let sections = overview
                    .templates
                    .into_iter()
                    .map(|template| template_section(i18n, &names, template, actions))
                    .collect_view();
                view! {
                    <div class="container container--wide">
                        {done.map(|text| view! { <div class="notice" role="status"><p>{text}</p></div> })}
                        {move || failed().map(|field| error_summary(i18n, problem(i18n, &field)))}
                        <h1>{t!(i18n, templates.heading)}</h1>
                        <p class="lead">{t!(i18n, templates.lead)}</p>
                        <p><a href=ADMIN_PATH>{t!(i18n, templates.back)}</a></p>
                        {sections}
                    </div>
                }
                .into_any()
            })
        />
    }
}
