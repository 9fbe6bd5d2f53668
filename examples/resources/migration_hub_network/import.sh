# Import an existing hub by its Transit Gateway ID. Attachments are keyed by their
# `migration:network` tag (or Name tag), so a plan right after import is empty when the
# configuration matches.
terraform import migration_hub_network.hub tgw-0123456789abcdef0
