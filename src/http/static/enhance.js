// Small enhancements; every page works without them.
(function () {
  'use strict';

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
})();
