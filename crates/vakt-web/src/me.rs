//! "My page" (`/me`): the greeting and one section per capability that later issues fill.

use askama::Template;
use axum::response::Response;
use vakt_core::authz::Action;

use crate::{
    error::AppError,
    extract::CurrentUser,
    page::{Page, render},
};

/// One section of my page.
pub struct Section {
    pub id: &'static str,
    pub heading: &'static str,
    pub empty: &'static str,
}

/// The sections, in order. Later capabilities replace the empty text with their own lists.
pub const SECTIONS: &[Section] = &[
    Section {
        id: "sign",
        heading: "me-sign-heading",
        empty: "me-sign-empty",
    },
    Section {
        id: "courses",
        heading: "me-courses-heading",
        empty: "me-courses-empty",
    },
    Section {
        id: "equipment",
        heading: "me-equipment-heading",
        empty: "me-equipment-empty",
    },
    Section {
        id: "access",
        heading: "me-access-heading",
        empty: "me-access-empty",
    },
    Section {
        id: "reports",
        heading: "me-reports-heading",
        empty: "me-reports-empty",
    },
];

#[derive(Template)]
#[template(path = "me/index.html")]
struct MePage {
    page: Page,
    name: String,
    sections: &'static [Section],
    instr: crate::instructions::MySection,
}

/// `GET /me`.
pub async fn me(
    user: CurrentUser,
    axum::extract::State(st): axum::extract::State<crate::AppState>,
) -> Result<Response, AppError> {
    user.authorize_own(Action::ViewOwnPage)?;
    let page = user.page("me-title", "/me");
    let instr = crate::instructions::my_section(&st, &user).await?;
    render(&MePage {
        page,
        name: user.display_name.clone(),
        sections: SECTIONS,
        instr,
    })
}
