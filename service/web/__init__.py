"""The web pages (server-rendered, Chinese first): one module per area, with the templates, static
files and gettext catalogues beside them."""
