//! A channel's pull feed: the events of the orders it carries, paged by an opaque cursor that
//! never skips an event that committed late (see [`HORIZON`]), read with a channel's own token.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::app::App;
use crate::app::access::Actor;
use crate::app::error::ApiError;
pub use crate::store::channels::FeedRow;

/// How old a row must be, by the store's clock, before a reader sees it. Each row's `at` is taken
/// by its transaction's last statement, so every transaction commits within this of its rows'
/// `at`: a reader past a cursor can never have passed a row that commits later with an earlier
/// `at`. It is also what the feed lags behind the webhooks.
pub const HORIZON: Duration = Duration::from_secs(2);

/// A place in a feed: the last row read (its `at` and key). Written as `<nanoseconds>~<key>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    at: DateTime<Utc>,
    key: String,
}

impl Cursor {
    /// Right after `row`.
    pub fn after(row: &FeedRow) -> Cursor {
        Cursor { at: row.at, key: row.key.clone() }
    }

    /// Reads a cursor a page or an event gave out; anything else is `BAD_USER_INPUT`.
    pub fn parse(raw: &str) -> Result<Cursor, ApiError> {
        let bad = || ApiError::bad_input("after", "not a cursor this feed gave out");
        let (nanos, key) = raw.split_once('~').ok_or_else(bad)?;
        let nanos: i64 = nanos.parse().map_err(|_| bad())?;
        if key.is_empty() || key.len() > 200 || nanos < 0 {
            return Err(bad());
        }
        Ok(Cursor { at: DateTime::from_timestamp_nanos(nanos), key: key.to_owned() })
    }

    pub fn written(&self) -> String {
        format!("{}~{}", self.at.timestamp_nanos_opt().unwrap_or_default(), self.key)
    }
}

/// Whose feed `caller` reads when asking for `channel`: a channel token its own (naming it or
/// not), staff any channel they name.
pub async fn channel_of(app: &App, caller: &Actor, channel: Option<&str>) -> Result<String, ApiError> {
    let code = match caller {
        Actor::Channel { channel: own } if channel.is_none_or(|c| c == own) => own.clone(),
        Actor::Channel { .. } => return Err(ApiError::Forbidden),
        _ => {
            caller.require_staff()?;
            channel.ok_or_else(|| ApiError::bad_input("channel", "name the channel"))?.to_owned()
        }
    };
    if app.store().channel(&code).await?.is_none() {
        return Err(ApiError::NotFound("channel"));
    }
    Ok(code)
}

/// Up to `first` events of `channel`'s feed after `after` (from its start when none), oldest
/// first.
pub async fn page(
    app: &App,
    channel: &str,
    after: Option<&Cursor>,
    first: usize,
) -> Result<Vec<FeedRow>, ApiError> {
    let after = after.map(|c| (c.at, c.key.as_str()));
    Ok(app.store().channel_feed(channel, after, first, HORIZON).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_what_it_wrote_and_nothing_else() {
        let at = DateTime::from_timestamp_nanos(1_765_000_000_123_456_789);
        let cursor = Cursor { at, key: "ord_1#0000000002#amazon".into() };
        assert_eq!(Cursor::parse(&cursor.written()).unwrap(), cursor);
        for bad in ["", "~", "12", "x~ord", "12~", "-5~ord", &format!("1~{}", "k".repeat(201))] {
            assert!(Cursor::parse(bad).is_err(), "{bad:?}");
        }
    }
}
