//! Finding who a message mentions and which hashtags it carries.

use std::collections::BTreeSet;

use crate::app::mention_index::MentionIndex;
use crate::store::posts::MentionInfo;

/// Words a message mentions: `@name` tokens (lower-cased, trailing punctuation dropped) and the
/// channel-wide keywords.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ParsedMentions {
    pub usernames: BTreeSet<String>,
    pub channel_wide: bool,
    pub here: bool,
    /// Every lower-cased word, for custom mention keys.
    pub words: BTreeSet<String>,
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_'
}

pub fn parse(message: &str) -> ParsedMentions {
    let mut parsed = ParsedMentions::default();
    for raw in message.split(|c: char| c.is_whitespace() || ",;:!?()[]{}\"'<>".contains(c)) {
        let word = raw.trim_end_matches(['.', '-', '_']);
        if word.is_empty() {
            continue;
        }
        parsed.words.insert(word.to_lowercase());
        if let Some(name) = word.strip_prefix('@') {
            let name: String = name
                .chars()
                .take_while(|c| is_name_char(*c))
                .collect::<String>()
                .to_lowercase();
            let name = name.trim_end_matches(['.', '-', '_']).to_string();
            match name.as_str() {
                "" => {}
                "channel" | "all" => parsed.channel_wide = true,
                "here" => parsed.here = true,
                _ => {
                    parsed.usernames.insert(name);
                }
            }
        }
    }
    parsed
}

/// Channel members the message mentions (see [`MentionIndex::mentioned`]); for one-off
/// checks, the post path uses a cached index.
pub fn mentioned_members(
    parsed: &ParsedMentions,
    members: &[MentionInfo],
    author_id: &str,
    channel_mentions_allowed: bool,
    online: &BTreeSet<String>,
) -> Vec<String> {
    MentionIndex::build(members).mentioned(parsed, author_id, channel_mentions_allowed, online)
}

/// Space-separated `#hashtags` of a message, as Mattermost stores them.
pub fn hashtags(message: &str) -> String {
    let mut tags: Vec<String> = Vec::new();
    for raw in message.split(|c: char| c.is_whitespace() || ",;!?()[]{}\"'<>".contains(c)) {
        let Some(tag) = raw.strip_prefix('#') else {
            continue;
        };
        let tag = tag.trim_end_matches(['.', ':', '-', '_']);
        let valid = tag.chars().count() >= 2
            && tag.chars().next().is_some_and(|c| c.is_alphabetic())
            && tag
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == '.');
        let tag = format!("#{tag}");
        if valid && !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    tags.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(id: &str, username: &str, mention_keys: &str, ignore: bool) -> MentionInfo {
        MentionInfo {
            user_id: id.into(),
            username: username.into(),
            first_name: if username == "alice" {
                "Alice".into()
            } else {
                String::new()
            },
            user_notify_props: format!(
                r#"{{"mention_keys":"{mention_keys}","channel":"true","first_name":"true"}}"#
            ),
            channel_notify_props: format!(
                r#"{{"ignore_channel_mentions":"{}"}}"#,
                if ignore { "on" } else { "off" }
            ),
        }
    }

    #[test]
    fn parses_usernames_and_keywords() {
        let parsed = parse("hey @Bob.Smith, ask @all (and @here). email@x.com @carol.");
        assert!(parsed.usernames.contains("bob.smith"));
        assert!(parsed.usernames.contains("carol"));
        assert!(parsed.channel_wide && parsed.here);
        assert!(!parsed.usernames.contains("x.com"));
    }

    #[test]
    fn resolves_members() {
        let members = vec![
            member("1", "bob", "", false),
            member("2", "carol", "deploy", false),
            member("3", "dave", "", true),
            member("4", "alice", "", false),
        ];
        let found = mentioned_members(
            &parse("@bob the deploy broke"),
            &members,
            "4",
            true,
            &BTreeSet::new(),
        );
        assert_eq!(found, vec!["1", "2"]);
        let all = mentioned_members(
            &parse("@channel lunch"),
            &members,
            "4",
            true,
            &BTreeSet::new(),
        );
        assert_eq!(
            all,
            vec!["1", "2"],
            "dave ignores channel mentions; the author is skipped"
        );
        let denied = mentioned_members(
            &parse("@channel lunch"),
            &members,
            "4",
            false,
            &BTreeSet::new(),
        );
        assert!(denied.is_empty());
        let first_name =
            mentioned_members(&parse("alice, look"), &members, "1", true, &BTreeSet::new());
        assert_eq!(first_name, vec!["4"]);
    }

    #[test]
    fn here_reaches_only_online_members() {
        let members = vec![
            member("1", "bob", "", false),
            member("2", "carol", "", false),
        ];
        let online: BTreeSet<String> = ["2".to_string()].into();
        assert_eq!(
            mentioned_members(&parse("@here lunch?"), &members, "9", true, &online),
            vec!["2"]
        );
    }

    #[test]
    fn hashtags_are_collected_once() {
        assert_eq!(
            hashtags("#release and #release, #a #1x #ok-go."),
            "#release #ok-go"
        );
    }
}
