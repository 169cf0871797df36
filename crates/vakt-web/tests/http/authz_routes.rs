//! THE route-by-role-by-tenant test: every route of `vakt_web::route_table()` (all modules), as every role
//! of tenant `alfa` and as an all-roles user of tenant `beta`, with the objects of `alfa` in the path.
//! The expected outcome comes from the one authorization check (`vakt_core::authz::authorize`) with the
//! route's action and the object's place in the unit tree: allowed → the route answers (2xx, 3xx or a 422
//! for the deliberately incomplete form), refused → 403; a `beta` user never gets `alfa`'s data (404 for
//! its ids, and no response ever contains `alfa`'s marker).

use reqwest::{Method, StatusCode};
use vakt_core::authz::{Action, Resource, authorize};
use vakt_web::{Access, RouteInfo};

use crate::world::{ALFA_MARK, User, World};

/// What a route works on, for the expected decision.
fn resource_for(w: &World, route: &RouteInfo, user: &User) -> Resource {
    let p = route.path;
    // Units and people of the fixture both sit in the school under the root.
    if p.starts_with("/directory/units/{id}")
        || p.starts_with("/settings/units/{id}")
        || p == "/api/v1/units/{id}"
        || p.starts_with("/directory/people/{id}")
        || p == "/api/v1/people/{id}"
        || p.starts_with("/reports/instructions/units/{id}")
        || p == "/api/v1/reports/instructions/units/{id}"
        || p.starts_with("/acks/{id}")
        || p.starts_with("/training/courses/{id}/completions")
        || p.starts_with("/training/courses/{id}/export")
        || p.starts_with("/training/completions/{id}")
        || p.starts_with("/training/evidence/{id}")
        || p.starts_with("/api/v1/training/courses/{id}/")
        || p.starts_with("/api/v1/training/completions/{id}")
        || p.starts_with("/api/v1/training/people/{id}")
        || p.starts_with("/deviations/{id}")
        || p == "/deviations/unit/{id}"
    {
        Resource::in_unit(w.alfa.id, vec![w.root.id, w.school.id])
    } else if p == "/api/v1/tenants/{id}" {
        Resource::tenant(w.alfa.id)
    } else {
        // Tenant-wide routes act on the user's own tenant; self-service ones on the user's own account.
        match route.access {
            Access::Requires(a) if a.is_self_service() => {
                Resource::owned_by(user.tenant.id, user.principal.account)
            }
            _ => Resource::tenant(user.tenant.id),
        }
    }
}

fn concrete_path(w: &World, route: &RouteInfo) -> String {
    let id = if route.path.contains("/training/courses/") {
        w.course.0.to_string()
    } else if route.path.contains("/training/completions/") {
        w.completion.0.to_string()
    } else if route.path.contains("/training/evidence/") {
        w.evidence.0.to_string()
    } else if route.path.contains("/training/people/") {
        w.leader_person.to_string()
    } else if route.path.starts_with("/deviations/{id}") {
        w.case.id.to_string()
    } else if route.path.contains("/people/") {
        w.pupil_teacher.id.to_string()
    } else if route.path.contains("/tenants/") {
        w.alfa.id.to_string()
    } else if route.path.starts_with("/instructions/")
        || route.path.starts_with("/api/v1/instructions/")
    {
        w.instr.instruction.to_string()
    } else if route.path.starts_with("/groups/") || route.path.starts_with("/api/v1/groups/") {
        w.instr.group.to_string()
    } else if route.path.starts_with("/acks/") {
        w.instr.ack.to_string()
    } else if route.path.contains("/tokens/") {
        // Nobody's token: must never be revocable.
        uuid::Uuid::now_v7().to_string()
    } else {
        w.school.id.to_string()
    };
    route
        .path
        .replace("{id}", &id)
        .replace("{name}", "vakt.css")
        .replace("{vid}", &w.instr.version.to_string())
        .replace("{person}", &w.pupil_teacher.id.to_string())
        .replace(
            "{aid}",
            &if route.path.starts_with("/deviations/") {
                w.case_attachment
            } else {
                w.instr.attachment
            }
            .to_string(),
        )
}

/// For a route that removes an instruction attachment or deletes a group: the route's path on a
/// new attachment of the fixture instruction or a new, unused group (both alfa's).
async fn fresh_target(w: &World, route: &RouteInfo) -> Option<String> {
    let removes_attachment = route.path == "/instructions/{id}/attachments/{aid}/remove"
        || (route.method == "DELETE"
            && route.path == "/api/v1/instructions/{id}/attachments/{aid}");
    let deletes_group = route.method == "DELETE" && route.path == "/api/v1/groups/{id}";
    if !removes_attachment && !deletes_group {
        return None;
    }
    let ctx = vakt_core::audit::AuditCtx::new(w.alfa.id, vakt_core::audit::Actor::system("test"));
    let mut tx = w.db.write(&ctx).await.expect("tx");
    let inst = w.instr.instruction;
    let path = if removes_attachment {
        let a = tx
            .add_attachment(inst, "walk.txt", format!("{ALFA_MARK} walk").as_bytes())
            .await
            .expect("attachment");
        route
            .path
            .replace("{id}", &inst.to_string())
            .replace("{aid}", &a.id.to_string())
    } else {
        let g = tx
            .create_group(vakt_store::NewGroup {
                name: format!("walk {}", uuid::Uuid::now_v7()),
                description: String::new(),
            })
            .await
            .expect("group");
        route.path.replace("{id}", &g.id.to_string())
    };
    tx.commit().await.expect("commit");
    Some(path)
}

/// The form a POST route gets: always with the CSRF token, otherwise empty (a validation error at most).
async fn send(w: &World, user: &User, route: &RouteInfo, path: &str) -> (StatusCode, String) {
    let method = Method::from_bytes(route.method.as_bytes()).expect("method");
    // Routes that take the fixture's attachment or group away act on a fresh one of alfa's, so that
    // every user meets the same object state and later routes still find the fixture's.
    let fresh = fresh_target(w, route).await;
    let path = fresh.as_deref().unwrap_or(path);
    let url = w.url(path);
    if route.method == "DELETE" && route.path == "/api/v1/groups/{id}/members/{person}" {
        // Every allowed user removes the member once: put them (back) in the group first.
        let ctx =
            vakt_core::audit::AuditCtx::new(w.alfa.id, vakt_core::audit::Actor::system("test"));
        let mut tx = w.db.write(&ctx).await.expect("tx");
        if tx
            .add_group_member(w.instr.group, w.pupil_teacher.id)
            .await
            .expect("member")
        {
            tx.commit().await.expect("commit");
        } else {
            tx.rollback().await.expect("rollback");
        }
    }
    let resp = if path.starts_with("/api/") {
        let mut r = user
            .client
            .request(method.clone(), &url)
            .bearer_auth(&user.token);
        if path == "/api/v1/people/import" {
            // A file with a bad row: allowed → 422 with the row, nothing written.
            r = r
                .header("content-type", "text/csv")
                .body("employee_number,given_name,family_name\n,,\n");
        }
        if path == "/api/v1/training/import" {
            r = r
                .header("content-type", "text/csv")
                .body("person,course,completed\n");
        }
        r.send().await.expect("send")
    } else if method == Method::POST {
        user.client
            .post(&url)
            .header("x-csrf-token", &user.csrf)
            .form(&[("csrf", user.csrf.as_str())])
            .send()
            .await
            .expect("send")
    } else {
        user.client
            .request(method, &url)
            .send()
            .await
            .expect("send")
    };
    let status = resp.status();
    (status, resp.text().await.unwrap_or_default())
}

fn allowed(w: &World, user: &User, route: &RouteInfo, action: Action) -> bool {
    let res = resource_for(w, route, user);
    let ok = authorize(&user.principal, action, &res).is_ok();
    // The tenant list also serves the host admin (every tenant) by `ViewTenants`.
    if route.path.starts_with("/api/v1/tenants") {
        return ok || authorize(&user.principal, Action::ViewTenants, &Resource::host()).is_ok();
    }
    ok
}

#[tokio::test]
async fn every_route_answers_each_role_and_tenant_as_the_policy_table_says() {
    let w = World::start().await;
    let routes = vakt_web::route_table();
    assert!(
        routes.len() >= 30,
        "the route table looks incomplete: {}",
        routes.len()
    );
    let mut failures = Vec::new();
    for route in &routes {
        // Ending the session would sign the user out for the rest of the walk; sign-out has its own tests.
        if route.path == "/logout" {
            continue;
        }
        let path = concrete_path(&w, route);
        for user in &w.users {
            let (status, body) = send(&w, user, route, &path).await;
            let other_tenant = user.tenant.id != w.alfa.id;
            if status.is_server_error() {
                failures.push(format!(
                    "{} {path} as {}: {status}",
                    route.method, user.name
                ));
                continue;
            }
            if other_tenant && body.contains(ALFA_MARK) && !route.path.starts_with("/static") {
                failures.push(format!(
                    "{} {path} as {}: response contains alfa's data",
                    route.method, user.name
                ));
            }
            let Access::Requires(action) = route.access else {
                continue;
            };
            let names_alfa_object = route.path.contains("{id}") && !route.path.contains("/tokens/");
            let expect_ok =
                if (other_tenant && names_alfa_object) || route.path.contains("/tokens/") {
                    false
                } else {
                    allowed(&w, user, route, action)
                };
            // Past authorization, an empty form may be refused as invalid (400/422): that is an answer.
            let answered = status.is_success()
                || status.is_redirection()
                || status == StatusCode::BAD_REQUEST
                || status == StatusCode::UNPROCESSABLE_ENTITY;
            let ok = if expect_ok {
                answered
            } else if other_tenant && names_alfa_object {
                status == StatusCode::NOT_FOUND || status == StatusCode::FORBIDDEN
            } else {
                status == StatusCode::FORBIDDEN
                    || (route.path.contains("/tokens/") && status == StatusCode::NOT_FOUND)
            };
            if !ok {
                failures.push(format!(
                    "{} {path} as {}: got {status}, expected {}",
                    route.method,
                    user.name,
                    if expect_ok { "an answer" } else { "a refusal" }
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn every_route_in_the_table_is_served_by_the_router() {
    let w = World::start().await;
    let routes = vakt_web::route_table();
    // A path the router does not know answers 404 for everyone; every listed route answers something else
    // for at least one user (or is public).
    for route in &routes {
        let path = concrete_path(&w, route);
        let mut any = false;
        for user in &w.users {
            let (status, _) = send(&w, user, route, &path).await;
            if status != StatusCode::NOT_FOUND && status != StatusCode::METHOD_NOT_ALLOWED {
                any = true;
                break;
            }
        }
        assert!(
            any || route.path.contains("/tokens/"),
            "{} {} is listed but not routed",
            route.method,
            route.path
        );
    }
}

#[tokio::test]
async fn a_user_of_another_tenant_cannot_read_or_change_a_person_by_id() {
    let w = World::start().await;
    let beta = w.user("beta-all");
    let id = w.pupil_teacher.id;
    for path in [
        format!("/directory/people/{id}"),
        format!("/directory/people/{id}/edit"),
    ] {
        let resp = beta.client.get(w.url(&path)).send().await.expect("get");
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let resp = beta
        .client
        .post(w.url(&format!("/directory/people/{id}/edit")))
        .header("x-csrf-token", &beta.csrf)
        .form(&[
            ("csrf", beta.csrf.as_str()),
            ("given_name", "Hacked"),
            ("family_name", "X"),
            ("kind", "employee"),
            ("state", "active"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let p =
        w.db.person(w.alfa.id, id)
            .await
            .expect("db")
            .expect("person");
    assert_eq!(p.given_name, "Tor");
    let api = beta
        .client
        .get(w.url(&format!("/api/v1/people/{id}")))
        .bearer_auth(&beta.token)
        .send()
        .await
        .expect("api");
    assert_eq!(api.status(), StatusCode::NOT_FOUND);
}
