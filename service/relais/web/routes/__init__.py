"""The routers, one module per area; a router never imports another router."""
