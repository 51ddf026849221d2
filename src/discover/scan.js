// What `usher discover` reads from one page, in one round trip. Selectors are built here because only
// the page can say whether one matches exactly the element meant: ids, `name`, ARIA labels,
// placeholders and labels first, positions never; a selector matching more than one element is never
// returned. Same-origin iframes and open shadow roots holding a password field are reported: the
// caller opens a frame's page itself, and reads a shadow root by calling this script again with the
// root's path (`arguments[1]`, e.g. `login-box`), which then returns `login-box >>> #email` selectors
// (src/driver/shadow.rs). Inside a shadow root only CSS is written: XPath does not reach into one.
const username = arguments[0] || '';
const rootPath = arguments[1] || '';
const R = (() => {
  let r = document;
  for (const p of rootPath ? rootPath.split('>>>').map((x) => x.trim()) : []) {
    const host = r.querySelector(p);
    if (!host || !host.shadowRoot) return null;
    r = host.shadowRoot;
  }
  return r;
})();
if (!R) return { url: document.URL };
const PREFIX = rootPath ? rootPath + ' >>> ' : '';
const BODY = R === document ? document.body : R;
const LOGIN = /\b(log ?in|sign ?in|log ?on|anmelden|einloggen|connexion|se connecter|iniciar sesi[oó]n|entrar|acceder|accedi|inloggen|aanmelden|zaloguj|entrar|войти|登录|ログイン)\b/i;
// "Forgot your password?" and "reset password" links, in the same languages.
const FORGOT = /(forgot|forgotten|reset (your )?password|trouble (logging|signing) in|vergessen|zur[üu]cksetzen|oubli[ée]|r[ée]initialiser|olvid|restablecer|dimenticat|recuper|vergeten|nie pami[eę]tasz|zapomnia|esqueceu|esqueci|забыли|восстанов|忘记|忘れ)/i;
const LOGOUT = /\b(log ?out|log ?off|sign ?out|sign ?off|abmelden|ausloggen|d[ée]connexion|se d[ée]connecter|cerrar sesi[oó]n|salir|esci|uitloggen|afmelden|wyloguj|sair|выйти|退出|ログアウト)\b/i;
const USERISH = /(user|email|e-mail|login|account|benutzer|correo|courriel|utente|nom|name)/i;
const q = (s) => '"' + String(s).replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';
const visible = (el) => {
  if (!el || !el.isConnected) return false;
  const r = el.getBoundingClientRect();
  const st = getComputedStyle(el);
  return r.width > 0 && r.height > 0 && st.visibility !== 'hidden' && st.display !== 'none';
};
// Ids and classes that look minted per render or per build (React/Ember ids, CSS-module hashes).
const minted = (s) => /\d{3,}|[0-9a-f]{8,}|^(ember|react|mui|css|sc|jsx|ng|svelte|:r)[-_:]?|[_-][a-z0-9]{5,}$/i.test(s) && /\d/.test(s);
const css1 = (sel) => { try { const m = R.querySelectorAll(sel); return m.length === 1 ? m[0] : null; } catch (e) { return null; } };
const xp1 = (x) => {
  if (rootPath) return null;
  try {
    const r = document.evaluate(x, document, null, XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null);
    return r.snapshotLength === 1 ? r.snapshotItem(0) : null;
  } catch (e) { return null; }
};
const words = (el) => (el.textContent || '').replace(/\s+/g, ' ').trim();
const labelText = (el) => {
  if (el.labels && el.labels.length) return words(el.labels[0]);
  const by = el.getAttribute('aria-labelledby');
  if (by) { const l = R.getElementById(by.split(' ')[0]); if (l) return words(l); }
  return '';
};
// Candidates, strongest first: what a developer names on purpose (id, name, labels, test ids), then
// the words a user reads (a button's text), then what many elements share (role, type, class).
function own(el, tag) {
  const strong = [];
  const weak = [];
  if (el.id && !minted(el.id)) strong.push({ css: '#' + CSS.escape(el.id), why: 'its id' });
  // A custom element's name is chosen by a developer (`<login-box>`), as an id is.
  if (tag.includes('-') && !minted(tag)) strong.push({ css: tag, why: 'its element name' });
  for (const a of ['name', 'aria-label', 'placeholder', 'autocomplete', 'data-testid', 'title']) {
    const v = el.getAttribute(a);
    if (v && v.length < 80) strong.push({ css: `${tag}[${a}=${q(v)}]`, why: `its \`${a}\`` });
  }
  if (tag === 'input' && (el.getAttribute('type') || '').toLowerCase() === 'submit' && el.value)
    strong.push({ css: `input[type="submit"][value=${q(el.value)}]`, why: 'its label' });
  const role = el.getAttribute('role');
  if (role) weak.push({ css: `${tag}[role=${q(role)}]`, why: 'its ARIA role' });
  if (tag === 'input') weak.push({ css: `input[type=${q((el.getAttribute('type') || 'text').toLowerCase())}]`, why: 'its type' });
  if (tag === 'button' && el.getAttribute('type')) weak.push({ css: `button[type=${q(el.getAttribute('type'))}]`, why: 'its type' });
  for (const c of Array.from(el.classList || [])) if (!minted(c)) weak.push({ css: `${tag}.${CSS.escape(c)}`, why: 'its class' });
  return [strong, weak];
}
function selector(el, depth) {
  if (!el) return null;
  const tag = el.tagName.toLowerCase();
  const [strong, weak] = own(el, tag);
  for (const c of strong) if (css1(c.css) === el) return c;
  const text = words(el);
  if (['a', 'button'].includes(tag) && text && text.length < 40 && !text.includes("'")) {
    const x = `//${tag}[normalize-space()='${text}']`;
    if (xp1(x) === el) return { xpath: x, why: 'its text' };
  }
  const mine = strong.concat(weak);
  for (const c of weak) if (css1(c.css) === el) return c;
  // The same, scoped by a uniquely selectable ancestor (a form, a sidebar, a dialog).
  if ((depth || 0) < 2) {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const at = a.tagName.toLowerCase();
      if (!['form', 'aside', 'nav', 'header', 'section', 'dialog', 'div', 'main', 'footer'].includes(at)) continue;
      const s = selector(a, (depth || 0) + 1);
      if (!s || !s.css) continue;
      for (const c of mine) {
        const sel = `${s.css} ${c.css}`;
        if (css1(sel) === el) return { css: sel, why: `${c.why} inside ${s.css}` };
      }
    }
  }
  if (text && text.length < 40 && !text.includes("'") && !['a', 'button'].includes(tag)) {
    const x = `//${tag}[normalize-space()='${text}']`;
    if (xp1(x) === el) return { xpath: x, why: 'its text' };
  }
  const lt = labelText(el);
  if (lt && !lt.includes("'") && ['input', 'select', 'textarea'].includes(tag)) {
    const x = `//label[normalize-space()='${lt}']//${tag}`;
    if (xp1(x) === el) return { xpath: x, why: 'its label' };
  }
  return null;
}
const prefixed = (s) => s && (PREFIX ? (s.css ? { css: PREFIX + s.css, why: s.why } : null) : s);
const describe = (el) => el && {
  sel: prefixed(selector(el)),
  text: words(el).slice(0, 60) || el.value || el.getAttribute('aria-label') || '',
  tag: el.tagName.toLowerCase(),
  href: el.href || '',
};
const fields = (root) => Array.from(root.querySelectorAll('input, textarea')).filter(visible);
const isPass = (el) => (el.getAttribute('type') || '').toLowerCase() === 'password';
const isText = (el) => ['text', 'email', 'tel', ''].includes((el.getAttribute('type') || 'text').toLowerCase()) && el.tagName === 'INPUT';
// The container a control belongs to: its form, else the nearest ancestor holding a submit control.
const scope = (el) => el.form || el.closest('[role=form], dialog, aside, section, main, div') || BODY;
// In a <form>, a `type=button` button does not submit (a "show password" toggle, a cancel); in a box
// of controls outside any form, a script submits and its button is usually `type=button`. The one
// after the field wins, one saying "log in" first.
const submitOf = (root, after) => {
  const inForm = root.tagName === 'FORM';
  const c = Array.from(root.querySelectorAll('button, input[type=submit], input[type=image], [role=button]')).filter(visible)
    .filter((b) => !inForm || (b.getAttribute('type') || 'submit').toLowerCase() !== 'button' || b.getAttribute('role') === 'button' || b.tagName !== 'BUTTON');
  const next = c.filter((b) => after.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING);
  const says = (b) => LOGIN.test([words(b), b.value, b.getAttribute('aria-label')].filter(Boolean).join(' '));
  return (inForm ? null : next.find(says)) || next[0] || c[0] || null;
};
const userField = (root, before) => {
  const texts = fields(root).filter(isText);
  const score = (el) => (el.getAttribute('autocomplete') === 'username' ? 4 : 0) + (el.type === 'email' ? 2 : 0)
    + (USERISH.test([el.name, el.id, el.placeholder, el.getAttribute('aria-label'), labelText(el)].join(' ')) ? 1 : 0);
  const ranked = texts.filter((el) => !before || (el.compareDocumentPosition(before) & Node.DOCUMENT_POSITION_FOLLOWING))
    .sort((a, b) => score(b) - score(a));
  return ranked[0] || null;
};

const passwords = fields(R).filter(isPass);
const logins = [];
const changes = [];
const seen = new Set();
for (const p of passwords) {
  const root = scope(p);
  if (seen.has(root)) continue;
  seen.add(root);
  const ps = fields(root).filter(isPass);
  if (ps.length >= 2) {
    const kind = (el) => {
      const s = [el.getAttribute('autocomplete'), el.name, el.id, el.placeholder, el.getAttribute('aria-label'), labelText(el)].join(' ').toLowerCase();
      return /current-password|current|old|actuel|aktuell|alt/.test(s) ? 'current' : /confirm|repeat|again|retype|bestätig|wiederhol|confirmer/.test(s) ? 'confirm' : 'new';
    };
    let byKind = {};
    for (const el of ps) { const k = kind(el); if (!byKind[k]) byKind[k] = el; }
    // Three fields the words did not tell apart (a confirmation named `password2` with
    // autocomplete=new-password): the order every change form writes them in.
    if (ps.length === 3 && !(byKind.current && byKind.new && byKind.confirm)) byKind = { current: ps[0], new: ps[1], confirm: ps[2] };
    changes.push({
      current: describe(byKind.current), new: describe(byKind.new), confirm: describe(byKind.confirm),
      submit: describe(submitOf(root, ps[ps.length - 1])), form: root.tagName === 'FORM',
    });
  } else {
    logins.push({ user: describe(userField(root, p)), pass: describe(p), submit: describe(submitOf(root, p)), form: root.tagName === 'FORM' });
  }
}
// A first step of a two-step login: a username field and a submit, no password field anywhere.
let first_step = null;
if (!passwords.length) {
  const u = userField(R, null);
  if (u && (u.getAttribute('autocomplete') === 'username' || u.type === 'email' || USERISH.test([u.name, u.id, labelText(u)].join(' '))))
    first_step = { user: describe(u), submit: describe(submitOf(scope(u), u)) };
}
// Forms asking only for a username or e-mail (a password reset's request, among others): no password
// field, one such field, a submit. The page behind a "forgot" link says which one it is.
const requests = Array.from(R.querySelectorAll('form')).filter((f) => !fields(f).some(isPass)).map((f) => {
  const texts = fields(f).filter(isText);
  const u = texts.length === 1 ? texts[0] : null;
  if (!u || !(u.getAttribute('autocomplete') === 'username' || u.type === 'email' || USERISH.test([u.name, u.id, labelText(u)].join(' ')))) return null;
  const b = submitOf(f, u);
  return b && { user: describe(u), submit: describe(b), words: words(f).slice(0, 200) };
}).filter(Boolean);
const controls = Array.from(R.querySelectorAll('a[href], button, input[type=submit], [role=button], [role=link]')).filter(visible);
const said = (el) => [words(el), el.value, el.getAttribute('aria-label'), el.title].filter(Boolean).join(' ');
const login_links = controls.filter((el) => LOGIN.test(said(el)) && !el.closest('form:has(input[type=password])')).map(describe);
// Links only: following one is a GET; a button might submit the login form around it.
const reset_links = controls.filter((el) => el.tagName === 'A' && FORGOT.test(said(el))).map(describe);
const logouts = controls.filter((el) => LOGOUT.test(said(el)) || (el.form && /log-?out|sign-?out|log-?off/i.test(el.form.getAttribute('action') || '')))
  .map((el) => Object.assign(describe(el), {
    post: !!(el.form && (el.form.method || '').toLowerCase() === 'post'),
    hidden: el.form ? Array.from(el.form.querySelectorAll('input[type=hidden]')).map((h) => h.name) : [],
  }));
// Identity: the innermost visible elements whose whole text is the username.
let identity = [];
if (username) {
  const want = username.trim().toLowerCase();
  identity = Array.from(BODY.querySelectorAll('*')).filter((el) => visible(el) && words(el).toLowerCase() === want
    && !Array.from(el.children).some((c) => words(c).toLowerCase() === want)).map(describe);
}
const links = Array.from(R.querySelectorAll('a[href]')).map((a) => ({
  href: String(a.href || ''),
  words: [a.textContent, a.id, typeof a.className === 'string' ? a.className : '', a.getAttribute('title'), a.getAttribute('aria-label')]
    .filter(Boolean).join(' ').slice(0, 500),
  download: a.hasAttribute('download'),
  method: a.getAttribute('data-method') || a.getAttribute('data-turbo-method') || '',
}));
// Same-origin frames whose document holds a password field: their own URLs, to open as pages.
const shown = (el) => el.getClientRects().length > 0;
const framed = Array.from(R.querySelectorAll('iframe, frame')).filter(visible).map((f) => {
  try {
    const d = f.contentDocument;
    return d && Array.from(d.querySelectorAll('input[type=password]')).some(shown) ? String(f.contentWindow.location.href) : null;
  } catch (e) { return null; }
}).filter(Boolean);
// Open shadow roots (nested ones too) holding a password field: their hosts in this root (a host
// inside another host's root is read when that root is).
const shadowed = [];
const walk = (root, host) => {
  for (const el of root.querySelectorAll('*')) {
    if (!el.shadowRoot) continue;
    const sr = el.shadowRoot;
    if (Array.from(sr.querySelectorAll('input[type=password]')).some(shown)) shadowed.push(describe(host || el));
    else walk(sr, host || el);
  }
};
walk(R, null);
return { url: document.URL, logins, changes, first_step, requests, login_links, reset_links, logouts, identity, links, framed, shadowed };
