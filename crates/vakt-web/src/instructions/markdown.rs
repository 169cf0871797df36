//! Markdown to HTML for instruction texts, safely: raw HTML in the source is shown as text (never
//! passed through), images are dropped (their alt text is kept), and links keep only `http`,
//! `https`, `mailto` and local targets; anything else (e.g. `javascript:`) becomes `#`.

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, html};

fn safe_url(url: &str) -> bool {
    let u = url.trim();
    let lower = u.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("mailto:")
    {
        return !u.chars().any(char::is_control);
    }
    // Local: a path, fragment or query, but never a protocol-relative `//host`.
    (u.starts_with('/') && !u.starts_with("//") && !u.starts_with("/\\"))
        || u.starts_with('#')
        || u.starts_with('?')
}

/// Renders the Markdown source to HTML that is safe to insert into a page.
pub fn render(source: &str) -> String {
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    let mut in_image = 0usize;
    let events = Parser::new_ext(source, opts).filter_map(|ev| match ev {
        Event::Html(s) | Event::InlineHtml(s) => Some(Event::Text(s)),
        Event::Start(Tag::Image { .. }) => {
            in_image += 1;
            None
        }
        Event::End(pulldown_cmark::TagEnd::Image) => {
            in_image = in_image.saturating_sub(1);
            None
        }
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            let dest_url = if safe_url(&dest_url) {
                dest_url
            } else {
                CowStr::Borrowed("#")
            };
            Some(Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }))
        }
        other => Some(other),
    });
    let mut out = String::with_capacity(source.len() * 3 / 2);
    html::push_html(&mut out, events);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_becomes_html_and_raw_html_is_shown_as_text() {
        let h = render(
            "# Tittel\n\n**Lås** skjermen.\n\n<script>alert(1)</script>\n\nTekst <b onclick=x>fet</b>",
        );
        assert!(h.contains("<h1>Tittel</h1>"));
        assert!(h.contains("<strong>Lås</strong>"));
        assert!(!h.contains("<script"));
        assert!(h.contains("&lt;script&gt;"));
        assert!(!h.contains("<b "));
    }

    #[test]
    fn dangerous_links_are_neutralised_and_images_dropped() {
        let h = render(
            "[a](javascript:alert(1)) [b](https://example.no/x) [c](//evil.example) ![x](https://t.example/p.png)",
        );
        assert!(!h.contains("javascript:"));
        assert!(h.contains("href=\"https://example.no/x\""));
        assert!(!h.contains("//evil.example"));
        assert!(!h.contains("<img"));
        assert!(h.contains("href=\"#\""));
    }
}
