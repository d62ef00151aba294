//! The frame of the sandbox's customer pages (each gateway's payment page, the card form):
//! one look, and text escaped into it.

use axum::response::Html;

pub(super) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

pub(super) fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=en><head><meta charset=utf-8><meta name=viewport content='width=device-width'>\
         <title>{title} · Paydesk sandbox</title><style>body{{font:18px system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#123}}\
         .amount{{font-size:2.5rem;font-weight:700}}button{{font-size:1.2rem;padding:.8rem 1.6rem;margin:.4rem .4rem 0 0;border-radius:.5rem;border:0;cursor:pointer}}\
         .pay{{background:#0a7d55;color:#fff}}.decline{{background:#e5e7eb}}.note{{color:#667;font-size:.9rem}}</style></head>\
         <body><p class=note>Paydesk sandbox: no real money moves.</p>{body}</body></html>"
    ))
}
