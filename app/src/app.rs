//! The document shell and the router: which path shows which page.

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, provide_meta_context};
use leptos_router::{
    SsrMode,
    components::{Route, Router, Routes},
    path,
};

use crate::{
    components::{layout::Layout, refusal::NotFound},
    i18n::I18nContextProvider,
    pages::{
        accessibility::AccessibilityPage,
        admin::{benefits::BenefitsPage, start::AdministrationHome, templates::TemplatesPage},
        citizen::{
            application::ApplicationPage,
            apply::{ApplyStartPage, ApplyStepPage, CheckAnswersPage, ReceiptPage},
            consents::{ConsentCockpitPage, OfficeViewPage},
            my_data::{DataEditPage, MyDataPage},
            start::{CitizenHome, SessionsPage},
            transparency::AccessLogPage,
        },
        data_protection::start::DataProtectionHome,
        entrance::{AdminEntrance, CitizenEntrance, StaffEntrance},
        sign_in::{DemoSignIn, NoAccessPage, SignInFailed, SignedOut},
        staff::{
            case::StaffCasePage,
            emergency::{StaffEmergencyDataPage, StaffEmergencyPage},
            queue::StaffQueuePage,
            sharings::{StaffSharedDataPage, StaffSharingsPage},
            start::StaffHome,
        },
        start::StartPage,
    },
};

/// The HTML document around the application, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <AutoReload options=options.clone() />
                <HydrationScripts options islands=true />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The application: translations, layout and routes.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();

    view! {
        <Stylesheet id="klarsicht-style" href="/pkg/klarsicht.css" />
        <I18nContextProvider>
            <Router>
                <Layout>
                    // Every page renders once its data is there (SsrMode::Async): with out-of-order
                    // streaming, two resources resolving at once under <Suspense> left about one
                    // response in five hanging here (leptos-rs/leptos#4698, #4851).
                    <Routes fallback=NotFound>
                        <Route path=path!("/") view=StartPage ssr=SsrMode::Async />
                        <Route path=path!("/buerger") view=CitizenEntrance ssr=SsrMode::Async />
                        <Route path=path!("/mitarbeitende") view=StaffEntrance ssr=SsrMode::Async />
                        <Route path=path!("/verwaltung") view=AdminEntrance ssr=SsrMode::Async />
                        <Route path=path!("/anmelden/demo") view=DemoSignIn ssr=SsrMode::Async />
                        <Route path=path!("/abgemeldet") view=SignedOut ssr=SsrMode::Async />
                        <Route path=path!("/anmeldung-fehlgeschlagen") view=SignInFailed ssr=SsrMode::Async />
                        <Route path=path!("/kein-zugang") view=NoAccessPage ssr=SsrMode::Async />
                        <Route path=path!("/barrierefreiheit") view=AccessibilityPage ssr=SsrMode::Async />
                        // Guarded pages: rendered whole before sending, so a redirect to sign-in
                        // or a 403 reaches the browser before any content.
                        <Route path=path!("/buerger/start") view=CitizenHome ssr=SsrMode::Async />
                        <Route path=path!("/buerger/sitzungen") view=SessionsPage ssr=SsrMode::Async />
                        <Route path=path!("/buerger/zugriffe") view=AccessLogPage ssr=SsrMode::Async />
                        <Route path=path!("/buerger/daten") view=MyDataPage ssr=SsrMode::Async />
                        <Route path=path!("/buerger/daten/:category") view=DataEditPage ssr=SsrMode::Async />
                        <Route path=path!("/buerger/freigaben") view=ConsentCockpitPage ssr=SsrMode::Async />
                        <Route path=path!("/buerger/freigaben/amt/:office") view=OfficeViewPage ssr=SsrMode::Async />
                        <Route path=path!("/buerger/antrag") view=ApplyStartPage ssr=SsrMode::Async />
                        <Route path=path!("/buerger/antrag/schritt/:category") view=ApplyStepPage ssr=SsrMode::Async />
                        <Route path=path!("/buerger/antrag/pruefen") view=CheckAnswersPage ssr=SsrMode::Async />
                        <Route path=path!("/buerger/antrag/eingang") view=ReceiptPage ssr=SsrMode::Async />
                        <Route path=path!("/buerger/antraege/:id") view=ApplicationPage ssr=SsrMode::Async />
                        <Route path=path!("/mitarbeitende/start") view=StaffHome ssr=SsrMode::Async />
                        <Route path=path!("/mitarbeitende/warteschlange") view=StaffQueuePage ssr=SsrMode::Async />
                        <Route path=path!("/mitarbeitende/faelle/:id") view=StaffCasePage ssr=SsrMode::Async />
                        <Route path=path!("/mitarbeitende/freigaben") view=StaffSharingsPage ssr=SsrMode::Async />
                        <Route path=path!("/mitarbeitende/freigaben/ansehen") view=StaffSharedDataPage ssr=SsrMode::Async />
                        <Route path=path!("/mitarbeitende/notzugriffe") view=StaffEmergencyPage ssr=SsrMode::Async />
                        <Route path=path!("/mitarbeitende/notzugriffe/:id") view=StaffEmergencyDataPage ssr=SsrMode::Async />
                        <Route path=path!("/verwaltung/start") view=AdministrationHome ssr=SsrMode::Async />
                        <Route path=path!("/verwaltung/vorlagen") view=TemplatesPage ssr=SsrMode::Async />
                        <Route path=path!("/verwaltung/leistungen") view=BenefitsPage ssr=SsrMode::Async />
                        <Route path=path!("/datenschutz/start") view=DataProtectionHome ssr=SsrMode::Async />
                    </Routes>
                </Layout>
            </Router>
        </I18nContextProvider>
    }
}
