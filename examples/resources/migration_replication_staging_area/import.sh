# A staging area is imported by the id of its MGN replication configuration template.
terraform import migration_replication_staging_area.staging rct-0a1b2c3d4e5f60021
