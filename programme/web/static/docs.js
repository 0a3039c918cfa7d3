// Swagger UI for /docs, served from this service (no inline script, nothing from another host).
window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true});
