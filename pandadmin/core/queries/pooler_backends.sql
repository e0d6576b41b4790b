-- The pooler's server connections (PgBouncer's SHOW SERVERS remote_pid list, bound as $1)
-- counted by the application_name they carry, so the breakdown can show them under the pooler.
SELECT coalesce(application_name, '') AS application, count(*)::int AS n
FROM pg_stat_activity
WHERE pid = ANY($1::int[]) AND backend_type = 'client backend'
GROUP BY 1
