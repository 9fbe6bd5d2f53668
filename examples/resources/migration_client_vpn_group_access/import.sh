# Import the access rules of an existing Client VPN endpoint. Groups are rebuilt from the
# endpoint's per-group rules: a rule described "<key>: <text>" or "<key>" belongs to group <key>;
# a rule without a description to a group keyed by its SID.
terraform import migration_client_vpn_group_access.staff cvpn-endpoint-0123456789abcdef0
