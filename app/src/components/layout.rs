//! The frame of every page: skip link, header with the portal's name and the language switch,
//! the main landmark, and the footer. Errors below it show the error page inside the frame.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::{
    api::who_am_i,
    auth::{ApiError, Me},
    components::{islands::HydrationMark, language_switch::LanguageSwitch, refusal::ErrorPage},
    i18n::*,
};

/// The signed-in person's name and the sign-out button (a plain form, so it works without
/// JavaScript; the server ends the session and, where it can, the provider's).
#[component]
fn SignedInBar(me: Resource<Result<Option<Me>, ApiError>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(me)) => view! {
                        <div class="signed-in">
                            <span class="signed-in__name">
                                {t!(i18n, layout.signed_in_as)} " " <strong>{me.display_name}</strong>
                            </span>
                            <form method="post" action="/abmelden">
                                <button type="submit" class="button button--secondary signed-in__sign-out">
                                    {t!(i18n, layout.sign_out)}
                                </button>
                            </form>
                        </div>
                    }
                    .into_any(),
                    _ => ().into_any(),
                }
            })}
        </Suspense>
    }
}

/// For staff, while the access log is behind the checkpoint its witness cosigned and no
/// operator has declared the gap: on every page, why no citizen's data opens.
#[component]
fn LogBehindBanner(me: Resource<Result<Option<Me>, ApiError>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(Me { log_behind: Some(entries), .. })) => view! {
                        <div class="notice notice--warning log-behind" role="alert">
                            <p>
                                <strong>{t!(i18n, layout.log_behind_heading)}</strong> " "
                                {t!(i18n, layout.log_behind, entries = move || entries.to_string())}
                            </p>
                        </div>
                    }
                    .into_any(),
                    _ => ().into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let i18n = use_i18n();
    let me = Resource::new(|| (), |_| who_am_i());

    view! {
        <div class="page">
            <HydrationMark />
            <a class="skip-link" href="#inhalt">{t!(i18n, layout.skip_link)}</a>
            <header class="site-header">
                <div class="site-header__inner">
                    <A href="/" attr:class="site-header__brand">
                        <span class="site-header__name">{t!(i18n, layout.portal_name)}</span>
                        <span class="site-header__tagline">{t!(i18n, layout.portal_tagline)}</span>
                    </A>
                    <div class="site-header__tools">
                        <SignedInBar me />
                        <LanguageSwitch />
                    </div>
                </div>
            </header>
            <main id="inhalt" class="site-main" tabindex="-1">
                <LogBehindBanner me />
                <ErrorBoundary fallback=|_errors| view! { <ErrorPage /> }>{children()}</ErrorBoundary>
            </main>
            <footer class="site-footer">
                <div class="site-footer__inner">
                    <p>{t!(i18n, layout.footer_privacy)}</p>
                    <p>{t!(i18n, layout.footer_operator)}</p>
                    <p><A href=crate::api::ACCESSIBILITY_PATH>{t!(i18n, layout.footer_accessibility)}</A></p>
                </div>
            </footer>
        </div>
    }
}
