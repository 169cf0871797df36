//! The Vakt scanning engine.
//!
//! Layout (one owner per module):
//! - [`extract`]: bytes of one file → a stream of [`extract::Event`]s (text segments with places and
//!   structural context, skipped members, error rows). Knows formats, never ID numbers.
//! - `detect`, `rules`, `categories`, `walk`, `cache`, `report`: candidates, scoring, rules file, the
//!   parallel walker, the rescan cache and the output formats. Know ID numbers, never formats.

pub mod cache;
pub mod categories;
pub mod cli;
pub mod detect;
pub mod extract;
#[cfg(feature = "fixtures")]
pub mod fixtures;
pub mod report;
pub mod rules;
pub mod scan;
pub mod terms;
pub mod text;
pub mod walk;
