"""Jobs written against nautobot-ssot's API, ported by changing their imports only."""
