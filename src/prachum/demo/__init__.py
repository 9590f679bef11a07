"""The demo: two meeting files (YAML, loaded by `prachum demo`) and the service that sets it up."""
