"""A sample FastAPI service written the way the deployment guide recommends."""
