-- PostgreSQL 16+: reserved_connections (slots kept for pg_use_reserved_connections).
SELECT json_build_object(
    'max_connections', current_setting('max_connections')::int,
    'superuser_reserved_connections', current_setting('superuser_reserved_connections')::int,
    'reserved_connections', current_setting('reserved_connections')::int)
