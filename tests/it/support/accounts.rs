//! Account helpers: create users, log in, call routes as someone.

use reqwest::Method;
use serde_json::{json, Value};

use super::{TestResponse, TestServer};

pub const PASSWORD: &str = "Password-123";

/// A logged-in user.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: String,
    pub username: String,
    pub token: String,
}

impl TestServer {
    /// Creates a user through the API (as `creator` when given, else anonymously).
    pub async fn create_user_as(&self, creator: Option<&str>, username: &str) -> TestResponse {
        let body = json!({
            "username": username,
            "email": format!("{username}@example.com"),
            "password": PASSWORD,
        });
        let mut request = self.request(Method::POST, "/api/v4/users").json(&body);
        if let Some(token) = creator {
            request = request.bearer_auth(token);
        }
        self.send(request).await
    }

    pub async fn login(&self, login_id: &str, password: &str) -> TestResponse {
        self.post_json(
            "/api/v4/users/login",
            &json!({"login_id": login_id, "password": password}),
        )
        .await
    }

    /// Logs in and returns the user with the `Token` header.
    pub async fn login_user(&self, username: &str) -> TestUser {
        let response = self.login(username, PASSWORD).await;
        response.assert_status(200);
        let token = response.header("token").expect("Token header").to_string();
        let user = response.json();
        TestUser {
            id: user["id"].as_str().unwrap().to_string(),
            username: username.to_string(),
            token,
        }
    }

    /// The first account (system admin), logged in.
    pub async fn admin(&self) -> TestUser {
        self.create_user_as(None, "admin").await.assert_status(201);
        self.login_user("admin").await
    }

    /// A further account created by `admin`, logged in.
    pub async fn user(&self, admin: &TestUser, username: &str) -> TestUser {
        self.create_user_as(Some(&admin.token), username)
            .await
            .assert_status(201);
        self.login_user(username).await
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<&Value>,
    ) -> TestResponse {
        let mut request = self.request(method, path).bearer_auth(token);
        if let Some(body) = body {
            request = request.json(body);
        }
        self.send(request).await
    }

    pub async fn get_as(&self, token: &str, path: &str) -> TestResponse {
        self.call(Method::GET, path, token, None).await
    }

    pub async fn post_as(&self, token: &str, path: &str, body: &Value) -> TestResponse {
        self.call(Method::POST, path, token, Some(body)).await
    }

    pub async fn put_as(&self, token: &str, path: &str, body: &Value) -> TestResponse {
        self.call(Method::PUT, path, token, Some(body)).await
    }

    pub async fn delete_as(&self, token: &str, path: &str) -> TestResponse {
        self.call(Method::DELETE, path, token, None).await
    }
}
