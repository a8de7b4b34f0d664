// Live QR panel on the sign-in page: status by server-sent events (polling where EventSource is
// missing), automatic sign-in on approval, a new QR when the shown one runs out.
(function () {
  'use strict';
  var panel = document.querySelector('[data-qr-panel]');
  if (!panel) return;
  var statusLine = panel.querySelector('[data-qr-status]');
  var image = panel.querySelector('[data-qr-image]');
  var link = panel.querySelector('[data-qr-link]');
  var completeForm = panel.querySelector('[data-qr-complete]');
  var renewForm = panel.querySelector('[data-qr-renew]');
  var words = statusLine.getAttribute('data-words').split('|');
  var requestField = panel.querySelector('[data-qr-request-field]');
  // Which of this browser's QRs this tab shows: another sign-in tab may hold a newer one.
  var requestId = statusLine.getAttribute('data-qr-request');
  var query = function () { return '?request=' + encodeURIComponent(requestId); };
  var labels = { pending: words[0], scanned: words[1], approved: words[2], denied: words[3], expired: words[4] };
  var source = null;
  var poller = null;
  var expiryTimer = null;
  var done = false;

  // The no-script "continue" button is not needed when the page follows the status itself.
  completeForm.hidden = true;

  function show(status) {
    statusLine.textContent = labels[status] || labels.pending;
    panel.setAttribute('data-state', status);
  }

  function stopWatching() {
    if (source) { source.close(); source = null; }
    if (poller) { clearInterval(poller); poller = null; }
    if (expiryTimer) { clearTimeout(expiryTimer); expiryTimer = null; }
  }

  function handle(status) {
    if (done) return;
    show(status);
    if (status === 'approved') {
      done = true;
      stopWatching();
      completeForm.submit();
    } else if (status === 'expired' || status === 'denied') {
      stopWatching();
      // A cancelled request shows its message a moment before a new code replaces it.
      setTimeout(renew, status === 'denied' ? 4000 : 0);
    }
  }

  function watch(expiresAt) {
    stopWatching();
    if (window.EventSource) {
      source = new EventSource('/qr/events' + query());
      source.addEventListener('status', function (event) { handle(JSON.parse(event.data).status); });
      source.onerror = function () {
        // The stream ended or broke: the browser reconnects by itself; polling covers the gap.
        if (!poller) poller = setInterval(poll, 2000);
      };
    } else {
      poller = setInterval(poll, 1500);
    }
    expiryTimer = setTimeout(function () { poll(); }, Math.max(0, expiresAt - Date.now()) + 500);
  }

  function poll() {
    fetch('/qr/status' + query(), { headers: { accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (response) { return response.ok ? response.json() : { status: 'expired' }; })
      .then(function (body) { handle(body.status); })
      .catch(function () {});
  }

  function renew() {
    var body = new URLSearchParams(new FormData(renewForm));
    fetch('/qr/requests', { method: 'POST', body: body, headers: { accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (response) {
        if (!response.ok) throw new Error('renew failed');
        return response.json();
      })
      .then(function (qr) {
        image.innerHTML = qr.svg; // markup our own server made from its own URL
        link.href = qr.url;
        requestId = qr.requestId;
        requestField.value = qr.requestId;
        show('pending');
        watch(qr.expiresAt);
      })
      .catch(function () {
        show('expired');
        renewForm.hidden = false;
      });
  }

  watch(parseInt(statusLine.getAttribute('data-expires-at'), 10));
})();
