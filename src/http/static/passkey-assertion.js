// Every "use a passkey" form (sign-in, two-step, recovery, Change password, Confirm it's you):
// hands the server's request options to the browser (@simplewebauthn/browser, served from
// /static), puts the signed answer in the form and posts it. The server checks everything; this
// only carries the answer, so one script serves every flow.
//
// The form's contract (no inline script, so it all rides in attributes):
//   <form method="post" data-passkey-assertion data-options="{…}" data-words="unsupported|failed|waiting"
//         [data-passkey-autofill]>
//     <input type="hidden" name="response" data-passkey-response>
//     <button type="submit" data-passkey-start hidden>…</button>   shown only when WebAuthn works
//     <p data-passkey-status role="status"></p>
//   </form>
// data-passkey-autofill also offers the passkeys in the page's `autocomplete="username webauthn"`
// field (conditional mediation); pressing the button then replaces that quiet request with the
// browser's own prompt.
(function () {
  'use strict';
  var lib = window.SimpleWebAuthnBrowser;
  var forms = document.querySelectorAll('[data-passkey-assertion]');
  Array.prototype.forEach.call(forms, function (form) {
    var button = form.querySelector('[data-passkey-start]');
    var field = form.querySelector('[data-passkey-response]');
    var status = form.querySelector('[data-passkey-status]');
    var words = (form.getAttribute('data-words') || '||').split('|');
    var raw = form.getAttribute('data-options');
    if (!raw || !button || !field) return;
    if (!lib || !lib.browserSupportsWebAuthn()) {
      if (status) status.textContent = words[0];
      return;
    }
    var options = JSON.parse(raw);
    var busy = false;
    button.hidden = false;

    function send(answer) {
      field.value = JSON.stringify(answer);
      form.submit();
    }

    form.addEventListener('submit', function (event) {
      event.preventDefault();
      if (busy) return;
      busy = true;
      button.disabled = true;
      if (status) status.textContent = words[2];
      lib.startAuthentication({ optionsJSON: options }).then(send, function () {
        // Cancelled, timed out, or no passkey of ours on this device: the other ways stay open.
        if (status) status.textContent = words[1];
        busy = false;
        button.disabled = false;
      });
    });

    if (form.hasAttribute('data-passkey-autofill')) {
      lib.browserSupportsWebAuthnAutofill().then(function (supported) {
        if (!supported) return;
        // Ends quietly when the button's prompt takes over (the library aborts it) or nothing is picked.
        lib.startAuthentication({ optionsJSON: options, useBrowserAutofill: true }).then(send, function () {});
      });
    }
  });
})();
