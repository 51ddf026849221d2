//! Whether a page has settled: the signal that lets the oracle answer "logged out" as soon as a page
//! is done instead of after a fixed wait, without being fooled by a page that renders late.
//!
//! A script installed before any of the page's own (CDP `Page.addScriptToEvaluateOnNewDocument`,
//! BiDi `script.addPreloadScript`) counts the page's pending work: `fetch` calls and the reading of
//! their bodies, `XMLHttpRequest`s, timers of up to 10 s (not those a timer chain re-arms beyond five
//! links deep: polling loops), scripts inserted by script until they load, and a navigation the page
//! has started. A `MutationObserver` notes the last change to the document (`style` attributes
//! excepted: animations). What it leaves out on purpose, because it never ends while the page is
//! shown: WebSockets, EventSource streams, `sendBeacon` and `keepalive` fetches (analytics beacons).
//! Long-polls look like any fetch; the engine stops waiting for work older than it is willing to
//! wait for (see `engine::oracle`).
//!
//! One script call ([`LOOK_JS`]) reads the counters and, in the same round trip, whether the element
//! the oracle asks about is present.

use std::time::Duration;

use serde_json::Value;

/// Installed in every document before the page's own scripts run (idempotent per document).
pub(crate) const PROBE_JS: &str = r#"(function () {
  if (window.__usherSettle) { return; }
  var now = function () { return performance.now(); };
  var s = { last: now(), pending: new Map(), next: 0, depth: 0, leaving: false };
  try {
    Object.defineProperty(window, "__usherSettle", { value: s, enumerable: false });
  } catch (e) { return; }
  function begin(kind) { var id = ++s.next; s.pending.set(id, now()); return id; }
  function end(id) { if (s.pending.delete(id)) { s.last = now(); } }
  function track(p, id) {
    try { p.then(function () { end(id); }, function () { end(id); }); } catch (e) { end(id); }
    return p;
  }
  var F = window.fetch;
  if (F) {
    window.fetch = function (input, init) {
      // keepalive fetches are beacons: they may outlive the page and never matter to it.
      if (init && init.keepalive) { return F.apply(this, arguments); }
      var id = begin("fetch");
      try { return track(F.apply(this, arguments), id); } catch (e) { end(id); throw e; }
    };
  }
  if (window.Response) {
    ["json", "text", "blob", "arrayBuffer", "formData"].forEach(function (m) {
      var orig = Response.prototype[m];
      if (!orig) { return; }
      Response.prototype[m] = function () {
        var id = begin("body");
        try { return track(orig.apply(this, arguments), id); } catch (e) { end(id); throw e; }
      };
    });
  }
  if (window.XMLHttpRequest) {
    var send = XMLHttpRequest.prototype.send;
    XMLHttpRequest.prototype.send = function () {
      var id = begin("xhr");
      this.addEventListener("loadend", function () { end(id); });
      try { return send.apply(this, arguments); } catch (e) { end(id); throw e; }
    };
  }
  var ST = window.setTimeout, CT = window.clearTimeout, timers = new Map();
  window.setTimeout = function (fn, ms) {
    var delay = Number(ms) || 0;
    var depth = s.depth;
    if (typeof fn !== "function" || delay > 10000 || depth >= 5) { return ST.apply(this, arguments); }
    var id = begin("timer"), args = Array.prototype.slice.call(arguments, 2), h;
    h = ST.call(this, function () {
      timers.delete(h);
      s.depth = depth + 1;
      try { return fn.apply(this, args); } finally { s.depth = depth; end(id); }
    }, delay);
    timers.set(h, id);
    return h;
  };
  window.clearTimeout = function (h) {
    var id = timers.get(h);
    if (id) { timers.delete(h); end(id); }
    return CT.apply(this, arguments);
  };
  function resource(node) {
    if (node.nodeType !== 1 || node.tagName !== "SCRIPT" || !node.src) { return; }
    var id = begin("script");
    node.addEventListener("load", function () { end(id); });
    node.addEventListener("error", function () { end(id); });
  }
  new MutationObserver(function (records) {
    for (var i = 0; i < records.length; i++) {
      var r = records[i];
      if (r.type === "attributes" && r.attributeName === "style") { continue; }
      s.last = now();
      if (r.type === "childList" && document.readyState === "complete") {
        r.addedNodes.forEach(resource);
      }
    }
  }).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  window.addEventListener("beforeunload", function () { s.leaving = true; });
  window.addEventListener("pageshow", function () { s.leaving = false; s.last = now(); });
})();"#;

/// One look: `[present, watched, complete, quiet_ms, [pending ages ms], url, inert, other]`;
/// `arguments[0]` is a CSS selector or null, `arguments[1]` another (the oracle's `otherwise`) or
/// null. `present` and `other` are null when not asked or the selector is not valid CSS. The
/// document's URL comes along so that an answer needs no second round trip to say where it was
/// given. Always one synchronous script: a wait is a look per round trip from usher, which a page
/// replacing itself only interrupts (a wait inside the page would die with the document, unanswered).
///
/// `inert`: the document holds nothing that can run or bring in content after it has loaded: no
/// script element, no inline event handler, no frame or plugin, no shadow root, no meta refresh, and
/// no work was ever started in it. Once loaded, such a document is what it will stay (only a
/// navigation replaces it, which the next look sees), so there is nothing to wait for. Checked on
/// every look, never remembered: a step's own script may change the document.
pub(crate) const LOOK_JS: &str = concat!(
    super::shadow::query_js!(),
    r#"var ask = function (sel) {
  if (sel === null || sel === undefined) { return null; }
  try { return usherQuery(sel) !== null; } catch (e) { return null; }
};
var present = ask(arguments[0]), other = ask(arguments[1]);
var s = window.__usherSettle;
if (!s) { return [present, false]; }
var t = performance.now(), ages = [];
s.pending.forEach(function (at) { ages.push(Math.round(t - at)); });
var complete = document.readyState === "complete" && !s.leaving, inert = false;
if (complete && s.next === 0 && ages.length === 0 &&
    !document.querySelector("script, iframe, frame, object, embed, portal, meta[http-equiv='refresh' i]")) {
  inert = true;
  var all = document.getElementsByTagName("*");
  for (var i = 0; inert && i < all.length; i++) {
    if (all[i].shadowRoot) { inert = false; break; }
    var at = all[i].attributes;
    for (var j = 0; j < at.length; j++) {
      if (at[j].name.slice(0, 2).toLowerCase() === "on") { inert = false; break; }
    }
  }
}
return [present, true, complete, Math.round(t - s.last), ages, String(location.href), inert, other];"#
);

/// How settled the current document is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settle {
    /// `document.readyState` is `complete` and no navigation away has started.
    pub complete: bool,
    /// Since the last DOM change or the end of the last piece of pending work.
    pub quiet: Duration,
    /// How long each piece of pending work has been running.
    pub pending: Vec<Duration>,
    /// Nothing in the document can change it once loaded (see [`LOOK_JS`]).
    pub inert: bool,
}

impl Settle {
    /// Done: loaded, and either inert or with nothing pending that started less than `long_lived`
    /// ago and no change for `quiet`.
    pub fn is_settled(&self, quiet: Duration, long_lived: Duration) -> bool {
        self.complete
            && (self.inert
                || (self.quiet >= quiet && self.pending.iter().all(|age| *age >= long_lived)))
    }
}

/// What one [`LOOK_JS`] call saw.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Look {
    /// Whether the CSS selector asked about matches (None: not asked, or not answerable here).
    pub present: Option<bool>,
    /// None: this document is not watched (opened before the probe was installed, or no scripts).
    pub settle: Option<Settle>,
    /// The document's URL (watched documents only).
    pub url: Option<String>,
    /// Whether the second selector asked about matches (watched documents only; None: not asked).
    pub other: Option<bool>,
}

fn ms(v: &Value) -> Duration {
    Duration::from_millis(v.as_f64().map_or(0, |f| f.max(0.0) as u64))
}

impl Look {
    pub(crate) fn parse(v: &Value) -> Look {
        let Some(a) = v.as_array() else {
            return Look::default();
        };
        let present = a.first().and_then(Value::as_bool);
        if a.get(1).and_then(Value::as_bool) != Some(true) {
            return Look {
                present,
                ..Look::default()
            };
        }
        Look {
            present,
            settle: Some(Settle {
                complete: a.get(2).and_then(Value::as_bool).unwrap_or(false),
                quiet: a.get(3).map(ms).unwrap_or_default(),
                pending: a
                    .get(4)
                    .and_then(Value::as_array)
                    .map(|v| v.iter().map(ms).collect())
                    .unwrap_or_default(),
                inert: a.get(6).and_then(Value::as_bool).unwrap_or(false),
            }),
            url: a.get(5).and_then(Value::as_str).map(String::from),
            other: a.get(7).and_then(Value::as_bool),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn looks_parse_and_judge() {
        let l = Look::parse(&json!([
            false,
            true,
            true,
            250,
            [40, 9000],
            "http://a.test/x"
        ]));
        assert_eq!(l.present, Some(false));
        assert_eq!(l.url.as_deref(), Some("http://a.test/x"));
        let s = l.settle.unwrap();
        let q = Duration::from_millis(100);
        // Young work pending: not settled; once only old (long-lived) work is left, settled.
        assert!(!s.is_settled(q, Duration::from_secs(5)));
        let old = Settle {
            pending: vec![Duration::from_secs(9)],
            ..s.clone()
        };
        assert!(old.is_settled(q, Duration::from_secs(5)));
        let loading = Settle {
            complete: false,
            pending: vec![],
            ..s
        };
        assert!(!loading.is_settled(q, Duration::from_secs(5)));
        // An inert document is settled once loaded, however recently it changed.
        let inert = Look::parse(&json!([false, true, true, 0, [], "http://a.test/", true]))
            .settle
            .unwrap();
        assert!(inert.inert && inert.is_settled(q, Duration::from_secs(5)));
        let inert_loading = Settle {
            complete: false,
            ..inert
        };
        assert!(!inert_loading.is_settled(q, Duration::from_secs(5)));
        assert_eq!(Look::parse(&json!([true, false])).settle, None);
        assert_eq!(l.other, None);
        let both = Look::parse(&json!([
            false,
            true,
            true,
            0,
            [],
            "http://a.test/",
            false,
            true
        ]));
        assert_eq!((both.present, both.other), (Some(false), Some(true)));
        assert_eq!(Look::parse(&json!(null)), Look::default());
    }
}
