"""The local demo stack (embedded PostgreSQL, sample services, traffic); needs the `demo` extra."""
