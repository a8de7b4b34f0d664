// The reference app's scanner: the camera, BarcodeDetector where the browser has it, else jsQR.
(function () {
  'use strict';
  var wrapper = document.querySelector('[data-scanner]');
  var video = document.querySelector('[data-scanner-video]');
  var start = document.querySelector('[data-scanner-start]');
  if (!wrapper || !video || !start || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
  start.hidden = false;

  function open(text) {
    window.location.href = '/app/open?link=' + encodeURIComponent(text);
  }

  function scanWith(detect) {
    var busy = false;
    var timer = setInterval(function () {
      if (busy || video.readyState < 2) return;
      busy = true;
      detect().then(function (text) {
        busy = false;
        if (text) { clearInterval(timer); open(text); }
      }).catch(function () { busy = false; });
    }, 250);
  }

  start.addEventListener('click', function () {
    navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false }).then(function (stream) {
      video.srcObject = stream;
      wrapper.hidden = false;
      start.hidden = true;
      return video.play();
    }).then(function () {
      if ('BarcodeDetector' in window) {
        var detector = new window.BarcodeDetector({ formats: ['qr_code'] });
        scanWith(function () {
          return detector.detect(video).then(function (codes) { return codes.length ? codes[0].rawValue : null; });
        });
      } else if (window.jsQR) {
        var canvas = document.createElement('canvas');
        var context = canvas.getContext('2d', { willReadFrequently: true });
        scanWith(function () {
          canvas.width = video.videoWidth;
          canvas.height = video.videoHeight;
          context.drawImage(video, 0, 0);
          var frame = context.getImageData(0, 0, canvas.width, canvas.height);
          var found = window.jsQR(frame.data, frame.width, frame.height);
          return Promise.resolve(found ? found.data : null);
        });
      }
    }).catch(function () {
      wrapper.hidden = true;
    });
  });
})();
