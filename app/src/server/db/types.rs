//! Column types that read and write the same on both backends: ids are `UUID` on PostgreSQL and
//! lowercase hyphenated text on SQLite; timestamps are `TIMESTAMPTZ` on PostgreSQL and fixed-width
//! RFC 3339 UTC text on SQLite (`2026-11-24T09:00:00.000000Z`), so text order is time order.

use std::marker::PhantomData;

use sqlx::{
    Decode, Encode, Postgres, Sqlite, Type,
    encode::IsNull,
    error::BoxDynError,
    postgres::{PgArgumentBuffer, PgTypeInfo, PgValueRef},
    sqlite::{SqliteArgumentValue, SqliteTypeInfo, SqliteValueRef},
};
use time::{OffsetDateTime, UtcOffset, format_description::FormatItem, macros::format_description};
use uuid::Uuid;

const SQLITE_TIMESTAMP: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");

/// A point in time, always UTC, stored to the microsecond.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct Timestamp(#[serde(with = "time::serde::rfc3339")] OffsetDateTime);

impl Timestamp {
    pub fn now() -> Self {
        Self::from(OffsetDateTime::now_utc())
    }

    pub fn as_offset_date_time(self) -> OffsetDateTime {
        self.0
    }

    /// RFC 3339, for JSON and the UI.
    pub fn to_rfc3339(self) -> String {
        self.0.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
    }

    /// The fixed-width text form (microseconds, `Z`): the same on both backends, for hashing.
    pub fn canonical(self) -> String {
        self.to_sqlite_text()
    }

    fn to_sqlite_text(self) -> String {
        self.0.format(SQLITE_TIMESTAMP).unwrap_or_default()
    }
}

impl From<OffsetDateTime> for Timestamp {
    fn from(value: OffsetDateTime) -> Self {
        let utc = value.to_offset(UtcOffset::UTC);
        // Microseconds: what PostgreSQL keeps, so a value reads back as it was written.
        let micros = utc.microsecond();
        Self(utc.replace_microsecond(micros).unwrap_or(utc))
    }
}

impl std::ops::Add<time::Duration> for Timestamp {
    type Output = Self;
    fn add(self, duration: time::Duration) -> Self {
        Self::from(self.0 + duration)
    }
}

impl std::ops::Sub<Timestamp> for Timestamp {
    type Output = time::Duration;
    fn sub(self, earlier: Timestamp) -> time::Duration {
        self.0 - earlier.0
    }
}

impl Type<Sqlite> for Timestamp {
    fn type_info() -> SqliteTypeInfo {
        <String as Type<Sqlite>>::type_info()
    }
}

impl<'q> Encode<'q, Sqlite> for Timestamp {
    fn encode_by_ref(&self, buffer: &mut Vec<SqliteArgumentValue<'q>>) -> Result<IsNull, BoxDynError> {
        <String as Encode<'q, Sqlite>>::encode(self.to_sqlite_text(), buffer)
    }
}

impl<'r> Decode<'r, Sqlite> for Timestamp {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        let text = <&str as Decode<'r, Sqlite>>::decode(value)?;
        let parsed = OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)?;
        Ok(Self::from(parsed))
    }
}

impl Type<Postgres> for Timestamp {
    fn type_info() -> PgTypeInfo {
        <OffsetDateTime as Type<Postgres>>::type_info()
    }
}

impl Encode<'_, Postgres> for Timestamp {
    fn encode_by_ref(&self, buffer: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        <OffsetDateTime as Encode<'_, Postgres>>::encode_by_ref(&self.0, buffer)
    }
}

impl<'r> Decode<'r, Postgres> for Timestamp {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(Self::from(<OffsetDateTime as Decode<'r, Postgres>>::decode(value)?))
    }
}

/// The id of one row of one kind of record (`Of` names the kind, see [`super::ids`]), so an
/// application's id cannot be passed where a citizen's is wanted. The same UUID on the wire,
/// in JSON and in both databases, whatever the kind.
///
/// A citizen's id fits where a citizen is asked for:
///
/// ```
/// use app::server::db::CitizenId;
/// fn data_of(_person: CitizenId) {}
/// data_of(CitizenId::new());
/// ```
///
/// An application's id does not, though both are UUIDs:
///
/// ```compile_fail,E0308
/// use app::server::db::{ApplicationId, CitizenId};
/// fn data_of(_person: CitizenId) {}
/// data_of(ApplicationId::new());
/// ```
pub struct Id<Of>(Uuid, PhantomData<fn() -> Of>);

impl<Of> Id<Of> {
    /// A new id, time-ordered (UUID v7) so new rows land at the end of their index.
    pub fn new() -> Self {
        Self::from_uuid(Uuid::now_v7())
    }

    pub fn parse(text: &str) -> Option<Self> {
        Uuid::parse_str(text).ok().map(Self::from_uuid)
    }

    pub fn as_uuid(self) -> Uuid {
        self.0
    }

    /// An id of this kind for `uuid`. Outside `db`, an id gets its kind where it is made, parsed
    /// or read, and keeps it: the only other change of kind is [`super::MixedId::of_kind`].
    pub(super) fn from_uuid(uuid: Uuid) -> Self {
        Self(uuid, PhantomData)
    }
}

// By hand rather than derived: a derive would ask the same of `Of`, which is only a name.
impl<Of> Clone for Id<Of> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<Of> Copy for Id<Of> {}

impl<Of> PartialEq for Id<Of> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl<Of> Eq for Id<Of> {}

impl<Of> PartialOrd for Id<Of> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl<Of> Ord for Id<Of> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.cmp(&other.0)
    }
}

impl<Of> std::hash::Hash for Id<Of> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl<Of> Default for Id<Of> {
    fn default() -> Self {
        Self::new()
    }
}

impl<Of> std::fmt::Debug for Id<Of> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.0, formatter)
    }
}

impl<Of> std::fmt::Display for Id<Of> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.hyphenated().fmt(formatter)
    }
}

impl<Of> serde::Serialize for Id<Of> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de, Of> serde::Deserialize<'de> for Id<Of> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Uuid::deserialize(deserializer).map(Self::from_uuid)
    }
}

impl<Of> Type<Sqlite> for Id<Of> {
    fn type_info() -> SqliteTypeInfo {
        <String as Type<Sqlite>>::type_info()
    }
}

impl<'q, Of> Encode<'q, Sqlite> for Id<Of> {
    fn encode_by_ref(&self, buffer: &mut Vec<SqliteArgumentValue<'q>>) -> Result<IsNull, BoxDynError> {
        <String as Encode<'q, Sqlite>>::encode(self.to_string(), buffer)
    }
}

impl<'r, Of> Decode<'r, Sqlite> for Id<Of> {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(Self::from_uuid(Uuid::parse_str(<&str as Decode<'r, Sqlite>>::decode(value)?)?))
    }
}

impl<Of> Type<Postgres> for Id<Of> {
    fn type_info() -> PgTypeInfo {
        <Uuid as Type<Postgres>>::type_info()
    }
}

impl<Of> Encode<'_, Postgres> for Id<Of> {
    fn encode_by_ref(&self, buffer: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        <Uuid as Encode<'_, Postgres>>::encode_by_ref(&self.0, buffer)
    }
}

impl<'r, Of> Decode<'r, Postgres> for Id<Of> {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(Self::from_uuid(<Uuid as Decode<'r, Postgres>>::decode(value)?))
    }
}
