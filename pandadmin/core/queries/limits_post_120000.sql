-- PostgreSQL 12-15: no reserved_connections setting yet (it arrived in 16).
SELECT json_build_object(
    'max_connections', current_setting('max_connections')::int,
    'superuser_reserved_connections', current_setting('superuser_reserved_connections')::int,
    'reserved_connections', 0)
