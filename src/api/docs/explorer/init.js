// Starts Swagger UI on the server's own document. A separate file: the page's CSP allows no
// inline script.
(function () {
  "use strict";
  window.ui = SwaggerUIBundle({
    url: "openapi.json",
    dom_id: "#explorer",
    deepLinking: true,
    // Never contact validator.swagger.io: the explorer works offline.
    validatorUrl: null,
    // Keep a token pasted into "Authorize" across reloads (in this browser only).
    persistAuthorization: true,
    displayOperationId: false,
    docExpansion: "none",
    filter: true,
    tryItOutEnabled: false,
  });
})();
