//! The JSON API under `/api/v1`: tenants, units and people (with the people import), authenticated by
//! personal API tokens (`Authorization: Bearer …`). Errors are `{"error": {"code", "message"}}`.
//! `/api/v1/openapi.json` is generated from the handlers' annotations and the types in [`dto`]; a test walks
//! the document against the router and validates real responses against its schemas.

pub mod dto;

use axum::{
    Json, Router,
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use utoipa::OpenApi;
use uuid::Uuid;

use vakt_core::authz::{Action, Resource};
use vakt_core::directory::{PersonId, TenantId, UnitId};

use crate::{
    AppError, AppState,
    directory::{may, store_error},
    extract::{ApiUser, ClientIp, VPath, VQuery},
    i18n::Lang,
};
use dto::*;

/// Largest page of people.
pub const MAX_LIMIT: u64 = 500;
/// Default page of people.
pub const DEFAULT_LIMIT: u64 = 50;

/// The API routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(openapi_json))
        .route("/api/v1/tenants", get(list_tenants))
        .route("/api/v1/tenants/{id}", get(get_tenant))
        .route("/api/v1/units", get(list_units))
        .route("/api/v1/units/{id}", get(get_unit))
        .route("/api/v1/people", get(list_people))
        .route("/api/v1/people/{id}", get(get_person))
        .route("/api/v1/people/import", post(import_people))
}

/// This module's routes with their method, path and required access (for the route-by-role test).
/// `/api/v1/tenants` lists the caller's own tenant (every tenant for a host admin).
pub fn route_table() -> Vec<crate::routes::RouteInfo> {
    use crate::routes::{
        Access::{Public, Requires},
        RouteInfo,
    };
    vec![
        RouteInfo::new("GET", "/api/v1/openapi.json", Public),
        RouteInfo::new("GET", "/api/v1/tenants", Requires(Action::ViewDirectory)),
        RouteInfo::new(
            "GET",
            "/api/v1/tenants/{id}",
            Requires(Action::ViewDirectory),
        ),
        RouteInfo::new("GET", "/api/v1/units", Requires(Action::ViewDirectory)),
        RouteInfo::new("GET", "/api/v1/units/{id}", Requires(Action::ViewDirectory)),
        RouteInfo::new("GET", "/api/v1/people", Requires(Action::ViewDirectory)),
        RouteInfo::new(
            "GET",
            "/api/v1/people/{id}",
            Requires(Action::ViewDirectory),
        ),
        RouteInfo::new(
            "POST",
            "/api/v1/people/import",
            Requires(Action::ImportPeople),
        ),
    ]
}

/// The OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(title = "Vakt API", description = "Tenants, org units and people of Vakt. Authenticate with a personal API token: `Authorization: Bearer <token>`."),
    paths(openapi_json, crate::account::whoami, list_tenants, get_tenant, list_units, get_unit, list_people, get_person, import_people),
    components(schemas(crate::account::WhoAmI, TenantDto, UnitDto, PersonDto, PeoplePage, ImportResult, ImportProblem, ErrorBody, ErrorDetail)),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The OpenAPI document as JSON.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(<crate::instructions::api::InstructionsApi as OpenApi>::openapi());
    doc.merge(crate::training::api::TrainingApi::openapi());
    doc.merge(crate::deviations::stats::DevApiDoc::openapi());
    doc
}

/// The OpenAPI 3.1 document of this API.
#[utoipa::path(get, path = "/api/v1/openapi.json", security(()), responses((status = 200, description = "The OpenAPI document", content_type = "application/json")))]
async fn openapi_json() -> Response {
    Json(openapi()).into_response()
}

async fn tenant_dto(
    st: &AppState,
    t: &vakt_core::directory::Tenant,
) -> Result<TenantDto, AppError> {
    let settings = crate::session::tenant_settings(st, t).await?;
    Ok(TenantDto::new(t, &settings))
}

fn parse_uuid(raw: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(raw).map_err(|_| AppError::not_found())
}

/// Tenants the caller may see: every tenant for a host admin, otherwise the caller's own.
#[utoipa::path(get, path = "/api/v1/tenants", responses(
    (status = 200, body = [TenantDto]),
    (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn list_tenants(
    user: ApiUser,
    State(st): State<AppState>,
) -> Result<Json<Vec<TenantDto>>, AppError> {
    if may(&user.principal, Action::ViewTenants, &Resource::host()) {
        let all = st.db().tenants().await.map_err(store_error)?;
        let mut out = Vec::with_capacity(all.len());
        for t in &all {
            out.push(tenant_dto(&st, t).await?);
        }
        return Ok(Json(out));
    }
    let tenant = user.tenant_id();
    user.authorize(Action::ViewDirectory, &Resource::tenant(tenant))?;
    let own = st
        .db()
        .tenant(tenant)
        .await
        .map_err(store_error)?
        .ok_or_else(AppError::not_found)?;
    Ok(Json(vec![tenant_dto(&st, &own).await?]))
}

/// One tenant.
#[utoipa::path(get, path = "/api/v1/tenants/{id}", params(("id" = Uuid, Path, description = "Tenant id")), responses(
    (status = 200, body = TenantDto),
    (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_tenant(
    user: ApiUser,
    State(st): State<AppState>,
    VPath(id): VPath<String>,
) -> Result<Json<TenantDto>, AppError> {
    let id = TenantId(parse_uuid(&id)?);
    let allowed = may(&user.principal, Action::ViewTenants, &Resource::host())
        || user
            .authorize(Action::ViewDirectory, &Resource::tenant(id))
            .is_ok();
    if !allowed {
        // Another tenant's id is indistinguishable from an unknown one.
        return Err(AppError::not_found());
    }
    let t = st
        .db()
        .tenant(id)
        .await
        .map_err(store_error)?
        .ok_or_else(AppError::not_found)?;
    Ok(Json(tenant_dto(&st, &t).await?))
}

/// Every org unit of the caller's tenant.
#[utoipa::path(get, path = "/api/v1/units", responses(
    (status = 200, body = [UnitDto]),
    (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn list_units(
    user: ApiUser,
    State(st): State<AppState>,
) -> Result<Json<Vec<UnitDto>>, AppError> {
    let tenant = user.tenant_id();
    user.authorize(Action::ViewDirectory, &Resource::tenant(tenant))?;
    let units = st.db().units(tenant).await.map_err(store_error)?;
    Ok(Json(units.iter().map(UnitDto::from).collect()))
}

fn unit_resource(
    units: &[vakt_core::directory::OrgUnit],
    unit: Option<UnitId>,
    tenant: TenantId,
) -> Resource {
    Resource::in_unit(tenant, crate::directory::unit_path(units, unit))
}

/// One org unit.
#[utoipa::path(get, path = "/api/v1/units/{id}", params(("id" = Uuid, Path, description = "Unit id")), responses(
    (status = 200, body = UnitDto),
    (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_unit(
    user: ApiUser,
    State(st): State<AppState>,
    VPath(id): VPath<String>,
) -> Result<Json<UnitDto>, AppError> {
    let tenant = user.tenant_id();
    let id = UnitId(parse_uuid(&id)?);
    let units = st.db().units(tenant).await.map_err(store_error)?;
    let unit = units
        .iter()
        .find(|u| u.id == id)
        .ok_or_else(AppError::not_found)?;
    user.authorize(
        Action::ViewDirectory,
        &unit_resource(&units, Some(id), tenant),
    )?;
    Ok(Json(UnitDto::from(unit)))
}

/// Search people of the caller's tenant, a page at a time.
#[utoipa::path(get, path = "/api/v1/people", params(PeopleQuery), responses(
    (status = 200, body = PeoplePage),
    (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn list_people(
    user: ApiUser,
    State(st): State<AppState>,
    VQuery(q): VQuery<PeopleQuery>,
) -> Result<Json<PeoplePage>, AppError> {
    let tenant = user.tenant_id();
    user.authorize(Action::ViewDirectory, &Resource::tenant(tenant))?;
    let text = q.q.unwrap_or_default();
    if text.chars().count() > crate::directory::MAX_QUERY_CHARS {
        return Err(AppError::bad_request("dir-err-too-long")
            .with_arg("field", "q")
            .with_arg("max", crate::directory::MAX_QUERY_CHARS));
    }
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let offset = q.offset.unwrap_or(0);
    let text = text.trim();
    let query = vakt_store::PeopleQuery {
        text: (!text.is_empty()).then(|| text.to_owned()),
        unit: q.unit.map(UnitId),
        state: None,
        limit: u32::try_from(limit).unwrap_or(50),
        offset,
        after: q.after.map(PersonId),
        before: None,
    };
    let page = st
        .db()
        .search_people(tenant, &query)
        .await
        .map_err(|e| match e {
            vakt_store::StoreError::Invalid("people.cursor_unknown") => {
                AppError::bad_request("api-err-invalid-request").with_arg("detail", "after")
            }
            e => store_error(e),
        })?;
    let next_after = page
        .has_more
        .then(|| page.items.last().map(|p| p.id.as_uuid()))
        .flatten();
    Ok(Json(PeoplePage {
        has_more: page.has_more,
        offset,
        limit,
        next_after,
        items: page.items.iter().map(PersonDto::from).collect(),
    }))
}

/// One person.
#[utoipa::path(get, path = "/api/v1/people/{id}", params(("id" = Uuid, Path, description = "Person id")), responses(
    (status = 200, body = PersonDto),
    (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_person(
    user: ApiUser,
    State(st): State<AppState>,
    VPath(id): VPath<String>,
) -> Result<Json<PersonDto>, AppError> {
    let tenant = user.tenant_id();
    let id = PersonId(parse_uuid(&id)?);
    let person = st
        .db()
        .person(tenant, id)
        .await
        .map_err(store_error)?
        .ok_or_else(AppError::not_found)?;
    let units = st.db().units(tenant).await.map_err(store_error)?;
    user.authorize(
        Action::ViewDirectory,
        &unit_resource(&units, person.unit, tenant),
    )?;
    Ok(Json(PersonDto::from(&person)))
}

/// Import people from CSV (the body, `text/csv`, UTF-8). Idempotent on employee number. Every row is
/// validated first; when any is bad nothing is written (422 with every problem) unless `skip_invalid=true`.
#[utoipa::path(post, path = "/api/v1/people/import", params(ImportQuery),
    request_body(content = String, content_type = "text/csv", description = "The people CSV: header row, then one person per row"),
    responses(
        (status = 200, body = ImportResult),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, description = "Invalid rows; nothing was imported", body = ErrorBody)))]
async fn import_people(
    user: ApiUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VQuery(q): VQuery<ImportQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let tenant = user.tenant_id();
    user.authorize(Action::ImportPeople, &Resource::tenant(tenant))?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type.to_ascii_lowercase().starts_with("text/csv") {
        return Err(AppError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "api-err-invalid-request",
        )
        .with_arg("detail", "Content-Type: text/csv"));
    }
    let lang = user.lang;
    let ctx = st.db().import_context(tenant).await.map_err(store_error)?;
    let plan = vakt_core::directory::validate_people_csv(&body, &ctx);
    if !plan.is_clean() && !q.skip_invalid.unwrap_or(false) {
        let problems = crate::directory::import::problems(lang, &plan.errors);
        let count = plan.bad_lines().len();
        let body = ErrorBody {
            error: ErrorDetail {
                code: "import_invalid".into(),
                message: crate::i18n::t(lang, "api-err-import-invalid", &[("count", count.into())]),
                problems,
            },
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response());
    }
    let mut tx = st
        .db()
        .write(&user.audit_ctx(ip))
        .await
        .map_err(store_error)?;
    let outcome = tx
        .apply_import(&plan, vakt_store::ImportMode::SkipInvalid)
        .await
        .map_err(store_error)?;
    tx.commit().await.map_err(store_error)?;
    crate::directory::import::after_bulk_import(&st, outcome.created + outcome.updated).await;
    Ok(Json(ImportResult {
        created: outcome.created,
        updated: outcome.updated,
        unchanged: outcome.unchanged,
        skipped: crate::directory::import::problems(lang, &plan.errors),
    })
    .into_response())
}

/// The language API messages use when nothing else says (the token's account preference wins).
pub const DEFAULT_LANG: Lang = Lang::En;
