//! The kinds of record an id can name (one per table whose rows have a UUID for an id, and two
//! for columns that hold ids of several kinds), and the id type of each: an `ApplicationId` is
//! an [`Id`] that only fits where an application is meant.

use super::types::Id;

macro_rules! id_kinds {
    ($($(#[$doc:meta])* $kind:ident => $alias:ident;)*) => {
        /// The kinds themselves: names only, no value of them exists.
        pub mod kind {
            $(
                $(#[$doc])*
                #[derive(Debug)]
                pub enum $kind {}
            )*
        }
        $(
            $(#[$doc])*
            pub type $alias = Id<kind::$kind>;
        )*
    };
}

id_kinds! {
    /// An application (`applications`): one case, as staff call it.
    Application => ApplicationId;
    /// A step in an application's history (`application_events`).
    ApplicationEvent => ApplicationEventId;
    /// A person with an account or in a parent's custody (`citizens`): a citizen or their child.
    Citizen => CitizenId;
    /// An uploaded document (`documents`).
    Document => DocumentId;
    /// A caseworker's request for a document (`document_requests`).
    DocumentRequest => DocumentRequestId;
    /// A message between a citizen and an office (`messages`).
    Message => MessageId;
    /// A caseworker's note on a case (`case_notes`).
    CaseNote => CaseNoteId;
    /// A consent a citizen gave (`consents`).
    Consent => ConsentId;
    /// A step in a consent's history (`consent_events`).
    ConsentEvent => ConsentEventId;
    /// A consent template (`consent_templates`).
    Template => TemplateId;
    /// One version of a consent template (`consent_template_versions`).
    TemplateVersion => TemplateVersionId;
    /// A sharing a template offers and the citizen may choose (`template_optional_sharings`).
    Sharing => SharingId;
    /// An emergency access (`emergency_accesses`).
    Emergency => EmergencyId;
    /// A protection flag (`protection_flags`).
    Flag => FlagId;
    /// A staff member (`staff_members`).
    Staff => StaffId;
    /// A change to staff or roles waiting for a second administrator (`pending_admin_changes`).
    PendingChange => PendingChangeId;
    /// An entry of the administration's audit (`admin_audit_log`).
    AuditEntry => AuditEntryId;
    /// A note on accessibility someone sent (`accessibility_feedback`).
    Feedback => FeedbackId;
    /// One run of the retention rules (`retention_runs`).
    RetentionRun => RetentionRunId;
    /// A citizen or a staff member, as a session names who is signed in (`session_records`,
    /// with the kind of person beside it).
    Account => AccountId;
    /// An id from a column that holds ids of several kinds, told apart by another column (the
    /// facts' `kind`): read as this, and named by [`MixedId::of_kind`] once that column is read.
    Mixed => MixedId;
    /// A signed-in session's record (`session_records`, keyed by this id as text).
    SessionRecord => SessionRecordId;
    /// An entry of the access log (`access_log`).
    LogEntry => LogEntryId;
    /// An access-log entry held back while an emergency access is deferred (`access_log_deferrals`).
    Deferral => DeferralId;
    /// A section of a benefit type's form (`form_sections`).
    Section => SectionId;
    /// A question in a form section (`form_questions`).
    Question => QuestionId;
}

impl<Of> Id<Of> {
    /// This id where a column holds ids of several kinds (the access log's basis, say).
    pub(in crate::server) fn mixed(self) -> MixedId {
        Id::from_uuid(self.as_uuid())
    }
}

impl MixedId {
    /// This id as the kind the row it was read with says it is. The one way to change an id's
    /// kind, for the server's own code that reads such a row.
    pub(in crate::server) fn of_kind<Of>(self) -> Id<Of> {
        Id::from_uuid(self.as_uuid())
    }
}

impl From<CitizenId> for AccountId {
    fn from(citizen: CitizenId) -> Self {
        Self::from_uuid(citizen.as_uuid())
    }
}

impl From<StaffId> for AccountId {
    fn from(staff: StaffId) -> Self {
        Self::from_uuid(staff.as_uuid())
    }
}
