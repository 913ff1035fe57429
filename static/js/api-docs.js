// Start Swagger UI on /api/v1/docs from the settings django-ninja renders into data attributes
// (the CSP allows no inline script, so ninja's own start-up script cannot be used).
const root = document.getElementById("swagger-ui");
const settings = JSON.parse(root.dataset.settings);
const csrfToken = root.dataset.csrfToken;

settings.dom_id = "#swagger-ui";
settings.presets = [SwaggerUIBundle.presets.apis];
// Nothing leaves our origin: no validator badge, no remote config.
settings.validatorUrl = null;
if (csrfToken) {
  // Session-authenticated "Try it out" calls keep CSRF on, like every other unsafe request.
  settings.requestInterceptor = (request) => {
    request.headers["X-CSRFToken"] = csrfToken;
    return request;
  };
}
SwaggerUIBundle(settings);
