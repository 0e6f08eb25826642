//! Public pages.

use actix_web::{get, web};

use crate::state::AppState;
use crate::views::HomePage;

#[get("/")]
pub async fn get_home(state: web::Data<AppState>) -> HomePage {
    HomePage {
        issuer: state.issuer.to_string(),
    }
}

const STYLESHEET: &str = include_str!("../../../static/latchkey.css");

#[get("/static/latchkey.css")]
pub async fn get_stylesheet() -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header(("cache-control", "public, max-age=3600"))
        .body(STYLESHEET)
}
