-- Client sessions and limits, PostgreSQL 12+; the server's slot settings come from the
-- versioned limits_post_*.sql, put in place of the LIMITS marker below; the session list
-- for drill-down (sessions.sql) replaces the SESSIONS marker only when someone looks.
-- Cheap on a busy server: one pass over pg_stat_get_activity() (the function behind
-- pg_stat_activity; database and role names are looked up for the few groups and listed
-- rows only), one grouping of the sessions that every breakdown then reads.
WITH a AS MATERIALIZED (
    SELECT pid, datid, usesysid, application_name, client_addr, state, xact_start,
           state_change, wait_event_type, query
    FROM pg_stat_get_activity(NULL::integer)
    WHERE backend_type = 'client backend'
       -- Without pg_read_all_stats other users' rows hide backend_type; a session with a
       -- database and a user is a client (background workers have no user, mostly).
       OR (backend_type IS NULL
           AND EXISTS (SELECT FROM pg_database d WHERE d.oid = datid)
           AND EXISTS (SELECT FROM pg_roles r WHERE r.oid = usesysid))
),
g AS (
    SELECT a.state, a.application_name, d.datname, r.rolname AS usename,
           CASE WHEN a.state IS NULL THEN 'unknown'
                ELSE coalesce(host(a.client_addr), 'local') END AS client,
           a.n, a.lock_waiters, a.oldest_xact, a.oldest_idle_xact
    FROM (SELECT state, application_name, datid, usesysid, client_addr,
                 count(*) AS n,
                 count(*) FILTER (WHERE wait_event_type = 'Lock') AS lock_waiters,
                 min(xact_start) FILTER (WHERE pid <> pg_backend_pid()) AS oldest_xact,
                 min(state_change) FILTER (WHERE state IN
                     ('idle in transaction', 'idle in transaction (aborted)')) AS oldest_idle_xact
          FROM a GROUP BY 1, 2, 3, 4, 5) a
    LEFT JOIN pg_database d ON d.oid = a.datid
    LEFT JOIN pg_roles r ON r.oid = a.usesysid
),
me AS (
    SELECT r.rolname, r.rolsuper, r.rolconnlimit
    FROM pg_roles r
    WHERE r.rolname = current_user
)
SELECT json_build_object(
    'total', (SELECT coalesce(sum(n), 0)::bigint FROM g),
    'by_state', (SELECT coalesce(json_object_agg(k, n), '{}') FROM
        (SELECT coalesce(state, 'unknown') AS k, sum(n)::bigint AS n FROM g GROUP BY 1) s),
    'by_application', (SELECT coalesce(json_object_agg(k, n), '{}') FROM
        (SELECT coalesce(application_name, '') AS k, sum(n)::bigint AS n FROM g GROUP BY 1) s),
    'by_user', (SELECT coalesce(json_object_agg(k, n), '{}') FROM
        (SELECT coalesce(usename, 'unknown') AS k, sum(n)::bigint AS n FROM g GROUP BY 1) s),
    'by_client_addr', (SELECT coalesce(json_object_agg(k, n), '{}') FROM
        (SELECT client AS k, sum(n)::bigint AS n FROM g GROUP BY 1) s),
    'by_database', (SELECT coalesce(json_object_agg(k, n), '{}') FROM
        (SELECT coalesce(datname, '') AS k, sum(n)::bigint AS n FROM g GROUP BY 1) s),
    'oldest_transaction_s', (SELECT extract(epoch FROM now() - min(oldest_xact)) FROM g),
    'longest_idle_in_transaction_s',
        (SELECT extract(epoch FROM now() - min(oldest_idle_xact)) FROM g),
    'lock_waiters', (SELECT coalesce(sum(lock_waiters), 0)::bigint FROM g),
    'limits', (/*LIMITS*/),
    'role_connection_limit', (SELECT rolconnlimit FROM me),
    'database_connection_limit',
        (SELECT datconnlimit FROM pg_database WHERE datname = current_database()),
    'role_connections',
        (SELECT coalesce(sum(n), 0)::bigint FROM g WHERE usename = current_user),
    'database_connections',
        (SELECT coalesce(sum(n), 0)::bigint FROM g WHERE datname = current_database()),
    'current_user', current_user,
    'current_database', current_database(),
    'server_version', current_setting('server_version'),
    'server_version_num', current_setting('server_version_num')::int,
    'sees_all_sessions', (SELECT rolsuper FROM me)
        OR pg_has_role(current_user, 'pg_read_all_stats', 'USAGE'),
    'can_signal_backends', (SELECT rolsuper FROM me)
        OR pg_has_role(current_user, 'pg_signal_backend', 'USAGE'),
    'tls', coalesce((SELECT ssl FROM pg_stat_get_activity(pg_backend_pid())), false),
    'backends', (/*SESSIONS*/)
)
