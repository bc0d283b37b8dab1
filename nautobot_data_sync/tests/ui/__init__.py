"""Views, tables, filters, REST API, GraphQL and the browser."""
