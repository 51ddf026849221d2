// Ticketbooth's single-page app (`usher demo serve --auth jwt`): every page is rendered here from the
// JSON API. Where the access token lives is the server's `--token-storage` (the <html> element's
// data-token-storage): memory (this variable only; each page load refreshes from the HttpOnly
// tb_refresh cookie), local or session (Web Storage key tb_access), or cookie (an HttpOnly cookie
// this script never sees). Text from the API goes in through textContent only.
(function () {
  "use strict";
  var STORAGE = document.documentElement.getAttribute("data-token-storage") || "memory";
  var KEY = "tb_access";
  var token = null;

  function webStorage() {
    if (STORAGE === "local") return window.localStorage;
    if (STORAGE === "session") return window.sessionStorage;
    return null;
  }

  function keep(value) {
    token = STORAGE === "cookie" ? null : value;
    var store = webStorage();
    if (!store) return;
    if (value) store.setItem(KEY, value); else store.removeItem(KEY);
  }

  function refresh() {
    return fetch("/api/token/refresh", { method: "POST", credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (!body) { keep(null); return false; }
        keep(body.access_token);
        return true;
      })
      .catch(function () { return false; });
  }

  // One refresh and one retry on a 401, as SPAs do when the access token ran out.
  function api(path, options, retried) {
    options = options || {};
    var headers = {};
    if (options.body) headers["Content-Type"] = "application/json";
    if (token) headers["Authorization"] = "Bearer " + token;
    return fetch(path, {
      method: options.method || "GET",
      headers: headers,
      body: options.body ? JSON.stringify(options.body) : undefined,
      credentials: "same-origin"
    }).then(function (r) {
      if (r.status !== 401 || retried || options.noRetry) return r;
      return refresh().then(function (ok) { return ok ? api(path, options, true) : r; });
    });
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function field(form, id, label, type, autocomplete) {
    form.appendChild(el("label", { "for": id }, label));
    form.appendChild(el("input", { type: type, id: id, name: id, autocomplete: autocomplete, required: "" }));
  }

  // /api/me is asked even when no token was found: the browser may hold one the script does not
  // see (the HttpOnly cookie of cookie mode, or a header a test harness adds to every request).
  function whoami() {
    var start = token || STORAGE === "cookie" ? Promise.resolve(false) : refresh().then(function () { return true; });
    return start.then(function (refreshed) {
      return api("/api/me", { noRetry: refreshed }).then(function (r) { return r.ok ? r.json() : null; });
    }).catch(function () { return null; });
  }

  function renderNav(user) {
    var slot = document.getElementById("nav-user");
    slot.textContent = "";
    if (user) {
      slot.appendChild(el("a", { id: "account-link", href: "/account" }, "Account"));
      slot.appendChild(el("span", { id: "whoami" }, user.email));
      var button = el("button", { id: "logout", type: "button" }, "Log out");
      button.addEventListener("click", function () {
        api("/api/logout", { method: "POST", noRetry: true }).finally(function () {
          keep(null);
          window.location.assign("/");
        });
      });
      slot.appendChild(button);
    } else {
      slot.appendChild(el("a", { id: "login-link", href: "/login" }, "Log in"));
    }
    document.body.setAttribute("data-auth", user ? "user" : "anonymous");
  }

  function toLogin(path) {
    window.location.replace("/login?next=" + encodeURIComponent(path));
  }

  function events(main) {
    document.title = "Events · Ticketbooth";
    main.appendChild(el("h1", {}, "Upcoming events"));
    var list = el("ul", { id: "events" });
    main.appendChild(list);
    return api("/api/events").then(function (r) { return r.json(); }).then(function (all) {
      all.forEach(function (e) {
        var item = el("li");
        item.appendChild(el("a", { id: "event-" + e.id, "class": "event-link", href: "/events/" + e.id }, e.name));
        list.appendChild(item);
      });
    });
  }

  function eventPage(main, id) {
    return api("/api/events").then(function (r) { return r.json(); }).then(function (all) {
      var e = all.filter(function (x) { return String(x.id) === id; })[0];
      if (!e) { main.appendChild(el("h1", { id: "not-found" }, "No such event")); return; }
      document.title = e.name + " · Ticketbooth";
      main.appendChild(el("h1", { id: "event-name" }, e.name));
      main.appendChild(el("p", { id: "event-venue" }, e.venue));
      main.appendChild(el("p", { id: "event-date" }, e.date));
    });
  }

  function loginPage(main) {
    document.title = "Log in · Ticketbooth";
    main.appendChild(el("h1", {}, "Log in"));
    var card = el("div", { "class": "card" });
    var error = el("p", { id: "login-error", "class": "error", hidden: "" });
    var form = el("form", { id: "login-form" });
    field(form, "email", "Email", "email", "username");
    field(form, "password", "Password", "password", "current-password");
    var submit = el("div");
    submit.appendChild(el("button", { id: "login-submit", type: "submit" }, "Log in"));
    form.appendChild(submit);
    card.appendChild(error);
    card.appendChild(form);
    main.appendChild(card);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = {
        email: document.getElementById("email").value,
        password: document.getElementById("password").value
      };
      api("/api/login", { method: "POST", body: body, noRetry: true })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (answer) {
          if (!answer) {
            error.textContent = "Wrong email or password.";
            error.hidden = false;
            return;
          }
          keep(answer.access_token);
          var next = new URLSearchParams(window.location.search).get("next");
          window.location.assign(next && next.charAt(0) === "/" && next.charAt(1) !== "/" ? next : "/account");
        });
    });
  }

  function accountPage(main, user) {
    if (!user) return toLogin("/account");
    document.title = "Your account · Ticketbooth";
    main.appendChild(el("h1", {}, "Your account"));
    var card = el("div", { "class": "card" });
    var email = el("p", {}, "Email: ");
    email.appendChild(el("span", { id: "account-email" }, user.email));
    var name = el("p", {}, "Name: ");
    name.appendChild(el("span", { id: "account-name" }, user.name));
    card.appendChild(email);
    card.appendChild(name);
    card.appendChild(el("a", { id: "change-password-link", href: "/password" }, "Change password"));
    main.appendChild(card);
  }

  function passwordPage(main, user) {
    if (!user) return toLogin("/password");
    document.title = "Change password · Ticketbooth";
    main.appendChild(el("h1", {}, "Change password"));
    var card = el("div", { "class": "card" });
    var note = el("p", { id: "password-error", "class": "error", hidden: "" });
    var form = el("form", { id: "password-form" });
    field(form, "current-password", "Current password", "password", "current-password");
    field(form, "new-password", "New password", "password", "new-password");
    var submit = el("div");
    submit.appendChild(el("button", { id: "change-password-submit", type: "submit" }, "Change password"));
    form.appendChild(submit);
    card.appendChild(note);
    card.appendChild(form);
    main.appendChild(card);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = {
        current: document.getElementById("current-password").value,
        "new": document.getElementById("new-password").value
      };
      api("/api/password", { method: "POST", body: body }).then(function (r) {
        return r.json().then(function (answer) { return { ok: r.ok, answer: answer }; });
      }).then(function (result) {
        if (!result.ok) {
          note.textContent = result.answer.error === "weak_password"
            ? "Choose a password of at least 8 characters." : "Your current password is not right.";
          note.hidden = false;
          return;
        }
        keep(result.answer.access_token);
        form.remove();
        note.remove();
        card.appendChild(el("p", { id: "password-changed", "class": "ok" }, "Your password was changed. Other sessions were logged out."));
      });
    });
  }

  function route(user) {
    var main = document.getElementById("main");
    main.textContent = "";
    var path = window.location.pathname;
    var event = /^\/events\/(\d+)$/.exec(path);
    if (path === "/") return events(main);
    if (event) return eventPage(main, event[1]);
    if (path === "/login") return loginPage(main);
    if (path === "/account") return accountPage(main, user);
    if (path === "/password") return passwordPage(main, user);
    main.appendChild(el("h1", { id: "not-found" }, "Page not found"));
  }

  var store = webStorage();
  if (store) token = store.getItem(KEY);
  whoami().then(function (user) {
    renderNav(user);
    route(user);
  });
})();
