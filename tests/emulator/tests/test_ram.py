"""RAM: shares of a TGW, principal association states, invitations with eventual consistency."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from conftest import error_code, new_account, wait_for

ORG_ARN = "arn:aws:organizations::111111111111:organization/o-abcdefghij"
OU_ARN = "arn:aws:organizations::111111111111:ou/o-abcdefghij/ou-ab12-cdefghij"


@pytest.fixture
def tgw_arn(client):
    return client("ec2").create_transit_gateway(Description="hub")["TransitGateway"]["TransitGatewayArn"]


def principal_states(ram, share_arn):
    found = ram.get_resource_share_associations(associationType="PRINCIPAL", resourceShareArns=[share_arn])["resourceShareAssociations"]
    return {a["associatedEntity"]: a["status"] for a in found}


def test_account_principal_waits_for_its_invitation(admin, client, account, tgw_arn):
    admin.config(delays={"ram_invitation.appear": 0.4})
    spoke = new_account()
    ram = client("ram")
    share = ram.create_resource_share(name="hub", resourceArns=[tgw_arn], principals=[spoke], tags=[{"key": "team", "value": "net"}])["resourceShare"]
    assert share["status"] == "ACTIVE" and share["tags"] == [{"key": "team", "value": "net"}]
    resources = ram.get_resource_share_associations(associationType="RESOURCE", resourceShareArns=[share["resourceShareArn"]])["resourceShareAssociations"]
    assert [(r["associatedEntity"], r["status"]) for r in resources] == [(tgw_arn, "ASSOCIATED")]
    assert principal_states(ram, share["resourceShareArn"]) == {spoke: "ASSOCIATING"}

    spoke_ram = client("ram", account=spoke)
    assert spoke_ram.get_resource_share_invitations()["resourceShareInvitations"] == []  # not visible yet
    waited = wait_for(lambda: len(spoke_ram.get_resource_share_invitations()["resourceShareInvitations"]), 1)
    assert waited > 0.2
    invitation = spoke_ram.get_resource_share_invitations()["resourceShareInvitations"][0]
    assert (invitation["senderAccountId"], invitation["receiverAccountId"], invitation["status"]) == (account, spoke, "PENDING")
    assert client("ram").get_resource_share_invitations()["resourceShareInvitations"] == []  # the sender sees none

    accepted = spoke_ram.accept_resource_share_invitation(resourceShareInvitationArn=invitation["resourceShareInvitationArn"])
    assert accepted["resourceShareInvitation"]["status"] == "ACCEPTED"
    assert principal_states(ram, share["resourceShareArn"]) == {spoke: "ASSOCIATED"}
    with pytest.raises(ClientError) as excinfo:
        spoke_ram.accept_resource_share_invitation(resourceShareInvitationArn=invitation["resourceShareInvitationArn"])
    assert error_code(excinfo) == "ResourceShareInvitationAlreadyAcceptedException"
    shared = spoke_ram.get_resource_shares(resourceOwner="OTHER-ACCOUNTS")["resourceShares"]
    assert [s["resourceShareArn"] for s in shared] == [share["resourceShareArn"]]


def test_organization_principals_associate_after_the_delay(admin, client, tgw_arn):
    admin.config(delays={"ram_association.associating": 0.3})
    ram = client("ram")
    share = ram.create_resource_share(name="org", resourceArns=[tgw_arn], principals=[ORG_ARN])["resourceShare"]["resourceShareArn"]
    assert principal_states(ram, share) == {ORG_ARN: "ASSOCIATING"}
    wait_for(lambda: principal_states(ram, share), {ORG_ARN: "ASSOCIATED"})
    ram.associate_resource_share(resourceShareArn=share, principals=[OU_ARN])
    wait_for(lambda: principal_states(ram, share)[OU_ARN], "ASSOCIATED")
    ram.disassociate_resource_share(resourceShareArn=share, principals=[ORG_ARN])
    wait_for(lambda: principal_states(ram, share)[ORG_ARN], "DISASSOCIATED")
    disassociated = ram.get_resource_share_associations(associationType="PRINCIPAL", resourceShareArns=[share], associationStatus="DISASSOCIATED")
    assert [a["associatedEntity"] for a in disassociated["resourceShareAssociations"]] == [ORG_ARN]


def test_bare_organization_ids_are_refused(client, tgw_arn):
    ram = client("ram")
    for principal in ("o-abcdefghij", "ou-ab12-cdefghij"):
        with pytest.raises(ClientError) as excinfo:
            ram.create_resource_share(name="bad", resourceArns=[tgw_arn], principals=[principal])
        assert error_code(excinfo) == "InvalidParameterException"
        assert f"Principal ID {principal} is malformed" in excinfo.value.response["Error"]["Message"]


def test_resources_are_checked(client, account):
    ram = client("ram")
    with pytest.raises(ClientError) as excinfo:
        ram.create_resource_share(name="x", resourceArns=[f"arn:aws:ec2:us-east-1:{account}:transit-gateway/tgw-0123456789abcdef0"])
    assert error_code(excinfo) == "UnknownResourceException"
    with pytest.raises(ClientError) as excinfo:
        ram.create_resource_share(name="x", resourceArns=["not-an-arn"])
    assert error_code(excinfo) == "MalformedArnException"


def test_update_delete_and_client_token(client, tgw_arn):
    ram = client("ram")
    first = ram.create_resource_share(name="s", resourceArns=[tgw_arn], clientToken="t-1")
    again = ram.create_resource_share(name="s", resourceArns=[tgw_arn], clientToken="t-1")
    assert first["resourceShare"]["resourceShareArn"] == again["resourceShare"]["resourceShareArn"]
    with pytest.raises(ClientError) as excinfo:
        ram.create_resource_share(name="other", clientToken="t-1")
    assert error_code(excinfo) == "IdempotentParameterMismatchException"
    arn = first["resourceShare"]["resourceShareArn"]
    updated = ram.update_resource_share(resourceShareArn=arn, name="renamed", allowExternalPrincipals=False)["resourceShare"]
    assert (updated["name"], updated["allowExternalPrincipals"]) == ("renamed", False)
    assert ram.delete_resource_share(resourceShareArn=arn)["returnValue"] is True
    assert [s["status"] for s in ram.get_resource_shares(resourceOwner="SELF", resourceShareArns=[arn])["resourceShares"]] == ["DELETED"]
    assert ram.get_resource_shares(resourceOwner="SELF", resourceShareStatus="ACTIVE")["resourceShares"] == []
    with pytest.raises(ClientError) as excinfo:
        ram.update_resource_share(resourceShareArn=arn.replace(arn[-6:], "000000"), name="x")
    assert error_code(excinfo) == "UnknownResourceException"
