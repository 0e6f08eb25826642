//! Public pages.

use actix_web::{get, web};

use crate::chrome::Chrome;
use crate::state::AppState;
use crate::views::HomePage;

#[get("/")]
pub async fn get_home(req: actix_web::HttpRequest, state: web::Data<AppState>) -> HomePage {
    HomePage {
        chrome: Chrome::of(&req).await,
        // Exactly the issuer identifier (`iss`, discovery's `issuer`), which
        // a developer copies into a relying party's configuration.
        issuer: state.issuer_str().to_owned(),
    }
}

/// Embedded static assets: (path under /static/, content type, body).
const ASSETS: &[(&str, &str, &str)] = &[
    (
        "latchkey.css",
        "text/css; charset=utf-8",
        include_str!("../../../static/latchkey.css"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_str!("../../../static/favicon.svg"),
    ),
    (
        "latchkey.js",
        "text/javascript; charset=utf-8",
        include_str!("../../../static/latchkey.js"),
    ),
    (
        "admin.js",
        "text/javascript; charset=utf-8",
        include_str!("../../../static/admin.js"),
    ),
];

#[get("/static/{name}")]
pub async fn get_static(name: web::Path<String>) -> actix_web::HttpResponse {
    match ASSETS.iter().find(|(n, _, _)| *n == name.as_str()) {
        Some((_, content_type, body)) => actix_web::HttpResponse::Ok()
            .content_type(*content_type)
            .insert_header(("cache-control", "public, max-age=3600"))
            .body(*body),
        None => actix_web::ResponseError::error_response(&crate::WebError::NotFound),
    }
}
