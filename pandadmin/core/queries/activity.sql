-- Client sessions and limits, PostgreSQL 12+; the server's slot settings come from the
-- versioned limits_post_*.sql, put in place of the LIMITS marker below.
WITH a AS (
    SELECT pid, datname, usename, application_name, client_addr, state, xact_start,
           state_change, wait_event_type, query
    FROM pg_stat_activity
    WHERE backend_type = 'client backend'
       -- Without pg_read_all_stats other users' rows hide backend_type; a session with a
       -- database and a user is a client (background workers have no user, mostly).
       OR (backend_type IS NULL AND datname IS NOT NULL AND usename IS NOT NULL)
),
me AS (
    SELECT r.rolname, r.rolsuper, r.rolconnlimit
    FROM pg_roles r
    WHERE r.rolname = current_user
)
SELECT json_build_object(
    'total', (SELECT count(*) FROM a),
    'by_state', (SELECT coalesce(json_object_agg(k, n), '{}') FROM
        (SELECT coalesce(state, 'unknown') AS k, count(*) AS n FROM a GROUP BY 1) s),
    'by_application', (SELECT coalesce(json_object_agg(k, n), '{}') FROM
        (SELECT coalesce(application_name, '') AS k, count(*) AS n FROM a GROUP BY 1) s),
    'by_user', (SELECT coalesce(json_object_agg(k, n), '{}') FROM
        (SELECT coalesce(usename, 'unknown') AS k, count(*) AS n FROM a GROUP BY 1) s),
    'by_client_addr', (SELECT coalesce(json_object_agg(k, n), '{}') FROM
        (SELECT CASE WHEN state IS NULL THEN 'unknown'
                     ELSE coalesce(host(client_addr), 'local') END AS k,
                count(*) AS n FROM a GROUP BY 1) s),
    'by_database', (SELECT coalesce(json_object_agg(k, n), '{}') FROM
        (SELECT coalesce(datname, '') AS k, count(*) AS n FROM a GROUP BY 1) s),
    'oldest_transaction_s', (SELECT extract(epoch FROM now() - min(xact_start)) FROM a
        WHERE pid <> pg_backend_pid()),
    'longest_idle_in_transaction_s', (SELECT extract(epoch FROM now() - min(state_change)) FROM a
        WHERE state IN ('idle in transaction', 'idle in transaction (aborted)')),
    'lock_waiters', (SELECT count(*) FROM a WHERE wait_event_type = 'Lock'),
    'limits', (/*LIMITS*/),
    'role_connection_limit', (SELECT rolconnlimit FROM me),
    'database_connection_limit',
        (SELECT datconnlimit FROM pg_database WHERE datname = current_database()),
    'role_connections', (SELECT count(*) FROM a WHERE usename = current_user),
    'database_connections', (SELECT count(*) FROM a WHERE datname = current_database()),
    'current_user', current_user,
    'current_database', current_database(),
    'server_version', current_setting('server_version'),
    'server_version_num', current_setting('server_version_num')::int,
    'sees_all_sessions', (SELECT rolsuper FROM me)
        OR pg_has_role(current_user, 'pg_read_all_stats', 'USAGE'),
    'can_signal_backends', (SELECT rolsuper FROM me)
        OR pg_has_role(current_user, 'pg_signal_backend', 'USAGE'),
    'tls', coalesce((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), false),
    'backends', (SELECT coalesce(json_agg(b), '[]') FROM (
        SELECT pid, coalesce(application_name, '') AS application, usename AS "user",
               datname AS database, host(client_addr) AS client_addr,
               coalesce(state, 'unknown') AS state,
               extract(epoch FROM now() - xact_start) AS transaction_age_s,
               extract(epoch FROM now() - state_change) AS state_age_s,
               wait_event_type,
               CASE WHEN wait_event_type = 'Lock' THEN pg_blocking_pids(pid) END AS blocked_by,
               CASE WHEN query = '<insufficient privilege>' OR state IS NULL THEN NULL
                    ELSE left(query, 2000) END AS query
        FROM a
        WHERE pid <> pg_backend_pid() AND state IS DISTINCT FROM 'idle'
        ORDER BY xact_start NULLS LAST, state_change NULLS LAST
        LIMIT 50) b)
)
