"""django-tables2 tables for cutover pages and exports, one module per area."""
