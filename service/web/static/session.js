/* Keeps a signed-in web session alive while its user is active, and keeps a form typed after it
 * ended. Why: the access cookie lives 15 minutes (VOCMATCH_ACCESS_TOKEN_TTL_SECONDS); without this,
 * a graduate writing a long profile or an employer a long message lost it on "save".
 *
 * - Renewal: while the user has been active since the last renewal, POST /auth/session/refresh
 *   (the HttpOnly refresh cookie on /auth, the double-submit CSRF header) before the access token's
 *   expiry. Tabs share the expiry in localStorage and renew one at a time under a Web Lock, because
 *   the refresh token rotates and an already-rotated token sent by a second tab counts as reuse
 *   (RFC 9700 §4.14.2) and ends the session.
 * - A form sent when the token has (nearly) run out: renew first, then send. If the session is gone
 *   (refresh refused), the typed fields are kept in sessionStorage, the user signs in again and lands
 *   back on the same page, where they are put back into the form with a notice; nothing is sent
 *   without the user pressing the button again.
 */
(function () {
  "use strict";
  var body = document.body;
  if (!body || !body.dataset.sessionExpiresIn) return; // a public page: nothing to keep alive
  var TTL = Number(body.dataset.sessionTtl || 0) * 1000;
  var KEY = "vocmatch.session.expiresAt";
  var KEPT = "vocmatch.kept:" + location.pathname + location.search;
  var MARGIN = Math.min(20000, TTL / 4); // renew before sending when less than this is left (ms)
  var lastActive = 0, lastRenewal = Date.now();

  function expiresAt() { return Number(localStorage.getItem(KEY) || 0); }
  function setExpiresAt(t) { if (t > expiresAt()) localStorage.setItem(KEY, String(t)); }
  setExpiresAt(Date.now() + Number(body.dataset.sessionExpiresIn) * 1000);

  function csrf() {
    var m = document.cookie.match(/(?:^|;\s*)vocmatch_csrf=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  function post() {
    return fetch("/auth/session/refresh", {method: "POST", credentials: "same-origin",
                                           headers: {"X-CSRF-Token": csrf()}})
      .then(function (r) { if (r.ok) { setExpiresAt(Date.now() + TTL); lastRenewal = Date.now(); } return r.ok; })
      .catch(function () { return false; });
  }

  /* Renew unless another tab already did (checked again under the lock). */
  function renew(force) {
    var run = function () {
      if (!force && expiresAt() - Date.now() > TTL / 2) { lastRenewal = Date.now(); return Promise.resolve(true); }
      if (force && expiresAt() - Date.now() > MARGIN) return Promise.resolve(true);
      return post();
    };
    if (navigator.locks) return navigator.locks.request("vocmatch-session-refresh", run);
    return run();
  }

  ["keydown", "input", "pointerdown", "scroll", "touchstart"].forEach(function (type) {
    addEventListener(type, function () { lastActive = Date.now(); }, {capture: true, passive: true});
  });
  if (TTL > 0) {
    setInterval(function () {
      var left = expiresAt() - Date.now();
      if (lastActive > lastRenewal && left > 0 && left < TTL / 2) renew(false);
    }, Math.max(1000, Math.min(30000, TTL / 8)));
  }

  /* The typed values of a form (never passwords, files or the CSRF token). */
  function keep(form) {
    var fields = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "_csrf_token" || el.type === "password" || el.type === "file") return;
      if ((el.type === "checkbox" || el.type === "radio")) fields.push([el.name, el.value, el.checked]);
      else if (el.tagName === "SELECT" && el.multiple) {
        fields.push([el.name, Array.prototype.filter.call(el.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; }), null]);
      } else fields.push([el.name, el.value, null]);
    });
    var forms = Array.prototype.indexOf.call(document.forms, form);
    sessionStorage.setItem(KEPT, JSON.stringify({form: forms, action: form.getAttribute("action") || "", fields: fields}));
  }

  function signInAgain(form) {
    keep(form);
    location.assign(body.dataset.signIn + "?next=" + encodeURIComponent(location.pathname + location.search));
  }

  function restore() {
    var raw = sessionStorage.getItem(KEPT);
    if (!raw) return;
    sessionStorage.removeItem(KEPT);
    var kept = JSON.parse(raw), form = document.forms[kept.form];
    if (!form || (form.getAttribute("action") || "") !== kept.action) return;
    kept.fields.forEach(function (f) {
      Array.prototype.forEach.call(form.elements, function (el) {
        if (el.name !== f[0]) return;
        if (el.type === "checkbox" || el.type === "radio") { if (el.value === f[1]) el.checked = f[2]; }
        else if (el.tagName === "SELECT" && el.multiple) {
          Array.prototype.forEach.call(el.options, function (o) { o.selected = f[1].indexOf(o.value) >= 0; });
        } else el.value = f[1];
      });
    });
    var note = document.createElement("p");
    note.className = "notice";
    note.setAttribute("role", "status");
    note.textContent = body.dataset.keptText;
    form.parentNode.insertBefore(note, form);
  }

  function stale() { return expiresAt() - Date.now() < MARGIN; }

  function isHtmx(form) {
    return ["hx-post", "hx-put", "hx-patch", "hx-delete", "data-hx-post"].some(function (a) { return form.hasAttribute(a); });
  }

  /* A plain form post: renew first when the token is (nearly) out; keep the form if that fails. */
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (form.method.toLowerCase() !== "post" || isHtmx(form) || form.dataset.renewed || !stale()) return;
    if (form.getAttribute("action") === "/web/sign-out") return;
    ev.preventDefault();
    var submitter = ev.submitter;
    renew(true).then(function (ok) {
      if (!ok) { signInAgain(form); return; }
      form.dataset.renewed = "1";
      form.requestSubmit(submitter || undefined);
      delete form.dataset.renewed;
    });
  }, true);

  /* The same for htmx requests, through htmx's own hook for asynchronous checks. */
  document.addEventListener("htmx:confirm", function (ev) {
    var verb = (ev.detail.verb || "get").toLowerCase();
    if (verb === "get" || !stale()) return;
    ev.preventDefault();
    renew(true).then(function (ok) {
      var form = ev.detail.elt.closest ? ev.detail.elt.closest("form") : null;
      if (ok) ev.detail.issueRequest(true);
      else if (form) signInAgain(form);
      else location.assign(body.dataset.signIn + "?next=" + encodeURIComponent(location.pathname + location.search));
    });
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", restore);
  else restore();
})();
