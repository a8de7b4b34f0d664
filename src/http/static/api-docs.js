// Starts Swagger UI on /api/docs (operations/api-docs-page.ts). A file of our own, not an inline
// script: the page's CSP allows scripts from this origin only.
(function () {
  var root = document.getElementById('swagger-ui');
  if (!root || typeof window.SwaggerUIBundle !== 'function') return;
  window.SwaggerUIBundle({
    url: root.getAttribute('data-document'),
    domNode: root,
    deepLinking: true,
    // Swagger UI would otherwise ask validator.swagger.io for a badge: no third-party requests.
    validatorUrl: null,
    defaultModelsExpandDepth: 0,
    docExpansion: 'list',
    tryItOutEnabled: false,
  });
})();
