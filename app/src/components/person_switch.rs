//! The links between the people a citizen acts for (themselves and their minor children), on
//! the citizen's pages that show one person's data (`?fuer=`). Nothing when there is no one else.

use leptos::prelude::*;
use leptos_i18n::I18nContext;

use crate::{consent::PersonView, i18n::*, url::for_person};

/// One link per person to `path` for them; `shown` is marked as the current page, `label`
/// words each link from the person's name.
pub fn person_switch<V, L>(
    i18n: I18nContext<Locale>,
    people: Vec<PersonView>,
    shown: &str,
    path: &'static str,
    label: L,
) -> impl IntoView + use<V, L>
where
    V: IntoView + 'static,
    L: Fn(String) -> V + 'static,
{
    (people.len() > 1).then(|| {
        let links = people
            .into_iter()
            .map(|person| {
                let href = for_person(path, &person.id, person.is_self);
                let current = (person.id == shown).then_some("page");
                view! { <li><a href=href aria-current=current>{label(person.name)}</a></li> }
            })
            .collect_view();
        view! {
            <nav aria-label=move || t_string!(i18n, access.people_label)>
                <ul class="list">{links}</ul>
            </nav>
        }
    })
}
