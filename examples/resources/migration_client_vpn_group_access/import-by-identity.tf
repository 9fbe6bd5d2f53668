# Terraform 1.12 and later: import the access rules of an existing Client VPN endpoint by the
# resource identity. `account_id` and `region` may be left out (they default to the
# provider's, and must be the provider's).
import {
  to = migration_client_vpn_group_access.staff
  identity = {
    client_vpn_endpoint_id = "cvpn-endpoint-0123456789abcdef0"
  }
}
