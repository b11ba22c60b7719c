//! The acceptable-use page: the administrator's text (plain text or Markdown, with a text of its
//! own for each language that has one), its version (a digest of the whole text, audited with
//! each acceptance), and the text as blocks of plain words for the UI to draw (Markdown read by
//! pulldown-cmark; links, images and HTML become their words, so the page can neither navigate
//! nor run anything).
//!
//! The setting's form: the text for everyone, then optionally a line holding only a language
//! code in brackets (`[es]`) before each translation:
//!
//! ```text
//! # Using this computer
//! Be kind to the next person.
//!
//! [es]
//! # Uso de este ordenador
//! Sea amable con la próxima persona.
//! ```

use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use ts_rs::TS;

use crate::phrase::Phrase;

/// The longest text, all languages together.
pub const MAX_CHARS: usize = 20_000;

/// The administrator's text, split by language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The text for everyone without one of their own (may be empty when every language has
    /// its own).
    common: String,
    /// `(language, text)`, in the order written.
    translations: Vec<(String, String)>,
    version: String,
}

/// One block of the page, as the UI draws it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NoticeBlock {
    pub kind: BlockKind,
    pub spans: Vec<NoticeSpan>,
}

/// What a block is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum BlockKind {
    Heading,
    Paragraph,
    /// An item of a list (bulleted or numbered alike).
    Item,
}

/// A run of words with one emphasis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NoticeSpan {
    pub text: String,
    pub strong: bool,
    pub emphasis: bool,
}

/// The page in one language, ready to draw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NoticeText {
    /// The language it is written in; `None`: the text for everyone without one of their own.
    pub language: Option<String>,
    pub blocks: Vec<NoticeBlock>,
}

/// Whether `line` starts a translation (`[es]`, `[pt-BR]`): its language code.
fn marker(line: &str) -> Option<&str> {
    let code = line.trim().strip_prefix('[')?.strip_suffix(']')?;
    is_language_code(code).then_some(code)
}

/// Whether `code` is a language code as a translation is marked with: `es`, `pt-BR`.
pub fn is_language_code(code: &str) -> bool {
    let mut parts = code.split('-');
    let lang = parts.next().unwrap_or_default();
    (2..=3).contains(&lang.len())
        && lang.bytes().all(|b| b.is_ascii_lowercase())
        && parts.all(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

impl Notice {
    /// Reads the setting's value; `None` when it is empty (no page).
    pub fn parse(value: &str) -> Result<Option<Self>, Phrase> {
        if value.chars().count() > MAX_CHARS {
            return Err(
                Phrase::new("Use at most {max} characters.").number("max", MAX_CHARS as u64)
            );
        }
        if value
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
        {
            return Err(Phrase::new("Use no control characters."));
        }
        let mut common = String::new();
        let mut translations: Vec<(String, String)> = Vec::new();
        for line in value.lines() {
            if let Some(code) = marker(line) {
                if translations.iter().any(|(l, _)| l == code) {
                    return Err(Phrase::new("The language [{language}] is given twice.")
                        .text("language", code));
                }
                translations.push((code.to_owned(), String::new()));
                continue;
            }
            let text = translations.last_mut().map_or(&mut common, |(_, t)| t);
            text.push_str(line.trim_end_matches('\r'));
            text.push('\n');
        }
        let trim = |s: &mut String| *s = s.trim().to_owned();
        trim(&mut common);
        for (language, text) in &mut translations {
            trim(text);
            if text.is_empty() {
                return Err(Phrase::new("The language [{language}] has no text.")
                    .text("language", language.as_str()));
            }
        }
        if common.is_empty() && translations.is_empty() {
            return Ok(None);
        }
        let digest = Sha256::digest(value.trim().as_bytes());
        Ok(Some(Self {
            common,
            translations,
            version: hex::encode(&digest[..6]),
        }))
    }

    /// The text's version: the first 12 hex digits of the SHA-256 of the whole text (any change
    /// to any language makes a new one).
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The page in each of its languages, as blocks.
    pub fn texts(&self) -> Vec<NoticeText> {
        let common = (!self.common.is_empty()).then(|| NoticeText {
            language: None,
            blocks: blocks(&self.common),
        });
        common
            .into_iter()
            .chain(self.translations.iter().map(|(language, text)| NoticeText {
                language: Some(language.clone()),
                blocks: blocks(text),
            }))
            .collect()
    }
}

/// Markdown (or plain text, which reads as paragraphs) as blocks of words.
pub fn blocks(text: &str) -> Vec<NoticeBlock> {
    let mut out: Vec<NoticeBlock> = Vec::new();
    let mut current: Option<NoticeBlock> = None;
    let (mut strong, mut emphasis) = (0_u32, 0_u32);
    let start = |current: &mut Option<NoticeBlock>, out: &mut Vec<NoticeBlock>, kind| {
        if let Some(block) = current.take().filter(|b| !b.spans.is_empty()) {
            out.push(block);
        }
        *current = Some(NoticeBlock {
            kind,
            spans: Vec::new(),
        });
    };
    for event in Parser::new(text) {
        match event {
            Event::Start(Tag::Heading { .. }) => start(&mut current, &mut out, BlockKind::Heading),
            Event::Start(Tag::Item) => start(&mut current, &mut out, BlockKind::Item),
            // A list item's own paragraph stays that item.
            Event::Start(Tag::Paragraph)
                if current
                    .as_ref()
                    .is_none_or(|b| b.kind != BlockKind::Item || !b.spans.is_empty()) =>
            {
                start(&mut current, &mut out, BlockKind::Paragraph);
            }
            Event::Start(Tag::Strong) => strong += 1,
            Event::End(TagEnd::Strong) => strong = strong.saturating_sub(1),
            Event::Start(Tag::Emphasis) => emphasis += 1,
            Event::End(TagEnd::Emphasis) => emphasis = emphasis.saturating_sub(1),
            Event::End(TagEnd::Heading(_) | TagEnd::Paragraph | TagEnd::Item) => {
                if let Some(block) = current.take().filter(|b| !b.spans.is_empty()) {
                    out.push(block);
                }
            }
            Event::Text(words) | Event::Code(words) => {
                let block = current.get_or_insert_with(|| NoticeBlock {
                    kind: BlockKind::Paragraph,
                    spans: Vec::new(),
                });
                push_words(block, &words, strong > 0, emphasis > 0);
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(block) = current.as_mut() {
                    push_words(block, " ", strong > 0, emphasis > 0);
                }
            }
            // HTML, rules, footnotes and the rest: nothing to draw.
            _ => {}
        }
    }
    if let Some(block) = current.filter(|b| !b.spans.is_empty()) {
        out.push(block);
    }
    out
}

/// Adds words to a block, joined to the last run when it has the same emphasis.
fn push_words(block: &mut NoticeBlock, words: &str, strong: bool, emphasis: bool) {
    match block.spans.last_mut() {
        Some(last) if last.strong == strong && last.emphasis == emphasis => {
            last.text.push_str(words);
        }
        _ => block.spans.push(NoticeSpan {
            text: words.to_owned(),
            strong,
            emphasis,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(b: &NoticeBlock) -> String {
        b.spans.iter().map(|s| s.text.as_str()).collect()
    }

    #[test]
    fn an_empty_text_is_no_page() {
        assert_eq!(Notice::parse("").unwrap(), None);
        assert_eq!(Notice::parse("  \n\n ").unwrap(), None);
    }

    #[test]
    fn plain_text_reads_as_paragraphs() {
        let n = Notice::parse("Be kind.\nNo food.\n\nAsk staff for help.")
            .unwrap()
            .unwrap();
        let texts = n.texts();
        assert_eq!(texts.len(), 1);
        assert_eq!(texts[0].language, None);
        let b = &texts[0].blocks;
        assert_eq!(b.len(), 2);
        assert_eq!(plain(&b[0]), "Be kind. No food.");
        assert_eq!(plain(&b[1]), "Ask staff for help.");
        assert!(b.iter().all(|b| b.kind == BlockKind::Paragraph));
    }

    #[test]
    fn markdown_gives_headings_items_and_emphasis_but_never_links_or_html() {
        let b = blocks(
            "# Rules\n\n- Be **kind**\n- See [the rules](https://evil.example/x?token=1)\n\n\
             <script>alert(1)</script>\n\n![a cat](cat.png) *soft*",
        );
        assert_eq!(b[0].kind, BlockKind::Heading);
        assert_eq!(plain(&b[0]), "Rules");
        assert_eq!(b[1].kind, BlockKind::Item);
        assert_eq!(
            b[1].spans,
            vec![
                NoticeSpan {
                    text: "Be ".into(),
                    strong: false,
                    emphasis: false
                },
                NoticeSpan {
                    text: "kind".into(),
                    strong: true,
                    emphasis: false
                },
            ]
        );
        assert_eq!(plain(&b[2]), "See the rules");
        let all: String = b.iter().map(plain).collect();
        assert!(!all.contains("script") && !all.contains("evil") && !all.contains("alert"));
        let last = b.last().unwrap();
        assert_eq!(plain(last), "a cat soft");
        assert!(last.spans.last().unwrap().emphasis);
    }

    #[test]
    fn each_language_has_its_text_and_the_version_follows_every_one() {
        let value = "Be kind.\n\n[es]\nSea amable.\n[fr]\nSoyez aimable.";
        let n = Notice::parse(value).unwrap().unwrap();
        let texts = n.texts();
        let langs: Vec<_> = texts.iter().map(|t| t.language.clone()).collect();
        assert_eq!(langs, vec![None, Some("es".into()), Some("fr".into())]);
        assert_eq!(plain(&texts[1].blocks[0]), "Sea amable.");
        assert_eq!(n.version().len(), 12);
        let changed = Notice::parse(&value.replace("aimable", "gentil"))
            .unwrap()
            .unwrap();
        assert_ne!(n.version(), changed.version());
        // Only the surrounding blank lines do not count.
        let padded = Notice::parse(&format!("\n{value}\n\n")).unwrap().unwrap();
        assert_eq!(n.version(), padded.version());
    }

    #[test]
    fn bad_texts_say_why_in_one_sentence() {
        for (value, why) in [
            (
                "Be kind.\n[es]\n\n[fr]\nSoyez",
                "The language [es] has no text.",
            ),
            ("A\n[es]\nB\n[es]\nC", "The language [es] is given twice."),
            ("bell \u{7}", "Use no control characters."),
        ] {
            assert_eq!(
                Notice::parse(value).unwrap_err().to_string(),
                why,
                "{value:?}"
            );
        }
        assert!(Notice::parse(&"x".repeat(MAX_CHARS + 1)).is_err());
        // Brackets that are not a language code are text.
        let n = Notice::parse("[Rules]\n[x]\n[EN]").unwrap().unwrap();
        assert_eq!(n.texts().len(), 1);
    }
}
