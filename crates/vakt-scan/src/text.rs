//! Words `vakt scan` shows to people: a [`Message`] is a key and its arguments, turned into text in the
//! user's language by a [`Text`] the caller supplies (the `vakt` binary looks keys up in its Fluent files,
//! `scan.ftl`). Each message also has English words of its own, used where no translation is found and in
//! the machine formats (JSON lines, CSV, SARIF), which carry the key as `error_code` so that tools need not
//! parse prose.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// An argument of a message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Arg {
    Number(f64),
    Text(String),
}

impl From<&str> for Arg {
    fn from(s: &str) -> Arg {
        Arg::Text(s.to_string())
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Arg {
        Arg::Text(s)
    }
}

impl From<u64> for Arg {
    fn from(n: u64) -> Arg {
        Arg::Number(n as f64)
    }
}

/// Looks messages up in the user's language.
pub trait Text: Sync {
    /// The message `key` with `args`, or `None` when there is no such message.
    fn text(&self, key: &str, args: &BTreeMap<String, Arg>) -> Option<String>;
}

/// No translations: every message in its own English words.
pub struct English;

impl Text for English {
    fn text(&self, _key: &str, _args: &BTreeMap<String, Arg>) -> Option<String> {
        None
    }
}

/// A message: a Fluent key (`scan-error-malformed`), its arguments and its English words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub key: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub args: BTreeMap<String, Arg>,
    pub english: String,
}

impl Message {
    pub fn new(key: &str, english: impl Into<String>) -> Message {
        Message {
            key: key.to_string(),
            args: BTreeMap::new(),
            english: english.into(),
        }
    }

    pub fn arg(mut self, name: &str, value: impl Into<Arg>) -> Message {
        self.args.insert(name.to_string(), value.into());
        self
    }

    /// The message in the language of `text`, or in English when it has no such message.
    pub fn render(&self, text: &dyn Text) -> String {
        text.text(&self.key, &self.args)
            .unwrap_or_else(|| self.english.clone())
    }
}

impl std::fmt::Display for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.english)
    }
}

/// Anything that can say what went wrong as a [`Message`].
pub trait Explain {
    fn message(&self) -> Message;
}
