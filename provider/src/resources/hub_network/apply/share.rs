//! The RAM resource share of the Transit Gateway and its principals.

use super::Executor;
use crate::aws::retry::OpError;
use crate::framework::tags::fingerprint;
use crate::resources::hub_network::effects::Effect;
use crate::resources::hub_network::model::with_owner;
use crate::resources::hub_network::topology::Share;
use crate::resources::hub_network::topology::Tags;
use std::collections::BTreeSet;

impl Executor {
    pub(super) async fn create_share(
        &self,
        name: String,
        principals: BTreeSet<String>,
        allow_external_principals: bool,
        tags: Tags,
    ) -> Result<(), OpError> {
        let aws = self.aws();
        let (tgw_id, arn) = self.tgw()?;
        let tags = with_owner(tags, &tgw_id);
        // The same request always carries the same token (RAM keeps it for a while), so a
        // retry after a lost answer finds the share the first attempt made.
        let allow = allow_external_principals.to_string();
        let token = fingerprint(
            [
                "CreateResourceShare",
                name.as_str(),
                arn.as_str(),
                allow.as_str(),
            ]
            .into_iter()
            .chain(principals.iter().map(String::as_str))
            .chain(tags.iter().flat_map(|(k, v)| [k.as_str(), v.as_str()])),
        );
        let share_arn = aws
            .create_share(
                &name,
                &arn,
                &principals,
                allow_external_principals,
                &tags,
                &token,
            )
            .await?;
        self.record(Effect::ShareCreated(Share {
            arn: share_arn,
            name,
            allow_external_principals,
            principals,
            resources: [arn].into(),
            tags,
        }));
        Ok(())
    }

    pub(super) async fn update_share(
        &self,
        name: Option<String>,
        allow_external_principals: Option<bool>,
    ) -> Result<(), OpError> {
        let aws = self.aws();
        let arn = self.share_arn()?;
        aws.update_share(&arn, name.as_deref(), allow_external_principals)
            .await?;
        self.record(Effect::ShareUpdated {
            name,
            allow_external_principals,
        });
        Ok(())
    }

    pub(super) async fn add_principals(&self, principals: BTreeSet<String>) -> Result<(), OpError> {
        let aws = self.aws();
        let arn = self.share_arn()?;
        aws.associate_share(&arn, &principals, &[]).await?;
        self.record(Effect::PrincipalsAdded(principals));
        Ok(())
    }

    pub(super) async fn remove_principals(
        &self,
        principals: BTreeSet<String>,
    ) -> Result<(), OpError> {
        let aws = self.aws();
        let arn = self.share_arn()?;
        aws.disassociate_principals(&arn, &principals).await?;
        self.record(Effect::PrincipalsRemoved(principals));
        Ok(())
    }

    pub(super) async fn share_transit_gateway(&self) -> Result<(), OpError> {
        let aws = self.aws();
        let arn = self.share_arn()?;
        let (_, tgw_arn) = self.tgw()?;
        aws.associate_share(&arn, &BTreeSet::new(), std::slice::from_ref(&tgw_arn))
            .await?;
        self.record(Effect::ResourceShared(tgw_arn));
        Ok(())
    }

    pub(super) async fn delete_share(&self) -> Result<(), OpError> {
        let aws = self.aws();
        let arn = self.share_arn()?;
        aws.delete_share(&arn).await?;
        self.record(Effect::ShareDeleted);
        Ok(())
    }
}
