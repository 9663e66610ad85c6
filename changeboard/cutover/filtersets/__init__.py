"""django-filter FilterSets for cutover pages and the API, one module per area."""
