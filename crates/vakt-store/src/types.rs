//! Column types shared by both engines.

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgTypeInfo, PgValueRef};
use sqlx::sqlite::{SqliteArgumentValue, SqliteTypeInfo, SqliteValueRef};
use sqlx::{Decode, Encode, Postgres, Sqlite, Type};
use time::OffsetDateTime;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;

/// A UTC timestamp. On SQLite it is TEXT with a fixed precision
/// (`YYYY-MM-DDTHH:MM:SS.ffffffZ`) so that text order is time order; on PostgreSQL a TIMESTAMPTZ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Ts(pub OffsetDateTime);

const FMT: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");

impl Ts {
    pub fn format(&self) -> String {
        let t = self.0.to_offset(time::UtcOffset::UTC);
        t.format(FMT).unwrap_or_else(|_| "0000-01-01T00:00:00.000000Z".into())
    }
}

impl From<OffsetDateTime> for Ts {
    fn from(t: OffsetDateTime) -> Self {
        Ts(t)
    }
}

impl Type<Sqlite> for Ts {
    fn type_info() -> SqliteTypeInfo {
        <String as Type<Sqlite>>::type_info()
    }
    fn compatible(ty: &SqliteTypeInfo) -> bool {
        <String as Type<Sqlite>>::compatible(ty)
    }
}

impl<'q> Encode<'q, Sqlite> for Ts {
    fn encode_by_ref(&self, buf: &mut Vec<SqliteArgumentValue<'q>>) -> Result<IsNull, BoxDynError> {
        <String as Encode<'q, Sqlite>>::encode(self.format(), buf)
    }
}

impl<'r> Decode<'r, Sqlite> for Ts {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        let s = <&str as Decode<'r, Sqlite>>::decode(value)?;
        let t = time::PrimitiveDateTime::parse(s, FMT)
            .map(|p| p.assume_utc())
            .or_else(|_| OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339))?;
        Ok(Ts(t))
    }
}

impl Type<Postgres> for Ts {
    fn type_info() -> PgTypeInfo {
        <OffsetDateTime as Type<Postgres>>::type_info()
    }
    fn compatible(ty: &PgTypeInfo) -> bool {
        <OffsetDateTime as Type<Postgres>>::compatible(ty)
    }
}

impl Encode<'_, Postgres> for Ts {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        <OffsetDateTime as Encode<'_, Postgres>>::encode_by_ref(&self.0, buf)
    }
}

impl<'r> Decode<'r, Postgres> for Ts {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(Ts(<OffsetDateTime as Decode<'r, Postgres>>::decode(value)?))
    }
}

pub(crate) fn ts(t: OffsetDateTime) -> Ts {
    Ts(t)
}
pub(crate) fn ots(t: Option<OffsetDateTime>) -> Option<Ts> {
    t.map(Ts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_timestamps_have_a_fixed_width_so_text_order_is_time_order() {
        let a = Ts(OffsetDateTime::UNIX_EPOCH + time::Duration::milliseconds(100));
        let b = Ts(OffsetDateTime::UNIX_EPOCH + time::Duration::milliseconds(150));
        assert_eq!(a.format(), "1970-01-01T00:00:00.100000Z");
        assert!(a.format() < b.format());
    }
}
