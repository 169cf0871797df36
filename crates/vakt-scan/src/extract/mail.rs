//! EML (every header worth reading, every body part, attachments recursively) and MBOX.

use mail_parser::{Address, HeaderValue, MessageParser, MimeHeaders, PartType};

use super::{
    Budget, Emitter, Event, ExtractError, Format, Location, Structure, extract_member_as,
    join_member,
};

/// Headers that carry routing, transport or MIME data, never text a person wrote.
const SKIP_HEADERS: &[&str] = &[
    "received",
    "dkim-signature",
    "arc-seal",
    "arc-message-signature",
    "arc-authentication-results",
    "authentication-results",
    "received-spf",
    "content-type",
    "content-transfer-encoding",
    "content-disposition",
    "mime-version",
    "date",
    "return-path",
    "x-received",
    "x-google-dkim-signature",
    "x-gm-message-state",
];

const KNOWN_HEADERS: &[&str] = &[
    "from",
    "to",
    "cc",
    "subject",
    "date",
    "message-id",
    "received",
    "mime-version",
    "return-path",
    "content-type",
    "reply-to",
    "delivered-to",
    "x-mailer",
    "sender",
    "in-reply-to",
    "references",
];

/// True when `text` starts with RFC 5322 header lines including at least one well-known header.
pub(crate) fn looks_like_headers(text: &str) -> bool {
    let mut known = false;
    for (i, line) in text.lines().take(30).enumerate() {
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) && i > 0 {
            continue;
        }
        let Some((name, _)) = line.split_once(':') else {
            return false;
        };
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return false;
        }
        known |= KNOWN_HEADERS.contains(&name.to_ascii_lowercase().as_str());
    }
    known
}

fn render_address(a: &Address<'_>) -> String {
    let mut out = Vec::new();
    let mut push = |addr: &mail_parser::Addr<'_>| {
        let mut s = String::new();
        if let Some(n) = &addr.name {
            s.push_str(n);
        }
        if let Some(a) = &addr.address {
            if !s.is_empty() {
                s.push(' ');
            }
            s.push('<');
            s.push_str(a);
            s.push('>');
        }
        out.push(s);
    };
    match a {
        Address::List(list) => list.iter().for_each(&mut push),
        Address::Group(groups) => {
            for g in groups {
                g.addresses.iter().for_each(&mut push);
            }
        }
    }
    out.join(", ")
}

fn render_header(v: &HeaderValue<'_>) -> Option<String> {
    match v {
        HeaderValue::Text(t) => Some(t.to_string()),
        HeaderValue::TextList(l) => Some(l.join(", ")),
        HeaderValue::Address(a) => Some(render_address(a)),
        _ => None,
    }
}

/// The bytes of a text attachment that declares no charset, undone only from its transfer encoding: the
/// mail parser would read them as UTF-8, garbling a UTF-16 or Windows-1252 file, which the text
/// extractor recognises by itself (byte order mark, NUL pattern, invalid UTF-8).
fn undecoded_text(
    msg: &mail_parser::Message<'_>,
    part: &mail_parser::MessagePart<'_>,
) -> Option<Vec<u8>> {
    if part
        .content_type()
        .is_some_and(|ct| ct.attribute("charset").is_some())
    {
        return None;
    }
    let start = part.raw_body_offset() as usize;
    let end = part.raw_end_offset() as usize;
    let raw = msg.raw_message.get(start..end)?;
    match part.encoding {
        mail_parser::Encoding::Base64 => mail_parser::decoders::base64::base64_decode(raw),
        mail_parser::Encoding::QuotedPrintable => {
            mail_parser::decoders::quoted_printable::quoted_printable_decode(raw)
        }
        mail_parser::Encoding::None => Some(raw.to_vec()),
    }
}

/// Body parts that only repeat another: in a `multipart/alternative`, the plain-text part is read and
/// the other renderings of the same text (HTML, usually) are not, so that a number in the body is
/// reported once. An alternative without a plain-text part keeps its first body part.
fn redundant_alternatives(msg: &mail_parser::Message<'_>) -> Vec<usize> {
    let mut skip = Vec::new();
    let is_body = |i: usize| {
        msg.parts.get(i).is_some_and(|p| {
            p.attachment_name().is_none() && matches!(p.body, PartType::Text(_) | PartType::Html(_))
        })
    };
    for part in &msg.parts {
        let PartType::Multipart(children) = &part.body else {
            continue;
        };
        let alternative = part.content_type().is_some_and(|ct| {
            ct.ctype().eq_ignore_ascii_case("multipart")
                && ct
                    .subtype()
                    .is_some_and(|s| s.eq_ignore_ascii_case("alternative"))
        });
        if !alternative {
            continue;
        }
        let bodies: Vec<usize> = children
            .iter()
            .map(|c| *c as usize)
            .filter(|c| is_body(*c))
            .collect();
        let keep = bodies
            .iter()
            .copied()
            .find(|c| matches!(msg.parts.get(*c).map(|p| &p.body), Some(PartType::Text(_))))
            .or(bodies.first().copied());
        skip.extend(bodies.into_iter().filter(|c| Some(*c) != keep));
    }
    skip
}

pub(crate) fn extract_eml(
    data: &[u8],
    depth: u32,
    budget: &mut Budget<'_>,
    em: &mut Emitter<'_>,
) -> Result<(), ExtractError> {
    let head = super::text::decode_head(data);
    if !looks_like_headers(head.trim_start()) {
        return Err(ExtractError::Malformed {
            format: "eml",
            detail: "no mail headers at the start".into(),
        });
    }
    let msg = MessageParser::default()
        .parse(data)
        .ok_or_else(|| ExtractError::Malformed {
            format: "eml",
            detail: "not a mail message".into(),
        })?;
    for h in msg.root_part().headers() {
        let name = h.name.as_str();
        if SKIP_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
            continue;
        }
        if let Some(text) = render_header(&h.value) {
            em.text(
                Location::MailPart(format!("header:{name}")),
                Structure::Header {
                    name: name.to_string(),
                },
                text,
            );
        }
    }
    let alternatives = redundant_alternatives(&msg);
    let mut body_no = 0u32;
    for (i, part) in msg.parts.iter().enumerate() {
        budget.check_time()?;
        if alternatives.contains(&i) {
            continue;
        }
        let attachment_name = part.attachment_name().map(str::to_string);
        let is_attachment = attachment_name.is_some()
            || matches!(
                part.body,
                PartType::Binary(_) | PartType::InlineBinary(_) | PartType::Message(_)
            );
        if i == 0 && matches!(part.body, PartType::Message(_)) {
            continue;
        }
        if is_attachment {
            let name = attachment_name.unwrap_or_else(|| match &part.body {
                PartType::Message(_) => format!("part{}.eml", i + 1),
                PartType::Html(_) => format!("part{}.html", i + 1),
                PartType::Text(_) => format!("part{}.txt", i + 1),
                _ => format!("part{}.bin", i + 1),
            });
            let member = join_member(&em.member, &name);
            let raw = undecoded_text(&msg, part);
            let (format, bytes): (Option<Format>, &[u8]) = match &part.body {
                PartType::Message(m) => (Some(Format::Eml), m.raw_message()),
                PartType::Text(_) | PartType::Html(_) if raw.is_some() => {
                    (None, raw.as_deref().unwrap_or_default())
                }
                PartType::Text(t) | PartType::Html(t) => (None, t.as_bytes()),
                PartType::Binary(b) | PartType::InlineBinary(b) => (None, b.as_ref()),
                PartType::Multipart(_) => continue,
            };
            extract_member_as(format, &name, &member, bytes, depth, budget, em.sink)?;
            continue;
        }
        let label = |n: u32| {
            if n == 1 {
                "body".to_string()
            } else {
                format!("body[{n}]")
            }
        };
        match &part.body {
            PartType::Text(t) => {
                body_no += 1;
                em.text(
                    Location::MailPart(label(body_no)),
                    Structure::Prose,
                    t.to_string(),
                );
            }
            PartType::Html(h) => {
                body_no += 1;
                let place = label(body_no);
                let member = em.member.clone();
                let sink = &mut *em.sink;
                let mut relabel = |ev: Event| match ev {
                    Event::Text(mut seg) => {
                        seg.location = Location::MailPart(place.clone());
                        sink(Event::Text(seg));
                    }
                    other => sink(other),
                };
                let mut inner = Emitter {
                    member,
                    sink: &mut relabel,
                };
                if let Err(error) = super::markup::extract_html(h.as_bytes(), &mut inner) {
                    (inner.sink)(Event::Error {
                        member: inner.member.clone(),
                        error,
                    });
                }
            }
            _ => {}
        }
    }
    Ok(())
}

pub(crate) fn extract_mbox(
    data: &[u8],
    depth: u32,
    budget: &mut Budget<'_>,
    em: &mut Emitter<'_>,
) -> Result<(), ExtractError> {
    let start = data
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(data.len());
    if !data[start..].starts_with(b"From ") {
        return Err(ExtractError::Malformed {
            format: "mbox",
            detail: "does not start with a \"From \" line".into(),
        });
    }
    for (n, message) in mail_parser::mailbox::mbox::MessageIterator::new(&data[start..]).enumerate()
    {
        if let Some(stop) = budget.exhausted() {
            return Err(stop);
        }
        let member = join_member(&em.member, &format!("message[{}]", n + 1));
        match message {
            Ok(m) => extract_member_as(
                Some(Format::Eml),
                "message.eml",
                &member,
                m.contents(),
                depth,
                budget,
                em.sink,
            )?,
            Err(e) => (em.sink)(Event::Error {
                member,
                error: ExtractError::Malformed {
                    format: "mbox",
                    detail: e.to_string(),
                },
            }),
        }
    }
    Ok(())
}
