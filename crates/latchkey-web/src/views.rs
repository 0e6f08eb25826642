//! Page views, one type per template under `templates/`.

use askama::Template;
use askama_web::WebTemplate;

#[derive(Debug, Template, WebTemplate)]
#[template(path = "pages/home.html")]
pub struct HomePage {
    pub issuer: String,
}
