//! The instance's branding as the pages use it: the logo (stored in the
//! database, so every node serves the same bytes) and a small stylesheet
//! that sets the primary colour. Both are served from our own origin with a
//! strong ETag; the pages link them, so a change in the console shows on the
//! next page load everywhere (within the settings cache, 5 s).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use latchkey_store::branding::Brand;

use crate::error::WebError;
use crate::state::AppState;

/// A logo is an image, never a document: an SVG opened on its own runs no
/// script and loads nothing (it is also checked for both when it is set).
const LOGO_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

/// Whether the request's `If-None-Match` names `etag` (quoted).
fn fresh(req: &HttpRequest, etag: &str) -> bool {
    req.headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| latchkey_oidc::published::names(v, etag))
}

/// `200` with the body, or `304` when the client holds this version. Pages
/// revalidate at each load (`no-cache`), so a change shows at once.
fn serve(req: &HttpRequest, etag: &str, content_type: &str, body: web::Bytes) -> HttpResponse {
    let mut res = if fresh(req, etag) {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header((header::CACHE_CONTROL, "public, no-cache"))
        .insert_header((header::ETAG, etag));
    if fresh(req, etag) {
        return res.finish();
    }
    res.content_type(content_type).body(body)
}

/// The instance's logo; `404` when it has none.
#[get("/branding/logo")]
pub async fn get_logo(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, WebError> {
    let brand = state.accounts.settings().brand().current().await?;
    let Some(logo) = &brand.logo else {
        return Err(WebError::NotFound);
    };
    let etag = format!("\"{}\"", logo.etag);
    let mut res = serve(
        &req,
        &etag,
        logo.kind.mime(),
        web::Bytes::from_owner(logo.bytes.clone()),
    );
    res.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        header::HeaderValue::from_static(LOGO_CSP),
    );
    Ok(res)
}

/// An application's logo (set by an administrator, fetched once and
/// stored); `404` when it has none or there is no such application.
#[get("/clients/{id}/logo")]
pub async fn get_client_logo(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let id = latchkey_core::ClientId::parse(&path).map_err(|_| WebError::NotFound)?;
    let shown = state.oidc.client_presentation(&id).await?;
    let (Some(kind), Some(bytes)) = (shown.logo_type, shown.logo) else {
        return Err(WebError::NotFound);
    };
    let digest = ring::digest::digest(&ring::digest::SHA256, &bytes);
    let etag = format!("\"{}\"", hex_prefix(digest.as_ref()));
    let mut res = serve(&req, &etag, &kind, bytes.into());
    res.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        header::HeaderValue::from_static(LOGO_CSP),
    );
    Ok(res)
}

/// The first 12 bytes of a digest in hex: an ETag.
fn hex_prefix(digest: &[u8]) -> String {
    digest[..12].iter().map(|b| format!("{b:02x}")).collect()
}

/// The stylesheet that puts the instance's colour on primary actions (in
/// light and dark mode alike: it was checked against their white text).
#[get("/branding.css")]
pub async fn get_stylesheet(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, WebError> {
    let brand = state.accounts.settings().brand().current().await?;
    let css = stylesheet(&brand);
    let digest = ring::digest::digest(&ring::digest::SHA256, css.as_bytes());
    let etag = hex_prefix(digest.as_ref());
    Ok(serve(
        &req,
        &format!("\"{etag}\""),
        "text/css; charset=utf-8",
        css.into(),
    ))
}

fn stylesheet(brand: &Brand) -> String {
    match brand.colour {
        Some(c) => format!(
            ":root {{ --accent: {c}; --accent-hover: {hover}; --on-accent: #ffffff; }}\n",
            hover = c.darker(0.15)
        ),
        None => "/* the built-in palette */\n".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use latchkey_core::branding::Colour;

    use super::*;

    #[test]
    fn the_stylesheet_sets_the_colour_only_when_one_is_chosen() {
        assert!(!stylesheet(&Brand::default()).contains("--accent"));
        let brand = Brand {
            colour: Some(Colour([0x1f, 0x4f, 0xd1])),
            ..Brand::default()
        };
        let css = stylesheet(&brand);
        assert!(css.contains("--accent: #1f4fd1;"), "{css}");
        assert!(css.contains("--accent-hover: #1a43b2;"), "{css}");
    }
}
