"""The benchmarks `manage.py bench` runs, one module each (the import
benchmark lives in the command itself)."""
