// GET /api/docs: the API reference, rendered in the browser by Swagger UI (swagger-ui-dist) from
// our own origin: its bundle and stylesheet are served by /static/ (http/site-routes.tsx), and it
// is started by our own /static/api-docs.js, so the page has no inline script and loads nothing
// from a CDN.
import { policy } from '../http/security-headers.ts';

/**
 * The site's policy (http/security-headers.ts) with script-src 'self' in place of the per-page
 * nonce: this page is a fixed text with no inline script, so a nonce would add nothing, and the
 * JSON API's requests carry no nonce to give it. Swagger UI needs no 'unsafe-eval' and no inline
 * <style> (it sets styles through the DOM, which style-src does not govern); its icons are data:
 * images, which img-src already allows. connect-src 'self' lets it fetch /api/openapi.json and,
 * with "Try it out", call the API of this origin only.
 */
export const API_DOCS_CSP = policy("script-src 'self'");

export const apiDocsPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Gatehouse API reference</title>
<link rel="stylesheet" href="/static/swagger-ui.css">
<link rel="stylesheet" href="/static/api-docs.css">
</head>
<body>
<main id="swagger-ui" data-document="/api/openapi.json"><p class="api-docs-loading">Loading the API reference… It needs JavaScript; the document itself is at <a href="/api/openapi.json">/api/openapi.json</a>.</p></main>
<script src="/static/swagger-ui-bundle.js"></script>
<script src="/static/api-docs.js"></script>
</body>
</html>
`;
