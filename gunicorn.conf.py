"""gunicorn settings, read automatically when gunicorn starts in this directory
(`gunicorn changeboard.wsgi`): survey links are redacted from its access and
error logs."""

logger_class = "changeboard.core.redaction.GunicornLogger"
