//! Which office holds a record: what the guard asks before it mints a capability for a case,
//! a document or an emergency access, and the one thing about a record the gate keeps.
//!
//! The office that holds a record never changes: no statement updates an application's office,
//! a document's application or an emergency access's office, and an application never goes
//! back to being a draft. So a found holder is kept, and opening a case does not cost a round
//! trip before the gate's own transaction. What a kept holder lets through is only a capability;
//! every service that takes one checks the office and the status again in its own SQL, in the
//! transaction that reads or writes, and answers a record that has gone (past its retention)
//! like one that never was.

use std::{marker::PhantomData, sync::Mutex};

use hashlink::LruCache;
use uuid::Uuid;

use crate::{
    office::OfficeCode,
    server::db::{ApplicationId, DocumentId, EmergencyId, Id, MixedId, kind},
};

/// A record an office holds, named by its id (of kind `Of`), for the guard to find which office
/// that is and the id a capability for it names (of kind `Names`).
#[derive(Debug)]
pub struct Held<Of, Names> {
    pub(super) sql: &'static str,
    pub(super) id: Id<Of>,
    names: PhantomData<fn() -> Names>,
}

impl Held<kind::Application, kind::Application> {
    pub fn application(id: ApplicationId) -> Self {
        Self::by("SELECT office_code, id FROM applications WHERE id = $1 AND status <> 'draft'", id)
    }
}

impl Held<kind::Document, kind::Application> {
    /// A document handed in to an application, which names the application.
    pub fn document(id: DocumentId) -> Self {
        Self::by(
            "SELECT a.office_code, a.id FROM documents d JOIN applications a ON a.id = d.application_id \
             WHERE d.id = $1 AND a.status <> 'draft'",
            id,
        )
    }
}

impl Held<kind::Emergency, kind::Emergency> {
    pub fn emergency(id: EmergencyId) -> Self {
        Self::by("SELECT office_code, id FROM emergency_accesses WHERE id = $1", id)
    }
}

impl<Of, Names> Held<Of, Names> {
    fn by(sql: &'static str, id: Id<Of>) -> Self {
        Self { sql, id, names: PhantomData }
    }

    pub(super) fn key(&self) -> Key {
        (self.sql, self.id.as_uuid())
    }
}

/// What a holder is kept under: the record's look-up (one per kind) and its id.
pub(super) type Key = (&'static str, Uuid);

/// How many holders are kept: about 100 bytes each, so a megabyte at most.
const KEPT: usize = 10_000;

/// The holders found, the least recently asked forgotten first. Only found ones are kept: a
/// record that is not there (or still a draft) is looked up each time it is asked for.
pub(super) struct Holders {
    kept: Mutex<LruCache<Key, (OfficeCode, MixedId)>>,
}

impl Default for Holders {
    fn default() -> Self {
        Self::with_room(KEPT)
    }
}

impl Holders {
    fn with_room(room: usize) -> Self {
        Self { kept: Mutex::new(LruCache::new(room)) }
    }

    pub fn get(&self, key: &Key) -> Option<(OfficeCode, MixedId)> {
        self.kept.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(key).cloned()
    }

    pub fn keep(&self, key: Key, office: OfficeCode, id: MixedId) {
        self.kept.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(key, (office, id));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn office(code: &str) -> OfficeCode {
        OfficeCode::parse(code).expect("a code")
    }

    #[test]
    fn the_least_recently_asked_holder_is_forgotten_first() {
        let holders = Holders::with_room(2);
        let [first, second, third] = [(); 3].map(|()| Held::application(Id::new()));
        let id = MixedId::new();
        holders.keep(first.key(), office("jugendamt"), id);
        holders.keep(second.key(), office("sozialamt"), id);
        assert_eq!(holders.get(&first.key()), Some((office("jugendamt"), id)), "asked again, so kept longer");
        holders.keep(third.key(), office("wohngeldstelle"), id);
        assert_eq!(holders.get(&second.key()), None, "the least recently asked went");
        assert!(holders.get(&first.key()).is_some() && holders.get(&third.key()).is_some());
    }

    #[test]
    fn a_document_and_an_application_of_the_same_id_are_kept_apart() {
        let holders = Holders::default();
        let id = MixedId::new();
        let (application, document) = (Held::application(id.of_kind()), Held::document(id.of_kind()));
        holders.keep(application.key(), office("jugendamt"), id);
        assert_eq!(holders.get(&document.key()), None);
    }
}
