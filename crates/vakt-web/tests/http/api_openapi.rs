//! The JSON API and its OpenAPI document: the document lists exactly the API routes of the router, and
//! real responses (success and error) validate against the schemas it declares for them.

use reqwest::StatusCode;
use serde_json::Value;

use crate::schema::validate;
use crate::world::World;

async fn doc(w: &World) -> Value {
    let resp = reqwest::get(w.url("/api/v1/openapi.json"))
        .await
        .expect("get");
    assert_eq!(resp.status(), StatusCode::OK);
    resp.json().await.expect("json")
}

/// The schema the document declares for `method path` answering `status` with JSON.
fn response_schema<'a>(doc: &'a Value, path: &str, method: &str, status: u16) -> &'a Value {
    doc.pointer(&format!(
        "/paths/{}/{}/responses/{status}/content/application~1json/schema",
        path.replace('~', "~0").replace('/', "~1"),
        method.to_lowercase()
    ))
    .unwrap_or_else(|| panic!("no schema for {method} {path} {status}"))
}

#[tokio::test]
async fn the_openapi_document_lists_exactly_the_api_routes() {
    let w = World::start().await;
    let doc = doc(&w).await;
    let mut documented: Vec<String> = Vec::new();
    for (path, ops) in doc["paths"].as_object().expect("paths") {
        for method in ops.as_object().expect("ops").keys() {
            documented.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    let mut routed: Vec<String> = vakt_web::route_table()
        .iter()
        .filter(|r| r.path.starts_with("/api/"))
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    documented.sort();
    routed.sort();
    assert_eq!(documented, routed);
    assert_eq!(
        doc["openapi"].as_str().map(|v| v.starts_with("3.")),
        Some(true)
    );
}

#[tokio::test]
async fn real_responses_match_their_documented_schemas() {
    let w = World::start().await;
    let doc = doc(&w).await;
    let admin = w.user("admin");
    let school = w.school.id;
    let person = w.pupil_teacher.id;
    let tenant = w.alfa.id;
    let cases: Vec<(String, &str)> = vec![
        ("/api/v1/tenants".into(), "/api/v1/tenants"),
        (format!("/api/v1/tenants/{tenant}"), "/api/v1/tenants/{id}"),
        ("/api/v1/units".into(), "/api/v1/units"),
        (format!("/api/v1/units/{school}"), "/api/v1/units/{id}"),
        ("/api/v1/people?q=tor&limit=5".into(), "/api/v1/people"),
        (format!("/api/v1/people/{person}"), "/api/v1/people/{id}"),
    ];
    let mut errors = Vec::new();
    for (url, path) in &cases {
        let resp = admin
            .client
            .get(w.url(url))
            .bearer_auth(&admin.token)
            .send()
            .await
            .expect("get");
        assert_eq!(resp.status(), StatusCode::OK, "{url}");
        let body: Value = resp.json().await.expect("json");
        errors.extend(validate(
            &doc,
            response_schema(&doc, path, "GET", 200),
            &body,
            url,
        ));
    }
    // Keyset paging: `next_after` of one page is the `after` of the next, documented and validated.
    let mut seen = Vec::new();
    let mut url = "/api/v1/people?limit=1".to_owned();
    loop {
        let body: Value = admin
            .client
            .get(w.url(&url))
            .bearer_auth(&admin.token)
            .send()
            .await
            .expect("get")
            .json()
            .await
            .expect("json");
        errors.extend(validate(
            &doc,
            response_schema(&doc, "/api/v1/people", "GET", 200),
            &body,
            &url,
        ));
        seen.extend(
            body["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|p| p["id"].clone()),
        );
        match body["next_after"].as_str() {
            Some(id) => {
                assert_eq!(body["has_more"], true);
                url = format!("/api/v1/people?limit=1&after={id}");
            }
            None => break,
        }
        assert!(seen.len() < 1000, "paging must end");
    }
    let all: Value = admin
        .client
        .get(w.url("/api/v1/people?limit=500"))
        .bearer_auth(&admin.token)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(
        Value::Array(seen),
        all["items"]
            .as_array()
            .map(|items| { Value::Array(items.iter().map(|p| p["id"].clone()).collect()) })
            .unwrap_or_default()
    );
    let resp = admin
        .client
        .get(w.url(&format!("/api/v1/people?after={}", uuid::Uuid::now_v7())))
        .bearer_auth(&admin.token)
        .send()
        .await
        .expect("get");
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let body: Value = resp.json().await.expect("json");
    errors.extend(validate(
        &doc,
        response_schema(&doc, "/api/v1/people", "GET", 400),
        &body,
        "unknown cursor",
    ));
    // Errors have the documented shape too.
    let missing = uuid::Uuid::now_v7();
    let resp = admin
        .client
        .get(w.url(&format!("/api/v1/people/{missing}")))
        .bearer_auth(&admin.token)
        .send()
        .await
        .expect("get");
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let body: Value = resp.json().await.expect("json");
    errors.extend(validate(
        &doc,
        response_schema(&doc, "/api/v1/people/{id}", "GET", 404),
        &body,
        "404",
    ));
    let resp = admin
        .client
        .get(w.url("/api/v1/units"))
        .send()
        .await
        .expect("get");
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let body: Value = resp.json().await.expect("json");
    errors.extend(validate(
        &doc,
        response_schema(&doc, "/api/v1/units", "GET", 401),
        &body,
        "401",
    ));
    // The import: one bad row → 422 naming it, nothing written; then a good file → 200.
    let bad = "employee_number,given_name,family_name,email\nN1,Nina,Nord,nina@example.org\nN2,Ola,Nord,not-an-email\n";
    let resp = admin
        .client
        .post(w.url("/api/v1/people/import"))
        .bearer_auth(&admin.token)
        .header("content-type", "text/csv")
        .body(bad)
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = resp.json().await.expect("json");
    errors.extend(validate(
        &doc,
        response_schema(&doc, "/api/v1/people/import", "POST", 422),
        &body,
        "import 422",
    ));
    assert_eq!(body["error"]["code"], "import_invalid");
    assert_eq!(body["error"]["problems"][0]["line"], 3);
    assert_eq!(body["error"]["problems"][0]["code"], "invalid_email");
    assert!(
        w.db.person_by_employee_number(w.alfa.id, "N1")
            .await
            .expect("db")
            .is_none(),
        "nothing is written"
    );
    let resp = admin
        .client
        .post(w.url("/api/v1/people/import?skip_invalid=true"))
        .bearer_auth(&admin.token)
        .header("content-type", "text/csv")
        .body(bad)
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status(), StatusCode::OK);
    let body: Value = resp.json().await.expect("json");
    errors.extend(validate(
        &doc,
        response_schema(&doc, "/api/v1/people/import", "POST", 200),
        &body,
        "import 200",
    ));
    assert_eq!(body["created"], 1);
    assert_eq!(body["skipped"][0]["line"], 3);
    assert!(
        errors.is_empty(),
        "responses do not match the document:\n{}",
        errors.join("\n")
    );
}

#[tokio::test]
async fn the_api_refuses_a_cookie_session_and_a_bad_token() {
    let w = World::start().await;
    let admin = w.user("admin");
    let resp = admin
        .client
        .get(w.url("/api/v1/people"))
        .send()
        .await
        .expect("get");
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let resp = admin
        .client
        .get(w.url("/api/v1/people"))
        .bearer_auth("not-a-token")
        .send()
        .await
        .expect("get");
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["error"]["code"], "unauthorized");
}
