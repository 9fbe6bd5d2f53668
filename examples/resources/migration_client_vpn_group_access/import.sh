# Import the access rules of an existing Client VPN endpoint. Groups are rebuilt from the
# per-SID authorization rules, keyed by rule description (or SID).
terraform import migration_client_vpn_group_access.staff cvpn-endpoint-0123456789abcdef0
