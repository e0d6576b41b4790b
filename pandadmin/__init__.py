"""pandadmin: a desktop admin console for PaaS web services and their managed PostgreSQL."""

__version__ = "0.1.0"
