// My account → Security → Add a passkey: hands the server's creation options to the browser
// (@simplewebauthn/browser, served from /static), puts the answer in the form and posts it. The
// server checks everything; this only carries the answer.
(function () {
  'use strict';
  var form = document.querySelector('[data-passkey-add]');
  if (!form) return;
  var button = form.querySelector('[data-passkey-start]');
  var field = form.querySelector('[data-passkey-response]');
  var status = form.querySelector('[data-passkey-status]');
  var words = form.getAttribute('data-words').split('|');
  var raw = form.getAttribute('data-options');
  // No options: the page says why (ten passkeys already); there is nothing to create.
  if (!raw) return;
  var lib = window.SimpleWebAuthnBrowser;
  if (!lib || !lib.browserSupportsWebAuthn()) {
    status.textContent = words[0];
    return;
  }
  var options = JSON.parse(raw);
  button.hidden = false;
  var busy = false;
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    if (busy) return;
    busy = true;
    button.disabled = true;
    status.textContent = words[2];
    lib.startRegistration({ optionsJSON: options }).then(function (answer) {
      field.value = JSON.stringify(answer);
      form.submit();
    }, function () {
      // Cancelled, timed out, or this authenticator already holds a passkey for us.
      status.textContent = words[1];
      busy = false;
      button.disabled = false;
    });
  });
})();
