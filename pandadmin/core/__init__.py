"""The Qt-free domain core: config, secrets, probes, status rules, migrations."""
