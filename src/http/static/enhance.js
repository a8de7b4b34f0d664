// Small enhancements; every page works without them.
(function () {
  'use strict';

  // "Keep me signed in on this device": the sign-in page's passkey form carries a hidden copy of
  // the box (http/keep-signed-in.tsx), drawn disabled and sent only once this has seen the box
  // ticked. First in this file, so nothing below can stop it; read on load too, since a browser
  // going Back may restore the box as the shopper left it.
  var keepBox = document.querySelector('[data-keep-signed-in]');
  if (keepBox) {
    var copyKeep = function () {
      document.querySelectorAll('[data-keep-signed-in-copy]').forEach(function (copy) { copy.disabled = !keepBox.checked; });
    };
    keepBox.addEventListener('change', copyKeep);
    window.addEventListener('pageshow', copyKeep);
    copyKeep();
  }

  // "Get code" countdown: the server renders the button disabled with the seconds left.
  document.querySelectorAll('[data-countdown]').forEach(function (button) {
    var left = parseInt(button.getAttribute('data-countdown'), 10);
    var label = button.getAttribute('data-label');
    var waiting = button.getAttribute('data-label-waiting');
    var timer = setInterval(function () {
      left -= 1;
      if (left <= 0) {
        clearInterval(timer);
        button.disabled = false;
        button.textContent = label;
        return;
      }
      button.textContent = waiting.replace('{s}', String(left));
    }, 1000);
  });

  // "Continue" is enabled only when its form's required field holds something.
  document.querySelectorAll('[data-enable-when-filled]').forEach(function (button) {
    var field = document.getElementById(button.getAttribute('data-enable-when-filled'));
    if (!field) return;
    var update = function () { button.disabled = field.value.trim() === ''; };
    field.addEventListener('input', update);
    update();
  });

  // Password strength meter: a rough, instant estimate; the server has the final word. The bar's
  // width comes from data-score in app.css (no inline styles: CSP style-src 'self').
  function estimate(password) {
    if (password.length < 12) return -1;
    var pools = 0;
    if (/[a-z]/.test(password)) pools += 26;
    if (/[A-Z]/.test(password)) pools += 26;
    if (/[0-9]/.test(password)) pools += 10;
    if (/[^a-zA-Z0-9]/.test(password)) pools += 33;
    var unique = new Set(password.toLowerCase()).size;
    var bits = Math.log2(Math.max(pools, 10)) * Math.min(password.length, unique * 2.5);
    if (/(.)\1{3,}/.test(password) || /(0123|1234|2345|3456|4567|5678|6789|abcd|qwer|asdf)/i.test(password)) bits -= 20;
    if (bits < 40) return 0;
    if (bits < 55) return 1;
    if (bits < 70) return 2;
    if (bits < 85) return 3;
    return 4;
  }
  document.querySelectorAll('[data-strength-for]').forEach(function (meter) {
    var input = document.getElementById(meter.getAttribute('data-strength-for'));
    var words = meter.getAttribute('data-words').split('|');
    var word = meter.querySelector('.strength-word');
    if (!input) return;
    var update = function () {
      if (input.value === '') { meter.hidden = true; return; }
      meter.hidden = false;
      var score = estimate(input.value);
      meter.setAttribute('data-score', String(score));
      word.textContent = words[score + 1];
    };
    input.addEventListener('input', update);
    update();
  });

  // Show/hide on every password field: a real button (keyboard, accessible name, aria-pressed for
  // its state) that switches only the field's type, never its name or autocomplete, so password
  // managers still know the field. Back to hidden before the form is sent: a shown password is
  // not left on screen on the next page, and browsers offer to save only what a password field held.
  var showLabel = document.body.getAttribute('data-show-password');
  document.querySelectorAll('input[type="password"]').forEach(function (input) {
    if (!showLabel) return;
    var wrap = document.createElement('span');
    wrap.className = 'password-wrap';
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(input);
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'password-toggle';
    button.setAttribute('aria-pressed', 'false');
    button.setAttribute('aria-controls', input.id);
    var name = document.createElement('span');
    name.className = 'visually-hidden';
    name.textContent = showLabel;
    button.appendChild(name);
    wrap.appendChild(button);
    // Shown as text, the field is still a password: no spell-check service (Chrome's and Edge's
    // send text fields' contents away), no keyboard learning it, no capital first letter.
    input.setAttribute('spellcheck', 'false');
    input.setAttribute('autocapitalize', 'none');
    input.setAttribute('autocorrect', 'off');
    var hide = function () {
      input.type = 'password';
      button.setAttribute('aria-pressed', 'false');
    };
    button.addEventListener('click', function () {
      if (input.type !== 'password') return hide();
      input.type = 'text';
      button.setAttribute('aria-pressed', 'true');
    });
    if (input.form) input.form.addEventListener('submit', hide);
    // Leaving without sending (Back, a link): hidden before the page goes to the back-forward cache
    // or session history, which keep text fields' values but never a password field's.
    window.addEventListener('pagehide', hide);
  });
})();
