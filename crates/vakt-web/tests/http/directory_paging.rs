//! The people list pages with keyset cursors: "next" carries `after=<last id>`, "previous" carries
//! `before=<first id>`, and walking forward then back shows the same pages as page numbers would.

use reqwest::StatusCode;
use vakt_core::Role;
use vakt_core::audit::{Actor, AuditCtx};
use vakt_core::directory::{Employment, PersonKind};
use vakt_store::NewPerson;

use crate::engine_test;

fn href(html: &str, rel: &str) -> Option<String> {
    let marker = format!("rel=\"{rel}\"");
    let at = html.find(&marker)?;
    let start = html[..at].rfind("href=\"")? + "href=\"".len();
    let end = start + html[start..].find('"')?;
    Some(html[start..end].replace("&amp;", "&").replace("&#38;", "&"))
}

fn people_links(html: &str) -> Vec<String> {
    html.match_indices("href=\"/directory/people/")
        .map(|(i, _)| {
            let rest = &html[i + "href=\"/directory/people/".len()..];
            rest[..rest.find('"').unwrap_or(0)].to_owned()
        })
        .collect()
}

engine_test!(the_people_list_pages_by_keyset_both_ways, |app| {
    let admin = app.add_user("admin", &[Role::TenantAdmin], true).await;
    let ctx = AuditCtx::new(app.tenant.id, Actor::system("test"));
    let mut tx = app.db.write(&ctx).await.unwrap();
    for i in 0..120 {
        tx.create_person(NewPerson {
            employee_number: format!("P{i:03}"),
            given_name: "Ola".into(),
            family_name: format!("Berg {i:03}"),
            email: None,
            kind: PersonKind::Employee,
            unit: None,
            manager: None,
            employment: Employment::active(),
            birth_date: None,
            preferred_language: None,
        })
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let c = app.browser();
    app.sign_in(&c, &admin).await;
    let (status, p1) = app.get(&c, "/directory/people?q=berg").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(people_links(&p1).len(), 50);
    assert!(href(&p1, "prev").is_none());
    let next = href(&p1, "next").expect("a next link");
    assert!(next.contains("after=") && next.contains("page=2"), "{next}");
    let (_, p2) = app.get(&c, &next).await;
    let next = href(&p2, "next").expect("a next link");
    let (_, p3) = app.get(&c, &next).await;
    assert_eq!(people_links(&p3).len(), 20);
    assert!(href(&p3, "next").is_none());
    // The last page knows the total.
    assert!(p3.contains("120"), "{p3}");
    // Back from page 3 by cursor gives page 2 again; back from there is page 1 (by its plain address).
    let prev = href(&p3, "prev").expect("a previous link");
    assert!(
        prev.contains("before=") && prev.contains("page=2"),
        "{prev}"
    );
    let (_, back2) = app.get(&c, &prev).await;
    assert_eq!(people_links(&back2), people_links(&p2));
    let prev = href(&back2, "prev").expect("a previous link");
    assert!(!prev.contains("before="), "{prev}");
    let (_, back1) = app.get(&c, &prev).await;
    assert_eq!(people_links(&back1), people_links(&p1));
    // Page numbers alone still work (offset), and a malformed cursor is a clear error.
    let (_, by_number) = app.get(&c, "/directory/people?q=berg&page=2").await;
    assert_eq!(people_links(&by_number), people_links(&p2));
    let (status, _) = app.get(&c, "/directory/people?q=berg&after=nonsense").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
});
