//! The investigation checklist as data: the questions every investigation answers (was it an
//! intrusion? was law or an internal rule broken? was there serious disruption? consequences?
//! proposed measures?). Keys double as Fluent message ids in the web layer (`checklist-<key>`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The kind of answer a question takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "options")]
pub enum AnswerKind {
    /// yes / no / unknown
    YesNoUnknown,
    /// One of the listed option keys.
    Choice(&'static [&'static str]),
    /// Free text.
    Text,
}

/// One checklist question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Question {
    pub key: &'static str,
    pub kind: AnswerKind,
    /// Must be answered before the case moves on to measures.
    pub required: bool,
}

/// An answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum Answer {
    Yes,
    No,
    Unknown,
    Choice(String),
    Text(String),
}

/// Answers by question key.
pub type ChecklistAnswers = BTreeMap<String, Answer>;

/// The investigation checklist.
pub const INVESTIGATION_CHECKLIST: &[Question] = &[
    Question {
        key: "intrusion",
        kind: AnswerKind::Choice(&["none", "attempt", "succeeded", "unknown"]),
        required: true,
    },
    Question {
        key: "external_attack",
        kind: AnswerKind::YesNoUnknown,
        required: true,
    },
    Question {
        key: "accounts_involved",
        kind: AnswerKind::Text,
        required: false,
    },
    Question {
        key: "data_changed",
        kind: AnswerKind::YesNoUnknown,
        required: true,
    },
    Question {
        key: "malware_installed",
        kind: AnswerKind::YesNoUnknown,
        required: true,
    },
    Question {
        key: "law_or_rule_broken",
        kind: AnswerKind::YesNoUnknown,
        required: true,
    },
    Question {
        key: "which_law_or_rule",
        kind: AnswerKind::Text,
        required: false,
    },
    Question {
        key: "serious_disruption",
        kind: AnswerKind::Choice(&["caused", "possible", "no"]),
        required: true,
    },
    Question {
        key: "consequences",
        kind: AnswerKind::Text,
        required: true,
    },
    Question {
        key: "proposed_measures",
        kind: AnswerKind::Text,
        required: true,
    },
];

fn fits(kind: AnswerKind, answer: &Answer) -> bool {
    match (kind, answer) {
        (AnswerKind::YesNoUnknown, Answer::Yes | Answer::No | Answer::Unknown) => true,
        (AnswerKind::Choice(options), Answer::Choice(c)) => options.contains(&c.as_str()),
        (AnswerKind::Text, Answer::Text(t)) => !t.trim().is_empty(),
        _ => false,
    }
}

/// Keys of required questions without a fitting answer, in checklist order.
pub fn unanswered(questions: &[Question], answers: &ChecklistAnswers) -> Vec<&'static str> {
    questions
        .iter()
        .filter(|q| q.required && !answers.get(q.key).is_some_and(|a| fits(q.kind, a)))
        .map(|q| q.key)
        .collect()
}

/// Whether an answer is acceptable for a question key (unknown keys are refused).
pub fn accepts(questions: &[Question], key: &str, answer: &Answer) -> bool {
    questions
        .iter()
        .find(|q| q.key == key)
        .is_some_and(|q| fits(q.kind, answer))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete() -> ChecklistAnswers {
        let mut a = ChecklistAnswers::new();
        a.insert("intrusion".into(), Answer::Choice("attempt".into()));
        a.insert("external_attack".into(), Answer::Yes);
        a.insert("data_changed".into(), Answer::No);
        a.insert("malware_installed".into(), Answer::Unknown);
        a.insert("law_or_rule_broken".into(), Answer::No);
        a.insert("serious_disruption".into(), Answer::Choice("no".into()));
        a.insert(
            "consequences".into(),
            Answer::Text("Phishing mail reached 40 inboxes; no sign-ins.".into()),
        );
        a.insert(
            "proposed_measures".into(),
            Answer::Text("Block sender domain; awareness note.".into()),
        );
        a
    }

    #[test]
    fn a_complete_checklist_has_nothing_unanswered() {
        assert!(unanswered(INVESTIGATION_CHECKLIST, &complete()).is_empty());
    }

    #[test]
    fn blank_text_wrong_kind_and_unknown_options_count_as_unanswered() {
        let mut a = complete();
        a.insert("consequences".into(), Answer::Text("   ".into()));
        a.insert("external_attack".into(), Answer::Text("maybe".into()));
        a.insert("intrusion".into(), Answer::Choice("sort of".into()));
        assert_eq!(
            unanswered(INVESTIGATION_CHECKLIST, &a),
            vec!["intrusion", "external_attack", "consequences"]
        );
    }

    #[test]
    fn only_known_keys_with_fitting_answers_are_accepted() {
        assert!(accepts(
            INVESTIGATION_CHECKLIST,
            "data_changed",
            &Answer::Yes
        ));
        assert!(!accepts(
            INVESTIGATION_CHECKLIST,
            "data_changed",
            &Answer::Choice("yes".into())
        ));
        assert!(!accepts(
            INVESTIGATION_CHECKLIST,
            "favourite_colour",
            &Answer::Yes
        ));
    }
}
