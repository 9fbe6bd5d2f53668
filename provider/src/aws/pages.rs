//! Reading a paginated AWS listing to its end.
//!
//! The SDK's own paginators send every page inside one future, so the provider's rate governor
//! would pace a 30-page listing as one call and a retry would start over at page one. Here each
//! page is its own paced, retried call: a long listing spends one token of the describe bucket
//! per page, and a throttled page is retried where it failed.

use std::future::Future;

use super::retry::OpError;

/// One page of a listing: its items and the token of the next page.
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_token: Option<String>,
}

impl<T> Page<T> {
    pub fn new(items: Vec<T>, next_token: Option<&str>) -> Self {
        Self {
            items,
            next_token: next_token.map(str::to_string),
        }
    }
}

/// Every item of a listing. `fetch` sends one page (paced and retried by the caller's
/// machinery) for the given token. The listing ends at a missing or empty token, and also at a
/// token that repeats the one just sent, which would otherwise loop for ever.
pub(crate) async fn all_pages<T, F, Fut>(mut fetch: F) -> Result<Vec<T>, OpError>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<Page<T>, OpError>>,
{
    let mut all = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = fetch(token.clone()).await?;
        all.extend(page.items);
        match page.next_token.filter(|t| !t.is_empty()) {
            Some(next) if token.as_deref() != Some(next.as_str()) => token = Some(next),
            _ => return Ok(all),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    /// A listing of `pages`, answering each token with the page it names.
    fn listing(pages: &[(&str, &[u32], Option<&str>)]) -> Vec<(String, Vec<u32>, Option<String>)> {
        pages
            .iter()
            .map(|(token, items, next)| {
                (token.to_string(), items.to_vec(), next.map(str::to_string))
            })
            .collect()
    }

    async fn read(
        pages: &[(String, Vec<u32>, Option<String>)],
        sent: &Mutex<Vec<Option<String>>>,
    ) -> Result<Vec<u32>, OpError> {
        all_pages(|token: Option<String>| {
            sent.lock().unwrap().push(token.clone());
            let key = token.unwrap_or_default();
            let page = pages.iter().find(|(t, _, _)| *t == key).cloned();
            async move {
                let (_, items, next) = page.expect("a token the listing never gave");
                Ok(Page::new(items, next.as_deref()))
            }
        })
        .await
    }

    #[tokio::test]
    async fn follows_tokens_to_the_last_page_in_order() {
        let pages = listing(&[
            ("", &[1, 2], Some("b")),
            ("b", &[3], Some("c")),
            ("c", &[4, 5], None),
        ]);
        let sent = Mutex::new(Vec::new());
        assert_eq!(read(&pages, &sent).await.unwrap(), vec![1, 2, 3, 4, 5]);
        assert_eq!(
            *sent.lock().unwrap(),
            vec![None, Some("b".to_string()), Some("c".to_string())]
        );
    }

    #[tokio::test]
    async fn an_empty_token_ends_the_listing() {
        let pages = listing(&[("", &[1], Some("b")), ("b", &[2], Some(""))]);
        let sent = Mutex::new(Vec::new());
        assert_eq!(read(&pages, &sent).await.unwrap(), vec![1, 2]);
        assert_eq!(sent.lock().unwrap().len(), 2);
    }

    #[tokio::test]
    async fn a_repeated_token_ends_the_listing_instead_of_looping() {
        let pages = listing(&[("", &[1], Some("b")), ("b", &[2], Some("b"))]);
        let sent = Mutex::new(Vec::new());
        assert_eq!(read(&pages, &sent).await.unwrap(), vec![1, 2]);
        assert_eq!(sent.lock().unwrap().len(), 2);
    }

    #[tokio::test]
    async fn a_failed_page_fails_the_listing() {
        let calls = Mutex::new(0);
        let result: Result<Vec<u32>, OpError> = all_pages(|token: Option<String>| {
            *calls.lock().unwrap() += 1;
            async move {
                match token {
                    None => Ok(Page::new(vec![1], Some("b"))),
                    Some(_) => Err(OpError::Refused("page two failed".to_string())),
                }
            }
        })
        .await;
        assert_eq!(result, Err(OpError::Refused("page two failed".to_string())));
        assert_eq!(*calls.lock().unwrap(), 2);
    }
}
