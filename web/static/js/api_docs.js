// The API's documentation page: Swagger UI reading /api/v1/openapi.json (no inline script: the
// site's content security policy allows scripts of this origin only).
"use strict";
window.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({
    url: root.getAttribute("data-spec-url"),
    domNode: root,
    deepLinking: true,
    tryItOutEnabled: false,
  });
});
