"""Spoke accounts: a hub's TGW shared over RAM, seen, attached to and routed to from another account.

Covers AWS Organizations (declared in the admin config), when a shared TGW becomes visible in the
spoke, attachments seen from both sides, what the spoke may not do to the hub's TGW, invitation
purging and paging, the spoke's RAM views, and the per-account inventory.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from conftest import error_code, new_account, wait_for

ORG_ID = "o-exampleorg01"
OTHER_ORG_ID = "o-otherorg0002"
OU_ID = "ou-ab12-members1"
OTHER_OU_ID = "ou-ab12-nobodyxx"


def org_arn(management: str, org_id: str = ORG_ID) -> str:
    return f"arn:aws:organizations::{management}:organization/{org_id}"


def ou_arn(management: str, ou_id: str, org_id: str = ORG_ID) -> str:
    return f"arn:aws:organizations::{management}:ou/{org_id}/{ou_id}"


def declare_org(admin, management: str, members: list[str], *, sharing: bool = True, org_id: str = ORG_ID, **extra: Any) -> None:
    admin.config(organizations={org_id: {"management_account": management, "accounts": members, "ram_sharing_enabled": sharing, **extra}})


def message(excinfo: Any) -> str:
    return excinfo.value.response["Error"]["Message"]


def make_tgw(ec2: Any, **options: str) -> dict[str, Any]:
    tgw = ec2.create_transit_gateway(
        Description="hub",
        Options=options,
        TagSpecifications=[{"ResourceType": "transit-gateway", "Tags": [{"Key": "Name", "Value": "hub"}]}],
    )["TransitGateway"]
    wait_for(lambda: ec2.describe_transit_gateways(TransitGatewayIds=[tgw["TransitGatewayId"]])["TransitGateways"][0]["State"], "available")
    return tgw


def spoke_vpc(ec2: Any, cidr: str = "10.20.0.0/16") -> dict[str, str]:
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    base = cidr.rsplit(".", 2)[0]
    a = ec2.create_subnet(VpcId=vpc, CidrBlock=f"{base}.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    b = ec2.create_subnet(VpcId=vpc, CidrBlock=f"{base}.2.0/24", AvailabilityZone="us-east-1b")["Subnet"]["SubnetId"]
    a2 = ec2.create_subnet(VpcId=vpc, CidrBlock=f"{base}.3.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    return {"vpc": vpc, "subnet_a": a, "subnet_b": b, "subnet_a2": a2, "table": table}


def invitations(ram: Any, **kwargs: Any) -> list[dict[str, Any]]:
    return ram.get_resource_share_invitations(**kwargs)["resourceShareInvitations"]


def accept_invitation(ram: Any) -> dict[str, Any]:
    wait_for(lambda: len(invitations(ram)) > 0, True)
    invitation = invitations(ram)[0]
    ram.accept_resource_share_invitation(resourceShareInvitationArn=invitation["resourceShareInvitationArn"])
    return invitation


def principal_states(ram: Any, share_arn: str) -> dict[str, str]:
    found = ram.get_resource_share_associations(associationType="PRINCIPAL", resourceShareArns=[share_arn])["resourceShareAssociations"]
    return {a["associatedEntity"]: a["status"] for a in found}


def sees_tgw(ec2: Any, tgw_id: str) -> bool:
    """Whether DescribeTransitGateways by ID finds the TGW (it answers NotFound otherwise)."""
    try:
        found = ec2.describe_transit_gateways(TransitGatewayIds=[tgw_id])["TransitGateways"]
    except ClientError as error:
        assert error.response["Error"]["Code"] == "InvalidTransitGatewayID.NotFound"
        return False
    return [t["TransitGatewayId"] for t in found] == [tgw_id]


def listed_tgws(ec2: Any) -> list[str]:
    return [t["TransitGatewayId"] for t in ec2.describe_transit_gateways()["TransitGateways"]]


def attachment(ec2: Any, attachment_id: str) -> dict[str, Any]:
    return ec2.describe_transit_gateway_attachments(TransitGatewayAttachmentIds=[attachment_id])["TransitGatewayAttachments"][0]


def shared_hub(admin, client, account, *, auto_accept: bool = False) -> dict[str, Any]:
    """A hub TGW shared with a fresh spoke account that has accepted; the TGW is visible there."""
    hub = client("ec2")
    tgw = make_tgw(hub, AutoAcceptSharedAttachments="enable" if auto_accept else "disable")
    spoke_account = new_account()
    share = client("ram").create_resource_share(name="hub", resourceArns=[tgw["TransitGatewayArn"]], principals=[spoke_account])["resourceShare"]
    accept_invitation(client("ram", account=spoke_account))
    spoke = client("ec2", account=spoke_account)
    wait_for(lambda: sees_tgw(spoke, tgw["TransitGatewayId"]), True)
    return {"hub": hub, "tgw": tgw, "spoke_account": spoke_account, "spoke": spoke, "share": share["resourceShareArn"], "network": spoke_vpc(spoke)}


# ---------------------------------------------------------------------------------------------
# Organizations


def test_organizations_config_is_validated_and_normalised(admin):
    for bad, fragment in (
        ({"o-short": {"management_account": "111122223333"}}, "o-short"),
        ({ORG_ID: {"management_account": "1234"}}, "management_account"),
        ({ORG_ID: {"management_account": "111122223333", "acounts": []}}, "acounts"),
        ({ORG_ID: {"management_account": "111122223333", "ram_sharing_enabled": "yes"}}, "ram_sharing_enabled"),
        ({ORG_ID: {"management_account": "111122223333", "organizational_units": {OU_ID: ["999988887777"]}}}, "outside"),
        ({ORG_ID: {"management_account": "111122223333"}, OTHER_ORG_ID: {"management_account": "444455556666", "accounts": ["111122223333"]}}, "one Organization"),
        ([], "organizations"),
    ):
        status, payload = admin.request("POST", "config", {"organizations": bad})
        assert status == 400 and fragment in payload["error"], payload
    merged = admin.config(organizations={ORG_ID: {"management_account": "111122223333", "accounts": ["222233334444", "222233334444"]}})
    assert merged["organizations"] == {
        ORG_ID: {"management_account": "111122223333", "accounts": ["111122223333", "222233334444"], "ram_sharing_enabled": False, "organizational_units": {}}
    }
    assert admin.config(organizations={})["organizations"] == {}  # the section is replaced as a whole


def test_account_of_the_owners_organization_associates_without_an_invitation(admin, client, account):
    spoke_account = new_account()
    declare_org(admin, account, [spoke_account])
    admin.config(delays={"ram_association.associating": 0.4})
    tgw = make_tgw(client("ec2"))
    ram = client("ram")
    share = ram.create_resource_share(name="hub", resourceArns=[tgw["TransitGatewayArn"]], principals=[spoke_account], allowExternalPrincipals=False)
    share_arn = share["resourceShare"]["resourceShareArn"]
    assert principal_states(ram, share_arn) == {spoke_account: "ASSOCIATING"}
    spoke_ram = client("ram", account=spoke_account)
    assert spoke_ram.get_resource_shares(resourceOwner="OTHER-ACCOUNTS")["resourceShares"] == []
    waited = wait_for(lambda: principal_states(ram, share_arn), {spoke_account: "ASSOCIATED"})
    assert waited > 0.2
    association = ram.get_resource_share_associations(associationType="PRINCIPAL", resourceShareArns=[share_arn])["resourceShareAssociations"][0]
    assert association["external"] is False
    assert invitations(spoke_ram) == []  # nothing to accept inside the Organization
    assert [s["resourceShareArn"] for s in spoke_ram.get_resource_shares(resourceOwner="OTHER-ACCOUNTS")["resourceShares"]] == [share_arn]
    assert sees_tgw(client("ec2", account=spoke_account), tgw["TransitGatewayId"])


def test_organization_sharing_disabled_sends_invitations_and_refuses_org_principals(admin, client, account):
    member = new_account()
    declare_org(admin, account, [member], sharing=False)
    tgw = make_tgw(client("ec2"))
    ram = client("ram")
    share_arn = ram.create_resource_share(name="hub", resourceArns=[tgw["TransitGatewayArn"]], principals=[member])["resourceShare"]["resourceShareArn"]
    member_ram = client("ram", account=member)
    assert [i["resourceShareArn"] for i in invitations(member_ram)] == [share_arn]
    assert principal_states(ram, share_arn) == {member: "ASSOCIATING"}
    with pytest.raises(ClientError) as excinfo:
        ram.associate_resource_share(resourceShareArn=share_arn, principals=[org_arn(account)])
    assert error_code(excinfo) == "OperationNotPermittedException"
    assert "can only be shared within your AWS Organization" in message(excinfo)
    with pytest.raises(ClientError) as excinfo:  # without org sharing every account is external
        ram.create_resource_share(name="internal", resourceArns=[tgw["TransitGatewayArn"]], principals=[member], allowExternalPrincipals=False)
    assert error_code(excinfo) == "OperationNotPermittedException"


def test_organization_arn_reaches_only_the_accounts_of_that_organization(admin, client, account):
    member, outsider = new_account(), new_account()
    declare_org(admin, account, [member])
    tgw = make_tgw(client("ec2"))
    ram = client("ram")
    share_arn = ram.create_resource_share(name="org", resourceArns=[tgw["TransitGatewayArn"]], principals=[org_arn(account)])["resourceShare"]["resourceShareArn"]
    member_ec2, outsider_ec2 = client("ec2", account=member), client("ec2", account=outsider)
    wait_for(lambda: sees_tgw(member_ec2, tgw["TransitGatewayId"]), True)
    assert listed_tgws(member_ec2) == [tgw["TransitGatewayId"]]
    assert [s["resourceShareArn"] for s in client("ram", account=member).get_resource_shares(resourceOwner="OTHER-ACCOUNTS")["resourceShares"]] == [share_arn]
    assert not sees_tgw(outsider_ec2, tgw["TransitGatewayId"])
    assert listed_tgws(outsider_ec2) == []
    assert client("ram", account=outsider).get_resource_shares(resourceOwner="OTHER-ACCOUNTS")["resourceShares"] == []
    assert invitations(client("ram", account=member)) == []


def test_ou_principals_reach_the_accounts_of_their_ou(admin, client, account):
    in_ou, elsewhere = new_account(), new_account()
    declare_org(admin, account, [in_ou, elsewhere], organizational_units={OU_ID: [in_ou]})
    tgw = make_tgw(client("ec2"))
    ram = client("ram")
    ram.create_resource_share(name="ou", resourceArns=[tgw["TransitGatewayArn"]], principals=[ou_arn(account, OU_ID)])
    wait_for(lambda: sees_tgw(client("ec2", account=in_ou), tgw["TransitGatewayId"]), True)
    assert not sees_tgw(client("ec2", account=elsewhere), tgw["TransitGatewayId"])
    with pytest.raises(ClientError) as excinfo:
        ram.create_resource_share(name="nobody", principals=[ou_arn(account, OTHER_OU_ID)])
    assert error_code(excinfo) == "UnknownResourceException"
    assert OTHER_OU_ID in message(excinfo)


def test_organization_the_owner_is_not_in_is_unknown(admin, client, account):
    member = new_account()
    declare_org(admin, account, [member])
    ram = client("ram")
    with pytest.raises(ClientError) as excinfo:
        ram.create_resource_share(name="foreign", principals=[org_arn("999988887777", OTHER_ORG_ID)])
    assert error_code(excinfo) == "UnknownResourceException"
    assert message(excinfo) == f"Organization {OTHER_ORG_ID} could not be found."
    loner_ram = client("ram", account=new_account())  # an account in no Organization
    with pytest.raises(ClientError) as excinfo:
        loner_ram.create_resource_share(name="x", principals=[org_arn(account)])
    assert error_code(excinfo) == "UnknownResourceException"
    assert ram.get_resource_shares(resourceOwner="SELF")["resourceShares"] == []  # refused before anything was created


def test_allow_external_principals_false_refuses_accounts_outside_the_organization(admin, client, account):
    member, outsider = new_account(), new_account()
    declare_org(admin, account, [member])
    tgw = make_tgw(client("ec2"))
    ram = client("ram")
    with pytest.raises(ClientError) as excinfo:
        ram.create_resource_share(name="closed", resourceArns=[tgw["TransitGatewayArn"]], principals=[member, outsider], allowExternalPrincipals=False)
    assert error_code(excinfo) == "OperationNotPermittedException"
    assert ram.get_resource_shares(resourceOwner="SELF")["resourceShares"] == []
    share_arn = ram.create_resource_share(name="closed", resourceArns=[tgw["TransitGatewayArn"]], principals=[member], allowExternalPrincipals=False)[
        "resourceShare"
    ]["resourceShareArn"]
    with pytest.raises(ClientError) as excinfo:
        ram.associate_resource_share(resourceShareArn=share_arn, principals=[outsider])
    assert error_code(excinfo) == "OperationNotPermittedException"
    assert set(principal_states(ram, share_arn)) == {member}
    open_arn = ram.create_resource_share(name="open", resourceArns=[tgw["TransitGatewayArn"]], principals=[outsider])["resourceShare"]["resourceShareArn"]
    assert [i["resourceShareArn"] for i in invitations(client("ram", account=outsider))] == [open_arn]


def test_without_organizations_every_account_is_external_and_org_arns_reach_everyone(client, account):
    tgw = make_tgw(client("ec2"))
    ram = client("ram")
    anyone, invited = new_account(), new_account()
    ram.create_resource_share(name="org", resourceArns=[tgw["TransitGatewayArn"]], principals=[org_arn("111111111111", "o-abcdefghij")])
    wait_for(lambda: sees_tgw(client("ec2", account=anyone), tgw["TransitGatewayId"]), True)
    ram.create_resource_share(name="closed", resourceArns=[tgw["TransitGatewayArn"]], principals=[invited], allowExternalPrincipals=False)
    assert len(invitations(client("ram", account=invited))) == 1  # not enforced without Organizations


# ---------------------------------------------------------------------------------------------
# Visibility of the shared TGW in the spoke


def test_shared_tgw_stays_invisible_until_accepted_and_propagated(admin, client, account):
    admin.config(delays={"ram_share.propagation": 0.6})
    hub = client("ec2")
    tgw = make_tgw(hub)
    tgw_id = tgw["TransitGatewayId"]
    spoke_account = new_account()
    spoke = client("ec2", account=spoke_account)
    network = spoke_vpc(spoke)
    client("ram").create_resource_share(name="hub", resourceArns=[tgw["TransitGatewayArn"]], principals=[spoke_account])

    def refused_everywhere() -> None:
        with pytest.raises(ClientError) as excinfo:
            spoke.describe_transit_gateways(TransitGatewayIds=[tgw_id])
        assert error_code(excinfo) == "InvalidTransitGatewayID.NotFound"
        assert spoke.describe_transit_gateways(Filters=[{"Name": "transit-gateway-id", "Values": [tgw_id]}])["TransitGateways"] == []
        with pytest.raises(ClientError) as excinfo:
            spoke.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw_id, VpcId=network["vpc"], SubnetIds=[network["subnet_a"]])
        assert error_code(excinfo) == "InvalidTransitGatewayID.NotFound"
        assert message(excinfo) == f"Transit Gateway {tgw_id} was deleted or does not exist."
        with pytest.raises(ClientError) as excinfo:
            spoke.create_route(RouteTableId=network["table"], DestinationCidrBlock="10.0.0.0/8", TransitGatewayId=tgw_id)
        assert error_code(excinfo) == "InvalidTransitGatewayID.NotFound"
        assert message(excinfo) == f"The transitGateway ID '{tgw_id}' does not exist."

    refused_everywhere()  # shared, invitation pending
    accept_invitation(client("ram", account=spoke_account))
    refused_everywhere()  # accepted, not yet propagated (terraform-provider-aws #10025)
    waited = wait_for(lambda: sees_tgw(spoke, tgw_id), True)
    assert 0.3 < waited < 2
    seen = spoke.describe_transit_gateways(Filters=[{"Name": "transit-gateway-id", "Values": [tgw_id]}])["TransitGateways"]
    assert [(t["TransitGatewayId"], t["OwnerId"], t["State"]) for t in seen] == [(tgw_id, account, "available")]
    assert "Tags" not in seen[0]  # the hub's tags are the hub's
    spoke.create_route(RouteTableId=network["table"], DestinationCidrBlock="10.0.0.0/8", TransitGatewayId=tgw_id)


def test_account_it_is_not_shared_with_never_sees_it(client):
    tgw = make_tgw(client("ec2"))
    stranger = client("ec2", account=new_account())
    network = spoke_vpc(stranger)
    assert not sees_tgw(stranger, tgw["TransitGatewayId"])
    with pytest.raises(ClientError) as excinfo:
        stranger.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw["TransitGatewayId"], VpcId=network["vpc"], SubnetIds=[network["subnet_a"]])
    assert error_code(excinfo) == "InvalidTransitGatewayID.NotFound"


def test_disassociating_the_spoke_or_deleting_the_share_hides_the_tgw_again(admin, client, account):
    setup = shared_hub(admin, client, account)
    spoke, tgw_id, network = setup["spoke"], setup["tgw"]["TransitGatewayId"], setup["network"]
    spoke.create_route(RouteTableId=network["table"], DestinationCidrBlock="10.0.0.0/8", TransitGatewayId=tgw_id)
    ram = client("ram")
    ram.disassociate_resource_share(resourceShareArn=setup["share"], principals=[setup["spoke_account"]])
    assert not sees_tgw(spoke, tgw_id)
    assert listed_tgws(spoke) == []
    with pytest.raises(ClientError) as excinfo:
        spoke.replace_route(RouteTableId=network["table"], DestinationCidrBlock="10.0.0.0/8", TransitGatewayId=tgw_id)
    assert error_code(excinfo) == "InvalidTransitGatewayID.NotFound"

    declare_org(admin, account, [setup["spoke_account"]])
    org_share = ram.create_resource_share(name="org", resourceArns=[setup["tgw"]["TransitGatewayArn"]], principals=[org_arn(account)])
    wait_for(lambda: sees_tgw(spoke, tgw_id), True)
    ram.delete_resource_share(resourceShareArn=org_share["resourceShare"]["resourceShareArn"])
    assert not sees_tgw(spoke, tgw_id)


# ---------------------------------------------------------------------------------------------
# Attachments seen from both sides


def test_cross_account_attachment_from_request_to_acceptance_seen_from_both_sides(admin, client, account):
    setup = shared_hub(admin, client, account)
    hub, spoke, spoke_account, network = setup["hub"], setup["spoke"], setup["spoke_account"], setup["network"]
    tgw_id = setup["tgw"]["TransitGatewayId"]
    default_table = setup["tgw"]["Options"]["AssociationDefaultRouteTableId"]
    created = spoke.create_transit_gateway_vpc_attachment(
        TransitGatewayId=tgw_id,
        VpcId=network["vpc"],
        SubnetIds=[network["subnet_a"], network["subnet_b"]],
        TagSpecifications=[{"ResourceType": "transit-gateway-attachment", "Tags": [{"Key": "Name", "Value": "spoke-side"}]}],
    )["TransitGatewayVpcAttachment"]
    attachment_id = created["TransitGatewayAttachmentId"]
    assert (created["State"], created["VpcOwnerId"]) == ("pending", spoke_account)
    wait_for(lambda: attachment(spoke, attachment_id)["State"], "pendingAcceptance")

    for side in (hub, spoke):
        seen = attachment(side, attachment_id)
        assert (seen["State"], seen["ResourceOwnerId"], seen["TransitGatewayOwnerId"], seen["ResourceId"]) == (
            "pendingAcceptance", spoke_account, account, network["vpc"]
        )
        vpc_seen = side.describe_transit_gateway_vpc_attachments(Filters=[{"Name": "transit-gateway-id", "Values": [tgw_id]}])["TransitGatewayVpcAttachments"]
        assert [(a["TransitGatewayAttachmentId"], a["VpcOwnerId"]) for a in vpc_seen] == [(attachment_id, spoke_account)]

    # Tags are per side.
    hub.create_tags(Resources=[attachment_id], Tags=[{"Key": "Name", "Value": "hub-side"}])
    assert attachment(spoke, attachment_id)["Tags"] == [{"Key": "Name", "Value": "spoke-side"}]
    assert attachment(hub, attachment_id)["Tags"] == [{"Key": "Name", "Value": "hub-side"}]
    assert [a["TransitGatewayAttachmentId"] for a in hub.describe_transit_gateway_attachments(Filters=[{"Name": "tag:Name", "Values": ["spoke-side"]}])["TransitGatewayAttachments"]] == []

    with pytest.raises(ClientError) as excinfo:  # only the TGW owner accepts
        spoke.accept_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=attachment_id)
    assert error_code(excinfo) == "InvalidParameterValue"
    with pytest.raises(ClientError) as excinfo:
        client("ec2", account=new_account()).accept_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=attachment_id)
    assert error_code(excinfo) == "InvalidTransitGatewayAttachmentID.NotFound"

    admin.config(delays={"vpc_attachment.pending": 0.3})
    assert hub.accept_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=attachment_id)["TransitGatewayVpcAttachment"]["State"] == "pending"
    assert attachment(spoke, attachment_id)["State"] == "pending"
    wait_for(lambda: attachment(spoke, attachment_id)["State"], "available")
    with pytest.raises(ClientError) as excinfo:
        hub.accept_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=attachment_id)
    assert error_code(excinfo) == "IncorrectState"

    # The owner's default route table associates and propagates the accepted spoke attachment.
    associations = hub.get_transit_gateway_route_table_associations(TransitGatewayRouteTableId=default_table)["Associations"]
    assert [a["TransitGatewayAttachmentId"] for a in associations] == [attachment_id]
    propagations = hub.get_transit_gateway_route_table_propagations(TransitGatewayRouteTableId=default_table)["TransitGatewayRouteTablePropagations"]
    assert [p["TransitGatewayAttachmentId"] for p in propagations] == [attachment_id]
    routes = hub.search_transit_gateway_routes(TransitGatewayRouteTableId=default_table, Filters=[{"Name": "type", "Values": ["propagated"]}])["Routes"]
    assert [(r["DestinationCidrBlock"], r["TransitGatewayAttachments"][0]["TransitGatewayAttachmentId"]) for r in routes] == [("10.20.0.0/16", attachment_id)]


def test_spoke_attachment_subnets_must_be_the_spokes_own(admin, client, account):
    setup = shared_hub(admin, client, account)
    hub, spoke, network, tgw_id = setup["hub"], setup["spoke"], setup["network"], setup["tgw"]["TransitGatewayId"]
    hub_vpc = hub.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    hub_subnet = hub.create_subnet(VpcId=hub_vpc, CidrBlock="10.9.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    other = spoke_vpc(spoke, "10.30.0.0/16")
    for kwargs, code in (
        ({"VpcId": network["vpc"], "SubnetIds": [hub_subnet]}, "InvalidSubnetID.NotFound"),
        ({"VpcId": hub_vpc, "SubnetIds": [network["subnet_a"]]}, "InvalidVpcID.NotFound"),
        ({"VpcId": network["vpc"], "SubnetIds": [other["subnet_a"]]}, "InvalidParameterValue"),
        ({"VpcId": network["vpc"], "SubnetIds": [network["subnet_a"], network["subnet_a2"]]}, "DuplicateSubnetsInSameZone"),
    ):
        with pytest.raises(ClientError) as excinfo:
            spoke.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw_id, **kwargs)
        assert error_code(excinfo) == code, kwargs
    assert hub.describe_transit_gateway_attachments(Filters=[{"Name": "transit-gateway-id", "Values": [tgw_id]}])["TransitGatewayAttachments"] == []


def test_owner_rejects_and_the_rejected_attachment_goes_away(admin, client, account):
    admin.config(delays={"vpc_attachment.rejected": 0.4})
    setup = shared_hub(admin, client, account)
    hub, spoke, network = setup["hub"], setup["spoke"], setup["network"]
    attachment_id = spoke.create_transit_gateway_vpc_attachment(
        TransitGatewayId=setup["tgw"]["TransitGatewayId"], VpcId=network["vpc"], SubnetIds=[network["subnet_a"]]
    )["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
    wait_for(lambda: attachment(hub, attachment_id)["State"], "pendingAcceptance")
    with pytest.raises(ClientError) as excinfo:
        spoke.reject_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=attachment_id)
    assert error_code(excinfo) == "InvalidParameterValue"
    assert hub.reject_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=attachment_id)["TransitGatewayVpcAttachment"]["State"] == "rejecting"
    assert attachment(spoke, attachment_id)["State"] == "rejected"
    waited = wait_for(lambda: attachment(spoke, attachment_id)["State"], "deleted")
    assert waited > 0.2
    assert admin.inventory(account)["transit_gateway_attachments"] == []
    assert admin.inventory(setup["spoke_account"])["transit_gateway_attachments"] == []


def test_rejected_stays_rejected_without_the_delay_key(admin, client, account):
    setup = shared_hub(admin, client, account)
    hub, spoke, network = setup["hub"], setup["spoke"], setup["network"]
    attachment_id = spoke.create_transit_gateway_vpc_attachment(
        TransitGatewayId=setup["tgw"]["TransitGatewayId"], VpcId=network["vpc"], SubnetIds=[network["subnet_a"]]
    )["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
    wait_for(lambda: attachment(hub, attachment_id)["State"], "pendingAcceptance")
    hub.reject_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=attachment_id)
    wait_for(lambda: attachment(spoke, attachment_id)["State"], "rejected")
    assert attachment(hub, attachment_id)["State"] == "rejected"


def test_either_side_deletes_the_attachment(admin, client, account):
    admin.config(delays={"vpc_attachment.deleting": 0.3})
    setup = shared_hub(admin, client, account, auto_accept=True)
    hub, spoke, network, tgw_id = setup["hub"], setup["spoke"], setup["network"], setup["tgw"]["TransitGatewayId"]
    first = spoke.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw_id, VpcId=network["vpc"], SubnetIds=[network["subnet_a"]])
    first_id = first["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
    wait_for(lambda: attachment(hub, first_id)["State"], "available")  # auto-accepted: no pendingAcceptance
    deleted = hub.delete_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=first_id)["TransitGatewayVpcAttachment"]
    assert deleted["State"] == "deleting"
    assert attachment(spoke, first_id)["State"] == "deleting"
    wait_for(lambda: attachment(spoke, first_id)["State"], "deleted")

    second_vpc = spoke_vpc(spoke, "10.40.0.0/16")
    second_id = spoke.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw_id, VpcId=second_vpc["vpc"], SubnetIds=[second_vpc["subnet_b"]])[
        "TransitGatewayVpcAttachment"
    ]["TransitGatewayAttachmentId"]
    wait_for(lambda: attachment(spoke, second_id)["State"], "available")
    spoke.delete_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=second_id)
    wait_for(lambda: attachment(hub, second_id)["State"], "deleted")
    hub.delete_transit_gateway(TransitGatewayId=tgw_id)  # nothing blocks the owner's delete any more
    wait_for(lambda: [t["State"] for t in hub.describe_transit_gateways(TransitGatewayIds=[tgw_id])["TransitGateways"]], ["deleted"])


def test_pending_acceptance_delay_applies_to_auto_accepted_attachments_only(admin, client, account):
    admin.config(delays={"vpc_attachment.pendingAcceptance": 0.3})
    manual = shared_hub(admin, client, account)
    automatic = shared_hub(admin, client, account, auto_accept=True)
    ids = {}
    for name, setup in (("manual", manual), ("automatic", automatic)):
        network = setup["network"]
        ids[name] = setup["spoke"].create_transit_gateway_vpc_attachment(
            TransitGatewayId=setup["tgw"]["TransitGatewayId"], VpcId=network["vpc"], SubnetIds=[network["subnet_a"]]
        )["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
    assert attachment(automatic["spoke"], ids["automatic"])["State"] == "pendingAcceptance"
    wait_for(lambda: attachment(automatic["spoke"], ids["automatic"])["State"], "available")
    assert attachment(manual["spoke"], ids["manual"])["State"] == "pendingAcceptance"  # waits for its owner, delay or not


# ---------------------------------------------------------------------------------------------
# What the spoke may not do to the hub's TGW


def test_spoke_cannot_manage_the_owners_tgw_or_its_route_tables(admin, client, account):
    setup = shared_hub(admin, client, account, auto_accept=True)
    hub, spoke, network = setup["hub"], setup["spoke"], setup["network"]
    tgw_id = setup["tgw"]["TransitGatewayId"]
    table = setup["tgw"]["Options"]["AssociationDefaultRouteTableId"]
    attachment_id = spoke.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw_id, VpcId=network["vpc"], SubnetIds=[network["subnet_a"]])[
        "TransitGatewayVpcAttachment"
    ]["TransitGatewayAttachmentId"]
    wait_for(lambda: attachment(spoke, attachment_id)["State"], "available")
    on_table = {"TransitGatewayRouteTableId": table, "TransitGatewayAttachmentId": attachment_id}
    customer_gateway = spoke.create_customer_gateway(Type="ipsec.1", BgpAsn=65000, PublicIp="203.0.113.7")["CustomerGateway"]["CustomerGatewayId"]
    refusals = (
        (lambda: spoke.modify_transit_gateway(TransitGatewayId=tgw_id, Description="mine"), "InvalidTransitGatewayID.NotFound"),
        (lambda: spoke.delete_transit_gateway(TransitGatewayId=tgw_id), "InvalidTransitGatewayID.NotFound"),
        (lambda: spoke.create_transit_gateway_route_table(TransitGatewayId=tgw_id), "InvalidTransitGatewayID.NotFound"),
        (lambda: spoke.delete_transit_gateway_route_table(TransitGatewayRouteTableId=table), "InvalidRouteTableID.NotFound"),
        (lambda: spoke.associate_transit_gateway_route_table(**on_table), "InvalidRouteTableID.NotFound"),
        (lambda: spoke.disassociate_transit_gateway_route_table(**on_table), "InvalidRouteTableID.NotFound"),
        (lambda: spoke.enable_transit_gateway_route_table_propagation(**on_table), "InvalidRouteTableID.NotFound"),
        (lambda: spoke.disable_transit_gateway_route_table_propagation(**on_table), "InvalidRouteTableID.NotFound"),
        (lambda: spoke.create_transit_gateway_route(DestinationCidrBlock="0.0.0.0/0", **on_table), "InvalidRouteTableID.NotFound"),
        (lambda: spoke.get_transit_gateway_route_table_associations(TransitGatewayRouteTableId=table), "InvalidRouteTableID.NotFound"),
        # A Site-to-Site VPN attachment must be created in the account that owns the TGW.
        (lambda: spoke.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=customer_gateway, TransitGatewayId=tgw_id), "InvalidTransitGatewayID.NotFound"),
    )
    for call, code in refusals:
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error_code(excinfo) == code
    assert spoke.describe_transit_gateway_route_tables()["TransitGatewayRouteTables"] == []
    assert spoke.describe_vpn_connections()["VpnConnections"] == []
    hub_view = hub.describe_transit_gateways(TransitGatewayIds=[tgw_id])["TransitGateways"][0]
    assert (hub_view["State"], hub_view["Description"]) == ("available", "hub")
    associations = hub.get_transit_gateway_route_table_associations(TransitGatewayRouteTableId=table)["Associations"]
    assert [a["TransitGatewayAttachmentId"] for a in associations] == [attachment_id]
    assert [t["id"] for t in admin.inventory(account)["transit_gateway_route_tables"]] == [table]


# ---------------------------------------------------------------------------------------------
# Invitations: purging, filters, paging, errors


def test_invitations_are_purged_after_the_expire_delay(admin, client, account):
    admin.config(delays={"ram_invitation.expire": 0.8})
    tgw = make_tgw(client("ec2"))
    ram = client("ram")
    spoke_account = new_account()
    accepted_share = ram.create_resource_share(name="accepted", resourceArns=[tgw["TransitGatewayArn"]], principals=[spoke_account])["resourceShare"]["resourceShareArn"]
    ignored_share = ram.create_resource_share(name="ignored", resourceArns=[tgw["TransitGatewayArn"]], principals=[spoke_account])["resourceShare"]["resourceShareArn"]
    spoke_ram = client("ram", account=spoke_account)
    by_share = {i["resourceShareArn"]: i["resourceShareInvitationArn"] for i in invitations(spoke_ram)}
    assert set(by_share) == {accepted_share, ignored_share}
    spoke_ram.accept_resource_share_invitation(resourceShareInvitationArn=by_share[accepted_share])
    assert {i["status"] for i in invitations(spoke_ram)} == {"ACCEPTED", "PENDING"}

    wait_for(lambda: invitations(spoke_ram), [], timeout=3)
    with pytest.raises(ClientError) as excinfo:
        spoke_ram.accept_resource_share_invitation(resourceShareInvitationArn=by_share[ignored_share])
    assert error_code(excinfo) == "ResourceShareInvitationExpiredException"
    with pytest.raises(ClientError) as excinfo:
        spoke_ram.accept_resource_share_invitation(resourceShareInvitationArn=by_share[accepted_share])
    assert error_code(excinfo) == "ResourceShareInvitationArnNotFoundException"
    with pytest.raises(ClientError) as excinfo:
        spoke_ram.get_resource_share_invitations(resourceShareInvitationArns=[by_share[accepted_share]])
    assert error_code(excinfo) == "ResourceShareInvitationArnNotFoundException"
    # The accepted share stays accepted; the ignored one never became usable.
    assert principal_states(ram, accepted_share) == {spoke_account: "ASSOCIATED"}
    assert principal_states(ram, ignored_share) == {spoke_account: "ASSOCIATING"}
    assert [s["resourceShareArn"] for s in spoke_ram.get_resource_shares(resourceOwner="OTHER-ACCOUNTS")["resourceShares"]] == [accepted_share]
    assert sees_tgw(client("ec2", account=spoke_account), tgw["TransitGatewayId"])


def test_invitation_filters_paging_and_answer_errors(admin, client, account):
    tgw = make_tgw(client("ec2"))
    ram = client("ram")
    spoke_account = new_account()
    shares = [
        ram.create_resource_share(name=f"s{i}", resourceArns=[tgw["TransitGatewayArn"]], principals=[spoke_account])["resourceShare"]["resourceShareArn"]
        for i in range(3)
    ]
    spoke_ram = client("ram", account=spoke_account)
    every = invitations(spoke_ram)
    assert sorted(i["resourceShareArn"] for i in every) == sorted(shares)

    admin.config(page_size=2)
    first = spoke_ram.get_resource_share_invitations()
    assert len(first["resourceShareInvitations"]) == 2 and first["nextToken"]
    rest = spoke_ram.get_resource_share_invitations(nextToken=first["nextToken"])
    assert len(rest["resourceShareInvitations"]) == 1 and not rest.get("nextToken")
    paged = [i["resourceShareInvitationArn"] for i in first["resourceShareInvitations"] + rest["resourceShareInvitations"]]
    assert sorted(paged) == sorted(i["resourceShareInvitationArn"] for i in every)
    one = spoke_ram.get_resource_share_invitations(maxResults=1)
    assert len(one["resourceShareInvitations"]) == 1 and one["nextToken"]
    admin.config(page_size=None)

    assert [i["resourceShareArn"] for i in invitations(spoke_ram, resourceShareArns=[shares[1]])] == [shares[1]]
    target = every[2]["resourceShareInvitationArn"]
    assert [i["resourceShareInvitationArn"] for i in invitations(spoke_ram, resourceShareInvitationArns=[target])] == [target]
    unknown = target[: -len("00000000-0000-0000-0000-000000000000")] + "00000000-0000-0000-0000-000000000000"
    for call, code in (
        (lambda: spoke_ram.get_resource_share_invitations(resourceShareInvitationArns=[unknown]), "ResourceShareInvitationArnNotFoundException"),
        (lambda: spoke_ram.get_resource_share_invitations(resourceShareInvitationArns=["not-an-arn"]), "MalformedArnException"),
        (lambda: spoke_ram.accept_resource_share_invitation(resourceShareInvitationArn=unknown), "ResourceShareInvitationArnNotFoundException"),
        (lambda: ram.accept_resource_share_invitation(resourceShareInvitationArn=target), "ResourceShareInvitationArnNotFoundException"),  # the sender
    ):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error_code(excinfo) == code
    spoke_ram.accept_resource_share_invitation(resourceShareInvitationArn=target)
    for answer in (spoke_ram.accept_resource_share_invitation, spoke_ram.reject_resource_share_invitation):
        with pytest.raises(ClientError) as excinfo:
            answer(resourceShareInvitationArn=target)
        assert error_code(excinfo) == "ResourceShareInvitationAlreadyAcceptedException"
    rejected = every[0]["resourceShareInvitationArn"]
    assert spoke_ram.reject_resource_share_invitation(resourceShareInvitationArn=rejected)["resourceShareInvitation"]["status"] == "REJECTED"
    with pytest.raises(ClientError) as excinfo:
        spoke_ram.accept_resource_share_invitation(resourceShareInvitationArn=rejected)
    assert error_code(excinfo) == "ResourceShareInvitationAlreadyRejectedException"
    assert principal_states(ram, every[0]["resourceShareArn"]) == {spoke_account: "DISASSOCIATED"}


# ---------------------------------------------------------------------------------------------
# RAM seen from the spoke


def test_spoke_lists_what_is_shared_with_it(admin, client, account):
    tgw = make_tgw(client("ec2"))
    ram = client("ram")
    spoke_account, member = new_account(), new_account()
    declare_org(admin, account, [member])
    external = ram.create_resource_share(name="ext", resourceArns=[tgw["TransitGatewayArn"]], principals=[spoke_account])["resourceShare"]["resourceShareArn"]
    internal = ram.create_resource_share(name="int", resourceArns=[tgw["TransitGatewayArn"]], principals=[org_arn(account)])["resourceShare"]["resourceShareArn"]
    spoke_ram, member_ram = client("ram", account=spoke_account), client("ram", account=member)
    assert spoke_ram.list_resources(resourceOwner="OTHER-ACCOUNTS")["resources"] == []  # invitation not accepted yet
    accept_invitation(spoke_ram)
    resources = spoke_ram.list_resources(resourceOwner="OTHER-ACCOUNTS")["resources"]
    assert [(r["arn"], r["type"], r["resourceShareArn"], r["status"]) for r in resources] == [(tgw["TransitGatewayArn"], "ec2:TransitGateway", external, "AVAILABLE")]
    assert spoke_ram.list_resources(resourceOwner="OTHER-ACCOUNTS", resourceType="ec2:Subnet")["resources"] == []
    principals = spoke_ram.list_principals(resourceOwner="OTHER-ACCOUNTS")["principals"]
    assert [(p["id"], p["resourceShareArn"], p["external"]) for p in principals] == [(account, external, True)]

    wait_for(lambda: [s["resourceShareArn"] for s in member_ram.get_resource_shares(resourceOwner="OTHER-ACCOUNTS")["resourceShares"]], [internal])
    assert [r["resourceShareArn"] for r in member_ram.list_resources(resourceOwner="OTHER-ACCOUNTS")["resources"]] == [internal]
    assert [(p["id"], p["external"]) for p in member_ram.list_principals(resourceOwner="OTHER-ACCOUNTS")["principals"]] == [(account, False)]

    mine = ram.list_principals(resourceOwner="SELF")["principals"]
    assert sorted((p["id"], p["external"]) for p in mine) == sorted([(spoke_account, True), (org_arn(account), False)])
    assert len(ram.list_resources(resourceOwner="SELF", principal=spoke_account)["resources"]) == 1
    # GetResourceShareAssociations covers the caller's own shares only, as documented.
    assert spoke_ram.get_resource_share_associations(associationType="PRINCIPAL")["resourceShareAssociations"] == []
    with pytest.raises(ClientError) as excinfo:
        spoke_ram.list_resources(resourceOwner="EVERYONE")
    assert error_code(excinfo) == "InvalidParameterException"


# ---------------------------------------------------------------------------------------------
# Inventory per account


def test_inventory_separates_the_spokes_objects_from_the_hubs(admin, client, account):
    setup = shared_hub(admin, client, account, auto_accept=True)
    hub, spoke, spoke_account, network = setup["hub"], setup["spoke"], setup["spoke_account"], setup["network"]
    tgw_id = setup["tgw"]["TransitGatewayId"]
    attachment_id = spoke.create_transit_gateway_vpc_attachment(
        TransitGatewayId=tgw_id,
        VpcId=network["vpc"],
        SubnetIds=[network["subnet_a"]],
        TagSpecifications=[{"ResourceType": "transit-gateway-attachment", "Tags": [{"Key": "side", "Value": "spoke"}]}],
    )["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
    wait_for(lambda: attachment(spoke, attachment_id)["State"], "available")
    spoke.create_route(RouteTableId=network["table"], DestinationCidrBlock="10.0.0.0/8", TransitGatewayId=tgw_id)

    spoke_objects = admin.inventory(spoke_account)
    assert spoke_objects["transit_gateways"] == []
    assert [(a["id"], a["resource_owner_id"], a["transit_gateway_owner_id"], a["tags"]) for a in spoke_objects["transit_gateway_attachments"]] == [
        (attachment_id, spoke_account, account, {"side": "spoke"})
    ]
    assert [(r["route_table_id"], r["destination"], r["transit_gateway_id"], r["transit_gateway_owner_id"]) for r in spoke_objects["vpc_routes_to_transit_gateways"]] == [
        (network["table"], "10.0.0.0/8", tgw_id, account)
    ]
    hub_objects = admin.inventory(account)
    assert [(a["id"], a["resource_owner_id"], a["transit_gateway_owner_id"], a["tags"]) for a in hub_objects["transit_gateway_attachments"]] == [
        (attachment_id, spoke_account, account, {})
    ]

    # Destroying the spoke leaves the hub intact, and nothing of the spoke's.
    spoke.delete_route(RouteTableId=network["table"], DestinationCidrBlock="10.0.0.0/8")
    spoke.delete_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=attachment_id)
    spoke.describe_transit_gateway_attachments()  # lets the zero-second deletion complete
    spoke_objects = admin.inventory(spoke_account)
    assert (spoke_objects["transit_gateway_attachments"], spoke_objects["vpc_routes_to_transit_gateways"]) == ([], [])
    hub_objects = admin.inventory(account)
    assert hub_objects["transit_gateway_attachments"] == []
    assert [t["id"] for t in hub_objects["transit_gateways"]] == [tgw_id]
    assert [s["arn"] for s in hub_objects["ram_resource_shares"]] == [setup["share"]]
