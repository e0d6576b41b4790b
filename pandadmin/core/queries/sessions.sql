-- Up to 50 non-idle client sessions with their query text, oldest transaction first:
-- the drill-down list, fetched only for an environment whose detail is on screen.
-- A fragment of activity.sql (it reads that query's CTE `a`), put at its SESSIONS marker.
SELECT coalesce(json_agg(b), '[]') FROM (
    SELECT pid, coalesce(application_name, '') AS application, r.rolname AS "user",
           d.datname AS database, host(client_addr) AS client_addr,
           coalesce(state, 'unknown') AS state,
           extract(epoch FROM now() - xact_start) AS transaction_age_s,
           extract(epoch FROM now() - state_change) AS state_age_s,
           wait_event_type,
           CASE WHEN wait_event_type = 'Lock' THEN pg_blocking_pids(pid) END AS blocked_by,
           CASE WHEN query = '<insufficient privilege>' OR state IS NULL THEN NULL
                ELSE left(query, 2000) END AS query,
           -- PostgreSQL's own rule for pg_cancel_backend / pg_terminate_backend: superusers
           -- signal anyone; others never a superuser's backend, and otherwise one whose
           -- role they have the privileges of, or any with pg_signal_backend.
           coalesce((SELECT rolsuper FROM me), false)
               OR (NOT coalesce(r.rolsuper, true)
                   AND (pg_has_role(current_user, a.usesysid, 'USAGE')
                        OR pg_has_role(current_user, 'pg_signal_backend', 'USAGE')))
               AS signalable
    FROM (SELECT * FROM a
          WHERE pid <> pg_backend_pid() AND state IS DISTINCT FROM 'idle'
          ORDER BY xact_start NULLS LAST, state_change NULLS LAST
          LIMIT 50) a
    LEFT JOIN pg_database d ON d.oid = a.datid
    LEFT JOIN pg_roles r ON r.oid = a.usesysid
    ORDER BY xact_start NULLS LAST, state_change NULLS LAST) b
