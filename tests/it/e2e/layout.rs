//! Layout at a till's screen size (issue 12 item 7): the window sized to a viewport, and the
//! rule every screen is checked by.

use std::time::Duration;

use serde_json::json;

use super::window::Window;

/// A common till screen.
pub(crate) const TILL: (u32, u32) = (1024, 768);

impl Window {
    /// Sizes the window so that its viewport (`innerWidth` x `innerHeight`) is `width` x
    /// `height`: WebDriver's rect is the outer window, so the difference is measured and
    /// added, then checked to have taken.
    pub(crate) async fn set_viewport(&self, width: u32, height: u32) {
        let (width, height) = (i64::from(width), i64::from(height));
        let inner = || async {
            let size = self
                .script("return [window.innerWidth, window.innerHeight];")
                .await;
            (size[0].as_i64().unwrap_or(0), size[1].as_i64().unwrap_or(0))
        };
        let (mut outer_w, mut outer_h) = (width, height);
        for _ in 0..4 {
            self.set_outer_size(outer_w as u32, outer_h as u32).await;
            // The webview lays out again after the window manager's answer.
            tokio::time::sleep(Duration::from_millis(400)).await;
            let (w, h) = inner().await;
            if (w, h) == (width, height) {
                return;
            }
            outer_w += width - w;
            outer_h += height - h;
        }
        let (w, h) = inner().await;
        assert_eq!(
            (w, h),
            (width, height),
            "the viewport did not take {width}x{height}"
        );
    }

    /// What is wrong with the layout of the screen shown now, one line per fault. The rule:
    ///
    /// - every visible control (button, input, select, textarea, link, `[role=button]`) lies
    ///   wholly inside the viewport, OR inside a scroll container the user can scroll (an element
    ///   between it and the page with `overflow` auto or scroll whose content is larger than its
    ///   box) that itself lies wholly inside the viewport. The page itself scrolling does not
    ///   count: that is "below the fold";
    /// - the page (document) does not scroll, in either direction;
    /// - no visible table column header is cut: `scrollWidth <= clientWidth` for every `th`;
    /// - no visible button's words are cut: `scrollWidth <= clientWidth` ("WeChat Pa…");
    /// - each of `must_show` (CSS selectors) that is present lies wholly inside the viewport with
    ///   no scrolling at all (the counter's amount and Create, for one).
    ///
    /// Hidden elements (display none, visibility hidden, no box) are not judged. One pixel of
    /// rounding is allowed.
    pub(crate) async fn layout_faults(&self, screen: &str, must_show: &[&str]) -> Vec<String> {
        const SCRIPT: &str = r#"
const [screen, mustShow] = arguments;
const vw = window.innerWidth, vh = window.innerHeight, slack = 1;
const faults = [];
const visible = (e) => {
  // The content of a closed <details> (all but its summary) is not shown.
  const closed = e.closest('details:not([open])');
  if (closed && !(closed.querySelector(':scope > summary') || closed).contains(e)) return false;
  for (let p = e; p; p = p.parentElement) {
    const s = getComputedStyle(p);
    if (s.display === 'none' || s.visibility === 'hidden' || s.visibility === 'collapse') return false;
  }
  const r = e.getBoundingClientRect();
  return r.width > 0 && r.height > 0;
};
const inView = (r) => r.left >= -slack && r.top >= -slack && r.right <= vw + slack && r.bottom <= vh + slack;
const name = (e) => {
  const id = e.getAttribute('data-testid');
  const text = (e.innerText || e.value || e.getAttribute('aria-label') || e.getAttribute('placeholder') || '').trim().replace(/\s+/g, ' ').slice(0, 40);
  return `${e.tagName.toLowerCase()}${id ? `[data-testid=${id}]` : ''}${e.type ? `(${e.type})` : ''}${text ? ` "${text}"` : ''}`;
};
const box = (r) => `at x ${Math.round(r.left)}..${Math.round(r.right)}, y ${Math.round(r.top)}..${Math.round(r.bottom)}`;
const scroller = (e) => {
  for (let p = e.parentElement; p && p !== document.body && p !== document.documentElement; p = p.parentElement) {
    const s = getComputedStyle(p);
    const y = /(auto|scroll)/.test(s.overflowY) && p.scrollHeight > p.clientHeight + slack;
    const x = /(auto|scroll)/.test(s.overflowX) && p.scrollWidth > p.clientWidth + slack;
    if (x || y) return p;
  }
  return null;
};
const doc = document.scrollingElement || document.documentElement;
if (doc.scrollHeight > doc.clientHeight + slack || doc.scrollWidth > doc.clientWidth + slack) {
  faults.push(`${screen}: the page itself scrolls (${doc.scrollWidth}x${doc.scrollHeight} in ${doc.clientWidth}x${doc.clientHeight}): what is below ${doc.clientHeight}px is below the fold`);
}
for (const e of document.querySelectorAll('button, input, select, textarea, a[href], [role=button]')) {
  if (e.type === 'hidden' || !visible(e)) continue;
  const r = e.getBoundingClientRect();
  if (inView(r)) continue;
  const s = scroller(e);
  if (s && inView(s.getBoundingClientRect())) continue;
  faults.push(`${screen}: ${name(e)} is ${box(r)}, outside the ${vw}x${vh} window${s ? ` (its scroll container ${name(s)} is ${box(s.getBoundingClientRect())}, outside too)` : ' and in no scroll container'}`);
}
for (const th of document.querySelectorAll('th')) {
  if (!visible(th)) continue;
  if (th.scrollWidth > th.clientWidth + slack) {
    faults.push(`${screen}: column header "${th.innerText.trim()}" is cut: ${th.scrollWidth}px of words in ${th.clientWidth}px`);
  }
}
for (const b of document.querySelectorAll('button')) {
  if (!visible(b)) continue;
  if (b.scrollWidth > b.clientWidth + slack) {
    faults.push(`${screen}: ${name(b)}'s words are cut: ${b.scrollWidth}px in ${b.clientWidth}px`);
  }
}
for (const css of mustShow) {
  const e = document.querySelector(css);
  if (!e || !visible(e)) continue;
  const r = e.getBoundingClientRect();
  if (!inView(r)) faults.push(`${screen}: ${name(e)} must show without scrolling but is ${box(r)} in a ${vw}x${vh} window`);
}
return faults;
"#;
        let answer = self.script_with(SCRIPT, json!([screen, must_show])).await;
        answer
            .as_array()
            .unwrap_or_else(|| panic!("the layout check did not run on {screen}: {answer}"))
            .iter()
            .map(|f| f.as_str().unwrap_or_default().to_string())
            .collect()
    }
}
