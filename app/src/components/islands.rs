//! The only parts of the portal that run in the browser (Leptos islands).
//!
//! Every page is rendered on the server and works as plain links and forms: a form posts to its
//! server function, which sends the browser on to the next page or back with the refusal in the
//! address. The WebAssembly holds only what follows, so the first page loads little. An island
//! is hydrated on its own, without the page's context: it gets its texts as children, rendered
//! on the server in the reader's language.

use leptos::prelude::*;

mod log_check;
pub use log_check::{LogCheck, LogCheckTexts};

/// Tells styles and the browser tests that the page's islands are live: `data-hydrated` turns
/// `true` once the WebAssembly has run (effects run only in the browser).
#[island]
pub fn HydrationMark() -> impl IntoView {
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    view! { <span class="hydration-mark" hidden data-hydrated=move || hydrated.get().to_string()></span> }
}

/// A button that opens the browser's print dialogue (where the page can also be saved as a PDF),
/// with `children` as its text. It stays hidden until the script runs: without it the button
/// could do nothing, and the page says in words how to print.
#[island]
pub fn PrintButton(children: Children) -> impl IntoView {
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    view! {
        <button type="button" class="button button--secondary" hidden=move || !hydrated.get() on:click=move |_| print_page()>
            {children()}
        </button>
    }
}

/// Opens the browser's print dialogue.
fn print_page() {
    // Only ever called from a click, so in the browser.
    let _ = window().print();
}
